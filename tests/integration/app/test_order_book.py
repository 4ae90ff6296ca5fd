"""The order book: every order in one list, filtered and sorted in SQL, and an order's whole story."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from app import order_book as ob
from app import queries as q
from app import services as s
from app.context import Context
from app.errors import ValidationError
from tests.conftest import in_days
from tests.helpers import order, plan


@pytest.fixture
def book(plant: Context) -> Context:
    """Orders in every status, for two customers and three products, one of them past its due date."""
    order(plant, "N-1", due=3)
    order(plant, "N-2", unit="m", due=20)
    order(plant, "P-1", due=5)
    plan(plant, "P-1")
    order(plant, "R-1", due=8)
    plan(plant, "R-1", line="EXTRUDER-2")
    s.start_order(plant.uow(), number="R-1")
    order(plant, "D-1", due=2)
    plan(plant, "D-1")
    s.start_order(plant.uow(), number="D-1")
    s.finish_order(plant.uow(), number="D-1")
    order(plant, "C-1", product="PE-60", due=9)
    s.cancel_order(plant.uow(), number="C-1", reason="Customer withdrew")
    s.create_order(plant.uow(), customer="C-002", product="BAGS", quantity=5000, due_date=in_days(1), number="B-1")
    with plant.database.engine.begin() as conn:  # an order that was due yesterday, still open
        conn.execute(text("UPDATE production_orders SET due_date = :d WHERE number = 'N-1'"), {"d": in_days(-1)})
    return plant


def numbers(ctx: Context, flt: q.OrderFilter | None = None, **kwargs: object) -> list[str]:
    return [r.number for r in ob.order_list(ctx.reader(), flt, limit=100, **kwargs).rows]  # type: ignore[arg-type]


def test_every_order_in_one_list_filtered_in_sql(book: Context) -> None:
    assert sorted(numbers(book)) == ["B-1", "C-1", "D-1", "N-1", "N-2", "P-1", "R-1"]
    assert numbers(book, q.OrderFilter(status="done")) == ["D-1"]
    assert numbers(book, q.OrderFilter(status="cancelled")) == ["C-1"]
    assert numbers(book, q.OrderFilter(customer="C-002")) == ["B-1"]
    assert numbers(book, q.OrderFilter(product="PE-60")) == ["C-1"]
    assert sorted(numbers(book, q.OrderFilter(line="EXTRUDER-1"))) == ["D-1", "P-1"]
    assert numbers(book, q.OrderFilter(due_from=in_days(8), due_to=in_days(9))) == ["R-1", "C-1"]
    assert numbers(book, q.OrderFilter(late_only=True)) == ["N-1"]
    assert numbers(book, q.OrderFilter(text="bags")) == ["B-1"]  # the product's name
    assert numbers(book, q.OrderFilter(text="Северная")) == ["B-1"]  # the customer's
    late = next(r for r in ob.order_list(book.reader()).rows if r.number == "N-1")
    assert late.late and late.status == "new"
    with pytest.raises(ValidationError, match="due dates end before they start"):
        ob.order_list(book.reader(), q.OrderFilter(due_from=in_days(3), due_to=in_days(1)))


def test_every_declared_sort_key_sorts_and_pages(book: Context) -> None:
    for key in ob.ORDER_LIST_SORTS:
        for descending in (False, True):
            rows = ob.order_list(book.reader(), sort=key, descending=descending, limit=100).rows
            assert len(rows) == 7, key
    by_due = numbers(book, sort="due_date")
    assert by_due[0] == "N-1" and by_due[-1] == "N-2"
    assert numbers(book, sort="due_date", descending=True) == list(reversed(by_due))
    pages = [
        r.number
        for offset in range(0, 7, 3)
        for r in ob.order_list(book.reader(), sort="number", offset=offset, limit=3).rows
    ]
    assert pages == sorted(pages) and len(pages) == 7
    with pytest.raises(ValidationError, match="Cannot sort by"):
        ob.order_list(book.reader(), sort="secret")


def test_an_orders_story_runs_from_created_to_delivered(plant: Context) -> None:
    s.receive_batch(plant.uow(), number="R-7", material="LDPE", supplier="BASELL", quantity=900, warehouse="MAG-3")
    s.approve_batch(plant.uow(), batch="R-7")
    order(plant, "PO-7", quantity=600)
    plan(plant, "PO-7", line="EXTRUDER-2")
    s.move_order(plant.uow(), number="PO-7", line="EXTRUDER-1")
    s.start_order(plant.uow(), number="PO-7")
    s.consume_batch(plant.uow(), order="PO-7", batch="R-7", warehouse="MAG-3", quantity="610")
    out = s.record_output(plant.uow(), order="PO-7", material="FILM-PE-50", quantity="590", warehouse="MAG-6")
    s.finish_order(plant.uow(), number="PO-7")
    s.approve_batch(plant.uow(), batch=out)
    sent = s.deliver(plant.uow(), order="PO-7", lines=[s.DeliveryItem(out, "MAG-6", "590")])
    story = ob.order_story(plant.reader(), "PO-7")
    assert [e.action for e in story.entries] == [
        "created", "planned", "moved", "started", "consumed", "output", "finished", "approved", "delivered"
    ]  # fmt: skip
    assert [(b.batch_number, str(b.quantity)) for b in story.inputs] == [("R-7", "610.000")]
    assert [(b.batch_number, b.status) for b in story.outputs] == [(out, "approved")]
    assert [(d.number, str(d.quantity)) for d in story.deliveries] == [(sent, "590.000")]
    assert str(story.order.delivered) == "590.000" and story.order.status == "done"
    times = [e.occurred_at for e in story.entries]
    assert times == sorted(times) and times[-1] - times[0] < timedelta(minutes=5)
