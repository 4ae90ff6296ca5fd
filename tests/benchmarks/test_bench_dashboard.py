"""Figures for the dashboard on a big plant: its figures on each backend, and the client under a stream of writes.

The big plant: the demo with 1,000,000 journal entries, grown to 10,000 batches and 10,000 orders, with two
years of line stops. Printed: the time of the whole dashboard and of each section (median and worst), and
the longest event-loop stall of a client showing the dashboard while ten writes a second arrive.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from app import dashboard as d
from app import services as s
from app.context import Context
from app.demo import load_demo
from app.lookups import lookups
from app.security import SYSTEM, CurrentUser, hash_password
from data.db import Database, open_database
from data.migrate import upgrade
from data.models import (
    Batch,
    Customer,
    LineStop,
    Material,
    Product,
    ProductionLine,
    ProductionOrder,
    StockMovement,
    StopReason,
    Supplier,
    User,
    Warehouse,
)
from data.rules import loading_history
from domain.queue import RANK_GAP
from domain.vocabulary import Role
from tests.benchmarks.conftest import MILLION, measure, report
from tests.benchmarks.test_bench_client import StallMeter
from ui.main import settle_memory
from ui.main_window import MainWindow
from ui.ops import Ops

pytestmark = pytest.mark.benchmark

BATCHES = 10_000
ORDERS = 10_000
STOP_YEARS = 2


def grow(database: Database, now: datetime) -> dict[str, int]:
    """Orders up to ORDERS, batches up to BATCHES (bought, and made by the orders of the last two months),
    and two years of line stops before the demo's own months of them. Loaded as history, in bulk."""
    rng = random.Random(15)
    with database.engine.begin() as conn, loading_history(conn):
        lines = conn.execute(
            select(ProductionLine.id, ProductionLine.stage, ProductionLine.rate_per_hour, ProductionLine.rate_unit)
        ).all()
        products = {row.stage: row.id for row in conn.execute(select(Product.stage, Product.id).order_by(Product.code))}
        customers = conn.execute(select(Customer.id)).scalars().all()
        materials = conn.execute(select(Material.id, Material.unit)).all()
        by_unit = {unit: [m.id for m in materials if m.unit == unit] for unit in {m.unit for m in materials}}
        supplier = conn.execute(select(Supplier.id)).scalars().first()
        warehouses = conn.execute(select(Warehouse.id)).scalars().all()
        clerk = conn.execute(select(User.id).where(User.username == "clerk")).scalar_one()
        reasons = conn.execute(select(StopReason.id)).scalars().all()
        first_stop = conn.execute(select(func.min(LineStop.started_at))).scalar_one()
        top_rank = {
            r.line_id: r.rank
            for r in conn.execute(
                select(ProductionOrder.line_id.label("line_id"), func.max(ProductionOrder.queue_rank).label("rank"))
                .where(ProductionOrder.queue_rank.is_not(None))
                .group_by(ProductionOrder.line_id)
            )
        }
        extra = ORDERS - (conn.execute(select(func.count()).select_from(ProductionOrder)).scalar_one())
        orders, made = [], []
        for i in range(extra):
            line = lines[i % len(lines)]
            quantity = Decimal(int(line.rate_per_hour) * rng.choice([4, 8, 12, 20]))
            pick = rng.random()
            created = now - timedelta(days=rng.uniform(1, 730))
            row: dict[str, Any] = {
                "number": f"BO-{i:06d}",
                "customer_id": rng.choice(customers),
                "product_id": products[line.stage],
                "note": "bench",
                "quantity": quantity,
                "unit": line.rate_unit,
                "priority": rng.randint(1, 5),
                "line_id": line.id,
                "queue_rank": None,
                "started_at": None,
                "finished_at": None,
                "version": 1,
            }
            if pick < 0.04:  # queued behind what the demo planned
                top_rank[line.id] = top_rank.get(line.id, 0) + RANK_GAP
                created = now - timedelta(days=rng.uniform(0, 20))
                row |= {"status": "planned", "queue_rank": top_rank[line.id]}
                row["due_date"] = (now + timedelta(days=rng.randint(1, 60))).date()
            elif pick < 0.09:
                row |= {"status": "new", "line_id": None, "due_date": (now + timedelta(days=rng.randint(3, 60))).date()}
            elif pick < 0.12:
                row |= {"status": "cancelled", "due_date": (created + timedelta(days=20)).date()}
            else:
                started = created + timedelta(days=rng.uniform(0.5, 3))
                finished = min(started + timedelta(hours=rng.uniform(4, 30)), now - timedelta(minutes=5))
                row |= {"status": "done", "started_at": started, "finished_at": finished}
                row["due_date"] = (created + timedelta(days=rng.randint(5, 30))).date()
                if finished > now - timedelta(days=60):
                    made.append((row["number"], line, quantity, finished))
            row["created_at"] = created
            orders.append(row)
        conn.execute(insert(ProductionOrder), orders)
        ids = dict(
            conn.execute(
                select(ProductionOrder.number, ProductionOrder.id).where(ProductionOrder.number.like("BO-%"))
            ).all()
        )
        have = conn.execute(select(func.count()).select_from(Batch)).scalar_one()
        made = made[: max(0, BATCHES - have)]
        bought = BATCHES - have - len(made)
        batches, moves = [], []
        for k, (number, line, _quantity, finished) in enumerate(made):
            batches.append(
                {
                    "number": f"{number}-001",
                    "material_id": by_unit[line.rate_unit][k % len(by_unit[line.rate_unit])],
                    "supplier_id": None,
                    "production_order_id": ids[number],
                    "received_at": finished,
                    "expiry_date": (finished + timedelta(days=365)).date(),
                    "status": "approved",
                    "status_reason": None,
                    "version": 1,
                }
            )
        for k in range(bought):
            received = now - timedelta(days=rng.uniform(0, 300))
            status = "pending" if rng.random() < 0.06 else "blocked" if rng.random() < 0.03 else "approved"
            batches.append(
                {
                    "number": f"BB-{k:06d}",
                    "material_id": rng.choice(materials).id,
                    "supplier_id": supplier,
                    "production_order_id": None,
                    "received_at": received,
                    "expiry_date": (now + timedelta(days=rng.randint(-40, 400))).date(),
                    "status": status,
                    "status_reason": "bench" if status == "blocked" else None,
                    "version": 1,
                }
            )
        conn.execute(insert(Batch), batches)
        batch_ids = dict(
            conn.execute(
                select(Batch.number, Batch.id).where(Batch.number.like("BO-%") | Batch.number.like("BB-%"))
            ).all()
        )
        for b in batches:
            output = b.get("production_order_id") is not None
            moves.append(
                {
                    "batch_id": batch_ids[b["number"]],
                    "kind": "output" if output else "receipt",
                    "quantity": Decimal(rng.randint(100, 5000)),
                    "to_warehouse_id": rng.choice(warehouses),
                    "production_order_id": b.get("production_order_id"),
                    "user_id": clerk,
                    "created_at": b["received_at"],
                }
            )
        moves.sort(key=lambda m: m["created_at"])
        conn.execute(insert(StockMovement), moves)
        stops = []
        start_of_history = now - timedelta(days=365 * STOP_YEARS)
        for line in lines:
            moment = start_of_history
            while True:
                moment += timedelta(hours=rng.expovariate(1 / 18))
                end = moment + timedelta(minutes=rng.randint(10, 300))
                if end >= first_stop:
                    break
                stops.append(
                    {
                        "line_id": line.id,
                        "started_at": moment,
                        "ended_at": end,
                        "reason_id": rng.choice(reasons),
                        "version": 1,
                    }
                )
                moment = end
        conn.execute(insert(LineStop), stops)
    with database.engine.connect() as conn:
        return {
            "orders": conn.execute(select(func.count()).select_from(ProductionOrder)).scalar_one(),
            "batches": conn.execute(select(func.count()).select_from(Batch)).scalar_one(),
            "stops": conn.execute(select(func.count()).select_from(LineStop)).scalar_one(),
        }


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def big_plant(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    if request.param == "sqlite":
        database = open_database(tmp_path_factory.mktemp("big") / "big.sqlite3")
        upgrade(database)
        load_demo(database, events=MILLION, password_hash=lambda p: hash_password(p, rounds=4))
        counts = grow(database, datetime.now(UTC))
        print(f"\nbig plant (sqlite): {counts}")
        yield database
        database.dispose()
        return
    from tests.conftest import drop_pg_database, new_pg_database

    server = request.getfixturevalue("pg_server")
    url = new_pg_database(server, None)
    database = open_database(url)
    upgrade(database)
    load_demo(database, events=MILLION)
    counts = grow(database, datetime.now(UTC))
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    print(f"\nbig plant (postgresql): {counts}")
    yield database
    database.dispose()
    drop_pg_database(server, url)


def _manager(database: Database) -> Context:
    with database.engine.connect() as conn:
        row = conn.execute(select(User.id, User.full_name).where(User.username == "manager")).one()
    return Context(database, CurrentUser(row.id, "manager", row.full_name, Role.MANAGER))


def test_dashboard_figures_on_a_big_plant(big_plant: Database) -> None:
    ctx = Context(big_plant, SYSTEM)
    backend = big_plant.backend
    median, worst = measure(lambda: d.dashboard(ctx), repeat=9)
    report(f"dashboard ({backend}): every figure of a big plant, median", median, "ms", "< 300 ms")
    report(f"dashboard ({backend}): every figure of a big plant, worst of 9", worst, "ms", "< 300 ms")
    limits = d.plant_limits(ctx)
    now = datetime.now(UTC)
    for section in d.SECTIONS:
        median, worst = measure(lambda section=section: section.read(ctx, now, limits), repeat=5)
        report(f"dashboard ({backend}): section {section.name}, median (worst)", median, f"ms ({worst:.1f} ms)")
    board = d.dashboard(ctx)
    print(
        f"\ndashboard ({backend}): {len(board.lines.late)} late orders, {sum(ln.queued for ln in board.lines.lines)} "
        f"queued, {len(board.batches.pending)} waiting for release, {board.alerts().total} alerts"
    )


def test_the_client_refreshing_the_dashboard_under_ten_writes_a_second(qtbot: Any, big_plant: Database) -> None:
    """A manager's dashboard open while another workstation writes ten times a second: receipts (ledger,
    batches, journal) and line stops started and ended (lines, availability): every section refreshes."""
    manager = _manager(big_plant)
    writer_db = open_database(big_plant.url) if not big_plant.is_sqlite else big_plant
    writer = Context(writer_db, SYSTEM)
    ops = Ops()
    window = MainWindow(manager, ops, lookups(manager.reader()))
    qtbot.addWidget(window)
    window.resize(1400, 860)
    window.show()
    qtbot.waitUntil(lambda: window.dashboard.loaded_once and not ops.busy, timeout=60_000)
    qtbot.wait(1500)  # the first paint of every chart and table: the start, not the refreshing, measured here
    settle_memory()  # as the client does once its window is up
    reads: list[float] = []
    real = d.read_sections

    def timed(ctx: Context, names: Any, now: Any = None, limits: Any = None) -> Any:
        started = time.perf_counter()
        try:
            return real(ctx, names, now, limits)
        finally:
            reads.append((time.perf_counter() - started) * 1000)

    d.read_sections = timed
    meter = StallMeter()
    done = threading.Event()
    written = [0]

    def write() -> None:
        for i in range(100):
            if i % 10 == 5:
                s.record_stop(writer.uow(), line="SLITTER-2", reason="CHANGEOVER")
            elif i % 10 == 9:
                s.end_stop(writer.uow(), line="SLITTER-2")
            else:
                s.receive_batch(
                    writer.uow(),
                    number=f"STREAM-{big_plant.backend}-{i:03d}",
                    material="GR-LDPE-FT5230",
                    supplier="BASELL",
                    quantity=10,
                    warehouse="MAG-1",
                )
            written[0] += 1
            time.sleep(0.1)
        done.set()

    try:
        meter.start()
        thread = threading.Thread(target=write)
        thread.start()
        while not done.is_set():
            qtbot.wait(20)
        qtbot.waitUntil(lambda: not ops.busy, timeout=30_000)
        stall = meter.stop()
        thread.join()
    finally:
        d.read_sections = real
        window.close()
        ops.wait()
        if writer_db is not big_plant:
            writer_db.dispose()
    backend = big_plant.backend
    report(f"dashboard ({backend}): longest event-loop stall under 10 writes/s for 10 s", stall, "ms", "< 50 ms")
    report(f"dashboard ({backend}): {len(reads)} refreshes for {written[0]} writes, slowest read", max(reads), "ms")
