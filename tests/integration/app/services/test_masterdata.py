"""Warehouses, materials, suppliers and lines (app/services/masterdata.py), on both backends: created,
edited on a current copy, archived instead of deleted, journaled; archived records take no new work."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from app import queries as q
from app import services as s
from app.audit import audit
from app.context import Context
from app.errors import ConflictError, KnownError, PermissionDenied, ValidationError
from app.permissions import Role
from tests.conftest import snapshot
from tests.helpers import order, plan


def journal(ctx: Context, entity: str) -> list[tuple[str, str]]:
    rows = q.events(ctx.reader(), q.EventFilter(entity_type=entity), descending=False, limit=1000).rows
    return [(e.action, e.summary) for e in rows]


def test_each_kind_is_created_edited_archived_and_restored(plant: Context) -> None:
    u = plant.uow
    s.create_warehouse(u(), code="mag-10", name="Overflow", kind="finished", adr=True)
    wh = q.warehouses(plant.reader(), q.MasterFilter(text="MAG-10")).rows[0]
    assert (wh.code, wh.adr, wh.archived, wh.version) == ("MAG-10", True, False, 1)
    s.edit_warehouse(u(), code="MAG-10", name="Overflow hall", kind="finished", adr=False, expected_version=1)
    s.set_warehouse_archived(u(), code="MAG-10", archived=True, reason="hall rented out", expected_version=2)
    s.set_warehouse_archived(u(), code="MAG-10", archived=False, expected_version=3)
    assert journal(plant, "warehouse")[-4:] == [
        ("created", "Created warehouse MAG-10 (Overflow, finished, ADR)"),
        ("edited", "Edited warehouse MAG-10: adr, name"),
        ("archived", "Archived warehouse MAG-10 (Overflow hall): hall rented out"),
        ("restored", "Restored warehouse MAG-10 (Overflow hall)"),
    ]

    s.create_material(u(), code="INK-RED", name="Flexo ink red", kind="ink", unit="kg", shelf_life_days=365)
    s.edit_material(
        u(), code="INK-RED", name="Flexo ink red", kind="ink", unit="l", reorder_level="12,5", shelf_life_days=180
    )
    red = q.materials(plant.reader(), q.MasterFilter(text="INK-RED")).rows[0]
    assert (red.unit, red.reorder_level, red.shelf_life_days, red.version) == ("l", Decimal("12.5"), 180, 2)

    s.create_supplier(u(), code="SIEGWERK", name="Siegwerk", address="ul. Fabryczna 12, Katowice", tax_id="PL634")
    s.edit_supplier(u(), code="SIEGWERK", name="Siegwerk Polska", email="inks@siegwerk.example", tax_id="PL634")
    sup = q.suppliers(plant.reader(), q.MasterFilter(text="SIEGWERK")).rows[0]
    assert (sup.name, sup.email, sup.address, sup.version) == ("Siegwerk Polska", "inks@siegwerk.example", None, 2)

    s.edit_line(
        u(), code="EXTRUDER-2", name="Extruder 2 (5-layer)", stage="extrusion", rate_per_hour=300, rate_unit="kg"
    )
    s.set_line_archived(u(), code="EXTRUDER-2", archived=True)
    assert q.lines(plant.reader(), q.MasterFilter(archived=True)).rows[0].code == "EXTRUDER-2"
    assert [ln.line_code for ln in q.line_queues(plant.reader())] == ["EXTRUDER-1", "PRINT-LINE-1"]
    assert audit(plant.database) == []


def test_an_edit_on_a_stale_copy_is_refused_naming_who(plant: Context, people: dict[Role, Context]) -> None:
    admin = people[Role.ADMIN]
    s.edit_material(
        admin.uow(), code="LDPE", name="LDPE FT5230", kind="granulate", unit="kg", reorder_level=900, expected_version=1
    )
    before = snapshot(plant.database)
    with pytest.raises(ConflictError, match=r"Material LDPE was changed by admin1 at .* nothing was overwritten"):
        s.edit_material(
            plant.uow(), code="LDPE", name="LDPE", kind="granulate", unit="kg", reorder_level=1, expected_version=1
        )
    with pytest.raises(ConflictError, match="changed by admin1"):
        s.set_material_archived(plant.uow(), code="LDPE", archived=True, expected_version=1)
    assert snapshot(plant.database) == before


def test_what_may_not_change(plant: Context) -> None:
    u = plant.uow
    s.receive_batch(u(), number="B-1", material="LDPE", supplier="BASELL", quantity=100, warehouse="MAG-1")
    order(plant, "PO-1")
    plan(plant, "PO-1", "EXTRUDER-1")
    before = snapshot(plant.database)
    refusals = [
        (lambda: s.edit_material(u(), code="LDPE", name="LDPE", kind="granulate", unit="m"), "its unit stays kg"),
        (lambda: s.set_warehouse_archived(u(), code="MAG-1", archived=True), "still holds stock of 1 batch"),
        (lambda: s.set_line_archived(u(), code="EXTRUDER-1", archived=True), "has 1 order planned or running"),
        (
            lambda: s.edit_line(u(), code="EXTRUDER-1", name="E", stage="extrusion", rate_per_hour=1, rate_unit="m"),
            "has orders planned in kg",
        ),
        (lambda: s.create_warehouse(u(), code="MAG-1", name="Again", kind="production"), "already exists"),
        (lambda: s.create_material(u(), code="X", name="X", kind="ink", unit="kg", shelf_life_days=0), "between 1"),
        (lambda: s.create_material(u(), code="X", name="X", kind="core", unit="pcs", reorder_level="2.5"), "whole"),
        (lambda: s.create_supplier(u(), code="X", name="X", email="not an address"), "not an e-mail address"),
        (lambda: s.edit_warehouse(u(), code="MAG-1", name="Warehouse MAG-1", kind="raw_materials"), "Nothing to save"),
        (lambda: s.set_supplier_archived(u(), code="BASELL", archived=False), "already in use"),
        (lambda: s.edit_supplier(u(), code="NOPE", name="x"), "There is no supplier"),
    ]
    for call, message in refusals:
        with pytest.raises(KnownError, match=message):
            call()
    assert snapshot(plant.database) == before


def test_an_adr_store_always_may_hold_dangerous_goods(plant: Context) -> None:
    s.create_warehouse(plant.uow(), code="MAG-ADR", name="Solvents", kind="adr", adr=False)
    assert q.warehouses(plant.reader(), q.MasterFilter(text="MAG-ADR")).rows[0].adr
    # The database holds the rule too, for a write that goes around the service (IT in psql).
    with plant.database.engine.begin() as conn:
        conn.execute(text("UPDATE warehouses SET adr = :no WHERE code = 'MAG-ADR'"), {"no": False})
        conn.execute(text("INSERT INTO warehouses (code, name, kind) VALUES ('MAG-ADR2', 'By hand', 'adr')"))
        conn.execute(text("UPDATE warehouses SET kind = 'adr' WHERE code = 'MAG-3'"))
    flags = {w.code: w.adr for w in q.warehouses(plant.reader(), q.MasterFilter(kind="adr")).rows}
    assert flags == {"MAG-1.1": True, "MAG-3": True, "MAG-ADR": True, "MAG-ADR2": True}
    with pytest.raises(Exception, match="(?i)check|constraint"), plant.database.engine.begin() as conn:
        conn.execute(text("UPDATE materials SET shelf_life_days = 0 WHERE code = 'LDPE'"))


def test_archived_records_take_no_new_work_but_history_shows_them(plant: Context) -> None:
    u = plant.uow
    s.receive_batch(u(), number="B-1", material="LDPE", supplier="BASELL", quantity=100, warehouse="MAG-1")
    s.approve_batch(u(), batch="B-1")
    s.create_warehouse(u(), code="MAG-OLD", name="Old store", kind="raw_materials")
    s.set_warehouse_archived(u(), code="MAG-OLD", archived=True)
    s.set_supplier_archived(u(), code="BASELL", archived=True)
    s.set_material_archived(u(), code="LDPE", archived=True)
    s.set_line_archived(u(), code="EXTRUDER-2", archived=True)
    order(plant, "PO-1")
    before = snapshot(plant.database)
    refusals = [
        lambda: s.receive_batch(u(), number="B-2", material="LDPE", supplier="BASELL", quantity=1, warehouse="MAG-1"),
        lambda: s.receive_batch(
            u(), number="B-2", material="FILM-PE-50", supplier="BASELL", quantity=1, warehouse="MAG-1"
        ),
        lambda: s.transfer_stock(u(), batch="B-1", from_warehouse="MAG-1", to_warehouse="MAG-OLD", quantity=1),
        lambda: s.adjust_stock(u(), batch="B-1", warehouse="MAG-OLD", change=1, reason="found"),
        lambda: s.plan_order(u(), number="PO-1", line="EXTRUDER-2"),
    ]
    for call in refusals:
        with pytest.raises(ValidationError, match="is archived; an administrator may restore it"):
            call()
    assert snapshot(plant.database) == before
    # Its stock still moves: an archived material's batches are issued and transferred as before.
    s.transfer_stock(u(), batch="B-1", from_warehouse="MAG-1", to_warehouse="MAG-3", quantity=10)
    s.issue_stock(u(), batch="B-1", warehouse="MAG-3", quantity=10)
    # History shows them; pickers no longer offer them.
    assert q.batches(plant.reader(), q.BatchFilter(text="B-1")).rows[0].origin == "LyondellBasell"
    assert q.inventory(plant.reader(), q.InventoryFilter(text="LDPE")).rows[0].quantity == 90
    from app.lookups import lookups

    found = lookups(plant.reader())
    assert "LDPE" not in found.materials and "BASELL" not in found.suppliers
    assert "MAG-OLD" not in found.warehouses and "EXTRUDER-2" not in found.lines


def test_only_an_admin_keeps_master_data(people: dict[Role, Context], plant: Context) -> None:
    for role in (Role.VIEWER, Role.CLERK, Role.PLANNER, Role.MANAGER):
        ctx = people[role]
        with pytest.raises(PermissionDenied, match="Only an admin may manage warehouses"):
            s.create_warehouse(ctx.uow(), code="MAG-X", name="X", kind="production")
        with pytest.raises(PermissionDenied):
            s.set_material_archived(ctx.uow(), code="LDPE", archived=True)
    s.set_material_archived(people[Role.ADMIN].uow(), code="LDPE", archived=True)
    # Everyone reads them.
    assert q.materials(people[Role.VIEWER].reader(), q.MasterFilter(archived=None)).total == 5
