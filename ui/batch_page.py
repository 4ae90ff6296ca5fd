"""A batch's own page: opened from any table, the journal, a scan or the trace.

It shows the batch whole — what it is, its stock per warehouse, every movement with who and when, its
quality history, its genealogy with quantities and its label — offers what the user's role may do with
it, and prints as the Batch page report.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import reporting
from app import services as s
from app.batch_page import BatchPage, batch_page
from app.dto import TraceNode
from app.formatting import day, moment, quantity
from domain.vocabulary import QT_TRANSLATE_NOOP, BatchStatus, MovementKind
from reports.labels import labels_pdf
from reports.registry import by_key
from ui import forms
from ui.icons import icon
from ui.ops import message_for
from ui.printing import PreviewDialog, write_report
from ui.screen import Host
from ui.stock import StockActions
from ui.tables import BATCH_COLOURS, expiry_brush
from ui.words import term_of
from ui.zoom import fit

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
NODE_KINDS = {
    "batch": QT_TRANSLATE_NOOP("Genealogy", "batch"),
    "order": QT_TRANSLATE_NOOP("Genealogy", "order"),
    "supplier": QT_TRANSLATE_NOOP("Genealogy", "supplier"),
    "customer": QT_TRANSLATE_NOOP("Genealogy", "customer"),
    "delivery": QT_TRANSLATE_NOOP("Genealogy", "delivery"),
}


def genealogy_tree(parent: QWidget, open_batch: Callable[[str], None]) -> QTreeWidget:
    """A tree for a batch's genealogy: what, how much, details; double-clicking a batch opens its page."""
    tree = QTreeWidget(parent)
    tree.setObjectName("genealogy")
    tree.setHeaderLabels(
        [
            QCoreApplication.translate("Genealogy", "Genealogy"),
            QCoreApplication.translate("Genealogy", "Quantity"),
            QCoreApplication.translate("Genealogy", "Details"),
        ]
    )
    tree.headerItem().setTextAlignment(1, RIGHT)
    tree.header().setStretchLastSection(True)
    tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)

    def opened(item: QTreeWidgetItem, _column: int) -> None:
        kind, key = item.data(0, Qt.ItemDataRole.UserRole) or ("", "")
        if kind == "batch":
            open_batch(key)

    tree.itemActivated.connect(opened)
    return tree


def fill_genealogy(tree: QTreeWidget, backward: TraceNode, forward: TraceNode | None) -> None:
    """Fill the tree; a delivery's trace has only the way back (`forward` None)."""
    tree.clear()
    came = QTreeWidgetItem(tree, [QCoreApplication.translate("Genealogy", "Where it came from"), "", ""])
    _add_node(came, backward)
    if forward is not None:
        went = QTreeWidgetItem(tree, [QCoreApplication.translate("Genealogy", "Where it went"), "", ""])
        _add_node(went, forward)
    tree.expandAll()
    tree.resizeColumnToContents(0)
    tree.resizeColumnToContents(1)


def _add_node(parent: QTreeWidgetItem, node: TraceNode) -> None:
    amount = quantity(node.quantity, node.unit) if node.quantity is not None else ""
    item = QTreeWidgetItem(parent, [node.label, amount, node.detail])
    item.setTextAlignment(1, RIGHT)
    item.setData(0, Qt.ItemDataRole.UserRole, (node.kind, node.key))
    kind = QCoreApplication.translate("Genealogy", NODE_KINDS.get(node.kind, node.kind))
    item.setToolTip(0, f"{kind} {node.key}")
    for child in node.children:
        _add_node(item, child)


def _table(parent: QWidget, name: str, headers: list[str], right: set[int]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    for column in right:
        header = table.horizontalHeaderItem(column)
        if header is not None:
            header.setTextAlignment(RIGHT)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.horizontalHeader().setStretchLastSection(True)
    fit(table)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], right: set[int]) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if c in right:
                item.setTextAlignment(RIGHT)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


class BatchPageWindow(QWidget):
    """One batch's page, a window of its own beside the main window."""

    WATCHES: ClassVar[frozenset[str]] = frozenset(
        {"batches", "stock_balances", "stock_movements", "events", "materials", "suppliers", "warehouses"}
    )

    def __init__(self, host: Host, stock: StockActions, number: str, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.host, self.stock, self.number = host, stock, number
        self.setObjectName("batchPage")
        self.setWindowTitle(self.tr("Batch {0}").format(number))
        self.resize(1120, 720)
        self.page: BatchPage | None = None
        self.closed_by_user = False
        self.loading = False

        self.title = QLabel(number, self)
        self.title.setObjectName("pageTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel(self)
        self.status.setObjectName("statusBadge")
        self.material = QLabel(self)
        self.material.setObjectName("pageSubtitle")
        self.facts = QFormLayout()
        self.facts.setHorizontalSpacing(14)
        self.origin, self.received, self.expiry, self.in_stock = (QLabel(self) for _ in range(4))
        self.in_stock.setObjectName("pageQuantity")
        self.facts.addRow(self.tr("From"), self.origin)
        self.facts.addRow(self.tr("Received"), self.received)
        self.facts.addRow(self.tr("Expiry"), self.expiry)
        self.facts.addRow(self.tr("In stock"), self.in_stock)

        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        fit(self.toolbar)
        self.page_actions = self._make_actions()

        balance_headers = [self.tr("Warehouse"), self.tr("Name"), self.tr("Quantity")]
        self.balances = _table(self, "pageBalances", balance_headers, {2})
        self.label_preview = QLabel(self)
        self.label_preview.setObjectName("labelPreview")
        self.label_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label_preview.setMinimumSize(QSize(420, 220))
        self.movements = _table(
            self,
            "pageMovements",
            [
                self.tr("When"),
                self.tr("Movement"),
                self.tr("From"),
                self.tr("To"),
                self.tr("Quantity"),
                self.tr("Who"),
                self.tr("Order"),
                self.tr("Note"),
            ],
            {4},
        )
        self.quality = _table(
            self, "pageQuality", [self.tr("When"), self.tr("Status"), self.tr("Who"), self.tr("Reason")], set()
        )
        self.genealogy = genealogy_tree(self, self.open_batch)

        stock_tab = QWidget(self)
        stock_row = QHBoxLayout(stock_tab)
        stock_row.addWidget(self.balances, 3)
        stock_row.addWidget(self.label_preview, 2)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(stock_tab, self.tr("&Stock and label"))
        self.tabs.addTab(self.movements, self.tr("&Movements"))
        self.tabs.addTab(self.quality, self.tr("&Quality"))
        self.tabs.addTab(self.genealogy, self.tr("&Genealogy"))

        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.status)
        heading.addStretch(1)
        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addLayout(heading)
        left.addWidget(self.material)
        top.addLayout(left, 3)
        top.addLayout(self.facts, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addLayout(top)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.tabs, 1)
        self.message = QLabel(self)
        self.message.setObjectName("rowCount")
        layout.addWidget(self.message)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.refresh()

    # ---------------------------------------------------------------- actions

    def _make_actions(self) -> dict[str, QAction]:
        make = self.host.action
        entries = [
            ("page_transfer", self.tr("&Transfer…"), "stock.transfer", lambda: self.move_stock("transfer"), "transfer"),
            ("page_issue", self.tr("&Issue…"), "stock.issue", lambda: self.move_stock("issue"), "issue"),
            ("page_adjust", self.tr("A&djust…"), "stock.adjust", lambda: self.move_stock("adjust"), "adjust"),
            ("page_approve", self.tr("A&pprove"), "batch.quality", self.approve, "approve"),
            ("page_block", self.tr("&Block…"), "batch.quality", self.block, "block"),
            ("page_label", self.tr("Print &label"), "label.print", self.print_label, "label"),
            ("page_print", self.tr("&Print page…"), "print.view", self.print_page, "print"),
        ]
        actions: dict[str, QAction] = {}
        for name, text, permission, handler, picture in entries:
            action = make(self, name, text, permission, handler, register=False)
            action.setIcon(icon(picture))
            actions[name] = action
            self.toolbar.addAction(action)
        actions["page_print"].setShortcut(QKeySequence.StandardKey.Print)
        self.addActions(list(actions.values()))
        return actions

    def _selected_warehouse(self) -> str:
        row = self.balances.currentRow()
        item = self.balances.item(row if row >= 0 else 0, 0)
        return item.text() if item is not None else ""

    def move_stock(self, kind: str) -> forms.MoveDialog | None:
        if self.page is None:
            return None
        host, f = self.host, self.page.facts
        done = {
            "transfer": self.tr("Stock transferred"),
            "issue": self.tr("Stock issued"),
            "adjust": self.tr("Stock adjusted"),
        }[kind]
        dialog = forms.MoveDialog(
            kind, host.ctx, host.ops, host.lookups, f.number, f.unit, self._selected_warehouse(), self
        )
        return host.open_form(dialog, done)

    def approve(self) -> None:
        if self.page is None:
            return
        f, ctx = self.page.facts, self.host.ctx
        self.host.run(
            lambda: s.approve_batch(ctx.uow(), batch=f.number, expected_version=f.version),
            self.tr("Batch {0} approved").format(f.number),
            self,
        )

    def block(self) -> forms.ReasonDialog | None:
        if self.page is None:
            return None
        f, ctx = self.page.facts, self.host.ctx
        dialog = forms.ReasonDialog(
            self.tr("Block batch {0}").format(f.number),
            self.tr("Reason"),
            self.host.ops,
            lambda reason: s.block_batch(ctx.uow(), batch=f.number, reason=reason, expected_version=f.version),
            self,
        )
        return self.host.open_form(dialog, self.tr("Batch {0} blocked").format(f.number))

    def print_label(self) -> None:
        self.stock.labels.send([self.number])

    def print_page(self) -> None:
        """The page on paper (the Batch page report), prepared on a worker and shown in a preview."""
        ctx, number, report = self.host.ctx, self.number, by_key("batch")

        def make() -> Path:
            return write_report(report, reporting.batch_page_report(ctx, number), lambda _done: None)

        self.message.setText(self.tr("Preparing the page for printing…"))
        self.host.ops.run(make, self._show_print, lambda exc: self._say(message_for(exc)))

    def _show_print(self, path: Path) -> None:
        if self.closed_by_user:
            return
        self.message.setText("")
        self.preview = PreviewDialog(path, self.tr("Batch {0}").format(self.number), self)
        self.preview.open()

    def _say(self, text: str) -> None:
        if not self.closed_by_user:
            self.message.setText(text)

    def open_batch(self, number: str) -> None:
        if number != self.number:
            self.host.open_requested.emit("batch", number)

    # ---------------------------------------------------------------- reading

    def refresh(self) -> None:
        """Read the batch again (after a change here or anywhere); the page keeps its tab."""
        if self.loading:
            return
        self.loading = True
        ctx, number = self.host.ctx, self.number
        self.host.ops.run(lambda: batch_page(ctx.reader(), number), self._show, self._failed)

    def _failed(self, exc: Exception) -> None:
        self.loading = False
        self._say(message_for(exc))

    def _show(self, page: BatchPage) -> None:
        self.loading = False
        if self.closed_by_user:
            return
        self.page = page
        f = page.facts
        self.setWindowTitle(self.tr("Batch {0} — {1}").format(f.number, f.material_name))
        status = term_of(BatchStatus, f.status)
        self.status.setText(status + (f": {f.status_reason}" if f.status_reason else ""))
        self.status.setStyleSheet(f"color: white; background: {BATCH_COLOURS[BatchStatus(f.status)].name()};")
        self.material.setText(f"{f.material_code} — {f.material_name}")
        origin = (
            f"{f.supplier_name} ({f.supplier_code})" if f.supplier_name else self.tr("order {0}").format(f.order_number)
        )
        self.origin.setText(origin)
        label = self.facts.labelForField(self.received)
        if isinstance(label, QLabel):
            label.setText(self.tr("Received") if f.supplier_name else self.tr("Produced"))
        self.received.setText(f"{moment(f.received_at)} · {quantity(f.made, f.unit)}")
        self.expiry.setText(day(f.expiry_date, self.tr("none")))
        brush = expiry_brush(f.expiry_date)
        self.expiry.setStyleSheet(f"background: {brush.color().name()};" if brush is not None else "")
        self.in_stock.setText(quantity(f.in_stock, f.unit) if f.in_stock else self.tr("used up"))
        _fill(
            self.balances,
            [[b.warehouse_code, b.warehouse_name, quantity(b.quantity, b.unit)] for b in page.balances],
            {2},
        )
        self.balances.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        _fill(
            self.movements,
            [
                [
                    moment(m.created_at),
                    term_of(MovementKind, m.kind),
                    m.from_warehouse or "",
                    m.to_warehouse or "",
                    quantity(m.quantity, m.unit),
                    m.username,
                    m.order_number or "",
                    m.note or "",
                ]
                for m in page.movements
            ],
            {4},
        )
        _fill(
            self.quality,
            [[moment(q.occurred_at), term_of(BatchStatus, q.status), q.username, q.reason or ""] for q in page.quality],
            set(),
        )
        fill_genealogy(self.genealogy, page.backward, page.forward)
        status_now = BatchStatus(f.status)
        has_stock = f.in_stock > 0
        for name, wanted in (
            ("page_transfer", has_stock),
            ("page_issue", has_stock and status_now.usable),
            ("page_adjust", True),
            ("page_approve", status_now is not BatchStatus.APPROVED),
            ("page_block", status_now is not BatchStatus.BLOCKED),
        ):
            action = self.page_actions[name]
            if action.property("allowed"):
                action.setEnabled(wanted)
        self._render_label(page)

    def _render_label(self, page: BatchPage) -> None:
        label = page.label()

        def make() -> Path:
            path = Path(tempfile.mkdtemp(prefix="mpsystem-")) / "label.pdf"
            labels_pdf([label], str(path))
            return path

        self.host.ops.run(make, self._label_ready, lambda exc: self._say(message_for(exc)))

    def _label_ready(self, path: Path) -> None:
        if self.closed_by_user:
            return
        document = QPdfDocument(self)
        document.load(str(path))
        width = max(self.label_preview.width(), 420) - 20
        ratio = self.devicePixelRatioF()
        size = QSize(int(width * ratio), int(width * ratio / 2))  # a label is 100 × 50 mm
        image = document.render(0, size)
        document.deleteLater()
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        self.label_preview.setPixmap(pixmap)
        self.label_preview.setToolTip(self.tr("The label as it prints now"))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closed pages ignore work still arriving for them."""
        self.closed_by_user = True
        super().closeEvent(event)

    def state(self) -> dict[str, Any]:
        """What the page shows, for the tests and the desktop probe."""
        f = self.page.facts if self.page is not None else None
        return {
            "number": self.number,
            "loaded": self.page is not None,
            "status": f.status if f else None,
            "in_stock": self.in_stock.text(),
            "movements": self.movements.rowCount(),
        }
