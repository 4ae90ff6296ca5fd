"""Figures for material requirements: 10,000 open orders over 300 materials with 20,000 batches and 600
purchase order lines, on SQLite and PostgreSQL. Printed, never asserted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select

from app.context import Context
from app.requirements import gather, material_requirements
from data.models import (
    Batch,
    Customer,
    Material,
    Product,
    ProductionLine,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    RecipeLine,
    StockMovement,
    Supplier,
    SupplierMaterial,
    Warehouse,
)
from data.rules import loading_history
from domain import mrp
from tests.benchmarks.conftest import measure, report

pytestmark = pytest.mark.benchmark

MATERIALS = 300
PRODUCTS = 60  # a third of them printed from the plant's own blown film: two steps
OPEN_ORDERS = 10_000
QUEUED = 3_000
BATCHES = 20_000
PURCHASE_ORDERS = 200  # three lines each
NOW = datetime.now(UTC).replace(microsecond=0)


def _ids(conn: Connection, stmt: Any, rows: list[dict[str, Any]]) -> list[int]:
    return [int(x) for x in conn.scalars(stmt.returning(stmt.table.c.id, sort_by_parameter_order=True), rows)]


def _materials(conn: Connection) -> tuple[list[int], list[int]]:
    """300 bought materials and one own film per two-step product."""
    kinds = ("granulate", "masterbatch", "ink", "adhesive", "solvent", "core")
    bought = _ids(
        conn,
        insert(Material),
        [{"code": f"M-{i:03d}", "name": f"Material {i}", "kind": kinds[i % len(kinds)], "unit": "kg",
          "reorder_level": Decimal(500 * (i % 4)), "archived": False, "version": 1} for i in range(MATERIALS)],
    )  # fmt: skip
    own = _ids(
        conn,
        insert(Material),
        [{"code": f"FILM-{i:02d}", "name": f"Blown film {i}", "kind": "film", "unit": "kg", "reorder_level": 0,
          "archived": False, "version": 1} for i in range(PRODUCTS // 3)],
    )  # fmt: skip
    return bought, own


def _products(conn: Connection, bought: list[int], own: list[int]) -> list[int]:
    rows = []
    for i in range(PRODUCTS):
        two_step = i < len(own)
        rows.append({"code": f"P-{i:03d}", "name": f"Product {i}", "unit": "kg",
                     "stage": "printing" if two_step else "extrusion", "recipe_revision": 1, "archived": False,
                     "output_material_id": None, "version": 1})  # fmt: skip
    products = _ids(conn, insert(Product), rows)
    films = _ids(
        conn,
        insert(Product),
        [{"code": f"BLOWN-{k:02d}", "name": f"Blown film {k}", "unit": "kg", "stage": "extrusion", "recipe_revision": 0,
          "archived": False, "output_material_id": m, "version": 1} for k, m in enumerate(own)],
    )  # fmt: skip
    del films
    lines = []
    for i, product in enumerate(products):
        uses = [bought[(i * 5 + k) % MATERIALS] for k in range(5)]  # every material in some recipe
        if i < len(own):  # extrusion of the plant's own film, then printing it with inks
            lines += [_recipe(product, 1, "extrusion", m, "0.2") for m in uses[:3]]
            lines += [_recipe(product, 2, "printing", own[i], "1.02")]
            lines += [_recipe(product, 2, "printing", m, "0.01") for m in uses[3:]]
        else:
            lines += [_recipe(product, 1, "extrusion", m, "0.2") for m in uses]
    conn.execute(insert(RecipeLine), lines)
    return products


def _recipe(product: int, step: int, stage: str, material: int, per_unit: str) -> dict[str, Any]:
    return {"product_id": product, "revision": 1, "step": step, "stage": stage, "material_id": material,
            "quantity": Decimal(per_unit), "scrap_percent": Decimal(2)}  # fmt: skip


def _orders(conn: Connection, products: list[int]) -> None:
    customer = conn.execute(select(Customer.id).limit(1)).scalar_one()
    lines = [int(x) for x in conn.scalars(select(ProductionLine.id).order_by(ProductionLine.id))]
    rows = []
    for i in range(OPEN_ORDERS):
        queued = i < QUEUED
        rows.append({"number": f"OPEN-{i:05d}", "customer_id": customer, "product_id": products[i % len(products)],
                     "quantity": Decimal(200 + i % 800), "unit": "kg", "priority": 1 + i % 5,
                     "due_date": (NOW + timedelta(days=i % 120)).date(), "status": "planned" if queued else "new",
                     "line_id": lines[i % len(lines)] if queued else None,
                     "queue_rank": (i + 1) * 1024 if queued else None, "created_at": NOW, "version": 1})  # fmt: skip
    conn.execute(insert(ProductionOrder), rows)


def _stock(conn: Connection, bought: list[int]) -> None:
    supplier = conn.execute(select(Supplier.id).limit(1)).scalar_one()
    store = conn.execute(select(Warehouse.id).where(Warehouse.code == "MAG-1")).scalar_one()
    statuses = ("approved", "approved", "approved", "pending", "blocked")
    batches = _ids(
        conn,
        insert(Batch),
        [{"number": f"B-{i:05d}", "material_id": bought[i % MATERIALS], "supplier_id": supplier,
          "received_at": NOW - timedelta(days=i % 200), "expiry_date": (NOW + timedelta(days=i % 400 - 20)).date(),
          "status": statuses[i % len(statuses)], "status_reason": "Bench" if i % 5 == 4 else None, "version": 1}
         for i in range(BATCHES)],
    )  # fmt: skip
    conn.execute(
        insert(StockMovement),
        [{"batch_id": b, "kind": "receipt", "quantity": Decimal(100 + i % 400), "from_warehouse_id": None,
          "to_warehouse_id": store, "production_order_id": None, "user_id": None, "created_at": NOW, "note": None}
         for i, b in enumerate(batches)],
    )  # fmt: skip
    conn.execute(
        insert(SupplierMaterial),
        [{"supplier_id": supplier, "material_id": m, "price": Decimal("1.5"), "minimum_order": Decimal(1000),
          "lead_time_days": 10, "version": 1} for m in bought],
    )  # fmt: skip
    orders = _ids(
        conn,
        insert(PurchaseOrder),
        [{"number": f"PUR-B-{i:04d}", "supplier_id": supplier, "status": "sent", "currency": "EUR", "created_at": NOW,
          "sent_at": NOW, "version": 1} for i in range(PURCHASE_ORDERS)],
    )  # fmt: skip
    conn.execute(
        insert(PurchaseOrderLine),
        [{"purchase_order_id": o, "line_no": k, "material_id": bought[(i * 3 + k) % MATERIALS],
          "quantity": Decimal(2000), "price": Decimal("1.5"), "due_date": (NOW + timedelta(days=i % 60)).date(),
          "received": Decimal(0)} for i, o in enumerate(orders) for k in (1, 2, 3)],
    )  # fmt: skip


@pytest.fixture
def busy_plant(plant: Context) -> Context:
    with plant.database.engine.begin() as conn, loading_history(conn):
        bought, own = _materials(conn)
        products = _products(conn, bought, own)
        _orders(conn, products)
        _stock(conn, bought)
    if not plant.database.is_sqlite:
        with plant.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return plant


def test_requirements_for_ten_thousand_open_orders(busy_plant: Context, backend: str) -> None:
    ctx = busy_plant
    found = material_requirements(ctx.reader())
    assert found.open_orders == OPEN_ORDERS and len(found.materials) >= MATERIALS
    assert found.shortages, "the bench plant is short of something"
    median, worst = measure(lambda: material_requirements(ctx.reader()), repeat=5)
    report(f"material requirements, 10,000 open orders, 300 materials, 20,000 batches ({backend})", median, "ms",
           "< 1000 ms")  # fmt: skip
    report(f"  worst of 5 ({backend})", worst, "ms")
    read, _ = measure(lambda: gather(ctx.reader()), repeat=5)
    report(f"  of which reading the plant ({backend})", read, "ms")
    inputs = gather(ctx.reader())
    netting, _ = measure(
        lambda: mrp.requirements(inputs.demands, inputs.recipes, inputs.lots, inputs.buying, inputs.today), repeat=5
    )
    report(f"  of which netting ({backend})", netting, "ms")
