"""The plant's forms. Each checks its input as it is typed with the same rules the
service applies, and shows the service's own message when it refuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app import services as s
from app import validation as v
from app.context import Context
from app.dto import CustomerRow, MaterialNeed, OrderRow, UsableStock
from app.errors import KnownError, ValidationError
from app.formatting import quantity as qty
from app.lookups import batch_unit
from app.order_book import material_needs, usable_stock
from app.queries import entity_key
from domain.vocabulary import CODE_LEN, NAME_LEN, PRIORITIES, QT_TRANSLATE_NOOP, WarehouseKind
from ui.lookups import CodePicker, LiveLookups
from ui.ops import Ops, message_for
from ui.widgets import FormDialog, settings


def line(text: str = "", placeholder: str = "", parent: QWidget | None = None) -> QLineEdit:
    edit = QLineEdit(text, parent)
    edit.setPlaceholderText(placeholder)
    return edit


def date_edit(value: date | None = None, parent: QWidget | None = None) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(QDate(value.year, value.month, value.day) if value else QDate.currentDate())
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
    """A form that moves stock: quantities are checked in the unit of what moves."""

    def __init__(self, title: str, ctx: Context, ops: Ops, lookups: LiveLookups, parent: QWidget | None = None) -> None:
        super().__init__(title, ops, parent)
        self.ctx, self.lookups = ctx, lookups
        self.batch_unit: str | None = None  # the unit of the batch typed, once looked up
        self._unknown_batch = ""
        self._batch: QLineEdit | None = None
        self._batch_timer = QTimer(self)
        self._batch_timer.setSingleShot(True)
        self._batch_timer.setInterval(200)
        self._batch_timer.timeout.connect(self._look_up_batch)

    # ---------------------------------------------------------------- warehouses

    def warehouse_picker(self, form: str, *kinds: WarehouseKind) -> CodePicker:
        """A warehouse picker that starts at the user's last choice in this form, else the first of these kinds."""
        key = f"{self.ctx.user.username}/last_warehouse/{form}"
        codes = self.lookups.current
        last = settings().value(key)
        choices = [last] if isinstance(last, str) and last in codes.warehouses else []
        choices += codes.warehouses_of(*(kind.value for kind in kinds))
        picker = CodePicker(self.lookups, lambda found: found.warehouses, choices[0] if choices else None, self)
        self.succeeded.connect(lambda _result: settings().setValue(key, picker.currentText().strip()))
        return picker

    # ---------------------------------------------------------------- units

    def material_unit(self, material: str) -> str | None:
        return self.lookups.current.units.get(material.strip())

    def follow_batch(self, edit: QLineEdit, unit: str | None = None) -> None:
        """Look up the unit of the batch typed in `edit` (`unit`: already known for the batch it holds)."""
        self._batch, self.batch_unit = edit, unit if edit.text().strip() else None
        edit.textChanged.connect(self._batch_typed)

    def _batch_typed(self, _text: str) -> None:
        self.batch_unit, self._unknown_batch = None, ""
        self._batch_timer.start()
        self.unit_changed()
        self.revalidate()

    def _look_up_batch(self) -> None:
        number = self._batch.text().strip() if self._batch is not None else ""
        if not number:
            return
        ctx = self.ctx
        self.ops.run(
            lambda: batch_unit(ctx.reader(), number),
            lambda unit: self._batch_looked_up(number, unit),
            lambda exc: self.show_error(message_for(exc)),
        )

    def _batch_looked_up(self, number: str, unit: str | None) -> None:
        if self._batch is None or self._batch.text().strip() != number:
            return  # typed on meanwhile; that lookup follows
        self.batch_unit, self._unknown_batch = unit, "" if unit else number
        self.unit_changed()
        self.revalidate()

    def unit_changed(self) -> None:
        """The unit of what moves is known now (or not any more); forms that show it say so."""

    def batch_problem(self, missing: str) -> str | None:
        number = self._batch.text().strip() if self._batch is not None else ""
        if not number:
            return missing
        if self._unknown_batch == number:
            return self.tr("There is no batch “{0}”.").format(number)
        if self.batch_unit is None:
            return self.tr("Looking up batch {0}…").format(number)
        return None

    def quantity_problem(self, text: str, unit: str, label: str = "quantity", signed: bool = False) -> str | None:
        if not text.strip():
            return f"Enter the {label}."
        try:
            v.quantity(text, unit, label, allow_negative=signed)
        except ValidationError as exc:
            return str(exc)
        return None

    def material_problem(self, material: str, quantity: str) -> str | None:
        """Whether `quantity` of `material` can be taken: the material must exist, the quantity fit its unit."""
        unit = self.material_unit(material)
        if unit is None:
            return self.tr("There is no material “{0}”.").format(material.strip())
        return self.quantity_problem(quantity, unit)


class ReceiveDialog(_StockForm):
    def __init__(self, ctx: Context, ops: Ops, lookups: LiveLookups, parent: QWidget | None = None) -> None:
        super().__init__("Receive a delivery", ctx, ops, lookups, parent)
        self.number = self.add("batch_number", "Batch number", line(placeholder="as on the supplier's label"))
        self.material = self.add("material", "Material", CodePicker(lookups, lambda found: found.materials))
        self.supplier = self.add("supplier", "Supplier", CodePicker(lookups, lambda found: found.suppliers))
        warehouse = self.warehouse_picker("receive", WarehouseKind.RAW_MATERIALS)
        self.warehouse = self.add("warehouse", "Into warehouse", warehouse)
        self.quantity = self.add("quantity", "Quantity", line(placeholder="e.g. 1250.5"))
        self.expiry = self.add("expiry_date", "Expiry", OptionalDate("expires on"))
        self.note = self.add("note", "Note", line(placeholder="delivery note, pallet count…"))
        self.revalidate()

    def check(self) -> str | None:
        for name, text in (
            ("batch number", self.number.text()),
            ("material", self.material.currentText()),
            ("supplier", self.supplier.currentText()),
            ("warehouse", self.warehouse.currentText()),
        ):
            if not text.strip():
                return f"Enter the {name}."
        return self.material_problem(self.material.currentText(), self.quantity.text())

    def action(self) -> Callable[[], Any]:
        args: dict[str, Any] = {
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
        lookups: LiveLookups,
        batch: str = "",
        unit: str | None = None,
        warehouse: str = "",
        parent: QWidget | None = None,
    ) -> None:
        titles = {"transfer": "Transfer stock", "issue": "Issue stock", "adjust": "Adjust stock after a count"}
        super().__init__(titles[kind], ctx, ops, lookups, parent)
        self.kind = kind
        self.batch = self.add("batch", "Batch", line(batch, "scan or type the batch number"))
        self.source = self.add(
            "from_warehouse" if kind == "transfer" else "warehouse",
            "From warehouse" if kind != "adjust" else "Warehouse",
            CodePicker(lookups, lambda found: found.warehouses, warehouse),
        )
        if kind == "transfer":
            self.target = self.add("to_warehouse", "To warehouse", CodePicker(lookups, lambda found: found.warehouses))
        self.quantity = self.add(
            "change" if kind == "adjust" else "quantity",
            "Change (+ found, − missing)" if kind == "adjust" else "Quantity",
            line(placeholder="e.g. -2.5" if kind == "adjust" else "e.g. 100"),
        )
        self.reason = self.add(
            "reason" if kind == "adjust" else "note",
            "Reason" if kind == "adjust" else "Note",
            line(placeholder="required: why the count differs" if kind == "adjust" else ""),
        )
        self.follow_batch(self.batch, unit)
        self.unit_changed()
        self.revalidate()

    def unit_changed(self) -> None:
        if self.kind != "adjust":
            label = self.form.labelForField(self.quantity)
            if isinstance(label, QLabel):
                unit = self.batch_unit
                label.setText(self.tr("Quantity ({0})").format(unit) if unit else self.tr("Quantity"))

    def check(self) -> str | None:
        missing = self.batch_problem("Enter the batch.")
        if missing:
            return missing
        if not self.source.currentText().strip():
            return "Choose the warehouse."
        if self.kind == "transfer":
            if not self.target.currentText().strip():
                return "Choose where the stock goes."
            if self.target.currentText().strip() == self.source.currentText().strip():
                return "The stock is already there; choose another destination."
        if self.kind == "adjust" and not self.reason.text().strip():
            return "Give the reason for the adjustment."
        assert self.batch_unit is not None
        return self.quantity_problem(
            self.quantity.text(),
            self.batch_unit,
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
            v.code(self.code.text(), "code", CODE_LEN)
            v.required_text(self.name.text(), "name", NAME_LEN)
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
    """A customer's order for a product of the catalogue; a new one may go straight onto a line of the
    product's stage (the form offers only those)."""

    BACKLOG = QT_TRANSLATE_NOOP("OrderDialog", "keep in the backlog")

    def __init__(
        self,
        ctx: Context,
        ops: Ops,
        lookups: LiveLookups,
        existing: OrderRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = self.tr("Edit order {0}").format(existing.number) if existing else self.tr("New production order")
        super().__init__(title, ops, parent)
        self.ctx, self.existing, self.lookups = ctx, existing, lookups
        e = existing
        customers = CodePicker(lookups, lambda found: found.customers, e.customer_code if e else None)
        self.customer = self.add("customer", self.tr("Customer"), customers)
        products = CodePicker(lookups, lambda found: found.products, e.product_code if e else None)
        self.product = self.add("product", self.tr("Product"), products)
        self.quantity = self.add("quantity", self.tr("Quantity"), line(f"{e.quantity.normalize():f}" if e else ""))
        self.priority = self.add("priority", self.tr("Priority (1 = most urgent)"), QSpinBox(self))
        self.priority.setRange(min(PRIORITIES), max(PRIORITIES))
        self.priority.setValue(e.priority if e else PRIORITIES[len(PRIORITIES) // 2])  # the middle: normal
        self.due = self.add("due_date", self.tr("Due date"), date_edit(e.due_date if e else None))
        self.note = self.add(
            "note", self.tr("Note"), line(e.note or "" if e else "", self.tr("the customer's wording, artwork…"))
        )
        self.line = QComboBox(self)
        self.line.setObjectName("orderLine")
        if e is None:  # a planned order moves on the planning board
            self.add("line", self.tr("Plan on line"), self.line)
        self.not_planned = ""  # why a new order could not go onto the line chosen, if it could not
        self.succeeded.connect(self._tell_if_not_planned)
        self.product.currentTextChanged.connect(self.product_changed)
        lookups.changed.connect(self.product_changed)
        self.product_changed()
        self.revalidate()

    def _tell_if_not_planned(self, _order_id: Any) -> None:
        if self.not_planned:
            QMessageBox.information(self.parentWidget(), "MPSYSTEM", self.not_planned)

    def product_changed(self, *_args: Any) -> None:
        """The unit follows the product, and the lines offered are those of its stage."""
        code = self.product.currentText().strip()
        unit = self.lookups.current.product_units.get(code)
        label = self.form.labelForField(self.quantity)
        if isinstance(label, QLabel):
            label.setText(self.tr("Quantity ({0})").format(unit) if unit else self.tr("Quantity"))
        chosen = self.line.currentData()
        self.line.blockSignals(True)
        self.line.clear()
        self.line.addItem(QCoreApplication.translate("OrderDialog", self.BACKLOG), None)
        for code_ in self.lookups.current.lines_for(code):
            self.line.addItem(code_, code_)
        self.line.setCurrentIndex(max(self.line.findData(chosen), 0) if chosen else 0)
        self.line.blockSignals(False)

    def check(self) -> str | None:
        if not self.customer.currentText().strip():
            return self.tr("Choose the customer.")
        product = self.product.currentText().strip()
        if not product:
            return self.tr("Choose the product.")
        unit = self.lookups.current.product_units.get(product)
        if unit is None:
            return self.tr("There is no product “{0}” in the catalogue.").format(product)
        try:
            v.quantity(self.quantity.text(), unit)
        except ValidationError as exc:
            return str(exc)
        if self.existing is None and to_date(self.due) < date.today():
            return self.tr("The due date lies in the past.")
        return None

    def action(self) -> Callable[[], Any]:
        values: dict[str, Any] = {
            "customer": self.customer.currentText(),
            "product": self.product.currentText().strip(),
            "quantity": self.quantity.text(),
            "priority": self.priority.value(),
            "due_date": to_date(self.due),
            "note": self.note.text(),
        }
        ctx = self.ctx
        if self.existing is None:
            line_code = self.line.currentData()

            def create() -> int:
                order_id = s.create_order(ctx.uow(), **values)
                if line_code:
                    # Its own step: the order exists whatever planning says, so the form must not offer
                    # to create it again; a refusal is told, and the order waits in the backlog.
                    number = entity_key(ctx.reader(), "order", order_id)
                    try:
                        s.plan_order(ctx.uow(), number=number or "", line=line_code)
                    except KnownError as exc:
                        self.not_planned = self.tr("Order {0} was created but not planned: {1}").format(number, exc)
                return order_id

            return create
        number, version = self.existing.number, self.existing.version
        return lambda: s.edit_order(ctx.uow(), number=number, expected_version=version, **values)


class ConsumeDialog(_StockForm):
    """An input batch into a running order. The order's recipe proposes what to take: pick a material and
    the oldest usable batch of it, and the quantity still to take for the order, are filled in."""

    def __init__(self, ctx: Context, ops: Ops, lookups: LiveLookups, order: str, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Record consumption for {0}").format(order), ctx, ops, lookups, parent)
        self.setMinimumWidth(700)
        self.order = order
        self.needs: tuple[MaterialNeed, ...] = ()
        self.proposal = QTableWidget(0, 5, self)
        self.proposal.setObjectName("recipeProposal")
        self.proposal.setHorizontalHeaderLabels(
            [self.tr("Material"), self.tr("For the order"), self.tr("Taken"), self.tr("Still to take"), ""]
        )
        self.proposal.verticalHeader().setVisible(False)
        self.proposal.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.proposal.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.proposal.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.proposal.setMaximumHeight(170)
        self.proposal.itemSelectionChanged.connect(self.propose)
        self.proposal_note = QLabel(self.tr("Reading the order's recipe…"), self)
        self.form.addRow(self.proposal_note)
        self.form.addRow(self.proposal)
        self.batch = self.add(
            "batch", self.tr("Input batch"), line(placeholder=self.tr("scan or type the batch number"))
        )
        warehouse = self.warehouse_picker("consume", WarehouseKind.PRODUCTION)
        self.warehouse = self.add("warehouse", self.tr("From warehouse"), warehouse)
        self.quantity = self.add("quantity", self.tr("Quantity"), line(placeholder=self.tr("in the batch's unit")))
        self.follow_batch(self.batch)
        self.revalidate()
        self.ops.run(
            lambda: material_needs(ctx.reader(), order), self.show_needs, lambda exc: self.show_error(message_for(exc))
        )

    def show_needs(self, needs: tuple[MaterialNeed, ...]) -> None:
        self.needs = needs
        self.proposal_note.setText(
            self.tr("The recipe's last step for this order, with scrap; pick a material to take it:")
            if needs
            else self.tr("The order's product has no recipe: type the batch and quantity.")
        )
        self.proposal.setVisible(bool(needs))
        self.proposal.setRowCount(len(needs))
        for r, need in enumerate(needs):
            values = (
                need.material_code,
                qty(need.planned, need.unit),
                qty(need.consumed, need.unit),
                qty(need.remaining, need.unit),
                "" if need.remaining else self.tr("all taken"),
            )
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c in (1, 2, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(need.material_name)
                self.proposal.setItem(r, c, item)
        self.proposal.resizeColumnsToContents()

    def propose(self) -> None:
        """The oldest usable batch of the material picked, where it lies, and what is still to take."""
        rows = self.proposal.selectionModel().selectedRows()
        if not rows:
            return
        need, ctx = self.needs[rows[0].row()], self.ctx
        self.ops.run(
            lambda: usable_stock(ctx.reader(), need.material_code),
            lambda stock: self._fill(need, stock),
            lambda exc: self.show_error(message_for(exc)),
        )

    def _fill(self, need: MaterialNeed, stock: tuple[UsableStock, ...]) -> None:
        if not stock:
            self.show_error(self.tr("There is no approved, unexpired stock of {0}.").format(need.material_code))
            return
        floors = set(self.lookups.current.warehouses_of(WarehouseKind.PRODUCTION.value))
        first = next((st for st in stock if st.warehouse_code in floors), stock[0])
        self.error.hide()
        self.batch.setText(first.batch_number)
        self.warehouse.setCurrentText(first.warehouse_code)
        take = min(need.remaining, first.quantity) if need.remaining else first.quantity
        self.quantity.setText(f"{take.normalize():f}")

    def unit_changed(self) -> None:
        unit = self.batch_unit
        self.quantity.setPlaceholderText(self.tr("in {0}").format(unit) if unit else self.tr("in the batch's unit"))

    def check(self) -> str | None:
        missing = self.batch_problem("Enter the input batch.")
        if missing:
            return missing
        if not self.warehouse.currentText().strip():
            return "Choose the warehouse."
        assert self.batch_unit is not None
        return self.quantity_problem(self.quantity.text(), self.batch_unit)

    def action(self) -> Callable[[], Any]:
        batch, wh, qty_ = self.batch.text(), self.warehouse.currentText(), self.quantity.text()
        return lambda: s.consume_batch(self.ctx.uow(), order=self.order, batch=batch, warehouse=wh, quantity=qty_)


class OutputDialog(_StockForm):
    def __init__(self, ctx: Context, ops: Ops, lookups: LiveLookups, order: str, parent: QWidget | None = None) -> None:
        super().__init__(f"Record output of {order}", ctx, ops, lookups, parent)
        self.order = order
        produced = CodePicker(lookups, lambda found: found.materials)
        self.material = self.add("material", "Produced material", produced)
        self.quantity = self.add("quantity", "Quantity", line())
        warehouse = self.warehouse_picker("output", WarehouseKind.FINISHED, WarehouseKind.PRODUCTION)
        self.warehouse = self.add("warehouse", "Into warehouse", warehouse)
        self.number = self.add("batch_number", "Batch number", line(placeholder=f"{order}-001 if left empty"))
        self.expiry = self.add("expiry_date", "Expiry", OptionalDate("expires on"))
        self.revalidate()

    def check(self) -> str | None:
        if not self.material.currentText().strip():
            return "Choose the produced material."
        if not self.warehouse.currentText().strip():
            return "Choose the warehouse."
        return self.material_problem(self.material.currentText(), self.quantity.text())

    def action(self) -> Callable[[], Any]:
        values: dict[str, Any] = {
            "material": self.material.currentText(),
            "quantity": self.quantity.text(),
            "warehouse": self.warehouse.currentText(),
            "number": self.number.text(),
            "expiry_date": self.expiry.value(),
        }
        return lambda: s.record_output(self.ctx.uow(), order=self.order, **values)
