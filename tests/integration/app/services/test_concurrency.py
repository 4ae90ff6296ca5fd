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
    assert all("has only 10.000 kg in MAG-1" in str(r) for r in refused if "only" in str(r)), [str(r) for r in refused]
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
            planner.uow(), number=n, customer="C-001", product="PE-50", quantity=100, unit="kg", due_date=in_days(9)
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
            product="PE-50",
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
        planner.uow(), number="PO-1", customer="C-001", product="PE-50", quantity=100, unit="kg", due_date=in_days(9)
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


# ---------------------------------------------------------------- decisions that rest on a read


PASSWORD = "correct horse"  # the `people` fixture's password


def _waiting_on_a_row(database: Any, login: str) -> bool:
    """Is a session of `login` waiting for a lock someone else holds?"""
    with database.engine.connect() as conn:
        return bool(
            conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE usename = :u AND wait_event_type = 'Lock'"),
                {"u": login},
            ).scalar()
        )


def _psql(database_url: str, login: str) -> Any:
    """A person's own login in psql: one open transaction, nothing of the application in between."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    return psycopg.connect(host=url.host, port=url.port, dbname=url.database, user=login, password=PASSWORD)


def _signed_in(database_url: str, login: str) -> Context:
    from app import security

    database, user = security.sign_in(database_url, login, PASSWORD)
    return Context(database, user)


def _in_background(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []
    thread = threading.Thread(target=lambda: outcome.extend(at_once([work])))
    thread.start()
    return thread, outcome


@pytest.fixture
def approved_batch(plant: Context, people: dict[Role, Context]) -> Context:
    s.receive_batch(plant.uow(), number="B-1", material="LDPE", supplier="BASELL", quantity=100, warehouse="MAG-1")
    s.approve_batch(people[Role.MANAGER].uow(), batch="B-1")
    return plant


def _issued(plant: Context) -> tuple[int, int, Decimal]:
    with plant.database.engine.connect() as conn:
        return (
            conn.execute(text("SELECT count(*) FROM stock_movements WHERE kind = 'issue'")).scalar_one(),
            conn.execute(text("SELECT count(*) FROM events WHERE action = 'issued'")).scalar_one(),
            conn.execute(select(func.sum(StockBalance.quantity))).scalar_one(),
        )


@pytest.mark.parametrize("backend", ["postgresql"])
def test_an_issue_that_meets_a_block_being_made_waits_and_is_refused(
    approved_batch: Context, database_url: str
) -> None:
    """Hole: an issue running while a manager blocked the same batch issued the blocked batch (the service
    read the batch without a lock, and a clerk may not lock batches: the database's trigger does)."""
    plant = approved_batch
    clerk = _signed_in(database_url, "clerk1")
    manager = _psql(database_url, "manager1")
    try:
        manager.execute("UPDATE batches SET status = 'blocked', status_reason = 'contaminated' WHERE number = 'B-1'")
        thread, outcome = _in_background(
            lambda: s.issue_stock(clerk.uow(), batch="B-1", warehouse="MAG-1", quantity=15)
        )
        _eventually(lambda: _waiting_on_a_row(plant.database, "clerk1"), "the issue never waited for the block")
        manager.commit()
        thread.join(30)
    finally:
        manager.close()
        clerk.database.dispose()
    assert len(outcome) == 1 and isinstance(outcome[0], ValidationError), outcome
    assert str(outcome[0]) == "Batch B-1 is blocked (contaminated); only approved batches may be issued."
    assert _issued(plant) == (0, 0, Decimal("100"))


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_block_waits_for_an_issue_already_taking_the_batch(
    approved_batch: Context, people: dict[Role, Context], database_url: str
) -> None:
    plant = approved_batch
    manager = _signed_in(database_url, "manager1")
    clerk = _psql(database_url, "clerk1")
    try:
        clerk.execute(
            "INSERT INTO stock_movements (batch_id, kind, quantity, from_warehouse_id, created_at)"
            " SELECT b.id, 'issue', 15, w.id, now() FROM batches b, warehouses w"
            " WHERE b.number = 'B-1' AND w.code = 'MAG-1'"
        )
        thread, outcome = _in_background(lambda: s.block_batch(manager.uow(), batch="B-1", reason="contaminated"))
        _eventually(lambda: _waiting_on_a_row(plant.database, "manager1"), "the block never waited for the issue")
        clerk.commit()
        thread.join(30)
    finally:
        clerk.close()
        manager.database.dispose()
    assert outcome == [None]
    assert _issued(plant)[0::2] == (1, Decimal("85"))  # issued while it was approved, then blocked
    with plant.database.engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM batches")).scalar_one() == "blocked"
    assert ledger_mismatches(plant.database) == []


@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_database_alone_keeps_an_issue_from_passing_a_block(approved_batch: Context, database_url: str) -> None:
    """The same race with no application on either side: psql against psql."""
    plant = approved_batch
    manager, clerk = _psql(database_url, "manager1"), _psql(database_url, "clerk1")
    failure: list[Exception] = []

    def issue() -> None:
        try:
            clerk.execute(
                "INSERT INTO stock_movements (batch_id, kind, quantity, from_warehouse_id, created_at)"
                " SELECT b.id, 'issue', 15, w.id, now() FROM batches b, warehouses w"
                " WHERE b.number = 'B-1' AND w.code = 'MAG-1'"
            )
            clerk.commit()
        except Exception as exc:  # noqa: BLE001 - asserted below
            failure.append(exc)

    try:
        manager.execute("UPDATE batches SET status = 'blocked', status_reason = 'contaminated' WHERE number = 'B-1'")
        thread = threading.Thread(target=issue)
        thread.start()
        _eventually(lambda: _waiting_on_a_row(plant.database, "clerk1"), "the insert never waited for the block")
        manager.commit()
        thread.join(30)
    finally:
        manager.close()
        clerk.close()
    assert len(failure) == 1 and getattr(failure[0], "sqlstate", None) == "MP002", failure
    assert _issued(plant) == (0, 0, Decimal("100"))


@pytest.fixture
def running_order(plant: Context, people: dict[Role, Context]) -> Context:
    s.receive_batch(plant.uow(), number="B-1", material="LDPE", supplier="BASELL", quantity=100, warehouse="MAG-1")
    s.approve_batch(people[Role.MANAGER].uow(), batch="B-1")
    s.create_order(
        plant.uow(), number="PO-1", customer="C-001", product="PE-50", quantity=100, unit="kg", due_date=in_days(9)
    )
    s.plan_order(plant.uow(), number="PO-1", line="EXTRUDER-1")
    s.start_order(plant.uow(), number="PO-1")
    return plant


def _recorded_on_the_order(plant: Context) -> tuple[int, int]:
    with plant.database.engine.connect() as conn:
        return (
            conn.execute(
                text("SELECT count(*) FROM stock_movements WHERE production_order_id IS NOT NULL")
            ).scalar_one(),
            conn.execute(text("SELECT count(*) FROM events WHERE action IN ('consumed', 'output')")).scalar_one(),
        )


ENDINGS = {
    # who ends the running order, and how, from psql: (login, statement, the status the order then has)
    "finish": (
        "planner1",
        "UPDATE production_orders SET status = 'done', queue_rank = NULL, finished_at = now()",
        "done",
    ),
    "cancel": (
        "manager1",
        "UPDATE production_orders SET status = 'cancelled', queue_rank = NULL, status_reason = 'withdrawn'",
        "cancelled",
    ),
}


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("ending", sorted(ENDINGS))
@pytest.mark.parametrize("work", ["consume", "output"])
def test_consumption_or_output_that_meets_the_order_ending_waits_and_is_refused(
    running_order: Context, database_url: str, ending: str, work: str
) -> None:
    """Consume and output lock the order they check: a finish or cancel being made is waited for, then seen."""
    plant = running_order
    login, statement, status = ENDINGS[ending]
    planner = _signed_in(database_url, "planner1")
    ender = _psql(database_url, login)
    calls = {
        "consume": lambda: s.consume_batch(planner.uow(), order="PO-1", batch="B-1", warehouse="MAG-1", quantity=10),
        "output": lambda: s.record_output(
            planner.uow(), order="PO-1", material="FILM-PE-50", quantity=90, warehouse="MAG-6"
        ),
    }
    try:
        ender.execute(statement + " WHERE number = 'PO-1'")
        thread, outcome = _in_background(calls[work])
        _eventually(lambda: _waiting_on_a_row(plant.database, "planner1"), f"the {work} never waited")
        ender.commit()
        thread.join(30)
    finally:
        ender.close()
        planner.database.dispose()
    assert len(outcome) == 1 and isinstance(outcome[0], ValidationError), outcome
    assert str(outcome[0]) == (f"Order PO-1 is {status}; consumption and output are recorded on running orders only.")
    assert _recorded_on_the_order(plant) == (0, 0)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_finish_waits_for_a_consumption_being_recorded(running_order: Context, database_url: str) -> None:
    plant = running_order
    planner = _signed_in(database_url, "planner1")
    other = _psql(database_url, "planner1")
    try:
        other.execute(
            "INSERT INTO stock_movements (batch_id, kind, quantity, from_warehouse_id, production_order_id, created_at)"
            " SELECT b.id, 'consumption', 10, w.id, o.id, now() FROM batches b, warehouses w, production_orders o"
            " WHERE b.number = 'B-1' AND w.code = 'MAG-1' AND o.number = 'PO-1'"
        )
        thread, outcome = _in_background(lambda: s.finish_order(planner.uow(), number="PO-1"))
        _eventually(lambda: _waiting_on_a_row(plant.database, "planner1"), "the finish never waited")
        other.commit()
        thread.join(30)
    finally:
        other.close()
        planner.database.dispose()
    assert outcome == [None]
    with plant.database.engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM production_orders")).scalar_one() == "done"
    assert _recorded_on_the_order(plant)[0] == 1
    assert ledger_mismatches(plant.database) == []
