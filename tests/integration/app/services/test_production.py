"""Running orders: one per line at its head, consumption, output and the genealogy they make; the schedule."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from app import queries as q
from app import services as s
from app.context import Context
from app.errors import ValidationError
from tests.conftest import in_days
from tests.helpers import ledger_mismatches, order, plan, queue_numbers, queue_problems


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
    assert made.key == out and made.children == ()  # made, not yet delivered to anyone

    s.approve_batch(plant.uow(), batch=out)
    sent = s.deliver(plant.uow(), order="PO-1", lines=[s.DeliveryItem(out, "MAG-6", "200")])
    _, forward = s.trace_batch(plant.reader(), number="R-1")
    (delivery,) = forward.children[0].children[0].children
    assert (delivery.kind, delivery.key) == ("delivery", sent)
    assert [(c.kind, c.key) for c in delivery.children] == [("customer", "C-001")]

    # and how much went each way: 500 kg of R-1 into PO-1, 480.5 kg of film out of it
    assert (back.quantity, back.unit) == (Decimal("480.500"), "kg")
    assert (producer.quantity, raw.quantity, raw.unit) == (Decimal("480.500"), Decimal("500.000"), "kg")
    assert (forward.quantity, used_in.quantity, made.quantity) == (
        Decimal("800.000"),
        Decimal("500.000"),
        Decimal("480.500"),
    )


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
