"""Figures for labels and reports."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from app import reporting
from app.context import Context
from app.demo import load_demo
from app.security import SYSTEM, hash_password
from data.db import Database, open_database
from data.migrate import upgrade
from data.models import Batch, Material, StockMovement, Supplier, Warehouse
from reports import documents
from reports.labels import labels_pdf
from tests.benchmarks.conftest import report

pytestmark = pytest.mark.benchmark


@pytest.fixture(scope="module")
def ten_thousand_batches(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """The demo plant plus received batches up to 10,000 in stock, each with its receipt."""
    path = tmp_path_factory.mktemp("reports") / "plant.sqlite3"
    database = open_database(path)
    upgrade(database)
    load_demo(database, events=100_000, password_hash=lambda p: hash_password(p, rounds=4))
    with database.engine.begin() as conn:
        have = conn.execute(select(Batch.id)).all()
        materials = conn.execute(select(Material.id)).scalars().all()
        supplier = conn.execute(select(Supplier.id)).scalars().first()
        warehouses = conn.execute(select(Warehouse.id)).scalars().all()
        now = datetime.now(UTC)
        extra = 10_000 - len(have)
        conn.execute(
            insert(Batch),
            [
                {
                    "number": f"BENCH-{i:05d}",
                    "material_id": materials[i % len(materials)],
                    "supplier_id": supplier,
                    "received_at": now - timedelta(days=i % 200),
                    "expiry_date": (now + timedelta(days=365)).date(),
                    "status": "approved",
                    "version": 1,
                }
                for i in range(extra)
            ],
        )
        ids = conn.execute(select(Batch.id).where(Batch.number.like("BENCH-%")).order_by(Batch.id)).scalars().all()
        # Each receipt's insert puts its stock into the balances: the database keeps them to the ledger.
        conn.execute(
            insert(StockMovement),
            [
                {
                    "batch_id": b,
                    "kind": "receipt",
                    "quantity": Decimal(100 + i % 900),
                    "to_warehouse_id": warehouses[i % len(warehouses)],
                    "created_at": now,
                }
                for i, b in enumerate(ids)
            ],
        )
    return database


def test_inventory_report_over_ten_thousand_batches(ten_thousand_batches: Database, tmp_path: Path) -> None:
    ctx = Context(ten_thousand_batches, SYSTEM)
    started = time.perf_counter()
    data = reporting.inventory_report(ctx)
    pages = documents.inventory(data, str(tmp_path / "inventory.pdf"))
    elapsed = time.perf_counter() - started
    report(f"inventory report, {len(data.lines):,} batch balances, {pages} pages", elapsed, "s", "< 5 s")


# Writes pickled labels on A4 sheets in a fresh interpreter as the labels were written before: reportlab
# without its C accelerators (rl-accel) and the QR encoder building its polynomial for every code.
# Prints the median seconds of three.
AS_BEFORE = """
import pickle, statistics, sys, time
sys.modules["_rl_accel"] = None  # reportlab falls back to its Python functions
from reportlab.graphics.barcode import qrencoder
from reports.labels import labels_pdf
polynomial = qrencoder.QRUtil.getErrorCorrectPolynomial
qrencoder.QRUtil.getErrorCorrectPolynomial = staticmethod(polynomial.__wrapped__)
labels = pickle.load(open(sys.argv[1], "rb"))
labels_pdf(labels[:10], sys.argv[2], sheet=True)
times = []
for _ in range(3):
    started = time.perf_counter()
    labels_pdf(labels, sys.argv[2], sheet=True)
    times.append(time.perf_counter() - started)
print(statistics.median(times))
"""


def test_thousand_labels_on_a4_sheets(ten_thousand_batches: Database, tmp_path: Path) -> None:
    import pickle
    import statistics

    from reportlab.lib import rl_accel

    ctx = Context(ten_thousand_batches, SYSTEM)
    with ten_thousand_batches.engine.connect() as conn:
        numbers = conn.execute(select(Batch.number).order_by(Batch.number).limit(1000)).scalars().all()
    started = time.perf_counter()
    labels = reporting.batch_labels(ctx, list(numbers))
    read = time.perf_counter() - started
    out = str(tmp_path / "labels.pdf")
    labels_pdf(labels[:10], out, sheet=True)  # fonts registered, as in a client that has printed before
    writes = []
    for _ in range(3):
        started = time.perf_counter()
        pages = labels_pdf(labels, out, sheet=True)
        writes.append(time.perf_counter() - started)
    write = statistics.median(writes)
    report(f"1,000 labels on {pages} A4 sheets (read and write)", read + write, "s", "< 1.5 s")
    report("  of which reading the 1,000 batches", read, "s")
    accelerated = "its C accelerators" if rl_accel.fp_str.__module__ == "_rl_accel" else "no accelerators installed"
    report(f"  of which writing the PDF, reportlab with {accelerated} (median of 3)", write, "s")
    dump = tmp_path / "labels.pickle"
    dump.write_bytes(pickle.dumps(labels))
    done = subprocess.run(
        [sys.executable, "-c", AS_BEFORE, str(dump), str(tmp_path / "plain.pdf")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    report(
        "  writing the PDF as before: no C accelerators, a QR polynomial per code (median of 3)",
        float(done.stdout),
        "s",
    )


def _child_peak_mb(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run the command in a fresh interpreter; its peak resident memory (MB) and its time (s)."""
    code = (
        "import resource, sys, time; from app.cli import main; t = time.perf_counter(); "
        "rc = main(sys.argv[1:]); "
        "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, time.perf_counter() - t); "
        "sys.exit(rc)"
    )
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("PEAK"))
    _, peak, seconds = line.split()
    return float(peak), float(seconds)


def test_events_report_of_100000_rows_streams(ten_thousand_batches: Database, tmp_path: Path) -> None:
    url = str(ten_thousand_batches.url)
    env = {**os.environ}
    base, _ = _child_peak_mb(
        ["report", "events", "--url", url, "--action", "no-such-action", "--out", str(tmp_path / "empty.pdf")], env
    )
    peak, seconds = _child_peak_mb(["report", "events", "--url", url, "--out", str(tmp_path / "events.pdf")], env)
    pages = (tmp_path / "events.pdf").read_bytes().count(b"/Type /Page\n") or "?"
    report("events report of 100,000+ rows: peak memory growth over an empty report", peak - base, "MB", "< 200 MB")
    report(f"  peak resident memory: {peak:.0f} MB for the full report, {base:.0f} MB for an empty one", peak, "MB")
    report(f"  time for it ({pages} pages)", seconds, "s")
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss > 0
