"""The product catalogue and its recipes: kept by planners, archived (never deleted).

A recipe is the materials of each step a product passes, per unit of the product, with the scrap
allowed on top. Saving a recipe writes a new revision and keeps the old ones, so what a product was
made of stays readable after it changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from app import validation as v
from app.errors import ValidationError
from app.permissions import require
from data.models import Material, Product, ProductionOrder, RecipeLine
from data.uow import UnitOfWork
from domain.vocabulary import (
    CODE_LEN,
    MAX_SCRAP_PERCENT,
    NAME_LEN,
    RATIO_SCALE,
    RECIPE_STEPS,
    SPEC_LEN,
    LineStage,
    Unit,
)


@dataclass(frozen=True)
class RecipeItem:
    """One line of a recipe as a planner types it: step, the stage it runs on, the material, how much of
    it per unit of the product, and the scrap allowed on top in percent."""

    step: Any
    stage: str
    material: str
    quantity: Any
    scrap_percent: Any = 0


def _fields(name: Any, spec: Any, unit: Any, stage: Any) -> dict[str, Any]:
    return {
        "name": v.required_text(name, "name", NAME_LEN),
        "spec": v.text(spec, "spec", SPEC_LEN, required=False),
        "unit": v.choice(unit, "unit", Unit.values()),
        "stage": v.choice(stage, "stage", LineStage.values()),
    }


def _output_material(uow: UnitOfWork, code: Any, unit: str) -> Material | None:
    """The material the product's batches are; counted in the product's own unit."""
    if code in (None, ""):
        return None
    material = uow.materials.by_key(v.code(code, "output_material", CODE_LEN))
    if material.unit != unit:
        raise ValidationError(
            f"{material.code} ({material.name}) is counted in {Unit(material.unit).label}, the product in "
            f"{Unit(unit).label}; its batches must be counted as the product is ordered.",
            "output_material",
        )
    return material


def create_product(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    unit: str,
    stage: str,
    output_material: str | None = None,
    spec: str | None = None,
) -> int:
    require(uow.actor, "product.edit")
    code = v.code(code, "code", CODE_LEN).upper()
    fields = _fields(name, spec, unit, stage)
    with uow:
        if uow.products.find(code) is not None:
            raise ValidationError(f"A product with the code {code} already exists.", "code")
        material = _output_material(uow, output_material, fields["unit"])
        product = uow.products.add(
            Product(
                code=code,
                output_material_id=material.id if material else None,
                recipe_revision=0,
                archived=False,
                **fields,
            )
        )
        uow.session.flush()
        uow.record_event(
            "product",
            product.id,
            "created",
            f"Created product {code} ({fields['name']}, {LineStage(fields['stage']).label}, "
            f"in {Unit(fields['unit']).label})",
            {**{k: val for k, val in fields.items() if val is not None}, "output_material": material and material.code},
        )
        uow.commit()
        return product.id


def edit_product(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    unit: str,
    stage: str,
    output_material: str | None = None,
    spec: str | None = None,
    expected_version: int | None = None,
) -> None:
    """Name and spec change freely; unit, stage and output material only while no order names the product."""
    require(uow.actor, "product.edit")
    code = v.code(code, "code", CODE_LEN)
    fields = _fields(name, spec, unit, stage)
    with uow:
        product = uow.products.by_key(code, for_update=True)
        uow.check_version("product", product, expected_version, f"Product {product.code}")
        material = _output_material(uow, output_material, fields["unit"])
        fields["output_material_id"] = material.id if material else None
        changed = {k: val for k, val in fields.items() if getattr(product, k) != val}
        if not changed:
            raise ValidationError(f"Nothing to save: product {product.code} is unchanged.", "code")
        binding = {"unit", "stage", "output_material_id"} & set(changed)
        if binding:
            ordered = uow.session.scalar(
                select(func.count()).select_from(ProductionOrder).where(ProductionOrder.product_id == product.id)
            )
            if ordered:
                raise ValidationError(
                    f"Product {product.code} has {ordered} order(s); its unit, stage and output material stay "
                    "as they were made. Create a new product for the new way of making it.",
                    sorted(binding)[0].removesuffix("_id"),
                )
        for key, value in changed.items():
            setattr(product, key, value)
        words = sorted(k.removesuffix("_id") for k in changed)
        details = {k.removesuffix("_id"): str(val) for k, val in changed.items() if k != "output_material_id"}
        if "output_material_id" in changed:
            details["output_material"] = material.code if material else ""
        uow.record_event("product", product.id, "edited", f"Edited product {product.code}: {', '.join(words)}", details)
        uow.commit()


def set_product_archived(uow: UnitOfWork, *, code: str, archived: bool, expected_version: int | None = None) -> None:
    """Archive a product (its orders and recipes stay; it can no longer be ordered), or bring it back."""
    require(uow.actor, "product.edit")
    code = v.code(code, "code", CODE_LEN)
    with uow:
        product = uow.products.by_key(code, for_update=True)
        uow.check_version("product", product, expected_version, f"Product {product.code}")
        if product.archived == archived:
            state = "archived" if archived else "in the catalogue"
            raise ValidationError(f"Product {product.code} is already {state}.", "code")
        product.archived = archived
        action = "archived" if archived else "restored"
        uow.record_event(
            "product", product.id, action, f"{action.capitalize()} product {product.code} ({product.name})", {}
        )
        uow.commit()


# ---------------------------------------------------------------- recipes


def ratio(value: Any, field: str = "quantity") -> Decimal:
    """An amount per unit of the product: more than zero, to the millionth."""
    label = field.replace("_", " ")
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        raise ValidationError(f"Enter a {label}.", field)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"The {label} “{value}” is not a number.", field) from None
    if not number.is_finite() or number <= 0:
        raise ValidationError(f"The {label} must be greater than zero.", field)
    if number >= v.MAX_QUANTITY:
        raise ValidationError(f"The {label} {number} is too large.", field)
    exponent = number.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > RATIO_SCALE:
        raise ValidationError(f"The {label} takes at most {RATIO_SCALE} decimal places; “{value}” has more.", field)
    return number.quantize(Decimal(1).scaleb(-RATIO_SCALE))


def scrap(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal("0.000")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().rstrip("%").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"The scrap allowance “{value}” is not a number.", "scrap_percent") from None
    if not number.is_finite() or not 0 <= number < MAX_SCRAP_PERCENT:
        raise ValidationError(
            f"The scrap allowance is a percentage from 0 to below {MAX_SCRAP_PERCENT}; “{value}” is not.",
            "scrap_percent",
        )
    exponent = number.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > 2:
        raise ValidationError(
            f"The scrap allowance takes at most 2 decimal places; “{value}” has more.", "scrap_percent"
        )
    return number.quantize(Decimal("0.001"))


@dataclass(frozen=True)
class _Clean:
    step: int
    stage: str
    material: Material
    quantity: Decimal
    scrap_percent: Decimal


def _clean_recipe(uow: UnitOfWork, product: Product, items: Sequence[RecipeItem]) -> list[_Clean]:
    lines: list[_Clean] = []
    for n, item in enumerate(items, start=1):
        step = v.integer(item.step, "step", RECIPE_STEPS.start, RECIPE_STEPS.stop - 1)
        stage = v.choice(item.stage, "stage", LineStage.values())
        material = uow.materials.by_key(v.code(item.material, "material", CODE_LEN))
        try:
            lines.append(_Clean(step, stage, material, ratio(item.quantity), scrap(item.scrap_percent)))
        except ValidationError as exc:
            raise ValidationError(f"Line {n} ({material.code}): {exc}", exc.field) from None
    steps = sorted({line.step for line in lines})
    if steps and steps != list(range(1, len(steps) + 1)):
        raise ValidationError(f"Steps are numbered 1, 2, 3 … without gaps; this recipe has {steps}.", "step")
    for step in steps:
        stages = {line.stage for line in lines if line.step == step}
        if len(stages) > 1:
            raise ValidationError(f"Step {step} runs on one stage; it names {', '.join(sorted(stages))}.", "stage")
    seen: set[tuple[int, int]] = set()
    for line in lines:
        if (line.step, line.material.id) in seen:
            raise ValidationError(f"Step {line.step} names {line.material.code} twice; add the amounts up.", "material")
        seen.add((line.step, line.material.id))
    if steps:
        last = next(line.stage for line in lines if line.step == steps[-1])
        if last != product.stage:
            raise ValidationError(
                f"Product {product.code} is made on {LineStage(product.stage).label}: the recipe's last step "
                f"(step {steps[-1]}) must run there, not on {LineStage(last).label}.",
                "stage",
            )
    return sorted(lines, key=lambda line: (line.step, line.material.code))


def current_recipe(uow: UnitOfWork, product: Product) -> list[RecipeLine]:
    return list(
        uow.session.scalars(
            select(RecipeLine)
            .where(RecipeLine.product_id == product.id, RecipeLine.revision == product.recipe_revision)
            .order_by(RecipeLine.step, RecipeLine.id)
        )
    )


def set_recipe(
    uow: UnitOfWork, *, product: str, lines: Sequence[RecipeItem], expected_version: int | None = None
) -> int:
    """Save the product's recipe as its next revision; returns the revision's number."""
    require(uow.actor, "product.edit")
    code = v.code(product, "product", CODE_LEN)
    with uow:
        p = uow.products.by_key(code, for_update=True)
        uow.check_version("product", p, expected_version, f"Product {p.code}")
        clean = _clean_recipe(uow, p, lines)
        before = {(r.step, r.stage, r.material_id, r.quantity, r.scrap_percent) for r in current_recipe(uow, p)}
        after = {(c.step, c.stage, c.material.id, c.quantity, c.scrap_percent) for c in clean}
        if before == after:
            raise ValidationError(f"Nothing to save: the recipe of {p.code} is unchanged.", "product")
        revision = p.recipe_revision + 1
        for c in clean:
            uow.session.add(
                RecipeLine(
                    product_id=p.id,
                    revision=revision,
                    step=c.step,
                    stage=c.stage,
                    material_id=c.material.id,
                    quantity=c.quantity,
                    scrap_percent=c.scrap_percent,
                )
            )
        p.recipe_revision = revision
        steps = len({c.step for c in clean})
        uow.record_event(
            "product",
            p.id,
            "recipe",
            f"Saved recipe revision {revision} of product {p.code}: {len(clean)} material(s) in {steps} step(s)",
            {
                "revision": revision,
                "lines": [
                    {
                        "step": c.step,
                        "stage": c.stage,
                        "material": c.material.code,
                        "quantity": str(c.quantity),
                        "scrap_percent": str(c.scrap_percent),
                    }
                    for c in clean
                ],
            },
        )
        uow.commit()
        return revision
