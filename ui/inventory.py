"""The Inventory screen: stock per material and warehouse, and the batches behind a row."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
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
from app.dto import BalanceRow, InventoryRow
from domain.vocabulary import BatchStatus, MaterialKind
from ui.lookups import CodeFilter
from ui.screen import Host, Menu
from ui.stock import StockActions
from ui.tables import InventoryModel, day, qty
from ui.widgets import TableScreen
from ui.words import term_box, term_of


class InventoryScreen(TableScreen):
    WATCHES = frozenset({"stock_balances", "batches", "materials", "warehouses"})
    VIEWS = frozenset({"inventory"})

    def __init__(self, host: Host, stock: StockActions, parent: QWidget | None = None) -> None:
        ctx = host.ctx
        model = InventoryModel(
            host.ops,
            lambda f, s, d, o, n: q.inventory(ctx.reader(), f, sort=s, descending=d, offset=o, limit=n),
            q.InventoryFilter(),
        )
        super().__init__("inventory", model, host.ops, host.username, parent)
        self.host, self.stock = host, stock
        everywhere = self.tr("all warehouses")
        self.warehouse = self.add_filter("Warehouse", CodeFilter(host.lookups, "warehouses", everywhere))
        self.kind = self.add_filter("Kind", term_box(MaterialKind, self.tr("all kinds")))
        self.below = self.add_filter("", QCheckBox("Below reorder level only"))
        self.toolbar.addActions(stock.actions)
        self.activated.connect(self.show_batches)

    def title(self) -> str:
        return self.tr("&Inventory")

    def menus(self) -> list[Menu]:
        return [self.stock.menu()]

    def build_filter(self) -> q.InventoryFilter:
        return q.InventoryFilter(
            text=self.search.text() or None,
            warehouse=self.warehouse.currentData(),
            material_kind=self.kind.currentData(),
            below_reorder_only=self.below.isChecked(),
        )

    def show_view(self, view: str, filters: dict[str, Any]) -> None:
        """One material's stock in every warehouse (from the dashboard: an alert, a material short of stock)."""
        if filters.get("material"):
            self.show_material(str(filters["material"]))

    def show_material(self, key: str) -> None:
        """A material's stock in every warehouse, the other filters cleared."""
        for box in (self.warehouse, self.kind):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.below.blockSignals(True)
        self.below.setChecked(False)
        self.below.blockSignals(False)
        self.search.blockSignals(True)
        self.search.setText(key)
        self.search.blockSignals(False)
        self.model.loaded.connect(lambda: self._say_stock_of(key), Qt.ConnectionType.SingleShotConnection)
        self.apply_filter()

    def _say_stock_of(self, code: str) -> None:
        if self.model.total:
            self.host.say(self.tr("Stock of material {0}").format(code), 6000)
        else:  # a material with no stock is still a material: say so rather than show an empty table
            self.host.say(self.tr("Material {0}: none in stock in any warehouse").format(code), 10000)

    def show_batches(self, row: InventoryRow) -> None:
        """Drill down to the batches behind an inventory row (a material's row: in every warehouse)."""
        ctx = self.host.ctx
        self.ops.run(
            lambda: q.inventory_batches(ctx.reader(), material_id=row.material_id, warehouse_id=row.warehouse_id),
            lambda rows: self._show_behind(row, rows),
        )

    def _show_behind(self, row: InventoryRow, batches: tuple[BalanceRow, ...]) -> None:
        self.behind = BatchesBehindDialog(row, batches, self)
        self.behind.table.itemActivated.connect(
            lambda item: self.host.open_requested.emit("batch", batches[item.row()].batch_number)
        )
        self.behind.open()


class BatchesBehindDialog(QDialog):
    def __init__(self, row: InventoryRow, batches: tuple[BalanceRow, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        where = row.warehouse_code or self.tr("every warehouse")
        self.setWindowTitle(self.tr("{0} in {1}").format(row.material_name, where))
        self.resize(640, 380)
        table = self.table = QTableWidget(len(batches), 5, self)
        table.setObjectName("batchesBehind")
        table.setToolTip(self.tr("Double-click a batch (or press Enter) to open its page"))
        table.setHorizontalHeaderLabels(["Batch", self.tr("Warehouse"), "Quantity", "Quality", "Expiry"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, b in enumerate(batches):
            status = term_of(BatchStatus, b.status)
            values = (b.batch_number, b.warehouse_code, qty(b.quantity, b.unit), status, day(b.expiry_date))
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{len(batches)} batches, {qty(row.quantity, row.unit)} in all", self))
        layout.addWidget(table)
        layout.addWidget(buttons)
