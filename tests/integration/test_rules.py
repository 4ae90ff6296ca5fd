"""The plant's rules kept by the database itself (migration 0004, data/rules.py), on both backends.

Every attack here is raw SQL with no application code in between: on PostgreSQL a plain psycopg
connection as each person's own login, the way psql with their password would be; on SQLite the
standard library's sqlite3 on the file, the way the sqlite3 shell would be (whoever can write the
file is its owner there, so SQLite refuses the same data, not the same people).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import services as s
from app.context import Context
from app.permissions import Role
from data.uow import utcnow
from tests.conftest import in_days
from tests.helpers import ledger_mismatches, negative_balances

PASSWORD = "correct horse"  # the `people` fixture's password
ROLES = list(Role)


@dataclass
class Raw:
    """A connection with nothing of the application in between, and how it names its values."""

    conn: Any
    backend: str

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> Exception | None:
        """Run one statement on its own; the error it was refused with, or None if it went through."""
        try:
            if self.backend == "sqlite":
                self.conn.execute(sql.replace("%s", "?"), params)
                self.conn.commit()
            else:
                self.conn.execute(sql, params)
        except (psycopg.Error, sqlite3.Error) as exc:
            if self.backend == "sqlite":
                self.conn.rollback()
            return exc
        return None

    def qty(self, value: int | str) -> Any:
        """A quantity as this backend stores it: NUMERIC, or thousandths on SQLite."""
        return int(Decimal(value) * 1000) if self.backend == "sqlite" else Decimal(value)


def refusal(error: Exception | None) -> str:
    """The database's reason, or a failure if it let the statement through."""
    assert error is not None, "the database let it through"
    return str(error)


@pytest.fixture
def yard(plant: Context, people: dict[Role, Context]) -> Context:
    """Batches in every quality state and orders in every status, made through the services."""
    u = plant.uow
    manager = people[Role.MANAGER]
    for number in ("OK-1", "PEND-1", "HELD-1"):
        s.receive_batch(u(), number=number, material="LDPE", supplier="BASELL", quantity=1000, warehouse="MAG-1",
                        expiry_date=in_days(300))  # fmt: skip
    s.receive_batch(u(), number="OLD-1", material="LDPE", supplier="BASELL", quantity=1000, warehouse="MAG-1",
                    received_at=utcnow() - timedelta(days=30), expiry_date=in_days(-1))  # fmt: skip
    for number in ("OK-1", "HELD-1", "OLD-1"):
        s.approve_batch(manager.uow(), batch=number)
    s.block_batch(manager.uow(), batch="HELD-1", reason="moisture")
    for number in ("PO-NEW", "PO-RUN", "PO-DONE", "PO-GONE"):
        s.create_order(u(), number=number, customer="C-001", product="PE-50", quantity=500, due_date=in_days(9))
    s.plan_order(u(), number="PO-RUN", line="EXTRUDER-1")
    s.start_order(u(), number="PO-RUN")
    s.plan_order(u(), number="PO-DONE", line="EXTRUDER-2")
    s.start_order(u(), number="PO-DONE")
    s.finish_order(u(), number="PO-DONE")
    s.cancel_order(manager.uow(), number="PO-GONE", reason="customer withdrew")
    return plant


@pytest.fixture
def raw(yard: Context, database_url: str, backend: str) -> Iterator[dict[Role, Raw]]:
    """Per role, a raw connection: its own login on PostgreSQL; on SQLite the file itself, for every role."""
    if backend == "sqlite":
        conn = sqlite3.connect(make_url(database_url).database, isolation_level="DEFERRED")
        yield dict.fromkeys(ROLES, Raw(conn, backend))
        conn.close()
        return
    url = make_url(database_url)
    conns = {
        role: psycopg.connect(
            host=url.host, port=url.port, dbname=url.database, user=f"{role.label}1", password=PASSWORD, autocommit=True
        )  # fmt: skip
        for role in ROLES
    }
    yield {role: Raw(conn, backend) for role, conn in conns.items()}
    for conn in conns.values():
        conn.close()


def scalar(ctx: Context, sql: str, **params: Any) -> Any:
    with ctx.database.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def counts(ctx: Context) -> tuple[int, int, Any]:
    """Movements, journal entries, and the balances: what a refused attack must leave as it was."""
    with ctx.database.engine.connect() as conn:
        balances = sorted(map(tuple, conn.execute(text("SELECT * FROM stock_balances")).all()))
        return (
            conn.execute(text("SELECT count(*) FROM stock_movements")).scalar_one(),
            conn.execute(text("SELECT count(*) FROM events")).scalar_one(),
            balances,
        )


def batch(number: str) -> str:
    return f"(SELECT id FROM batches WHERE number = '{number}')"


def warehouse(code: str) -> str:
    return f"(SELECT id FROM warehouses WHERE code = '{code}')"


def order(number: str) -> str:
    return f"(SELECT id FROM production_orders WHERE number = '{number}')"


def user(name: str) -> str:
    return f"(SELECT id FROM users WHERE username = '{name}')"


def movement(kind: str, number: str, quantity: Any, *, source: str | None = None, target: str | None = None,
             on_order: str | None = None, as_user: str = "manager1",
             at: str = "2020-01-01 00:00:00") -> tuple[str, tuple[Any, ...]]:  # fmt: skip
    """An INSERT of a ledger row that claims to be someone else's, years ago."""
    return (
        "INSERT INTO stock_movements (batch_id, kind, quantity, from_warehouse_id, to_warehouse_id,"
        " production_order_id, user_id, created_at, note)"
        f" VALUES ({batch(number)}, %s, %s, {warehouse(source) if source else 'NULL'},"
        f" {warehouse(target) if target else 'NULL'}, {order(on_order) if on_order else 'NULL'},"
        f" {user(as_user)}, %s, 'by hand')",
        (kind, quantity, at),
    )


# ---------------------------------------------------------------- balances follow the ledger


def test_no_one_changes_a_balance_without_the_movement_that_explains_it(yard: Context, raw: dict[Role, Raw]) -> None:
    """Hole: a clerk set stock_balances.quantity with no movement (ledger 1,500, balance 2,500)."""
    before = counts(yard)
    for role, db in raw.items():
        attacks = [
            ("UPDATE stock_balances SET quantity = quantity + %s", (db.qty(1000),)),
            ("UPDATE stock_balances SET quantity = %s", (db.qty(0),)),
            (
                f"INSERT INTO stock_balances (batch_id, warehouse_id, quantity) VALUES ({batch('OK-1')},"
                f" {warehouse('MAG-3')}, %s)",
                (db.qty(500),),
            ),  # fmt: skip
            (f"UPDATE stock_balances SET warehouse_id = {warehouse('MAG-6')}", ()),
            ("DELETE FROM stock_balances", ()),
        ]
        for sql, params in attacks:
            refusal(db.run(sql, params))
        assert counts(yard) == before, role
    assert ledger_mismatches(yard.database) == []


def test_a_movement_moves_the_stock_and_never_below_zero(yard: Context, raw: dict[Role, Raw]) -> None:
    clerk = raw[Role.CLERK]
    assert clerk.run(*movement("transfer", "OK-1", clerk.qty(400), source="MAG-1", target="MAG-3")) is None
    assert clerk.run(*movement("adjustment", "PEND-1", clerk.qty("0.5"), target="MAG-1")) is None
    before = counts(yard)
    reason = refusal(clerk.run(*movement("issue", "OK-1", clerk.qty(601), source="MAG-1")))
    if yard.database.backend == "postgresql":
        assert "Batch OK-1 has only 600 kg in MAG-1; 601 kg cannot be taken." in reason
    refusal(clerk.run(*movement("issue", "OK-1", clerk.qty(1), source="MAG-6")))  # none there at all
    assert counts(yard) == before
    assert scalar(yard, "SELECT sum(quantity) FROM stock_balances WHERE batch_id = " + batch("OK-1")) == clerk.qty(1000)
    assert ledger_mismatches(yard.database) == [] and negative_balances(yard.database) == 0


# ---------------------------------------------------------------- held batches, idle orders


@pytest.mark.parametrize("held", ["HELD-1", "PEND-1", "OLD-1"])
def test_a_held_or_expired_batch_is_never_issued_or_consumed(yard: Context, raw: dict[Role, Raw], held: str) -> None:
    """Hole: a clerk inserted an issue from a blocked batch, in a manager's name, dated 2020."""
    before = counts(yard)
    for role, db in raw.items():
        refusal(db.run(*movement("issue", held, db.qty(10), source="MAG-1")))
        refusal(db.run(*movement("consumption", held, db.qty(10), source="MAG-1", on_order="PO-RUN")))
        assert counts(yard) == before, role
    reason = refusal(raw[Role.CLERK].run(*movement("issue", held, raw[Role.CLERK].qty(10), source="MAG-1")))
    if yard.database.backend == "postgresql":
        expected = {
            "HELD-1": "Batch HELD-1 is blocked (moisture); only approved batches may be issued.",
            "PEND-1": "Batch PEND-1 is pending; only approved batches may be issued.",
            "OLD-1": f"Batch OLD-1 of LDPE granulate FT5230 expired on {in_days(-1):%Y-%m-%d}; it may not be issued.",
        }[held]
        assert expected in reason


@pytest.mark.parametrize("held", ["HELD-1", "PEND-1", "OLD-1"])
def test_a_held_or_expired_batch_is_never_delivered(yard: Context, raw: dict[Role, Raw], held: str) -> None:
    """Deliveries (0006) take only what issues take: a clerk cannot ship a held batch from psql either."""
    before = counts(yard)
    for role, db in raw.items():
        refusal(db.run(*movement("delivery", held, db.qty(10), source="MAG-1", on_order="PO-RUN")))
        assert counts(yard) == before, role
    clerk = raw[Role.CLERK]
    reason = refusal(clerk.run(*movement("delivery", held, clerk.qty(10), source="MAG-1", on_order="PO-RUN")))
    if yard.database.backend == "postgresql":
        assert f"Batch {held}" in reason and "be delivered" in reason
    # an approved batch goes, and the database takes the stock; a delivery movement always names its order
    assert clerk.run(*movement("delivery", "OK-1", clerk.qty(10), source="MAG-1", on_order="PO-RUN")) is None
    refusal(clerk.run(*movement("delivery", "OK-1", clerk.qty(10), source="MAG-1")))
    assert scalar(yard, "SELECT sum(quantity) FROM stock_balances WHERE batch_id = " + batch("OK-1")) == clerk.qty(990)
    assert ledger_mismatches(yard.database) == []


def test_a_delivery_is_dated_and_signed_by_the_database(yard: Context, raw: dict[Role, Raw]) -> None:
    clerk = raw[Role.CLERK]
    insert = (
        "INSERT INTO deliveries (number, customer_id, production_order_id, delivered_at, user_id)"
        f" SELECT 'D-HAND', customer_id, id, '2020-01-01 00:00:00', {user('manager1')} FROM production_orders"
        " WHERE number = 'PO-RUN'"
    )
    assert clerk.run(insert) is None
    with yard.database.engine.connect() as conn:
        at, who = conn.execute(
            text("SELECT d.delivered_at, u.username FROM deliveries d LEFT JOIN users u ON u.id = d.user_id"
                 " WHERE d.number = 'D-HAND'")
        ).one()  # fmt: skip
    assert _today_or_yesterday(at)
    if yard.database.backend == "postgresql":
        assert who == "clerk1"  # SQLite cannot tell who writes: whoever can write the file owns it
    # to another customer than the order's: refused by the key on (order, customer), wherever foreign keys
    # are on (the client turns them on for SQLite; the sqlite3 shell leaves them off unless asked)
    if yard.database.backend == "sqlite":
        clerk.run("PRAGMA foreign_keys = ON")
    other = (
        "INSERT INTO deliveries (number, customer_id, production_order_id, delivered_at)"
        " SELECT 'D-ELSE', (SELECT id FROM customers WHERE code = 'C-002'), id, '2030-01-01 00:00:00'"
        " FROM production_orders WHERE number = 'PO-RUN'"
    )
    refusal(clerk.run(other))


def test_consumption_and_output_go_to_running_orders_only(yard: Context, raw: dict[Role, Raw]) -> None:
    before = counts(yard)
    for role, db in raw.items():
        for idle in ("PO-NEW", "PO-DONE", "PO-GONE"):
            refusal(db.run(*movement("consumption", "OK-1", db.qty(5), source="MAG-1", on_order=idle)))
            refusal(db.run(*movement("output", "PEND-1", db.qty(5), target="MAG-6", on_order=idle)))
        assert counts(yard) == before, role
    planner = raw[Role.PLANNER]
    reason = refusal(planner.run(*movement("consumption", "OK-1", planner.qty(5), source="MAG-1", on_order="PO-DONE")))
    if yard.database.backend == "postgresql":
        assert "Order PO-DONE is done; consumption and output are recorded on running orders only." in reason
    # what a planner may do, they may do from psql too
    assert planner.run(*movement("consumption", "OK-1", planner.qty(5), source="MAG-1", on_order="PO-RUN")) is None
    assert ledger_mismatches(yard.database) == []


# ---------------------------------------------------------------- when and who


def _today_or_yesterday(value: Any) -> bool:
    stamped = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return stamped.date() >= date.today() - timedelta(days=1)


def test_the_database_dates_and_signs_what_is_written(yard: Context, raw: dict[Role, Raw]) -> None:
    """Holes: a movement claiming a manager and 2020; an event dated 2020 (only its user was stamped)."""
    clerk = raw[Role.CLERK]
    assert clerk.run(*movement("issue", "OK-1", clerk.qty(10), source="MAG-1", as_user="manager1")) is None
    assert (
        clerk.run(
            "INSERT INTO events (occurred_at, user_id, entity_type, action, summary)"
            f" VALUES ('2020-01-01 00:00:00', {user('admin1')}, 'note', 'note', 'backdated by hand')"
        )
        is None
    )
    with yard.database.engine.connect() as conn:
        moved = conn.execute(
            text(
                "SELECT m.created_at, u.username FROM stock_movements m LEFT JOIN users u ON u.id = m.user_id"
                " WHERE m.note = 'by hand'"
            )  # fmt: skip
        ).one()
        noted = conn.execute(
            text(
                "SELECT e.occurred_at, u.username FROM events e LEFT JOIN users u ON u.id = e.user_id"
                " WHERE e.summary = 'backdated by hand'"
            )  # fmt: skip
        ).one()
    assert _today_or_yesterday(moved[0]) and _today_or_yesterday(noted[0])
    if yard.database.backend == "postgresql":
        assert (moved[1], noted[1]) == ("clerk1", "clerk1")
    else:
        # SQLite cannot know who writes a file: the names stay as written, the dates do not.
        assert (moved[1], noted[1]) == ("manager1", "admin1")


def test_the_ledger_and_the_journal_are_never_changed(yard: Context, raw: dict[Role, Raw]) -> None:
    before = counts(yard)
    for role, db in raw.items():
        for sql in (
            "UPDATE stock_movements SET quantity = quantity + 1",
            "UPDATE stock_movements SET created_at = '2020-01-01 00:00:00'",
            "DELETE FROM stock_movements",
            "UPDATE events SET summary = 'nothing happened'",
            "UPDATE events SET occurred_at = '2020-01-01 00:00:00'",
            "DELETE FROM events",
        ):
            refusal(db.run(sql))
        assert counts(yard) == before, role


# ---------------------------------------------------------------- order status


STEP_ATTACKS = [
    # (what, statement): each refused for every role
    ("un-cancel", f"UPDATE production_orders SET status = 'new' WHERE id = {order('PO-GONE')}"),
    ("done directly", f"UPDATE production_orders SET status = 'done' WHERE id = {order('PO-NEW')}"),
    (
        "reopen",
        f"UPDATE production_orders SET status = 'in_progress', line_id = 1, queue_rank = 7 "
        f"WHERE id = {order('PO-DONE')}",
    ),  # fmt: skip
    (
        "skip planning",
        f"UPDATE production_orders SET status = 'in_progress', line_id = 1, queue_rank = 7 "
        f"WHERE id = {order('PO-NEW')}",
    ),  # fmt: skip
    (
        "born cancelled",
        "INSERT INTO production_orders (number, customer_id, product_id, quantity, unit, priority,"
        " due_date, status, created_at, version) SELECT 'PO-X', c.id, p.id, 100, 'kg', 3, '2030-01-01',"
        " 'cancelled', '2026-01-01 00:00:00', 1 FROM customers c, products p WHERE p.code = 'PE-50' LIMIT 1",
    ),  # fmt: skip
    (
        "born done",
        "INSERT INTO production_orders (number, customer_id, product_id, quantity, unit, priority,"
        " due_date, status, created_at, version) SELECT 'PO-Y', c.id, p.id, 100, 'kg', 3, '2030-01-01',"
        " 'done', '2026-01-01 00:00:00', 1 FROM customers c, products p WHERE p.code = 'PE-50' LIMIT 1",
    ),  # fmt: skip
]


def test_an_order_moves_only_along_its_steps(yard: Context, raw: dict[Role, Raw]) -> None:
    """Hole: a planner un-cancelled an order, inserted one already cancelled, and set one done directly."""
    statuses = "SELECT number, status FROM production_orders ORDER BY number"
    with yard.database.engine.connect() as conn:
        before = conn.execute(text(statuses)).all()
    for role, db in raw.items():
        for what, sql in STEP_ATTACKS:
            assert db.run(sql) is not None, (role, what)
    with yard.database.engine.connect() as conn:
        assert conn.execute(text(statuses)).all() == before
    planner = raw[Role.PLANNER]
    if yard.database.backend == "postgresql":
        reason = refusal(planner.run(STEP_ATTACKS[0][1]))
        assert "Order PO-GONE is cancelled; it cannot become new" in reason
        # cancelling stays a manager's right in the database too
        assert "Only a manager may cancel" in refusal(
            planner.run(
                f"UPDATE production_orders SET status = 'cancelled', queue_rank = NULL WHERE id = {order('PO-RUN')}"
            )  # fmt: skip
        )
    # the allowed steps still go through from raw SQL
    manager = raw[Role.MANAGER]
    assert planner.run(f"UPDATE production_orders SET status = 'done', queue_rank = NULL "
                       f"WHERE id = {order('PO-RUN')}") is None  # fmt: skip
    assert manager.run(f"UPDATE production_orders SET status = 'cancelled' WHERE id = {order('PO-NEW')}") is None
    assert (
        planner.run(
            "INSERT INTO production_orders (number, customer_id, product_id, quantity, unit, priority, due_date,"
            " status, created_at, version) SELECT 'PO-Z', c.id, p.id, 100, 'kg', 3, '2030-01-01', 'new',"
            " '2026-01-01 00:00:00', 1 FROM customers c, products p WHERE p.code = 'PE-50' LIMIT 1"
        )
        is None
    )


def test_services_say_why_before_the_database_must(yard: Context, people: dict[Role, Context]) -> None:
    """The same refusals through the client's path arrive as the services' plain sentences."""
    from app.errors import ValidationError

    clerk, planner = people[Role.CLERK], people[Role.PLANNER]
    with pytest.raises(ValidationError, match=r"^Batch HELD-1 is blocked \(moisture\); only approved batches"):
        s.issue_stock(clerk.uow(), batch="HELD-1", warehouse="MAG-1", quantity=1)
    with pytest.raises(ValidationError, match=r"^Batch OLD-1 of LDPE granulate FT5230 expired on"):
        s.issue_stock(clerk.uow(), batch="OLD-1", warehouse="MAG-1", quantity=1)
    with pytest.raises(ValidationError, match=r"^Order PO-DONE is done; consumption and output"):
        s.consume_batch(planner.uow(), order="PO-DONE", batch="OK-1", warehouse="MAG-1", quantity=1)
    with pytest.raises(
        ValidationError, match=r"^Batch OK-1 has only 1,000.000 kg in MAG-1; 1,001.000 kg cannot be taken"
    ):
        s.issue_stock(clerk.uow(), batch="OK-1", warehouse="MAG-1", quantity=1001)


def test_history_is_loaded_past_the_rules_only_by_the_owner(yard: Context, raw: dict[Role, Raw]) -> None:
    """The demo plant writes the past as it was; a person setting the same switch changes nothing."""
    from data.rules import loading_history

    past = datetime(2020, 1, 1, tzinfo=UTC)
    for role, db in raw.items():
        if yard.database.backend == "postgresql":
            db.run("SET mpsystem.history = 'on'")
        assert db.run(*movement("issue", "HELD-1", db.qty(1), source="MAG-1")) is not None, role
    with yard.database.engine.begin() as conn, loading_history(conn):
        conn.execute(
            text(
                f"INSERT INTO stock_movements (batch_id, kind, quantity, from_warehouse_id, user_id, created_at)"
                f" VALUES ({batch('HELD-1')}, 'issue', :q, {warehouse('MAG-1')}, {user('clerk1')}, :at)"
            ),
            {"q": raw[Role.CLERK].qty(1), "at": past if yard.database.backend == "postgresql" else
             "2020-01-01 00:00:00.000000"},
        )  # fmt: skip
    with yard.database.engine.connect() as conn:
        kept = conn.execute(text("SELECT created_at FROM stock_movements WHERE kind = 'issue'")).scalar_one()
    assert str(kept).startswith("2020-01-01")
    assert ledger_mismatches(yard.database) == []  # even history moves the balances
    # and the rules are back for the next transaction
    assert raw[Role.CLERK].run(*movement("issue", "HELD-1", raw[Role.CLERK].qty(1), source="MAG-1")) is not None


def test_the_database_allows_exactly_the_vocabularys_order_steps(yard: Context) -> None:
    """Every pair of statuses, tried in the database: allowed exactly when ORDER_TRANSITIONS says so."""
    from data.rules import loading_history
    from domain.vocabulary import ORDER_TRANSITIONS, OrderStatus

    def queue(status: OrderStatus) -> str:
        return "line_id = 1, queue_rank = 99" if status.is_queued else "queue_rank = NULL"

    allowed: set[tuple[OrderStatus, OrderStatus]] = set()
    for old in OrderStatus:
        for new in OrderStatus:
            if old is new:
                continue
            with yard.database.engine.connect() as conn:
                with conn.begin(), loading_history(conn):
                    conn.execute(
                        text(f"UPDATE production_orders SET status = :s, {queue(old)} WHERE number = 'PO-NEW'"),
                        {"s": old.value},
                    )
                try:
                    with conn.begin():
                        conn.execute(
                            text(f"UPDATE production_orders SET status = :s, {queue(new)} WHERE number = 'PO-NEW'"),
                            {"s": new.value},
                        )
                    allowed.add((old, new))
                except Exception as exc:  # noqa: BLE001 - which pairs are refused is the result
                    refused_by = getattr(getattr(exc, "orig", None), "sqlstate", None)
                    assert refused_by == "MP004" or "MPSYSTEM: An order goes" in str(exc), exc
    assert allowed == {(old, new) for old, steps in ORDER_TRANSITIONS.items() for new in steps}
