"""Production from the board (ui/production.py): run, consume, output, edit and cancel orders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app import queries as q
from app import services as s
from app.context import Context
from app.permissions import Role
from tests.ui.conftest import open_window, show_tab
from ui.ops import Ops


def test_running_an_order_from_the_board(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.PLANNER]
    s.receive_batch(
        ctx.uow(), number="R-C-1", material="GR-LDPE-FT5230", supplier="BASELL", quantity=500, warehouse="MAG-3"
    )
    s.approve_batch(demo_contexts[Role.MANAGER].uow(), batch="R-C-1")
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 2)
    view = window.board.queue_views["EXTRUDER-1"]
    view.setCurrentIndex(view.model().index(0))
    running = window.board.selected
    assert running is not None and running.status == "in_progress"
    consume = window.board.production.consume()
    qtbot.addWidget(consume)
    consume.batch.setText("R-C-1")
    qtbot.waitUntil(lambda: consume.batch_unit == "kg", timeout=10_000)  # looked up from the batch
    consume.warehouse.setCurrentText("MAG-3")
    consume.quantity.setText("600")
    consume.ok.click()
    qtbot.waitUntil(lambda: consume.error.isVisible(), timeout=10_000)
    assert "has only 500.000 kg in MAG-3" in consume.error.text()
    consume.quantity.setText("450")
    with qtbot.waitSignal(consume.succeeded, timeout=10_000):
        consume.ok.click()
    output = window.board.production.output()
    qtbot.addWidget(output)
    output.material.setCurrentText("FILM-PE-50")
    output.quantity.setText("430")
    output.warehouse.setCurrentText("MAG-5")
    with qtbot.waitSignal(output.succeeded, timeout=10_000):
        output.ok.click()
    produced = q.batches(ctx.reader(), q.BatchFilter(text=running.number + "-"), sort="number").rows
    assert any(b.quantity == 430 and b.status == "pending" for b in produced)
    back, _forward = s.trace_batch(ctx.reader(), number=produced[-1].number)
    assert any(child.key == "R-C-1" for child in back.children[0].children)


def exact_order(ctx: Context, number: str) -> Any:
    return next(r for r in q.orders(ctx.reader(), q.OrderFilter(text=number)).rows if r.number == number)


def test_edit_order_from_the_board_then_a_manager_cancels_it(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    planner = open_window(qtbot, ops, demo_contexts[Role.PLANNER])
    show_tab(qtbot, planner, 2)
    backlog = planner.board.backlog_view
    backlog.setCurrentIndex(backlog.model().index(0))
    order = planner.board.selected
    assert order is not None and order.status == "new"
    assert planner.actions_by_name["edit_order"].isEnabled()
    assert not planner.actions_by_name["cancel_order"].isEnabled()  # cancelling is a manager's decision
    edit = planner.board.production.edit_order()
    qtbot.addWidget(edit)
    assert edit.product.code() == order.product_code and edit.note.text() == (order.note or "")
    edit.quantity.setText("-5")
    assert not edit.ok.isEnabled()
    edit.quantity.setText("1234")
    edit.priority.setValue(1)
    with qtbot.waitSignal(edit.succeeded, timeout=10_000):
        edit.ok.click()
    saved = exact_order(planner.ctx, order.number)
    assert (saved.quantity, saved.priority, saved.version) == (Decimal(1234), 1, order.version + 1)

    manager = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    show_tab(qtbot, manager, 2)
    view = manager.board.backlog_view
    row = next(r for r in range(view.model().rowCount()) if view.model().order_at(r).number == order.number)
    view.setCurrentIndex(view.model().index(row))
    assert manager.actions_by_name["cancel_order"].isEnabled()
    cancel = manager.board.production.cancel_order()
    qtbot.addWidget(cancel)
    assert not cancel.ok.isEnabled()  # a reason is required
    cancel.reason.setText("Customer withdrew the order")
    with qtbot.waitSignal(cancel.succeeded, timeout=10_000):
        cancel.ok.click()
    cancelled = exact_order(planner.ctx, order.number)
    assert cancelled.status == "cancelled"
    qtbot.waitUntil(lambda: not ops.busy and manager.board.loaded_once, timeout=10_000)
    numbers = [view.model().order_at(r).number for r in range(view.model().rowCount())]
    assert order.number not in numbers
