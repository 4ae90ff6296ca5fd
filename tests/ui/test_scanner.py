"""A barcode scanner typing into the main window (ui/scanner.py)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app import queries as q
from app.context import Context
from app.permissions import Role
from tests.ui.conftest import open_window
from ui.ops import Ops
from ui.scanner import ScannerFilter


def test_scanner_opens_the_scanned_batch(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.CLERK]
    window = open_window(qtbot, ops, ctx)
    number = q.batches(ctx.reader(), limit=1).rows[0].number
    ticks = iter(i * 0.01 for i in range(1000))
    window.scanner.clock = lambda: next(ticks)  # a scanner types a key every 10 ms
    from PySide6.QtTest import QTest

    handle = window.windowHandle()
    keys = {"-": Qt.Key.Key_Minus, ".": Qt.Key.Key_Period, "/": Qt.Key.Key_Slash}
    for ch in number:  # as a scanner types: into the window, one key at a time
        QTest.keyClick(handle, keys.get(ch, Qt.Key(ord(ch.upper()))))
    QTest.keyClick(handle, Qt.Key.Key_Return)
    assert window.tabs.currentWidget() is window.batches
    qtbot.waitUntil(lambda: window.batches.model.rowCount() == 1 and not ops.busy, timeout=10_000)
    assert window.batches.model.row_at(0).number == number
    assert window.batches.search.text().upper() == number


def test_people_typing_is_not_a_scan() -> None:
    times = iter([0.0, 0.3, 0.6, 0.9, 1.2, 1.5])
    scanner = ScannerFilter(clock=lambda: next(times))
    seen: list[str] = []
    scanner.scanned.connect(seen.append)
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    for ch in "B123":
        scanner.eventFilter(scanner, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, ch))
    scanner.eventFilter(scanner, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier))
    assert seen == []
