"""The plant's codes in the pickers and filters, following the database while the window is open.

`LiveLookups` holds the latest codes and reads them again when the main window hears of a write
to warehouses, materials, suppliers, lines or customers (from this window, another one, another
workstation or psql). Every picker and filter built on it refills itself in place, keeping what
the user has typed or chosen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from app.context import Context
from app.lookups import LOOKUP_TABLES, Lookups, lookups
from ui.ops import Ops

log = logging.getLogger(__name__)
Codes = Callable[[Lookups], tuple[str, ...]]
Offer = str | Codes  # a table ("materials": code — name), or a function picking codes


def offered(found: Lookups, offer: Offer) -> list[tuple[str, str]]:
    """(code, "code — name") for each code a picker or filter offers; without a table, codes alone."""
    if callable(offer):
        return [(code, code) for code in offer(found)]
    return [(code, named(code, found.name(offer, code))) for code in found.codes(offer)]


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


SEPARATOR = " — "


def named(code: str, name: str) -> str:
    """How a picker shows a code: 'GR-LDPE-FT5230 — LDPE film granulate FT5230'."""
    return f"{code}{SEPARATOR}{name}" if name else code


class CodePicker(QComboBox):
    """An editable list of "code — name" that follows the database: pick with the mouse, or type any part of a
    code or name and choose from what matches, or type or scan a code."""

    def __init__(
        self, lookups: LiveLookups, table: Offer, current: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.lookups, self.table = lookups, table
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(40)  # "GR-LDPE-FT5230 — LDPE granulate FT5230" whole, at any size
        self._fill()
        self.setCurrentIndex(-1)
        if current:
            self.set_code(current)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        edit = self.lineEdit()
        assert edit is not None  # editable
        edit.setPlaceholderText(QCoreApplication.translate("CodePicker", "type part of a code or name…"))
        edit.editingFinished.connect(self._settle)
        lookups.changed.connect(self.refill)

    def _settle(self) -> None:
        """A code typed or scanned in full shows as its entry, with its name, once the user moves on."""
        code = self.code()
        if self.findData(code) >= 0 and self.currentText() != self.itemText(self.findData(code)):
            self.set_code(code)
        edit = self.lineEdit()
        if edit is not None and not edit.hasFocus():
            edit.setCursorPosition(0)

    def _fill(self) -> None:
        for code, text in offered(self.lookups.current, self.table):
            self.addItem(text, code)

    def code(self) -> str:
        """The code chosen or typed: an entry's code, or what was typed, matched to a code regardless of case."""
        text = self.currentText().strip()
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            return str(self.itemData(index))
        typed = text.split(SEPARATOR, 1)[0].strip()
        codes = {code.casefold(): code for code, _text in offered(self.lookups.current, self.table)}
        return codes.get(typed.casefold(), typed)

    def set_code(self, code: str) -> None:
        """Show `code` as its entry ("code — name"), or as typed when the plant does not know it."""
        index = self.findData(code)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setCurrentText(code)
        edit = self.lineEdit()
        if edit is not None:
            edit.setCursorPosition(0)  # a long name is cut at its end, never its code at the start

    def refill(self) -> None:
        """The codes as they are now; what the user typed or picked stays."""
        text = self.currentText()
        self.blockSignals(True)
        try:
            self.clear()
            self._fill()
            self.setCurrentIndex(-1)
            self.setCurrentText(text)
        finally:
            self.blockSignals(False)


class CodeFilter(QComboBox):
    """A filter's choice of "code — name", "all" first, that follows the database and keeps the user's choice."""

    def __init__(self, lookups: LiveLookups, table: Offer, everything: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lookups, self.table, self.everything = lookups, table, everything
        # The closed box stays narrow in a filter bar; the open list is as wide as its names.
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(14)
        self._fill()
        lookups.changed.connect(self.refill)

    def _fill(self) -> None:
        self.addItem(self.everything, None)
        for code, text in offered(self.lookups.current, self.table):
            self.addItem(text, code)
        self.view().setMinimumWidth(self.view().sizeHintForColumn(0) + 24)

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
