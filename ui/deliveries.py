"""Deliveries in the client: the delivery form, the delivery note, a delivery traced back to its suppliers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app import order_book as ob
from app import services as s
from app import validation as v
from app.context import Context
from app.dto import OrderListRow, TraceNode, UsableStock
from app.errors import ValidationError
from app.formatting import day
from app.formatting import quantity as qty
from app.services.trace import trace_delivery
from domain.vocabulary import OrderStatus
from reports.registry import by_key
from ui.ops import Ops, message_for
from ui.printing import PreviewDialog, run_with_progress, words, write_report
from ui.screen import Host
from ui.widgets import FormDialog
from ui.words import of, term


class DeliveryDialog(FormDialog):
    """Deliver approved stock of the order's product to its customer: how much of which batch, from where."""

    def __init__(
        self, ctx: Context, ops: Ops, order: OrderListRow, stock: tuple[UsableStock, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(self.tr("Deliver order {0} to {1}").format(order.number, order.customer_name), ops, parent)
        self.setObjectName("deliveryForm")
        self.setMinimumWidth(760)
        self.ctx, self.order, self.stock = ctx, order, stock
        left = max(order.quantity - order.delivered, Decimal(0))
        summary = QLabel(
            self.tr("{0} — ordered {1}, delivered so far {2}, still to deliver {3}").format(
                f"{order.product_code} {order.product_name}",
                qty(order.quantity, order.unit),
                qty(order.delivered, order.unit),
                qty(left, order.unit),
            ),
            self,
        )
        summary.setWordWrap(True)
        self.form.addRow(summary)
        headers = [self.tr("Batch"), self.tr("Warehouse"), self.tr("Available"), self.tr("Expiry"),
                   self.tr("Made by order"), self.tr("Deliver")]  # fmt: skip
        self.table = QTableWidget(len(stock), len(headers), self)
        self.table.setObjectName("deliveryLines")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.amounts: list[QLineEdit] = []
        for r, row in enumerate(stock):
            cells = (row.batch_number, row.warehouse_code, qty(row.quantity, row.unit), day(row.expiry_date),
                     row.made_by_order or "")  # fmt: skip
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if c == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
            amount = QLineEdit(self.table)
            amount.setPlaceholderText(row.unit)
            amount.setAlignment(Qt.AlignmentFlag.AlignRight)
            amount.textChanged.connect(lambda _t: self.revalidate())
            self.table.setCellWidget(r, 5, amount)
            self.amounts.append(amount)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(5, 120)
        self.table.setMinimumHeight(220)
        self.fields["lines"] = self.table
        self.form.addRow(self.table)
        if not stock:
            self.form.addRow(QLabel(self.tr("There is no approved, unexpired stock of this product to deliver."), self))
        fill = QPushButton(self.tr("&Fill up to the order"), self)
        fill.setObjectName("fillDelivery")
        fill.clicked.connect(self.fill_up)
        clear = QPushButton(self.tr("&Clear"), self)
        clear.clicked.connect(self.clear)
        bar = QHBoxLayout()
        bar.addWidget(fill)
        bar.addWidget(clear)
        bar.addStretch(1)
        self.form.addRow(bar)
        self.note = self.add("note", self.tr("Note"), QLineEdit(self))
        self.note.setPlaceholderText(self.tr("lorry, driver, the customer's reference…"))
        self.ok.setText(self.tr("Deliver"))
        self.revalidate()

    def clear(self) -> None:
        for amount in self.amounts:
            amount.clear()

    def fill_up(self) -> None:
        """Propose what is still to deliver, from the batches in the order shown (the order's own first)."""
        left = max(self.order.quantity - self.order.delivered, Decimal(0))
        for row, amount in zip(self.stock, self.amounts, strict=True):
            take = min(left, row.quantity)
            amount.setText(f"{take.normalize():f}" if take > 0 else "")
            left -= take

    def _lines(self) -> list[s.DeliveryItem]:
        return [
            s.DeliveryItem(row.batch_number, row.warehouse_code, amount.text().strip())
            for row, amount in zip(self.stock, self.amounts, strict=True)
            if amount.text().strip()
        ]

    def check(self) -> str | None:
        lines = self._lines()
        if not lines:
            return self.tr("Enter how much of at least one batch goes.")
        for row, amount in zip(self.stock, self.amounts, strict=True):
            text = amount.text().strip()
            if not text:
                continue
            try:
                wanted = v.quantity(text, row.unit)
            except ValidationError as exc:
                return f"{row.batch_number}: {exc}"
            if wanted > row.quantity:
                return self.tr("{0} has only {1} in {2}.").format(
                    row.batch_number, qty(row.quantity, row.unit), row.warehouse_code
                )
        return None

    def action(self) -> Callable[[], Any]:
        ctx, order, lines, note = self.ctx, self.order.number, self._lines(), self.note.text()
        return lambda: s.deliver(ctx.uow(), order=order, lines=lines, note=note)


class DeliveryActions(QObject):
    """Deliver the selected order, print a delivery note, trace a delivery back: the Orders screen's actions."""

    def __init__(self, host: Host, screen: Any) -> None:
        super().__init__(screen)
        self.host, self.screen = host, screen
        make = host.action
        self.deliver_action = make(
            self, "deliver", self.tr("&Deliver…"), "stock.deliver", self.deliver_selected, "Ctrl+Shift+D"
        )
        self.note_action = make(
            self, "delivery_note", self.tr("Print delivery &note…"), "stock.deliver", self.note_for_selected
        )
        self.entries: list[Any] = [self.deliver_action, self.note_action]

    def _selected(self) -> OrderListRow | None:
        order = self.screen.selected_order()
        if order is None:
            self.host.say(self.tr("Select an order on the Orders screen first."), 6000)
        return order if isinstance(order, OrderListRow) else None

    def deliver_selected(self) -> None:
        order = self._selected()
        if order is not None:
            self.deliver_order(order.number)

    def deliver_order(self, number: str) -> None:
        ctx = self.host.ctx
        self.host.ops.run(
            lambda: (ob.order_row(ctx.reader(), number), ob.deliverable(ctx.reader(), number)),
            lambda found: self._open_form(*found),
            lambda exc: self.host.say(message_for(exc)),
        )

    def _open_form(self, order: OrderListRow, stock: tuple[UsableStock, ...]) -> None:
        status = of(OrderStatus, order.status)
        if not status.may_deliver:
            self.host.say(
                self.tr("Order {0} is {1}; only what a running or finished order made is delivered.").format(
                    order.number, term(status)
                ),
                8000,
            )
            return
        self.form = DeliveryDialog(self.host.ctx, self.host.ops, order, stock, self.screen)
        self.form.succeeded.connect(self._delivered)
        self.form.conflicted.connect(self.host.wrote)
        self.form.open()

    def _delivered(self, number: str) -> None:
        self.host.say(self.tr("Delivery {0} saved; its delivery note is being prepared").format(number))
        self.host.wrote.emit()
        self.print_note(number)

    def note_for_selected(self) -> None:
        order = self._selected()
        if order is None:
            return
        ctx = self.host.ctx

        def latest() -> str | None:
            rows = ob.deliveries(ctx.reader(), ob.DeliveryFilter(order=order.number), limit=1).rows
            return rows[0].number if rows else None

        def show(number: str | None) -> None:
            if number is None:
                self.host.say(self.tr("Nothing of order {0} has been delivered yet.").format(order.number), 6000)
            else:
                self.print_note(number)

        self.host.ops.run(latest, show, lambda exc: self.host.say(message_for(exc)))

    def print_note(self, number: str) -> None:
        """Prepare the delivery note on a worker and preview it, ready to print or save."""
        report, ctx = by_key("delivery"), self.host.ctx
        self.progress = run_with_progress(
            self.screen,
            self.host.ops,
            words(report.title),
            None,
            lambda progress: write_report(report, report.gather(ctx, {"delivery": number}), progress),
            lambda path: self._preview(number, path),
        )

    def _preview(self, number: str, path: Path) -> None:
        self.last_note = path
        self.preview = PreviewDialog(path, self.tr("Delivery note {0}").format(number), self.screen)
        self.preview.open()

    def trace_back(self, number: str) -> None:
        ctx = self.host.ctx
        self.host.ops.run(
            lambda: trace_delivery(ctx.reader(), number=number),
            self._show_trace,
            lambda exc: self.host.say(message_for(exc)),
        )

    def _show_trace(self, root: TraceNode) -> None:
        from ui.batches import TraceDialog

        title = self.tr("Trace delivery {0} back to its suppliers").format(root.key)
        self.trace_dialog = TraceDialog(self.host, root.key, root, None, self.screen, title)
        self.trace_dialog.open()

    def open_delivery(self, number: str) -> None:
        """A journal entry about a delivery: show where it came from."""
        self.trace_back(number)
