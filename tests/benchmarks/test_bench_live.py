"""How soon another workstation hears of a change: commit on one connection → notice on another's listener.

The client then waits COALESCE_MS to gather a burst into one refresh and reads
the visible page again (a few milliseconds, see the client benchmarks).
"""

from __future__ import annotations

import statistics
import threading
import time

import pytest

from app import live
from app import services as s
from app.context import Context
from data.db import open_database
from tests.benchmarks.conftest import report
from ui.live import LiveUpdates

pytestmark = [pytest.mark.benchmark, pytest.mark.parametrize("backend", ["postgresql"])]


def test_change_notice_latency(plant: Context, database_url: str) -> None:
    listener_db = open_database(database_url)
    heard = threading.Event()

    def on_changes(changes: list[live.Change]) -> None:
        if any(c.table == "customers" for c in changes):
            heard.set()

    stop = live.subscribe(listener_db, on_changes)
    try:
        time.sleep(0.5)  # the listener connects
        samples = []
        for i in range(50):
            heard.clear()
            s.create_customer(plant.uow(), code=f"C-L{i:03d}", name=f"Live {i}")
            committed = time.perf_counter()
            assert heard.wait(5)
            samples.append((time.perf_counter() - committed) * 1000)
    finally:
        stop()
        listener_db.dispose()
    report("live: commit to the other workstation's notice, median", statistics.median(samples), "ms")
    report("live: commit to the other workstation's notice, worst of 50", max(samples), "ms")
    report(
        "live: notice to refresh request (client coalescing)",
        LiveUpdates.COALESCE_MS,
        "ms",
        "refresh within 1000 ms",
    )
