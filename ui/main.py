"""Starting the client: the login dialog, then the main window; signing out returns to the login."""

from __future__ import annotations

import gc
import logging
import os
import sys
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app import profiles as pf
from app.context import Context
from app.lookups import lookups
from ui.login import LoginDialog
from ui.main_window import MainWindow
from ui.ops import Ops, message_for
from ui.zoom import zoom

log = logging.getLogger(__name__)
# Set by the start-up benchmark and the bundle's smoke test: quit as soon as the login dialog shows.
EXIT_AFTER_LOGIN_SHOWN = "MPSYSTEM_EXIT_AFTER_LOGIN_SHOWN"


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
        return self.login

    def _login_closed(self) -> None:
        if self.window is None:
            self.app.quit()

    def _signed_in(self, database: Any, user: Any) -> None:
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
    if os.environ.get(EXIT_AFTER_LOGIN_SHOWN):
        QTimer.singleShot(0, app.quit)
    code = app.exec()
    if client.window is not None:
        client.window.live.stop()
    client.ops.wait()
    return int(code)
