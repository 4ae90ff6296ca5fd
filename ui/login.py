"""Signing in: a connection profile, a name and a password, and plain messages when it fails."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import profiles as pf
from app.errors import KnownError, SchemaMismatch, ValidationError
from app.security import sign_in
from ui.ops import Ops, message_for


class ProfileDialog(QDialog):
    """Add or edit a connection profile: a local file or a PostgreSQL server."""

    def __init__(
        self, existing: pf.Profile | None, all_profiles: list[pf.Profile], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit connection" if existing else "New connection")
        self.setMinimumWidth(460)
        self.existing, self.all_profiles = existing, all_profiles
        self.result_profiles: list[pf.Profile] | None = None
        p = existing or pf.Profile(name="", kind="postgresql")
        self.name = QLineEdit(p.name, self)
        self.local = QRadioButton("Local file (works offline)", self)
        self.server = QRadioButton("PostgreSQL server", self)
        (self.server if p.is_server else self.local).setChecked(True)
        self.path = QLineEdit(p.path, self)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        file_row = QWidget(self)
        file_layout = QHBoxLayout(file_row)
        file_layout.setContentsMargins(0, 0, 0, 0)
        file_layout.addWidget(self.path, 1)
        file_layout.addWidget(browse)
        self.host = QLineEdit(p.host, self)
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(p.port)
        self.database = QLineEdit(p.database, self)
        self.sslmode = QComboBox(self)
        self.sslmode.addItems(list(pf.SSL_MODES))
        self.sslmode.setCurrentText(p.sslmode)
        self.sslrootcert = QLineEdit(p.sslrootcert, self)
        self.sslrootcert.setPlaceholderText("CA certificate (.crt, .pem) for verify-ca and verify-full")
        certificates = "Certificates (*.crt *.pem *.cer);;All files (*)"
        ca_row = self._file_row(self.sslrootcert, "CA certificate", certificates)
        self.sslcert = QLineEdit(p.sslcert, self)
        self.sslcert.setPlaceholderText("only where the server asks for one")
        self.sslkey = QLineEdit(p.sslkey, self)
        self.sslkey.setPlaceholderText("the certificate's private key (.key)")
        cert_row = self._file_row(self.sslcert, "Client certificate", certificates)
        key_row = self._file_row(self.sslkey, "Private key", "Private keys (*.key *.pem);;All files (*)")
        file_page, server_page = QWidget(self), QWidget(self)
        file_form = QFormLayout(file_page)
        file_form.addRow("File", file_row)
        server_form = QFormLayout(server_page)
        server_form.addRow("Host", self.host)
        server_form.addRow("Port", self.port)
        server_form.addRow("Database", self.database)
        server_form.addRow("TLS (sslmode)", self.sslmode)
        server_form.addRow("CA certificate", ca_row)
        server_form.addRow("Client certificate", cert_row)
        server_form.addRow("Private key", key_row)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(file_page)
        self.pages.addWidget(server_page)
        self.pages.setCurrentIndex(1 if p.is_server else 0)
        self.server.toggled.connect(lambda on: self.pages.setCurrentIndex(1 if on else 0))
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name", self.name)
        kinds = QHBoxLayout()
        kinds.addWidget(self.server)
        kinds.addWidget(self.local)
        form.addRow("Kind", kinds)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addLayout(form)
        layout.addWidget(self.pages)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Database file",
            self.path.text(),
            "SQLite databases (*.sqlite3)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.path.setText(path)

    def _file_row(self, edit: QLineEdit, title: str, filters: str) -> QWidget:
        browse = QPushButton("Browse…", self)

        def pick() -> None:
            path, _ = QFileDialog.getOpenFileName(self, title, edit.text(), filters)
            if path:
                edit.setText(path)

        browse.clicked.connect(pick)
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        layout.addWidget(browse)
        return row

    def profile(self) -> pf.Profile:
        base = self.existing or pf.Profile(name="")
        return replace(
            base,
            name=self.name.text(),
            kind="postgresql" if self.server.isChecked() else "sqlite",
            path=self.path.text(),
            host=self.host.text(),
            port=self.port.value(),
            database=self.database.text(),
            sslmode=self.sslmode.currentText(),
            sslrootcert=self.sslrootcert.text().strip(),
            sslcert=self.sslcert.text().strip(),
            sslkey=self.sslkey.text().strip(),
            managed=False,  # edited here, it becomes the user's own, overriding a preset of that name
        )

    def save(self) -> None:
        try:
            self.result_profiles = pf.upsert(
                self.all_profiles, self.profile(), self.existing.name if self.existing else None
            )
            pf.save_profiles(self.result_profiles)
        except (ValidationError, OSError) as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()


WHERE_WIDTH = 380  # px of the line under the connection: the dialog keeps its width


class LoginDialog(QDialog):
    """Pick a connection, sign in; on success `signed_in` carries the database and the user."""

    signed_in = Signal(object, object)
    connection = ""  # the name of the connection signed in through, once signed in

    def __init__(
        self, ops: Ops, preferred: pf.Profile | None = None, hint: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in — MPSYSTEM")
        self.setMinimumWidth(440)
        self.ops = ops
        self.profiles = pf.load_profiles()
        if preferred is not None and not any(p.name == preferred.name for p in self.profiles):
            self.profiles.append(preferred)
        title = QLabel("MPSYSTEM", self)
        title.setObjectName("loginTitle")
        subtitle = QLabel("Production and warehouse", self)
        subtitle.setObjectName("loginSubtitle")
        self.profile_box = QComboBox(self)
        self.profile_box.setObjectName("profile")
        edit = QPushButton("Edit…", self)
        new = QPushButton("New…", self)
        edit.clicked.connect(lambda: self._edit_profile(self.current_profile()))
        new.clicked.connect(lambda: self._edit_profile(None))
        profile_row = QHBoxLayout()
        profile_row.addWidget(self.profile_box, 1)
        profile_row.addWidget(edit)
        profile_row.addWidget(new)
        self.where = QLabel(self)
        self.where.setObjectName("profileWhere")
        self.username = QLineEdit(self)
        self.username.setObjectName("username")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(self.tr("Remember my password"), self)
        self.remember.setToolTip(self.tr("The password is kept in this computer's system keyring"))
        self.message = QLabel(self)
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.hint = QLabel(hint, self)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("loginHint")
        self.hint.setVisible(bool(hint))
        self.upgrade_button = QPushButton("Upgrade the database", self)
        self.upgrade_button.hide()
        self.upgrade_button.clicked.connect(self._upgrade)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText("Sign in")
        self.buttons.accepted.connect(self.attempt)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Connection", profile_row)
        form.addRow("", self.where)
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        form.addRow("", self.remember)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 14)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addWidget(self.hint)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.upgrade_button)
        layout.addWidget(self.buttons)
        self.profile_box.currentIndexChanged.connect(self._profile_changed)
        self._fill_profiles(preferred.name if preferred else None)

    def _fill_profiles(self, select: str | None) -> None:
        self.profile_box.blockSignals(True)
        self.profile_box.clear()
        for p in self.profiles:
            self.profile_box.addItem(p.name, p.name)
        index = max(0, self.profile_box.findData(select or pf.preselected(self.profiles).name))
        self.profile_box.setCurrentIndex(index)
        self.profile_box.blockSignals(False)
        self._profile_changed()

    def current_profile(self) -> pf.Profile:
        name = self.profile_box.currentData()
        return next(p for p in self.profiles if p.name == name)

    def _profile_changed(self, *_args: Any) -> None:
        p = self.current_profile()
        where = ("Server " if p.is_server else "File ") + p.describe()
        # A long file path would widen the dialog or be cut at its edge: shorten it in the middle
        self.where.setText(self.where.fontMetrics().elidedText(where, Qt.TextElideMode.ElideMiddle, WHERE_WIDTH))
        self.where.setToolTip(where)
        self.username.setText(p.last_user)
        remembered = pf.remembered_password(p, p.last_user) if p.remember else None
        self.password.setText(remembered or "")
        self.remember.setChecked(p.remember)
        self.message.hide()
        self.upgrade_button.hide()
        (self.password if p.last_user else self.username).setFocus()

    def _edit_profile(self, existing: pf.Profile | None) -> None:
        dialog = ProfileDialog(existing, self.profiles, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_profiles is not None:
            self.profiles = dialog.result_profiles
            self._fill_profiles(dialog.profile().name)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _busy(self, busy: bool) -> None:
        self.sign_in_button.setEnabled(not busy)
        self.sign_in_button.setText("Signing in…" if busy else "Sign in")

    def attempt(self) -> None:
        profile = self.current_profile()
        username, password = self.username.text().strip(), self.password.text()
        if not username:
            self.show_message("Enter your user name.")
            self.username.setFocus()
            return
        self._busy(True)
        self.message.hide()
        self.upgrade_button.hide()
        self.ops.run(
            lambda: sign_in(profile.url(), username, password),
            lambda result: self._succeeded(profile, username, password, result),
            self._failed,
        )

    def _succeeded(self, profile: pf.Profile, username: str, password: str, result: Any) -> None:
        self._busy(False)
        database, user = result
        remember = self.remember.isChecked()
        updated = replace(profile, last_user=username, remember=remember)
        pf.remember_password(profile, username, password if remember else None)
        self.profiles = [updated if p.name == profile.name else p for p in self.profiles]
        with contextlib.suppress(OSError):  # not being able to remember the choice must not stop the work
            pf.save_profiles(self.profiles, last_used=profile.name)
        self.connection = profile.name
        self.signed_in.emit(database, user)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self._busy(False)
        self.show_message(message_for(exc))
        if isinstance(exc, SchemaMismatch) and exc.client_is_newer and exc.database_revision is not None:
            self.upgrade_button.show()
        self.password.setFocus()
        self.password.selectAll()

    def _upgrade(self) -> None:
        """An administrator upgrades an older schema from here, then signs in."""
        from app.maintenance import upgrade_as_admin

        profile = self.current_profile()
        username, password = self.username.text().strip(), self.password.text()
        self._busy(True)

        def upgraded(_r: Any) -> None:
            self.upgrade_button.hide()
            self.attempt()

        def failed(exc: Exception) -> None:
            self._busy(False)
            self.show_message(str(exc) if isinstance(exc, KnownError) else message_for(exc))

        self.ops.run(lambda: upgrade_as_admin(profile.url(), username, password), upgraded, failed)

    def keyPressEvent(self, event: Any) -> None:
        """Enter signs in from any field."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.attempt()
            return
        super().keyPressEvent(event)
