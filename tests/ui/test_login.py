"""The sign-in dialog and the connection profiles (ui/login.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QDialog

from app import profiles as pf
from data.db import open_database
from tests.ui.conftest import save_screenshot
from ui.main import Client
from ui.ops import Ops


def test_login_dialog_signs_in_and_remembers_in_the_keyring(
    qtbot: Any, app_instance: QApplication, demo_path: Path, _isolated_user_dirs: Any
) -> None:
    client = Client(app_instance, pf.Profile(name="Demo plant", kind="sqlite", path=str(demo_path)), "hint")
    login = client.show_login()
    qtbot.addWidget(login)
    save_screenshot(login, "login")
    login.username.setText("clerk")
    login.password.setText("wrong password")
    login.attempt()
    qtbot.waitUntil(lambda: login.message.isVisible(), timeout=10_000)
    assert login.message.text() == "Sign-in failed: the user name or the password is wrong."
    assert login.isVisible()
    login.password.setText("mpsystem-demo")
    login.remember.setChecked(True)
    login.attempt()
    qtbot.waitUntil(lambda: client.window is not None, timeout=10_000)
    window = client.window
    assert window is not None
    qtbot.addWidget(window)
    assert window.who.text() == "Piotr Wójcik (clerk) · clerk"
    assert window.where.text() == "Demo plant"  # the connection by the name it was chosen by
    assert str(demo_path) in window.where.toolTip()
    # the password went to the keyring, never to the profiles file
    saved = (Path(pf.config.user_config_dir()) / "profiles.json").read_text()
    assert "mpsystem-demo" not in saved and json.loads(saved)["profiles"][-1]["remember"] is True
    assert _isolated_user_dirs.store and "mpsystem-demo" in _isolated_user_dirs.store.values()
    client.ops.wait()


def test_login_messages_for_locked_uninitialised_and_old_schema(
    qtbot: Any, app_instance: QApplication, ops: Ops, demo_path: Path, tmp_path: Path
) -> None:
    from ui.login import LoginDialog

    dialog = LoginDialog(ops, pf.Profile(name="Demo plant", kind="sqlite", path=str(demo_path)))
    qtbot.addWidget(dialog)
    dialog.username.setText("viewer")
    for _ in range(5):
        dialog.password.setText("nope nope")
        dialog.attempt()
        qtbot.waitUntil(lambda: dialog.sign_in_button.isEnabled(), timeout=10_000)
    dialog.password.setText("mpsystem-demo")
    dialog.attempt()
    qtbot.waitUntil(lambda: "locked" in dialog.message.text(), timeout=10_000)

    empty = pf.Profile(name="Empty", kind="sqlite", path=str(tmp_path / "empty.sqlite3"))
    dialog2 = LoginDialog(ops, empty)
    qtbot.addWidget(dialog2)
    dialog2.username.setText("admin")
    dialog2.password.setText("whatever1")
    dialog2.attempt()
    qtbot.waitUntil(lambda: "not initialised" in dialog2.message.text(), timeout=10_000)
    assert not dialog2.upgrade_button.isVisible()

    # an older schema: an administrator is offered the upgrade and it works
    database = open_database(demo_path)
    from data.migrate import downgrade, head_revision

    downgrade(database, "0001")
    database.dispose()
    dialog3 = LoginDialog(ops, pf.Profile(name="Demo plant", kind="sqlite", path=str(demo_path)))
    qtbot.addWidget(dialog3)
    dialog3.show()
    dialog3.username.setText("admin")
    dialog3.password.setText("mpsystem-demo")
    dialog3.attempt()
    qtbot.waitUntil(lambda: dialog3.upgrade_button.isVisible(), timeout=10_000)
    assert "older than this client" in dialog3.message.text()
    with qtbot.waitSignal(dialog3.signed_in, timeout=20_000):
        dialog3.upgrade_button.click()
    database = open_database(demo_path)
    from data.migrate import current_revision

    assert current_revision(database) == head_revision()
    database.dispose()


def test_profiles_are_added_and_validated(qtbot: Any, app_instance: QApplication, tmp_path: Path) -> None:
    from ui.login import ProfileDialog

    dialog = ProfileDialog(None, pf.load_profiles())
    qtbot.addWidget(dialog)
    dialog.name.setText("Plant server")
    dialog.server.setChecked(True)
    dialog.host.setText("db bad host")
    dialog.save()
    assert "not a host name" in dialog.error.text()
    dialog.host.setText("db.plant.local")
    dialog.sslmode.setCurrentText("verify-full")
    dialog.save()
    assert "choose the CA certificate file" in dialog.error.text()
    ca = tmp_path / "plant ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    dialog.sslrootcert.setText(str(ca))
    # A client certificate whose key the other users of the PC could read is refused, input kept.
    cert, key = tmp_path / "clerk1.crt", tmp_path / "clerk1.key"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    key.chmod(0o644)
    dialog.sslcert.setText(str(cert))
    dialog.save()
    assert "needs both files" in dialog.error.text()
    dialog.sslkey.setText(str(key))
    dialog.save()
    assert "chmod 600" in dialog.error.text() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.sslcert.text() == str(cert) and dialog.host.text() == "db.plant.local"
    key.chmod(0o600)
    save_screenshot(dialog, "profile-tls")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = pf.load_profiles()
    server = next(p for p in saved if p.name == "Plant server")
    assert server.url() == (
        "postgresql+psycopg://db.plant.local:5432/mpsystem?sslmode=verify-full&sslrootcert="
        + str(ca).replace(" ", "%20")
        + f"&sslcert={cert}&sslkey={key}"
    )


def test_machine_wide_profiles_are_preset_and_a_user_may_override_them(_machine_config: Path, tmp_path: Path) -> None:
    preset = {"profiles": [{"name": "Plant server", "kind": "postgresql", "host": "db.plant.local",
                            "database": "mpsystem", "sslmode": "require"}]}  # fmt: skip
    (_machine_config / "profiles.json").write_text(json.dumps(preset))
    profiles = pf.load_profiles()
    assert [p.name for p in profiles] == [pf.LOCAL_NAME, "Plant server"]
    server = profiles[1]
    assert server.managed and server.sslmode == "require"
    # Saving the user's own profiles does not copy the preset into them.
    pf.save_profiles(profiles)
    own = json.loads((Path(pf.config.user_config_dir()) / "profiles.json").read_text())["profiles"]
    assert [p["name"] for p in own] == [pf.LOCAL_NAME]
    # A user's profile of the same name wins.
    changed = pf.upsert(profiles, replace(server, host="db2.plant.local", managed=False), "Plant server")
    pf.save_profiles(changed)
    assert [(p.host, p.managed) for p in pf.load_profiles() if p.name == "Plant server"] == [("db2.plant.local", False)]


def test_the_sign_in_dialog_offers_the_machines_preset_first_then_the_last_connection_used(
    qtbot: Any, app_instance: QApplication, ops: Ops, _machine_config: Path, demo_path: Path
) -> None:
    """Hole: with a machine-wide preset the dialog still preselected "Local database"."""
    from ui.login import LoginDialog

    preset = {"profiles": [{"name": "Plant server", "kind": "postgresql", "host": "db.plant.local",
                            "database": "mpsystem", "sslmode": "require"}]}  # fmt: skip
    (_machine_config / "profiles.json").write_text(json.dumps(preset))
    dialog = LoginDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.profile_box.currentText() == "Plant server"
    assert dialog.where.text() == "Server db.plant.local:5432/mpsystem"
    save_screenshot(dialog, "login-machine-preset")
    # Whoever last signed in with another connection finds that one instead.
    demo = pf.Profile(name="Demo plant", kind="sqlite", path=str(demo_path))
    pf.save_profiles([*pf.load_profiles(), demo], last_used="Demo plant")
    again = LoginDialog(ops)
    qtbot.addWidget(again)
    assert again.profile_box.currentText() == "Demo plant"
    # Signing in remembers the connection used.
    pf.save_profiles(pf.load_profiles(), last_used="Plant server")
    signing_in = LoginDialog(ops, demo)
    qtbot.addWidget(signing_in)
    signing_in.signed_in.connect(lambda database, _user: database.dispose())
    signing_in.username.setText("clerk")
    signing_in.password.setText("mpsystem-demo")
    signing_in.attempt()
    qtbot.waitUntil(lambda: signing_in.result() == QDialog.DialogCode.Accepted, timeout=10_000)
    assert json.loads((Path(pf.config.user_config_dir()) / "profiles.json").read_text())["last_used"] == "Demo plant"
    last = LoginDialog(ops)
    qtbot.addWidget(last)
    assert last.profile_box.currentText() == "Demo plant"


# ---------------------------------------------------------------- bad input and TLS defaults


def test_a_password_longer_than_bcrypt_reads_gets_the_plain_message(
    qtbot: Any, app_instance: QApplication, ops: Ops, demo_path: Path
) -> None:
    """Hole: a password longer than 72 bytes at SQLite sign-in ended in a traceback."""
    from ui.login import LoginDialog

    dialog = LoginDialog(ops, pf.Profile(name="Demo plant", kind="sqlite", path=str(demo_path)))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText("clerk")
    dialog.password.setText("mpsystem-demo" + "ż" * 40)
    dialog.attempt()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10_000)
    assert dialog.message.text() == "Sign-in failed: the user name or the password is wrong."
    assert dialog.isVisible() and dialog.username.text() == "clerk"


def test_a_new_server_connection_verifies_the_server_and_require_stays_choosable(
    qtbot: Any, app_instance: QApplication
) -> None:
    """Hole: new server profiles defaulted to sslmode=prefer."""
    from ui.login import ProfileDialog

    dialog = ProfileDialog(None, pf.load_profiles())
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.server.isChecked() and dialog.sslmode.currentText() == "verify-full"
    assert [dialog.sslmode.itemText(i) for i in range(dialog.sslmode.count())] == list(pf.SSL_MODES)
    dialog.name.setText("Plant server")
    dialog.host.setText("db.plant.local")
    save_screenshot(dialog, "profile-new-verify-full")
    dialog.save()
    assert "choose the CA certificate file" in dialog.error.text()  # verify-full needs the plant's CA
    dialog.sslmode.setCurrentText("require")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert next(p for p in pf.load_profiles() if p.name == "Plant server").sslmode == "require"
