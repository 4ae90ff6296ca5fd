"""Figures for orders to delivery: a forward trace through four production steps to 1,000 deliveries, and the
list of every order over 100,000 orders, on SQLite and PostgreSQL. Printed, never asserted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select

from app import order_book as ob
from app import queries as q
from app.context import Context
from app.services.trace import recall, trace_batch
from data.models import (
    Batch,
    Customer,
    Delivery,
    DeliveryLine,
    Material,
    Product,
    ProductionLine,
    ProductionOrder,
    StockMovement,
    Supplier,
    User,
    Warehouse,
)
from data.rules import loading_history
from tests.benchmarks.conftest import measure, report
from tests.conftest import in_days

pytestmark = pytest.mark.benchmark

# raw batch → 1 order → 10 batches → 10 orders → 50 → 50 orders → 100 → 100 orders → 200 batches, 5 deliveries each
FAN_OUT = (10, 5, 2, 2)
DELIVERIES_PER_BATCH = 5
ORDERS = 100_000
OTHER_BATCHES = 20_000
NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)


class _Ids:
    def __init__(self, conn: Connection) -> None:
        def one(column: Any, key: Any, value: str) -> int:
            return int(conn.execute(select(column).where(key == value)).scalar_one())

        self.customers = [int(i) for i in conn.execute(select(Customer.id).order_by(Customer.id)).scalars()]
        self.film = one(Product.id, Product.code, "PE-50")
        self.printed = one(Product.id, Product.code, "PRINTED")
        self.ldpe = one(Material.id, Material.code, "LDPE")
        self.film_material = one(Material.id, Material.code, "FILM-PE-50")
        self.printed_material = one(Material.id, Material.code, "FILM-PRINTED")
        self.supplier = one(Supplier.id, Supplier.code, "BASELL")
        self.store = one(Warehouse.id, Warehouse.code, "MAG-1")
        self.finished = one(Warehouse.id, Warehouse.code, "MAG-6")
        self.line = one(ProductionLine.id, ProductionLine.code, "EXTRUDER-1")
        self.user = conn.execute(select(User.id).order_by(User.id).limit(1)).scalar()


def _orders(conn: Connection, ids: _Ids, numbers: list[str], product: int, status: str) -> list[int]:
    rows = [
        {
            "number": n,
            "customer_id": ids.customers[i % len(ids.customers)],
            "product_id": product,
            "quantity": Decimal(1000),
            "unit": "kg" if product == ids.film else "m",
            "priority": 1 + i % 5,
            "due_date": (NOW + timedelta(days=i % 90 - 30)).date(),
            "status": status,
            "line_id": ids.line if status == "planned" else None,
            "queue_rank": (i + 1) * 1024 if status == "planned" else None,
            "created_at": NOW - timedelta(minutes=i),
            "version": 1,
        }
        for i, n in enumerate(numbers)
    ]
    return [
        int(x)
        for x in conn.scalars(insert(ProductionOrder).returning(ProductionOrder.id, sort_by_parameter_order=True), rows)
    ]


def _batches(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    return [int(x) for x in conn.scalars(insert(Batch).returning(Batch.id, sort_by_parameter_order=True), rows)]


def _move(kind: str, batch: int, qty: Decimal, when: datetime, *, source: int | None = None,
          target: int | None = None, order: int | None = None) -> dict[str, Any]:  # fmt: skip
    return {"batch_id": batch, "kind": kind, "quantity": qty, "from_warehouse_id": source, "to_warehouse_id": target,
            "production_order_id": order, "user_id": None, "created_at": when, "note": None}  # fmt: skip


def _genealogy(conn: Connection, ids: _Ids) -> str:
    """The chain from one raw batch to 1,000 deliveries, in bulk, the ledger keeping the balances."""
    when = NOW
    raw = _batches(conn, [{"number": "RAW-1", "material_id": ids.ldpe, "supplier_id": ids.supplier, "received_at": when,
                           "status": "approved", "version": 1}])[0]  # fmt: skip
    conn.execute(insert(StockMovement), [_move("receipt", raw, Decimal(100_000), when, target=ids.store)])
    frontier, source = [raw], ids.store
    order_numbers: list[int] = []
    for step, fan in enumerate(FAN_OUT, start=1):
        when += timedelta(days=1)
        product = ids.film if step == 1 else ids.printed
        material = ids.film_material if step == 1 else ids.printed_material
        orders = _orders(conn, ids, [f"S{step}-{i:05d}" for i in range(len(frontier))], product, "done")
        moves = [
            _move("consumption", b, Decimal(10), when, source=source, order=o)
            for b, o in zip(frontier, orders, strict=True)
        ]
        conn.execute(insert(StockMovement), moves)
        made = _batches(
            conn,
            [{"number": f"S{step}-{i:05d}-{k:02d}", "material_id": material, "production_order_id": o,
              "received_at": when, "status": "approved", "version": 1}
             for i, o in enumerate(orders) for k in range(fan)],
        )  # fmt: skip
        makers = [o for o in orders for _k in range(fan)]
        conn.execute(insert(StockMovement), [_move("output", b, Decimal(100), when, target=ids.finished, order=o)
                                             for b, o in zip(made, makers, strict=True)])  # fmt: skip
        frontier, source, order_numbers = made, ids.finished, makers
    when += timedelta(days=1)
    customers = dict(conn.execute(select(ProductionOrder.id, ProductionOrder.customer_id)).all())
    deliveries = [
        {"number": f"D-B-{i:05d}", "customer_id": customers[o], "production_order_id": o,
         "delivered_at": when + timedelta(minutes=i), "user_id": None}
        for i, o in enumerate(o for o in order_numbers for _k in range(DELIVERIES_PER_BATCH))
    ]  # fmt: skip
    delivery_ids = [
        int(x) for x in conn.scalars(insert(Delivery).returning(Delivery.id, sort_by_parameter_order=True), deliveries)
    ]
    batches = [b for b in frontier for _k in range(DELIVERIES_PER_BATCH)]
    movements = [
        int(x)
        for x in conn.scalars(
            insert(StockMovement).returning(StockMovement.id, sort_by_parameter_order=True),
            [_move("delivery", b, Decimal(1), when, source=ids.finished, order=d["production_order_id"])
             for b, d in zip(batches, deliveries, strict=True)],
        )
    ]  # fmt: skip
    conn.execute(
        insert(DeliveryLine),
        [{"delivery_id": d, "movement_id": m, "batch_id": b, "quantity": Decimal(1)}
         for d, m, b in zip(delivery_ids, movements, batches, strict=True)],
    )  # fmt: skip
    return "RAW-1"


def _noise(conn: Connection, ids: _Ids) -> None:
    """100,000 orders in every status and 20,000 batches no trace passes through."""
    statuses = ("new", "planned", "done", "cancelled", "done")
    for k, status in enumerate(statuses):
        count = ORDERS // len(statuses)
        _orders(conn, ids, [f"N-{k}-{i:06d}" for i in range(count)], ids.film, status)
    others = _batches(
        conn,
        [{"number": f"X-{i:06d}", "material_id": ids.ldpe, "supplier_id": ids.supplier, "received_at": NOW,
          "status": "approved", "version": 1} for i in range(OTHER_BATCHES)],
    )  # fmt: skip
    conn.execute(insert(StockMovement), [_move("receipt", b, Decimal(50), NOW, target=ids.store) for b in others])


@pytest.fixture
def big_plant(plant: Context) -> tuple[Context, str]:
    with plant.database.engine.begin() as conn, loading_history(conn):
        ids = _Ids(conn)
        raw = _genealogy(conn, ids)
        _noise(conn, ids)
    if not plant.database.is_sqlite:
        with plant.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return plant, raw


def test_forward_trace_through_four_steps_to_a_thousand_deliveries(
    big_plant: tuple[Context, str], backend: str
) -> None:
    ctx, raw = big_plant
    found = recall(ctx.reader(), number=raw)
    assert len(found.deliveries) == 1000 and max(d.steps for d in found.deliveries) == 4
    median, worst = measure(lambda: trace_batch(ctx.reader(), number=raw))
    report(f"trace of a raw batch, both ways, 4 steps to 1,000 deliveries ({backend})", median, "ms", "< 200 ms")
    report(f"  worst of 7 ({backend})", worst, "ms")
    median, worst = measure(lambda: recall(ctx.reader(), number=raw))
    report(f"recall: who got anything made from it, 1,000 deliveries ({backend})", median, "ms", "< 200 ms")


def test_the_list_of_every_order_over_100000_orders(big_plant: tuple[Context, str], backend: str) -> None:
    ctx, _raw = big_plant
    total = ob.order_list(ctx.reader(), limit=1).total
    assert total > ORDERS
    cases: dict[str, tuple[q.OrderFilter | None, str | None, bool, int]] = {
        "first page, by due date": (None, None, False, 0),
        "a page in the middle": (None, None, False, total // 2),
        "the last page": (None, None, False, total - 200),
        "by delivered, most first": (None, "delivered", True, 0),
        "done orders of one customer": (q.OrderFilter(status="done", customer="C-002"), "number", False, 0),
        "late only": (q.OrderFilter(late_only=True), None, False, 0),
        "text 'S4-0009'": (q.OrderFilter(text="S4-0009"), None, False, 0),
        "due in one week": (q.OrderFilter(due_from=in_days(0), due_to=in_days(7)), "due_date", False, 0),
    }
    for label, (flt, sort, descending, offset) in cases.items():
        median, worst = measure(
            lambda flt=flt, sort=sort, descending=descending, offset=offset: ob.order_list(
                ctx.reader(), flt, sort=sort, descending=descending, offset=offset, limit=200
            ),
            repeat=5,
        )
        report(f"orders list over {total:,} orders, {label} ({backend})", median, "ms")
