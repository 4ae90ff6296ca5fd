"""The list screens: inventory, batches, events and customers, each with its filter bar."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import queries as q
from app.context import Context
from app.dto import BalanceRow, InventoryRow, TraceNode
from app.lookups import Lookups
from ui.ops import Ops
from ui.tables import BatchModel, CustomerModel, EventModel, InventoryModel, day, qty, status_text
from ui.widgets import TableScreen, combo

ANY = "any"


def _choices(label: str, values: tuple[str, ...]) -> list[tuple[str, Any]]:
    return [(label, None), *((v.replace("_", " "), v) for v in values)]


class InventoryScreen(TableScreen):
    WATCHES = frozenset({"stock_balances", "batches", "materials", "warehouses"})

    def __init__(self, ctx: Context, ops: Ops, lookups: Lookups, parent: QWidget | None = None) -> None:
        model = InventoryModel(
            ops,
            lambda f, s, d, o, n: q.inventory(ctx.reader(), f, sort=s, descending=d, offset=o, limit=n),
            q.InventoryFilter(),
        )
        super().__init__("inventory", model, ops, ctx.user.username, parent)
        self.ctx = ctx
        self.warehouse = self.add_filter("Warehouse", combo(_choices("all warehouses", lookups.warehouses)))
        kinds = ("granulate", "masterbatch", "ink", "adhesive", "solvent", "film", "bag", "core", "packaging")
        self.kind = self.add_filter("Kind", combo(_choices("all kinds", kinds)))
        self.below = self.add_filter("", QCheckBox("Below reorder level only"))
        self.activated.connect(self.show_batches)

    def build_filter(self) -> q.InventoryFilter:
        return q.InventoryFilter(
            text=self.search.text() or None,
            warehouse=self.warehouse.currentData(),
            material_kind=self.kind.currentData(),
            below_reorder_only=self.below.isChecked(),
        )

    def show_batches(self, row: InventoryRow) -> None:
        """Drill down to the batches behind an inventory row."""
        ctx = self.ctx
        self.ops.run(
            lambda: q.inventory_batches(ctx.reader(), material_id=row.material_id, warehouse_id=row.warehouse_id),
            lambda rows: BatchesBehindDialog(row, rows, self).open(),
        )


class BatchesBehindDialog(QDialog):
    def __init__(self, row: InventoryRow, batches: tuple[BalanceRow, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{row.material_name} in {row.warehouse_code}")
        self.resize(640, 380)
        table = QTableWidget(len(batches), 4, self)
        table.setObjectName("batchesBehind")
        table.setHorizontalHeaderLabels(["Batch", "Quantity", "Quality", "Expiry"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, b in enumerate(batches):
            for c, text in enumerate(
                (b.batch_number, qty(b.quantity, b.unit), status_text(b.status), day(b.expiry_date))
            ):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{len(batches)} batches, {qty(row.quantity, row.unit)} in all", self))
        layout.addWidget(table)
        layout.addWidget(buttons)


EXPIRY_WINDOWS = [
    ("any expiry", None),
    ("expired", "expired"),
    ("expiring within 30 days", 30),
    ("expiring within 90 days", 90),
]


class BatchesScreen(TableScreen):
    WATCHES = frozenset({"batches", "stock_balances", "materials", "suppliers", "production_orders"})

    def __init__(self, ctx: Context, ops: Ops, lookups: Lookups, parent: QWidget | None = None) -> None:
        model = BatchModel(
            ops,
            lambda f, s, d, o, n: q.batches(ctx.reader(), f, sort=s, descending=d, offset=o, limit=n),
            q.BatchFilter(),
        )
        super().__init__("batches", model, ops, ctx.user.username, parent)
        self.status = self.add_filter("Quality", combo(_choices("any status", ("pending", "approved", "blocked"))))
        self.warehouse = self.add_filter("In", combo(_choices("any warehouse", lookups.warehouses)))
        self.material = self.add_filter("Material", combo(_choices("any material", lookups.materials)))
        self.expiry = self.add_filter("", combo(EXPIRY_WINDOWS))
        self.in_stock = self.add_filter("", QCheckBox("In stock only"))

    def build_filter(self) -> q.BatchFilter:
        window = self.expiry.currentData()
        today = date.today()
        expires_from, expires_to = None, None
        if window == "expired":
            expires_to = today - timedelta(days=1)
        elif window is not None:
            expires_from, expires_to = today, today + timedelta(days=int(window))
        return q.BatchFilter(
            text=self.search.text() or None,
            status=self.status.currentData(),
            material=self.material.currentData(),
            warehouse=self.warehouse.currentData(),
            expires_from=expires_from,
            expires_to=expires_to,
            in_stock_only=self.in_stock.isChecked(),
        )

    def show_batch(self, number: str) -> None:
        """Show one batch (from a scan or the journal)."""
        for box in (self.status, self.warehouse, self.material, self.expiry):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.in_stock.blockSignals(True)
        self.in_stock.setChecked(False)
        self.in_stock.blockSignals(False)
        self.search.blockSignals(True)
        self.search.setText(number)
        self.search.blockSignals(False)
        self.apply_filter()


class EventsScreen(TableScreen):
    WATCHES = frozenset({"events", "users"})

    def __init__(self, ctx: Context, ops: Ops, parent: QWidget | None = None) -> None:
        model = EventModel(
            ops,
            # The first page does not wait for a common text's exact count; the model reads it next.
            lambda f, s, d, o, n: q.events(ctx.reader(), f, sort=s, descending=d, offset=o, limit=n, quick=True),
            q.EventFilter(),
        )
        super().__init__("events", model, ops, ctx.user.username, parent)
        self.ctx = ctx
        self.date_from = self._date_filter("From")
        self.date_to = self._date_filter("To")
        self.user = self.add_filter("User", combo([("anyone", None)]))
        self.entity = self.add_filter("About", combo([("anything", None)]))
        self.action = self.add_filter("Action", combo([("any action", None)]))

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

    def load_choices(self) -> None:
        """Fill the user, entity and action pickers from the journal itself."""
        ctx = self.ctx

        def fill(choices: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]) -> None:
            for box, values in zip((self.user, self.entity, self.action), choices, strict=True):
                box.blockSignals(True)
                for value in values:
                    box.addItem(value.replace("_", " "), value)
                box.blockSignals(False)

        self.ops.run(lambda: q.event_choices(ctx.reader()), fill)

    @staticmethod
    def _date(pair: tuple[QCheckBox, QDateEdit]) -> date | None:
        check, edit = pair
        if not check.isChecked():
            return None
        d = edit.date()
        return date(d.year(), d.month(), d.day())

    def build_filter(self) -> q.EventFilter:
        return q.EventFilter(
            date_from=self._date(self.date_from),
            date_to=self._date(self.date_to),
            username=self.user.currentData(),
            entity_type=self.entity.currentData(),
            action=self.action.currentData(),
            text=self.search.text() or None,
        )


class CustomersScreen(TableScreen):
    WATCHES = frozenset({"customers", "production_orders"})

    def __init__(self, ctx: Context, ops: Ops, parent: QWidget | None = None) -> None:
        model = CustomerModel(
            ops,
            lambda f, s, d, o, n: q.customers(ctx.reader(), f, sort=s, descending=d, offset=o, limit=n),
            q.CustomerFilter(),
        )
        super().__init__("customers", model, ops, ctx.user.username, parent)
        self.archived = self.add_filter(
            "Show", combo([("active customers", False), ("archived customers", True), ("all customers", None)])
        )

    def build_filter(self) -> q.CustomerFilter:
        return q.CustomerFilter(text=self.search.text() or None, archived=self.archived.currentData())


class TraceDialog(QDialog):
    """A batch's genealogy: backward to suppliers, forward to orders, output batches and customers."""

    def __init__(self, number: str, backward: TraceNode, forward: TraceNode, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Trace batch {number}")
        self.resize(720, 520)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("traceTree")
        self.tree.setHeaderLabels(["Genealogy", "Details"])
        self.tree.setColumnWidth(0, 430)
        back = QTreeWidgetItem(self.tree, ["Where it came from", ""])
        self._add(back, backward)
        ahead = QTreeWidgetItem(self.tree, ["Where it went", ""])
        self._add(ahead, forward)
        self.tree.expandAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)

    def _add(self, parent: QTreeWidgetItem, node: TraceNode) -> None:
        item = QTreeWidgetItem(parent, [node.label, node.detail])
        item.setData(0, Qt.ItemDataRole.UserRole, (node.kind, node.key))
        for child in node.children:
            self._add(item, child)

    def labels(self) -> list[str]:
        found: list[str] = []

        def walk(item: QTreeWidgetItem) -> None:
            found.append(item.text(0))
            for i in range(item.childCount()):
                walk(item.child(i))

        for i in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(i))
        return found
