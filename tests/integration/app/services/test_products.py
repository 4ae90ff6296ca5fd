"""The product catalogue and its recipes, and orders that name a product, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app import catalogue
from app import order_book as ob
from app import queries as q
from app import services as s
from app.context import Context
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.permissions import Role
from tests.conftest import in_days, snapshot
from tests.helpers import order, plan

LAMINATE = [
    s.RecipeItem(1, "extrusion", "LDPE", "0.036", "3"),
    s.RecipeItem(2, "printing", "FILM-PE-50", "0.056", "4"),
    s.RecipeItem(2, "printing", "INK-CYAN", "0.0012", "5"),
]
PRINT_ONLY = [s.RecipeItem(1, "printing", "FILM-PE-50", "0.056", "4")]


def test_a_planner_keeps_the_catalogue_and_it_is_journaled(plant: Context, people: dict[Role, Context]) -> None:
    planner = people[Role.PLANNER]
    s.create_product(
        planner.uow(), code="prn-dairy", name="8-colour print, dairy lid", stage="printing", unit="m",
        output_material="FILM-PRINTED", spec="PE 50 µm printed 8 colours",
    )  # fmt: skip
    found = catalogue.product(plant.reader(), "PRN-DAIRY")  # codes are kept in capitals
    assert (found.name, found.stage, found.unit, found.output_material_code) == (
        "8-colour print, dairy lid",
        "printing",
        "m",
        "FILM-PRINTED",
    )
    assert found.recipe_revision == 0 and found.recipe_steps == 0
    s.edit_product(
        planner.uow(), code="PRN-DAIRY", name="8-colour print, dairy lid 2026", stage="printing", unit="m",
        output_material="FILM-PRINTED", spec="PE 50 µm printed 8 colours", expected_version=found.version,
    )  # fmt: skip
    with pytest.raises(ConflictError, match="changed by planner1"):
        s.edit_product(
            plant.uow(), code="PRN-DAIRY", name="x", stage="printing", unit="m", expected_version=found.version
        )
    s.set_product_archived(people[Role.PLANNER].uow(), code="PRN-DAIRY", archived=True)
    assert catalogue.products(plant.reader(), catalogue.ProductFilter(text="dairy")).total == 0
    archived = catalogue.products(plant.reader(), catalogue.ProductFilter(text="dairy", archived=True))
    assert [p.code for p in archived.rows] == ["PRN-DAIRY"]
    with pytest.raises(ValidationError, match="PRN-DAIRY .* is archived; restore it before ordering"):
        s.create_order(plant.uow(), customer="C-001", product="PRN-DAIRY", quantity=100, due_date=in_days(5))
    s.set_product_archived(planner.uow(), code="PRN-DAIRY", archived=False)
    with pytest.raises(PermissionDenied, match="Only a planner or above may keep products"):
        s.create_product(people[Role.CLERK].uow(), code="X", name="x", stage="printing", unit="m")
    actions = q.events(plant.reader(), q.EventFilter(entity_type="product", username="planner1")).rows
    assert sorted(e.action for e in actions) == ["archived", "created", "edited", "restored"]


def test_bad_products_are_refused_and_change_nothing(plant: Context) -> None:
    before = snapshot(plant.database)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"code": "PE-50"}, "already exists"),
        ({"code": "A;B"}, "may contain only"),
        ({"name": ""}, "name is required"),
        ({"stage": "welding"}, "not one of"),
        ({"unit": "tonnes"}, "not one of"),
        ({"output_material": "NOPE"}, "no material “NOPE”"),
        ({"output_material": "FILM-PRINTED"}, "counted in m, the product in kg"),
    ]
    for override, message in bad:
        args: dict[str, Any] = {"code": "NEW-1", "name": "New film", "stage": "extrusion", "unit": "kg"}
        args.update(override)
        with pytest.raises((ValidationError, NotFound), match=message):
            s.create_product(plant.uow(), **args)
    assert snapshot(plant.database) == before


def test_a_recipe_is_saved_as_revisions_and_checked_step_by_step(plant: Context) -> None:
    assert s.set_recipe(plant.uow(), product="PRINTED", lines=LAMINATE) == 1
    lines = catalogue.recipe(plant.reader(), "PRINTED")
    assert [(r.step, r.stage, r.material_code, r.quantity, r.scrap_percent) for r in lines] == [
        (1, "extrusion", "LDPE", Decimal("0.036000"), Decimal("3.000")),
        (2, "printing", "FILM-PE-50", Decimal("0.056000"), Decimal("4.000")),
        (2, "printing", "INK-CYAN", Decimal("0.001200"), Decimal("5.000")),
    ]
    with pytest.raises(ValidationError, match="recipe of PRINTED is unchanged"):
        s.set_recipe(plant.uow(), product="PRINTED", lines=LAMINATE)
    assert s.set_recipe(plant.uow(), product="PRINTED", lines=PRINT_ONLY) == 2  # bought film: no extrusion step
    assert len(catalogue.recipe(plant.reader(), "PRINTED")) == 1
    assert len(catalogue.recipe(plant.reader(), "PRINTED", revision=1)) == 3  # the old revision stays readable
    assert catalogue.product(plant.reader(), "PRINTED").recipe_steps == 1
    before = snapshot(plant.database)
    refused: list[tuple[list[s.RecipeItem], str]] = [
        ([s.RecipeItem(2, "printing", "INK-CYAN", "1")], r"without gaps; this recipe has \[2\]"),
        ([s.RecipeItem(1, "extrusion", "LDPE", "1")], "last step .* must run there, not on extrusion"),
        (
            [s.RecipeItem(1, "printing", "LDPE", "1"), s.RecipeItem(1, "extrusion", "INK-CYAN", "1")],
            "Step 1 runs on one stage",
        ),
        (
            [s.RecipeItem(1, "printing", "INK-CYAN", "1"), s.RecipeItem(1, "printing", "INK-CYAN", "2")],
            "names INK-CYAN twice",
        ),
        ([s.RecipeItem(1, "printing", "INK-CYAN", "0")], "greater than zero"),
        ([s.RecipeItem(1, "printing", "INK-CYAN", "0.0000001")], "at most 6 decimal places"),
        ([s.RecipeItem(1, "printing", "INK-CYAN", "1", "100")], "below 100"),
        ([s.RecipeItem(1, "printing", "INK-CYAN", "1", "-1")], "below 100"),
        ([s.RecipeItem(1, "printing", "INK-CYAN", "1", "2.555")], "at most 2 decimal places"),
        ([s.RecipeItem(10, "printing", "INK-CYAN", "1")], "between 1 and 9"),
        ([s.RecipeItem(1, "printing", "NOPE", "1")], "no material “NOPE”"),
    ]
    for lines_, message in refused:
        with pytest.raises((ValidationError, NotFound), match=message):
            s.set_recipe(plant.uow(), product="PRINTED", lines=lines_)
    assert snapshot(plant.database) == before


def test_the_database_holds_a_scrap_allowance_below_a_hundred_percent(plant: Context) -> None:
    s.set_recipe(plant.uow(), product="PRINTED", lines=PRINT_ONLY)
    scale = 1000 if plant.database.is_sqlite else 1  # thousandths on SQLite
    with pytest.raises(IntegrityError, match="scrap_below_limit"), plant.database.engine.begin() as conn:
        conn.execute(text(f"UPDATE recipe_lines SET scrap_percent = {100 * scale}"))


def test_an_order_names_a_product_and_runs_on_its_stage(plant: Context) -> None:
    order(plant, "PO-1")
    order(plant, "PO-2", product="PE-60")
    row = ob.order_row(plant.reader(), "PO-1")
    assert (row.product_code, row.unit) == ("PE-50", "kg")
    s.create_order(plant.uow(), customer="C-001", product="PRINTED", quantity=10, due_date=in_days(3), number="M")
    with pytest.raises(ValidationError, match="EXTRUDER-1 runs extrusion"):
        plan(plant, "M")
    plan(plant, "PO-1")
    version = ob.order_row(plant.reader(), "PO-1").version
    with pytest.raises(ValidationError, match="makes PRINTED .* on printing lines"):
        s.edit_order(
            plant.uow(), number="PO-1", customer="C-001", product="PRINTED", quantity=10, priority=3,
            due_date=in_days(9), expected_version=version,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="PE-50 has 1 order.*unit, stage and output material stay"):
        s.edit_product(plant.uow(), code="PE-50", name="PE film 50 µm natural", stage="extrusion", unit="m")
    with pytest.raises(ValidationError, match="PE-50 has 1 order"):
        s.edit_product(plant.uow(), code="PE-50", name="PE film 50 µm natural", stage="printing", unit="kg")
    s.edit_product(plant.uow(), code="PE-50", name="PE film 50 µm, natural", stage="extrusion", unit="kg",
                   output_material="FILM-PE-50")  # fmt: skip


def test_recording_consumption_proposes_the_recipe_for_the_order(plant: Context) -> None:
    s.set_recipe(plant.uow(), product="PRINTED", lines=LAMINATE)
    s.create_order(plant.uow(), customer="C-001", product="PRINTED", quantity="12000", due_date=in_days(9), number="P")
    needs = ob.material_needs(plant.reader(), "P")
    # the order's own step (printing): 0.056 kg/m × 12,000 m × 1.04 and 0.0012 kg/m × 12,000 m × 1.05
    assert [(n.material_code, n.planned, n.consumed, n.remaining) for n in needs] == [
        ("FILM-PE-50", Decimal("698.880"), Decimal("0.000"), Decimal("698.880")),
        ("INK-CYAN", Decimal("15.120"), Decimal("0.000"), Decimal("15.120")),
    ]
    s.receive_batch(
        plant.uow(), number="F-1", material="FILM-PE-50", supplier="BASELL", quantity=900, warehouse="MAG-3"
    )
    s.approve_batch(plant.uow(), batch="F-1")
    plan(plant, "P", line="PRINT-LINE-1")
    s.start_order(plant.uow(), number="P")
    s.consume_batch(plant.uow(), order="P", batch="F-1", warehouse="MAG-3", quantity="500")
    film = ob.material_needs(plant.reader(), "P")[0]
    assert (film.consumed, film.remaining) == (Decimal("500.000"), Decimal("198.880"))
    assert ob.material_needs(plant.reader(), "P")[1].consumed == 0  # no ink went in yet
    order(plant, "PO-9")
    assert ob.material_needs(plant.reader(), "PO-9") == ()  # PE-50 has no recipe yet
