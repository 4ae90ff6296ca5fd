"""Workstations at the same moment: no overdrawn batch, no lost or doubled queue position, no overwrite."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, text

from app import services as s
from app.context import Context
from app.errors import ConflictError, KnownError, ValidationError
from app.permissions import Role
from app.services.queue import QUEUE_LOCK_SPACE
from data.db import open_database
from data.models import StockBalance
from tests.conftest import in_days
from tests.helpers import ledger_mismatches, negative_balances, queue_problems


def at_once(workers: list[Callable[[], Any]]) -> list[Any]:
    """Start every worker at the same instant on its own thread; their results or the errors they raised."""
    barrier = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)

    def run(i: int, work: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = work()
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def two_clerks(plant: Context, people: dict[Role, Context], database_url: str) -> list[Context]:
    """Two workstations: each its own engine and connections, like two PCs."""
    contexts = []
    for _ in range(2):
        database = open_database(database_url)
        contexts.append(Context(database, people[Role.CLERK].user))
    yield contexts
    for ctx in contexts:
        ctx.database.dispose()


def test_clerks_issuing_from_one_batch_at_once_never_overdraw_it(
    plant: Context, people: dict[Role, Context], two_clerks: list[Context]
) -> None:
    s.receive_batch(plant.uow(), number="B-1", material="LDPE", supplier="BASELL", quantity=100, warehouse="MAG-1")
    s.approve_batch(people[Role.MANAGER].uow(), batch="B-1")
    workers = [
        (lambda ctx=two_clerks[i % 2]: s.issue_stock(ctx.uow(), batch="B-1", warehouse="MAG-1", quantity=15))
        for i in range(10)
    ]
    results = at_once(workers)
    refused = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, KnownError) for r in refused), [repr(r) for r in refused]
    assert len(refused) == 4  # 6 × 15 = 90 fit into 100; the seventh would overdraw
    assert all("has only 10.000 kg in MAG-1" in str(r) for r in refused if "only" in str(r))
    with plant.database.engine.connect() as conn:
        balance = conn.execute(select(StockBalance.quantity)).scalar_one()
        issues = conn.execute(text("SELECT count(*) FROM events WHERE action = 'issued'")).scalar_one()
    assert balance == Decimal("10")
    assert issues == 6
    assert ledger_mismatches(plant.database) == [] and negative_balances(plant.database) == 0


def test_opposite_transfers_and_first_stock_in_a_warehouse_at_once_all_succeed(
    plant: Context, people: dict[Role, Context], two_clerks: list[Context]
) -> None:
    """Neither a deadlock (A→B against B→A) nor a doubled first balance row refuses a clerk's transfer."""
    s.receive_batch(plant.uow(), number="B-1", material="LDPE", supplier="BASELL", quantity=5000, warehouse="MAG-1")
    s.transfer_stock(plant.uow(), batch="B-1", from_warehouse="MAG-1", to_warehouse="MAG-3", quantity=2500)
    targets = ["MAG-6", "MAG-8", "MAG-1.1"]
    for round_ in range(12):
        first_stock = targets[round_ % 3] if round_ < 3 else None  # the first rounds also open new balances
        workers: list[Callable[[], Any]] = []
        for i in range(6):
            ctx = two_clerks[i % 2]
            source, target = ("MAG-1", "MAG-3") if i % 2 else ("MAG-3", "MAG-1")
            if first_stock is not None and i < 2:
                target = first_stock
            workers.append(
                lambda ctx=ctx, source=source, target=target: s.transfer_stock(
                    ctx.uow(), batch="B-1", from_warehouse=source, to_warehouse=target, quantity=10
                )
            )
        results = at_once(workers)
        assert [r for r in results if isinstance(r, Exception)] == [], round_
    with plant.database.engine.connect() as conn:
        total = conn.execute(select(func.sum(StockBalance.quantity))).scalar_one()
        transfers = conn.execute(text("SELECT count(*) FROM events WHERE action = 'transferred'")).scalar_one()
    assert total == Decimal("5000")
    assert transfers == 1 + 12 * 6
    assert ledger_mismatches(plant.database) == [] and negative_balances(plant.database) == 0


def test_planners_moving_at_once_keep_every_position_once(
    plant: Context, people: dict[Role, Context], database_url: str
) -> None:
    planner = people[Role.PLANNER]
    numbers = [f"PO-{i:02d}" for i in range(24)]
    for n in numbers:
        s.create_order(
            planner.uow(), number=n, customer="C-001", product_spec="PE", quantity=100, unit="kg", due_date=in_days(9)
        )
        s.plan_order(planner.uow(), number=n, line="EXTRUDER-1" if int(n[-2:]) % 2 else "EXTRUDER-2")
    stations = [Context(open_database(database_url), planner.user) for _ in range(4)]
    done: Counter[str] = Counter()
    lock = threading.Lock()

    def planner_at(ctx: Context, seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(25):
            try:
                s.move_order(
                    ctx.uow(),
                    number=rng.choice(numbers),
                    line=rng.choice(["EXTRUDER-1", "EXTRUDER-2"]),
                    position=rng.randint(1, 13),
                )
                outcome = "moved"
            except ConflictError:
                outcome = "conflict"  # told to reload; a planner tries again
            except ValidationError as exc:
                # The replanner had just taken this order off its line.
                assert "is new and cannot be planned" in str(exc), exc
                outcome = "refused"
            with lock:
                done[outcome] += 1

    def replanner_at(ctx: Context, seed: int) -> None:
        # Takes orders off their line and puts them back: removals race with the moves too.
        rng = random.Random(seed)
        for _ in range(12):
            number = rng.choice(numbers)
            try:
                s.unplan_order(ctx.uow(), number=number)
            except ConflictError:
                continue
            s.plan_order(ctx.uow(), number=number, line=rng.choice(["EXTRUDER-1", "EXTRUDER-2"]), position=1)

    stations.append(Context(open_database(database_url), planner.user))
    try:
        results = at_once(
            [lambda c=c, i=i: planner_at(c, i) for i, c in enumerate(stations[:4])]
            + [lambda: replanner_at(stations[4], 99)]
        )
    finally:
        for ctx in stations:
            ctx.database.dispose()
    assert results == [None] * 5, results
    assert done["moved"] > 50
    assert queue_problems(plant.database) == []
    with plant.database.engine.connect() as conn:
        queued = conn.execute(text("SELECT count(*) FROM production_orders WHERE queue_rank IS NOT NULL")).scalar()
        moves = conn.execute(text("SELECT count(*) FROM events WHERE action = 'moved'")).scalar()
        positions = conn.execute(
            text("SELECT line_code, array_agg(position ORDER BY position) FROM production_queue GROUP BY line_code")
            if plant.database.backend == "postgresql"
            else text("SELECT line_code, group_concat(position) FROM production_queue GROUP BY line_code")
        ).all()
    assert queued == 24  # none lost
    assert moves == done["moved"]  # every move has its journal entry
    for _line, listed in positions:
        values = listed if isinstance(listed, list) else [int(v) for v in listed.split(",")]
        assert sorted(values) == list(range(1, len(values) + 1))  # dense 1..n


def test_two_managers_deciding_on_one_batch_do_not_overwrite_each_other(
    plant: Context, people: dict[Role, Context]
) -> None:
    from app import queries as q

    s.receive_batch(plant.uow(), number="B-1", material="LDPE", supplier="BASELL", quantity=100, warehouse="MAG-1")
    seen = q.batches(plant.reader(), q.BatchFilter(text="B-1")).rows[0]
    manager = people[Role.MANAGER]
    s.block_batch(manager.uow(), batch="B-1", reason="moisture", expected_version=seen.version)
    with pytest.raises(ConflictError, match=r"Batch B-1 was changed by manager1 at \d{4}-\d\d-\d\d \d\d:\d\d"):
        s.approve_batch(manager.uow(), batch="B-1", expected_version=seen.version)
    assert q.batches(plant.reader(), q.BatchFilter(text="B-1")).rows[0].status == "blocked"


def _waiting_for_queue_lock(database: Any, line_id: int) -> bool:
    with database.engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    " AND classid::bigint = :space AND objid::bigint = :line"
                ),
                {"space": QUEUE_LOCK_SPACE, "line": line_id},
            ).scalar()
        )


def _eventually(check: Callable[[], bool], what: str) -> None:
    for _ in range(200):
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(what)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_move_waits_for_the_line_its_order_was_moved_to_in_the_meantime(
    plant: Context, people: dict[Role, Context], database_url: str
) -> None:
    # A planner's move reads the order's line before it holds that line's lock. If another
    # planner moves the order to a third line in between, the move must lock that line too:
    # otherwise it takes the order out of a queue someone else is rearranging.
    planner = people[Role.PLANNER]
    s.create_line(
        plant.uow(), code="EXTRUDER-3", name="Extruder 3", stage="extrusion", rate_per_hour=250, rate_unit="kg"
    )
    for number, line in (("PO-1", "EXTRUDER-2"), ("PO-2", "EXTRUDER-3"), ("PO-3", "EXTRUDER-3")):
        s.create_order(
            planner.uow(),
            number=number,
            customer="C-001",
            product_spec="PE",
            quantity=100,
            unit="kg",
            due_date=in_days(9),
        )
        s.plan_order(planner.uow(), number=number, line=line)
    with plant.database.engine.connect() as conn:
        line_ids = {code: id_ for code, id_ in conn.execute(text("SELECT code, id FROM production_lines"))}

    def hold_queue(line: str) -> Any:
        conn = plant.database.engine.connect()
        conn.execute(select(func.pg_advisory_xact_lock(QUEUE_LOCK_SPACE, line_ids[line])))
        return conn

    station = Context(open_database(database_url), planner.user)
    outcome: list[Any] = []
    mover = threading.Thread(
        target=lambda: outcome.append(
            at_once([lambda: s.move_order(station.uow(), number="PO-1", line="EXTRUDER-1", position=1)])[0]
        )
    )
    busy_on_1 = hold_queue("EXTRUDER-1")  # someone is rearranging line 1
    busy_on_3 = None
    try:
        mover.start()
        _eventually(lambda: _waiting_for_queue_lock(plant.database, line_ids["EXTRUDER-1"]), "the move never queued")
        # Meanwhile another planner puts PO-1 at the head of line 3, and a third starts on line 3.
        s.move_order(planner.uow(), number="PO-1", line="EXTRUDER-3", position=1)
        busy_on_3 = hold_queue("EXTRUDER-3")
        busy_on_1.commit()
        _eventually(
            lambda: _waiting_for_queue_lock(plant.database, line_ids["EXTRUDER-3"]),
            "the move took PO-1 off line 3 without waiting for line 3's queue",
        )
        busy_on_3.commit()
        mover.join(30)
    finally:
        for conn in (busy_on_1, busy_on_3):
            if conn is not None:
                conn.close()
        mover.join(30)
        station.database.dispose()
    assert outcome == [1]
    assert queue_problems(plant.database) == []
    with plant.database.engine.connect() as conn:
        queue = conn.execute(
            text("SELECT line_code, number, position FROM production_queue ORDER BY line_code, position")
        ).all()
    assert [tuple(r) for r in queue] == [
        ("EXTRUDER-1", "PO-1", 1),
        ("EXTRUDER-3", "PO-2", 1),
        ("EXTRUDER-3", "PO-3", 2),
    ]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_an_order_changed_while_its_start_waited_for_the_queue_is_not_started(
    plant: Context, people: dict[Role, Context], database_url: str
) -> None:
    planner = people[Role.PLANNER]
    s.create_order(
        planner.uow(), number="PO-1", customer="C-001", product_spec="PE", quantity=100, unit="kg", due_date=in_days(9)
    )
    s.plan_order(planner.uow(), number="PO-1", line="EXTRUDER-1")
    with plant.database.engine.connect() as conn:
        line_id = conn.execute(text("SELECT id FROM production_lines WHERE code = 'EXTRUDER-1'")).scalar_one()
    station = Context(open_database(database_url), planner.user)
    outcome: list[Any] = []
    starter = threading.Thread(
        target=lambda: outcome.extend(at_once([lambda: s.start_order(station.uow(), number="PO-1")]))
    )
    # Someone holds line 1's queue and, from psql, takes the order off it meanwhile.
    busy = plant.database.engine.connect()
    try:
        busy.execute(select(func.pg_advisory_xact_lock(QUEUE_LOCK_SPACE, line_id)))
        starter.start()
        _eventually(lambda: _waiting_for_queue_lock(plant.database, line_id), "the start never queued")
        busy.execute(text("UPDATE production_orders SET status = 'new', line_id = NULL, queue_rank = NULL"))
        busy.commit()
        starter.join(30)
    finally:
        busy.close()
        starter.join(30)
        station.database.dispose()
    assert len(outcome) == 1 and isinstance(outcome[0], ConflictError), outcome
    assert "changed by someone else meanwhile; it is now new off any line" in str(outcome[0])
    with plant.database.engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM production_orders")).scalar_one() == "new"
