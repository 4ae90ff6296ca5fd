"""The vocabulary's words and rules: what the database stores, what people read, what may happen next."""

from __future__ import annotations

from datetime import date

from domain.vocabulary import (
    ORDER_TRANSITIONS,
    BatchStatus,
    MovementKind,
    OrderStatus,
    Role,
    Unit,
    batch_usable,
)


def test_values_are_what_the_database_stores_and_labels_what_people_read() -> None:
    assert OrderStatus.IN_PROGRESS.value == "in_progress" and OrderStatus("in_progress") is OrderStatus.IN_PROGRESS
    assert str(OrderStatus.IN_PROGRESS) == "in_progress"  # what a driver sends to the database
    assert OrderStatus.IN_PROGRESS.label == "in progress"
    assert Unit.M2.label == "m²" and Unit.M2.value == "m2"
    assert Role.names() == ("viewer", "clerk", "planner", "manager", "admin")


def test_units_are_counted_as_finely_as_they_are_measured() -> None:
    assert {u: u.decimals for u in Unit} == {Unit.KG: 3, Unit.L: 3, Unit.M: 2, Unit.M2: 2, Unit.PCS: 0}


def test_what_each_order_status_allows() -> None:
    allowed = {
        s: (s.may_edit, s.may_plan, s.may_move, s.may_unplan, s.may_start, s.is_running, s.may_cancel)
        for s in OrderStatus
    }
    assert allowed == {
        OrderStatus.NEW: (True, True, False, False, False, False, True),
        OrderStatus.PLANNED: (True, True, True, True, True, False, True),
        OrderStatus.IN_PROGRESS: (False, False, False, False, False, True, True),
        OrderStatus.DONE: (False, False, False, False, False, False, False),
        OrderStatus.CANCELLED: (False, False, False, False, False, False, False),
    }
    # the predicates agree with the allowed steps
    for status in OrderStatus:
        assert status.may_start == status.may_become(OrderStatus.IN_PROGRESS)
        assert status.may_cancel == status.may_become(OrderStatus.CANCELLED)
        assert status.may_unplan == status.may_become(OrderStatus.NEW)
    assert all(not ORDER_TRANSITIONS[s] for s in OrderStatus if not s.is_open)


def test_only_approved_unexpired_stock_may_leave_or_go_into_a_machine() -> None:
    today = date(2026, 3, 1)
    assert batch_usable(BatchStatus.APPROVED, None, today)
    assert batch_usable(BatchStatus.APPROVED, today, today)
    assert not batch_usable(BatchStatus.APPROVED, date(2026, 2, 28), today)
    assert not batch_usable(BatchStatus.PENDING, None, today)
    assert not batch_usable(BatchStatus.BLOCKED, None, today)
    assert {k for k in MovementKind if k.needs_usable_batch} == {
        MovementKind.ISSUE,
        MovementKind.CONSUMPTION,
        MovementKind.DELIVERY,
    }
    assert {k for k in MovementKind if k.needs_order} == {
        MovementKind.CONSUMPTION,
        MovementKind.OUTPUT,
        MovementKind.DELIVERY,
    }


def test_an_order_is_overdue_after_its_due_day_and_due_soon_close_to_it() -> None:
    from datetime import date, timedelta

    from domain.vocabulary import DUE_SOON_DAYS, Urgency

    today = date(2026, 11, 24)
    assert Urgency.of_due(today - timedelta(days=1), today) is Urgency.OVERDUE
    assert Urgency.of_due(today, today) is Urgency.DUE_SOON
    assert Urgency.of_due(today + timedelta(days=DUE_SOON_DAYS), today) is Urgency.DUE_SOON
    assert Urgency.of_due(today + timedelta(days=DUE_SOON_DAYS + 1), today) is None
    assert [u.label for u in Urgency] == ["overdue", "due soon"]
