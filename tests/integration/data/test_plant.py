"""One plant per PostgreSQL cluster (data/plant.py): a second plant and a copy beside the plant are refused;
a plant restored onto a fresh server is linked to that server's logins by its owner's `db upgrade`."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app import cli, security
from app import services as s
from app.context import Context
from app.errors import PlantMismatch
from domain.vocabulary import Role
from tests import pgcluster
from tests.conftest import pg_admin_url

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(pgcluster._pg_bindir() / name), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done


def _user_url(url: str, user: str, password: str, database: str | None = None) -> str:
    parsed = make_url(url)
    return f"postgresql://{user}:{password}@{parsed.host}:{parsed.port}/{database or parsed.database}"


def _mark(url: str) -> str | None:
    with psycopg.connect(_plain(url)) as conn:
        row = conn.execute("SELECT shobj_description('mpsystem_admin'::regrole, 'pg_authid')").fetchone()
    return None if row is None else row[0]


@pytest.fixture
def beside(pg_server: pgcluster.PgCluster | str) -> Iterator[list[str]]:
    """Other databases made on the suite's server during a test (not made the plant), dropped afterwards."""
    names: list[str] = []
    yield names
    with psycopg.connect(_plain(pg_admin_url(pg_server)), autocommit=True) as conn:
        for name in names:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _create_database(server: pgcluster.PgCluster | str, name: str, beside: list[str]) -> str:
    beside.append(name)
    with psycopg.connect(_plain(pg_admin_url(server)), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return pg_admin_url(server, name)


def test_a_second_plant_on_the_same_server_is_refused_and_nothing_is_made(
    pg_server: pgcluster.PgCluster | str,
    database_url: str,
    beside: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Hole: a second `db init` in the same cluster succeeded, and its admin managed the plant's logins."""
    plant = make_url(database_url).database
    before = _mark(database_url)
    second = _create_database(pg_server, "mpsystem_second_plant", beside)
    code = cli.main(["db", "init", "--url", second, "--admin", "bob", "--password-stdin"])
    error = capsys.readouterr().err
    assert code == 1 and error.count("\n") == 1
    assert f"already holds the MPSYSTEM plant in database “{plant}”" in error and "cluster of its own" in error
    with psycopg.connect(_plain(second)) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'bob'").fetchone() == (0,)
    assert _mark(database_url) == before
    # `mpsystem demo` on an empty database would make a plant too.
    assert cli.main(["demo", "--url", second, "--events", "0"]) == 1
    assert "already holds the MPSYSTEM plant" in capsys.readouterr().err


def test_a_copy_restored_beside_the_plant_is_refused_and_closed_by_its_upgrade(
    pg_server: pgcluster.PgCluster | str,
    database_url: str,
    admin: Context,
    beside: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Hole: a backup restored next to production shared its logins; disabling a user there locked them out
    of production, where they still showed as active."""
    s.create_user(admin.uow(), username="anna.k", role="admin", password="annas-words-1")
    s.create_user(admin.uow(), username="piotr.w", role="clerk", password="piotrs-words-1")
    plant = make_url(database_url).database
    dump = tmp_path / "plant.dump"
    _tool("pg_dump", "-Fc", "-f", str(dump), "-d", _plain(database_url))
    copy = _create_database(pg_server, "mpsystem_copy_for_tests", beside)
    _tool("pg_restore", "--exit-on-error", "-d", _plain(copy), str(dump))

    # Signing in to the copy, in the client or on the command line, is refused and says why.
    with pytest.raises(PlantMismatch, match=f"is a copy beside the plant in “{plant}”"):
        security.sign_in(copy, "anna.k", "annas-words-1")
    anna_copy = _user_url(copy, "anna.k", "annas-words-1")
    assert cli.main(["users", "disable", "piotr.w", "--url", anna_copy]) == 1
    assert "is a copy beside the plant" in capsys.readouterr().err

    # Its owner's upgrade closes it to the plant's people; the plant is untouched.
    assert cli.main(["db", "upgrade", "--url", copy]) == 0
    assert "is a copy beside the plant" in capsys.readouterr().out
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(_plain(anna_copy)).close()
    database, signed_in = security.sign_in(database_url, "piotr.w", "piotrs-words-1")
    database.dispose()
    assert signed_in.username == "piotr.w"
    assert cli.main(["users", "list", "--url", _user_url(database_url, "anna.k", "annas-words-1")]) == 0
    assert ["piotr.w", "clerk", "active"] in [line.split() for line in capsys.readouterr().out.splitlines()]


@pytest.fixture
def fresh_server() -> Iterator[pgcluster.PgCluster]:
    cluster = pgcluster.start_cluster()
    try:
        yield cluster
    finally:
        cluster.destroy()


def test_a_plant_restored_onto_a_fresh_server_signs_in_after_its_owners_upgrade(
    pg_server: pgcluster.PgCluster | str,
    database_url: str,
    people: dict[Role, Context],
    plant: Context,
    fresh_server: pgcluster.PgCluster,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The roles first (pg_dumpall --roles-only), then the database with its own privileges (pg_restore -C);
    the role OIDs differ on the new server, so the logins are linked again by name before anyone signs in."""
    from domain.vocabulary import Role

    clerk = people[Role.CLERK].user
    name = make_url(database_url).database
    roles, dump = tmp_path / "roles.sql", tmp_path / "plant.dump"
    _tool("pg_dumpall", "--roles-only", "-f", str(roles), "-d", _plain(pg_admin_url(pg_server)))
    _tool("pg_dump", "-Fc", "-f", str(dump), "-d", _plain(database_url))
    # Every role but the superuser the restore runs as, which the fresh server has (with its own password).
    superuser = make_url(pg_admin_url(pg_server)).username
    kept = [
        line
        for line in roles.read_text().splitlines()
        if not line.startswith((f"CREATE ROLE {superuser};", f"ALTER ROLE {superuser} WITH"))
    ]
    roles.write_text("\n".join(kept) + "\n")
    new_admin = _plain(fresh_server.url())
    _tool("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(roles), "-d", new_admin)
    _tool("pg_restore", "--exit-on-error", "-C", "-d", new_admin, str(dump))
    restored = fresh_server.url(name)

    # Before the owner's upgrade: refused, with what to do.
    with pytest.raises(PlantMismatch, match="runs `mpsystem db upgrade` on it once"):
        security.sign_in(restored, clerk.username, "correct horse")
    assert cli.main(["db", "upgrade", "--url", restored]) == 0
    out = capsys.readouterr().out
    assert "it is now this server's plant, and 5 logins are linked to this server's roles by name" in out

    database, user = security.sign_in(restored, clerk.username, "correct horse")
    try:
        assert user == clerk
        work = Context(database, user)
        s.receive_batch(
            work.uow(), number="RESTORED-1", material="LDPE", supplier="BASELL", quantity=25, warehouse="MAG-1"
        )
        with database.engine.connect() as conn:
            # The database names the writer by the login's OID on this server.
            signed = conn.exec_driver_sql(
                "SELECT m.user_id FROM stock_movements m JOIN batches b ON b.id = m.batch_id"
                " WHERE b.number = 'RESTORED-1'"
            ).scalar()
            acl = str(
                conn.exec_driver_sql("SELECT datacl FROM pg_database WHERE datname = current_database()").scalar()
            )
        assert "mpsystem_viewer=Tc/" in acl and not any(item.startswith("=") for item in acl.strip("{}").split(","))
        assert signed == clerk.id
    finally:
        database.dispose()
