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
