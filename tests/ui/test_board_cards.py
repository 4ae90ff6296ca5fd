"""The backlog's cards (ui/board_cards.py): urgency tags, a fixed layout that keeps the due date, groups."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app import services as s
from app.context import Context
from app.permissions import Role
from domain.vocabulary import DUE_SOON_DAYS, LineStage
from tests.ui.conftest import open_window, save_screenshot, show_tab
from ui.board_cards import CAPTION_ROLE
from ui.ops import Ops
from ui.tables import day


def cards(board: Any) -> list[Any]:
    return [board.backlog.order_at(i) for i in range(board.backlog.rowCount())]


def test_cards_tag_overdue_and_due_soon_orders_and_never_shorten_the_due_date(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.PLANNER]
    long_name = "Triple-laminated high-barrier retort pouch film with an extraordinarily long description"
    s.create_product(ctx.uow(), code="LONG-1", name=long_name, unit="m", stage="lamination")
    s.create_order(ctx.uow(), number="PO-LONG-1", customer="C-001", product="LONG-1", quantity=100, unit="m",
                   priority=1, due_date=date.today() + timedelta(days=1))  # fmt: skip
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 2)
    board = window.board
    board.splitter.setSizes([260, 1100])  # a narrow backlog: the product text has to give way
    view, delegate = board.backlog_view, board.backlog_view.itemDelegate()
    view.scrollTo(board.backlog.index(next(i for i, o in enumerate(cards(board)) if o.number == "PO-LONG-1")))
    qtbot.waitUntil(lambda: "PO-LONG-1" in delegate.painted, timeout=5_000)
    save_screenshot(window, "backlog-cards")
    card = delegate.painted["PO-LONG-1"]
    assert card["product"].endswith("…") and long_name.startswith(card["product"][:-1])
    assert card["due"] == f"due {day(date.today() + timedelta(days=1))}"  # whole
    assert card["tag"] == "due soon" and card["priority"] == "priority: urgent"
    heights = {view.sizeHintForIndex(board.backlog.index(i)).height() for i in range(board.backlog.rowCount())
               if not board.backlog.index(i).data(CAPTION_ROLE)}  # fmt: skip
    assert len(heights) == 1  # one fixed layout for every card, however long its text
    today = date.today()
    for row in range(board.backlog.rowCount()):
        view.scrollTo(board.backlog.index(row))
    view.viewport().repaint()
    for order in cards(board):
        painted = delegate.painted.get(order.number)
        if painted is None:
            continue
        expected = "overdue" if order.due_date < today else "due soon" if order.due_date <= today + timedelta(
            days=DUE_SOON_DAYS) else ""  # fmt: skip
        assert painted["tag"] == expected, order.number
    assert any(p["tag"] == "overdue" for p in delegate.painted.values())


def test_the_backlog_groups_by_due_date_stage_or_customer(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.PLANNER])
    show_tab(qtbot, window, 2)
    board = window.board
    model = board.backlog
    captions = [model.index(i).data(CAPTION_ROLE) for i in range(model.rowCount())]
    assert [c for c in captions if c][0] == "Overdue"
    listed = cards(board)
    assert all(a.due_date <= b.due_date for a, b in zip(listed, listed[1:], strict=False) if a.due_date >= date.today())
    board.grouping.setCurrentIndex(board.grouping.findData("stage"))
    stages = board.host.lookups.current.product_stages
    order = [s.value for s in LineStage]
    ranks = [order.index(stages[o.product_code]) for o in cards(board)]
    assert ranks == sorted(ranks)
    shown = [model.index(i).data(CAPTION_ROLE) for i in range(model.rowCount())]
    assert [c for c in shown if c] == [LineStage(v).label for v in dict.fromkeys(order[r] for r in ranks)]
    save_screenshot(window, "backlog-by-stage")
    board.grouping.setCurrentIndex(board.grouping.findData("customer"))
    names = [o.customer_name.casefold() for o in cards(board)]
    assert names == sorted(names)
    assert sum(1 for i in range(model.rowCount()) if model.index(i).data(CAPTION_ROLE)) == len(set(names))
