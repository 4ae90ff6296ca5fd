"""The plant's forms. Each checks its input as it is typed with the same rules the
service applies, and shows the service's own message when it refuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from app import services as s
from app import validation as v
from app.context import Context
from app.dto import CustomerRow, OrderRow
from app.errors import ValidationError
from app.lookups import Lookups
from ui.ops import Ops
from ui.widgets import FormDialog


def picker(codes: tuple[str, ...], current: str | None = None, parent: QWidget | None = None) -> QComboBox:
    """An editable list of codes: pick with the mouse, or type or scan a code."""
    box = QComboBox(parent)
    box.setEditable(True)
    box.addItems(list(codes))
    box.setCurrentIndex(-1)
    if current:
        box.setCurrentText(current)
    box.lineEdit().setPlaceholderText("type or pick…")
    return box


def line(text: str = "", placeholder: str = "", parent: QWidget | None = None) -> QLineEdit:
    edit = QLineEdit(text, parent)
    edit.setPlaceholderText(placeholder)
    return edit


def date_edit(value: date | None = None, parent: QWidget | None = None) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(QDate(value) if value else QDate.currentDate())
    return edit


def to_date(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


class OptionalDate(QWidget):
    """A date that may be left out (no expiry)."""

    def __init__(self, label: str, value: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox(label, self)
        self.edit = date_edit(value, self)
        self.enabled.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        self.enabled.toggled.connect(self.edit.setEnabled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.enabled)
        row.addWidget(self.edit, 1)
        self.dateChanged = self.edit.dateChanged  # so the form revalidates on change
        self.toggled = self.enabled.toggled

    def value(self) -> date | None:
        return to_date(self.edit) if self.enabled.isChecked() else None


class _StockForm(FormDialog):
    def __init__(self, title: str, ctx: Context, ops: Ops, lookups: Lookups, parent: QWidget | None = None) -> None:
        super().__init__(title, ops, parent)
        self.ctx, self.lookups = ctx, lookups

    def unit_of(self, material: str) -> str:
        return self.lookups.units.get(material.strip(), "kg")

    def quantity_problem(self, text: str, unit: str, label: str = "quantity", signed: bool = False) -> str | None:
        if not text.strip():
            return f"Enter the {label}."
        try:
            v.quantity(text, unit, label, allow_negative=signed)
        except ValidationError as exc:
            return str(exc)
        return None


class ReceiveDialog(_StockForm):
    def __init__(self, ctx: Context, ops: Ops, lookups: Lookups, parent: QWidget | None = None) -> None:
        super().__init__("Receive a delivery", ctx, ops, lookups, parent)
        self.number = self.add("batch_number", "Batch number", line(placeholder="as on the supplier's label"))
        self.material = self.add("material", "Material", picker(lookups.materials))
        self.supplier = self.add("supplier", "Supplier", picker(lookups.suppliers))
        self.warehouse = self.add("warehouse", "Into warehouse", picker(lookups.warehouses, "MAG-1"))
        self.quantity = self.add("quantity", "Quantity", line(placeholder="e.g. 1250.5"))
        self.expiry = self.add("expiry_date", "Expiry", OptionalDate("expires on"))
        self.note = self.add("note", "Note", line(placeholder="delivery note, pallet count…"))
        self.revalidate()

    def check(self) -> str | None:
        for name, widget in (
            ("batch number", self.number),
            ("material", self.material.lineEdit()),
            ("supplier", self.supplier.lineEdit()),
            ("warehouse", self.warehouse.lineEdit()),
        ):
            if not widget.text().strip():
                return f"Enter the {name}."
        return self.quantity_problem(self.quantity.text(), self.unit_of(self.material.currentText()))

    def action(self) -> Callable[[], Any]:
        args = {
            "number": self.number.text(),
            "material": self.material.currentText(),
            "supplier": self.supplier.currentText(),
            "quantity": self.quantity.text(),
            "warehouse": self.warehouse.currentText(),
            "expiry_date": self.expiry.value(),
            "note": self.note.text(),
        }
        return lambda: s.receive_batch(self.ctx.uow(), **args)


class MoveDialog(_StockForm):
    """Transfer, issue or adjust one batch in one warehouse."""

    def __init__(
        self,
        kind: str,
        ctx: Context,
        ops: Ops,
        lookups: Lookups,
        batch: str = "",
        unit: str = "kg",
        warehouse: str = "",
        parent: QWidget | None = None,
    ) -> None:
        titles = {"transfer": "Transfer stock", "issue": "Issue stock", "adjust": "Adjust stock after a count"}
        super().__init__(titles[kind], ctx, ops, lookups, parent)
        self.kind, self.unit = kind, unit
        self.batch = self.add("batch", "Batch", line(batch, "scan or type the batch number"))
        self.source = self.add(
            "from_warehouse" if kind == "transfer" else "warehouse",
            "From warehouse" if kind != "adjust" else "Warehouse",
            picker(lookups.warehouses, warehouse),
        )
        if kind == "transfer":
            self.target = self.add("to_warehouse", "To warehouse", picker(lookups.warehouses))
        label = "Change (+ found, − missing)" if kind == "adjust" else f"Quantity ({unit})"
        self.quantity = self.add(
            "change" if kind == "adjust" else "quantity",
            label,
            line(placeholder="e.g. -2.5" if kind == "adjust" else "e.g. 100"),
        )
        self.reason = self.add(
            "reason" if kind == "adjust" else "note",
            "Reason" if kind == "adjust" else "Note",
            line(placeholder="required: why the count differs" if kind == "adjust" else ""),
        )
        self.revalidate()

    def check(self) -> str | None:
        if not self.batch.text().strip():
            return "Enter the batch."
        if not self.source.currentText().strip():
            return "Choose the warehouse."
        if self.kind == "transfer":
            if not self.target.currentText().strip():
                return "Choose where the stock goes."
            if self.target.currentText().strip() == self.source.currentText().strip():
                return "The stock is already there; choose another destination."
        if self.kind == "adjust" and not self.reason.text().strip():
            return "Give the reason for the adjustment."
        return self.quantity_problem(
            self.quantity.text(),
            self.unit,
            "change" if self.kind == "adjust" else "quantity",
            signed=self.kind == "adjust",
        )

    def action(self) -> Callable[[], Any]:
        batch, source, qty, note = (
            self.batch.text(),
            self.source.currentText(),
            self.quantity.text(),
            self.reason.text(),
        )
        if self.kind == "transfer":
            target = self.target.currentText()
            return lambda: s.transfer_stock(
                self.ctx.uow(), batch=batch, from_warehouse=source, to_warehouse=target, quantity=qty, note=note
            )
        if self.kind == "issue":
            return lambda: s.issue_stock(self.ctx.uow(), batch=batch, warehouse=source, quantity=qty, note=note)
        return lambda: s.adjust_stock(self.ctx.uow(), batch=batch, warehouse=source, change=qty, reason=note)


class ReasonDialog(FormDialog):
    """Blocking a batch or cancelling an order: the reason goes into the record."""

    def __init__(
        self, title: str, prompt: str, ops: Ops, run: Callable[[str], Any], parent: QWidget | None = None
    ) -> None:
        super().__init__(title, ops, parent)
        self.run_with = run
        self.reason = self.add("reason", prompt, line(placeholder="required"))
        self.revalidate()

    def check(self) -> str | None:
        return None if self.reason.text().strip() else "Give a reason."

    def action(self) -> Callable[[], Any]:
        reason = self.reason.text()
        return lambda: self.run_with(reason)


class CustomerDialog(FormDialog):
    def __init__(
        self, ctx: Context, ops: Ops, existing: CustomerRow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Edit customer" if existing else "New customer", ops, parent)
        self.ctx, self.existing = ctx, existing
        e = existing
        self.code = self.add("code", "Code", line(e.code if e else "", "e.g. C-051"))
        self.code.setReadOnly(e is not None)
        self.name = self.add("name", "Name", line(e.name if e else ""))
        self.contact = self.add("contact", "Contact person", line(e.contact or "" if e else ""))
        self.email = self.add("email", "E-mail", line(e.email or "" if e else ""))
        self.phone = self.add("phone", "Phone", line(e.phone or "" if e else ""))
        self.address = self.add("address", "Address", line(e.address or "" if e else ""))
        self.tax_id = self.add("tax_id", "Tax id", line(e.tax_id or "" if e else ""))
        self.notes = QPlainTextEdit(e.notes or "" if e else "", self)
        self.notes.setFixedHeight(70)
        self.fields["notes"] = self.notes
        self.form.addRow("Notes", self.notes)
        self.revalidate()

    def check(self) -> str | None:
        try:
            v.code(self.code.text(), "code", 30)
            v.required_text(self.name.text(), "name", 120)
            v.email(self.email.text())
        except ValidationError as exc:
            return str(exc)
        return None

    def action(self) -> Callable[[], Any]:
        values = {
            "code": self.code.text(),
            "name": self.name.text(),
            "contact": self.contact.text(),
            "email": self.email.text(),
            "phone": self.phone.text(),
            "address": self.address.text(),
            "tax_id": self.tax_id.text(),
            "notes": self.notes.toPlainText(),
        }
        if self.existing is None:
            return lambda: s.create_customer(self.ctx.uow(), **values)
        version = self.existing.version
        return lambda: s.edit_customer(self.ctx.uow(), expected_version=version, **values)


class OrderDialog(FormDialog):
    def __init__(
        self, ctx: Context, ops: Ops, lookups: Lookups, existing: OrderRow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(f"Edit order {existing.number}" if existing else "New production order", ops, parent)
        self.ctx, self.existing = ctx, existing
        e = existing
        self.customer = self.add("customer", "Customer", picker(lookups.customers, e.customer_code if e else None))
        self.spec = self.add("product_spec", "Product", line(e.product_spec if e else "", "e.g. PE 50 µm 1200 mm"))
        self.quantity = self.add("quantity", "Quantity", line(f"{e.quantity.normalize():f}" if e else ""))
        self.unit = self.add("unit", "Unit", QComboBox(self))
        self.unit.addItems(["kg", "m", "m2", "pcs", "l"])
        if e:
            self.unit.setCurrentText(e.unit)
        self.priority = self.add("priority", "Priority (1 = most urgent)", QSpinBox(self))
        self.priority.setRange(1, 5)
        self.priority.setValue(e.priority if e else 3)
        self.due = self.add("due_date", "Due date", date_edit(e.due_date if e else None))
        self.revalidate()

    def check(self) -> str | None:
        if not self.customer.currentText().strip():
            return "Choose the customer."
        if not self.spec.text().strip():
            return "Describe the product."
        try:
            v.quantity(self.quantity.text(), self.unit.currentText())
        except ValidationError as exc:
            return str(exc)
        if self.existing is None and to_date(self.due) < date.today():
            return "The due date lies in the past."
        return None

    def action(self) -> Callable[[], Any]:
        values = {
            "customer": self.customer.currentText(),
            "product_spec": self.spec.text(),
            "quantity": self.quantity.text(),
            "unit": self.unit.currentText(),
            "priority": self.priority.value(),
            "due_date": to_date(self.due),
        }
        if self.existing is None:
            return lambda: s.create_order(self.ctx.uow(), **values)
        number, version = self.existing.number, self.existing.version
        return lambda: s.edit_order(self.ctx.uow(), number=number, expected_version=version, **values)


class ConsumeDialog(_StockForm):
    def __init__(self, ctx: Context, ops: Ops, lookups: Lookups, order: str, parent: QWidget | None = None) -> None:
        super().__init__(f"Record consumption for {order}", ctx, ops, lookups, parent)
        self.order = order
        self.batch = self.add("batch", "Input batch", line(placeholder="scan or type the batch number"))
        self.warehouse = self.add("warehouse", "From warehouse", picker(lookups.warehouses, "MAG-3"))
        self.quantity = self.add("quantity", "Quantity", line(placeholder="in the batch's unit"))
        self.revalidate()

    def check(self) -> str | None:
        if not self.batch.text().strip():
            return "Enter the input batch."
        if not self.warehouse.currentText().strip():
            return "Choose the warehouse."
        return self.quantity_problem(self.quantity.text(), "kg")

    def action(self) -> Callable[[], Any]:
        batch, wh, qty = self.batch.text(), self.warehouse.currentText(), self.quantity.text()
        return lambda: s.consume_batch(self.ctx.uow(), order=self.order, batch=batch, warehouse=wh, quantity=qty)


class OutputDialog(_StockForm):
    def __init__(self, ctx: Context, ops: Ops, lookups: Lookups, order: str, parent: QWidget | None = None) -> None:
        super().__init__(f"Record output of {order}", ctx, ops, lookups, parent)
        self.order = order
        self.material = self.add("material", "Produced material", picker(lookups.materials))
        self.quantity = self.add("quantity", "Quantity", line())
        self.warehouse = self.add("warehouse", "Into warehouse", picker(lookups.warehouses, "MAG-5"))
        self.number = self.add("batch_number", "Batch number", line(placeholder=f"{order}-001 if left empty"))
        self.expiry = self.add("expiry_date", "Expiry", OptionalDate("expires on"))
        self.revalidate()

    def check(self) -> str | None:
        if not self.material.currentText().strip():
            return "Choose the produced material."
        if not self.warehouse.currentText().strip():
            return "Choose the warehouse."
        return self.quantity_problem(self.quantity.text(), self.unit_of(self.material.currentText()))

    def action(self) -> Callable[[], Any]:
        values = {
            "material": self.material.currentText(),
            "quantity": self.quantity.text(),
            "warehouse": self.warehouse.currentText(),
            "number": self.number.text(),
            "expiry_date": self.expiry.value(),
        }
        return lambda: s.record_output(self.ctx.uow(), order=self.order, **values)
