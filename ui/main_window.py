"""The main window: the screens as tabs, their actions in the menus, the status bar, and live changes
routed to the screens that show them. Each screen owns its actions and their handlers."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QKeyCombination, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabBar,
    QTabWidget,
    QToolButton,
    QWidget,
)

from app import queries as q
from app.context import Context
from app.dto import PlantSetup
from app.lookups import Lookups
from app.scan import Scanned, find_scanned, kinds_named, read_label
from app.settings import PlantSettings, plant_settings
from domain.vocabulary import Role
from ui.batch_page import BatchPageWindow
from ui.batches import BatchesScreen
from ui.board import PlanningBoard
from ui.customers import CustomersScreen
from ui.dashboard import DashboardScreen
from ui.dashboard_feed import DashboardFeed
from ui.firstrun import FirstRunDialog
from ui.imports import ExportDialog, ImportDialog
from ui.inventory import InventoryScreen
from ui.journal import EventsScreen
from ui.live import LiveUpdates
from ui.lookups import LiveLookups
from ui.masterdata import MASTER_SCREENS, MasterScreen
from ui.ops import Ops
from ui.orders import OrdersScreen
from ui.plant_settings import PlantSettingsDialog
from ui.printing import LabelOutputDialog, ReportsMenu
from ui.purchasing import PurchasingScreen
from ui.scanner import ScannerFilter
from ui.screen import Filterable, Host, Screen
from ui.stock import StockActions
from ui.stops import LineStopsScreen, StopActions, StopReasonsDialog
from ui.users import PasswordDialog, UsersDialog
from ui.widgets import FormDialog, TableScreen, settings
from ui.words import role_name
from ui.zoom import LARGE, NORMAL, Size, current, zoom


def _widget(screen: Screen) -> QWidget:
    assert isinstance(screen, QWidget)
    return screen


def _application() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app


def _fill(menu: QMenu, entries: list[QAction | None]) -> None:
    for entry in entries:
        if entry is None:
            menu.addSeparator()
        else:
            menu.addAction(entry)
    # A menu of nothing the role may do is not offered either.
    shown = [a for a in menu.actions() if not a.isSeparator() and (a.isVisible() or a.menu() is not None)]
    menu.menuAction().setVisible(any(a.isVisible() for a in shown))


def _keypad(key: Qt.Key) -> QKeySequence:
    return QKeySequence(QKeyCombination(Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.KeypadModifier, key))


def _shortcuts(action: QAction, *keys: str | QKeySequence | QKeySequence.StandardKey) -> None:
    """Several shortcuts for one action, each once: a sequence listed twice makes Qt ignore both."""
    sequences: list[QKeySequence] = []
    for key in keys:
        found = QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey) else [QKeySequence(key)]
        sequences += [s for s in found if not s.isEmpty() and s not in sequences]
    action.setShortcuts(sequences)


class MainWindow(QMainWindow):
    signed_out = Signal()  # the user signed out: the sign-in dialog comes back
    closed = Signal()  # the user closed the window or chose File → Quit: the program ends

    def __init__(self, ctx: Context, ops: Ops, lookups: Lookups, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.ops = ctx, ops
        self.setWindowTitle(f"MPSYSTEM — {ctx.connection_name}")
        self.resize(1360, 820)
        self._signing_out = False
        self.lookups = LiveLookups(ctx, ops, lookups, self)
        self.host = Host(ctx, ops, self.lookups, self)
        self.actions_by_name = self.host.actions  # every action by object name: the tests and the desktop probe
        self.stock = StockActions(self.host, self)
        self.inventory = InventoryScreen(self.host, self.stock, self)
        self.batches = BatchesScreen(self.host, self.stock, self)
        self.board = PlanningBoard(self.host, self)
        self.events = EventsScreen(self.host, self)
        self.customers = CustomersScreen(self.host, self)
        self.orders = OrdersScreen(self.host, self)
        self.stops = StopActions(self.host, self)
        self.line_stops = LineStopsScreen(self.host, self.stops, self)
        self.feed = DashboardFeed(ctx, ops, self)
        self.dashboard = DashboardScreen(self.host, self.feed, self.stops, self)
        self.buying = PurchasingScreen(self.host, self)
        self.main_screens: list[Screen] = [
            self.inventory,
            self.batches,
            self.board,
            self.events,
            self.customers,
            self.orders,
            self.dashboard,
            self.line_stops,
            self.buying,
        ]
        # The master data's screens are tabs too, shown when opened from Administration (or the first run).
        self.setup_screens: list[MasterScreen] = [kind(self.host, self) for kind in MASTER_SCREENS]
        self.warehouses, self.materials, self.suppliers, self.lines = self.setup_screens
        self.screens: list[Screen] = [*self.main_screens, *self.setup_screens]
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        for screen in self.screens:
            index = self.tabs.addTab(_widget(screen), screen.title())
            if screen in self.main_screens:
                self.tabs.tabBar().setTabButton(index, QTabBar.ButtonPosition.RightSide, None)
            else:
                self.tabs.setTabVisible(index, False)
        for master in self.setup_screens:
            master.wanted.connect(partial(self.show_screen, master))
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.setCentralWidget(self.tabs)
        self.host.current = self.current
        self.reports = ReportsMenu(self.host, self)
        self._build_menus()
        self._build_status_bar()
        self.host.message.connect(lambda text, msecs: self.statusBar().showMessage(text, msecs))
        self.host.wrote.connect(self.refresh_all)
        self.host.open_requested.connect(self.open_record)
        self.host.view_requested.connect(self.open_view)
        self.feed.alerts_changed.connect(self._show_alert_count)

        self.live = LiveUpdates(ctx, self)
        self.live.changed.connect(self.apply_changes)
        self.live.connection.connect(self._connection_changed)
        self.scanner = ScannerFilter(self, windows=self.scan_windows)
        self.scanner.scanned.connect(self.open_scanned)
        _application().installEventFilter(self.scanner)

        self.pages: dict[str, BatchPageWindow] = {}  # the batch pages open, by number
        self.loaded: set[int] = set()
        self.stale: set[int] = set()  # loaded screens that changed while another one was in front
        self.tabs.currentChanged.connect(self._tab_changed)
        first = self._first_tab()
        self.tabs.setTabVisible(first, True)
        self.tabs.setCurrentIndex(first)
        self._tab_changed(self.tabs.currentIndex())
        self.first_run: FirstRunDialog | None = None
        self.ops.run(lambda: q.plant_setup(ctx.reader()), self._check_setup)
        if self.current() is self.dashboard:
            self.feed.start()
        else:
            # The status bar's alerts come from the dashboard's figures: read them once the first screen
            # has its rows, so that reading and drawing them does not hold those rows up.
            self.ops.busy_changed.connect(self._start_feed_when_idle)

    def _start_feed_when_idle(self, busy: bool) -> None:
        if not busy:
            self.ops.busy_changed.disconnect(self._start_feed_when_idle)
            self.feed.start()

    def _first_tab(self) -> int:
        """A manager starts on the dashboard; everyone else where they left off."""
        if self.ctx.user.role is Role.MANAGER:
            return self.screens.index(self.dashboard)
        last_tab = str(settings().value(f"{self.ctx.user.username}/tab", 0))
        return int(last_tab) if last_tab.isdigit() and int(last_tab) < len(self.screens) else 0

    # ---------------------------------------------------------------- menus and status bar

    def _build_menus(self) -> None:
        bar, make = self.menuBar(), self.host.action
        file_menu = [
            make(self, "refresh", self.tr("&Refresh"), "read", self.refresh_current, "F5"),
            make(
                self, "export", self.tr("&Export view to CSV…"), "read", lambda: self.current().ask_export(), "Ctrl+E"
            ),
            make(self, "find", self.tr("&Find"), "read", lambda: self.current().focus_search(), "Ctrl+F"),
            make(self, "password", self.tr("Change my &password…"), "read", self.change_my_password),
            make(self, "workstation", self.tr("&Labels at this workstation…"), "label.print", self.label_settings),
            None,
            make(self, "sign_out", self.tr("Sign &out"), "read", self._sign_out),
            make(self, "quit", self.tr("&Quit"), "read", self.close, "Ctrl+Q"),
        ]
        _fill(bar.addMenu(self.tr("&File")), file_menu)
        for screen in self.main_screens:
            for title, entries in screen.menus():
                _fill(bar.addMenu(title), entries)
        title, entries = self.reports.menu()
        _fill(bar.addMenu(title), entries)
        views: list[QAction | None] = [
            make(self, f"tab_{i}", screen.title(), "read", partial(self.tabs.setCurrentIndex, i), f"Ctrl+{i + 1}")
            for i, screen in enumerate(self.main_screens)
        ]
        views += [None, *self._zoom_actions()]
        _fill(bar.addMenu(self.tr("&View")), views)
        administration = bar.addMenu(self.tr("&Administration"))
        _fill(administration, [make(self, "users", self.tr("&Users…"), "user.manage", self.open_users), None])
        for screen in self.setup_screens:
            for title, entries in screen.menus():
                _fill(administration.addMenu(title), entries)
        _fill(
            administration,
            [
                None,
                make(self, "stop_reasons", self.tr("Stop &reasons…"), "masterdata.manage", self.open_stop_reasons),
                make(self, "plant_settings", self.tr("Plant &settings…"), "settings.manage", self.open_settings),
                make(self, "import", self.tr("&Import…"), "import.run", self.open_import),
                make(self, "export_records", self.tr("E&xport…"), "read", self.open_export),
            ],
        )
        _fill(bar.addMenu(self.tr("&Help")), [make(self, "about", self.tr("&About MPSYSTEM"), "read", self._about)])
        self.addActions(list(self.host.actions.values()))  # their shortcuts work wherever the focus is
        self._share_keys()

    def _share_keys(self) -> None:
        """Two screens may give the same keys to their own actions (Ctrl+O opens a batch's page on Batches and
        an order on Orders). Qt runs neither of two actions with one shortcut, so such keys belong to the
        screen in front: `_tab_changed` hands them over."""
        owners: dict[str, set[int]] = {}
        for screen in self.screens:
            for _title, entries in screen.menus():
                for action in entries:
                    if action is not None and not action.shortcut().isEmpty():
                        owners.setdefault(action.shortcut().toString(), set()).add(id(screen))
        self.shared_keys: list[tuple[Screen, QAction, QKeySequence]] = [
            (screen, action, action.shortcut())
            for screen in self.screens
            for _title, entries in screen.menus()
            for action in entries
            if action is not None and len(owners.get(action.shortcut().toString(), ())) > 1
        ]

    def _zoom_actions(self) -> list[QAction | None]:
        make = self.host.action
        bigger = make(self, "zoom_in", self.tr("Zoom &in"), "read", lambda: self.resize_client(1), "Ctrl++")
        # Ctrl with the plus key as it comes: shifted on the main keys, or "=" unshifted, or the keypad's.
        _shortcuts(
            bigger, "Ctrl++", "Ctrl+=", "Ctrl+Shift++", QKeySequence.StandardKey.ZoomIn, _keypad(Qt.Key.Key_Plus)
        )
        smaller = make(self, "zoom_out", self.tr("Zoom &out"), "read", lambda: self.resize_client(-1), "Ctrl+-")
        _shortcuts(smaller, "Ctrl+-", QKeySequence.StandardKey.ZoomOut, _keypad(Qt.Key.Key_Minus))
        normal = make(self, "zoom_normal", self.tr("&Normal size"), "read", lambda: self.size_client(NORMAL), "Ctrl+0")
        self.large = make(self, "zoom_large", self.tr("&Large, for the shop floor"), "read", self._toggle_large)
        self.large.setCheckable(True)
        self.large.setChecked(current().percent == LARGE)
        return [bigger, smaller, normal, self.large]

    def resize_client(self, steps: int) -> None:
        """Ctrl+plus and Ctrl+minus: the whole client one size larger or smaller, kept for this workstation."""
        self._relayout(lambda: zoom().step(steps))

    def size_client(self, percent: int) -> None:
        self._relayout(lambda: zoom().set_percent(percent))

    def _toggle_large(self) -> None:
        self.size_client(LARGE if current().percent != LARGE else NORMAL)

    def _relayout(self, change: Callable[[], Size]) -> None:
        for screen in self.screens:
            screen.save_layout()
        size = change()
        for screen in self.screens:
            screen.restore_layout()
        self.large.setChecked(size.percent == LARGE)
        self.statusBar().showMessage(self.tr("Shown at {0} %").format(size.percent), 4000)

    def _build_status_bar(self) -> None:
        status, user = self.statusBar(), self.ctx.user
        self.who = QLabel(f"{user.display_name} ({user.username}) · {role_name(user.role)}", self)
        self.who.setObjectName("statusUser")
        self.where = QLabel(self.ctx.connection_name, self)
        self.where.setObjectName("statusConnection")
        self.where.setToolTip(self.ctx.database.describe())
        self.busy = QLabel("", self)
        self.online = QLabel("", self)
        self.online.setObjectName("statusOnline")
        self.selection = QLabel("", self)
        self.selection.setObjectName("statusSelection")
        self.alert_count = QToolButton(self)
        self.alert_count.setObjectName("statusAlerts")
        self.alert_count.setAutoRaise(True)
        self.alert_count.setCursor(Qt.CursorShape.PointingHandCursor)
        self.alert_count.clicked.connect(self.show_alerts)
        self.alert_count.hide()
        status.addPermanentWidget(self.alert_count)
        for label in (self.selection, self.busy, self.who, self.where, self.online):
            status.addPermanentWidget(label)
        for screen in self.screens:
            if isinstance(screen, TableScreen):
                screen.selection_changed.connect(partial(self._selection_changed, screen))
        self.ops.busy_changed.connect(lambda busy: self.busy.setText(self.tr("working…") if busy else ""))
        self.ops.error.connect(lambda text: status.showMessage(text, 10000))

    def _selection_changed(self, screen: TableScreen) -> None:
        if self.tabs.currentWidget() is screen:
            self.selection.setText(screen.selection_summary())

    def _connection_changed(self, up: bool, why: str) -> None:
        if up:
            self.online.setText("")
            self.online.setToolTip("")
            if self.online.property("lost"):
                self.statusBar().showMessage(self.tr("Connection to the server restored."), 8000)
            self.online.setProperty("lost", False)
        else:
            self.online.setText(self.tr("⚠ offline — reconnecting…"))
            self.online.setToolTip(self.tr("The connection to the server was lost: {0}").format(why))
            self.online.setProperty("lost", True)

    # ---------------------------------------------------------------- screens and live changes

    def current(self) -> Screen:
        return self.screens[self.tabs.currentIndex()]

    def show_screen(self, screen: Screen) -> None:
        """Bring a screen to the front, opening its tab if it was closed."""
        index = self.screens.index(screen)
        self.tabs.setTabVisible(index, True)
        self.tabs.setCurrentIndex(index)

    def _close_tab(self, index: int) -> None:
        """A master-data tab closes (the main screens have no close button); it opens again from Administration."""
        if index >= len(self.main_screens):
            self.tabs.setTabVisible(index, False)

    def _tab_changed(self, index: int) -> None:
        settings().setValue(f"{self.ctx.user.username}/tab", index)
        screen = self.screens[index]
        for owner, action, keys in self.shared_keys:
            action.setShortcut(keys if owner is screen else QKeySequence())
        self.selection.setText(screen.selection_summary() if isinstance(screen, TableScreen) else "")
        screen.update_actions()
        if index not in self.loaded:
            self.loaded.add(index)
            screen.reload()
        elif index in self.stale:
            self.stale.discard(index)
            screen.refresh_in_place()

    def refresh_current(self) -> None:
        self.current().reload()

    def refresh_all(self) -> None:
        """After a write from this window, or one refused as stale: show the database as it is now.

        Like a change from elsewhere, each screen reads its rows again in place, so the user keeps
        the row they were working on selected and the table does not jump back to the top.
        """
        self.apply_changes(frozenset({"*"}))

    def apply_changes(self, tables: frozenset[str]) -> None:
        """Writes committed elsewhere (another workstation, window or psql): refresh what shows them.

        The pickers' codes follow at once. Of the screens, only the one in front reads again now;
        the others are marked and read when shown, so a busy plant does not make every client
        re-count every table several times a second.
        """
        self.lookups.follow(tables)
        self.feed.follow(tables)
        for number, page in list(self.pages.items()):
            if page.closed_by_user:
                del self.pages[number]
                page.deleteLater()
            elif "*" in tables or tables & page.WATCHES:
                page.refresh()
        for index in list(self.loaded):
            screen = self.screens[index]
            if "*" not in tables and not (tables & screen.WATCHES):
                continue
            if index == self.tabs.currentIndex():
                screen.refresh_in_place()
            else:
                self.stale.add(index)

    def _show_alert_count(self) -> None:
        total = self.feed.alerts.total
        self.alert_count.setText(self.tr("⚠ {0} alerts").format(total) if total != 1 else self.tr("⚠ 1 alert"))
        self.alert_count.setToolTip(self.tr("What needs attention now, on the dashboard"))
        self.alert_count.setProperty("alerts", total)
        self.alert_count.setVisible(total > 0)

    def show_alerts(self) -> None:
        """The dashboard's alert list, from the count in the status bar."""
        self.show_screen(self.dashboard)
        self.dashboard.focus_search()

    def open_view(self, view: str, filters: Any) -> None:
        """The rows behind a dashboard figure, on the screen that offers them."""
        for screen in self.screens:
            if isinstance(screen, Filterable) and view in screen.VIEWS:
                self.show_screen(screen)
                screen.show_view(view, dict(filters))
                return

    def open_record(self, entity: str, key: str) -> None:
        """Bring a record (a journal entry's subject, a scanned label) into view: a batch on its own page, the others
        on the screen that shows them."""
        if entity == "batch":
            self.open_batch(key)
            return
        for screen in self.screens:
            if entity in screen.SHOWS:
                self.show_screen(screen)
                screen.show_record(entity, key)
                return
        self.statusBar().showMessage(f"{entity} {key}", 6000)

    def open_batch(self, number: str) -> BatchPageWindow:
        """The batch's page: brought to the front if it is open, else opened beside the main window."""
        page = self.pages.get(number)
        if page is None or page.closed_by_user:
            page = BatchPageWindow(self.host, self.stock, number, self)
            self.pages[number] = page
            frame = self.frameGeometry()
            page.move(frame.center() - page.rect().center())  # over the window it was opened from
        page.show()
        page.raise_()
        page.activateWindow()
        return page

    def scan_windows(self) -> list[QWidget]:
        """Where a scan opens what it names: this window and the batch pages (a form keeps its scans)."""
        return [self, *(page for page in self.pages.values() if page.isVisible())]

    def open_scanned(self, code: str) -> None:
        """A scanned label or number opens its record, from whichever screen or page is in front."""
        ctx = self.ctx

        def found(record: Scanned | None) -> None:
            if record is None:
                self.say_unknown(code)
                return
            self.open_record(record.entity, record.key)
            self.statusBar().showMessage(self.tr("Scanned {0} {1}").format(record.entity, record.key), 8000)

        self.statusBar().showMessage(self.tr("Looking up {0}…").format(code.strip()), 4000)
        self.ops.run(lambda: find_scanned(ctx.reader(), code), found)

    def say_unknown(self, code: str) -> None:
        """A scan the plant does not know: said plainly, with a beep for someone looking at the pallet."""
        QApplication.beep()
        text = self.tr("The plant has no {0} “{1}”.").format(kinds_named(), read_label(code)[1])
        self.statusBar().showMessage(text, 12000)

    # ---------------------------------------------------------------- window

    def open_users(self) -> UsersDialog:
        self.users_dialog = UsersDialog(self.ctx, self.ops, self)
        self.users_dialog.changed.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.users_dialog.open()
        return self.users_dialog

    def open_settings(self) -> None:
        """Read the settings as they are now, then let the administrator change them."""
        ctx = self.ctx
        self.ops.run(lambda: plant_settings(ctx.reader()), self._settings_read)

    def _settings_read(self, current: PlantSettings) -> None:
        self.settings_dialog = PlantSettingsDialog(self.ctx, self.ops, current, self)
        self.host.open_form(self.settings_dialog, self.tr("Plant settings saved."))

    def open_import(self) -> ImportDialog:
        self.import_dialog = ImportDialog(self.ctx, self.ops, self)
        self.import_dialog.imported.connect(lambda result: self.host.say(result.summary()))
        self.import_dialog.imported.connect(lambda _result: self.host.wrote.emit())
        self.import_dialog.open()
        return self.import_dialog

    def open_export(self) -> ExportDialog:
        self.export_dialog = ExportDialog(self.ctx, self.ops, self)
        self.export_dialog.succeeded.connect(lambda text: self.host.say(str(text)))
        self.export_dialog.open()
        return self.export_dialog

    def _check_setup(self, setup: PlantSetup) -> None:
        """A plant without warehouses, materials or lines: say so, and lead an administrator to set it up."""
        if not setup.missing:
            return
        admin = self.host.may("masterdata.manage")
        self.first_run = FirstRunDialog(setup, admin, self)
        self.first_run.chosen.connect(self._set_up)
        # Not modal: the window behind stays usable (its menus, File → Quit) while the notice is up.
        self.first_run.setModal(False)
        self.first_run.show()

    def _set_up(self, choice: str) -> None:
        screens = {s.KEY: s for s in self.setup_screens}
        if choice in screens:
            self.show_screen(screens[choice])
        elif choice == "customers":
            self.show_screen(self.customers)
        elif choice == "import":
            self.open_import()
        elif choice == "settings":
            self.open_settings()

    def label_settings(self) -> LabelOutputDialog:
        """Where this workstation's labels go: a preview, its label printer or a folder."""
        return self.host.open_form(
            LabelOutputDialog(self.ops, self), self.tr("Label printing saved for this workstation")
        )

    def open_stop_reasons(self) -> StopReasonsDialog:
        self.stop_reasons_dialog = StopReasonsDialog(self.host, self)
        self.stop_reasons_dialog.open()
        return self.stop_reasons_dialog

    def change_my_password(self) -> FormDialog:
        dialog = PasswordDialog(self.ctx, self.ops, self.ctx.user.username, self)
        return self.host.open_form(dialog, self.tr("Password changed."))

    def _about(self) -> None:
        import app

        where = f"{self.ctx.connection_name} ({self.ctx.database.describe()})"
        text = self.tr("MPSYSTEM Desktop {0}\nConnected to {1}").format(app.__version__, where)
        QMessageBox.about(self, self.tr("About MPSYSTEM"), text)

    def _sign_out(self) -> None:
        self._signing_out = True
        self.close()
        self.signed_out.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the layouts for this user; closing the window (not signing out) ends the program."""
        for screen in self.screens:
            screen.save_layout()
        for page in self.pages.values():
            page.close()
        _application().removeEventFilter(self.scanner)
        self.live.stop()
        self.feed.stop()
        super().closeEvent(event)
        if not self._signing_out:
            self.closed.emit()
