"""Reading the product catalogue: the products, paged and filtered in SQL, and their recipes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, func, select

from app.dto import Page, ProductRow, RecipeLineRow
from app.errors import NotFound
from app.permissions import require
from app.queries import _text_filter, paged, sort_columns, sorting
from app.rows import dto_from_row, labelled
from data.models import Material, Product, RecipeLine
from data.uow import UnitOfWork


@dataclass(frozen=True)
class ProductFilter:
    text: str | None = None
    stage: str | None = None
    archived: bool | None = False  # None: both


PRODUCT_SORTS = ("code", "name", "stage", "unit")


def _statement() -> Select[Any]:
    steps = (
        select(func.count(func.distinct(RecipeLine.step)))
        .where(RecipeLine.product_id == Product.id, RecipeLine.revision == Product.recipe_revision)
        .correlate(Product)
        .scalar_subquery()
    )
    return (
        select(
            *labelled(
                ProductRow,
                id=Product.id,
                code=Product.code,
                name=Product.name,
                spec=Product.spec,
                unit=Product.unit,
                stage=Product.stage,
                output_material_code=Material.code,
                output_material_name=Material.name,
                recipe_revision=Product.recipe_revision,
                recipe_steps=steps,
                archived=Product.archived,
                version=Product.version,
            )
        )
        .select_from(Product)
        .outerjoin(Material, Material.id == Product.output_material_id)
    )


def _row(r: Row[Any]) -> ProductRow:
    return dto_from_row(ProductRow, r, recipe_steps=int(r.recipe_steps or 0), archived=bool(r.archived))


def products(
    uow: UnitOfWork,
    flt: ProductFilter = ProductFilter(),
    *,
    sort: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> Page[ProductRow]:
    require(uow.actor, "read")
    with uow:
        stmt = _statement()
        cond = _text_filter(flt.text, Product.code, Product.name, Product.spec)
        if cond is not None:
            stmt = stmt.where(cond)
        if flt.stage:
            stmt = stmt.where(Product.stage == flt.stage)
        if flt.archived is not None:
            stmt = stmt.where(Product.archived.is_(flt.archived))
        columns = sort_columns(
            PRODUCT_SORTS, code=Product.code, name=Product.name, stage=Product.stage, unit=Product.unit
        )
        order = sorting(sort, descending, columns, "code", Product.id)
        return paged(uow, stmt, order, _row, offset=offset, limit=limit)


def product(uow: UnitOfWork, code: str) -> ProductRow:
    require(uow.actor, "read")
    with uow:
        found = uow.session.execute(_statement().where(Product.code == code)).first()
        if found is None:
            raise NotFound(f"There is no product “{code}”.", "product")
        return _row(found)


def recipe(uow: UnitOfWork, code: str, revision: int | None = None) -> tuple[RecipeLineRow, ...]:
    """The product's recipe, step by step: its current revision unless another is asked for."""
    require(uow.actor, "read")
    with uow:
        p = uow.products.by_key(code)
        wanted = p.recipe_revision if revision is None else revision
        rows = uow.session.execute(
            select(
                *labelled(
                    RecipeLineRow,
                    step=RecipeLine.step,
                    stage=RecipeLine.stage,
                    material_code=Material.code,
                    material_name=Material.name,
                    material_unit=Material.unit,
                    quantity=RecipeLine.quantity,
                    scrap_percent=RecipeLine.scrap_percent,
                )
            )
            .join(Material, Material.id == RecipeLine.material_id)
            .where(RecipeLine.product_id == p.id, RecipeLine.revision == wanted)
            .order_by(RecipeLine.step, Material.code)
        )
        return tuple(dto_from_row(RecipeLineRow, r) for r in rows)
