"""The dashboard's figures, kept current: what the screen shows and the status bar counts.

`DashboardFeed` holds the figures (app/dashboard.py) section by section. A write to a table
re-reads only the sections that read it, on a worker; the clocked sections are read again once
a minute. While the dashboard is not in front only the sections the alerts need are read, the
others when it is shown again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from app import dashboard as d
from app.context import Context
from app.formatting import day, quantity, span
from domain.alerts import Alert
from domain.vocabulary import AlertKind, Severity
from ui.ops import Ops, message_for

log = logging.getLogger(__name__)

ALERT_SECTIONS = frozenset({"lines", "materials", "batches"})  # what the alert rules read


def _tr(text: str) -> str:
    return QCoreApplication.translate("Dashboard", text)


# ---------------------------------------------------------------- the figures, kept current


class DashboardFeed(QObject):
    """The dashboard's sections, read again as the plant changes; `changed` names the sections that did."""

    changed = Signal(object)  # frozenset of section names whose figures are new
    alerts_changed = Signal()
    failed = Signal(str)
    CLOCK_MS = 60_000  # the clocked sections move with time alone

    def __init__(self, ctx: Context, ops: Ops, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.ops = ctx, ops
        self.parts: dict[str, Any] = {}
        self.read_at = datetime.now().astimezone()
        self.limits: d.Limits | None = None  # the plant's, read with each refresh
        self.alerts = d.AlertList((), 0)
        self.visible = False  # the dashboard is in front: every section is kept current
        self._wanted: set[str] = set()
        self._stale: set[str] = set()
        self._reading = False
        self._clock = QTimer(self)
        self._clock.setInterval(self.CLOCK_MS)
        self._clock.timeout.connect(lambda: self.request(s.name for s in d.SECTIONS if s.clocked))

    def start(self) -> None:
        """The first read of everything; from now on the feed follows the plant."""
        self._clock.start()
        self.request(d.SECTION_NAMES)

    def stop(self) -> None:
        self._clock.stop()
        self._wanted.clear()

    def follow(self, tables: frozenset[str]) -> None:
        """Someone wrote these tables ("*": any): read again the sections that read them."""
        self.request(d.touched(tables))

    def request(self, names: Iterable[str]) -> None:
        wanted = set(names)
        if not self.visible:
            self._stale |= wanted - ALERT_SECTIONS
            wanted &= ALERT_SECTIONS | (set(d.SECTION_NAMES) - set(self.parts))
        self._wanted |= wanted
        if self._wanted and not self._reading:
            self._read()

    def set_visible(self, visible: bool) -> None:
        self.visible = visible
        if visible and self._stale:
            stale, self._stale = self._stale, set()
            self.request(stale)

    def _read(self) -> None:
        names, self._wanted = frozenset(self._wanted), set()
        self._reading = True
        ctx, known, alerts = self.ctx, dict(self.parts), self.alerts

        def read() -> tuple[datetime, d.Limits, dict[str, Any], d.AlertList | None]:
            # On the worker, not the GUI thread: comparing thousands of rows and ranking the alerts takes a
            # while on a big plant. The sections are frozen, so reading the last ones from here is safe.
            now = datetime.now().astimezone()
            limits = d.plant_limits(ctx)
            fresh = d.read_sections(ctx, names, now, limits)
            changed = {name: part for name, part in fresh.items() if known.get(name) != part}
            merged = {**known, **fresh}
            ranked = None
            if names & ALERT_SECTIONS and set(merged) >= ALERT_SECTIONS:
                ranked = d.alert_list(now, limits, merged["lines"], merged["materials"], merged["batches"])
                ranked = None if ranked == alerts else ranked
            return now, limits, changed, ranked

        self.ops.run(read, self._arrived, self._failed)

    def _arrived(self, result: tuple[datetime, d.Limits, dict[str, Any], d.AlertList | None]) -> None:
        at, limits, changed, alerts = result
        self.read_at, self.limits = at, limits
        self.parts.update(changed)
        self._done()
        if changed:
            self.changed.emit(frozenset(changed))
        if alerts is not None:
            self.alerts = alerts
            self.alerts_changed.emit()

    def _failed(self, exc: Exception) -> None:
        log.info("the dashboard keeps its figures: %s", exc)
        self.failed.emit(message_for(exc))
        self._done()

    def _done(self) -> None:
        self._reading = False
        if self._wanted:
            self._read()

    @property
    def complete(self) -> bool:
        return all(name in self.parts for name in d.SECTION_NAMES)

    def dashboard(self) -> d.Dashboard | None:
        if not self.complete or self.limits is None:
            return None
        return d.assemble(self.read_at, self.limits, self.parts)


# ---------------------------------------------------------------- words


def alert_text(alert: Alert, now: datetime) -> str:
    """An alert in the user's language."""
    kind = alert.kind
    unit = alert.unit
    if kind is AlertKind.LINE_STOPPED:
        since = span(now - alert.since) if alert.since else ""
        return _tr("{0} stopped for {1} ({2})").format(alert.key, since, alert.name)
    if kind is AlertKind.OUT_OF_STOCK:
        limit = quantity(alert.limit, unit) if alert.limit is not None else ""
        return _tr("{0} {1}: none in stock (reorder at {2})").format(alert.key, alert.name, limit)
    if kind is AlertKind.BELOW_REORDER:
        have = quantity(alert.quantity, unit) if alert.quantity is not None else ""
        limit = quantity(alert.limit, unit) if alert.limit is not None else ""
        return _tr("{0} {1}: {2}, below {3}").format(alert.key, alert.name, have, limit)
    if kind is AlertKind.EXPIRED_IN_STOCK:
        return _tr("Batch {0} ({1}) expired on {2} and is still in stock").format(alert.key, alert.name, day(alert.day))
    if kind is AlertKind.PENDING_TOO_LONG:
        waited = span(now - alert.since) if alert.since else ""
        return _tr("Batch {0} ({1}) waiting for release for {2}").format(alert.key, alert.name, waited)
    if kind is AlertKind.ORDER_OVERDUE:
        return _tr("Order {0} ({1}) was due {2} and is not finished").format(alert.key, alert.name, day(alert.day))
    return _tr("Order {0} ({1}) will miss its due date {2}").format(alert.key, alert.name, day(alert.day))


def severity_name(severity: Severity) -> str:
    return QCoreApplication.translate("Severity", severity.label)
