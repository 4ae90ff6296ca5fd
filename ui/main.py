"""Starting the client: the login dialog, then the main window; signing out returns to the login."""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app import profiles as pf
from ui.login import LoginDialog
from ui.ops import Ops, message_for
from ui.zoom import zoom

if TYPE_CHECKING:
    from app.context import Context
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)
# Set by the start-up benchmark and the bundle's smoke test: quit as soon as the login dialog shows.
EXIT_AFTER_LOGIN_SHOWN = "MPSYSTEM_EXIT_AFTER_LOGIN_SHOWN"

# What the main window needs and the sign-in dialog does not (SQLAlchemy and the models, the queries,
# reportlab, the screens), in the order they build on each other. The dialog shows without them; they
# load after its first paint, one per turn of the event loop, so a key typed meanwhile waits for one
# of them at most and signing in finds them loaded.
MAIN_WINDOW_MODULES = (
    "keyring",
    "sqlalchemy",
    "sqlalchemy.orm",
    "data.models",
    "app.security",
    "app.queries",
    "app.lookups",
    "app.reporting",
    "reports.labels",
    "ui.widgets",
    "ui.forms",
    "ui.batch_page",
    "ui.dashboard",
    "ui.main_window",
)


def settle_memory() -> None:
    """Exempt what start-up built (Qt wrappers, SQLAlchemy's mappers and caches) from garbage collection.

    A full collection otherwise walks every one of those objects and holds the
    event loop for 60 ms or more; afterwards it walks only what came since.
    """
    gc.collect()
    gc.freeze()


# The offscreen platform's remarks on every window and on bringing one to the front; nothing to act on.
_QT_NOISE = ("propagateSizeHints", "does not support raise")


def route_qt_messages() -> None:
    """Qt's own warnings go to the log file with everything else, not to a terminal nobody reads."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }
    qt_log = logging.getLogger("qt")

    def handler(kind: QtMsgType, _context: Any, message: str) -> None:
        if not any(noise in message for noise in _QT_NOISE):
            qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("MPSYSTEM")
    app.setOrganizationName("MPSYSTEM")
    app.setStyle("Fusion")
    zoom().restore()  # the style sheet, at the size this workstation is set to
    return app


class _AfterFirstPaint(QObject):
    """Calls back once, on the turn of the event loop after the widget first painted."""

    def __init__(self, widget: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self.callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Wait for the first paint; the callback runs once it is on the screen."""
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.callback)
        return False


def after_first_paint(widget: QWidget, callback: Callable[[], None]) -> None:
    _AfterFirstPaint(widget, callback)


def load_main_window_modules(then: Callable[[], None] | None = None) -> None:
    """Load what the main window needs, one module per turn of the event loop; then call `then`."""
    pending: Iterator[str] = (name for name in MAIN_WINDOW_MODULES if name not in sys.modules)

    def next_one() -> None:
        name = next(pending, None)
        if name is not None:
            importlib.import_module(name)
            QTimer.singleShot(0, next_one)
        else:
            settle_memory()  # what they built is never garbage: later collections skip it
            if then is not None:
                then()

    next_one()


class Client:
    """Holds the one ops runner and whichever window is open, and decides when the program ends.

    Qt's rule "quit when the last window closes" does not fit a client that hides its sign-in
    dialog while the main window is being prepared on a worker, or that closes the main window to
    sign out: for a moment no window is open, and the program would end. So the client ends only
    when the user asks: closing the sign-in dialog, File → Quit, or closing the main window.
    """

    def __init__(self, app: QApplication, preferred: pf.Profile | None = None, hint: str = "") -> None:
        self.app, self.preferred, self.hint = app, preferred, hint
        app.setQuitOnLastWindowClosed(False)
        self.ops = Ops(app)
        self.window: MainWindow | None = None
        self.login: LoginDialog | None = None
        self.context: Context | None = None

    def show_login(self) -> LoginDialog:
        self.login = LoginDialog(self.ops, self.preferred, self.hint)
        self.login.signed_in.connect(self._signed_in)
        self.login.rejected.connect(self._login_closed)
        self.login.show()
        after_first_paint(self.login, self._login_shown)
        return self.login

    def _login_shown(self) -> None:
        if os.environ.get(EXIT_AFTER_LOGIN_SHOWN):
            print(f"login dialog shown at {time.time():.6f}", flush=True)  # the start-up benchmark reads it
            self.app.quit()
            return
        load_main_window_modules(then=self._prepare_sign_in)

    def _prepare_sign_in(self) -> None:
        from app.security import prepare_sign_in

        self.ops.run(prepare_sign_in)  # on a worker: bcrypt lets the GUI thread run meanwhile

    def _login_closed(self) -> None:
        if self.window is None:
            self.app.quit()

    def _signed_in(self, database: Any, user: Any) -> None:
        from app.context import Context
        from app.lookups import lookups

        ctx = Context(database, user, self.login.connection if self.login is not None else "")
        self.context = ctx
        self.ops.run(
            lambda: lookups(ctx.reader()),
            lambda found: self._open_main(ctx, found),
            lambda exc: self._lookups_failed(exc),
        )

    def _lookups_failed(self, exc: Exception) -> None:
        if self.login is not None:
            self.login.show()
            self.login.show_message(message_for(exc))

    def _open_main(self, ctx: Context, lookups: Any) -> None:
        from ui.main_window import MainWindow

        self.window = MainWindow(ctx, self.ops, lookups)
        self.window.signed_out.connect(self._signed_out)
        self.window.closed.connect(self.app.quit)
        self.window.show()
        settle_memory()

    def _signed_out(self) -> None:
        window, self.window = self.window, None
        if window is not None:
            window.deleteLater()
        if self.context is not None:
            database = self.context.database
            self.ops.run(database.dispose)
            self.context = None
        self.show_login()


def run(preferred: pf.Profile | None = None, hint: str = "") -> int:
    route_qt_messages()
    app = make_application()
    client = Client(app, preferred, hint)
    client.show_login()
    code = app.exec()
    if client.window is not None:
        client.window.live.stop()
    client.ops.wait()
    return int(code)
