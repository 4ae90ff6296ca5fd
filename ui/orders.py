"""The Orders screen: every order in one list, and each order's whole story, from created to delivered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import order_book as ob
from app import queries as q
from app.dto import OrderListRow, OrderStory
from app.formatting import day, moment
from app.formatting import quantity as qty
from domain.vocabulary import BatchStatus, OrderStatus
from ui.catalogue import ProductsDialog
from ui.deliveries import DeliveryActions
from ui.lookups import CodeFilter
from ui.ops import message_for
from ui.screen import Host, Menu
from ui.tables import OrderListModel
from ui.widgets import TableScreen, set_alert
from ui.words import journal_words, of, term, term_box, term_of


class OrdersScreen(TableScreen):
    """Every order in any status, paged, sorted and filtered in SQL; Enter opens an order's story."""

    WATCHES = frozenset({"production_orders", "deliveries", "delivery_lines", "products", "customers", "events"})
    SHOWS = frozenset({"order", "delivery"})

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        ctx = host.ctx
        model = OrderListModel(
            host.ops,
            lambda f, s, d, o, n: ob.order_list(ctx.reader(), f, sort=s, descending=d, offset=o, limit=n),
            q.OrderFilter(),
        )
        super().__init__("orders", model, host.ops, host.username, parent)
        self.host = host
        self.status = self.add_filter(self.tr("Status"), term_box(OrderStatus, self.tr("any status")))
        lookups = host.lookups
        self.customer = self.add_filter(
            self.tr("Customer"), CodeFilter(lookups, lambda found: found.customers, self.tr("any customer"))
        )
        self.product = self.add_filter(
            self.tr("Product"), CodeFilter(lookups, lambda found: found.products, self.tr("any product"))
        )
        self.line = self.add_filter(
            self.tr("Line"), CodeFilter(lookups, lambda found: found.lines, self.tr("any line"))
        )
        self.due_from = self._date_filter(self.tr("Due from"))
        self.due_to = self._date_filter(self.tr("to"))
        self.late = self.add_filter("", QCheckBox(self.tr("Late only"), self))
        self.late.setObjectName("lateOnly")
        self.deliveries = DeliveryActions(host, self)
        make = host.action
        self.open_action = make(self, "open_order", self.tr("&Open order"), "read", self.open_selected, "Ctrl+O")
        self.products_action = make(self, "products", self.tr("&Products and recipes…"), "read", self.open_products)
        self.entries = [self.open_action, None, *self.deliveries.entries, None, self.products_action]
        self.toolbar.addActions([self.open_action, *[a for a in self.deliveries.entries if a is not None]])
        self.activated.connect(self.open_order)

    def title(self) -> str:
        return self.tr("&Orders")

    def menus(self) -> list[Menu]:
        return [(self.tr("Or&ders"), list(self.entries))]

    def _date_filter(self, label: str) -> tuple[QCheckBox, QDateEdit]:
        check = QCheckBox(label, self)
        edit = QDateEdit(QDate.currentDate(), self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)
        check.toggled.connect(edit.setEnabled)
        self.add_filter("", check)
        self.add_filter("", edit)
        return check, edit

    @staticmethod
    def _date(pair: tuple[QCheckBox, QDateEdit]) -> date | None:
        check, edit = pair
        if not check.isChecked():
            return None
        d = edit.date()
        return date(d.year(), d.month(), d.day())

    def build_filter(self) -> q.OrderFilter:
        return q.OrderFilter(
            text=self.search.text() or None,
            status=self.status.currentData(),
            customer=self.customer.currentData(),
            product=self.product.currentData(),
            line=self.line.currentData(),
            due_from=self._date(self.due_from),
            due_to=self._date(self.due_to),
            late_only=self.late.isChecked(),
        )

    def selected_order(self) -> OrderListRow | None:
        row = self.current_row() if self.host.is_current(self) else None
        return row if isinstance(row, OrderListRow) else None

    def selected_key(self, entity: str) -> str | None:
        row = self.current_row()
        if not isinstance(row, OrderListRow):
            return None
        if entity == "order":
            return row.number
        return None

    def show_record(self, entity: str, key: str) -> None:
        if entity == "delivery":
            self.deliveries.open_delivery(key)
            return
        for box in (self.status, self.customer, self.product, self.line):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.search.blockSignals(True)
        self.search.setText(key)
        self.search.blockSignals(False)
        self.apply_filter()
        self.open_order_number(key)

    # ---------------------------------------------------------------- an order's story

    def open_selected(self) -> None:
        row = self.selected_order()
        if row is None:
            self.host.say(self.tr("Select an order on the Orders screen first."), 6000)
            return
        self.open_order(row)

    def open_order(self, row: OrderListRow) -> None:
        self.open_order_number(row.number)

    def open_order_number(self, number: str) -> None:
        ctx = self.host.ctx
        self.ops.run(
            lambda: ob.order_story(ctx.reader(), number),
            self._show_story,
            lambda exc: self.host.say(message_for(exc)),
        )

    def open_products(self) -> ProductsDialog:
        self.products_dialog = ProductsDialog(self.host, self)
        self.products_dialog.open()
        return self.products_dialog

    def _show_story(self, story: OrderStory) -> None:
        self.story_dialog = OrderStoryDialog(story, self.host, self.deliveries, self)
        self.story_dialog.open()


def _table(
    parent: QWidget, name: str, headers: list[str], rows: list[tuple[str, ...]], right: set[int]
) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            item = QTableWidgetItem(text)
            if c in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    return table


class OrderStoryDialog(QDialog):
    """One order from its creation to its last delivery: the journal, the batches in and out, the deliveries."""

    def __init__(
        self, story: OrderStory, host: Host, deliveries: DeliveryActions, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.story, self.host, self.delivery_actions = story, host, deliveries
        o = story.order
        self.setObjectName("orderStory")
        self.setWindowTitle(self.tr("Order {0} — {1}").format(o.number, o.product_name))
        self.resize(980, 640)
        layout = QVBoxLayout(self)
        layout.addLayout(self._facts(story))
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("storyTabs")
        self.journal = _table(
            self,
            "storyJournal",
            [self.tr("When"), self.tr("Who"), self.tr("What"), self.tr("Journal entry")],
            [(moment(e.occurred_at), e.username, journal_words(e.action), e.summary) for e in story.entries],
            set(),
        )
        self.tabs.addTab(self.journal, self.tr("Story ({0})").format(len(story.entries)))
        flows = [self.tr("Batch"), self.tr("Material"), self.tr("Quantity"), self.tr("Quality"), self.tr("When")]
        self.inputs = _table(self, "storyInputs", flows, [self._flow(f) for f in story.inputs], {2})
        self.tabs.addTab(self.inputs, self.tr("Consumed ({0})").format(len(story.inputs)))
        self.outputs = _table(self, "storyOutputs", flows, [self._flow(f) for f in story.outputs], {2})
        self.tabs.addTab(self.outputs, self.tr("Produced ({0})").format(len(story.outputs)))
        self.delivered = _table(
            self,
            "storyDeliveries",
            [
                self.tr("Delivery"),
                self.tr("Delivered"),
                self.tr("Lines"),
                self.tr("Quantity"),
                self.tr("By"),
                self.tr("Note"),
            ],
            [
                (d.number, moment(d.delivered_at), str(d.lines), qty(d.quantity, d.unit), d.username, d.note or "")
                for d in story.deliveries
            ],
            {2, 3},
        )
        self.tabs.addTab(self.delivered, self.tr("Deliveries ({0})").format(len(story.deliveries)))
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self._buttons())

    def _facts(self, story: OrderStory) -> QHBoxLayout:
        o = story.order
        left, right = QFormLayout(), QFormLayout()
        status = of(OrderStatus, o.status)
        left.addRow(self.tr("Customer"), QLabel(f"{o.customer_code} — {o.customer_name}", self))
        left.addRow(self.tr("Product"), QLabel(f"{o.product_code} — {o.product_name}", self))
        if o.note:
            left.addRow(self.tr("Note"), QLabel(o.note, self))
        left.addRow(self.tr("Status"), QLabel(term(status) + (f" · {o.line_code}" if o.line_code else ""), self))
        due = QLabel(day(o.due_date) + (self.tr("  — late") if o.late else ""), self)
        due.setObjectName("storyDue")
        set_alert(due, o.late)
        right.addRow(self.tr("Due"), due)
        right.addRow(self.tr("Created"), QLabel(moment(o.created_at), self))
        if o.finished_at:
            right.addRow(self.tr("Finished"), QLabel(moment(o.finished_at), self))
        self.progress = QProgressBar(self)
        self.progress.setObjectName("storyDelivered")
        self.progress.setRange(0, 1000)
        share = min(o.delivered / o.quantity, Decimal(1)) if o.quantity else Decimal(0)
        self.progress.setValue(int(share * 1000))
        self.progress.setFormat(
            self.tr("{0} of {1} delivered").format(qty(o.delivered, o.unit), qty(o.quantity, o.unit))
        )
        right.addRow(self.tr("Delivered"), self.progress)
        row = QHBoxLayout()
        row.addLayout(left, 3)
        row.addLayout(right, 2)
        return row

    def _flow(self, f: Any) -> tuple[str, ...]:
        return (f.batch_number, f"{f.material_code} — {f.material_name}", qty(f.quantity, f.unit),
                term_of(BatchStatus, f.status), moment(f.at))  # fmt: skip

    def _buttons(self) -> QHBoxLayout:
        o = self.story.order
        self.deliver_button = QPushButton(self.tr("&Deliver…"), self)
        self.deliver_button.setObjectName("storyDeliver")
        may_deliver = self.host.may("stock.deliver") and of(OrderStatus, o.status).may_deliver
        self.deliver_button.setEnabled(may_deliver)
        self.deliver_button.clicked.connect(lambda: self.delivery_actions.deliver_order(o.number))
        self.note_button = QPushButton(self.tr("Print delivery &note"), self)
        self.note_button.setObjectName("storyNote")
        self.note_button.setEnabled(self.host.may("stock.deliver") and bool(self.story.deliveries))
        self.note_button.clicked.connect(lambda: self.delivery_actions.print_note(self._chosen_delivery()))
        self.back_button = QPushButton(self.tr("Trace delivery &back"), self)
        self.back_button.setObjectName("storyTraceBack")
        self.back_button.setEnabled(bool(self.story.deliveries))
        self.back_button.clicked.connect(lambda: self.delivery_actions.trace_back(self._chosen_delivery()))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        for button in (self.deliver_button, self.note_button, self.back_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        return row

    def _chosen_delivery(self) -> str:
        """The delivery selected on the Deliveries tab, else the latest one."""
        rows = self.delivered.selectionModel().selectedRows()
        deliveries = self.story.deliveries
        return deliveries[rows[0].row()].number if rows else deliveries[-1].number

    def sections(self) -> dict[str, int]:
        """How many rows each tab shows (for tests and the desktop probe)."""
        return {
            "story": self.journal.rowCount(),
            "consumed": self.inputs.rowCount(),
            "produced": self.outputs.rowCount(),
            "deliveries": self.delivered.rowCount(),
        }
