"""Read-only dialogs opened from the screens."""

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

from app.dto import CustomerRow, OrderRow
from ui.tables import day, qty, status_text


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
                o.product_spec,
                qty(o.quantity, o.unit),
                day(o.due_date),
                status_text(o.status),
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
