"""A barcode scanner that types like a keyboard: fast keystrokes ending in Enter are a scan.

A scan may arrive while any field has the keyboard, such as a screen's search box. Its characters are typed
there as they come (until the Enter nobody can tell a scan from a person); once the Enter shows it was a
scan, the field is put back as it was, so a scan never ends up in whatever filter had focus.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

SCAN_MAX_GAP = 0.05  # seconds between a scanner's keystrokes; people type slower
SCAN_MIN_LENGTH = 4


def _text_field(widget: QWidget | None) -> QWidget | None:
    """The widget that takes typed text for `widget`, if it takes any."""
    if isinstance(widget, QAbstractSpinBox):
        return widget.findChild(QLineEdit)
    if isinstance(widget, QComboBox) and widget.isEditable():
        return widget.lineEdit()
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        return widget
    return None


class _Before:
    """A text field as it was before a keystroke that may turn out to be a scan's first."""

    def __init__(self, widget: QWidget | None) -> None:
        self.widget = _text_field(widget)
        self.state: Any = None
        if isinstance(self.widget, QLineEdit):
            self.state = (self.widget.text(), self.widget.cursorPosition())
        elif isinstance(self.widget, QPlainTextEdit | QTextEdit):
            self.state = (self.widget.toPlainText(), self.widget.textCursor().position())

    def restore(self) -> None:
        widget, state = self.widget, self.state
        if state is None or widget is None:
            return
        text, position = state
        if isinstance(widget, QLineEdit):
            if widget.text() != text:
                widget.setText(text)
            widget.setCursorPosition(position)
        elif isinstance(widget, QPlainTextEdit | QTextEdit) and widget.toPlainText() != text:
            widget.setPlainText(text)
            cursor = widget.textCursor()
            cursor.setPosition(min(position, len(text)))
            widget.setTextCursor(cursor)


class ScannerFilter(QObject):
    """Recognises a barcode scanner acting as a keyboard: fast keystrokes ending in Enter."""

    scanned = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        clock: Callable[[], float] | None = None,
        windows: Callable[[], list[QWidget]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.windows = windows  # only keystrokes in these windows count; forms keep their own scans and Enter
        self.buffer = ""
        self.last = 0.0
        self.before = _Before(None)

    def _first_delivery(self, watched: QObject) -> bool:
        # A keystroke reaches the window's QWindow once, then the focused widget and, if that
        # ignores it, each parent in turn; counting at the QWindow sees every keystroke once.
        if self.windows is None:
            return True
        return isinstance(watched, QWindow) and any(watched is w.windowHandle() for w in self.windows())

    def _now(self, event: QKeyEvent) -> float:
        if self.clock is not None:
            return self.clock()
        # The keyboard's own time of the keystroke: a busy moment must not make typing look fast.
        stamp = event.timestamp()
        return stamp / 1000 if stamp else time.monotonic()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Collect fast printable keystrokes; Enter after enough of them is a scan."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not self._first_delivery(watched):
            return False
        now = self._now(event)
        if now - self.last > SCAN_MAX_GAP:
            self.buffer = ""
        self.last = now
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code, self.buffer = self.buffer, ""
            if len(code) >= SCAN_MIN_LENGTH:
                self.before.restore()
                self.scanned.emit(code)
                return True
            return False
        text = event.text()
        if text and text.isprintable():
            if not self.buffer:
                self.before = _Before(QApplication.focusWidget())
            self.buffer += text
        return False
