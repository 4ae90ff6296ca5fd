"""The Inventory screen (ui/inventory.py): stock per material and warehouse, and the batches behind a row."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTableWidget

from app.context import Context
from app.permissions import Role
from tests.ui.conftest import open_window, save_screenshot, show_tab
from ui.inventory import BatchesBehindDialog
from ui.ops import Ops


def test_inventory_drill_down(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    show_tab(qtbot, window, 0)  # a manager starts on the dashboard
    row = window.inventory.model.row_at(0)
    assert row is not None
    window.inventory.show_batches(row)
    qtbot.waitUntil(lambda: window.inventory.findChild(BatchesBehindDialog) is not None, timeout=10_000)
    drill = window.inventory.findChild(BatchesBehindDialog)
    table = drill.findChild(QTableWidget, "batchesBehind")
    assert table.rowCount() == row.batch_count
    save_screenshot(drill, "inventory-batches-behind")
