"""The alert rules: what in the plant's figures needs someone now, most urgent first.

Each rule reads rows the dashboard's queries already return (anything with the attributes its
protocol names) and the plant's thresholds; `ranked` orders them into the one list the client
shows, counts in its status bar and prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from domain.vocabulary import AlertKind, Severity

_KIND_ORDER = {kind: i for i, kind in enumerate(AlertKind)}


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    key: str  # the code or number of its subject (a line, a material, a batch, an order)
    name: str  # what people call the subject
    since: datetime | None  # when it began to hold, where that is known
    quantity: Decimal | None = None  # a material's stock on hand
    limit: Decimal | None = None  # and its reorder level
    unit: str = ""
    day: date | None = None  # the day it is about: an order's due date, a batch's expiry

    @property
    def severity(self) -> Severity:
        return self.kind.severity

    @property
    def subject(self) -> str:
        return self.kind.subject


@dataclass(frozen=True)
class Thresholds:
    line_stop: timedelta  # an open stop longer than this
    pending: timedelta  # a batch waiting longer than this for its quality decision


class StockLevel(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def on_hand(self) -> Decimal: ...
    @property
    def reorder_level(self) -> Decimal: ...


class HeldBatch(Protocol):
    """A batch of interest: expired with stock left, or waiting for release."""

    @property
    def number(self) -> str: ...
    @property
    def material_name(self) -> str: ...
    @property
    def since(self) -> datetime: ...
    @property
    def expiry_date(self) -> date | None: ...


class LateOrder(Protocol):
    @property
    def number(self) -> str: ...
    @property
    def customer_name(self) -> str: ...
    @property
    def due_date(self) -> date: ...


class StoppedLine(Protocol):
    @property
    def line_code(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def since(self) -> datetime: ...


def stock_alerts(levels: Iterable[StockLevel]) -> list[Alert]:
    """Out of stock (nothing left of a material the plant keeps a level of), or below its reorder level."""
    found = []
    for m in levels:
        if m.reorder_level <= 0 or m.on_hand >= m.reorder_level:
            continue
        kind = AlertKind.OUT_OF_STOCK if m.on_hand <= 0 else AlertKind.BELOW_REORDER
        found.append(Alert(kind, m.code, m.name, None, m.on_hand, m.reorder_level, m.unit))
    return found


def expired_alerts(batches: Iterable[HeldBatch]) -> list[Alert]:
    """Expired stock still in a warehouse: it may not be used, and takes room."""
    return [Alert(AlertKind.EXPIRED_IN_STOCK, b.number, b.material_name, b.since, day=b.expiry_date) for b in batches]


def pending_alerts(batches: Iterable[HeldBatch], now: datetime, thresholds: Thresholds) -> list[Alert]:
    """Batches waiting for their quality decision longer than the plant allows."""
    return [
        Alert(AlertKind.PENDING_TOO_LONG, b.number, b.material_name, b.since)
        for b in batches
        if now - b.since > thresholds.pending
    ]


def order_alerts(orders: Iterable[LateOrder], today: date) -> list[Alert]:
    """Late by the queue's estimate; past its due date already when that day has gone."""
    found = []
    for o in orders:
        kind = AlertKind.ORDER_OVERDUE if o.due_date < today else AlertKind.ORDER_LATE
        found.append(Alert(kind, o.number, o.customer_name, None, day=o.due_date))
    return found


def line_alerts(stopped: Iterable[StoppedLine], now: datetime, thresholds: Thresholds) -> list[Alert]:
    """Lines standing still longer than the plant's threshold."""
    return [
        Alert(AlertKind.LINE_STOPPED, s.line_code, s.reason, s.since)
        for s in stopped
        if now - s.since > thresholds.line_stop
    ]


def ranked(alerts: Iterable[Alert]) -> tuple[Alert, ...]:
    """Most urgent first: by severity, then by rule, then the oldest (or the earliest due) first, then by subject."""

    def key(a: Alert) -> tuple[int, int, float, int, str]:
        since = a.since.timestamp() if a.since is not None else float("inf")
        due = a.day.toordinal() if a.day is not None else 0
        return (a.severity, _KIND_ORDER[a.kind], since, due, a.key)

    return tuple(sorted(alerts, key=key))
