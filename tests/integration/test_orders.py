"""Production orders, the planning queue, running orders and genealogy, on both backends."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, insert, select, text

from app import queries as q
from app import services as s
from app.context import Context
from app.errors import ConflictError, PermissionDenied, ValidationError
from app.permissions import Role
from data.models import Customer, ProductionLine, ProductionOrder
from data.rules import loading_history
from tests.conftest import in_days, snapshot
from tests.helpers import ledger_mismatches, queue_numbers, queue_problems


def order(
    ctx: Context,
    number: str,
    *,
    quantity: Any = 1000,
    unit: str = "kg",
    priority: int = 3,
    due: int = 10,
    spec: str = "PE 50 µm natural",
) -> int:
    return s.create_order(
        ctx.uow(),
        number=number,
        customer="C-001",
        product_spec=spec,
        quantity=quantity,
        unit=unit,
        priority=priority,
        due_date=in_days(due),
    )


def plan(ctx: Context, number: str, line: str = "EXTRUDER-1", position: int | None = None) -> int:
    return s.plan_order(ctx.uow(), number=number, line=line, position=position)


def test_order_numbers_are_generated_and_validated(plant: Context) -> None:
    oid = s.create_order(
        plant.uow(), customer="C-001", product_spec="PE 50", quantity="1200.5", unit="kg", due_date=in_days(3)
    )
    page = q.orders(plant.reader())
    assert page.total == 1 and page.rows[0].id == oid
    assert page.rows[0].number == f"PO-{datetime.now().year}-00001"
    before = snapshot(plant.database)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"due_date": in_days(-1)}, "lies in the past"),
        ({"quantity": 0}, "must not be zero"),
        ({"unit": "pcs", "quantity": "1.5"}, "whole numbers"),
        ({"unit": "tonnes"}, "not one of"),
        ({"priority": 9}, "between 1 and 5"),
        ({"customer": "C-404"}, "no customer"),
        ({"product_spec": ""}, "required"),
        ({"product_spec": "x" * 201}, "too long"),
        ({"number": f"PO-{datetime.now().year}-00001"}, "already exists"),
    ]
    for override, message in bad:
        args: dict[str, Any] = {
            "customer": "C-001",
            "product_spec": "PE",
            "quantity": 10,
            "unit": "kg",
            "due_date": in_days(3),
        }
        args.update(override)
        with pytest.raises(ValidationError, match=message):
            s.create_order(plant.uow(), **args)
    assert snapshot(plant.database) == before


def test_edit_order_with_stale_version_is_refused(plant: Context, people: dict[Role, Context]) -> None:
    order(plant, "PO-1")
    version = q.orders(plant.reader()).rows[0].version
    s.edit_order(
        people[Role.PLANNER].uow(),
        number="PO-1",
        customer="C-002",
        product_spec="PE 60",
        quantity=900,
        unit="kg",
        priority=2,
        due_date=in_days(4),
        expected_version=version,
    )
    row = q.orders(plant.reader()).rows[0]
    assert (row.customer_code, row.product_spec, row.quantity, row.priority) == (
        "C-002",
        "PE 60",
        Decimal("900.000"),
        2,
    )
    with pytest.raises(ConflictError, match="changed by planner1"):
        s.edit_order(
            plant.uow(),
            number="PO-1",
            customer="C-001",
            product_spec="PE 70",
            quantity=900,
            unit="kg",
            priority=2,
            due_date=in_days(4),
            expected_version=version,
        )
    with pytest.raises(PermissionDenied, match="Only a planner or above"):
        order(people[Role.CLERK], "PO-2")


def test_plan_move_and_unplan_keep_positions_dense(plant: Context) -> None:
    for n in range(1, 6):
        order(plant, f"PO-{n}")
    for n in range(1, 5):
        plan(plant, f"PO-{n}")
    assert queue_numbers(plant.database, "EXTRUDER-1") == ["PO-1", "PO-2", "PO-3", "PO-4"]
    assert plan(plant, "PO-5", position=2) == 2
    assert queue_numbers(plant.database, "EXTRUDER-1") == ["PO-1", "PO-5", "PO-2", "PO-3", "PO-4"]
    assert s.move_order(plant.uow(), number="PO-1", line="EXTRUDER-1", position=5) == 5
    assert queue_numbers(plant.database, "EXTRUDER-1") == ["PO-5", "PO-2", "PO-3", "PO-4", "PO-1"]
    assert s.move_order(plant.uow(), number="PO-3", line="EXTRUDER-2", position=99) == 1
    assert queue_numbers(plant.database, "EXTRUDER-2") == ["PO-3"]
    s.unplan_order(plant.uow(), number="PO-2")
    assert queue_numbers(plant.database, "EXTRUDER-1") == ["PO-5", "PO-4", "PO-1"]
    assert [r.number for r in q.backlog(plant.reader()).rows] == ["PO-2"]
    queue = q.line_queues(plant.reader(), line="EXTRUDER-1")[0]
    assert [o.order.position for o in queue.orders] == [1, 2, 3]
    assert queue_problems(plant.database) == []


def test_planning_refusals(plant: Context, people: dict[Role, Context]) -> None:
    order(plant, "PO-1")
    order(plant, "PO-M", unit="m", quantity=5000)
    before = snapshot(plant.database)
    with pytest.raises(ValidationError, match="measured in m, but EXTRUDER-1 is rated in kg"):
        plan(plant, "PO-M")
    with pytest.raises(ValidationError, match="only planned orders"):
        s.unplan_order(plant.uow(), number="PO-1")
    with pytest.raises(ValidationError, match="new and cannot be planned|cannot be planned"):
        s.move_order(plant.uow(), number="PO-1", line="EXTRUDER-1", position=1)
    with pytest.raises(PermissionDenied):
        plan(people[Role.CLERK], "PO-1")
    with pytest.raises(ValidationError, match="between 1 and"):
        plan(plant, "PO-1", position=0)
    assert snapshot(plant.database) == before


def test_running_order_stays_first_and_one_per_line(plant: Context) -> None:
    for n in range(1, 4):
        order(plant, f"PO-{n}")
        plan(plant, f"PO-{n}")
    s.start_order(plant.uow(), number="PO-3")
    assert queue_numbers(plant.database, "EXTRUDER-1") == ["PO-3", "PO-1", "PO-2"]
    with pytest.raises(ValidationError, match="already running order PO-3"):
        s.start_order(plant.uow(), number="PO-1")
    assert s.move_order(plant.uow(), number="PO-2", line="EXTRUDER-1", position=1) == 2
    assert queue_numbers(plant.database, "EXTRUDER-1") == ["PO-3", "PO-2", "PO-1"]
    with pytest.raises(ValidationError, match="running on its line and cannot be moved"):
        s.move_order(plant.uow(), number="PO-3", line="EXTRUDER-2", position=1)
    s.finish_order(plant.uow(), number="PO-3")
    assert queue_numbers(plant.database, "EXTRUDER-1") == ["PO-2", "PO-1"]
    assert queue_problems(plant.database) == []


def test_optimise_orders_by_priority_due_date_and_groups_specs(plant: Context) -> None:
    specs = [
        ("PO-A", 3, 9, "PE 50"),
        ("PO-B", 1, 20, "PE 80 white"),
        ("PO-C", 3, 2, "PE 80 white"),
        ("PO-D", 3, 5, "PE 50"),
        ("PO-E", 3, 3, "HDPE 15"),
        ("PO-F", 1, 10, "PE 50"),
    ]
    for number, priority, due, spec in specs:
        order(plant, number, priority=priority, due=due, spec=spec)
        plan(plant, number)
    moved = s.optimise_line(plant.uow(), line="EXTRUDER-1")
    first = queue_numbers(plant.database, "EXTRUDER-1")
    # priority 1 first (by due date); within priority 3 the white-film group (earliest due 2),
    # then HDPE (3), then the PE 50 group (5, 9) back to back
    assert first == ["PO-F", "PO-B", "PO-C", "PO-E", "PO-D", "PO-A"]
    assert moved > 0
    with pytest.raises(ValidationError, match="already in the best order"):
        s.optimise_line(plant.uow(), line="EXTRUDER-1")
    # deterministic: shuffling and optimising again gives the same sequence
    s.move_order(plant.uow(), number="PO-A", line="EXTRUDER-1", position=1)
    s.move_order(plant.uow(), number="PO-C", line="EXTRUDER-1", position=6)
    s.optimise_line(plant.uow(), line="EXTRUDER-1")
    assert queue_numbers(plant.database, "EXTRUDER-1") == first


def test_schedule_estimates_and_flags_late_orders(plant: Context) -> None:
    order(plant, "PO-1", quantity=1000, due=1)  # 2 h at 500 kg/h
    order(plant, "PO-2", quantity=5000, due=0)  # 10 h more: ends tomorrow at the earliest if started late
    plan(plant, "PO-1")
    plan(plant, "PO-2")
    now = datetime.combine(in_days(0), datetime.min.time()).astimezone().replace(hour=20)
    queue = q.line_queues(plant.reader(), now=now, line="EXTRUDER-1")[0]
    first, second = queue.orders
    assert first.estimated_start == now and first.estimated_end == now + timedelta(hours=2)
    assert second.estimated_start == first.estimated_end
    assert second.estimated_end == now + timedelta(hours=12)
    assert (first.late, second.late) == (False, True)


def test_consumption_output_and_trace(plant: Context) -> None:
    s.receive_batch(
        plant.uow(),
        number="R-1",
        material="LDPE",
        supplier="BASELL",
        quantity=800,
        warehouse="MAG-1",
        expiry_date=in_days(300),
    )
    s.approve_batch(plant.uow(), batch="R-1")
    order(plant, "PO-1")
    plan(plant, "PO-1")
    with pytest.raises(ValidationError, match="running orders only"):
        s.consume_batch(plant.uow(), order="PO-1", batch="R-1", warehouse="MAG-1", quantity=1)
    s.start_order(plant.uow(), number="PO-1")
    s.consume_batch(plant.uow(), order="PO-1", batch="R-1", warehouse="MAG-1", quantity="500")
    out = s.record_output(plant.uow(), order="PO-1", material="FILM-PE-50", quantity="480.5", warehouse="MAG-6")
    assert out == "PO-1-001"
    s.finish_order(plant.uow(), number="PO-1")
    assert ledger_mismatches(plant.database) == []

    back, _ = s.trace_batch(plant.reader(), number=out)
    assert back.key == out
    (producer,) = back.children
    assert (producer.kind, producer.key) == ("order", "PO-1")
    (raw,) = producer.children
    assert (raw.kind, raw.key) == ("batch", "R-1")
    assert [(c.kind, c.key) for c in raw.children] == [("supplier", "BASELL")]

    _, forward = s.trace_batch(plant.reader(), number="R-1")
    (used_in,) = forward.children
    assert (used_in.kind, used_in.key) == ("order", "PO-1")
    (made,) = used_in.children
    assert made.key == out
    assert [(c.kind, c.key) for c in made.children] == [("customer", "C-001")]


def test_cancel_needs_manager_and_a_reason(plant: Context, people: dict[Role, Context]) -> None:
    order(plant, "PO-1")
    plan(plant, "PO-1")
    with pytest.raises(PermissionDenied, match="Only a manager"):
        s.cancel_order(people[Role.PLANNER].uow(), number="PO-1", reason="x")
    with pytest.raises(ValidationError, match="reason is required"):
        s.cancel_order(people[Role.MANAGER].uow(), number="PO-1", reason="")
    s.cancel_order(people[Role.MANAGER].uow(), number="PO-1", reason="Customer withdrew")
    assert queue_numbers(plant.database, "EXTRUDER-1") == []
    with pytest.raises(ValidationError, match="already cancelled"):
        s.cancel_order(people[Role.MANAGER].uow(), number="PO-1", reason="again")


def _bulk_queue(ctx: Context, count: int) -> None:
    """A line with `count` planned orders, inserted directly: the setup is not under test.

    Orders start new; inserting them planned is loading history, which the owner may do."""
    with ctx.database.engine.begin() as conn, loading_history(conn):
        line_id = conn.execute(select(ProductionLine.id).where(ProductionLine.code == "EXTRUDER-1")).scalar_one()
        customer_id = conn.execute(select(Customer.id).where(Customer.code == "C-001")).scalar_one()
        now = datetime.now(timezone.utc)
        conn.execute(
            insert(ProductionOrder),
            [
                {
                    "number": f"Q-{i:05d}",
                    "customer_id": customer_id,
                    "product_spec": "PE",
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
