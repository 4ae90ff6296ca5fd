"""The order lifecycle: created, edited, planned, moved, resequenced and cancelled, on both backends."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from app import queries as q
from app import services as s
from app.context import Context
from app.errors import ConflictError, PermissionDenied, ValidationError
from app.permissions import Role
from tests.conftest import in_days, snapshot
from tests.helpers import order, plan, queue_numbers, queue_problems


def test_order_numbers_are_generated_and_validated(plant: Context) -> None:
    oid = s.create_order(plant.uow(), customer="C-001", product="PE-50", quantity="1200.5", due_date=in_days(3))
    page = q.orders(plant.reader())
    assert page.total == 1 and page.rows[0].id == oid
    assert page.rows[0].number == f"PO-{datetime.now().year}-00001"
    before = snapshot(plant.database)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"due_date": in_days(-1)}, "lies in the past"),
        ({"quantity": 0}, "must not be zero"),
        ({"product": "BAGS", "quantity": "1.5"}, "whole numbers"),
        ({"unit": "m"}, "PE-50 is ordered in kg, not in m"),
        ({"unit": "tonnes"}, "not one of"),
        ({"priority": 9}, "between 1 and 5"),
        ({"customer": "C-404"}, "no customer"),
        ({"product": ""}, "required"),
        ({"product": "NOPE"}, "no product “NOPE”"),
        ({"note": "x" * 501}, "too long"),
        ({"number": f"PO-{datetime.now().year}-00001"}, "already exists"),
    ]
    for override, message in bad:
        args: dict[str, Any] = {
            "customer": "C-001",
            "product": "PE-50",
            "quantity": 10,
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
        product="PE-60",
        quantity=900,
        priority=2,
        due_date=in_days(4),
        note="second colour of the lid",
        expected_version=version,
    )
    row = q.orders(plant.reader()).rows[0]
    assert (row.customer_code, row.product_code, row.note, row.quantity, row.priority) == (
        "C-002",
        "PE-60",
        "second colour of the lid",
        Decimal("900.000"),
        2,
    )
    with pytest.raises(ConflictError, match="changed by planner1"):
        s.edit_order(
            plant.uow(),
            number="PO-1",
            customer="C-001",
            product="PE-50",
            quantity=900,
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
    with pytest.raises(ValidationError, match="makes PRINTED .* on printing lines; EXTRUDER-1 runs extrusion"):
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


def test_optimise_orders_by_priority_due_date_and_groups_products(plant: Context) -> None:
    orders = [
        ("PO-A", 3, 9, "PE-50"),
        ("PO-B", 1, 20, "PE-80-WH"),
        ("PO-C", 3, 2, "PE-80-WH"),
        ("PO-D", 3, 5, "PE-50"),
        ("PO-E", 3, 3, "HDPE-15"),
        ("PO-F", 1, 10, "PE-50"),
    ]
    for number, priority, due, product in orders:
        order(plant, number, priority=priority, due=due, product=product)
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
