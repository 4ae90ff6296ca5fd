"""One migration history for both backends, in agreement with the models."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect

from data.db import open_database
from data.errors import SchemaMismatch
from data.migrate import alembic_config, check_schema, current_revision, downgrade, head_revision, upgrade


@pytest.fixture
def empty_url(backend: str, request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    from tests.conftest import drop_pg_database, new_pg_database

    server = request.getfixturevalue("pg_server")
    url = new_pg_database(server, None)
    request.addfinalizer(lambda: drop_pg_database(server, url))
    return url


def test_upgrade_downgrade_upgrade(empty_url: str) -> None:
    database = open_database(empty_url)
    with pytest.raises(SchemaMismatch, match="not initialised"):
        check_schema(database)
    upgrade(database)
    assert current_revision(database) == head_revision()
    tables = set(inspect(database.engine).get_table_names())
    assert {
        "warehouses",
        "materials",
        "suppliers",
        "customers",
        "batches",
        "stock_balances",
        "stock_movements",
        "production_lines",
        "production_orders",
        "users",
        "events",
    } <= tables
    downgrade(database)
    assert current_revision(database) is None
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    upgrade(database)
    check_schema(database)
    database.dispose()


def test_models_and_migrations_agree(database_url: str) -> None:
    """`alembic check`: autogenerate finds nothing to add, drop or alter."""
    database = open_database(database_url)
    config = alembic_config()
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.check(config)
    database.dispose()


def test_client_refuses_unknown_schema(database_url: str) -> None:
    database = open_database(database_url)
    with database.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaMismatch, match="newer than this client") as info:
        check_schema(database)
    assert info.value.client_is_newer is False
    database.dispose()


def test_an_older_client_refuses_to_upgrade_a_newer_schema_in_one_line(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hole: `db upgrade` of an older client against a newer schema ended in a traceback."""
    from app import cli

    database = open_database(database_url)
    with database.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    assert cli.main(["db", "upgrade", "--url", database_url]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert f"The database schema (9999) is newer than this client knows ({head_revision()})." in error
    assert "Nothing was changed" in error
    assert current_revision(database) == "9999"
    database.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])  # a local file keeps passwords in its users table
def test_users_from_before_server_logins_are_listed_and_get_one_with_their_first_password(
    empty_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hole: a database from before the roles migration upgraded, but its users showed as active with no
    server login, and `users passwd` said "no MPSYSTEM login named old.admin"."""
    import io
    import sys

    from sqlalchemy.engine import make_url

    from app import cli, security
    from app.errors import AuthenticationFailed
    from app.permissions import Role

    database = open_database(empty_url)
    upgrade(database, "0002")
    with database.engine.begin() as conn:
        for name, role, active in (
            ("old.admin", "admin", True),
            ("old.clerk", "clerk", True),
            ("gone", "viewer", False),
        ):
            conn.exec_driver_sql(
                "INSERT INTO users (username, full_name, role, active, password_hash, failed_logins, created_at)"
                " VALUES (%(n)s, %(n)s, %(r)s, %(a)s, '$2b$12$bcrypthashofold', 0, now())",
                {"n": name, "r": role, "a": active},
            )
    assert cli.main(["db", "upgrade", "--url", empty_url]) == 0
    out = capsys.readouterr().out
    assert "3 users without a server login" in out and "gone, old.admin, old.clerk" in out
    assert "mpsystem users passwd NAME" in out

    assert cli.main(["users", "list", "--url", empty_url]) == 0
    listed = [line.split()[:3] for line in capsys.readouterr().out.splitlines()[1:]]
    assert listed == [["gone", "viewer", "no"], ["old.admin", "admin", "no"], ["old.clerk", "clerk", "no"]]

    # The schema's owner gives the first administrator a login; that administrator then the others.
    as_old_admin = make_url(empty_url).set(username="old.admin", password="first words").render_as_string(False)
    for name, url, password in (
        ("old.admin", empty_url, "first words"),
        ("old.clerk", as_old_admin, "clerk words"),
        ("gone", as_old_admin, "never used"),
    ):
        monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
        assert cli.main(["users", "passwd", name, "--url", url, "--password-stdin"]) == 0
        assert f"Gave {name} a server login with the new password." in capsys.readouterr().out

    signed_in, user = security.sign_in(empty_url, "old.clerk", "clerk words")
    signed_in.dispose()
    assert user.role is Role.CLERK
    with pytest.raises(AuthenticationFailed):
        security.sign_in(empty_url, "gone", "never used")  # still disabled, as the users row says
    assert cli.main(["db", "upgrade", "--url", empty_url]) == 0
    assert "without a server login" not in capsys.readouterr().out
    database.dispose()
