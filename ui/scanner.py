"""A barcode scanner that types like a keyboard: fast keystrokes ending in Enter are a scan."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtWidgets import QWidget

SCAN_MAX_GAP = 0.05  # seconds between a scanner's keystrokes; people type slower
SCAN_MIN_LENGTH = 4


class ScannerFilter(QObject):
    """Recognises a barcode scanner acting as a keyboard: fast keystrokes ending in Enter."""

    scanned = Signal(str)

    def __init__(
        self, parent: QObject | None = None, clock: Callable[[], float] = time.monotonic, scope: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.scope = scope  # only keystrokes in this window count; dialogs keep their own Enter
        self.buffer = ""
        self.last = 0.0

    def _first_delivery(self, watched: QObject) -> bool:
        # A keystroke reaches the window's QWindow once, then the focused widget and, if that
        # ignores it, each parent in turn; counting at the QWindow sees every keystroke once.
        if self.scope is None:
            return True
        return isinstance(watched, QWindow) and watched is self.scope.windowHandle()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Collect fast printable keystrokes; Enter after enough of them is a scan."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not self._first_delivery(watched):
            return False
        now = self.clock()
        if now - self.last > SCAN_MAX_GAP:
            self.buffer = ""
        self.last = now
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code, self.buffer = self.buffer, ""
            if len(code) >= SCAN_MIN_LENGTH:
                self.scanned.emit(code)
                return True
            return False
        text = event.text()
        if text and text.isprintable():
            self.buffer += text
        return False
