"""The Buying screen (ui/purchasing.py): the demo plant's shortages first, a shortage turned into a purchase
order, sent, received by a clerk elsewhere and released, and the shortage gone without pressing F5."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QInputDialog

from app import purchase_book as pb
from app import services as s
from app.context import Context
from app.permissions import Role
from tests.ui.conftest import SCREENS, open_window, save_screenshot, show_tab
from ui.ops import Ops
from ui.purchasing import PurchaseOrderDialog

BUYING_TAB = SCREENS.index("buying")


def cover(window: Any, code: str) -> str | None:
    found = window.buying.found
    row = next((r for r in found.materials if r.material_code == code), None) if found else None
    return row.cover if row is not None else None


def test_a_shortage_becomes_a_purchase_order_and_disappears_when_received(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    planner, clerk, manager = demo_contexts[Role.PLANNER], demo_contexts[Role.CLERK], demo_contexts[Role.MANAGER]
    window = open_window(qtbot, ops, planner)
    show_tab(qtbot, window, BUYING_TAB)
    buying = window.buying
    table = buying.requirements
    assert table.rowCount() == len(buying.found.materials) > 0
    shortages = buying.found.shortages
    assert shortages, "the demo plant is short of something"
    assert [table.item(r, 0).text() for r in range(len(shortages))] == [r.material_code for r in shortages]
    assert table.item(0, 2).text() == "short" and table.item(0, 3).text() and table.item(0, 11).text()
    table.selectRow(0)
    assert "it would delay" in buying.detail.text()
    save_screenshot(window, "buying-requirements")

    assert "Buy " in buying.detail.text()  # the demo's suppliers have prices: a proposal, and from whom
    # A shortage the proposal covers in full (nothing of it arrives late, nothing is drafted already).
    drafted = {
        line.material_code
        for o in pb.purchase_orders(planner.reader(), open_only=True)
        if o.status == "draft"
        for line in pb.purchase_order(planner.reader(), o.number).lines
    }
    chosen = next(r for r in shortages if r.proposed >= r.short and r.material_code not in drafted)
    code, supplier, proposed = chosen.material_code, chosen.supplier_code, chosen.proposed
    before = {o.number for o in buying.orders}
    assert window.actions_by_name["purchase_from_proposals"].isEnabled()
    window.actions_by_name["purchase_from_proposals"].trigger()
    qtbot.waitUntil(lambda: not ops.busy and len(buying.orders) > len(before), timeout=15_000)
    qtbot.waitUntil(lambda: not buying.computing and _row(buying, code).proposed == 0, timeout=15_000)  # drafted
    drawn = [o for o in buying.orders if o.number not in before]
    assert {o.status for o in drawn} == {"draft"} and len({o.supplier_code for o in drawn}) == len(drawn)
    number = next(o.number for o in drawn if o.supplier_code == supplier)
    row = [o.number for o in buying.orders].index(number)
    assert buying.purchase_table.item(row, 2).text() == "draft"

    buying.purchase_table.selectRow(row)
    assert window.actions_by_name["send_purchase_order"].isEnabled()
    window.actions_by_name["send_purchase_order"].trigger()
    qtbot.waitUntil(lambda: not ops.busy and _order(buying, number).status == "sent", timeout=15_000)
    qtbot.waitUntil(lambda: not buying.computing and _row(buying, code).ordered >= proposed, timeout=15_000)
    buying.purchase_table.selectRow([o.number for o in buying.orders].index(number))
    assert not window.actions_by_name["edit_purchase_order"].isEnabled()
    buying.requirements.selectRow([r.material_code for r in buying.found.materials].index(code))
    save_screenshot(window, "buying-purchase-order-sent")
    buying.purchase_table.selectRow([o.number for o in buying.orders].index(number))
    window.actions_by_name["print_purchase_order"].trigger()
    qtbot.waitUntil(lambda: getattr(buying, "preview", None) is not None, timeout=20_000)
    printed = PdfReader(str(buying.last_printed)).pages[0].extract_text()
    assert number in printed and _order(buying, number).supplier_name in printed and code in printed

    # A clerk receives it all, a manager releases it: the shortage is gone, live.
    line = next(x for x in pb.open_lines(clerk.reader(), material=code) if x.order == number)
    assert line.quantity == proposed
    s.receive_purchase(clerk.uow(), order=number, line=line.line_no, number="PO-IN-1", quantity=proposed,
                       warehouse="MAG-1")  # fmt: skip
    s.approve_batch(manager.uow(), batch="PO-IN-1")
    qtbot.waitUntil(lambda: cover(window, code) not in (None, "short"), timeout=15_000)
    save_screenshot(window, "buying-shortage-received")


def _order(buying: Any, number: str) -> Any:
    return next(o for o in buying.orders if o.number == number)


def _row(buying: Any, code: str) -> Any:
    return next(r for r in buying.found.materials if r.material_code == code)


def test_a_purchase_order_by_hand_is_refused_in_plain_words_and_the_form_stays_filled(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.PLANNER])
    show_tab(qtbot, window, BUYING_TAB)
    window.actions_by_name["new_purchase_order"].trigger()
    dialog = window.findChild(PurchaseOrderDialog)
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    dialog.supplier.set_code("BASELL")
    material, amount, price, _due = dialog.cells[0]
    material.set_code("GR-LDPE-FT5230")
    amount.setText("2500")
    price.setText("-1")
    assert dialog.ok.isEnabled()
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "price must be zero or more" in dialog.error.text()
    assert dialog.isVisible() and amount.text() == "2500"
    save_screenshot(dialog, "buying-purchase-order-form-refused")
    price.setText("1.31")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    qtbot.waitUntil(lambda: not ops.busy and window.buying.orders and window.buying.orders[0].status == "draft")
    order = pb.purchase_order(demo_contexts[Role.PLANNER].reader(), window.buying.orders[0].number)
    assert [(x.material_code, x.quantity, x.price) for x in order.lines] == [
        ("GR-LDPE-FT5230", Decimal("2500.000"), Decimal("1.3100"))
    ]


def test_others_read_the_buying_screen_only(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.CLERK])
    show_tab(qtbot, window, BUYING_TAB)
    assert window.buying.requirements.rowCount() > 0
    for name in ("purchase_from_proposals", "new_purchase_order", "send_purchase_order", "cancel_purchase_order"):
        action = window.actions_by_name[name]
        assert not action.isEnabled() and action.toolTip().startswith("Only "), name


def test_a_clerk_receives_against_a_purchase_order_line_and_an_over_receipt_is_refused(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], monkeypatch: pytest.MonkeyPatch
) -> None:
    planner, clerk = demo_contexts[Role.PLANNER], demo_contexts[Role.CLERK]
    number = s.create_purchase_order(
        planner.uow(),
        supplier="BASELL",
        lines=[
            s.PurchaseItem("GR-LDPE-FT5230", "1000", "1.30", date.today()),
            s.PurchaseItem("GR-HDPE-5502", "500", "1.40", date.today()),
        ],
    )
    s.send_purchase_order(planner.uow(), number=number)
    window = open_window(qtbot, ops, clerk)
    dialog = window.stock.receive()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: any(x.order == number for x in dialog.open_lines), timeout=10_000)
    dialog.number.setText("PO-PALLET-1")
    dialog.material.set_code("GR-LDPE-FT5230")
    # only the line of this material is offered
    assert dialog.purchase_line.count() == 2 and dialog.purchase_line.itemData(1) == f"{number} / 1"
    dialog.purchase_line.setCurrentIndex(1)
    dialog.purchase_line.activated.emit(1)
    assert dialog.supplier.code() == "BASELL"
    dialog.quantity.setText("1051")  # 5 % over 1,000 kg is the most
    assert not dialog.ok.isEnabled()
    assert dialog.ok.toolTip() == (
        f"Line 1 of {number} takes at most 1,050.000 kg more (its quantity and the plant's tolerance); "
        "1,051.000 kg is too much."
    )
    save_screenshot(dialog, "form-receive-against-purchase-order-refused")
    # another clerk receives 600 kg meanwhile: the service refuses what the form still allowed, the form stays
    s.receive_purchase(clerk.uow(), order=number, line=1, number="ELSEWHERE-1", quantity=600, warehouse="MAG-1")
    dialog.quantity.setText("1000")
    assert dialog.ok.isEnabled()
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "At most 450.000 kg more may be received against it" in dialog.error.text()
    save_screenshot(dialog, "form-receive-against-purchase-order-refused-by-the-service")
    assert dialog.isVisible() and dialog.quantity.text() == "1000" and dialog.number.text() == "PO-PALLET-1"
    dialog.quantity.setText("400")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    order = pb.purchase_order(clerk.reader(), number)
    assert [x.received for x in order.lines] == [Decimal("1000.000"), Decimal("0.000")]
    assert order.status == "partly_received"

    # The rest will not come: a planner closes it as received, and it no longer counts as coming.
    planner_ws = open_window(qtbot, ops, planner)
    show_tab(qtbot, planner_ws, BUYING_TAB)
    buying = planner_ws.buying
    buying.purchase_table.selectRow([o.number for o in buying.orders].index(number))
    assert planner_ws.actions_by_name["close_purchase_order"].isEnabled()
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("Supplier out of stock", True))
    planner_ws.actions_by_name["close_purchase_order"].trigger()
    qtbot.waitUntil(lambda: not ops.busy and _order(buying, number).status == "received", timeout=15_000)
    assert pb.purchase_order(planner.reader(), number).status_reason == "Supplier out of stock"
    assert not any(x.order == number for x in pb.open_lines(planner.reader()))
