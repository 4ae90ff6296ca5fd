"""The main window: the five screens, the actions the signed-in role may take, the status bar."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence, QWindow
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from app import queries as q
from app import services as s
from app.context import Context
from app.dto import BatchRow, CustomerRow, EventRow, OrderRow
from app.permissions import allowed, denial_message
from app.lookups import Lookups
from ui import forms
from ui.board import PlanningBoard
from ui.ops import Ops, message_for
from ui.printing import (
    REPORTS,
    LabelsDialog,
    PreviewDialog,
    ReportDialog,
    expected_rows,
    run_with_progress,
    write_report,
)
from ui.live import LiveUpdates
from ui.users import PasswordDialog, UsersDialog
from ui.screens import BatchesScreen, CustomersScreen, EventsScreen, InventoryScreen, TraceDialog
from ui.widgets import FormDialog, settings

SCAN_MAX_GAP = 0.05  # seconds between a scanner's keystrokes; people type slower
SCAN_MIN_LENGTH = 4


class ScannerFilter(QObject):
    """Recognises a barcode scanner acting as a keyboard: fast keystrokes ending in Enter."""

    scanned = Signal(str)

    def __init__(
        self, parent: QObject | None = None, clock: Callable[[], float] = time.monotonic, scope: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.scope = scope  # only keystrokes in this window count; dialogs keep their own Enter
        self.buffer = ""
        self.last = 0.0

    def _first_delivery(self, watched: QObject) -> bool:
        # A keystroke reaches the window's QWindow once, then the focused widget and, if that
        # ignores it, each parent in turn; counting at the QWindow sees every keystroke once.
        if self.scope is None:
            return True
        return isinstance(watched, QWindow) and watched is self.scope.windowHandle()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Collect fast printable keystrokes; Enter after enough of them is a scan."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not self._first_delivery(watched):
            return False
        now = self.clock()
        if now - self.last > SCAN_MAX_GAP:
            self.buffer = ""
        self.last = now
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code, self.buffer = self.buffer, ""
            if len(code) >= SCAN_MIN_LENGTH:
                self.scanned.emit(code)
                return True
            return False
        text = event.text()
        if text and text.isprintable():
            self.buffer += text
        return False


class MainWindow(QMainWindow):
    signed_out = Signal()  # the user signed out: the sign-in dialog comes back
    closed = Signal()  # the user closed the window or chose File → Quit: the program ends

    def __init__(self, ctx: Context, ops: Ops, lookups: Lookups, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.ops, self.lookups = ctx, ops, lookups
        user = ctx.user
        self.setWindowTitle(f"MPSYSTEM — {ctx.database.describe()}")
        self.resize(1360, 820)
        self.actions_by_name: dict[str, QAction] = {}
        self._signing_out = False

        self.inventory = InventoryScreen(ctx, ops, lookups, self)
        self.batches = BatchesScreen(ctx, ops, lookups, self)
        self.board = PlanningBoard(ctx, ops, self)
        self.events = EventsScreen(ctx, ops, self)
        self.customers = CustomersScreen(ctx, ops, self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        for screen, title in (
            (self.inventory, "&Inventory"),
            (self.batches, "&Batches"),
            (self.board, "&Production queue"),
            (self.events, "&Events"),
            (self.customers, "C&ustomers"),
        ):
            self.tabs.addTab(screen, title)
        self.setCentralWidget(self.tabs)
        self.tabs.currentChanged.connect(self._tab_changed)

        self._build_actions()
        for screen in (self.inventory, self.batches, self.events, self.customers):
            screen.toolbar.setVisible(bool(screen.toolbar.actions()))
        self.events.activated.connect(self.open_event)
        self.batches.activated.connect(lambda row: self._trace(row.number))
        self.customers.activated.connect(self._edit_customer_row)
        self.board.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.board.order_selected.connect(lambda _o: self._update_board_actions())

        status = self.statusBar()
        self.who = QLabel(f"{user.display_name} ({user.username}) · {user.role.label}", self)
        self.who.setObjectName("statusUser")
        self.where = QLabel(ctx.database.describe(), self)
        self.where.setObjectName("statusConnection")
        self.busy = QLabel("", self)
        status.addPermanentWidget(self.busy)
        status.addPermanentWidget(self.who)
        status.addPermanentWidget(self.where)
        ops.busy_changed.connect(lambda busy: self.busy.setText("working…" if busy else ""))
        ops.error.connect(lambda text: status.showMessage(text, 10000))

        self.online = QLabel("", self)
        self.online.setObjectName("statusOnline")
        status.addPermanentWidget(self.online)
        self.live = LiveUpdates(ctx, self)
        self.live.changed.connect(self.apply_changes)
        self.live.connection.connect(self._connection_changed)

        self.scanner = ScannerFilter(self, scope=self)
        self.scanner.scanned.connect(self.open_scanned)
        QApplication.instance().installEventFilter(self.scanner)

        self.loaded: set[int] = set()
        self.stale: set[int] = set()  # loaded screens that changed while another one was in front
        last_tab = settings().value(f"{user.username}/tab", 0)
        self.tabs.setCurrentIndex(int(last_tab) if str(last_tab).isdigit() else 0)
        self._tab_changed(self.tabs.currentIndex())

    # ---------------------------------------------------------------- actions

    def _action(
        self,
        name: str,
        text: str,
        permission: str,
        handler: Callable[[], Any],
        shortcut: str = "",
        menu: Any = None,
        toolbar: Any = None,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        may = allowed(self.ctx.user.role, permission)
        action.setProperty("permission", permission)
        action.setProperty("allowed", may)
        if may:
            # A zero-argument slot: connected directly, `triggered(checked)` would hand its bool to a
            # handler's first parameter, such as the `i` of `lambda i=i: …`.
            action.triggered.connect(lambda: handler())
            tip = text.replace("&", "").rstrip("…") + (f" ({shortcut})" if shortcut else "")
        else:
            tip = denial_message(permission)
        action.setEnabled(may)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if menu is not None:
            menu.addAction(action)
        if toolbar is not None:
            toolbar.addAction(action)
        self.addAction(action)
        self.actions_by_name[name] = action
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action("refresh", "&Refresh", "read", self.refresh_current, "F5", file_menu)
        self._action("export", "&Export view to CSV…", "read", self._export_current, "Ctrl+E", file_menu)
        self._action("find", "&Find", "read", self.focus_filter, "Ctrl+F", file_menu)
        self._action("password", "Change my &password…", "read", self.change_my_password, "", file_menu)
        file_menu.addSeparator()
        self._action("sign_out", "Sign &out", "read", self._sign_out, "", file_menu)
        self._action("quit", "&Quit", "read", self.close, "Ctrl+Q", file_menu)

        stock = bar.addMenu("&Stock")
        tb = self.inventory.toolbar
        self._action("receive", "&Receive…", "stock.receive", self.receive, "Ctrl+R", stock, tb)
        self._action(
            "transfer", "&Transfer…", "stock.transfer", lambda: self.move_stock("transfer"), "Ctrl+T", stock, tb
        )
        self._action("issue", "&Issue…", "stock.issue", lambda: self.move_stock("issue"), "Ctrl+I", stock, tb)
        self._action("adjust", "&Adjust…", "stock.adjust", lambda: self.move_stock("adjust"), "Ctrl+J", stock, tb)
        for name in ("receive", "transfer", "issue", "adjust"):
            self.batches.toolbar.addAction(self.actions_by_name[name])
        self.batches.toolbar.addSeparator()

        quality = bar.addMenu("&Quality")
        tb = self.batches.toolbar
        self._action("approve", "A&pprove batch", "batch.quality", self.approve_batch, "Ctrl+Shift+A", quality, tb)
        self._action("block", "&Block batch…", "batch.quality", self.block_batch, "Ctrl+Shift+B", quality, tb)
        self._action("trace", "T&race batch", "read", lambda: self._trace(None), "Ctrl+Shift+T", quality, tb)
        tb.addSeparator()
        self._action("print_labels", "Print &labels…", "label.print", self.print_labels, "Ctrl+L", quality, tb)

        production = bar.addMenu("&Production")
        tb = self.board.toolbar
        self._action("new_order", "&New order…", "order.edit", self.new_order, "Ctrl+Shift+N", production, tb)
        self._action("edit_order", "&Edit order…", "order.edit", self.edit_order, "", production, tb)
        tb.addSeparator()
        self._action("start", "&Start", "order.run", lambda: self._order_call(s.start_order), "", production, tb)
        self._action("consume", "Record &consumption…", "order.run", self.consume, "", production, tb)
        self._action("output", "Record &output…", "order.run", self.output, "", production, tb)
        self._action("finish", "&Finish", "order.run", lambda: self._order_call(s.finish_order), "", production, tb)
        tb.addSeparator()
        self._action(
            "unplan", "Back to &backlog", "order.plan", lambda: self._order_call(s.unplan_order), "", production, tb
        )
        self._action("optimise", "O&ptimise line", "order.plan", self.optimise_line, "", production, tb)
        self._action("cancel_order", "C&ancel order…", "order.cancel", self.cancel_order, "", production, tb)

        customers = bar.addMenu("&Customers")
        tb = self.customers.toolbar
        self._action("new_customer", "&New customer…", "customer.edit", self.new_customer, "Ctrl+N", customers, tb)
        self._action(
            "edit_customer",
            "&Edit customer…",
            "customer.edit",
            lambda: self._edit_customer_row(self.customers.current_row()),
            "",
            customers,
            tb,
        )
        self._action(
            "archive_customer", "&Archive / restore", "customer.archive", self.archive_customer, "", customers, tb
        )
        self._action("customer_orders", "Customer's &orders", "read", self.customer_orders, "", customers, tb)

        reports_menu = bar.addMenu("&Reports")
        for kind, title in REPORTS.items():
            permission = "print.view" if kind in ("inventory", "plan") else "report.all"
            self._action(
                f"report_{kind}", f"{title}…", permission, lambda kind=kind: self.open_report(kind), "", reports_menu
            )

        view = bar.addMenu("&View")
        for i, title in enumerate(("Inventory", "Batches", "Production queue", "Events", "Customers")):
            self._action(f"tab_{i}", title, "read", lambda i=i: self.tabs.setCurrentIndex(i), f"Ctrl+{i + 1}", view)
        admin_menu = bar.addMenu("&Administration")
        self._action("users", "&Users…", "user.manage", self.open_users, "", admin_menu)
        help_menu = bar.addMenu("&Help")
        self._action("about", "&About MPSYSTEM", "read", self._about, "", help_menu)
        self._update_board_actions()

    def _update_board_actions(self) -> None:
        order = self.board.selected
        status = order.status if order else None
        wants = {
            "edit_order": status in ("new", "planned"),
            "start": status == "planned" and not self.board.line_is_running(self.board.selected_line),
            "consume": status == "in_progress",
            "output": status == "in_progress",
            "finish": status == "in_progress",
            "unplan": status == "planned",
            "cancel_order": status in ("new", "planned", "in_progress"),
            "optimise": self.board.selected_line is not None,
        }
        for name, enabled in wants.items():
            action = self.actions_by_name[name]
            if action.property("allowed"):
                action.setEnabled(enabled)

    # ---------------------------------------------------------------- screens

    def _tab_changed(self, index: int) -> None:
        settings().setValue(f"{self.ctx.user.username}/tab", index)
        if index in self.loaded:
            if index in self.stale:
                self.stale.discard(index)
                self._refresh_screen(self.tabs.widget(index))
            return
        self.loaded.add(index)
        screen = self.tabs.widget(index)
        if screen is self.board:
            self.board.reload()
        else:
            if screen is self.events:
                self.events.load_choices()
            screen.reload()  # type: ignore[attr-defined]

    def refresh_current(self) -> None:
        screen = self.tabs.currentWidget()
        if screen is self.board:
            self.board.reload()
        else:
            screen.reload()  # type: ignore[attr-defined]

    def refresh_all(self) -> None:
        """After a write from this window, or one refused as stale: show the database as it is now.

        Like a change from elsewhere, each screen reads its rows again in place, so the user keeps
        the row they were working on selected and the table does not jump back to the top.
        """
        self.apply_changes(frozenset({"*"}))

    def apply_changes(self, tables: frozenset[str]) -> None:
        """Writes committed elsewhere (another workstation, window or psql): refresh what shows them.

        Only the screen in front reads again now; the others are marked and read when shown, so
        a busy plant does not make every client re-count every table several times a second.
        """
        for index in list(self.loaded):
            screen = self.tabs.widget(index)
            if "*" not in tables and not (tables & screen.WATCHES):  # type: ignore[attr-defined]
                continue
            if screen is self.tabs.currentWidget():
                self._refresh_screen(screen)
            else:
                self.stale.add(index)

    def _refresh_screen(self, screen: QWidget) -> None:
        if screen is self.board:
            self.board.reload()
        else:
            screen.refresh_in_place()  # type: ignore[attr-defined]

    def _connection_changed(self, up: bool, why: str) -> None:
        if up:
            self.online.setText("")
            self.online.setToolTip("")
            if self.online.property("lost"):
                self.statusBar().showMessage("Connection to the server restored.", 8000)
            self.online.setProperty("lost", False)
        else:
            self.online.setText("⚠ offline — reconnecting…")
            self.online.setToolTip(f"The connection to the server was lost: {why}")
            self.online.setProperty("lost", True)

    def focus_filter(self) -> None:
        screen = self.tabs.currentWidget()
        if screen is self.board:
            self.board.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            screen.focus_search()  # type: ignore[attr-defined]

    def _export_current(self) -> None:
        screen = self.tabs.currentWidget()
        if screen is not self.board:
            screen.export_action.trigger()  # type: ignore[attr-defined]

    # ---------------------------------------------------------------- running forms

    def _open(self, dialog: FormDialog, done_text: str) -> FormDialog:
        def succeeded(_result: Any) -> None:
            self.statusBar().showMessage(done_text, 8000)
            self.refresh_all()

        dialog.succeeded.connect(succeeded)
        dialog.conflicted.connect(self.refresh_all)
        dialog.open()
        return dialog

    def _selected_batch(self) -> BatchRow | None:
        return self.batches.current_row() if self.tabs.currentWidget() is self.batches else None

    def receive(self) -> FormDialog:
        return self._open(forms.ReceiveDialog(self.ctx, self.ops, self.lookups, self), "Delivery received")

    def move_stock(self, kind: str) -> FormDialog:
        batch = self._selected_batch()
        number, unit, warehouse = "", "kg", ""
        if batch is not None:
            number, unit = batch.number, batch.unit
            warehouse = batch.locations.split(",")[0].strip()
        done = {"transfer": "Stock transferred", "issue": "Stock issued", "adjust": "Stock adjusted"}[kind]
        return self._open(forms.MoveDialog(kind, self.ctx, self.ops, self.lookups, number, unit, warehouse, self), done)

    def _need_batch(self) -> BatchRow | None:
        batch = self._selected_batch()
        if batch is None:
            self.statusBar().showMessage("Select a batch on the Batches screen first.", 6000)
        return batch

    def approve_batch(self) -> None:
        batch = self._need_batch()
        if batch is None:
            return
        ctx = self.ctx
        self._run(
            lambda: s.approve_batch(ctx.uow(), batch=batch.number, expected_version=batch.version),
            f"Batch {batch.number} approved",
        )

    def block_batch(self) -> FormDialog | None:
        batch = self._need_batch()
        if batch is None:
            return None
        ctx = self.ctx
        dialog = forms.ReasonDialog(
            f"Block batch {batch.number}",
            "Reason",
            self.ops,
            lambda reason: s.block_batch(ctx.uow(), batch=batch.number, reason=reason, expected_version=batch.version),
            self,
        )
        return self._open(dialog, f"Batch {batch.number} blocked")

    def _trace(self, number: str | None) -> None:
        if number is None:
            batch = self._need_batch()
            if batch is None:
                return
            number = batch.number
        ctx = self.ctx
        self.ops.run(
            lambda: s.trace_batch(ctx.reader(), number=number),
            lambda trees: self._show_trace(number, *trees),
            lambda exc: self.statusBar().showMessage(message_for(exc), 8000),
        )

    def _show_trace(self, number: str, backward: Any, forward: Any) -> None:
        self.trace_dialog = TraceDialog(number, backward, forward, self)
        self.trace_dialog.open()

    def _run(self, call: Callable[[], Any], done_text: str) -> None:
        def done(_r: Any) -> None:
            self.statusBar().showMessage(done_text, 8000)
            self.refresh_all()

        def failed(exc: Exception) -> None:
            QMessageBox.warning(self, "MPSYSTEM", message_for(exc))
            self.refresh_all()

        self.ops.run(call, done, failed)

    # ---------------------------------------------------------------- production

    def _need_order(self) -> OrderRow | None:
        order = self.board.selected
        if order is None:
            self.statusBar().showMessage("Select an order on the planning board first.", 6000)
        return order

    def new_order(self) -> FormDialog:
        return self._open(forms.OrderDialog(self.ctx, self.ops, self.lookups, None, self), "Order created")

    def edit_order(self) -> FormDialog | None:
        order = self._need_order()
        if order is None:
            return None
        return self._open(forms.OrderDialog(self.ctx, self.ops, self.lookups, order, self), f"{order.number} saved")

    def _order_call(self, service: Callable[..., Any]) -> None:
        order = self._need_order()
        if order is None:
            return
        ctx = self.ctx
        verb = service.__name__.split("_")[0]
        self._run(
            lambda: service(ctx.uow(), number=order.number, expected_version=order.version),
            f"{order.number}: {verb} done",
        )

    def consume(self) -> FormDialog | None:
        order = self._need_order()
        if order is None:
            return None
        return self._open(
            forms.ConsumeDialog(self.ctx, self.ops, self.lookups, order.number, self), "Consumption recorded"
        )

    def output(self) -> FormDialog | None:
        order = self._need_order()
        if order is None:
            return None
        return self._open(forms.OutputDialog(self.ctx, self.ops, self.lookups, order.number, self), "Output recorded")

    def optimise_line(self) -> None:
        line = self.board.selected_line
        if line is None:
            self.statusBar().showMessage("Select an order in a line's queue first.", 6000)
            return
        ctx = self.ctx
        self._run(lambda: s.optimise_line(ctx.uow(), line=line), f"Queue of {line} optimised")

    def cancel_order(self) -> FormDialog | None:
        order = self._need_order()
        if order is None:
            return None
        ctx = self.ctx
        dialog = forms.ReasonDialog(
            f"Cancel order {order.number}",
            "Reason",
            self.ops,
            lambda reason: s.cancel_order(
                ctx.uow(), number=order.number, reason=reason, expected_version=order.version
            ),
            self,
        )
        return self._open(dialog, f"{order.number} cancelled")

    # ---------------------------------------------------------------- customers

    def new_customer(self) -> FormDialog:
        return self._open(forms.CustomerDialog(self.ctx, self.ops, None, self), "Customer created")

    def _edit_customer_row(self, row: CustomerRow | None) -> FormDialog | None:
        if row is None:
            self.statusBar().showMessage("Select a customer first.", 6000)
            return None
        if not allowed(self.ctx.user.role, "customer.edit"):
            self.statusBar().showMessage(denial_message("customer.edit"), 6000)
            return None
        return self._open(forms.CustomerDialog(self.ctx, self.ops, row, self), f"Customer {row.code} saved")

    def archive_customer(self) -> None:
        row = self.customers.current_row()
        if row is None:
            self.statusBar().showMessage("Select a customer first.", 6000)
            return
        ctx = self.ctx
        self._run(
            lambda: s.set_customer_archived(
                ctx.uow(), code=row.code, archived=not row.archived, expected_version=row.version
            ),
            f"Customer {row.code} {'restored' if row.archived else 'archived'}",
        )

    def customer_orders(self) -> None:
        row = self.customers.current_row()
        if row is None:
            self.statusBar().showMessage("Select a customer first.", 6000)
            return
        ctx = self.ctx
        self.ops.run(
            lambda: q.orders(ctx.reader(), q.OrderFilter(customer=row.code), limit=1000),
            lambda page: self._show_orders(row, page.rows),
        )

    def _show_orders(self, customer: CustomerRow, orders: tuple[OrderRow, ...]) -> None:
        from ui.dialogs import OrdersDialog

        self.orders_dialog = OrdersDialog(customer, orders, self)
        self.orders_dialog.open()

    # ---------------------------------------------------------------- labels and reports

    def print_labels(self) -> FormDialog | None:
        rows = self.batches.selected_rows() if self.tabs.currentWidget() is self.batches else []
        if not rows:
            self.statusBar().showMessage("Select the batches to label on the Batches screen first.", 6000)
            return None
        dialog = LabelsDialog(self.ctx, self.ops, [r.number for r in rows], self)
        dialog.succeeded.connect(self._labels_ready)
        dialog.open()
        return dialog

    def _labels_ready(self, path: Path) -> None:
        self.last_output = path
        if path.suffix == ".zpl":
            target, _ = QFileDialog.getSaveFileName(
                self, "Save labels for the thermal printer", "labels.zpl", "ZPL files (*.zpl)"
            )
            if target:
                shutil.copyfile(path, target)
                self.statusBar().showMessage(f"Labels saved to {target}", 8000)
            return
        self.preview = PreviewDialog(path, "Batch labels", self)
        self.preview.open()

    def open_report(self, kind: str) -> FormDialog:
        preset = ""
        if kind == "trace" and self.tabs.currentWidget() is self.batches and self.batches.current_row():
            preset = self.batches.current_row().number
        if kind == "customer" and self.tabs.currentWidget() is self.customers and self.customers.current_row():
            preset = self.customers.current_row().code
        dialog = ReportDialog(kind, self.ctx, self.ops, self.lookups, preset, self)
        dialog.succeeded.connect(lambda data: self._write_report(kind, data))
        dialog.open()
        return dialog

    def _write_report(self, kind: str, data: Any) -> None:
        self.report_progress = run_with_progress(
            self,
            self.ops,
            REPORTS[kind],
            expected_rows(data),
            lambda progress: write_report(kind, data, progress),
            lambda path: self._show_report(kind, path),
        )

    def _show_report(self, kind: str, path: Path) -> None:
        self.last_output = path
        self.preview = PreviewDialog(path, REPORTS[kind], self)
        self.preview.open()

    # ---------------------------------------------------------------- scanning and the journal

    def open_scanned(self, code: str) -> None:
        """A scanned batch number opens that batch."""
        self.tabs.setCurrentWidget(self.batches)
        self.batches.show_batch(code.strip())
        self.statusBar().showMessage(f"Scanned {code.strip()}", 6000)

    def open_event(self, event: EventRow) -> None:
        """Double-clicking a journal entry opens what it is about."""
        if event.entity_id is None:
            return
        ctx = self.ctx
        entity = event.entity_type

        def go(key: str | None) -> None:
            if key is None:
                self.statusBar().showMessage("That record no longer exists.", 6000)
            elif entity == "batch":
                self.tabs.setCurrentWidget(self.batches)
                self.batches.show_batch(key)
            elif entity == "customer":
                self.tabs.setCurrentWidget(self.customers)
                self.customers.archived.setCurrentIndex(2)
                self.customers.search.setText(key)
                self.customers.apply_filter()
            elif entity in ("order", "line"):
                self.tabs.setCurrentWidget(self.board)
                if entity == "order":
                    self.board.search.setText(key)
            else:
                self.statusBar().showMessage(f"{entity} {key}", 6000)

        self.ops.run(lambda: q.entity_key(ctx.reader(), entity, event.entity_id or 0), go)

    # ---------------------------------------------------------------- window

    def open_users(self) -> UsersDialog:
        self.users_dialog = UsersDialog(self.ctx, self.ops, self)
        self.users_dialog.changed.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.users_dialog.open()
        return self.users_dialog

    def change_my_password(self) -> FormDialog:
        return self._open(PasswordDialog(self.ctx, self.ops, self.ctx.user.username, self), "Password changed.")

    def _about(self) -> None:
        import app

        QMessageBox.about(
            self, "About MPSYSTEM", f"MPSYSTEM Desktop {app.__version__}\nConnected to {self.ctx.database.describe()}"
        )

    def _sign_out(self) -> None:
        self._signing_out = True
        self.close()
        self.signed_out.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the column layouts for this user; closing the window (not signing out) ends the program."""
        for screen in (self.inventory, self.batches, self.events, self.customers):
            screen.save_layout()
        QApplication.instance().removeEventFilter(self.scanner)
        self.live.stop()
        super().closeEvent(event)
        if not self._signing_out:
            self.closed.emit()
