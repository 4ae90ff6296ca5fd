"""Brings committed changes from the listener thread to the GUI thread, a few at a time."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal

from app import live
from app.context import Context


class LiveUpdates(QObject):
    """Emits `changed` with the set of written tables ("*": anything), at most every COALESCE_MS."""

    changed = Signal(object)  # frozenset[str]
    connection = Signal(bool, str)  # up, and why not
    _arrived = Signal(object)  # from the listener thread; queued into the GUI thread
    _state = Signal(bool, str)

    COALESCE_MS = 150  # a burst of writes becomes one refresh, well inside the one-second promise
    MIN_GAP_MS = 700  # and under a steady stream, at most about one refresh a second per window

    def __init__(self, ctx: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tables: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.COALESCE_MS)
        self._timer.timeout.connect(self._flush)
        self._clock = QElapsedTimer()
        self._arrived.connect(self._collect)
        self._state.connect(self.connection)
        self._stop: Callable[[], None] | None = live.subscribe(
            ctx.database,
            lambda changes: self._arrived.emit(frozenset(c.table for c in changes)),
            lambda up, why: self._state.emit(up, why),
        )

    def _collect(self, tables: frozenset[str]) -> None:
        if self._stop is None:
            return  # stopped: a notice already on its way is dropped
        self._tables |= tables
        if not self._timer.isActive():
            since = self._clock.elapsed() if self._clock.isValid() else self.MIN_GAP_MS
            self._timer.start(max(self.COALESCE_MS, self.MIN_GAP_MS - since))

    def _flush(self) -> None:
        tables, self._tables = frozenset(self._tables), set()
        if tables:
            self._clock.start()
            self.changed.emit(tables)

    def stop(self) -> None:
        self._timer.stop()
        self._tables.clear()
        if self._stop is not None:
            stop, self._stop = self._stop, None
            stop()
