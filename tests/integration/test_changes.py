"""The change listener: whatever anyone NOTIFYs, it keeps listening, and it says when the server is gone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import services as s
from app.context import Context
from app.permissions import Role
from data.changes import EVERYTHING, Change, ChangeListener, parse_notice

HOSTILE = [
    "[1]",
    "{}",
    "null",
    '"warehouses"',
    "42",
    '{"table": 5}',
    '{"table": ""}',
    '{"table": "warehouses", "ids": [true]}',
    '{"table": "warehouses", "ids": ["1"]}',
    '{"table": "warehouses", "ids": 7}',
    '{"table": "warehouses", "ids": [1.5]}',
    "not json at all",
    "[" * 3000 + "]" * 3000,  # deeper than Python's JSON reader recurses
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_a_malformed_notice_is_ignored(payload: str) -> None:
    assert parse_notice(payload) is None


def test_a_well_formed_notice_is_read() -> None:
    assert parse_notice('{"table": "batches", "op": "update", "ids": [3, 4]}') == Change("batches", (3, 4))
    assert parse_notice('{"table": "events", "op": "insert", "ids": null}') == Change("events")


def _eventually(check: Callable[[], bool], what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(what)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_listener_survives_any_payload_and_says_when_it_lost_the_server(
    plant: Context, people: dict[Role, Context], database_url: str
) -> None:
    """Hole: any login could NOTIFY mpsystem_changes, '[1]': every listener thread died while the status
    bar kept saying online, and later changes never arrived."""
    heard: list[Change] = []
    states: list[tuple[bool, str]] = []
    lock = threading.Lock()

    def on_changes(changes: list[Change]) -> None:
        with lock:
            heard.extend(changes)

    listener = ChangeListener(make_url(database_url), on_changes, lambda up, why: states.append((up, why))).start()
    try:
        assert listener.connected.wait(10)
        url = make_url(database_url)
        with psycopg.connect(
            host=url.host, port=url.port, dbname=url.database, user="viewer1", password="correct horse",
            autocommit=True,
        ) as viewer:  # fmt: skip
            for payload in HOSTILE:
                viewer.execute("SELECT pg_notify('mpsystem_changes', %s)", (payload,))
        s.create_warehouse(plant.uow(), code="MAG-9", name="Overflow", kind="finished")
        _eventually(lambda: any(c.table == "warehouses" for c in heard), "a real change never arrived")
        assert {c.table for c in heard} == {"warehouses", "events"}  # the change and its journal entry, no garbage
        assert states == [(True, "")]

        # The server ends the listener's session: it says so, comes back, and asks for a full reload.
        with plant.database.engine.connect() as conn:
            ended = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = 'mpsystem-listener' AND datname = current_database()"
                )
            ).scalar()
        assert ended == 1
        _eventually(lambda: len(states) >= 3, "the listener never said it lost the server and came back")
        assert states[1][0] is False and states[1][1] and states[2] == (True, "")
        _eventually(lambda: EVERYTHING in heard, "no reload after the reconnect")
        s.create_warehouse(plant.uow(), code="MAG-10", name="Overflow 2", kind="finished")
        _eventually(lambda: sum(c.table == "warehouses" for c in heard) >= 2, "changes stopped after the reconnect")
    finally:
        listener.stop()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_local_movement_announces_the_balances_its_triggers_moved(
    plant: Context, people: dict[Role, Context]
) -> None:
    """On a file, the other windows hear of stock_balances too, though only the database's trigger writes them."""
    from data.changes import LOCAL

    s.receive_batch(plant.uow(), number="B-1", material="LDPE", supplier="BASELL", quantity=100, warehouse="MAG-1")
    s.approve_batch(people[Role.MANAGER].uow(), batch="B-1")
    heard: list[Change] = []
    stop = LOCAL.subscribe(plant.database.change_key, heard.extend)
    try:
        s.issue_stock(people[Role.CLERK].uow(), batch="B-1", warehouse="MAG-1", quantity=10)
    finally:
        stop()
    assert {c.table for c in heard} == {"stock_movements", "stock_balances", "events"}
