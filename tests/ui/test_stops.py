"""Line stops in the client (ui/stops.py): the floor's forms, the Line stops screen, the admin's reasons."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime

from app import queries as q
from app.context import Context
from app.permissions import Role
from tests.ui.conftest import SCREENS, open_window, save_screenshot, show_tab, wait_loaded
from ui.ops import Ops
from ui.stops import EndStopDialog, StopDialog

STOPS_TAB = SCREENS.index("line-stops")


def set_moment(edit: Any, moment: datetime) -> None:
    edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(moment.timestamp())))


def test_a_clerk_records_a_stop_and_says_when_the_line_runs_again(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.CLERK]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, STOPS_TAB)
    screen = window.line_stops
    assert screen.model.total == q.line_stops(ctx.reader()).total > 500
    dialog = window.stops.record("PRINT-LINE-1")
    qtbot.addWidget(dialog)
    assert isinstance(dialog, StopDialog) and dialog.line.currentText() == "PRINT-LINE-1"
    dialog.reason.setCurrentIndex(dialog.reason.findData("FILM-BREAK"))
    set_moment(dialog.started, datetime.now().astimezone() + timedelta(hours=2))
    assert not dialog.ok.isEnabled() and "ahead" in dialog.ok.toolTip()  # still stopped since a moment ahead
    set_moment(dialog.started, datetime.now().astimezone() - timedelta(minutes=40))
    dialog.note.setText("web broke at the unwinder")
    assert dialog.ok.isEnabled()
    save_screenshot(dialog, "form-line-stopped")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    wait_loaded(qtbot, window)

    def new_row() -> int | None:
        rows = [screen.model.row_at(r) for r in range(min(screen.model.rowCount(), 10))]
        found = [
            i for i, r in enumerate(rows) if r is not None and r.line_code == "PRINT-LINE-1" and r.ended_at is None
        ]
        return found[0] if found else None

    qtbot.waitUntil(lambda: new_row() is not None)
    index = new_row()
    assert index is not None
    row = screen.model.row_at(index)
    assert row is not None and row.reason_name == "film break"

    # A second open stop on the same line is refused, and the form keeps what was typed.
    again = window.stops.record("PRINT-LINE-1")
    qtbot.addWidget(again)
    again.reason.setCurrentIndex(again.reason.findData("CLEANING"))
    again.ok.click()
    qtbot.waitUntil(lambda: again.error.isVisible(), timeout=10_000)
    assert "PRINT-LINE-1 has been stopped since" in again.error.text()
    assert again.isVisible() and again.reason.currentData() == "CLEANING"
    save_screenshot(again, "form-line-stopped-refused")
    again.reject()

    screen.table.selectRow(index)
    window.tabs.setCurrentIndex(STOPS_TAB)
    ended = window.stops.end_selected()
    qtbot.addWidget(ended)
    assert isinstance(ended, EndStopDialog)
    save_screenshot(ended, "form-line-running-again")
    with qtbot.waitSignal(ended.succeeded, timeout=10_000):
        ended.ok.click()
    stop = q.line_stops(ctx.reader(), q.LineStopFilter(stop_id=row.id)).rows[0]
    assert stop.ended_at is not None
    qtbot.waitUntil(lambda: new_row() is None)
    save_screenshot(window, "line-stops-screen")


def test_a_viewer_reads_the_stops_and_may_not_record_one(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    show_tab(qtbot, window, STOPS_TAB)
    action = window.actions_by_name["record_stop"]
    assert not action.isEnabled() and action.toolTip() == "Only a clerk or above may record line stops."
    window.line_stops.open_only.setChecked(True)
    window.line_stops.apply_filter()
    wait_loaded(qtbot, window)
    assert [window.line_stops.model.row_at(r).line_code for r in range(window.line_stops.model.rowCount())] == [
        "SLITTER-1",
        "EXTRUDER-2",
    ]


def test_the_journal_opens_a_stop(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    stop = q.line_stops(demo_contexts[Role.VIEWER].reader(), q.LineStopFilter(open_only=True)).rows[0]
    window.open_record("line_stop", str(stop.id))
    assert window.current() is window.line_stops
    wait_loaded(qtbot, window)
    assert window.line_stops.model.total == 1 and window.line_stops.unpin.isVisible()
    window.line_stops.unpin.click()
    wait_loaded(qtbot, window)
    assert window.line_stops.model.total > 1


def test_the_admin_keeps_the_stop_reasons(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.ADMIN]
    window = open_window(qtbot, ops, ctx)
    dialog = window.open_stop_reasons()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == len(q.stop_reasons(ctx.reader(), archived=None)))
    codes = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert {"BREAKDOWN", "FILM-BREAK", "POWER"} <= set(codes)
    dialog._form(None)
    form = dialog.form_dialog
    form.code.setText("web-wrap")
    form.name.setText("web wrapped round a roller")
    with qtbot.waitSignal(form.succeeded, timeout=10_000):
        form.ok.click()
    qtbot.waitUntil(lambda: "WEB-WRAP" in [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())])
    qtbot.waitUntil(lambda: ("WEB-WRAP", "web wrapped round a roller") in window.lookups.current.stop_reasons)
    row = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())].index("POWER")
    dialog.table.selectRow(row)
    dialog.archive_button.click()
    qtbot.waitUntil(lambda: "POWER" not in [code for code, _n in window.lookups.current.stop_reasons])
    save_screenshot(dialog, "stop-reasons")
    assert window.actions_by_name["stop_reasons"].property("allowed")
