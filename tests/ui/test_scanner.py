"""A barcode scanner typing into the client (ui/scanner.py, app/scan.py): a scan opens what it names from any
screen, never lands in the field that had the keyboard, and an unknown code is said to be unknown."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest

from app import queries as q
from app.context import Context
from app.permissions import Role
from app.scan import find_scanned, read_label
from tests.ui.conftest import open_window, save_screenshot, show_tab
from ui.ops import Ops
from ui.scanner import ScannerFilter

KEYS = {"-": Qt.Key.Key_Minus, ".": Qt.Key.Key_Period, "/": Qt.Key.Key_Slash, "|": Qt.Key.Key_Bar}


def scan(window: Any, code: str) -> None:
    """Keystrokes 10 ms apart into the window, then Enter, as a scanner types."""
    ticks = iter(i * 0.01 for i in range(10_000))
    window.scanner.clock = lambda: next(ticks)
    handle = window.windowHandle()
    for ch in code:
        key = KEYS.get(ch, Qt.Key(ord(ch.upper())))
        modifier = Qt.KeyboardModifier.ShiftModifier if ch.isupper() or ch == "|" else Qt.KeyboardModifier.NoModifier
        QTest.sendKeyEvent(QTest.KeyAction.Click, handle, key, ch, modifier)
    QTest.keyClick(handle, Qt.Key.Key_Return)


def test_a_scanned_label_opens_the_batch_page_and_leaves_the_filter_alone(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.CLERK]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 3)  # the journal, its search box holding the keyboard
    window.activateWindow()
    window.events.focus_search()
    window.events.search.setText("received")
    window.events.apply_filter()
    qtbot.waitUntil(lambda: window.events.search.hasFocus() and not window.ops.busy, timeout=5_000)
    batch = q.batches(ctx.reader(), limit=1).rows[0]
    scan(window, f"MPS1|{batch.number}|{batch.material_code}")  # the label's QR code
    qtbot.waitUntil(lambda: batch.number in window.pages and window.pages[batch.number].page is not None)
    assert window.events.search.text() == "received"  # the scan did not stay in the filter
    assert window.events.model.filter.text == "received"
    assert f"Scanned batch {batch.number}" in window.statusBar().currentMessage()
    save_screenshot(window.pages[batch.number], "scanned-batch-page")


def test_a_scanned_order_number_shows_the_order_on_the_board(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_window(qtbot, ops, ctx)
    window.activateWindow()
    planned = q.orders(ctx.reader(), q.OrderFilter(status="planned"), limit=1).rows[0]
    scan(window, planned.number)
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.board, timeout=10_000)
    qtbot.waitUntil(lambda: window.board.selected is not None and window.board.selected.number == planned.number)


def test_a_scan_the_plant_does_not_know_says_so(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    window.activateWindow()
    scan(window, "NOPE-4711")
    qtbot.waitUntil(lambda: "NOPE-4711" in window.statusBar().currentMessage() and not window.ops.busy)
    assert window.statusBar().currentMessage() == "The plant has no batch or order “NOPE-4711”."
    assert window.pages == {}


def test_what_a_code_names(demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.VIEWER]
    batch = q.batches(ctx.reader(), limit=1).rows[0]
    assert read_label(f"MPS1|{batch.number}|{batch.material_code}") == ("batch", batch.number)
    assert read_label(" PO-2026-00001 ") == (None, "PO-2026-00001")
    found = find_scanned(ctx.reader(), batch.number.lower())  # caps lock off on the scanner
    assert found is not None and (found.entity, found.key) == ("batch", batch.number)
    assert find_scanned(ctx.reader(), "MPS1|NOPE|X") is None


def test_people_typing_is_not_a_scan() -> None:
    times = iter([0.0, 0.3, 0.6, 0.9, 1.2, 1.5])
    scanner = ScannerFilter(clock=lambda: next(times))
    seen: list[str] = []
    scanner.scanned.connect(seen.append)
    for ch in "B123":
        scanner.eventFilter(scanner, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, ch))
    scanner.eventFilter(scanner, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier))
    assert seen == []
