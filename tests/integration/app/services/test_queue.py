"""A line's queue in the database: sparse ranks keep a move to one written row, however long the queue."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, select, text

from app import services as s
from app.context import Context
from data.models import Customer, Product, ProductionLine, ProductionOrder
from data.rules import loading_history
from tests.conftest import in_days
from tests.helpers import order, plan, queue_numbers, queue_problems


def _bulk_queue(ctx: Context, count: int) -> None:
    """A line with `count` planned orders, inserted directly: the setup is not under test.

    Orders start new; inserting them planned is loading history, which the owner may do."""
    with ctx.database.engine.begin() as conn, loading_history(conn):
        line_id = conn.execute(select(ProductionLine.id).where(ProductionLine.code == "EXTRUDER-1")).scalar_one()
        customer_id = conn.execute(select(Customer.id).where(Customer.code == "C-001")).scalar_one()
        product_id = conn.execute(select(Product.id).where(Product.code == "PE-50")).scalar_one()
        now = datetime.now(UTC)
        conn.execute(
            insert(ProductionOrder),
            [
                {
                    "number": f"Q-{i:05d}",
                    "customer_id": customer_id,
                    "product_id": product_id,
                    "quantity": Decimal(100),
                    "unit": "kg",
                    "priority": 3,
                    "due_date": in_days(30),
                    "status": "planned",
                    "line_id": line_id,
                    "queue_rank": i * (1 << 20),
                    "created_at": now,
                    "version": 1,
                }
                for i in range(1, count + 1)
            ],
        )


def test_moving_one_order_in_a_10000_queue_writes_a_bounded_number_of_rows(plant: Context) -> None:
    _bulk_queue(plant, 10_000)
    written: list[int] = []

    def count_rows(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("UPDATE PRODUCTION_ORDERS"):
            written.append(cursor.rowcount)

    event.listen(plant.database.engine, "after_cursor_execute", count_rows)
    try:
        assert s.move_order(plant.uow(), number="Q-10000", line="EXTRUDER-1", position=1) == 1
        assert sum(written) == 1
        written.clear()
        assert s.move_order(plant.uow(), number="Q-00001", line="EXTRUDER-1", position=5000) == 5000
        assert sum(written) == 1
        # squeeze 40 orders into one gap: ranks touch, a small window is respread, never the queue
        written.clear()
        for _ in range(40):
            s.move_order(plant.uow(), number="Q-00002", line="EXTRUDER-1", position=2)
            s.move_order(plant.uow(), number="Q-00003", line="EXTRUDER-1", position=2)
        assert max(written) <= 1
        assert sum(written) < 80 * 2 + 200
    finally:
        event.remove(plant.database.engine, "after_cursor_execute", count_rows)
    numbers = queue_numbers(plant.database, "EXTRUDER-1")
    assert len(numbers) == len(set(numbers)) == 10_000
    assert numbers[:4] == ["Q-10000", "Q-00003", "Q-00002", "Q-00004"]
    assert numbers[4999] == "Q-00001"
    assert queue_problems(plant.database) == []


def test_respread_when_ranks_touch(plant: Context) -> None:
    """Neighbours one rank apart force a respread; the order and uniqueness survive."""
    _bulk_queue(plant, 50)
    with plant.database.engine.begin() as conn:
        conn.execute(text("UPDATE production_orders SET queue_rank = 1000 + CAST(SUBSTR(number, 3) AS INTEGER)"))
    order(plant, "NEW-1")
    assert plan(plant, "NEW-1", position=10) == 10
    numbers = queue_numbers(plant.database, "EXTRUDER-1")
    assert numbers[8:11] == ["Q-00009", "NEW-1", "Q-00010"]
    assert len(numbers) == 51
    assert queue_problems(plant.database) == []
