"""The Batches screen: quality status in colour, expiry highlighted; approve, block, trace, print labels."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import queries as q
from app import reporting
from app import services as s
from app.dto import BatchRow, TraceNode
from domain.vocabulary import EXPIRY_WARNING_DAYS, BatchStatus
from reports.registry import by_key
from ui import forms
from ui.batch_page import fill_genealogy, genealogy_tree
from ui.icons import icon
from ui.lookups import CodeFilter
from ui.ops import message_for
from ui.printing import LabelsDialog, PreviewDialog, write_report
from ui.recall import RecallDialog
from ui.screen import Host, Menu
from ui.stock import StockActions
from ui.tables import BatchModel
from ui.widgets import TableScreen, combo
from ui.words import term_box


def expiry_windows(warning_days: int = EXPIRY_WARNING_DAYS) -> list[tuple[str, Any]]:
    """The expiry filter's choices; the second is the plant's warning window, the days the table highlights."""

    def words(text: str) -> str:
        return QCoreApplication.translate("BatchesScreen", text)

    return [
        (words("any expiry"), None),
        (words("expired"), "expired"),
        (words("expiring within {0} days").format(warning_days), warning_days),
        (words("expiring within 90 days"), 90),
    ]


class BatchesScreen(TableScreen):
    WATCHES = frozenset({"batches", "stock_balances", "materials", "suppliers", "production_orders"})
    SHOWS = frozenset({"batch"})
    VIEWS = frozenset({"batches"})

    def __init__(self, host: Host, stock: StockActions, parent: QWidget | None = None) -> None:
        ctx = host.ctx
        model = BatchModel(
            host.ops,
            lambda f, s, d, o, n: q.batches(ctx.reader(), f, sort=s, descending=d, offset=o, limit=n),
            q.BatchFilter(in_stock_only=True),
        )
        super().__init__("batches", model, host.ops, host.username, parent)
        self.host, self.batch_model = host, model
        self.status = self.add_filter("Quality", term_box(BatchStatus, self.tr("any status")))
        anywhere, any_material = self.tr("any warehouse"), self.tr("any material")
        self.warehouse = self.add_filter("In", CodeFilter(host.lookups, "warehouses", anywhere))
        self.material = self.add_filter("Material", CodeFilter(host.lookups, "materials", any_material))
        self.expiry = self.add_filter("", combo(expiry_windows(host.lookups.current.settings.expiry_warning_days)))
        self._follow_settings()
        host.lookups.changed.connect(self._follow_settings)
        # Used-up batches are history: they show when asked for, or when a scan or the journal opens one.
        self.in_stock = self.add_filter("", QCheckBox(self.tr("In stock only")))
        self.in_stock.setChecked(True)
        stock.selected_batch = self.current_batch
        make = host.action
        self.approve_action = make(
            self, "approve", self.tr("A&pprove batch"), "batch.quality", self.approve_batch, "Ctrl+Shift+A"
        )
        self.block_action = make(
            self, "block", self.tr("&Block batch…"), "batch.quality", self.block_batch, "Ctrl+Shift+B"
        )
        self.trace_action = make(self, "trace", self.tr("T&race batch"), "read", self.trace, "Ctrl+Shift+T")
        self.page_action = make(self, "open_batch", self.tr("&Open batch page"), "read", self.open_page, "Ctrl+O")
        self.recall_action = make(self, "recall", self.tr("Re&call: who got it…"), "read", self.recall, "Ctrl+Shift+R")
        self.labels_action = make(
            self, "print_labels", self.tr("Print &labels…"), "label.print", self.print_labels, "Ctrl+L"
        )
        self.toolbar.addActions(stock.actions)
        self.toolbar.addSeparator()
        self.toolbar.addActions(
            [self.approve_action, self.block_action, self.page_action, self.trace_action, self.recall_action]
        )
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.labels_action)
        self.activated.connect(lambda row: host.open_requested.emit("batch", row.number))

    def title(self) -> str:
        return self.tr("&Batches")

    def _follow_settings(self) -> None:
        """The plant's expiry warning window: what the table highlights and the filter offers."""
        days = self.host.lookups.current.settings.expiry_warning_days
        if days == self.batch_model.warning_days:
            return
        self.batch_model.warning_days = days
        label, _value = expiry_windows(days)[2]
        self.expiry.setItemText(2, label)
        self.expiry.setItemData(2, days)
        if self.expiry.currentIndex() == 2:
            self.apply_filter()
        elif self.model.total:
            self.model.dataChanged.emit(
                self.model.index(0, 0), self.model.index(self.model.total - 1, self.model.columnCount() - 1)
            )

    def menus(self) -> list[Menu]:
        actions = [self.page_action, None, self.approve_action, self.block_action, self.trace_action]
        actions += [self.recall_action, None, self.labels_action]
        return [(self.tr("&Quality"), actions)]

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

    def update_actions(self) -> None:
        """What needs a batch waits for one to be selected here, and says so."""
        one = self.current_row() is not None
        wait = self.tr("Select a batch on the Batches screen first.")
        names = ("open_batch", "approve", "block", "trace", "print_labels")
        self.host.enable(dict.fromkeys(names, one), dict.fromkeys(names, wait))

    def selected_key(self, entity: str) -> str | None:
        row = self.current_row() if entity == "batch" else None
        return row.number if row is not None else None

    def show_record(self, entity: str, key: str) -> None:
        self.show_batch(key)

    def show_batch(self, number: str) -> None:
        """Show one batch (from a scan or the journal)."""
        self._clear_filters()
        self.search.blockSignals(True)
        self.search.setText(number)
        self.search.blockSignals(False)
        self.apply_filter()

    def _clear_filters(self) -> None:
        for box in (self.status, self.warehouse, self.material, self.expiry):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.in_stock.blockSignals(True)
        self.in_stock.setChecked(False)
        self.in_stock.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)

    def show_view(self, view: str, filters: dict[str, Any]) -> None:
        """The batches behind a dashboard figure: by quality status and material, expired or expiring, in stock."""
        self._clear_filters()
        for box, value in ((self.status, filters.get("status")), (self.material, filters.get("material"))):
            if value is not None:
                box.blockSignals(True)
                box.setCurrentIndex(max(box.findData(value), 0))
                box.blockSignals(False)
        window: Any = "expired" if filters.get("expired") else filters.get("expiring_within")
        if window is not None:
            if self.expiry.findData(window) < 0:  # the plant's own warning window
                self.expiry.addItem(self.tr("expiring within {0} days").format(window), window)
            self.expiry.blockSignals(True)
            self.expiry.setCurrentIndex(self.expiry.findData(window))
            self.expiry.blockSignals(False)
        self.in_stock.blockSignals(True)
        self.in_stock.setChecked(bool(filters.get("in_stock") or window is not None))
        self.in_stock.blockSignals(False)
        self.apply_filter()

    # ---------------------------------------------------------------- quality

    def current_batch(self) -> BatchRow | None:
        """The batch selected here, when this screen is in front (so the user sees which one)."""
        row = self.current_row() if self.host.is_current(self) else None
        return row if isinstance(row, BatchRow) else None

    def _need_batch(self) -> BatchRow | None:
        batch = self.current_batch()
        if batch is None:
            self.host.say(self.tr("Select a batch on the Batches screen first."), 6000)
        return batch

    def approve_batch(self) -> None:
        batch = self._need_batch()
        if batch is None:
            return
        ctx = self.host.ctx
        self.host.run(
            lambda: s.approve_batch(ctx.uow(), batch=batch.number, expected_version=batch.version),
            self.tr("Batch {0} approved").format(batch.number),
            self,
        )

    def block_batch(self) -> forms.ReasonDialog | None:
        batch = self._need_batch()
        if batch is None:
            return None
        ctx = self.host.ctx
        dialog = forms.ReasonDialog(
            self.tr("Block batch {0}").format(batch.number),
            self.tr("Reason"),
            self.ops,
            lambda reason: s.block_batch(ctx.uow(), batch=batch.number, reason=reason, expected_version=batch.version),
            self,
        )
        return self.host.open_form(dialog, self.tr("Batch {0} blocked").format(batch.number))

    def open_page(self) -> None:
        """The selected batch's own page."""
        batch = self._need_batch()
        if batch is not None:
            self.host.open_requested.emit("batch", batch.number)

    def trace(self, number: str | None = None) -> None:
        """The genealogy of `number`, or of the selected batch."""
        if number is None:
            batch = self._need_batch()
            if batch is None:
                return
            number = batch.number
        ctx = self.host.ctx
        self.ops.run(
            lambda: s.trace_batch(ctx.reader(), number=number),
            lambda trees: self._show_trace(number, *trees),
            lambda exc: self.host.say(message_for(exc)),
        )

    def _show_trace(self, number: str, backward: TraceNode, forward: TraceNode) -> None:
        self.trace_dialog = TraceDialog(self.host, number, backward, forward, self)
        self.trace_dialog.open()

    def recall(self) -> RecallDialog:
        """Who got anything made from the selected batch (or one typed or scanned there)."""
        batch = self.current_batch()
        self.recall_dialog = RecallDialog(self.host, batch.number if batch is not None else "", self)
        self.recall_dialog.open()
        return self.recall_dialog

    # ---------------------------------------------------------------- labels

    def print_labels(self) -> LabelsDialog | None:
        rows = self.selected_rows() if self.host.is_current(self) else []
        if not rows:
            self.host.say(self.tr("Select the batches to label on the Batches screen first."), 6000)
            return None
        defaults = self.host.lookups.current.settings
        dialog = LabelsDialog(self.host.ctx, self.ops, [r.number for r in rows], self, defaults)
        dialog.succeeded.connect(self._labels_ready)
        dialog.open()
        return dialog

    def _labels_ready(self, path: Path) -> None:
        if path.suffix == ".zpl":
            target, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save labels for the thermal printer"), "labels.zpl", self.tr("ZPL files (*.zpl)")
            )
            if target:
                shutil.copyfile(path, target)
                self.host.say(self.tr("Labels saved to {0}").format(target))
            return
        self.preview = PreviewDialog(path, self.tr("Batch labels"), self)
        self.preview.open()


class TraceDialog(QDialog):
    """A batch's genealogy with quantities: backward to suppliers, forward to orders, output batches, deliveries
    and customers. A delivery's has only the way back: `backward` is then the delivery, and `forward` None.
    Double-clicking a batch opens its page; Print prints a batch's traceability report."""

    def __init__(
        self,
        host: Host,
        number: str,
        backward: TraceNode,
        forward: TraceNode | None,
        parent: QWidget | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.host, self.number = host, number
        self.setWindowTitle(title or self.tr("Trace batch {0}").format(number))
        self.resize(900, 560)
        self.tree = genealogy_tree(self, lambda key: host.open_requested.emit("batch", key))
        self.tree.setObjectName("traceTree")
        fill_genealogy(self.tree, backward, forward)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.print_button = buttons.addButton(self.tr("&Print…"), QDialogButtonBox.ButtonRole.ActionRole)
        assert self.print_button is not None
        self.print_button.setIcon(icon("print"))
        may_print = host.may(by_key("trace").permission) and forward is not None  # a batch's report
        self.print_button.setVisible(may_print)  # the traceability report is an audit document
        self.print_button.clicked.connect(self.print_trace)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)

    def print_trace(self) -> None:
        """The traceability report of this batch, prepared on a worker and shown in a preview."""
        ctx, number, report = self.host.ctx, self.number, by_key("trace")

        def make() -> Path:
            return write_report(report, reporting.trace_report(ctx, number), lambda _done: None)

        def show(path: Path) -> None:
            self.preview = PreviewDialog(path, self.tr("Traceability of batch {0}").format(number), self)
            self.preview.open()

        self.host.ops.run(make, show, lambda exc: self.host.say(message_for(exc)))

    def labels(self) -> list[str]:
        found: list[str] = []

        def walk(item: QTreeWidgetItem | None) -> None:
            if item is None:
                return
            found.append(item.text(0))
            for i in range(item.childCount()):
                walk(item.child(i))

        for i in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(i))
        return found

    def quantities(self) -> list[str]:
        """The quantity column, in the tree's order (empty where a node has none)."""
        found: list[str] = []

        def walk(item: QTreeWidgetItem | None) -> None:
            if item is None:
                return
            found.append(item.text(1))
            for i in range(item.childCount()):
                walk(item.child(i))

        for i in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(i))
        return found
