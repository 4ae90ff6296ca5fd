"""Figures for the planning board's schedule with ten lines of 1,000 queued orders each: how long it takes to
open, how long a frame of a drag takes, and how long a drop takes to be written and drawn again. Printed,
never asserted (targets: open < 300 ms, no drag frame over 16 ms, a drop < 100 ms)."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, insert, select

from app import queries as q
from app import services as s
from app.context import Context, CurrentUser
from app.demo import load_demo
from app.lookups import lookups
from app.security import hash_password
from data.db import Database, open_database
from data.migrate import upgrade
from data.models import Customer, Product, ProductionLine, ProductionOrder, User
from data.rules import loading_history
from domain.queue import RANK_GAP
from domain.vocabulary import Role
from tests.benchmarks.conftest import report
from ui.main_window import MainWindow
from ui.ops import Ops

pytestmark = pytest.mark.benchmark

QUEUED = 1000  # orders queued on each line


def crowd(database: Database, now: datetime) -> int:
    """Every line's queue filled up to QUEUED orders of 2 to 8 hours' work, behind what the demo planned."""
    rng = random.Random(21)
    with database.engine.begin() as conn, loading_history(conn):
        lines = conn.execute(select(ProductionLine.id, ProductionLine.stage, ProductionLine.rate_per_hour,
                                    ProductionLine.rate_unit)).all()  # fmt: skip
        products = {row.stage: row.id for row in conn.execute(select(Product.stage, Product.id).order_by(Product.code))}
        customers = conn.execute(select(Customer.id)).scalars().all()
        rows = []
        for line in lines:
            queued = conn.execute(
                select(func.count(), func.max(ProductionOrder.queue_rank)).where(
                    ProductionOrder.line_id == line.id, ProductionOrder.queue_rank.is_not(None)
                )
            ).one()
            rank = queued[1] or 0
            for i in range(QUEUED - queued[0]):
                rank += RANK_GAP
                rows.append(
                    {
                        "number": f"SQ-{line.id:02d}-{i:04d}",
                        "customer_id": rng.choice(customers),
                        "product_id": products[line.stage],
                        "quantity": Decimal(int(line.rate_per_hour) * rng.choice([2, 4, 6, 8])),
                        "unit": line.rate_unit,
                        "priority": rng.randint(1, 5),
                        "due_date": (now + timedelta(days=rng.randint(1, 400))).date(),
                        "status": "planned",
                        "line_id": line.id,
                        "queue_rank": rank,
                        "created_at": now - timedelta(days=rng.uniform(0, 30)),
                        "version": 1,
                    }
                )
        conn.execute(insert(ProductionOrder), rows)
        return int(conn.execute(select(func.count()).where(ProductionOrder.queue_rank.is_not(None))).scalar_one())


@pytest.fixture(scope="module")
def crowded_plant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path: Path = tmp_path_factory.mktemp("schedule") / "crowded.sqlite3"
    database = open_database(path)
    upgrade(database)
    load_demo(database, events=2000, password_hash=lambda p: hash_password(p, rounds=4))
    print(f"\ncrowded plant: {crowd(database, datetime.now(UTC))} orders queued on the lines")
    yield database
    database.dispose()


def _planner(database: Database) -> Context:
    with database.engine.connect() as conn:
        row = conn.execute(select(User.id, User.full_name).where(User.username == "planner")).one()
    return Context(database, CurrentUser(row.id, "planner", row.full_name, Role.PLANNER))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def test_the_schedule_of_ten_lines_with_a_thousand_orders_each(qtbot: Any, crowded_plant: Database) -> None:
    ctx = _planner(crowded_plant)
    ops = Ops()
    window = MainWindow(ctx, ops, lookups(ctx.reader()))
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    qtbot.waitUntil(lambda: not ops.busy, timeout=60_000)
    window.tabs.setCurrentWidget(window.board)
    board, schedule = window.board, window.board.schedule
    board.show_board_view(1)
    qtbot.waitUntil(lambda: board.loaded_once and not ops.busy, timeout=60_000)
    assert sum(len(r) for r in schedule.row_bars.values()) >= 10 * QUEUED

    # opening: the read on the worker, then the scene built and first painted
    opens, reads, builds = [], [], []
    for _ in range(4):
        schedule.codes = []  # nothing drawn yet: the whole scene is built, as when the board first opens
        started = time.perf_counter()
        done: list[float] = []
        board.reload(done=lambda done=done: done.append(time.perf_counter()))  # type: ignore[misc]
        qtbot.waitUntil(lambda done=done: bool(done), timeout=60_000)
        schedule.viewport().repaint()
        opens.append(_ms(started))
        started = time.perf_counter()
        queues = q.line_queues(ctx.reader())
        q.backlog(ctx.reader(), None, limit=1000)
        reads.append(_ms(started))
        started = time.perf_counter()
        schedule.set_queues(queues, datetime.now(UTC))
        schedule.viewport().repaint()
        builds.append(_ms(started))
    report("schedule: opened (read, built and painted), first", opens[0], "ms", "< 300 ms")
    report("schedule: opened, median of the next three", statistics.median(opens[1:]), "ms", "< 300 ms")
    report("schedule: the read of 10 × 1,000 queued orders and the backlog, median", statistics.median(reads), "ms")
    report("schedule: the scene built and painted, median", statistics.median(builds), "ms")

    # a drag: each mouse move handled and the view repainted
    schedule.set_zoom(1)
    code = schedule.codes[0]
    bar = next(b for b in schedule.row_bars[code] if b.movable)
    schedule.show_order(bar.order.number)
    port = schedule.viewport()
    start = schedule.mapFromScene(bar.rect.center())
    QTest.mousePress(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    frames = []
    for i in range(1, 121):
        started = time.perf_counter()
        QTest.mouseMove(port, start + QPoint(i * 4, (i * 3) % 400))
        QApplication.processEvents()  # the view paints what the move changed, as between two frames
        frames.append(_ms(started))
    full = []
    for i in range(1, 31):  # the worst case: every frame repaints the whole view
        started = time.perf_counter()
        QTest.mouseMove(port, start + QPoint(480 - i * 4, (i * 7) % 400))
        port.repaint()
        full.append(_ms(started))
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    qtbot.waitUntil(lambda: not ops.busy, timeout=60_000)
    report("schedule: a drag frame (move handled and painted), median", statistics.median(frames), "ms", "< 16 ms")
    report("schedule: a drag frame, worst of 120", max(frames), "ms", "< 16 ms")
    report("schedule: drag frames over 16 ms", sum(1 for f in frames if f > 16), "of 120")
    report("schedule: a drag frame repainting the whole view, median", statistics.median(full), "ms", "< 16 ms")

    # a drop: the queue move written, the lines it touched read again and drawn
    drops, writes = [], []
    for i in range(5):
        bars = [b for b in schedule.row_bars[code] if b.movable]
        moving = bars[i + 1]
        started = time.perf_counter()
        board.move_orders([moving.order.number], code, 2 + i)
        while [b.order.number for b in schedule.row_bars[code]][1 + i] != moving.order.number:  # drawn in place
            QApplication.processEvents()
            time.sleep(0.001)
        QApplication.processEvents()
        drops.append(_ms(started))
        qtbot.waitUntil(lambda: not ops.busy, timeout=60_000)  # the live refresh that follows, not counted
    report("schedule: a drop written, read again and drawn, median of 5", statistics.median(drops), "ms", "< 100 ms")
    report("schedule: a drop, worst of 5", max(drops), "ms", "< 100 ms")
    print("\nschedule: each drop (ms): " + ", ".join(f"{d:.0f}" for d in drops))
    for _ in range(5):
        order = q.line_queues(ctx.reader(), line=code)[0].orders[-1].order
        started = time.perf_counter()
        s.move_order(ctx.uow(), number=order.number, line=code, position=2, expected_version=order.version)
        writes.append(_ms(started))
    report("schedule: the queue move alone (one row written, journaled), median", statistics.median(writes), "ms")
    ops.wait()
