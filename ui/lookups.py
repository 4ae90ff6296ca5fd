"""The plant's codes in the pickers and filters, following the database while the window is open.

`LiveLookups` holds the latest codes and reads them again when the main window hears of a write
to warehouses, materials, suppliers, lines or customers (from this window, another one, another
workstation or psql). Every picker and filter built on it refills itself in place, keeping what
the user has typed or chosen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QComboBox, QWidget

from app.context import Context
from app.lookups import LOOKUP_TABLES, Lookups, lookups
from ui.ops import Ops

log = logging.getLogger(__name__)
Codes = Callable[[Lookups], tuple[str, ...]]


class LiveLookups(QObject):
    changed = Signal()  # `current` holds different codes now

    def __init__(self, ctx: Context, ops: Ops, initial: Lookups, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.ops = ctx, ops
        self.current = initial
        self._reading = False
        self._again = False

    def follow(self, tables: frozenset[str]) -> None:
        """Read the codes again if these written tables ("*": any) may have changed them."""
        if "*" in tables or tables & LOOKUP_TABLES:
            self.refresh()

    def refresh(self) -> None:
        if self._reading:
            self._again = True  # one more read after this one, which may have started before the write
            return
        self._reading = True
        ctx = self.ctx
        self.ops.run(lambda: lookups(ctx.reader()), self._arrived, self._failed)

    def _arrived(self, fresh: Lookups) -> None:
        self._read_done()
        if fresh != self.current:
            self.current = fresh
            self.changed.emit()

    def _failed(self, exc: Exception) -> None:
        # The pickers keep the codes they have; the connection indicator already tells of an outage.
        log.info("the pickers keep their codes: %s", exc)
        self._read_done()

    def _read_done(self) -> None:
        self._reading = False
        if self._again:
            self._again = False
            self.refresh()


class CodePicker(QComboBox):
    """An editable list of codes that follows the database: pick with the mouse, or type or scan a code."""

    def __init__(
        self, lookups: LiveLookups, codes: Codes, current: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.lookups, self.codes = lookups, codes
        self.setEditable(True)
        self.addItems(list(codes(lookups.current)))
        self.setCurrentIndex(-1)
        if current:
            self.setCurrentText(current)
        edit = self.lineEdit()
        assert edit is not None  # editable
        edit.setPlaceholderText(QCoreApplication.translate("CodePicker", "type or pick…"))
        lookups.changed.connect(self.refill)

    def refill(self) -> None:
        """The codes as they are now; what the user typed or picked stays."""
        text = self.currentText()
        self.blockSignals(True)
        try:
            self.clear()
            self.addItems(list(self.codes(self.lookups.current)))
            self.setCurrentIndex(-1)
            self.setCurrentText(text)
        finally:
            self.blockSignals(False)


class CodeFilter(QComboBox):
    """A filter's choice of codes, "all" first, that follows the database and keeps the user's choice."""

    def __init__(self, lookups: LiveLookups, codes: Codes, everything: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lookups, self.codes, self.everything = lookups, codes, everything
        self._fill()
        lookups.changed.connect(self.refill)

    def _fill(self) -> None:
        self.addItem(self.everything, None)
        for code in self.codes(self.lookups.current):
            self.addItem(code, code)

    def refill(self) -> None:
        chosen = self.currentData()
        self.blockSignals(True)
        try:
            self.clear()
            self._fill()
            index = self.findData(chosen) if chosen is not None else 0
            self.setCurrentIndex(max(index, 0))
        finally:
            self.blockSignals(False)
        if chosen is not None and self.currentData() is None:
            self.currentIndexChanged.emit(0)  # the chosen code is gone: the filter no longer applies
