"""Benchmarks print figures and assert no timings: machines are shared and noisy.

Run with `scripts/dev.sh test tests/benchmarks -s`.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.demo import load_demo
from app.security import hash_password
from data.db import Database, open_database
from data.migrate import upgrade

MILLION = 1_000_000


def measure(fn: Callable[[], object], repeat: int = 7) -> tuple[float, float]:
    """(median, worst) in milliseconds, after one warm-up call."""
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def report(name: str, value: float, unit: str, target: str = "") -> None:
    print(f"\nBENCH {name}: {value:.1f} {unit}" + (f" (target {target})" if target else ""))


@pytest.fixture(scope="session")
def million_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path: Path = tmp_path_factory.mktemp("bench") / "million.sqlite3"
    database = open_database(path)
    upgrade(database)
    load_demo(database, events=MILLION, password_hash=lambda p: hash_password(p, rounds=4))
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def million_postgresql(pg_server: object) -> Iterator[Database]:
    from tests.conftest import drop_pg_database, new_pg_database

    url = new_pg_database(pg_server, None)  # type: ignore[arg-type]
    database = open_database(url)
    upgrade(database)
    load_demo(database, events=MILLION)
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    yield database
    database.dispose()
    drop_pg_database(pg_server, url)  # type: ignore[arg-type]
