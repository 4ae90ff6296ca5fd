"""The master-data screens: warehouses, materials, suppliers and production lines.

Administrators create, edit, archive and restore; everyone else reads. Each screen is a tab the
main window shows when it is opened from Administration (or by the first run), like any other
screen: paged, sorted and filtered in SQL, refreshed in place when someone changes what it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
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
from app.dto import Page, SuppliedBatch, SupplierRow
from app.permissions import denial_message
from app.purchase_book import SupplierRecord, supplier_record
from domain.vocabulary import BatchStatus, LineStage, MaterialKind, PurchaseOrderStatus, Term, WarehouseKind
from ui import masterforms
from ui.paged import PagedTableModel
from ui.screen import Host, Menu
from ui.tables import LineModel, MaterialModel, SupplierModel, WarehouseModel, day, moment, qty
from ui.widgets import FormDialog, TableScreen, combo
from ui.words import term_box, term_of

Fetch = Callable[[Any, str | None, bool, int, int], Page[Any]]
Form = Callable[..., FormDialog]


def _t(text: str) -> str:
    return QCoreApplication.translate("MasterData", text)


class MasterScreen(TableScreen):
    """A list of one kind of master data with its new, edit and archive/restore actions.

    Subclasses name the kind (`KEY`, the journal's `ENTITY`), their model, query, form and service.
    """

    KEY: ClassVar[str]  # "warehouses": the screen's name in the settings and its actions' names
    ENTITY: ClassVar[str]  # "warehouse": the journal's word, and what `show_record` opens
    MODEL: ClassVar[type[PagedTableModel[Any]]]
    KINDS: ClassVar[type[Term] | None] = None  # the kinds (or stages) the filter offers

    wanted = Signal()  # the user asked to see this screen (its Administration entry)

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        ctx = host.ctx
        query = self.query()
        model = self.MODEL(
            host.ops,
            lambda f, srt, d, o, n: query(ctx.reader(), f, sort=srt, descending=d, offset=o, limit=n),
            q.MasterFilter(),
        )
        super().__init__(self.KEY, model, host.ops, host.username, parent)
        self.host = host
        self.kind: QComboBox | None = None
        if self.KINDS is not None:
            self.kind = self.add_filter(self.kind_label(), term_box(self.KINDS, self.all_kinds()))
        self.archived = self.add_filter(
            _t("Show"),
            combo([(_t("in use"), False), (_t("archived"), True), (_t("all"), None)]),
        )
        make = host.action
        self.show_action = make(self, f"show_{self.KEY}", self.show_text(), "read", self.wanted.emit)
        self.new_action = make(self, f"new_{self.ENTITY}", self.new_text(), "masterdata.manage", self.new_record)
        self.edit_action = make(self, f"edit_{self.ENTITY}", self.edit_text(), "masterdata.manage", self.edit_current)
        self.archive_action = make(
            self, f"archive_{self.ENTITY}", _t("&Archive / restore"), "masterdata.manage", self.archive_current
        )
        self.toolbar.addActions([self.new_action, self.edit_action, self.archive_action])
        self.activated.connect(self.edit_row)

    # ---------------------------------------------------------------- what each kind says

    def title(self) -> str:
        raise NotImplementedError

    def query(self) -> Callable[..., Page[Any]]:
        raise NotImplementedError

    def form(self) -> Form:
        raise NotImplementedError

    def archive_call(self) -> Callable[..., None]:
        raise NotImplementedError

    def new_text(self) -> str:
        raise NotImplementedError

    def show_text(self) -> str:
        """The Administration entry that opens the screen."""
        return _t("&Show the list")

    def edit_text(self) -> str:
        raise NotImplementedError

    def kind_label(self) -> str:
        return _t("Kind")

    def all_kinds(self) -> str:
        return _t("all kinds")

    # ---------------------------------------------------------------- the Screen protocol

    def menus(self) -> list[Menu]:
        """One entry of the Administration menu: the screen itself, then its actions."""
        return [(self.menu_title(), [self.show_action, None, *self.entries()])]

    def menu_title(self) -> str:
        """The screen's name in the Administration menu (its mnemonic unique there)."""
        return self.title()

    def entries(self) -> list[QAction | None]:
        return [self.new_action, self.edit_action, self.archive_action]

    def build_filter(self) -> q.MasterFilter:
        return q.MasterFilter(
            text=self.search.text() or None,
            kind=self.kind.currentData() if self.kind is not None else None,
            archived=self.archived.currentData(),
        )

    def selected_key(self, entity: str) -> str | None:
        row = self.current_row() if entity == self.ENTITY else None
        return row.code if row is not None else None

    def show_record(self, entity: str, key: str) -> None:
        """Show one record (from the journal): whatever its kind, archived or not."""
        for box in (self.kind, self.archived):
            if box is not None:
                box.blockSignals(True)
                box.setCurrentIndex(box.count() - 1 if box is self.archived else 0)
                box.blockSignals(False)
        self.search.blockSignals(True)
        self.search.setText(key)
        self.search.blockSignals(False)
        self.apply_filter()

    # ---------------------------------------------------------------- actions

    def _need_row(self) -> Any:
        row = self.current_row()
        if row is None:
            self.host.say(_t("Select a row first."), 6000)
        return row

    def new_record(self) -> FormDialog:
        dialog = self.form()(self.host.ctx, self.ops, None, self)
        code = getattr(dialog, "code", None)
        self.host.open_form(dialog, _t("Created"))
        if code is not None:  # name what was created, once it is
            dialog.succeeded.connect(lambda _id: self.host.say(_t("{0} created").format(code.text().strip().upper())))
        return dialog

    def edit_current(self) -> FormDialog | None:
        return self.edit_row(self._need_row())

    def edit_row(self, row: Any) -> FormDialog | None:
        if row is None:
            return None
        if not self.host.may("masterdata.manage"):
            self.host.say(denial_message("masterdata.manage"), 6000)
            return None
        dialog = self.form()(self.host.ctx, self.ops, row, self)
        return self.host.open_form(dialog, _t("{0} saved").format(row.code))

    def archive_current(self) -> None:
        row = self._need_row()
        if row is None:
            return
        ctx, archive = self.host.ctx, self.archive_call()
        done = _t("{0} restored") if row.archived else _t("{0} archived")
        self.host.run(
            lambda: archive(ctx.uow(), code=row.code, archived=not row.archived, expected_version=row.version),
            done.format(row.code),
            self,
        )


class WarehousesScreen(MasterScreen):
    KEY, ENTITY, MODEL, KINDS = "warehouses", "warehouse", WarehouseModel, WarehouseKind
    WATCHES = frozenset({"warehouses", "stock_balances"})
    SHOWS = frozenset({"warehouse"})

    def title(self) -> str:
        return self.tr("&Warehouses")

    def query(self) -> Callable[..., Page[Any]]:
        return q.warehouses

    def form(self) -> Form:
        return masterforms.WarehouseDialog

    def archive_call(self) -> Callable[..., None]:
        return s.set_warehouse_archived

    def new_text(self) -> str:
        return self.tr("&New warehouse…")

    def edit_text(self) -> str:
        return self.tr("&Edit warehouse…")


class MaterialsScreen(MasterScreen):
    KEY, ENTITY, MODEL, KINDS = "materials", "material", MaterialModel, MaterialKind
    WATCHES = frozenset({"materials", "stock_balances", "batches"})
    SHOWS = frozenset({"material"})

    def title(self) -> str:
        return self.tr("&Materials")

    def query(self) -> Callable[..., Page[Any]]:
        return q.materials

    def form(self) -> Form:
        return masterforms.MaterialDialog

    def archive_call(self) -> Callable[..., None]:
        return s.set_material_archived

    def new_text(self) -> str:
        return self.tr("&New material…")

    def edit_text(self) -> str:
        return self.tr("&Edit material…")


class SuppliersScreen(MasterScreen):
    KEY, ENTITY, MODEL = "suppliers", "supplier", SupplierModel
    WATCHES = frozenset({"suppliers", "batches"})
    SHOWS = frozenset({"supplier"})

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.batches_action = host.action(
            self, "supplier_batches", self.tr("Supplier's &record…"), "read", self.supplied_batches
        )
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.batches_action)

    def title(self) -> str:
        return self.tr("Suppliers")  # no mnemonic on the tab: every free letter is a menu's or another tab's

    def menu_title(self) -> str:
        return self.tr("Su&ppliers")

    def entries(self) -> list[QAction | None]:
        return [*super().entries(), None, self.batches_action]

    def query(self) -> Callable[..., Page[Any]]:
        return q.suppliers

    def form(self) -> Form:
        return masterforms.SupplierDialog

    def archive_call(self) -> Callable[..., None]:
        return s.set_supplier_archived

    def new_text(self) -> str:
        return self.tr("&New supplier…")

    def edit_text(self) -> str:
        return self.tr("&Edit supplier…")

    def supplied_batches(self) -> None:
        row = self._need_row()
        if not isinstance(row, SupplierRow):
            return
        ctx = self.host.ctx
        self.ops.run(
            lambda: (q.supplied_batches(ctx.reader(), row.code), supplier_record(ctx.reader(), row.code)),
            lambda found: self._show_batches(row, *found),
        )

    def _show_batches(self, supplier: SupplierRow, batches: tuple[SuppliedBatch, ...], record: SupplierRecord) -> None:
        self.batches_dialog = SuppliedBatchesDialog(supplier, batches, self, record)
        self.batches_dialog.open()


class LinesScreen(MasterScreen):
    KEY, ENTITY, MODEL, KINDS = "lines", "line", LineModel, LineStage
    WATCHES = frozenset({"production_lines", "production_orders"})
    SHOWS = frozenset({"line"})

    def title(self) -> str:
        return self.tr("Production &lines")

    def kind_label(self) -> str:
        return self.tr("Stage")

    def all_kinds(self) -> str:
        return self.tr("all stages")

    def query(self) -> Callable[..., Page[Any]]:
        return q.lines

    def form(self) -> Form:
        return masterforms.LineDialog

    def archive_call(self) -> Callable[..., None]:
        return s.set_line_archived

    def new_text(self) -> str:
        return self.tr("&New line…")

    def edit_text(self) -> str:
        return self.tr("&Edit line…")


class SuppliedBatchesDialog(QDialog):
    """A supplier's record: its quality and punctuality, what it sells the plant at, the purchase orders open
    with it, and the batches it delivered (when, how much came, how much is left, their quality)."""

    def __init__(
        self,
        supplier: SupplierRow,
        batches: tuple[SuppliedBatch, ...],
        parent: QWidget | None = None,
        record: SupplierRecord | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("{0}: prices, purchase orders and deliveries").format(supplier.name))
        self.resize(980, 680)
        layout = QVBoxLayout(self)
        count = self.tr("{0} · {1} batches, newest first").format(supplier.code, len(batches))
        if supplier.address:
            count += " · " + supplier.address
        layout.addWidget(QLabel(count, self))
        if record is not None:
            self._record(layout, record)
        headers = [
            self.tr("Batch"),
            self.tr("Material"),
            self.tr("Received"),
            self.tr("Quantity received"),
            self.tr("Left"),
            self.tr("Quality"),
            self.tr("Expiry"),
        ]
        rows = [
            (
                b.number,
                f"{b.material_code} — {b.material_name}",
                moment(b.received_at),
                qty(b.received, b.unit),
                qty(b.quantity, b.unit),
                term_of(BatchStatus, b.status),
                day(b.expiry_date),
            )
            for b in batches
        ]
        self.table = _small_table(headers, rows, {3, 4}, 1, self)
        self.table.setObjectName("suppliedBatches")
        layout.addWidget(QLabel(self.tr("Batches delivered"), self))
        layout.addWidget(self.table, 2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _record(self, layout: QVBoxLayout, record: SupplierRecord) -> None:
        self.quality = QLabel(
            self.tr(
                "Quality: {0} of {1} batches blocked ({2} %). Late: {3} of the {4} purchase order lines due so far."
            ).format(record.blocked, record.batches, record.blocked_share, record.lines_late, record.lines_due),
            self,
        )
        self.quality.setObjectName("supplierQuality")
        layout.addWidget(self.quality)
        prices = [
            (
                f"{p.material_code} — {p.material_name}",
                f"{p.price:,.4f} {record.currency}",
                qty(p.minimum_order, p.unit),
                self.tr("{0} days").format(p.lead_time_days),
                f"{p.last_paid:,.4f} {record.currency}" if p.last_paid is not None else "",
            )
            for p in record.prices
        ]
        headers = [self.tr("Material"), self.tr("Price a unit"), self.tr("Minimum order"), self.tr("Lead time"),
                   self.tr("Last paid")]  # fmt: skip
        self.prices = _small_table(headers, prices, {1, 2, 3, 4}, 0, self)
        self.prices.setObjectName("supplierPrices")
        layout.addWidget(QLabel(self.tr("Materials and prices"), self))
        layout.addWidget(self.prices, 1)
        orders = [
            (
                o.number,
                term_of(PurchaseOrderStatus, o.status),
                str(o.lines),
                f"{o.total:,.2f} {o.currency}",
                day(o.first_due),
            )
            for o in record.open_orders
        ]
        headers = [self.tr("Purchase order"), self.tr("Status"), self.tr("Lines"), self.tr("Total"),
                   self.tr("First due")]  # fmt: skip
        self.orders = _small_table(headers, orders, {2, 3}, 0, self)
        self.orders.setObjectName("supplierOpenOrders")
        layout.addWidget(QLabel(self.tr("Open purchase orders"), self))
        layout.addWidget(self.orders, 1)


def _small_table(
    headers: list[str], rows: Sequence[tuple[str, ...]], right: set[int], stretch: int, parent: QWidget
) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            item = QTableWidgetItem(text)
            if c in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


MASTER_SCREENS: tuple[type[MasterScreen], ...] = (WarehousesScreen, MaterialsScreen, SuppliersScreen, LinesScreen)
