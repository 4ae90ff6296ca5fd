"""The table screen every list is built on (ui/widgets.py): its order, its header, its export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from app.context import Context
from app.permissions import Role
from tests.ui.conftest import SCREENS, open_window, show_tab
from ui.ops import Ops


def test_each_table_opens_in_its_default_order_and_the_header_says_so(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    expected = {
        "inventory": ("material_code", False, lambda r: r.material_code),
        "batches": ("received_at", True, lambda r: r.received_at),
        "events": ("occurred_at", True, lambda r: r.occurred_at),
        "customers": ("name", False, lambda r: r.name),
        "orders": ("due_date", False, lambda r: r.due_date),
    }
    for index, name in enumerate(SCREENS):
        if name not in expected:
            continue
        show_tab(qtbot, window, index)
        screen = getattr(window, name)
        key, descending, value = expected[name]
        header = screen.table.horizontalHeader()
        assert screen.model.SORT_KEYS[screen.model.Columns(header.sortIndicatorSection())] == key, name
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        assert header.sortIndicatorOrder() == order, name
        values = [value(screen.model.row_at(row)) for row in range(min(50, screen.model.rowCount()))]
        assert len(values) > 10 and values == sorted(values, reverse=descending), name
    # Clicking the header sorts the other way round, in SQL.
    show_tab(qtbot, window, 0)
    window.inventory.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: not window.inventory.model.loading, timeout=10_000)
    codes = [window.inventory.model.row_at(row).material_code for row in range(20)]
    assert codes == sorted(codes, reverse=True)


def test_export_csv_writes_the_filtered_view(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], tmp_path: Path
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    show_tab(qtbot, window, 4)
    out = tmp_path / "customers.csv"
    counts: list[int] = []
    window.customers.export_csv(out, counts.append)
    qtbot.waitUntil(lambda: bool(counts), timeout=10_000)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Code,Name,Contact")
    assert len(lines) - 1 == counts[0] == window.customers.model.rowCount()
    assert any("ТОВ «Львівпак»" in line for line in lines)
