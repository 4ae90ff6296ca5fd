"""What every screen of the main window is (`Screen`), and what the screens share (`Host`).

A screen owns its actions and their handlers; the main window only puts the actions into its
menus, shows the screens as tabs, routes live changes to them and shows their messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from app.context import Context
from app.permissions import allowed, denial_message
from ui.icons import ACTION_ICONS, icon
from ui.lookups import LiveLookups
from ui.ops import Ops, message_for
from ui.widgets import FormDialog

F = TypeVar("F", bound=FormDialog)
Menu = tuple[str, list[QAction | None]]  # a menu's title and its entries; None draws a separator


@runtime_checkable
class Screen(Protocol):
    """A tab of the main window: the inventory, the batches, the planning board, the journal, the customers."""

    WATCHES: ClassVar[frozenset[str]]  # the tables whose changes it shows: a write to one refreshes it
    SHOWS: ClassVar[frozenset[str]]  # the journal's subjects it opens ("batch", "customer", "order", …)

    def title(self) -> str:
        """The tab's title, with its mnemonic."""
        ...

    def menus(self) -> list[Menu]:
        """The menus of the actions this screen owns, in the menu bar's order."""
        ...

    def reload(self) -> None:
        """Read everything again (F5, or the first time the screen is shown)."""
        ...

    def refresh_in_place(self) -> None:
        """Someone changed what it shows: read again, keeping the user's place and selection."""
        ...

    def focus_search(self) -> None: ...

    def ask_export(self) -> None:
        """Ask where to save the rows of the current view as CSV."""
        ...

    def update_actions(self) -> None:
        """Enable the screen's actions for what is selected now (the permission table still decides first)."""
        ...

    def save_layout(self) -> None: ...

    def restore_layout(self) -> None: ...

    def selected_key(self, entity: str) -> str | None:
        """The number or code of the selected record, if it is an `entity` (a report asking for one starts there)."""
        ...

    def show_record(self, entity: str, key: str) -> None:
        """Bring one record into view: a batch scanned, a journal entry opened."""
        ...


@runtime_checkable
class Filterable(Protocol):
    """A screen that can show the rows behind a figure: `VIEWS` names what it shows, `show_view` sets its filters.

    Optional beside `Screen`: the dashboard asks for a view ("batches", "line_stops", …) with filters,
    and the main window brings the screen that offers it to the front.
    """

    VIEWS: ClassVar[frozenset[str]]

    def show_view(self, view: str, filters: dict[str, Any]) -> None: ...


class Host(QObject):
    """What the screens share: the signed-in context, the runner, the live lookups, the status bar and
    the window's list of actions (`actions`, by object name, which the tests and the desktop probe read)."""

    message = Signal(str, int)  # text for the status bar, and for how many milliseconds
    wrote = Signal()  # a write from this window went through, or was refused as stale: show the database again
    open_requested = Signal(str, str)  # entity, key: bring that record into view on the screen that shows it
    view_requested = Signal(str, object)  # view, filters: the rows behind a figure, on the screen that offers them

    def __init__(self, ctx: Context, ops: Ops, lookups: LiveLookups, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.ops, self.lookups = ctx, ops, lookups
        self.actions: dict[str, QAction] = {}
        self.current: Callable[[], object] = lambda: None  # the screen in front; the window tells

    @property
    def username(self) -> str:
        return self.ctx.user.username

    def may(self, permission: str) -> bool:
        return allowed(self.ctx.user.role, permission)

    def is_current(self, screen: object) -> bool:
        return self.current() is screen

    def say(self, text: str, msecs: int = 8000) -> None:
        self.message.emit(text, msecs)

    def action(
        self,
        owner: QObject,
        name: str,
        text: str,
        permission: str,
        handler: Callable[[], Any],
        shortcut: str = "",
        *,
        register: bool = True,
    ) -> QAction:
        """An action that runs `handler` if the signed-in role may; otherwise hidden and disabled, its tooltip
        naming who may. `register`: listed in `actions` (a page's own copy of a window's action is not)."""
        action = QAction(text, owner)
        action.setObjectName(name)
        if name in ACTION_ICONS:
            action.setIcon(icon(ACTION_ICONS[name]))
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        may = self.may(permission)
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
        action.setVisible(may)  # what a role may never do is not offered at all
        action.setProperty("tip", tip)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if register:
            self.actions[name] = action
        return action

    def enable(self, wants: dict[str, bool], waiting: dict[str, str] | None = None) -> None:
        """Enable actions by what is selected; an action the role may not take stays disabled.

        `waiting`: for an action not enabled now, what it waits for ("Select a batch first."), shown as its
        tooltip in place of what it does.
        """
        for name, enabled in wants.items():
            action = self.actions[name]
            if action.property("allowed"):
                action.setEnabled(enabled)
                tip = str(action.property("tip"))
                reason = (waiting or {}).get(name)
                action.setToolTip(tip if enabled or not reason else reason)
                action.setStatusTip(action.toolTip())

    def open_form(self, dialog: F, done_text: str) -> F:
        """Open a form; when its service call goes through, say so and show the database as it is now."""

        def succeeded(_result: Any) -> None:
            self.say(done_text)
            self.wrote.emit()

        dialog.succeeded.connect(succeeded)
        dialog.conflicted.connect(self.wrote)
        dialog.open()
        return dialog

    def run(self, call: Callable[[], Any], done_text: str, parent: QWidget) -> None:
        """A service call without a form: a message when done, a warning when refused; the screens reread either way."""

        def done(_result: Any) -> None:
            self.say(done_text)
            self.wrote.emit()

        def failed(exc: Exception) -> None:
            QMessageBox.warning(parent, "MPSYSTEM", message_for(exc))
            self.wrote.emit()

        self.ops.run(call, done, failed)
