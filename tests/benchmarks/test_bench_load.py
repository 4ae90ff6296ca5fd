"""Twenty workstations on one PostgreSQL server for a minute, then an audit.

Each workstation is its own process with its own database login and
connection: twelve clerks receive, transfer and issue stock and read their
tables; six planners move queue items, record consumption and read the board;
two managers approve receipts and read the journal. Refusals the plant would
see (not enough stock left, a batch still pending) count as answered
operations; anything else unexpected is an anomaly.

Afterwards: every balance equals its ledger, none is negative, queue
positions are unique and dense, and every change has its journal entry.
Set MPSYSTEM_BENCH_SECONDS to run shorter.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import statistics
import time
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import text

from app import services as s
from app.context import Context
from app.security import SYSTEM
from data.db import open_database
from tests.benchmarks.conftest import report
from tests.conftest import drop_pg_database, in_days, new_pg_database
from tests.helpers import ledger_mismatches, negative_balances, queue_problems

pytestmark = pytest.mark.benchmark

SECONDS = float(os.environ.get("MPSYSTEM_BENCH_SECONDS", "60"))
PASSWORD = "workstation password"
LINES = ("EXTRUDER-1", "EXTRUDER-2", "EXTRUDER-3", "EXTRUDER-4")
STORES = ("MAG-1", "MAG-2", "MAG-3")
BATCHES = 240
QUEUED = 120
STATIONS = [("clerk", 12), ("planner", 6), ("manager", 2)]
# operation -> the journal action each success writes
JOURNAL = {
    "receive": "received",
    "transfer": "transferred",
    "issue": "issued",
    "consume": "consumed",
    "move": "moved",
    "approve": "approved",
}


def _setup(url: str) -> dict[str, Any]:
    database = open_database(url)
    ctx = Context(database, SYSTEM)
    u = ctx.uow
    for code in (*STORES, "MAG-6"):
        s.create_warehouse(u(), code=code, name=f"Warehouse {code}", kind="raw_materials")
    s.create_material(u(), code="LDPE", name="LDPE granulate", kind="granulate", unit="kg")
    s.create_material(u(), code="FILM", name="PE film", kind="film", unit="kg")
    s.create_supplier(u(), code="BASELL", name="LyondellBasell")
    s.create_customer(u(), code="C-001", name="Dairy")
    for code in LINES:
        s.create_line(u(), code=code, name=code.title(), stage="extrusion", rate_per_hour=500, rate_unit="kg")
    for i in range(BATCHES):
        number = f"B-{i:04d}"
        s.receive_batch(u(), number=number, material="LDPE", supplier="BASELL", quantity=5000, warehouse=STORES[i % 3])
        s.approve_batch(u(), batch=number)
    for i in range(QUEUED + len(LINES)):
        number = f"PO-{i:04d}"
        s.create_order(u(), number=number, customer="C-001", product="PE-50", quantity=2000, unit="kg",
                       due_date=in_days(30))  # fmt: skip
        s.plan_order(u(), number=number, line=LINES[i % len(LINES)])
    running = []
    for line in LINES:  # the first order of each line runs, so planners can record consumption
        with database.engine.connect() as conn:
            first = conn.execute(
                text(
                    "SELECT o.number FROM production_orders o JOIN production_lines l ON l.id = o.line_id "
                    "WHERE l.code = :c ORDER BY o.queue_rank LIMIT 1"
                ),
                {"c": line},
            ).scalar_one()
        s.start_order(u(), number=first)
        running.append(first)
    stations = []
    for role, count in STATIONS:
        for _ in range(count):
            name = f"ws{len(stations) + 1:02d}_{role}"
            s.create_user(u(), username=name, role=role, password=PASSWORD)
            stations.append((name, role))
    with database.engine.connect() as conn:
        queued = [
            r[0] for r in conn.execute(text("SELECT number FROM production_orders WHERE status = 'planned'")).all()
        ]
    database.dispose()
    return {"stations": stations, "running": running, "queued": queued}


def _workstation(args: tuple[str, str, str, int, float, list[str], list[str]]) -> dict[str, Any]:  # noqa: C901
    # one workstation's whole minute, its role's mix of operations beside the loop that runs them
    """One workstation's minute: sign in with its own login, then work until the deadline."""
    from app import queries as q
    from app import security
    from app.errors import KnownError

    url, name, role, seed, start_at, running, queued = args
    rng = random.Random(seed)
    database, user = security.sign_in(url, name, PASSWORD)
    ctx = Context(database, user)
    time.sleep(max(0.0, start_at - time.time()))  # every workstation starts the same second
    deadline = start_at + SECONDS
    samples: dict[str, list[float]] = {}
    done: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    anomalies: list[str] = []
    received = 0

    def batch_and_store() -> tuple[str, str]:
        """A batch and, mostly, the store it was received into; sometimes one it may have been moved to."""
        i = rng.randrange(BATCHES)
        return f"B-{i:04d}", STORES[i % 3] if rng.random() < 0.85 else rng.choice(STORES)

    def transfer() -> None:
        number, source = batch_and_store()
        target = rng.choice([w for w in STORES if w != source])
        s.transfer_stock(ctx.uow(), batch=number, from_warehouse=source, to_warehouse=target,
                         quantity=rng.randint(1, 60))  # fmt: skip

    def issue() -> None:
        number, store = batch_and_store()
        s.issue_stock(ctx.uow(), batch=number, warehouse=store, quantity=rng.randint(1, 40))

    def consume() -> None:
        number, store = batch_and_store()
        s.consume_batch(ctx.uow(), order=rng.choice(running), batch=number, warehouse=store,
                        quantity=rng.randint(1, 30))  # fmt: skip

    ops: dict[str, tuple[int, Any]] = {}
    if role == "clerk":

        def receive() -> None:
            nonlocal received
            received += 1
            s.receive_batch(ctx.uow(), number=f"R-{name}-{received}", material="LDPE", supplier="BASELL",
                            quantity=rng.randint(100, 900), warehouse=rng.choice(STORES))  # fmt: skip

        ops = {
            "receive": (8, receive),
            "transfer": (26, transfer),
            "issue": (18, issue),
            "read inventory": (16, lambda: q.inventory(ctx.reader(), limit=200)),
            "read batches": (16, lambda: q.batches(ctx.reader(), limit=200)),
            "read events": (16, lambda: q.events(ctx.reader(), limit=200)),
        }  # fmt: skip
    elif role == "planner":
        ops = {
            "move": (40, lambda: s.move_order(ctx.uow(), number=rng.choice(queued), line=rng.choice(LINES),
                                              position=rng.randint(1, QUEUED // len(LINES)))),
            "consume": (20, consume),
            "read board": (25, lambda: q.line_queues(ctx.reader())),
            "read orders": (15, lambda: q.orders(ctx.reader(), limit=200)),
        }  # fmt: skip
    else:

        def approve() -> str | None:
            page = q.batches(ctx.reader(), q.BatchFilter(status="pending"), limit=1)
            if not page.rows:
                return "read batches"  # nothing waiting: the look was all there was to do
            s.approve_batch(ctx.uow(), batch=page.rows[0].number, expected_version=page.rows[0].version)
            return None

        ops = {"approve": (50, approve), "read events": (50, lambda: q.events(ctx.reader(), limit=200))}
    names = list(ops)
    weights = [ops[n][0] for n in names]
    while time.time() < deadline:
        op = rng.choices(names, weights)[0]
        started = time.perf_counter()
        try:
            outcome = ops[op][1]()
            op = outcome if isinstance(outcome, str) else op  # an op may say it turned out to be another
            done[op] += 1
        except KnownError as exc:
            refused[op] += 1
            if "changed by" not in str(exc) and "has only" not in str(exc) and "no stock" not in str(exc) \
                    and "already" not in str(exc):  # fmt: skip
                anomalies.append(f"{name} {op}: {exc}")
        except Exception as exc:  # noqa: BLE001 - every unexpected failure is reported as an anomaly
            anomalies.append(f"{name} {op}: {type(exc).__name__}: {exc}")
        samples.setdefault(op, []).append((time.perf_counter() - started) * 1000)
    database.dispose()
    return {"samples": samples, "done": dict(done), "refused": dict(refused), "anomalies": anomalies}


def test_twenty_workstations_for_a_minute(pg_server: object, pg_template: str) -> None:
    url = new_pg_database(pg_server, pg_template)  # type: ignore[arg-type]
    try:
        plan = _setup(url)
        start_at = time.time() + 10  # the processes start and sign in first
        jobs = [
            (url, name, role, i, start_at, plan["running"], plan["queued"])
            for i, (name, role) in enumerate(plan["stations"])
        ]
        with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
            results = pool.map(_workstation, jobs)
        _audit(url, results)
    finally:
        drop_pg_database(pg_server, url)  # type: ignore[arg-type]


def _audit(url: str, results: list[dict[str, Any]]) -> None:
    latencies: dict[str, list[float]] = {}
    done: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    anomalies: list[str] = []
    for r in results:
        for op, values in r["samples"].items():
            latencies.setdefault(op, []).extend(values)
        done.update(r["done"])
        refused.update(r["refused"])
        anomalies.extend(r["anomalies"])
    every = sorted(v for values in latencies.values() for v in values)
    total = len(every)

    def pct(values: list[float], p: float) -> float:
        return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) > 1 else values[0]

    print(
        f"\n20 workstations × {SECONDS:.0f} s: {total} operations ({sum(refused.values())} refused as the plant would)"
    )
    print(f"{'operation':<16} {'count':>7} {'refused':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for op in sorted(latencies):
        v = sorted(latencies[op])
        print(f"{op:<16} {len(v):>7} {refused[op]:>8} {pct(v, 50):>8.1f} {pct(v, 95):>8.1f} {pct(v, 99):>8.1f}")
    report("load: throughput, 20 workstations on PostgreSQL", total / SECONDS, "ops/s", ">= 200")
    report("load: p50 latency", pct(every, 50), "ms")
    report("load: p95 latency", pct(every, 95), "ms")
    report("load: p99 latency", pct(every, 99), "ms")

    database = open_database(url)
    problems = list(anomalies)
    problems += [f"balance differs from ledger: {m}" for m in ledger_mismatches(database)]
    if negative_balances(database):
        problems.append(f"{negative_balances(database)} negative balances")
    problems += queue_problems(database)
    with database.engine.connect() as conn:
        queued = conn.execute(text("SELECT count(*) FROM production_orders WHERE queue_rank IS NOT NULL")).scalar()
        if queued != QUEUED + len(LINES):
            problems.append(f"{queued} queued orders, expected {QUEUED + len(LINES)}")
        dense = conn.execute(
            text(
                "SELECT line_code, count(*), max(position), count(DISTINCT position) FROM production_queue "
                "GROUP BY line_code"
            )
        ).all()
        problems += [f"positions on {r[0]} not 1..n: {r[1:]}" for r in dense if not (r[1] == r[2] == r[3])]
        journal = dict(conn.execute(text("SELECT action, count(*) FROM events GROUP BY action")).all())
        setup = {"received": BATCHES, "approved": BATCHES, "moved": 0}
        for op, action in JOURNAL.items():
            expected = done[op] + setup.get(action, 0)
            if action == "received":
                expected = done["receive"] + BATCHES
            if journal.get(action, 0) != expected:
                problems.append(f"{action}: {journal.get(action, 0)} journal entries for {expected} changes")
        movements = conn.execute(text("SELECT count(*) FROM stock_movements")).scalar()
        expected_moves = BATCHES + done["receive"] + done["transfer"] + done["issue"] + done["consume"]
        if movements != expected_moves:
            problems.append(f"{movements} stock movements for {expected_moves} stock changes")
    database.dispose()
    report("load: anomalies", len(problems), "", "0")
    for p in problems[:20]:
        print("  ANOMALY", p)
    assert problems == []
