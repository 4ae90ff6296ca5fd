"""A batch's own page (ui/batch_page.py): opened from tables, the journal and the trace; what it shows and offers."""

from __future__ import annotations

from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from app import queries as q
from app.context import Context
from app.permissions import Role
from tests.ui.conftest import open_window, save_screenshot, show_tab, wait_loaded
from ui.batch_page import BatchPageWindow
from ui.ops import Ops
from ui.printing import PreviewDialog


def produced_batch(ctx: Context) -> str:
    """A demo batch in stock made by an order from other batches: its genealogy runs back to suppliers."""
    with ctx.database.engine.connect() as conn:
        return str(
            conn.execute(
                text(
                    "SELECT b.number FROM batches b WHERE EXISTS (SELECT 1 FROM stock_movements m "
                    "WHERE m.production_order_id = b.production_order_id AND m.kind = 'consumption') "
                    "AND EXISTS (SELECT 1 FROM stock_balances sb WHERE sb.batch_id = b.id AND sb.quantity > 0) "
                    "ORDER BY b.number LIMIT 1"
                )
            ).scalar_one()
        )


def wait_page(qtbot: Any, window: Any, number: str) -> BatchPageWindow:
    qtbot.waitUntil(lambda: number in window.pages and window.pages[number].page is not None, timeout=15_000)
    page = window.pages[number]
    qtbot.waitUntil(lambda: page.label_preview.pixmap() is not None and not page.label_preview.pixmap().isNull())
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=10_000)
    return page


def test_enter_on_a_batch_opens_its_page_whole(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.MANAGER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 1)
    number = produced_batch(ctx)
    window.batches.search.setText(number)
    window.batches.apply_filter()
    wait_loaded(qtbot, window)
    window.batches.table.selectRow(0)
    window.batches.table.setFocus()
    window.batches._activate(0)  # what Enter or a double-click on the row does
    page = wait_page(qtbot, window, number)
    facts = page.page.facts if page.page else None
    assert facts is not None and page.title.text() == number
    assert page.material.text() == f"{facts.material_code} — {facts.material_name}"
    assert page.movements.rowCount() == len(page.page.movements) >= 1
    assert page.quality.rowCount() >= 1 and page.quality.item(0, 1).text() == "pending"
    quantities = [page.movements.item(r, 4).text() for r in range(page.movements.rowCount())]
    assert all(text.endswith(f" {facts.unit}") for text in quantities)
    labels = [page.genealogy.topLevelItem(i).text(0) for i in range(page.genealogy.topLevelItemCount())]
    assert labels == ["Where it came from", "Where it went"]
    order = page.genealogy.topLevelItem(0).child(0).child(0)
    assert order.text(0).startswith("Order PO-") and order.text(1).endswith(f" {facts.unit}")
    # a manager may do everything here; each action is on the page's toolbar
    shown = {name for name, action in page.page_actions.items() if action.isVisible()}
    assert shown == set(page.page_actions)
    page.tabs.setCurrentIndex(3)
    save_screenshot(page, "batch-page-genealogy")
    page.tabs.setCurrentIndex(0)
    save_screenshot(page, "batch-page")

    page.print_page()
    qtbot.waitUntil(lambda: hasattr(page, "preview") and page.preview.isVisible(), timeout=30_000)
    printed = "".join(p.extract_text() for p in PdfReader(str(page.preview.path)).pages)
    assert number in printed and "Stock by warehouse" in printed and "Where it went" in printed


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK])
def test_a_page_offers_only_what_the_role_may(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], role: Role
) -> None:
    ctx = demo_contexts[role]
    window = open_window(qtbot, ops, ctx)
    number = q.batches(ctx.reader(), q.BatchFilter(in_stock_only=True), limit=1).rows[0].number
    window.open_batch(number)
    page = wait_page(qtbot, window, number)
    shown = {name for name, action in page.page_actions.items() if action.isVisible()}
    if role is Role.VIEWER:
        assert shown == {"page_print"}
    else:
        assert shown == {"page_transfer", "page_issue", "page_adjust", "page_label", "page_print"}
    save_screenshot(page, f"batch-page-{role.label}")


def test_the_journal_and_the_trace_open_batch_pages(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.MANAGER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 3)
    event = q.events(ctx.reader(), q.EventFilter(entity_type="batch", action="received"), limit=1).rows[0]
    assert event.subject is not None
    window.events.open_event(event)
    wait_page(qtbot, window, event.subject)

    number = produced_batch(ctx)
    window.batches.trace(number)
    qtbot.waitUntil(lambda: hasattr(window.batches, "trace_dialog"), timeout=10_000)
    dialog = window.batches.trace_dialog
    assert any(value.endswith((" kg", " m", " pcs", " m2", " l")) for value in dialog.quantities())
    assert dialog.print_button.isVisible()
    came = dialog.tree.topLevelItem(0).child(0)  # the batch itself, then its order and the order's inputs
    source = came.child(0).child(0)
    source_number = source.data(0, 0x0100)[1]
    dialog.tree.itemActivated.emit(source, 0)
    wait_page(qtbot, window, source_number)
    dialog.print_trace()
    qtbot.waitUntil(lambda: hasattr(dialog, "preview") and dialog.preview.isVisible(), timeout=30_000)
    assert isinstance(dialog.preview, PreviewDialog)
    save_screenshot(dialog, "trace-with-quantities")


def test_a_change_made_on_the_page_shows_on_it(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.MANAGER]
    window = open_window(qtbot, ops, ctx)
    number = q.batches(ctx.reader(), q.BatchFilter(status="pending", in_stock_only=True), limit=1).rows[0].number
    page = window.open_batch(number)
    page = wait_page(qtbot, window, number)
    assert page.page_actions["page_approve"].isEnabled()
    page.approve()
    qtbot.waitUntil(lambda: page.page is not None and page.page.facts.status == "approved", timeout=15_000)
    assert not page.page_actions["page_approve"].isEnabled() and page.status.text() == "approved"
