"""The users dialog (ui/users.py) on a plant whose users date from before server logins."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.context import Context
from app.security import SYSTEM
from data.db import open_database
from data.migrate import upgrade
from tests.conftest import drop_pg_database, new_pg_database
from tests.ui.conftest import save_screenshot


@pytest.fixture
def old_plant(pg_server: Any) -> Iterator[Context]:
    """A PostgreSQL plant upgraded from schema 0002, whose users had bcrypt hashes and no logins."""
    url = new_pg_database(pg_server, None)
    database = open_database(url)
    upgrade(database, "0002")
    with database.engine.begin() as conn:
        for name, role in (("old.admin", "admin"), ("old.clerk", "clerk")):
            conn.exec_driver_sql(
                "INSERT INTO users (username, full_name, role, active, password_hash, failed_logins, created_at)"
                " VALUES (%(n)s, %(n)s, %(r)s, true, '$2b$12$bcrypthashofold', 0, now())",
                {"n": name, "r": role},
            )
    upgrade(database)
    yield Context(database, SYSTEM)  # the schema's owner, as on the server after the upgrade
    database.dispose()
    drop_pg_database(pg_server, url)


def test_users_without_a_server_login_say_so_and_get_one_from_the_password_dialog(
    qtbot: Any, ops: Any, old_plant: Context
) -> None:
    from ui.users import UsersDialog

    dialog = UsersDialog(old_plant, ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=10_000)
    states = [dialog.table.item(i, 3).text() for i in range(2)]
    assert states == ["no server login", "no server login"]
    save_screenshot(dialog, "users-no-server-login")

    messages: list[str] = []
    dialog.changed.connect(messages.append)
    dialog.select("old.admin")
    password = dialog.set_password()
    assert password is not None
    password.password.setText("first words")
    password.again.setText("first words")
    password.submit()
    qtbot.waitUntil(lambda: dialog.table.item(0, 3).text() == "active", timeout=10_000)
    assert messages == ["Gave old.admin a server login with the new password."]
    assert dialog.table.item(1, 3).text() == "no server login"
    save_screenshot(dialog, "users-login-given")
