"""The Customers screen: create, edit, archive or restore, and a customer's orders."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import queries as q
from app import services as s
from app.dto import CustomerRow, OrderRow
from app.permissions import denial_message
from domain.vocabulary import OrderStatus
from ui import forms
from ui.screen import Host, Menu
from ui.tables import CustomerModel, day, qty
from ui.widgets import TableScreen, combo
from ui.words import term_of


class CustomersScreen(TableScreen):
    WATCHES = frozenset({"customers", "production_orders"})
    SHOWS = frozenset({"customer"})

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        ctx = host.ctx
        model = CustomerModel(
            host.ops,
            lambda f, s, d, o, n: q.customers(ctx.reader(), f, sort=s, descending=d, offset=o, limit=n),
            q.CustomerFilter(),
        )
        super().__init__("customers", model, host.ops, host.username, parent)
        self.host = host
        self.archived = self.add_filter(
            "Show", combo([("active customers", False), ("archived customers", True), ("all customers", None)])
        )
        make = host.action
        self.entries = [
            make(self, "new_customer", self.tr("&New customer…"), "customer.edit", self.new_customer, "Ctrl+N"),
            make(self, "edit_customer", self.tr("&Edit customer…"), "customer.edit", self.edit_customer),
            make(self, "archive_customer", self.tr("&Archive / restore"), "customer.archive", self.archive_customer),
            make(self, "customer_orders", self.tr("Customer's &orders"), "read", self.customer_orders),
        ]
        self.toolbar.addActions(self.entries)
        self.activated.connect(self.edit_row)

    def title(self) -> str:
        return self.tr("C&ustomers")

    def menus(self) -> list[Menu]:
        return [(self.tr("&Customers"), list(self.entries))]

    def build_filter(self) -> q.CustomerFilter:
        return q.CustomerFilter(text=self.search.text() or None, archived=self.archived.currentData())

    def update_actions(self) -> None:
        """What needs a customer waits for one to be selected, and says so."""
        names = ("edit_customer", "archive_customer", "customer_orders")
        wait = self.tr("Select a customer first.")
        self.host.enable(dict.fromkeys(names, self.current_row() is not None), dict.fromkeys(names, wait))

    def selected_key(self, entity: str) -> str | None:
        row = self.current_row() if entity == "customer" else None
        return row.code if row is not None else None

    def show_record(self, entity: str, key: str) -> None:
        self.archived.setCurrentIndex(2)  # all customers: the one asked for may be archived
        self.search.setText(key)
        self.apply_filter()

    # ---------------------------------------------------------------- actions

    def _need_customer(self) -> CustomerRow | None:
        row = self.current_row()
        if row is None:
            self.host.say(self.tr("Select a customer first."), 6000)
        return row if isinstance(row, CustomerRow) else None

    def new_customer(self) -> forms.CustomerDialog:
        dialog = forms.CustomerDialog(self.host.ctx, self.ops, None, self)
        return self.host.open_form(dialog, self.tr("Customer created"))

    def edit_customer(self) -> forms.CustomerDialog | None:
        return self.edit_row(self.current_row())

    def edit_row(self, row: CustomerRow | None) -> forms.CustomerDialog | None:
        if row is None:
            self.host.say(self.tr("Select a customer first."), 6000)
            return None
        if not self.host.may("customer.edit"):
            self.host.say(denial_message("customer.edit"), 6000)
            return None
        dialog = forms.CustomerDialog(self.host.ctx, self.ops, row, self)
        return self.host.open_form(dialog, self.tr("Customer {0} saved").format(row.code))

    def archive_customer(self) -> None:
        row = self._need_customer()
        if row is None:
            return
        ctx = self.host.ctx
        done = self.tr("Customer {0} restored") if row.archived else self.tr("Customer {0} archived")
        self.host.run(
            lambda: s.set_customer_archived(
                ctx.uow(), code=row.code, archived=not row.archived, expected_version=row.version
            ),
            done.format(row.code),
            self,
        )

    def customer_orders(self) -> None:
        row = self._need_customer()
        if row is None:
            return
        ctx = self.host.ctx
        self.ops.run(
            lambda: q.orders(ctx.reader(), q.OrderFilter(customer=row.code), limit=1000),
            lambda page: self._show_orders(row, page.rows),
        )

    def _show_orders(self, customer: CustomerRow, orders: tuple[OrderRow, ...]) -> None:
        self.orders_dialog = OrdersDialog(customer, orders, self)
        self.orders_dialog.open()


class OrdersDialog(QDialog):
    """A customer's orders and where each of them stands."""

    def __init__(self, customer: CustomerRow, orders: tuple[OrderRow, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Orders of {customer.name}")
        self.resize(820, 420)
        headers = ["Order", "Product", "Quantity", "Due", "Status", "Line"]
        self.table = QTableWidget(len(orders), len(headers), self)
        self.table.setObjectName("customerOrders")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, o in enumerate(orders):
            values = (
                o.number,
                f"{o.product_code} {o.product_name}",
                qty(o.quantity, o.unit),
                day(o.due_date),
                term_of(OrderStatus, o.status),
                o.line_code or "",
            )
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{customer.code} · {len(orders)} orders", self))
        layout.addWidget(self.table)
        layout.addWidget(buttons)
