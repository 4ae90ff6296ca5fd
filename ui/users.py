"""Users: administrators add people, change their role, disable them and set passwords.

On PostgreSQL each user is a server login in their role's group, so what is
done here changes who may connect and what the server lets them do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import queries as q
from app import services as s
from app.context import Context
from app.dto import UserRow
from app.errors import ValidationError
from app.permissions import Role
from app.security import check_password_rules
from app.services.users import clean_username
from ui.ops import Ops, message_for
from ui.widgets import FormDialog
from ui.words import role_name

HEADERS = ("User name", "Full name", "Role", "State")


def role_box(current: Role = Role.CLERK, parent: QWidget | None = None) -> QComboBox:
    box = QComboBox(parent)
    for role in Role:
        box.addItem(role_name(role), role)
    box.setCurrentIndex(list(Role).index(current))
    return box


def password_edit(parent: QWidget | None = None) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _check_passwords(first: str, second: str) -> None:
    check_password_rules(first)
    if first != second:
        raise ValidationError("The two passwords differ.", "password")


class NewUserDialog(FormDialog):
    def __init__(self, ctx: Context, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__("New user", ops, parent)
        self.ctx = ctx
        self.username = self.add("user_name", "User name", QLineEdit(self))
        self.username.setPlaceholderText("e.g. anna.nowak — also the server login")
        self.full_name = self.add("full_name", "Full name", QLineEdit(self))
        self.role = self.add("role", "Role", role_box(Role.CLERK, self))
        self.password = self.add("password", "Password", password_edit(self))
        self.again = self.add("again", "Password again", password_edit(self))
        self.revalidate()

    def check(self) -> str | None:
        try:
            clean_username(self.username.text())
            _check_passwords(self.password.text(), self.again.text())
        except ValidationError as exc:
            return str(exc)
        return None

    def action(self) -> Callable[[], Any]:
        values = {
            "username": self.username.text(),
            "full_name": self.full_name.text(),
            "role": self.role.currentData(),
            "password": self.password.text(),
        }
        return lambda: s.create_user(self.ctx.uow(), **values)


class PasswordDialog(FormDialog):
    """A new password for `username`: an administrator's reset, or one's own change."""

    def __init__(self, ctx: Context, ops: Ops, username: str, parent: QWidget | None = None) -> None:
        own = username == ctx.user.username
        super().__init__("Change my password" if own else f"New password for {username}", ops, parent)
        self.ctx, self.username = ctx, username
        self.password = self.add("password", "New password", password_edit(self))
        self.again = self.add("again", "New password again", password_edit(self))
        self.revalidate()

    def check(self) -> str | None:
        try:
            _check_passwords(self.password.text(), self.again.text())
        except ValidationError as exc:
            return str(exc)
        return None

    def action(self) -> Callable[[], Any]:
        name, password = self.username, self.password.text()
        return lambda: s.change_password(self.ctx.uow(), username=name, new_password=password)


class UsersDialog(QDialog):
    """The list of users with what an administrator does to them."""

    changed = Signal(str)  # what was done, for the status bar

    def __init__(self, ctx: Context, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Users")
        self.resize(640, 420)
        self.ctx, self.ops = ctx, ops
        self.rows: tuple[UserRow, ...] = ()
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.message = QLabel(self)
        self.message.setObjectName("formError")
        self.message.setWordWrap(True)
        self.message.hide()

        self.add_button = QPushButton("&Add user…", self)
        self.role = role_box(Role.CLERK, self)
        self.role_button = QPushButton("Set &role", self)
        self.toggle_button = QPushButton("&Disable", self)
        self.password_button = QPushButton("Set &password…", self)
        self.add_button.clicked.connect(self.add_user)
        self.role_button.clicked.connect(lambda: self.set_role(self.role.currentData()))
        self.toggle_button.clicked.connect(self.toggle_active)
        self.password_button.clicked.connect(self.set_password)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(self.role)
        buttons.addWidget(self.role_button)
        buttons.addWidget(self.toggle_button)
        buttons.addWidget(self.password_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self._update_buttons()
        self.reload()

    # ---------------------------------------------------------------- list

    def reload(self, select: str | None = None) -> None:
        ctx = self.ctx
        selected = self.selected()
        keep = select or (selected.username if selected is not None else None)
        self.ops.run(lambda: q.users(ctx.reader()), lambda rows: self._show(rows, keep), self._failed)

    def _show(self, rows: tuple[UserRow, ...], select: str | None) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            state = ("active" if r.active else "disabled") if r.has_login else self.tr("no server login")
            for j, value in enumerate((r.username, r.full_name, role_name(r.role), state)):
                item = QTableWidgetItem(value)
                if not r.active:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(i, j, item)
            if r.username == select:
                self.table.selectRow(i)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(3)  # "no server login" is wider than the header
        self._update_buttons()

    def selected(self) -> UserRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def select(self, username: str) -> None:
        for i, r in enumerate(self.rows):
            if r.username == username:
                self.table.selectRow(i)

    def _update_buttons(self) -> None:
        row = self.selected()
        for button in (self.role_button, self.toggle_button, self.password_button, self.role):
            button.setEnabled(row is not None)
        if row is not None:
            self.toggle_button.setText("&Enable" if not row.active else "&Disable")
            self.role.setCurrentIndex(list(Role).index(row.role))

    # ---------------------------------------------------------------- actions

    def _failed(self, exc: Exception) -> None:
        self.message.setText(message_for(exc))
        self.message.show()
        self.reload()

    def _run(self, call: Callable[[], Any], done_text: str, select: str) -> None:
        def done(_result: Any) -> None:
            self.message.hide()
            self.changed.emit(done_text)
            self.reload(select)

        self.ops.run(call, done, self._failed)

    def add_user(self) -> NewUserDialog:
        dialog = NewUserDialog(self.ctx, self.ops, self)
        dialog.succeeded.connect(lambda _id: self._added(dialog.username.text().strip().lower()))
        dialog.open()
        self.new_user_dialog = dialog
        return dialog

    def _added(self, name: str) -> None:
        self.changed.emit(f"Created user {name}.")
        self.reload(name)

    def set_role(self, role: Role) -> None:
        row = self.selected()
        if row is None:
            return
        self._run(
            lambda: s.change_role(self.ctx.uow(), username=row.username, role=role),
            f"{row.username} is now a {role_name(role)}.",
            row.username,
        )

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row.active:
            answer = QMessageBox.question(
                self, "Disable user", f"Disable {row.username}? They can no longer sign in; open sessions end."
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._run(
            lambda: s.set_user_active(self.ctx.uow(), username=row.username, active=not row.active),
            f"{'Enabled' if not row.active else 'Disabled'} {row.username}.",
            row.username,
        )

    def _password_set(self, name: str, gave_login: bool) -> None:
        if gave_login:
            self.changed.emit(self.tr("Gave {name} a server login with the new password.").format(name=name))
        else:
            self.changed.emit(f"Changed the password of {name}.")
        self.reload(name)  # a user from before server logins is active now

    def set_password(self) -> PasswordDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = PasswordDialog(self.ctx, self.ops, row.username, self)
        dialog.succeeded.connect(lambda gave_login: self._password_set(row.username, bool(gave_login)))
        dialog.open()
        self.password_dialog = dialog
        return dialog
