"""The Batches screen (ui/batches.py): quality decisions and the genealogy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from app import queries as q
from app.context import Context
from app.permissions import Role
from tests.ui.conftest import open_window, save_screenshot, show_tab, wait_loaded
from ui.ops import Ops


def test_block_and_approve_from_the_batches_screen(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.MANAGER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 1)
    window.batches.search.setText("R2611")
    window.batches.status.setCurrentIndex(window.batches.status.findData("pending"))
    window.batches.apply_filter()
    wait_loaded(qtbot, window)
    window.batches.table.selectRow(0)
    batch = window.batches.current_row()
    assert batch is not None and batch.status == "pending"
    dialog = window.batches.block_batch()
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    dialog.reason.setText("Colour deviation")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    assert q.batches(ctx.reader(), q.BatchFilter(text=batch.number)).rows[0].status == "blocked"


def test_trace_dialog_shows_the_genealogy(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.VIEWER]
    with ctx.database.engine.connect() as conn:
        number = conn.execute(
            text("SELECT number FROM batches WHERE production_order_id IS NOT NULL ORDER BY number LIMIT 1")
        ).scalar_one()
    window = open_window(qtbot, ops, ctx)
    window.batches.trace(number)
    qtbot.waitUntil(lambda: hasattr(window.batches, "trace_dialog"), timeout=10_000)
    labels = window.batches.trace_dialog.labels()
    assert labels[0] == "Where it came from" and any(label.startswith("Order PO-") for label in labels)
    assert any(label.startswith("Supplier ") for label in labels)
    save_screenshot(window.batches.trace_dialog, "trace")
