"""The planning board (ui/board.py): drag and drop, clashes, actions that follow the selection."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from app import services as s
from app.context import Context
from app.permissions import Role
from tests.helpers import queue_numbers
from tests.ui.conftest import open_window, save_screenshot, show_tab
from ui.ops import Ops


def drop(model: Any, source: Any, row: int, target_row: int) -> bool:
    """What the view does on a drop: the source's mime data into the target model."""
    data = source.mimeData([source.index(row)])
    return bool(model.dropMimeData(data, Qt.DropAction.MoveAction, target_row, 0, QModelIndex()))


def test_drag_and_drop_plans_and_reorders(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 2)
    board = window.board
    extruder = board.queues["EXTRUDER-1"]
    kg_row = next(i for i in range(board.backlog.rowCount()) if board.backlog.order_at(i).unit == "kg")
    number = board.backlog.order_at(kg_row).number
    before = queue_numbers(ctx.database, "EXTRUDER-1")

    with qtbot.waitSignal(board.message, timeout=10_000):
        assert drop(extruder, board.backlog, kg_row, 2)  # between the 2nd and 3rd order
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    after = queue_numbers(ctx.database, "EXTRUDER-1")
    assert after == before[:2] + [number] + before[2:]
    assert [extruder.order_at(i).number for i in range(extruder.rowCount())] == after

    # along the line: to the end
    row = after.index(number)
    with qtbot.waitSignal(board.message, timeout=10_000):
        assert drop(extruder, extruder, row, extruder.rowCount())
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    assert queue_numbers(ctx.database, "EXTRUDER-1")[-1] == number

    # to another line, then back to the backlog
    other = board.queues["EXTRUDER-2"]
    last = extruder.rowCount() - 1
    with qtbot.waitSignal(board.message, timeout=10_000):
        assert drop(other, extruder, last, 1)
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    assert queue_numbers(ctx.database, "EXTRUDER-2")[1] == number
    with qtbot.waitSignal(board.message, timeout=10_000):
        assert drop(board.backlog, other, 1, 0)
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    assert number not in queue_numbers(ctx.database, "EXTRUDER-2")
    assert any(board.backlog.order_at(i).number == number for i in range(board.backlog.rowCount()))
    save_screenshot(window, "board-after-drops")


def test_a_drop_that_collides_with_another_planner_reloads(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 2)
    board = window.board
    extruder = board.queues["EXTRUDER-1"]
    stale = extruder.order_at(2)
    # another planner moves the same order first
    s.move_order(demo_contexts[Role.ADMIN].uow(), number=stale.number, line="EXTRUDER-1", position=5)
    messages: list[str] = []
    board.message.connect(messages.append)
    drop(extruder, extruder, 2, 1)
    qtbot.waitUntil(lambda: bool(messages) and not ops.busy, timeout=10_000)
    assert "was changed by admin" in messages[0] and "nothing was overwritten" in messages[0]
    assert [extruder.order_at(i).number for i in range(extruder.rowCount())] == queue_numbers(
        ctx.database, "EXTRUDER-1"
    )


def test_board_actions_follow_the_selected_order(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 2)
    board = window.board
    # a line with a running order and another queued behind it
    code = next(
        code
        for code, queue in board.queues.items()
        if queue.rowCount() > 1 and queue.order_at(0).status == "in_progress" and queue.order_at(1).status == "planned"
    )
    view = board.queue_views[code]
    view.setCurrentIndex(view.model().index(0))  # the running order
    assert window.actions_by_name["finish"].isEnabled()
    assert not window.actions_by_name["start"].isEnabled()
    view.setCurrentIndex(view.model().index(1))
    assert not window.actions_by_name["start"].isEnabled()  # the line is busy until its running order finishes
    assert window.actions_by_name["unplan"].isEnabled()
    assert window.actions_by_name["optimise"].isEnabled()
