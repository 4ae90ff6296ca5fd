"""The planning board's schedule (ui/schedule.py): lines along a time axis, bars dragged into the queue, undo."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent, QWheelEvent
from PySide6.QtTest import QTest
from sqlalchemy import text

from app.context import Context
from app.formatting import hours as hours_text
from app.permissions import Role
from tests.helpers import queue_numbers
from tests.ui.conftest import save_screenshot, show_tab, wait_loaded
from ui.ops import Ops
from ui.schedule import HEADER_W, ZOOMS, LoadItem, late_reason


def open_schedule(qtbot: Any, ops: Ops, ctx: Context) -> Any:
    from app.lookups import lookups
    from ui.main_window import MainWindow

    window = MainWindow(ctx, ops, lookups(ctx.reader()))
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    wait_loaded(qtbot, window)
    show_tab(qtbot, window, 2)
    board = window.board
    board.show_board_view(1)
    qtbot.waitUntil(lambda: bool(board.schedule.bars), timeout=10_000)
    return window


def point_of(view: Any, scene: QPointF) -> QPoint:
    return view.mapFromScene(scene)


def drag(view: Any, start: QPointF, end: QPointF, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
    """A press, a few moves and a release on the schedule, as a mouse makes them."""
    port = view.viewport()
    a, b = point_of(view, start), point_of(view, end)
    QTest.mousePress(port, Qt.MouseButton.LeftButton, modifier, a)
    for i in range(1, 6):
        QTest.mouseMove(port, a + (b - a) * i / 5)
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, modifier, b)


def journal_moves(ctx: Context, number: str) -> int:
    with ctx.database.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM events e JOIN production_orders o ON o.id = e.entity_id "
                    "WHERE e.entity_type = 'order' AND e.action IN ('moved', 'planned') AND o.number = :n"
                ),
                {"n": number},
            ).scalar_one()
        )


def test_every_line_on_one_screen_along_a_time_axis(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_schedule(qtbot, ops, demo_contexts[Role.PLANNER])
    schedule = window.board.schedule
    port = schedule.viewport().rect()
    assert len(schedule.codes) == 10
    for code in schedule.codes:  # every row inside the view, none scrolled away
        row = schedule.mapFromScene(schedule.row_rect(code)).boundingRect()
        assert port.contains(row.center()), code
    assert schedule.verticalScrollBar().maximum() == 0
    # a bar is as long as its estimated run
    bar = next(b for b in schedule.bars.values() if not b.item.overrun)
    hours = (bar.item.estimated_end - bar.item.estimated_start).total_seconds() / 3600
    assert abs(bar.rect.width() - max(3.0, hours * schedule.axis.px_per_hour)) < 0.5
    # the now marker, and the orders running past their estimate flagged
    assert schedule.now_line is not None
    overrunning = [b for b in schedule.bars.values() if b.item.overrun]
    assert overrunning and all(b.running and b.overrun_from is not None for b in overrunning)
    assert all("past its estimate" in b.tip() for b in overrunning)
    late = [b for b in schedule.bars.values() if b.item.late]
    assert late and all(late_reason(b.item) in b.tip() and late_reason(b.item) != "Late" for b in late)
    for b in overrunning:  # the order behind it starts from now
        row = schedule.row_bars[b.line_code]
        if len(row) > 1:
            assert abs(row[1].item.estimated_start - b.item.estimated_end).total_seconds() < 1
    # zoom from a shift to a week: the view's width spans that many hours
    for i, (_label, span_hours) in enumerate(ZOOMS):
        schedule.set_zoom(i)
        width = schedule.viewport().width() - HEADER_W
        assert abs(schedule.axis.px_per_hour * span_hours - width) < 1
    schedule.set_zoom(1)
    assert schedule.horizontalScrollBar().maximum() > 0  # the horizon is wider than a day
    wheel = QWheelEvent(QPointF(400, 300), QPointF(400, 300), QPoint(), QPoint(0, -120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    schedule.wheelEvent(wheel)  # Ctrl+wheel away: a wider span
    assert schedule.zoom == 2 and window.board.zoom_buttons.checkedId() == 2
    schedule.set_zoom(1)
    save_screenshot(window, "schedule-day")
    schedule.set_zoom(3)
    save_screenshot(window, "schedule-week")


def test_dragging_a_bar_along_its_line_is_a_queue_move_and_ctrl_z_takes_it_back(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_schedule(qtbot, ops, ctx)
    board, schedule = window.board, window.board.schedule
    schedule.set_zoom(3)
    code = next(c for c, bars in schedule.row_bars.items() if sum(b.movable for b in bars) >= 3)
    before = queue_numbers(ctx.database, code)
    movable = [b for b in schedule.row_bars[code] if b.movable]
    bar, target = movable[0], movable[2]
    moves = journal_moves(ctx, bar.order.number)
    schedule.show_order(bar.order.number)
    # drop it just past the middle of the bar two places on
    end = QPointF(target.rect.center().x() + 1, target.rect.center().y())
    with qtbot.waitSignal(board.message, timeout=10_000):
        drag(schedule, bar.rect.center(), end)
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    after = queue_numbers(ctx.database, code)
    assert after.index(bar.order.number) == after.index(target.order.number) + 1
    assert sorted(after) == sorted(before)
    assert [b.order.number for b in schedule.row_bars[code]] == after  # the bars re-flowed from the new order
    assert journal_moves(ctx, bar.order.number) == moves + 1
    save_screenshot(window, "schedule-after-a-move")

    # Ctrl+Z: back where it was, by another journaled queue move
    assert board.undo_stack.canUndo()
    schedule.setFocus()
    with qtbot.waitSignal(board.message, timeout=10_000):
        QTest.keyClick(schedule, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    assert queue_numbers(ctx.database, code) == before
    assert journal_moves(ctx, bar.order.number) == moves + 2


def test_a_bar_dragged_to_another_line_lights_the_lines_that_take_it(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_schedule(qtbot, ops, ctx)
    board, schedule = window.board, window.board.schedule
    pairs = [
        (a, b)
        for a in schedule.codes
        for b in schedule.codes
        if a != b and board.line_stages[a] == board.line_stages[b] and board.line_units[a] == board.line_units[b]
    ]
    source, other = next((a, b) for a, b in pairs if any(bar.movable for bar in schedule.row_bars[a]))
    bar = next(b for b in schedule.row_bars[source] if b.movable)
    schedule.show_order(bar.order.number)
    port = schedule.viewport()
    start = point_of(schedule, bar.rect.center())
    QTest.mousePress(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(port, start + QPoint(10, 10))
    QTest.mouseMove(port, start + QPoint(20, 20))
    assert schedule.dragging
    takes = {code for code in schedule.codes if schedule.lit[code].isVisible()}
    dimmed = {code for code in schedule.codes if schedule.dims[code].isVisible()}
    assert {source, other} <= takes and dimmed == set(schedule.codes) - takes
    assert all(board.line_stages[c] == board.line_stages[source] for c in takes)
    save_screenshot(window, "schedule-while-dragging")
    row = schedule.row_rect(other)
    end = point_of(schedule, QPointF(row.right() - 5, row.center().y()))
    QTest.mouseMove(port, end)
    with qtbot.waitSignal(board.message, timeout=10_000):
        QTest.mouseRelease(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    assert bar.order.number in queue_numbers(ctx.database, other)
    assert not any(schedule.lit[c].isVisible() or schedule.dims[c].isVisible() for c in schedule.codes)


def test_a_refused_drop_says_why_on_the_line(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_schedule(qtbot, ops, ctx)
    board, schedule = window.board, window.board.schedule
    bar = next(b for b in schedule.bars.values() if b.movable)
    wrong = next(c for c in schedule.codes if board.line_stages[c] != board.line_stages[bar.line_code])
    schedule.show_order(bar.order.number)
    row = schedule.row_rect(wrong)
    with qtbot.waitSignal(board.message, timeout=10_000):
        drag(schedule, bar.rect.center(), QPointF(row.center().x(), row.center().y()))
    qtbot.waitUntil(lambda: not ops.busy and wrong in schedule.notes, timeout=10_000)
    assert f"lines; {wrong} runs " in schedule.note_texts[wrong]
    assert bar.order.number not in queue_numbers(ctx.database, wrong)
    assert board.notes[wrong].text().endswith(schedule.note_texts[wrong])  # the queue view's panel says it too
    save_screenshot(window, "schedule-refused-drop")


def test_several_bars_picked_with_ctrl_move_together(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_schedule(qtbot, ops, ctx)
    board, schedule = window.board, window.board.schedule
    schedule.set_zoom(3)
    code = next(c for c, bars in schedule.row_bars.items() if sum(b.movable for b in bars) >= 4)
    before = queue_numbers(ctx.database, code)
    movable = [b for b in schedule.row_bars[code] if b.movable]
    first, second = movable[0], movable[1]
    schedule.show_order(first.order.number)
    port = schedule.viewport()
    QTest.mouseClick(
        port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point_of(schedule, first.rect.center())
    )
    QTest.mouseClick(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     point_of(schedule, second.rect.center()))  # fmt: skip
    assert {b.order.number for b in schedule.selected_bars()} == {first.order.number, second.order.number}
    row = schedule.row_rect(code)
    end = QPointF(row.right() - 5, first.rect.center().y())
    ahead = [
        b.order.number for b in schedule.row_bars[code] if b.rect.center().x() < end.x() and b not in (first, second)
    ]
    with qtbot.waitSignal(board.message, timeout=10_000):
        drag(schedule, first.rect.center(), end)
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    after = queue_numbers(ctx.database, code)
    at = after.index(first.order.number)
    assert after[at - 1 : at + 2] == [ahead[-1], first.order.number, second.order.number]
    save_screenshot(window, "schedule-two-moved-together")
    with qtbot.waitSignal(board.message, timeout=10_000):
        board.undo_stack.undo()
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    assert queue_numbers(ctx.database, code) == before


def test_each_line_shows_its_load_per_day_and_its_queued_hours(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_schedule(qtbot, ops, demo_contexts[Role.PLANNER])
    board, schedule = window.board, window.board.schedule
    loads = [i for i in schedule.scene().items() if isinstance(i, LoadItem)]
    assert len(loads) == sum(len(q.loads) for q in schedule.queues)
    expected = sorted((d.planned_hours, d.available_hours, d.overloaded) for q in schedule.queues for d in q.loads)
    assert sorted((i.planned, i.available, i.overloaded) for i in loads) == expected
    assert any(i.overloaded for i in loads), "the demo plant has an overloaded day"
    assert all(("overloaded" in i.toolTip()) == i.overloaded for i in loads)
    for queue in schedule.queues:  # the header and the queue view's title say the hours queued
        assert hours_text(queue.hours_queued) in schedule.headers[queue.line_code].summary()
        assert hours_text(queue.hours_queued) in board.queue_titles[queue.line_code].text()


def test_two_backlog_cards_dropped_on_a_row_are_planned_one_behind_the_other(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_schedule(qtbot, ops, ctx)
    board, schedule = window.board, window.board.schedule
    code = next(c for c in schedule.codes if len(schedule.row_bars[c]) >= 2)
    cards = [i for i in range(board.backlog.rowCount()) if board.line_takes(board.backlog.order_at(i), code)][:2]
    assert len(cards) == 2
    numbers = [board.backlog.order_at(i).number for i in cards]
    data = board.backlog.mimeData([board.backlog.index(i) for i in cards])
    second = schedule.row_bars[code][1]
    schedule.show_order(second.order.number)
    at = QPointF(schedule.mapFromScene(QPointF(second.rect.left() + 1, second.rect.center().y())))
    drop = QDropEvent(at, Qt.DropAction.MoveAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(board.message, timeout=10_000):
        schedule.dropEvent(drop)
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    queue = queue_numbers(ctx.database, code)
    assert queue[1:3] == numbers  # right behind the line's first order, in the backlog's order
    with qtbot.waitSignal(board.message, timeout=10_000):
        board.undo_stack.undo()
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    assert not set(numbers) & set(queue_numbers(ctx.database, code))


def test_the_schedule_in_front_follows_the_clock(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_schedule(qtbot, ops, demo_contexts[Role.PLANNER])
    board, schedule = window.board, window.board.schedule
    long_ago = schedule.now - timedelta(minutes=5)
    schedule.drawn_at = dict.fromkeys(schedule.codes, long_ago)  # as if drawn five minutes ago
    overrun = {n: b.item.overrun for n, b in schedule.bars.items() if b.item.overrun}
    board._minute_passed()
    qtbot.waitUntil(lambda: not ops.busy and all(t > long_ago for t in schedule.drawn_at.values()), timeout=10_000)
    assert all(schedule.bars[n].item.overrun >= before for n, before in overrun.items())  # overruns only grow
