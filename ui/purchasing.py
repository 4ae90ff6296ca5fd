"""The Buying screen: what the plan needs of each material and when, the shortages first; the purchase
orders that cover them, drawn up from the proposals or by hand, sent, cancelled.

The requirements are worked out on a worker and again whenever the plan, the stock or the purchase
orders change, so moving an order on the board or receiving goods shows here at once.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import purchase_book as pb
from app import services as s
from app.context import Context
from app.export import spreadsheet_cell
from app.formatting import day, quantity, short_moment
from app.requirements import MaterialRequirements, Requirement, material_requirements, proposed_purchases
from domain.vocabulary import Cover, PurchaseOrderStatus
from reports.registry import by_key
from ui import panels
from ui.lookups import CodePicker, LiveLookups
from ui.ops import Ops, message_for
from ui.printing import PreviewDialog, run_with_progress, words, write_report
from ui.screen import Host, Menu
from ui.tables import ALERT, WARN
from ui.widgets import FormDialog
from ui.words import of, term_of


def _tr(text: str) -> str:
    return QCoreApplication.translate("Buying", text)


REQUIREMENT_HEADERS = (
    _tr("Material"),
    _tr("Name"),
    _tr("Cover"),
    _tr("Short from"),
    _tr("Short"),
    _tr("Needed"),
    _tr("Usable stock"),
    _tr("Waiting for release"),
    _tr("On order"),
    _tr("Proposed purchase"),
    _tr("From"),
    _tr("Orders it would delay"),
)
ORDER_HEADERS = (
    _tr("Purchase order"),
    _tr("Supplier"),
    _tr("Status"),
    _tr("Lines"),
    _tr("Total"),
    _tr("First due"),
    _tr("Sent"),
)
BRUSHES = {Cover.SHORT: ALERT, Cover.RELEASE: WARN, Cover.REORDER: WARN}


def _listed(orders: tuple[str, ...], most: int) -> str:
    shown = ", ".join(orders[:most])
    return shown + _tr(" and {0} more").format(len(orders) - most) if len(orders) > most else shown


def requirement_cells(r: Requirement) -> list[str]:
    delays = _listed(r.delays, 3)
    return [
        r.material_code,
        r.material_name,
        term_of(Cover, r.cover),
        day(r.bites_on),
        quantity(r.short, r.unit) if r.short else "",
        quantity(r.needed, r.unit),
        quantity(r.stock, r.unit),
        quantity(r.pending, r.unit) if r.pending else "",
        quantity(r.ordered, r.unit) if r.ordered else "",
        quantity(r.proposed, r.unit) if r.proposed else "",
        r.supplier_code or "",
        delays,
    ]


class PurchasingScreen(QWidget):
    """Requirements and purchase orders: a buyer's day."""

    WATCHES: ClassVar[frozenset[str]] = frozenset(
        {
            "production_orders",
            "production_lines",
            "line_stops",
            "products",
            "recipe_lines",
            "materials",
            "batches",
            "stock_balances",
            "suppliers",
            "supplier_materials",
            "purchase_orders",
            "purchase_order_lines",
        }
    )
    SHOWS: ClassVar[frozenset[str]] = frozenset({"purchase_order"})

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("buyingScreen")
        self.host = host
        self.found: MaterialRequirements | None = None
        self.orders: tuple[pb.PurchaseOrderRow, ...] = ()
        self.computing = False
        self.again = False
        self.loaded_once = False
        make = host.action
        self.propose_action = make(
            self, "purchase_from_proposals", self.tr("Create purchase &orders from proposals"), "purchase.edit",
            self.create_from_proposals,
        )  # fmt: skip
        self.new_action = make(self, "new_purchase_order", self.tr("&New purchase order…"), "purchase.edit",
                               self.new_order)  # fmt: skip
        self.edit_action = make(self, "edit_purchase_order", self.tr("&Edit purchase order…"), "purchase.edit",
                                self.edit_order)  # fmt: skip
        self.send_action = make(self, "send_purchase_order", self.tr("&Send purchase order"), "purchase.edit",
                                self.send_order)  # fmt: skip
        self.cancel_action = make(self, "cancel_purchase_order", self.tr("&Cancel purchase order…"), "purchase.edit",
                                  self.cancel_order)  # fmt: skip
        self.close_action = make(self, "close_purchase_order", self.tr("C&lose as received…"), "purchase.edit",
                                 self.close_order)  # fmt: skip
        self.print_action = make(self, "print_purchase_order", self.tr("&Print purchase order…"), "print.view",
                                 self.print_order)  # fmt: skip
        self.entries: list[Any] = [self.propose_action, None, self.new_action, self.edit_action, self.send_action,
                                   self.cancel_action, self.close_action, self.print_action]  # fmt: skip
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions([a for a in self.entries if a is not None])
        self.as_of = QLabel(self)
        self.as_of.setObjectName("rowCount")
        top = QHBoxLayout()
        top.addWidget(self.toolbar, 1)
        top.addWidget(self.as_of)

        self.requirements = panels.table(list(REQUIREMENT_HEADERS), self, stretch=11)
        self.requirements.setObjectName("requirements")
        self.purchase_table = panels.table(list(ORDER_HEADERS), self, stretch=1)
        self.purchase_table.setObjectName("purchaseOrders")
        self.purchase_table.itemSelectionChanged.connect(self.update_actions)
        self.purchase_table.doubleClicked.connect(lambda _i: self.edit_order())
        self.detail = QLabel(self)
        self.detail.setObjectName("requirementDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.requirements.itemSelectionChanged.connect(self._show_detail)
        upper = QWidget(self)
        box = QVBoxLayout(upper)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel(self.tr("What the open orders need, the shortages first"), upper))
        box.addWidget(self.requirements, 1)
        box.addWidget(self.detail)
        lower = QWidget(self)
        box = QVBoxLayout(lower)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel(self.tr("Purchase orders, the newest first"), lower))
        box.addWidget(self.purchase_table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

    # ---------------------------------------------------------------- the Screen protocol

    def title(self) -> str:
        return self.tr("Buyin&g")

    def menus(self) -> list[Menu]:
        return [(self.tr("Bu&ying"), list(self.entries))]

    def reload(self) -> None:
        """Work the requirements out again, with the purchase orders, on a worker."""
        if self.computing:
            self.again = True  # one more pass once this one is in: what changed meanwhile is then read
            return
        self.computing = True
        self.as_of.setText(self.tr("Working out what the plan needs…"))
        ctx = self.host.ctx
        self.host.ops.run(
            lambda: (material_requirements(ctx.reader()), pb.purchase_orders(ctx.reader())),
            self._arrived,
            self._failed,
        )

    def refresh_in_place(self) -> None:
        self.reload()

    def _arrived(self, found: tuple[MaterialRequirements, tuple[pb.PurchaseOrderRow, ...]]) -> None:
        self.computing = False
        self.loaded_once = True
        chosen_material, chosen_order = self.selected_key("material"), self.selected_key("purchase_order")
        self.found, self.orders = found
        rows = [(requirement_cells(r), BRUSHES.get(of(Cover, r.cover)), None) for r in self.found.materials]
        panels.fill(self.requirements, rows, right={4, 5, 6, 7, 8, 9})
        panels.fill(self.purchase_table, [(self._order_cells(o), None, None) for o in self.orders], right={3, 4})
        self._select(self.requirements, [r.material_code for r in self.found.materials], chosen_material)
        self._select(self.purchase_table, [o.number for o in self.orders], chosen_order)
        short = len(self.found.shortages)
        self.as_of.setText(
            self.tr("{0} open orders · {1} materials short · worked out {2}").format(
                self.found.open_orders, short, short_moment(datetime.now(UTC))
            )
        )
        self._show_detail()
        self.update_actions()
        if self.again:
            self.again = False
            self.reload()

    def _failed(self, exc: Exception) -> None:
        self.computing = False
        self.loaded_once = True
        self.as_of.setText(message_for(exc))
        if self.again:
            self.again = False
            self.reload()

    def _order_cells(self, o: pb.PurchaseOrderRow) -> list[str]:
        return [
            o.number,
            f"{o.supplier_code} {o.supplier_name}",
            term_of(PurchaseOrderStatus, o.status),
            str(o.lines),
            f"{o.total:,.2f} {o.currency}",
            day(o.first_due),
            short_moment(o.sent_at),
        ]

    @staticmethod
    def _select(table: QTableWidget, keys: list[str], key: str | None) -> None:
        if key is not None and key in keys:
            table.selectRow(keys.index(key))

    def _show_detail(self) -> None:
        r = self.selected_requirement()
        if r is None:
            self.detail.setText(self.tr("Select a material to see why."))
            return
        parts = [
            self.tr("{0}: needed {1} by {2} orders.").format(
                r.material_code, quantity(r.needed, r.unit), len({n.order for n in r.needs})
            )
        ]
        if r.bites_on is not None:
            parts.append(
                self.tr("Short {0} from {1}; it would delay {2}.").format(
                    quantity(r.short, r.unit), day(r.bites_on), _listed(r.delays, 6)
                )
            )
        if r.proposed:
            order_by = r.order_by
            parts.append(
                self.tr("Buy {0} from {1} at {2} a unit{3}.").format(
                    quantity(r.proposed, r.unit),
                    r.supplier_name or "",
                    f"{r.price:,.4f}" if r.price is not None else "",
                    self.tr(", ordered by {0}").format(day(order_by)) if order_by is not None else "",
                )
            )
        elif r.short and r.supplier_code is None:
            parts.append(self.tr("No supplier sells it: keep a supplier's price for it to have a proposal."))
        self.detail.setText(" ".join(parts))

    def focus_search(self) -> None:
        self.requirements.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export to CSV"), "requirements.csv", "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> None:
        """The requirements as shown."""
        if self.found is None:
            return
        with path.open("w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out)
            writer.writerow(REQUIREMENT_HEADERS)
            for r in self.found.materials:
                writer.writerow([spreadsheet_cell(c) for c in requirement_cells(r)])
        self.host.say(self.tr("Exported {0} materials to {1}").format(len(self.found.materials), path.name))

    def update_actions(self) -> None:
        if not self.host.is_current(self):
            return
        order = self.selected_order()
        status = of(PurchaseOrderStatus, order.status) if order is not None else None
        self.host.enable(
            {
                "purchase_from_proposals": self.found is not None and bool(proposed_purchases(self.found)),
                "edit_purchase_order": status is not None and status.may_edit,
                "send_purchase_order": status is not None and status.may_send,
                "cancel_purchase_order": status is not None and status.may_cancel,
                "close_purchase_order": status is not None and status.may_close,
                "print_purchase_order": order is not None,
            }
        )

    def save_layout(self) -> None:
        """Nothing to keep: the tables fit their contents."""

    def restore_layout(self) -> None:
        """Nothing to keep: the tables fit their contents."""

    def selected_key(self, entity: str) -> str | None:
        if entity == "material":
            r = self.selected_requirement()
            return r.material_code if r is not None else None
        if entity == "purchase_order":
            o = self.selected_order()
            return o.number if o is not None else None
        return None

    def show_record(self, entity: str, key: str) -> None:
        if entity == "purchase_order":
            self._select(self.purchase_table, [o.number for o in self.orders], key)

    # ---------------------------------------------------------------- selection

    def selected_requirement(self) -> Requirement | None:
        row = self.requirements.currentRow()
        if self.found is None or not 0 <= row < len(self.found.materials):
            return None
        return self.found.materials[row]

    def selected_order(self) -> pb.PurchaseOrderRow | None:
        row = self.purchase_table.currentRow()
        return self.orders[row] if 0 <= row < len(self.orders) else None

    def _need_order(self) -> pb.PurchaseOrderRow | None:
        order = self.selected_order()
        if order is None:
            self.host.say(self.tr("Select a purchase order first."), 6000)
        return order

    # ---------------------------------------------------------------- actions

    def create_from_proposals(self) -> None:
        """One draft per supplier, from every proposal, at each supplier's price; due when the shortage bites."""
        if self.found is None:
            return
        proposals = proposed_purchases(self.found)
        if not proposals:
            self.host.say(self.tr("Nothing is proposed: every need is covered or has no supplier."), 8000)
            return
        ctx = self.host.ctx
        lines = [s.ProposedPurchase(supplier, material, amount, due) for supplier, material, amount, due in proposals]
        self.host.ops.run(
            lambda: s.draw_up_purchase_orders(ctx.uow(), lines=lines),
            self._drawn_up,
            lambda exc: self._refused(exc),
        )

    def _drawn_up(self, numbers: tuple[str, ...]) -> None:
        self.host.say(self.tr("Drew up {0}: check them and send them").format(", ".join(numbers)), 10_000)
        self.host.wrote.emit()

    def _refused(self, exc: Exception) -> None:
        self.host.say(message_for(exc), 10_000)
        self.host.wrote.emit()

    def new_order(self) -> PurchaseOrderDialog:
        dialog = PurchaseOrderDialog(self.host.ctx, self.host.ops, self.host.lookups, None, self)
        return self.host.open_form(dialog, self.tr("Purchase order drawn up"))

    def edit_order(self) -> None:
        order = self._need_order()
        if order is None:
            return
        if not self.host.may("purchase.edit"):
            return
        ctx = self.host.ctx
        self.host.ops.run(
            lambda: pb.purchase_order(ctx.reader(), order.number),
            self._open_edit,
            lambda exc: self.host.say(message_for(exc)),
        )

    def _open_edit(self, view: pb.PurchaseOrderView) -> None:
        if not of(PurchaseOrderStatus, view.status).may_edit:
            self.host.say(
                self.tr("Purchase order {0} is {1}; only a draft's lines change.").format(
                    view.number, term_of(PurchaseOrderStatus, view.status)
                ),
                8000,
            )
            return
        dialog = PurchaseOrderDialog(self.host.ctx, self.host.ops, self.host.lookups, view, self)
        self.edit_dialog = self.host.open_form(dialog, self.tr("Purchase order {0} saved").format(view.number))

    def send_order(self) -> None:
        order = self._need_order()
        if order is None:
            return
        ctx = self.host.ctx
        self.host.run(
            lambda: s.send_purchase_order(ctx.uow(), number=order.number, expected_version=order.version),
            self.tr("Purchase order {0} sent").format(order.number),
            self,
        )

    def print_order(self) -> None:
        """Prepare the purchase order's PDF on a worker and preview it, ready to print or save."""
        order = self._need_order()
        if order is None:
            return
        report, ctx, number = by_key("purchase-order"), self.host.ctx, order.number
        self.progress = run_with_progress(
            self,
            self.host.ops,
            words(report.title),
            None,
            lambda progress: write_report(report, report.gather(ctx, {"purchase_order": number}), progress),
            lambda path: self._preview(number, path),
        )

    def _preview(self, number: str, path: Path) -> None:
        self.last_printed = path
        self.preview = PreviewDialog(path, self.tr("Purchase order {0}").format(number), self)
        self.preview.open()

    def close_order(self) -> None:
        """A partly received order is done: the rest will not come, and is no longer counted as coming."""
        order = self._need_order()
        if order is None:
            return
        reason, ok = QInputDialog.getText(
            self,
            self.tr("Close purchase order as received"),
            self.tr("Why will the rest of {0} not come?").format(order.number),
        )
        if not ok:
            return
        ctx = self.host.ctx
        self.host.run(
            lambda: s.close_purchase_order(
                ctx.uow(), number=order.number, reason=reason, expected_version=order.version
            ),
            self.tr("Purchase order {0} closed as received").format(order.number),
            self,
        )

    def cancel_order(self) -> None:
        order = self._need_order()
        if order is None:
            return
        reason, ok = QInputDialog.getText(
            self, self.tr("Cancel purchase order"), self.tr("Why is {0} cancelled?").format(order.number)
        )
        if not ok:
            return
        ctx = self.host.ctx
        self.host.run(
            lambda: s.cancel_purchase_order(
                ctx.uow(), number=order.number, reason=reason, expected_version=order.version
            ),
            self.tr("Purchase order {0} cancelled").format(order.number),
            self,
        )


class PurchaseOrderDialog(FormDialog):
    """A purchase order drawn up by hand, or a draft's lines changed: supplier, then material, quantity,
    price a unit and due day for each line. A draft's line is never taken off: cancel the draft instead."""

    def __init__(
        self,
        ctx: Context,
        ops: Ops,
        lookups: LiveLookups,
        existing: pb.PurchaseOrderView | None,
        parent: QWidget | None = None,
    ) -> None:
        title = (
            self.tr("Purchase order {0}").format(existing.number)
            if existing is not None
            else self.tr("New purchase order")
        )
        super().__init__(title, ops, parent)
        self.setObjectName("purchaseOrderForm")
        self.setMinimumWidth(760)
        self.ctx, self.lookups, self.existing = ctx, lookups, existing
        self.supplier = self.add(
            "supplier",
            self.tr("Supplier"),
            CodePicker(lookups, "suppliers", existing.supplier_code if existing else None, self),
        )
        if existing is not None:
            self.supplier.setEnabled(False)  # a draft stays with its supplier; cancel it to buy elsewhere
        headers = [self.tr("Material"), self.tr("Quantity"), self.tr("Price a unit"), self.tr("Due")]
        lines = list(existing.lines) if existing else []
        self.table = QTableWidget(max(len(lines) + 2, 3), len(headers), self)
        self.table.setObjectName("purchaseLines")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.cells: list[tuple[CodePicker, QLineEdit, QLineEdit, QDateEdit]] = []
        for r in range(self.table.rowCount()):
            self._line_row(r, lines[r] if r < len(lines) else None)
        self.table.setColumnWidth(0, 260)
        self.table.setColumnWidth(1, 130)
        self.table.setColumnWidth(2, 130)
        self.table.setColumnWidth(3, 130)
        self.table.setMinimumHeight(200)
        self.fields["lines"] = self.table
        self.form.addRow(self.table)
        more = QPushButton(self.tr("Add a &line"), self)
        more.clicked.connect(self.add_line)
        self.form.addRow(more)
        self.note = self.add("note", self.tr("Note"), QLineEdit(existing.note or "" if existing else "", self))
        self.note.setPlaceholderText(self.tr("delivery address, the supplier's reference…"))
        self.ok.setText(self.tr("Save draft"))
        self.revalidate()

    def _line_row(self, r: int, line: pb.PurchaseLine | None) -> None:
        material = CodePicker(self.lookups, "materials", line.material_code if line else None, self)
        amount = QLineEdit(f"{line.quantity.normalize():f}" if line else "", self)
        amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        price = QLineEdit(f"{line.price.normalize():f}" if line else "", self)
        price.setAlignment(Qt.AlignmentFlag.AlignRight)
        due = QDateEdit(self)
        due.setCalendarPopup(True)
        due.setDisplayFormat("yyyy-MM-dd")
        when = line.due_date if line else date.today()
        due.setDate(QDate(when.year, when.month, when.day))
        for widget in (amount, price):
            widget.textChanged.connect(lambda _t: self.revalidate())
        material.currentTextChanged.connect(lambda _t: self.revalidate())
        self.table.setCellWidget(r, 0, material)
        self.table.setCellWidget(r, 1, amount)
        self.table.setCellWidget(r, 2, price)
        self.table.setCellWidget(r, 3, due)
        self.cells.append((material, amount, price, due))

    def add_line(self) -> None:
        r = self.table.rowCount()
        self.table.setRowCount(r + 1)
        self._line_row(r, None)

    def filled(self) -> list[tuple[str, str, str, date]]:
        found = []
        for material, amount, price, due in self.cells:
            code = material.code()
            if code or amount.text().strip():
                d = due.date()
                found.append((code, amount.text().strip(), price.text().strip(), date(d.year(), d.month(), d.day())))
        return found

    def check(self) -> str | None:
        if not self.supplier.code():
            return self.tr("Pick the supplier.")
        lines = self.filled()
        if not lines:
            return self.tr("Enter at least one line: a material and how much.")
        for n, (code, amount, price, _due) in enumerate(lines, start=1):
            if not code or not amount or not price:
                return self.tr("Line {0} needs a material, a quantity and a price.").format(n)
        return None

    def action(self) -> Callable[[], Any]:
        ctx, supplier, note = self.ctx, self.supplier.code(), self.note.text()
        lines = self.filled()
        items = [s.PurchaseItem(m, q, p, d) for m, q, p, d in lines]
        if self.existing is None:
            return lambda: s.create_purchase_order(ctx.uow(), supplier=supplier, lines=items, note=note)
        number, version = self.existing.number, self.existing.version
        return lambda: s.edit_purchase_order(ctx.uow(), number=number, lines=items, note=note, expected_version=version)


__all__ = ["PurchaseOrderDialog", "PurchasingScreen", "requirement_cells"]
