"""Figures for the foundation: demo load, a page of the journal, a stock round."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app import queries as q
from app import services as s
from app.context import Context
from app.demo import load_demo
from app.security import SYSTEM, hash_password
from data.db import Database, open_database
from data.migrate import upgrade
from tests.benchmarks.conftest import MILLION, measure, report
from tests.conftest import in_days

pytestmark = pytest.mark.benchmark


def test_demo_with_a_million_events_on_sqlite(tmp_path: Path) -> None:
    database = open_database(tmp_path / "demo.sqlite3")
    started = time.perf_counter()
    upgrade(database)
    summary = load_demo(database, events=MILLION, password_hash=hash_password)
    elapsed = time.perf_counter() - started
    assert summary.events == MILLION
    report("mpsystem demo --events 1000000 (SQLite)", elapsed, "s", "< 60 s")
    database.dispose()


def test_demo_with_100000_events(database_url: str, backend: str) -> None:
    """The demo plant as `mpsystem --demo` makes it: master data and orders through the services."""
    database = open_database(database_url)
    started = time.perf_counter()
    summary = load_demo(database, events=100_000, password_hash=lambda p: hash_password(p, rounds=4))
    elapsed = time.perf_counter() - started
    assert summary.events == 100_000
    report(f"demo load with 100,000 events ({backend})", elapsed, "s")
    database.dispose()


FILTERS = {
    "no filter": q.EventFilter(),
    "text 'signed in' (55% of rows)": q.EventFilter(text="signed in"),
    "text 'PO-2026-00077' (0.1%)": q.EventFilter(text="PO-2026-00077"),
    "text 'łódź' (Polish, rare)": q.EventFilter(text="łódź"),
    "text 'zzz' (no match)": q.EventFilter(text="zzz-no-such-thing"),
}


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_page_of_events_out_of_a_million(request: pytest.FixtureRequest, backend_name: str) -> None:
    database: Database = request.getfixturevalue(f"million_{backend_name}")
    ctx = Context(database, SYSTEM)
    for label, flt in FILTERS.items():
        first_total = q.events(ctx.reader(), flt, limit=200).total
        median, worst = measure(lambda flt=flt: q.events(ctx.reader(), flt, offset=0, limit=200, quick=True))
        report(
            f"first page of 200 events, newest first, {label}, {backend_name} ({first_total} rows)",
            median,
            "ms median",
            "< 50 ms",
        )
        quick = q.events(ctx.reader(), flt, limit=200, quick=True)
        if not quick.counted:
            # The client shows "at least N rows (counting…)" with the page, then the exact count.
            median, worst = measure(lambda flt=flt: q.events(ctx.reader(), flt, offset=0, limit=200))
            report(f"  the same page with its exact count ({first_total} rows), read next", median, "ms median")
        if first_total > 400:
            last = first_total - 200
            median, worst = measure(lambda flt=flt, last=last: q.events(ctx.reader(), flt, offset=last, limit=200))
            report(f"last page of 200 events, {label}, {backend_name}", median, "ms median")


def test_receive_transfer_issue_round_on_sqlite(tmp_path: Path) -> None:
    database = open_database(tmp_path / "round.sqlite3")
    upgrade(database)
    ctx = Context(database, SYSTEM)
    s.create_warehouse(ctx.uow(), code="MAG-1", name="Raw", kind="raw_materials")
    s.create_warehouse(ctx.uow(), code="MAG-3", name="Floor", kind="production")
    s.create_material(ctx.uow(), code="LDPE", name="LDPE", kind="granulate", unit="kg")
    s.create_supplier(ctx.uow(), code="BASELL", name="Basell")
    counter = iter(range(10_000))

    def round_trip() -> None:
        number = f"B-{next(counter)}"
        s.receive_batch(
            ctx.uow(),
            number=number,
            material="LDPE",
            supplier="BASELL",
            quantity=100,
            warehouse="MAG-1",
            expiry_date=in_days(100),
        )
        s.approve_batch(ctx.uow(), batch=number)
        s.transfer_stock(ctx.uow(), batch=number, from_warehouse="MAG-1", to_warehouse="MAG-3", quantity=60)
        s.issue_stock(ctx.uow(), batch=number, warehouse="MAG-3", quantity=25)

    median, worst = measure(round_trip, repeat=50)
    report("receive + approve + transfer + issue round (SQLite)", median, "ms median", "< 10 ms")
    report("  of which the worst", worst, "ms")
    database.dispose()
