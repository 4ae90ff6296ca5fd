"""Shared fixtures: a real PostgreSQL server started for the run, SQLite files, the plant's basics.

Qt runs offscreen; the keyring is in memory; bcrypt runs at a low cost except
where a test checks the real one.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psycopg  # noqa: E402
import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402

import app.security  # noqa: E402
from app.context import Context  # noqa: E402
from app.permissions import Role  # noqa: E402
from app.security import SYSTEM, CurrentUser  # noqa: E402
from data.db import Database, open_database  # noqa: E402
from data.migrate import upgrade  # noqa: E402
from tests import pgcluster  # noqa: E402

BACKENDS = ("sqlite", "postgresql")
_counter = itertools.count()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # Benchmarks print figures and take minutes; they run when asked for by path.
    if collection_path.name == "benchmarks" and not any("benchmarks" in str(a) for a in config.args):
        return True
    return None


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.security, "BCRYPT_ROUNDS", 4)


@pytest.fixture(autouse=True)
def _machine_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The machine-wide configuration folder, empty unless a test fills it (never this machine's /etc)."""
    folder = tmp_path_factory.mktemp("machine-config")
    monkeypatch.setenv("MPSYSTEM_MACHINE_CONFIG_DIR", str(folder))
    monkeypatch.setenv("MPSYSTEM_LOG_DIR", str(tmp_path_factory.getbasetemp() / "logs"))
    return folder


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pgcluster.PgCluster | str]:
    """The PostgreSQL server for this run. If it cannot start, every PostgreSQL test errors: never a silent skip."""
    external = os.environ.get("MPSYSTEM_TEST_PG_URL")
    if external:
        yield external
        return
    try:
        cluster = pgcluster.start_cluster()
    except Exception as exc:  # noqa: BLE001 - reported, not swallowed
        pytest.fail(f"PostgreSQL could not be started for the tests: {exc}", pytrace=False)
    try:
        yield cluster
    finally:
        cluster.destroy()


def pg_admin_url(server: pgcluster.PgCluster | str, database: str = "postgres") -> str:
    if isinstance(server, str):
        base = server.rsplit("/", 1)[0]
        return f"{base}/{database}"
    return server.url(database)


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session")
def pg_template(pg_server: pgcluster.PgCluster | str) -> str:
    """A migrated database that each test's database is copied from."""
    with psycopg.connect(_plain(pg_admin_url(pg_server)), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS mpsystem_template")
        conn.execute("CREATE DATABASE mpsystem_template")
    database = open_database(pg_admin_url(pg_server, "mpsystem_template"))
    upgrade(database)
    database.dispose()
    return "mpsystem_template"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    database = open_database(path)
    upgrade(database)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


def new_pg_database(server: pgcluster.PgCluster | str, template: str | None) -> str:
    """A new database on the suite's server, made the server's one plant (see data/plant.py).

    The suite's cluster serves one test's plant at a time, as a plant's cluster serves one plant.
    """
    name = f"mpsystem_test_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(_plain(pg_admin_url(server)), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    url = pg_admin_url(server, name)
    claim_plant(url)
    return url


def claim_plant(url: str) -> None:
    from data import plant

    database = open_database(url)
    try:
        with database.engine.begin() as conn:
            plant.claim(conn)
    finally:
        database.dispose()


def drop_pg_database(server: pgcluster.PgCluster | str, url: str) -> None:
    """Drop the database and the login roles its users had: roles are cluster-wide, names repeat."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_plain(pg_admin_url(server)), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        drop_login_roles(conn)


def drop_login_roles(conn: psycopg.Connection) -> None:
    from data.pgroles import login_roles_sql

    for (role,) in conn.execute(login_roles_sql()).fetchall():
        conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database on the backend under test."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    url = new_pg_database(server, template)
    yield url
    drop_pg_database(server, url)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = open_database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def admin(database: Database) -> Context:
    return Context(database, SYSTEM)


@pytest.fixture
def people(admin: Context) -> dict[Role, Context]:
    """One signed-in context per role, each a real user row."""
    from app import services

    result = {}
    for role in Role:
        name = f"{role.label}1"
        uid = services.create_user(
            admin.uow(), username=name, role=role, full_name=f"{role.label.title()} One", password="correct horse"
        )
        result[role] = Context(admin.database, CurrentUser(uid, name, f"{role.label.title()} One", role))
    return result


@pytest.fixture
def plant(admin: Context) -> Context:
    """The basics most tests need: warehouses, materials, a supplier, customers and lines."""
    from app import services as s

    u = admin.uow
    for code, kind in (
        ("MAG-1", "raw_materials"),
        ("MAG-1.1", "adr"),
        ("MAG-3", "production"),
        ("MAG-6", "finished"),
        ("MAG-8", "quarantine"),
    ):
        s.create_warehouse(u(), code=code, name=f"Warehouse {code}", kind=kind)
    s.create_material(u(), code="LDPE", name="LDPE granulate FT5230", kind="granulate", unit="kg", reorder_level=1000)
    s.create_material(u(), code="INK-CYAN", name="Flexo ink cyan", kind="ink", unit="kg")
    s.create_material(u(), code="CORE-76", name="Cores 76 mm", kind="core", unit="pcs")
    s.create_material(u(), code="FILM-PE-50", name="PE film 50 µm", kind="film", unit="kg")
    s.create_material(u(), code="FILM-PRINTED", name="Printed film", kind="film", unit="m")
    s.create_supplier(u(), code="BASELL", name="LyondellBasell")
    s.create_customer(u(), code="C-001", name="Mleczarnia Łódź Sp. z o.o.")
    s.create_customer(u(), code="C-002", name="ООО «Северная упаковка»")
    s.create_line(u(), code="EXTRUDER-1", name="Extruder 1", stage="extrusion", rate_per_hour=500, rate_unit="kg")
    s.create_line(u(), code="EXTRUDER-2", name="Extruder 2", stage="extrusion", rate_per_hour=250, rate_unit="kg")
    s.create_line(u(), code="PRINT-LINE-1", name="Flexo 1", stage="printing", rate_per_hour=9000, rate_unit="m")
    for code, name, stage, unit, output in PLANT_PRODUCTS:
        s.create_product(u(), code=code, name=name, stage=stage, unit=unit, output_material=output)
    return admin


# What the `plant` sells: (code, name, stage, unit, the material its batches are).
PLANT_PRODUCTS = (
    ("PE-50", "PE film 50 µm natural", "extrusion", "kg", "FILM-PE-50"),
    ("PE-60", "PE film 60 µm", "extrusion", "kg", "FILM-PE-50"),
    ("PE-80-WH", "PE film 80 µm white", "extrusion", "kg", None),
    ("HDPE-15", "HDPE film 15 µm", "extrusion", "kg", None),
    ("PRINTED", "Printed film, 4 colours", "printing", "m", "FILM-PRINTED"),
    ("BAGS", "Side-weld bags", "bag_making", "pcs", None),
)
# The product a test's order is for, by the unit it is counted in.
PRODUCT_BY_UNIT = {"kg": "PE-50", "m": "PRINTED", "pcs": "BAGS"}


def snapshot(database: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to prove that a refused operation changed nothing."""
    tables = [
        "warehouses",
        "materials",
        "suppliers",
        "customers",
        "users",
        "production_lines",
        "products",
        "recipe_lines",
        "production_orders",
        "batches",
        "stock_balances",
        "stock_movements",
        "deliveries",
        "delivery_lines",
        "stop_reasons",
        "line_stops",
        "events",
    ]
    with database.engine.connect() as conn:
        return {t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}")).all()), key=repr) for t in tables}


def in_days(n: int) -> date:
    return date.today() + timedelta(days=n)
