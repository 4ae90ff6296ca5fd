"""The recall question on one screen: who got anything made from this batch, and what of it is still here."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.dto import Recall
from app.formatting import day, moment
from app.formatting import quantity as qty
from app.services.trace import recall
from domain.vocabulary import BatchStatus
from reports.registry import by_key
from ui.ops import message_for
from ui.printing import PreviewDialog, run_with_progress, words, write_report
from ui.screen import Host
from ui.widgets import set_alert
from ui.words import term_of


def _fill(table: QTableWidget, rows: list[tuple[str, ...]], right: set[int]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            item = QTableWidgetItem(text)
            if c in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def _table(parent: QWidget, name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class RecallDialog(QDialog):
    """Type or scan a batch: the customers to call, every delivery that carried it onwards, and the stock to hold."""

    def __init__(self, host: Host, number: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.found: Recall | None = None
        self.setObjectName("recall")
        self.setWindowTitle(self.tr("Recall: who got anything made from a batch"))
        self.resize(1040, 620)
        self.batch = QLineEdit(number, self)
        self.batch.setObjectName("recallBatch")
        self.batch.setPlaceholderText(self.tr("scan or type the batch number"))
        self.batch.returnPressed.connect(self.ask)
        find = QPushButton(self.tr("&Find"), self)
        find.clicked.connect(self.ask)
        self.summary = QLabel(self.tr("Which batch is recalled?"), self)
        self.summary.setObjectName("recallSummary")
        self.summary.setWordWrap(True)
        self.customers = _table(
            self,
            "recallCustomers",
            [
                self.tr("Customer"),
                self.tr("Name"),
                self.tr("Contact"),
                self.tr("Phone"),
                self.tr("E-mail"),
                self.tr("Deliveries"),
                self.tr("Quantity"),
                self.tr("Last delivered"),
            ],  # fmt: skip
        )
        self.deliveries = _table(
            self,
            "recallDeliveries",
            [
                self.tr("Delivered"),
                self.tr("Delivery"),
                self.tr("Customer"),
                self.tr("Order"),
                self.tr("Batch"),
                self.tr("Material"),
                self.tr("Quantity"),
                self.tr("Steps on"),
            ],  # fmt: skip
        )
        self.in_plant = _table(
            self,
            "recallInPlant",
            [self.tr("Batch"), self.tr("Material"), self.tr("Warehouse"), self.tr("Quantity"), self.tr("Quality")],
        )
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.customers, self.tr("Customers"))
        self.tabs.addTab(self.deliveries, self.tr("Deliveries"))
        self.tabs.addTab(self.in_plant, self.tr("Still in the plant"))
        self.print_button = QPushButton(self.tr("&Print recall report…"), self)
        self.print_button.setObjectName("recallPrint")
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_report)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Batch"), self))
        top.addWidget(self.batch, 1)
        top.addWidget(find)
        bottom = QHBoxLayout()
        bottom.addWidget(self.print_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        if number:
            self.ask()

    def ask(self) -> None:
        number = self.batch.text().strip()
        if not number:
            self.summary.setText(self.tr("Enter the batch number."))
            return
        ctx = self.host.ctx
        self.summary.setText(self.tr("Following batch {0} forward…").format(number))
        set_alert(self.summary, False)
        self.host.ops.run(lambda: recall(ctx.reader(), number=number), self.show_recall, self._failed)

    def _failed(self, exc: Exception) -> None:
        self.summary.setText(message_for(exc))
        set_alert(self.summary, True)

    def show_recall(self, found: Recall) -> None:
        self.found = found
        if found.customers:
            text = self.tr(
                "Batch {0} ({1}, from {2}) went through {3} order(s) into {4} batch(es); "
                "{5} delivery line(s) took it to {6} customer(s)."
            ).format(found.batch_number, found.material_name, found.origin, found.orders_reached,
                     found.batches_reached, len(found.deliveries), len(found.customers))  # fmt: skip
        else:
            text = self.tr("Nothing made from batch {0} ({1}) has left the plant.").format(
                found.batch_number, found.material_name
            )
        self.summary.setText(text)
        set_alert(self.summary, bool(found.customers))
        _fill(
            self.customers,
            [
                (
                    c.code,
                    c.name,
                    c.contact or "",
                    c.phone or "",
                    c.email or "",
                    str(c.deliveries),
                    ", ".join(qty(amount, unit) for unit, amount in c.amounts),
                    day(c.last_delivered_at.astimezone().date()),
                )
                for c in found.customers
            ],  # fmt: skip
            {5, 6},
        )
        _fill(
            self.deliveries,
            [
                (
                    moment(d.delivered_at),
                    d.delivery_number,
                    d.customer_name,
                    d.order_number,
                    d.batch_number,
                    d.material_name,
                    qty(d.quantity, d.unit),
                    str(d.steps),
                )
                for d in found.deliveries
            ],  # fmt: skip
            {6, 7},
        )
        _fill(
            self.in_plant,
            [
                (
                    st.batch_number,
                    st.material_name,
                    st.warehouse_code,
                    qty(st.quantity, st.unit),
                    term_of(BatchStatus, st.status),
                )
                for st in found.in_plant
            ],  # fmt: skip
            {3},
        )
        self.tabs.setTabText(0, self.tr("Customers ({0})").format(len(found.customers)))
        self.tabs.setTabText(1, self.tr("Deliveries ({0})").format(len(found.deliveries)))
        self.tabs.setTabText(2, self.tr("Still in the plant ({0})").format(len(found.in_plant)))
        self.print_button.setEnabled(self.host.may(by_key("recall").permission))

    def print_report(self) -> None:
        if self.found is None:
            return
        report, ctx, number = by_key("recall"), self.host.ctx, self.found.batch_number
        self.progress = run_with_progress(
            self,
            self.host.ops,
            words(report.title),
            None,
            lambda progress: write_report(report, report.gather(ctx, {"batch": number}), progress),
            self._preview,
        )

    def _preview(self, path: Path) -> None:
        self.last_report = path
        self.preview = PreviewDialog(path, words(by_key("recall").title), self)
        self.preview.open()
