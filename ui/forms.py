"""The plant's forms. Each checks its input as it is typed with the same rules the
service applies, and shows the service's own message when it refuses."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QEvent, Qt, QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
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
    QPushButton,
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
from app.permissions import allowed
from app.queries import entity_key
from app.scan import read_label
from domain.vocabulary import CODE_LEN, NAME_LEN, PRIORITIES, QT_TRANSLATE_NOOP, Unit, WarehouseKind
from ui.lookups import CodePicker, LiveLookups
from ui.ops import Ops, message_for
from ui.widgets import FormDialog, settings
from ui.words import term_of


def line(text: str = "", placeholder: str = "", parent: QWidget | None = None) -> QLineEdit:
    edit = QLineEdit(text, parent)
    edit.setPlaceholderText(placeholder)
    return edit


class QuantityEdit(QLineEdit):
    """A quantity with its unit written beside the number, inside the field: "1250.5 kg".

    The unit is the one the thing moved is counted in (the material's, the batch's, the order's); until
    it is known the field says so. A unit typed after the number is checked against it (app.validation).
    """

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.unit_label = QLabel(self)
        self.unit_label.setObjectName("unitSuffix")
        self.unit_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.unit_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._unit: str | None = None
        self.set_unit(None)
        self.textChanged.connect(self._show_unit)

    def unit(self) -> str | None:
        return self._unit

    def set_unit(self, unit: str | None) -> None:
        """Show the unit beside the number; None: the unit is not known yet."""
        self._unit = unit
        self.unit_label.setText(term_of(Unit, unit) if unit in Unit.values() else (unit or "—"))
        self.unit_label.setToolTip(
            self.tr("Counted in {0}").format(unit) if unit else self.tr("The unit follows from what is chosen above")
        )
        self._place_unit()

    def _show_unit(self, text: str = "") -> None:
        """A unit typed after the number stands for itself: the one beside it would say it twice."""
        words = (text or self.text()).split()
        typed = len(words) > 1 and words[-1] == self._unit
        self.unit_label.setVisible(not typed)
        self.setTextMargins(0, 0, 0 if typed else self.unit_label.width(), 0)

    def _place_unit(self) -> None:
        gap = self.fontMetrics().horizontalAdvance(" ")
        width = self.unit_label.fontMetrics().horizontalAdvance(self.unit_label.text()) + 2 * gap
        self.setTextMargins(0, 0, width, 0)
        self.unit_label.setContentsMargins(gap, 0, gap, 0)
        self.unit_label.setGeometry(self.width() - width - 3, 0, width, self.height())
        self._show_unit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the unit at the right end of the field."""
        super().resizeEvent(event)
        self._place_unit()

    def changeEvent(self, event: QEvent) -> None:
        """A larger font (the workstation's zoom) makes room for the unit again."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._place_unit()


def next_number(number: str) -> str:
    """The number of the next pallet of a delivery, counting on the trailing digits: R2611-00685 → R2611-00686."""
    found = re.search(r"(\d+)$", number.strip())
    if found is None:
        return ""
    digits = found.group(1)
    return number.strip()[: found.start()] + str(int(digits) + 1).zfill(len(digits))


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

    def set_value(self, value: date | None) -> None:
        self.enabled.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))


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

    # ---------------------------------------------------------------- pickers that remember

    def remembered(self, form: str, field: str, table: str, *fallback: str) -> CodePicker:
        """A picker that starts at this user's last choice in this form (else the first of `fallback`)."""
        key = f"{self.ctx.user.username}/last/{form}/{field}"
        if table == "warehouses" and field in ("warehouse", "from_warehouse"):
            key = f"{self.ctx.user.username}/last_warehouse/{form}"  # the key users' settings already hold
        codes = self.lookups.current.codes(table)
        last = settings().value(key)
        choices = [last] if isinstance(last, str) and last in codes else []
        choices += [code for code in fallback if code in codes]
        picker = CodePicker(self.lookups, table, choices[0] if choices else None, self)
        self.succeeded.connect(lambda _result: settings().setValue(key, picker.code()))
        return picker

    def warehouse_picker(self, form: str, *kinds: WarehouseKind) -> CodePicker:
        """A warehouse picker that starts at the user's last choice in this form, else the first of these kinds."""
        return self.remembered(
            form, "warehouse", "warehouses", *self.lookups.current.warehouses_of(*(kind.value for kind in kinds))
        )

    # ---------------------------------------------------------------- units

    def material_unit(self, material: str) -> str | None:
        return self.lookups.current.units.get(material.strip())

    def follow_material(self, picker: CodePicker, quantity: QuantityEdit) -> None:
        """Write the chosen material's unit beside the quantity, now and whenever the choice changes."""

        def chosen(*_args: Any) -> None:
            quantity.set_unit(self.material_unit(picker.code()))

        picker.currentTextChanged.connect(chosen)
        self.lookups.changed.connect(chosen)
        chosen()

    def follow_batch(self, edit: QLineEdit, unit: str | None = None) -> None:
        """Look up the unit of the batch typed in `edit` (`unit`: already known for the batch it holds)."""
        self._batch, self.batch_unit = edit, unit if edit.text().strip() else None
        edit.textChanged.connect(self._batch_typed)
        edit.editingFinished.connect(self._batch_entered)

    def _batch_entered(self) -> None:
        """A batch label's QR code scanned into the field (MPS1|batch|material) becomes its batch number."""
        if self._batch is None:
            return
        entity, number = read_label(self._batch.text())
        if entity == "batch":
            self._batch.setText(number)

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


@dataclass(frozen=True)
class Pallet:
    """A pallet just received: what the form for the next pallet of the same delivery starts from."""

    number: str
    material: str
    supplier: str
    warehouse: str
    expiry: date | None
    note: str
    count: int  # pallets of this delivery received so far


class ReceiveDialog(_StockForm):
    """A pallet of a delivery: the batch number from the supplier's label, what it is, how much, where it goes.

    "Receive and print label" prints the new batch's label where this workstation prints labels; with
    "Next pallet follows" ticked the form comes back for the next pallet, keeping supplier and material.
    """

    def __init__(
        self, ctx: Context, ops: Ops, lookups: LiveLookups, parent: QWidget | None = None, after: Pallet | None = None
    ) -> None:
        title = QCoreApplication.translate("ReceiveDialog", "Receive a delivery")
        if after is not None:
            title = QCoreApplication.translate("ReceiveDialog", "Receive a delivery — pallet {0}").format(
                after.count + 1
            )
        super().__init__(title, ctx, ops, lookups, parent)
        self.after = after
        self.sent: Pallet | None = None
        self.number = self.add(
            "batch_number", self.tr("Batch number"), line(placeholder=self.tr("scan or type the supplier's number"))
        )
        self.material = self.add("material", self.tr("Material"), self.remembered("receive", "material", "materials"))
        self.supplier = self.add("supplier", self.tr("Supplier"), self.remembered("receive", "supplier", "suppliers"))
        warehouse = self.warehouse_picker("receive", WarehouseKind.RAW_MATERIALS)
        self.warehouse = self.add("warehouse", self.tr("Into warehouse"), warehouse)
        self.quantity = self.add("quantity", self.tr("Quantity"), QuantityEdit(self.tr("e.g. 1250.5")))
        self.expiry = self.add("expiry_date", self.tr("Expiry"), OptionalDate(self.tr("expires on")))
        self.expiry_hint = QLabel(self)
        self.expiry_hint.setObjectName("fieldHint")
        self.expiry_hint.setWordWrap(True)
        self.form.addRow("", self.expiry_hint)
        self.form.setRowVisible(self.expiry_hint, False)
        self.note = self.add("note", self.tr("Note"), line(placeholder=self.tr("delivery note, pallet count…")))
        self.next_pallet = QCheckBox(self.tr("&Next pallet of this delivery follows"), self)
        self.form.addRow("", self.next_pallet)
        self._proposing = False
        self._expiry_chosen = False  # the clerk set the expiry: a material chosen later does not overwrite it
        self.expiry.dateChanged.connect(self._expiry_touched)
        self.expiry.toggled.connect(self._expiry_touched)
        self.material.currentTextChanged.connect(lambda _text: self.propose_expiry())
        self.follow_material(self.material, self.quantity)
        self.ok.setText(self.tr("&Receive"))
        self.print_button: QPushButton | None = None
        if allowed(ctx.user.role, "label.print"):
            self.print_button = self.add_submit(self.tr("Receive and print &label"))
            if settings().value(self._print_key(), False) in (True, "true"):
                self.print_button.setDefault(True)
        if after is not None:
            self._continue(after)
        else:
            self.propose_expiry()
        self.revalidate()

    def showEvent(self, event: QShowEvent) -> None:
        """The next pallet's form opens on its batch number, the guess selected so that a scan replaces it."""
        super().showEvent(event)
        if self.after is not None:
            self.number.setFocus(Qt.FocusReason.OtherFocusReason)
            self.number.selectAll()

    def _print_key(self) -> str:
        return f"{self.ctx.user.username}/receive/print_label"

    def _continue(self, after: Pallet) -> None:
        """The next pallet of the same delivery: same supplier, material, warehouse, expiry and note."""
        self.supplier.set_code(after.supplier)
        self.material.set_code(after.material)
        self.warehouse.set_code(after.warehouse)
        self.note.setText(after.note)
        self._proposing = True
        self.expiry.set_value(after.expiry)
        self._proposing = False
        self._expiry_chosen = True
        self.next_pallet.setChecked(True)
        self.number.setText(next_number(after.number))
        self.number.selectAll()  # a scan replaces the guess
        self._hint(self.tr("Pallet {0} received as batch {1}.").format(after.count, after.number))

    def _expiry_touched(self, *_args: Any) -> None:
        if not self._proposing:
            self._expiry_chosen = True

    def propose_expiry(self) -> None:
        """The expiry the material's shelf life gives from today, unless the clerk set one."""
        days = self.lookups.current.shelf_lives.get(self.material.code())
        if self._expiry_chosen:
            return
        if not days:
            self._hint("")
            return
        self._proposing = True
        self.expiry.set_value(date.today() + timedelta(days=days))
        self._proposing = False
        self._hint(self.tr("Proposed from the material's shelf life of {0} days.").format(days))

    def _hint(self, text: str) -> None:
        self.expiry_hint.setText(text)
        self.form.setRowVisible(self.expiry_hint, bool(text))

    def check(self) -> str | None:
        for name, text in (
            ("batch number", self.number.text()),
            ("material", self.material.code()),
            ("supplier", self.supplier.code()),
            ("warehouse", self.warehouse.code()),
        ):
            if not text.strip():
                return f"Enter the {name}."
        return self.material_problem(self.material.code(), self.quantity.text())

    def action(self) -> Callable[[], Any]:
        args: dict[str, Any] = {
            "number": self.number.text(),
            "material": self.material.code(),
            "supplier": self.supplier.code(),
            "quantity": self.quantity.text(),
            "warehouse": self.warehouse.code(),
            "expiry_date": self.expiry.value(),
            "note": self.note.text(),
        }
        count = self.after.count + 1 if self.after is not None else 1
        self.sent = Pallet(
            args["number"].strip(),
            args["material"],
            args["supplier"],
            args["warehouse"],
            args["expiry_date"],
            args["note"],
            count,
        )
        if self.print_button is not None:
            settings().setValue(self._print_key(), self.submitted_with is self.print_button)
        return lambda: s.receive_batch(self.ctx.uow(), **args)

    def wants_label(self) -> bool:
        return self.print_button is not None and self.submitted_with is self.print_button


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
            CodePicker(lookups, "warehouses", warehouse),
        )
        if kind == "transfer":
            self.target = self.add("to_warehouse", "To warehouse", CodePicker(lookups, "warehouses"))
        self.quantity = self.add(
            "change" if kind == "adjust" else "quantity",
            "Change (+ found, − missing)" if kind == "adjust" else "Quantity",
            QuantityEdit("e.g. -2.5" if kind == "adjust" else "e.g. 100"),
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
        self.quantity.set_unit(self.batch_unit)

    def check(self) -> str | None:
        missing = self.batch_problem("Enter the batch.")
        if missing:
            return missing
        if not self.source.code():
            return "Choose the warehouse."
        if self.kind == "transfer":
            if not self.target.code():
                return "Choose where the stock goes."
            if self.target.code() == self.source.code():
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
            self.source.code(),
            self.quantity.text(),
            self.reason.text(),
        )
        if self.kind == "transfer":
            target = self.target.code()
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
        customers = CodePicker(lookups, "customers", e.customer_code if e else None)
        self.customer = self.add("customer", self.tr("Customer"), customers)
        products = CodePicker(lookups, "products", e.product_code if e else None)
        self.product = self.add("product", self.tr("Product"), products)
        amount = QuantityEdit()
        amount.setText(f"{e.quantity.normalize():f}" if e else "")
        self.quantity = self.add("quantity", self.tr("Quantity"), amount)
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
        code = self.product.code()
        unit = self.lookups.current.product_units.get(code)
        self.quantity.set_unit(unit)
        chosen = self.line.currentData()
        self.line.blockSignals(True)
        self.line.clear()
        self.line.addItem(QCoreApplication.translate("OrderDialog", self.BACKLOG), None)
        for code_ in self.lookups.current.lines_for(code):
            self.line.addItem(code_, code_)
        self.line.setCurrentIndex(max(self.line.findData(chosen), 0) if chosen else 0)
        self.line.blockSignals(False)

    def check(self) -> str | None:
        if not self.customer.code():
            return self.tr("Choose the customer.")
        product = self.product.code()
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
            "customer": self.customer.code(),
            "product": self.product.code(),
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
        self.quantity = self.add("quantity", self.tr("Quantity"), QuantityEdit())
        self.follow_batch(self.batch)
        self.revalidate()
        self.ops.run(lambda: material_needs(ctx.reader(), order), self.show_needs, self._needs_unknown)

    def _needs_unknown(self, exc: Exception) -> None:
        """The recipe could not be read: the form says why, and no longer that it is reading."""
        self.proposal_note.hide()
        self.proposal.hide()
        self.show_error(message_for(exc))

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
        self.warehouse.set_code(first.warehouse_code)
        take = min(need.remaining, first.quantity) if need.remaining else first.quantity
        self.quantity.setText(f"{take.normalize():f}")

    def unit_changed(self) -> None:
        self.quantity.set_unit(self.batch_unit)

    def check(self) -> str | None:
        missing = self.batch_problem("Enter the input batch.")
        if missing:
            return missing
        if not self.warehouse.code():
            return "Choose the warehouse."
        assert self.batch_unit is not None
        return self.quantity_problem(self.quantity.text(), self.batch_unit)

    def action(self) -> Callable[[], Any]:
        batch, wh, qty_ = self.batch.text(), self.warehouse.code(), self.quantity.text()
        return lambda: s.consume_batch(self.ctx.uow(), order=self.order, batch=batch, warehouse=wh, quantity=qty_)


class OutputDialog(_StockForm):
    def __init__(self, ctx: Context, ops: Ops, lookups: LiveLookups, order: str, parent: QWidget | None = None) -> None:
        super().__init__(f"Record output of {order}", ctx, ops, lookups, parent)
        self.order = order
        produced = self.remembered("output", "material", "materials")
        self.material = self.add("material", "Produced material", produced)
        self.quantity = self.add("quantity", "Quantity", QuantityEdit())
        self.follow_material(self.material, self.quantity)
        warehouse = self.warehouse_picker("output", WarehouseKind.FINISHED, WarehouseKind.PRODUCTION)
        self.warehouse = self.add("warehouse", self.tr("Into warehouse"), warehouse)
        self.number = self.add("batch_number", "Batch number", line(placeholder=f"{order}-001 if left empty"))
        self.expiry = self.add("expiry_date", "Expiry", OptionalDate("expires on"))
        self.revalidate()

    def check(self) -> str | None:
        if not self.material.code():
            return "Choose the produced material."
        if not self.warehouse.code():
            return "Choose the warehouse."
        return self.material_problem(self.material.code(), self.quantity.text())

    def action(self) -> Callable[[], Any]:
        values: dict[str, Any] = {
            "material": self.material.code(),
            "quantity": self.quantity.text(),
            "warehouse": self.warehouse.code(),
            "number": self.number.text(),
            "expiry_date": self.expiry.value(),
        }
        return lambda: s.record_output(self.ctx.uow(), order=self.order, **values)
