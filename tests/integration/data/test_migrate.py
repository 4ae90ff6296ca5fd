"""One migration history for both backends, in agreement with the models."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

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


def test_a_failed_line_stops_revision_leaves_a_file_at_0006(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """On SQLite, 0006 commits its own work; should 0007 after it fail, the file is at 0006, stamped so, and the
    upgrade runs again once the cause is gone."""
    database = open_database(f"sqlite:///{tmp_path / 'upgrade.sqlite3'}")
    upgrade(database, "0005")
    with database.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE stop_reasons (id INTEGER)")  # 0007 cannot create its table
    with pytest.raises(OperationalError, match="stop_reasons already exists"):
        upgrade(database)
    assert current_revision(database) == "0006"
    tables = set(inspect(database.engine).get_table_names())
    assert {"products", "deliveries"} <= tables and "line_stops" not in tables
    with database.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE stop_reasons")
    upgrade(database)
    assert current_revision(database) == head_revision()
    check_schema(database)
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


def test_orders_of_an_older_schema_get_products_and_keep_their_text(empty_url: str) -> None:
    """0006 on a database with orders: one product per text and unit, named after the text; the text stays
    as the order's note; triggers on the rebuilt tables (SQLite) stay; every reference still holds."""
    from sqlalchemy import text

    from app.audit import audit

    database = open_database(empty_url)
    upgrade(database, "0003")
    sqlite = database.is_sqlite
    with database.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO customers (id, code, name, archived, version) VALUES (1, 'C-1', 'Dairy', false, 1)"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO production_lines (id, code, name, stage, rate_per_hour, rate_unit) VALUES"
            " (1, 'PRINT-1', 'Flexo', 'printing', :rate, 'm')"
        ), {"rate": 9000000 if sqlite else 9000})  # fmt: skip
        conn.execute(text(
            "INSERT INTO materials (id, code, name, kind, unit, reorder_level)"
            " VALUES (1, 'FILM-P', 'Printed', 'film', 'm', 0)"
        ))  # fmt: skip
        for i, (spec, unit, line) in enumerate(
            [("Dairy lid print", "m", 1), ("Dairy lid print", "m", None), ("PE 50 film", "kg", None)], start=1
        ):
            conn.execute(
                text(
                    "INSERT INTO production_orders (id, number, customer_id, product_spec, quantity, unit, priority,"
                    " due_date, status, line_id, queue_rank, created_at, version) VALUES (:id, :n, 1, :spec, 1000,"
                    " :unit, 3, '2026-01-31', :status, :line, :rank, '2026-01-01 08:00:00', 1)"
                ),
                {"id": i, "n": f"PO-{i}", "spec": spec, "unit": unit, "line": line, "rank": 1 if line else None,
                 "status": "planned" if line else "new"},
            )  # fmt: skip
        conn.execute(text(
            "INSERT INTO batches (id, number, material_id, production_order_id, received_at, status, version)"
            " VALUES (1, 'PO-1-001', 1, 1, '2026-01-02 08:00:00', 'pending', 1)"
        ))  # fmt: skip
        if sqlite:  # a rule a later schema keeps in a trigger on a rebuilt table
            conn.execute(text(
                "CREATE TRIGGER keep_me BEFORE UPDATE OF priority ON production_orders WHEN NEW.priority = 9 "
                "BEGIN SELECT RAISE(ABORT, 'nine'); END"
            ))  # fmt: skip
    upgrade(database)
    with database.engine.connect() as conn:
        products = conn.execute(text(
            "SELECT p.code, p.name, p.unit, p.stage, m.code FROM products p"
            " LEFT JOIN materials m ON m.id = p.output_material_id ORDER BY p.code"
        )).all()  # fmt: skip
        orders = conn.execute(text(
            "SELECT o.number, o.note, p.code FROM production_orders o JOIN products p ON p.id = o.product_id"
            " ORDER BY o.number"
        )).all()  # fmt: skip
        created = conn.execute(text("SELECT COUNT(*) FROM events WHERE entity_type = 'product'")).scalar()
        queue = conn.execute(text("SELECT number, position FROM production_queue")).all()
        if sqlite:
            assert conn.execute(text("SELECT COUNT(*) FROM sqlite_master WHERE name = 'keep_me'")).scalar() == 1
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert [tuple(p) for p in products] == [
        ("P-00001", "Dairy lid print", "m", "printing", "FILM-P"),
        ("P-00002", "PE 50 film", "kg", "extrusion", None),  # no line rated in kg: the first stage
    ]
    assert [tuple(o) for o in orders] == [
        ("PO-1", "Dairy lid print", "P-00001"),
        ("PO-2", "Dairy lid print", "P-00001"),
        ("PO-3", "PE 50 film", "P-00002"),
    ]
    assert created == 2 and [tuple(r) for r in queue] == [("PO-1", 1)]
    assert [p for p in audit(database) if "product" in p] == []
    downgrade(database, "0003")
    with database.engine.connect() as conn:
        texts = conn.execute(text("SELECT product_spec FROM production_orders ORDER BY number")).scalars().all()
    assert texts == ["Dairy lid print", "Dairy lid print", "PE 50 film"]
    database.dispose()
