"""The dashboard's figures and its alert rules, on hand-made rows whose answers are worked out here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain import alerts, kpi
from domain.schedule import Downtime
from domain.vocabulary import AlertKind, Severity

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def test_availability_is_the_share_of_the_window_not_stopped() -> None:
    # A week is 168 h. Stops: 10 h inside, 6 h of which overlap another report of the same stop
    # (4 h more), one that began before the window (2 h inside it), and one still open for 3 h.
    stops = [
        Downtime(ago(100), ago(90)),  # 10 h
        Downtime(ago(96), ago(86)),  # overlaps the first from -96 to -90: adds 4 h
        Downtime(ago(170), ago(166)),  # 2 of its 4 h fall inside the week
        Downtime(ago(3)),  # open: 3 h up to now
        Downtime(ago(400), ago(300)),  # long before: nothing
    ]
    stopped = 10 + 4 + 2 + 3
    assert kpi.availability(stops, NOW - WEEK, NOW) == 1 - stopped / 168
    assert kpi.availability([], NOW - WEEK, NOW) == 1.0
    assert kpi.availability([Downtime(ago(500))], NOW - WEEK, NOW) == 0.0


def test_output_by_day_and_capacity() -> None:
    days = kpi.last_days(date(2026, 3, 10), 3)
    assert days == (date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10))
    rows = [
        (date(2026, 3, 8), Decimal("100.5")),
        (date(2026, 3, 8), Decimal("20")),
        (date(2026, 3, 10), Decimal(7)),
        (date(2026, 3, 1), Decimal(999)),  # outside the days asked for
    ]
    assert kpi.by_day(rows, days) == (Decimal("120.5"), Decimal(0), Decimal(7))
    assert kpi.capacity_per_day(Decimal(450)) == Decimal(10800)
    assert kpi.share(Decimal(2700), Decimal(10800)) == 0.25
    assert kpi.share(Decimal(5), Decimal(0)) is None


def test_on_time_counts_orders_finished_by_their_due_day() -> None:
    finished = [
        (date(2026, 3, 1), date(2026, 3, 1)),  # on the due day: on time
        (date(2026, 3, 2), date(2026, 3, 5)),  # early
        (date(2026, 3, 9), date(2026, 3, 8)),  # a day late
    ]
    result = kpi.on_time(finished)
    assert (result.finished, result.on_time) == (3, 2)
    assert result.rate == 2 / 3
    assert kpi.on_time([]).rate is None


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    unit: str
    on_hand: Decimal
    reorder_level: Decimal


@dataclass(frozen=True)
class Held:
    number: str
    material_name: str
    since: datetime
    expiry_date: date | None = None


@dataclass(frozen=True)
class Late:
    number: str
    customer_name: str
    due_date: date


@dataclass(frozen=True)
class Stopped:
    line_code: str
    reason: str
    since: datetime


THRESHOLDS = alerts.Thresholds(line_stop=timedelta(minutes=30), pending=timedelta(hours=48))


def test_stock_rules_out_of_stock_and_below_reorder() -> None:
    found = alerts.stock_alerts(
        [
            Level("LDPE", "LDPE", "kg", Decimal(0), Decimal(1000)),  # nothing left: out of stock
            Level("INK", "Ink", "kg", Decimal(50), Decimal(150)),  # below
            Level("CORE", "Cores", "pcs", Decimal(2000), Decimal(2000)),  # at the level: fine
            Level("FILM", "Film", "kg", Decimal(0), Decimal(0)),  # no level kept: no alert
        ]
    )
    assert [(a.kind, a.key) for a in found] == [(AlertKind.OUT_OF_STOCK, "LDPE"), (AlertKind.BELOW_REORDER, "INK")]
    assert found[1].quantity == Decimal(50) and found[1].limit == Decimal(150) and found[1].unit == "kg"


def test_pending_line_and_order_rules_use_the_thresholds() -> None:
    pending = alerts.pending_alerts([Held("B1", "LDPE", ago(49)), Held("B2", "LDPE", ago(47))], NOW, THRESHOLDS)
    assert [a.key for a in pending] == ["B1"]
    lines = alerts.line_alerts(
        [Stopped("EXTRUDER-1", "breakdown", ago(0.6)), Stopped("SLITTER-1", "cleaning", ago(0.4))], NOW, THRESHOLDS
    )
    assert [(a.key, a.name) for a in lines] == [("EXTRUDER-1", "breakdown")]
    orders = alerts.order_alerts(
        [Late("PO-1", "Acme", date(2026, 3, 9)), Late("PO-2", "Acme", date(2026, 3, 12))], NOW.date()
    )
    assert [(a.kind, a.key) for a in orders] == [(AlertKind.ORDER_OVERDUE, "PO-1"), (AlertKind.ORDER_LATE, "PO-2")]


def test_the_list_puts_the_most_urgent_first() -> None:
    found = alerts.ranked(
        [
            *alerts.pending_alerts([Held("B1", "LDPE", ago(100))], NOW, THRESHOLDS),
            *alerts.order_alerts(
                [Late("PO-2", "Acme", date(2026, 3, 12)), Late("PO-1", "Acme", date(2026, 3, 11))], NOW.date()
            ),
            *alerts.expired_alerts([Held("B9", "Ink", ago(10)), Held("B8", "Ink", ago(30))]),
            *alerts.line_alerts([Stopped("EXTRUDER-1", "breakdown", ago(2))], NOW, THRESHOLDS),
        ]
    )
    assert [a.key for a in found] == ["EXTRUDER-1", "B8", "B9", "PO-1", "PO-2", "B1"]
    assert [a.severity for a in found] == [Severity.CRITICAL] * 3 + [Severity.WARNING] * 3
