"""The dashboard (ui/dashboard.py): a manager's first screen, real figures from the demo plant, a click on
a figure or an alert opens what is behind it, and the figures follow the plant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt

from app import dashboard as d
from app import queries as q
from app import services as s
from app.context import Context
from app.permissions import Role
from domain.vocabulary import AlertKind, BatchStatus, LineState
from tests.ui.conftest import SCREENS, open_window, save_screenshot, show_tab, wait_loaded
from ui.ops import Ops
from ui.panels import RowsDialog

DASHBOARD_TAB = SCREENS.index("dashboard")


def dashboard_ready(qtbot: Any, window: Any) -> None:
    qtbot.waitUntil(
        lambda: window.dashboard.loaded_once and window.feed.alerts.total > 0 and not window.ops.busy, timeout=15_000
    )


def click_alert(qtbot: Any, window: Any, row: int) -> None:
    alerts = window.dashboard.alert_list
    alerts.scrollToItem(alerts.item(row))
    rect = alerts.visualItemRect(alerts.item(row))
    qtbot.mouseClick(alerts.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_a_manager_starts_on_the_dashboard_with_the_plants_figures(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.MANAGER]
    window = open_window(qtbot, ops, ctx)
    assert window.current() is window.dashboard and window.tabs.currentIndex() == DASHBOARD_TAB
    dashboard_ready(qtbot, window)
    board = d.dashboard(ctx)
    tiles = window.dashboard.tiles
    running = board.lines.count(LineState.RUNNING)
    assert tiles["lines"].figure.text() == f"{running} of {len(board.lines.lines)}"
    assert tiles["late"].figure.text() == str(len(board.lines.late))
    assert tiles["below"].figure.text() == str(len(board.materials.below)) == "2"
    assert tiles["release"].figure.text() == str(len(board.batches.pending))
    assert tiles["expiring"].figure.text() == str(len(board.batches.expiring))
    assert window.dashboard.lines_table.rowCount() == 10
    stopped = [
        window.dashboard.lines_table.item(r, 0).text()
        for r in range(10)
        if window.dashboard.lines_table.item(r, 1).text() == "stopped"
    ]
    assert stopped == ["EXTRUDER-2", "SLITTER-1"]
    assert window.feed.alerts.total == board.alerts().total
    assert window.alert_count.isVisible() and window.alert_count.text() == f"⚠ {board.alerts().total} alerts"
    assert set(window.dashboard.output_charts) == {ln.code for ln in board.output.lines}
    window.dashboard.layout().activate()
    save_screenshot(window, "dashboard-manager")
    save_screenshot(window.dashboard.content, "dashboard-manager-whole")


def test_other_roles_start_where_they_left_off_and_see_the_alert_count_everywhere(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.CLERK])
    assert window.current() is window.inventory
    qtbot.waitUntil(lambda: window.feed.alerts.total > 0, timeout=15_000)
    for index in range(3):
        show_tab(qtbot, window, index)
        assert window.alert_count.isVisible() and "alerts" in window.alert_count.text()
    window.alert_count.click()
    assert window.current() is window.dashboard
    dashboard_ready(qtbot, window)
    save_screenshot(window, "dashboard-clerk")


def test_one_click_on_an_alert_opens_its_subject(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    dashboard_ready(qtbot, window)
    items = window.dashboard.alert_items
    first = items[0]
    assert first.kind is AlertKind.LINE_STOPPED and first.key == "EXTRUDER-2"
    click_alert(qtbot, window, 0)
    assert window.current() is window.board
    wait_loaded(qtbot, window)
    assert "STOPPED since" in window.board.queue_titles["EXTRUDER-2"].text()
    save_screenshot(window, "dashboard-alert-opens-the-line")

    show_tab(qtbot, window, DASHBOARD_TAB)
    expired = next(i for i, a in enumerate(items) if getattr(a, "kind", None) is AlertKind.EXPIRED_IN_STOCK)
    click_alert(qtbot, window, expired)  # a batch opens on its own page
    number = items[expired].key
    qtbot.waitUntil(lambda: number in window.pages and window.pages[number].page is not None, timeout=15_000)
    assert window.pages[number].isVisible() and window.pages[number].title.text() == number
    window.pages[number].close()

    show_tab(qtbot, window, DASHBOARD_TAB)
    short = next(i for i, a in enumerate(items) if getattr(a, "kind", None) is AlertKind.BELOW_REORDER)
    click_alert(qtbot, window, short)
    assert window.current() is window.inventory
    wait_loaded(qtbot, window)
    assert window.inventory.search.text() == "MB-ANTISTAT"
    assert {window.inventory.model.row_at(r).material_code for r in range(window.inventory.model.rowCount())} == {
        "MB-ANTISTAT"
    }

    show_tab(qtbot, window, DASHBOARD_TAB)
    empty = next(i for i, a in enumerate(items) if getattr(a, "kind", None) is AlertKind.OUT_OF_STOCK)
    click_alert(qtbot, window, empty)
    wait_loaded(qtbot, window)
    row = window.inventory.model.row_at(0)  # a material with no stock is still a material: it shows at zero
    assert window.inventory.model.total == 1 and row is not None
    assert (row.material_code, row.quantity) == ("CORE-152", 0)


def test_each_figure_opens_the_rows_behind_it(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.MANAGER]
    window = open_window(qtbot, ops, ctx)
    dashboard_ready(qtbot, window)
    board = d.dashboard(ctx)
    tiles = window.dashboard.tiles

    qtbot.mouseClick(tiles["release"], Qt.MouseButton.LeftButton)
    assert window.current() is window.batches
    wait_loaded(qtbot, window)
    assert window.batches.status.currentData() == BatchStatus.PENDING
    assert window.batches.model.total == len(board.batches.pending)

    show_tab(qtbot, window, DASHBOARD_TAB)
    qtbot.mouseClick(tiles["expiring"], Qt.MouseButton.LeftButton)
    wait_loaded(qtbot, window)
    assert window.batches.model.total == len(board.batches.expiring)
    save_screenshot(window, "dashboard-expiring-batches")

    show_tab(qtbot, window, DASHBOARD_TAB)
    qtbot.mouseClick(tiles["on_hold"], Qt.MouseButton.LeftButton)
    wait_loaded(qtbot, window)
    assert window.batches.model.total == sum(b.batches for b in board.batches.blocked)

    show_tab(qtbot, window, DASHBOARD_TAB)
    qtbot.mouseClick(tiles["late"], Qt.MouseButton.LeftButton)
    dialog = window.dashboard.rows_dialog
    assert isinstance(dialog, RowsDialog) and dialog.table.rowCount() == len(board.lines.late)
    save_screenshot(dialog, "dashboard-late-orders")
    dialog.close()

    qtbot.mouseClick(tiles["below"], Qt.MouseButton.LeftButton)
    dialog = window.dashboard.rows_dialog
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == ["CORE-152", "MB-ANTISTAT"]
    dialog.close()

    qtbot.mouseClick(tiles["on_time"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.dashboard.rows_dialog is not dialog, timeout=10_000)
    assert window.dashboard.rows_dialog.table.rowCount() == board.on_time.finished
    window.dashboard.rows_dialog.close()

    qtbot.mouseClick(tiles["availability"], Qt.MouseButton.LeftButton)
    assert window.current() is window.line_stops
    wait_loaded(qtbot, window)
    week = q.line_stops(ctx.reader(), q.LineStopFilter(since=datetime.now(UTC) - timedelta(days=7))).total
    assert window.line_stops.model.total == week > 0
    save_screenshot(window, "dashboard-line-stops-of-the-week")

    show_tab(qtbot, window, DASHBOARD_TAB)
    chart = window.dashboard.output_charts["UV-LINE-1"]
    qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(60, 60))
    qtbot.waitUntil(
        lambda: window.dashboard.rows_dialog.windowTitle().startswith("Output of UV-LINE-1"), timeout=10_000
    )
    assert window.dashboard.rows_dialog.table.rowCount() == len(d.output_behind(ctx, "UV-LINE-1")) > 0


def test_the_figures_follow_the_plant_and_only_what_changed_is_read(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    dashboard_ready(qtbot, window)
    read: list[frozenset[str]] = []
    real = d.read_sections

    def spying(ctx: Context, names: Any, now: Any = None, limits: Any = None) -> Any:
        read.append(frozenset(names))
        return real(ctx, names, now, limits)

    monkeypatch.setattr(d, "read_sections", spying)
    before = window.feed.alerts.total
    clerk = demo_contexts[Role.CLERK]
    # Another window of this workstation records that PRINT-LINE-1 stopped two hours ago; the file's
    # change feed tells this window which tables were written.
    s.record_stop(
        clerk.uow(),
        line="PRINT-LINE-1",
        reason="BREAKDOWN",
        started_at=datetime.now(UTC) - timedelta(hours=2),
        note="anilox roller",
    )
    row = [ln.code for ln in window.dashboard.lines_now].index("PRINT-LINE-1")
    qtbot.waitUntil(lambda: window.dashboard.lines_table.item(row, 1).text() == "stopped", timeout=5_000)
    qtbot.waitUntil(lambda: window.feed.alerts.total == before + 1, timeout=5_000)
    assert read and set().union(*read) == {"lines", "availability", "journal"}
    assert "anilox roller" in window.dashboard.lines_table.item(row, 2).text()


def test_hidden_the_dashboard_keeps_only_the_alerts_current(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    dashboard_ready(qtbot, window)
    show_tab(qtbot, window, 3)
    assert not window.feed.visible
    window.feed.follow(frozenset({"events", "stock_balances"}))
    assert window.feed._stale == {"journal"}
    show_tab(qtbot, window, DASHBOARD_TAB)
    assert window.feed.visible and not window.feed._stale


def test_the_board_marks_a_stopped_lines_header_and_running_order(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.PLANNER])
    show_tab(qtbot, window, 2)
    title = window.board.queue_titles["EXTRUDER-2"].text()
    assert "STOPPED since" in title and "breakdown" in title
    model = window.board.queues["EXTRUDER-2"]
    running = next(r for r in range(model.rowCount()) if model.order_at(r).status == "in_progress")
    assert "LINE STOPPED" in model.data(model.index(running))
    assert window.board.queue_panels["EXTRUDER-2"].property("stopped") is True
    assert window.board.queue_panels["EXTRUDER-1"].property("stopped") is not True
    window.board.show_record("line", "EXTRUDER-2")
    qtbot.wait(300)  # the queues' panels laid out and painted
    save_screenshot(window, "board-stopped-line")
