"""Deliveries to customers: the ledger, the journal, the refusals, and the database's own rules, on both backends."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app import order_book as ob
from app import queries as q
from app import services as s
from app.audit import audit
from app.context import Context
from app.errors import NotFound, PermissionDenied, ValidationError
from app.permissions import Role
from tests.conftest import snapshot
from tests.helpers import ledger_mismatches, order, plan


def made(ctx: Context, number: str = "PO-1", quantity: str = "500", finish: bool = True) -> list[str]:
    """An order of PE-50 that consumed a granulate batch and produced two approved film batches in MAG-6."""
    raw = f"R-{number}"
    s.receive_batch(ctx.uow(), number=raw, material="LDPE", supplier="BASELL", quantity=2000, warehouse="MAG-3")
    s.approve_batch(ctx.uow(), batch=raw)
    order(ctx, number, quantity=1000)
    plan(ctx, number)
    s.start_order(ctx.uow(), number=number)
    s.consume_batch(ctx.uow(), order=number, batch=raw, warehouse="MAG-3", quantity="1000")
    outputs = [
        s.record_output(ctx.uow(), order=number, material="FILM-PE-50", quantity=quantity, warehouse="MAG-6")
        for _ in range(2)
    ]
    for out in outputs:
        s.approve_batch(ctx.uow(), batch=out)
    if finish:
        s.finish_order(ctx.uow(), number=number)
    return outputs


def test_a_clerk_delivers_batches_in_one_journaled_transaction(plant: Context, people: dict[Role, Context]) -> None:
    first, second = made(plant)
    clerk = people[Role.CLERK]
    number = s.deliver(
        clerk.uow(),
        order="PO-1",
        lines=[s.DeliveryItem(first, "MAG-6", "500"), s.DeliveryItem(second, "MAG-6", "120.5")],
        note="Lorry WE 12345",
    )
    assert number.startswith("D-") and number.endswith("-00001")
    delivery, lines = ob.delivery_lines(plant.reader(), number)
    assert (delivery.customer_code, delivery.order_number, delivery.lines, delivery.quantity, delivery.username) == (
        "C-001",
        "PO-1",
        2,
        Decimal("620.500"),
        "clerk1",
    )
    assert [(line.batch_number, line.warehouse_code, line.quantity, line.made_by_order) for line in lines] == [
        (first, "MAG-6", Decimal("500.000"), "PO-1"),
        (second, "MAG-6", Decimal("120.500"), "PO-1"),
    ]
    row = ob.order_row(plant.reader(), "PO-1")
    assert (row.quantity, row.delivered) == (Decimal("1000.000"), Decimal("620.500"))
    with plant.database.engine.connect() as conn:
        moves = conn.execute(
            text("SELECT kind, from_warehouse_id IS NOT NULL, to_warehouse_id IS NULL FROM stock_movements "
                 "WHERE kind = 'delivery'")
        ).all()  # fmt: skip
    assert [tuple(m) for m in moves] == [("delivery", True, True)] * 2
    entries = q.events(plant.reader(), q.EventFilter(entity_type="delivery")).rows
    assert len(entries) == 1 and entries[0].username == "clerk1"
    assert f"Delivered {number} to Mleczarnia Łódź Sp. z o.o. (C-001) for order PO-1" in entries[0].summary
    assert ledger_mismatches(plant.database) == [] and audit(plant.database) == []
    # what is left may go later, also of a running order; every delivery numbers on
    assert [d.batch_number for d in ob.deliverable(plant.reader(), "PO-1")] == [second]
    again = s.deliver(clerk.uow(), order="PO-1", lines=[s.DeliveryItem(second, "MAG-6", "379.5")])
    assert again.endswith("-00002") and ob.deliverable(plant.reader(), "PO-1") == ()


def test_refused_deliveries_change_nothing(plant: Context, people: dict[Role, Context]) -> None:
    first, second = made(plant)
    s.block_batch(plant.uow(), batch=second, reason="Gels in the film")
    s.receive_batch(plant.uow(), number="F-9", material="FILM-PE-50", supplier="BASELL", quantity=50, warehouse="MAG-6")
    s.receive_batch(plant.uow(), number="INK-1", material="INK-CYAN", supplier="BASELL", quantity=5, warehouse="MAG-6")
    s.approve_batch(plant.uow(), batch="INK-1")
    order(plant, "PO-NEW")
    before = snapshot(plant.database)
    clerk = people[Role.CLERK]
    refusals: list[tuple[str, list[s.DeliveryItem], str]] = [
        ("PO-1", [], "at least one batch"),
        ("PO-1", [s.DeliveryItem(first, "MAG-6", "501")], f"{first} has only 500.000 kg in MAG-6"),
        ("PO-1", [s.DeliveryItem(first, "MAG-1", "1")], f"{first} has no stock in MAG-1"),
        ("PO-1", [s.DeliveryItem(second, "MAG-6", "1")], "blocked .*Gels in the film.*only approved batches"),
        ("PO-1", [s.DeliveryItem("F-9", "MAG-6", "1")], "F-9 is pending"),
        ("PO-1", [s.DeliveryItem("INK-1", "MAG-6", "1")], "INK-1 is Flexo ink cyan; .* delivers FILM-PE-50 only"),
        ("PO-1", [s.DeliveryItem(first, "MAG-6", "0")], "Line 1 .*must not be zero"),
        ("PO-1", [s.DeliveryItem("NOPE", "MAG-6", "1")], "no batch “NOPE”"),
        ("PO-NEW", [s.DeliveryItem(first, "MAG-6", "1")], "PO-NEW is new; only what a running or finished"),
        ("PO-404", [s.DeliveryItem(first, "MAG-6", "1")], "no production order “PO-404”"),
        # the second line fails after the first was written: the whole delivery rolls back
        ("PO-1", [s.DeliveryItem(first, "MAG-6", "100"), s.DeliveryItem(first, "MAG-6", "401")], "only 400.000 kg"),
    ]
    for number, lines, message in refusals:
        with pytest.raises((ValidationError, NotFound), match=message):
            s.deliver(clerk.uow(), order=number, lines=lines)
    with pytest.raises(PermissionDenied, match="Only a clerk or above may deliver to customers"):
        s.deliver(people[Role.VIEWER].uow(), order="PO-1", lines=[s.DeliveryItem(first, "MAG-6", "1")])
    s.set_customer_archived(people[Role.MANAGER].uow(), code="C-001", archived=True)
    archived = snapshot(plant.database)
    with pytest.raises(ValidationError, match="C-001 .* is archived; a manager restores it"):
        s.deliver(clerk.uow(), order="PO-1", lines=[s.DeliveryItem(first, "MAG-6", "1")])
    assert snapshot(plant.database) == archived
    assert {k: v for k, v in archived.items() if k not in ("customers", "events")} == {
        k: v for k, v in before.items() if k not in ("customers", "events")
    }


def test_a_delivery_goes_to_its_orders_customer_whatever_a_client_writes(plant: Context) -> None:
    (first, _second) = made(plant)
    number = s.deliver(plant.uow(), order="PO-1", lines=[s.DeliveryItem(first, "MAG-6", "1")])
    with pytest.raises(IntegrityError), plant.database.engine.begin() as conn:
        conn.execute(
            text("UPDATE deliveries SET customer_id = (SELECT id FROM customers WHERE code = 'C-002') "
                 "WHERE number = :n"),
            {"n": number},
        )  # fmt: skip
    with pytest.raises(IntegrityError), plant.database.engine.begin() as conn:
        # a movement of kind delivery always leaves a warehouse for an order
        conn.execute(
            text("INSERT INTO stock_movements (batch_id, kind, quantity, from_warehouse_id, created_at) "
                 "SELECT b.id, 'delivery', 1, w.id, CURRENT_TIMESTAMP FROM batches b, warehouses w "
                 "WHERE b.number = :b AND w.code = 'MAG-6'"),
            {"b": first},
        )  # fmt: skip


def test_deliveries_are_listed_by_customer_and_order(plant: Context) -> None:
    first, second = made(plant)
    s.deliver(plant.uow(), order="PO-1", lines=[s.DeliveryItem(first, "MAG-6", "100")])
    s.deliver(plant.uow(), order="PO-1", lines=[s.DeliveryItem(second, "MAG-6", "200")])
    page = ob.deliveries(plant.reader(), ob.DeliveryFilter(customer="C-001"))
    assert page.total == 2 and [d.quantity for d in page.rows] == [Decimal("200.000"), Decimal("100.000")]
    assert ob.deliveries(plant.reader(), ob.DeliveryFilter(customer="C-002")).total == 0
    assert ob.deliveries(plant.reader(), ob.DeliveryFilter(text="po-1")).total == 2
    for key in ob.DELIVERY_SORTS:
        for descending in (False, True):
            assert ob.deliveries(plant.reader(), sort=key, descending=descending).total == 2, key
