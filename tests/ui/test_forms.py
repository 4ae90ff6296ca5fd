"""The forms (ui/forms.py): checked as typed, refused by the service with the form kept."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from app import queries as q
from app import services as s
from app.context import Context
from app.permissions import Role
from tests.ui.conftest import open_window, save_screenshot
from ui import forms
from ui.ops import Ops


def test_receive_form_happy_path_and_refusal_keeps_the_form(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.CLERK]
    window = open_window(qtbot, ops, ctx)
    dialog = window.stock.receive()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, forms.ReceiveDialog)
    assert not dialog.ok.isEnabled()  # nothing typed yet
    dialog.number.setText("R-NEW-0001")
    dialog.material.setCurrentText("GR-LDPE-FT5230")
    dialog.supplier.setCurrentText("BASELL")
    dialog.quantity.setText("12.3456")
    assert not dialog.ok.isEnabled() and "at most 3 decimal places" in dialog.ok.toolTip()
    dialog.quantity.setText("1250.5")
    assert dialog.ok.isEnabled()
    save_screenshot(dialog, "form-receive")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    page = q.batches(ctx.reader(), q.BatchFilter(text="R-NEW-0001"))
    assert page.total == 1 and page.rows[0].status == "pending"

    again = window.stock.receive()
    qtbot.addWidget(again)
    again.number.setText("R-NEW-0001")
    again.material.setCurrentText("GR-LDPE-FT5230")
    again.supplier.setCurrentText("BASELL")
    again.quantity.setText("10")
    again.ok.click()
    qtbot.waitUntil(lambda: again.error.isVisible(), timeout=10_000)
    assert "R-NEW-0001 already exists" in again.error.text()
    assert again.isVisible() and again.quantity.text() == "10" and again.number.text() == "R-NEW-0001"
    save_screenshot(again, "form-receive-refused")


def test_transfer_and_adjust_forms(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.CLERK]
    s.receive_batch(
        ctx.uow(), number="R-T-1", material="GR-HDPE-5502", supplier="BASELL", quantity=100, warehouse="MAG-1"
    )
    window = open_window(qtbot, ops, ctx)
    dialog = window.stock.move_stock("transfer")
    qtbot.addWidget(dialog)
    dialog.batch.setText("R-T-1")
    qtbot.waitUntil(lambda: dialog.batch_unit == "kg", timeout=10_000)  # looked up from the batch
    dialog.source.setCurrentText("MAG-1")
    dialog.target.setCurrentText("MAG-1")
    assert not dialog.ok.isEnabled() and "already there" in dialog.ok.toolTip()
    dialog.target.setCurrentText("MAG-3")
    dialog.quantity.setText("150")
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "has only 100.000 kg in MAG-1" in dialog.error.text()
    dialog.quantity.setText("40")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    adjust = window.stock.move_stock("adjust")
    qtbot.addWidget(adjust)
    adjust.batch.setText("R-T-1")
    qtbot.waitUntil(lambda: adjust.batch_unit == "kg", timeout=10_000)
    adjust.source.setCurrentText("MAG-3")
    adjust.quantity.setText("-2.5")
    assert not adjust.ok.isEnabled()  # a reason is required
    adjust.reason.setText("Cycle count")
    with qtbot.waitSignal(adjust.succeeded, timeout=10_000):
        adjust.ok.click()
    row = q.batches(ctx.reader(), q.BatchFilter(text="R-T-1")).rows[0]
    assert row.quantity == Decimal("97.5") and row.locations == "MAG-1, MAG-3"


def test_issue_form_refuses_a_pending_batch_and_keeps_the_input(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.CLERK]
    s.receive_batch(
        ctx.uow(), number="R-I-1", material="GR-HDPE-5502", supplier="BASELL", quantity=50, warehouse="MAG-1"
    )
    window = open_window(qtbot, ops, ctx)
    dialog = window.stock.move_stock("issue")
    qtbot.addWidget(dialog)
    dialog.batch.setText("R-I-1")
    qtbot.waitUntil(lambda: dialog.batch_unit == "kg", timeout=10_000)
    dialog.source.setCurrentText("MAG-1")
    dialog.quantity.setText("5")
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "is pending; only approved batches may be issued" in dialog.error.text()
    assert dialog.batch.text() == "R-I-1" and dialog.quantity.text() == "5"
    s.approve_batch(demo_contexts[Role.MANAGER].uow(), batch="R-I-1")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    assert q.batches(ctx.reader(), q.BatchFilter(text="R-I-1")).rows[0].quantity == 45


def test_customer_form_and_order_form(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_window(qtbot, ops, ctx)
    dialog = window.customers.new_customer()
    qtbot.addWidget(dialog)
    dialog.code.setText("C-900")
    dialog.name.setText("Zakłady Mięsne Łuków")
    dialog.email.setText("not-an-email")
    assert not dialog.ok.isEnabled() and "not an e-mail" in dialog.ok.toolTip()
    dialog.email.setText("biuro@lukow.example")
    save_screenshot(dialog, "form-customer")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    assert q.customers(ctx.reader(), q.CustomerFilter(text="Łuków")).total == 1

    order = window.board.production.new_order()
    qtbot.addWidget(order)
    order.customer.setCurrentText("C-900")
    order.product.setCurrentText("NOPE")
    assert not order.ok.isEnabled() and "no product “NOPE”" in order.ok.toolTip()
    order.product.setCurrentText("BAG-SW-300")  # bags: counted in whole pieces, made on bag-making lines
    order.quantity.setText("2500.5")
    assert not order.ok.isEnabled() and "whole numbers" in order.ok.toolTip()
    assert order.quantity.unit_label.text() == "pcs"  # the unit stands beside the quantity
    assert [order.line.itemData(i) for i in range(order.line.count())] == [None, "BAG-MAKER-1", "BAG-MAKER-2"]
    order.product.setCurrentText("PE-50-1200")  # film: in kilograms, on the extruders
    assert order.quantity.unit_label.text() == "kg"
    assert [order.line.itemData(i) for i in range(order.line.count())] == [None, "EXTRUDER-1", "EXTRUDER-2"]
    order.line.setCurrentIndex(2)
    order.note.setText("print the customer's logo on the core")
    assert order.ok.isEnabled()
    assert order.quantity.unit_label.text() == "kg"
    order.layout().activate()  # the label's new width, as the next paint will show it
    save_screenshot(order, "form-order")
    with qtbot.waitSignal(order.succeeded, timeout=10_000):
        order.ok.click()
    (made,) = q.orders(ctx.reader(), q.OrderFilter(customer="C-900")).rows
    assert (made.product_code, made.quantity, made.unit, made.status, made.line_code, made.note) == (
        "PE-50-1200",
        Decimal("2500.500"),
        "kg",
        "planned",
        "EXTRUDER-2",
        "print the customer's logo on the core",
    )


@pytest.mark.parametrize("backend", ["sqlite"])
def test_moves_and_consumption_are_checked_in_the_batchs_own_unit(
    qtbot: Any, ops: Ops, people: dict[Role, Context], plant: Context
) -> None:
    s.receive_batch(plant.uow(), number="CORE-1", material="CORE-76", supplier="BASELL", quantity=40, warehouse="MAG-3")
    s.receive_batch(
        plant.uow(), number="FILM-1", material="FILM-PRINTED", supplier="BASELL", quantity=900, warehouse="MAG-3"
    )
    window = open_window(qtbot, ops, people[Role.PLANNER])
    issue = window.stock.move_stock("issue")
    qtbot.addWidget(issue)
    issue.batch.setText("CORE-1")
    assert not issue.ok.isEnabled() and issue.ok.toolTip() == "Looking up batch CORE-1…"
    qtbot.waitUntil(lambda: issue.batch_unit == "pcs", timeout=10_000)
    assert issue.quantity.unit_label.text() == "pcs"  # the batch's unit, beside the number
    issue.source.setCurrentText("MAG-3")
    issue.quantity.setText("2.5")
    assert not issue.ok.isEnabled() and "Quantities in pcs take whole numbers" in issue.ok.toolTip()
    issue.quantity.setText("3")
    assert issue.ok.isEnabled()
    issue.batch.setText("NOPE-1")
    qtbot.waitUntil(lambda: issue.ok.toolTip() == "There is no batch “NOPE-1”.", timeout=10_000)

    consume = forms.ConsumeDialog(window.ctx, ops, window.lookups, "PO-TEST", window)
    qtbot.addWidget(consume)
    consume.batch.setText("FILM-1")
    qtbot.waitUntil(lambda: consume.batch_unit == "m", timeout=10_000)
    consume.quantity.setText("1.234")
    assert not consume.ok.isEnabled() and "Quantities in m take at most 2 decimal places" in consume.ok.toolTip()
    consume.quantity.setText("1.23")
    assert consume.ok.isEnabled() and consume.quantity.unit_label.text() == "m"
    save_screenshot(consume, "form-consume-in-metres")


def _codes_with_names(box: Any) -> list[str]:
    return [box.itemText(i) for i in range(box.count())]


def test_receive_form_speaks_in_names_and_units(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.CLERK]
    window = open_window(qtbot, ops, ctx)
    dialog = window.stock.receive()
    qtbot.addWidget(dialog)
    name = window.lookups.current.name("materials", "GR-LDPE-FT5230")
    assert name and f"GR-LDPE-FT5230 — {name}" in _codes_with_names(dialog.material)
    assert all(" — " in text for text in _codes_with_names(dialog.supplier))
    completer = dialog.material.completer()
    completer.setCompletionPrefix("ldpe")  # any part of a code or a name, in any case
    found = [completer.completionModel().index(i, 0).data() for i in range(completer.completionCount())]
    assert found and all("ldpe" in text.lower() for text in found)
    assert any(not text.lower().startswith("ldpe") for text in found)  # matched inside, not only at the start

    assert dialog.quantity.unit_label.text() == "—"  # no material yet: no unit
    dialog.material.setCurrentIndex(dialog.material.findData("GR-LDPE-FT5230"))
    assert dialog.material.code() == "GR-LDPE-FT5230" and dialog.quantity.unit_label.text() == "kg"
    dialog.number.setText("R-UNIT-1")
    dialog.supplier.setCurrentText("basell")  # a code typed in any case is the supplier's code
    assert dialog.supplier.code() == "BASELL"
    dialog.quantity.setText("12 m")
    assert not dialog.ok.isEnabled()
    assert dialog.ok.toolTip() == "This is counted in kg, not in m: enter the quantity in kg."
    dialog.quantity.setText("1 250,5 kg")
    assert dialog.ok.isEnabled() and dialog.print_button is not None and dialog.print_button.isEnabled()
    assert dialog.ok.text().replace("&", "") == "Receive"
    assert dialog.print_button.text().replace("&", "") == "Receive and print label"
    save_screenshot(dialog, "form-receive-names-and-units")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    assert q.batches(ctx.reader(), q.BatchFilter(text="R-UNIT-1")).rows[0].quantity == Decimal("1250.5")

    again = window.stock.receive()  # this user's last choices come back
    qtbot.addWidget(again)
    assert (again.material.code(), again.supplier.code()) == ("GR-LDPE-FT5230", "BASELL")
    assert again.material.currentText() == f"GR-LDPE-FT5230 — {name}"


def test_receipt_proposes_the_expiry_from_the_shelf_life(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    from dataclasses import replace
    from datetime import date, timedelta

    window = open_window(qtbot, ops, demo_contexts[Role.CLERK])
    # The shelf life is master data (a material's `shelf_life_days`): here the lookups are given one.
    window.lookups.current = replace(window.lookups.current, shelf_lives={"GR-LDPE-FT5230": 180})
    dialog = window.stock.receive()
    qtbot.addWidget(dialog)
    dialog.material.setCurrentIndex(dialog.material.findData("GR-LDPE-FT5230"))
    assert dialog.expiry.value() == date.today() + timedelta(days=180)
    assert "shelf life of 180 days" in dialog.expiry_hint.text()
    dialog.expiry.set_value(date.today() + timedelta(days=30))  # the supplier's label says otherwise
    dialog.material.setCurrentIndex(dialog.material.findData("GR-HDPE-5502"))
    dialog.material.setCurrentIndex(dialog.material.findData("GR-LDPE-FT5230"))
    assert dialog.expiry.value() == date.today() + timedelta(days=30)  # what the clerk set stays


def test_enter_in_an_incomplete_form_moves_to_the_next_empty_field(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    window = open_window(qtbot, ops, demo_contexts[Role.CLERK])
    dialog = window.stock.receive()
    qtbot.addWidget(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5_000)
    dialog.material.setCurrentIndex(dialog.material.findData("GR-LDPE-FT5230"))
    dialog.supplier.set_code("BASELL")
    dialog.number.setFocus()
    qtbot.keyClicks(dialog.number, "R-ENTER-1")
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)  # as a scanner ends a number
    assert dialog.isVisible() and QApplication.focusWidget() is dialog.quantity
    qtbot.keyClicks(dialog.quantity, "40")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        qtbot.keyClick(dialog.quantity, Qt.Key.Key_Return)  # complete now: Enter sends it


def test_next_pallet_keeps_supplier_and_material_and_its_label_is_printed(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], tmp_path: Any
) -> None:
    from pypdf import PdfReader

    from ui.workstation import LabelDestination, LabelOutput, save_label_output

    save_label_output(LabelOutput(LabelDestination.FOLDER, folder=str(tmp_path / "labels")))
    ctx = demo_contexts[Role.CLERK]
    window = open_window(qtbot, ops, ctx)
    first = window.stock.receive()
    qtbot.addWidget(first)
    first.number.setText("DLV-7-001")
    first.material.set_code("GR-HDPE-5502")
    first.supplier.set_code("BASELL")
    first.quantity.setText("1000")
    first.next_pallet.setChecked(True)
    assert first.print_button is not None
    with qtbot.waitSignal(first.succeeded, timeout=10_000):
        first.print_button.click()
    label = tmp_path / "labels" / "DLV-7-001.pdf"
    qtbot.waitUntil(label.exists, timeout=20_000)
    assert "DLV-7-001" in PdfReader(str(label)).pages[0].extract_text()

    second = window.stock.receive_dialog
    assert second is not None and second is not first and second.isVisible()
    qtbot.addWidget(second)
    assert second.windowTitle() == "Receive a delivery — pallet 2"
    assert (second.supplier.code(), second.material.code()) == ("BASELL", "GR-HDPE-5502")
    assert second.number.text() == "DLV-7-002" and second.number.selectedText() == "DLV-7-002"
    assert second.quantity.text() == "" and second.quantity.unit_label.text() == "kg"
    assert second.print_button is not None and second.print_button.isDefault()  # Enter prints, as last time
    save_screenshot(second, "form-receive-next-pallet")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_new_order_the_chosen_line_refuses_is_created_once_and_waits_in_the_backlog(
    qtbot: Any, ops: Ops, people: dict[Role, Context], plant: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    # a printing line rated in kilograms: offered for a printed product (its stage), refused by its unit
    s.create_line(plant.uow(), code="PRINT-KG", name="Odd press", stage="printing", rate_per_hour=100, rate_unit="kg")
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: told.append(text))
    window = open_window(qtbot, ops, people[Role.PLANNER])
    order = window.board.production.new_order()
    qtbot.addWidget(order)
    order.customer.setCurrentText("C-001")
    order.product.setCurrentText("PRINTED")
    order.quantity.setText("5000")
    order.line.setCurrentIndex(order.line.findData("PRINT-KG"))
    with qtbot.waitSignal(order.succeeded, timeout=10_000):
        order.ok.click()
    (made,) = q.orders(plant.reader()).rows
    assert (made.product_code, made.status, made.line_code) == ("PRINTED", "new", None)
    assert told and f"Order {made.number} was created but not planned" in told[0] and "rated in kg" in told[0]
