"""Live changes: which tables were written, delivered to every open window.

PostgreSQL: statement triggers (migration 0003) send
pg_notify('mpsystem_changes', {"table", "op", "ids"}) in the writing
transaction, so a write from any workstation, or from psql, reaches every
listener once it commits. `ChangeListener` keeps its own connection on a
thread, LISTENs, and reconnects by itself after a server restart or a network
outage, reporting "reload everything" for what it may have missed.

SQLite has no notifications between processes; a workstation working offline
is alone with its file. Within one process, `LOCAL` carries the changes that
committed on one engine to every window open on the same file.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL

from data.pgroles import NOTIFY_CHANNEL

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    table: str  # "*" when anything may have changed (a reconnect)
    ids: tuple[int, ...] | None = None  # None: too many to list, or unknown


EVERYTHING = Change("*")
Callback = Callable[[list[Change]], None]


def parse_notice(payload: str) -> Change | None:
    """The change a notice announces, or None for anything else: any login may NOTIFY this channel,
    so a payload is only trusted to be a string."""
    try:
        data = json.loads(payload)
        if isinstance(data, dict) and isinstance(data.get("table"), str) and data["table"]:
            ids = data.get("ids")
            if ids is None:
                return Change(data["table"])
            if isinstance(ids, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
                return Change(data["table"], tuple(ids))
    except (ValueError, RecursionError):
        pass
    log.warning("ignored a malformed change notice: %r", payload[:200])
    return None


class LocalFeed:
    """Changes committed in this process, per database file, to every subscriber of that file."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, list[Callback]] = {}

    def subscribe(self, key: str, callback: Callback) -> Callable[[], None]:
        with self._lock:
            self._subscribers.setdefault(key, []).append(callback)

        def unsubscribe() -> None:
            with self._lock:
                callbacks = self._subscribers.get(key, [])
                if callback in callbacks:
                    callbacks.remove(callback)

        return unsubscribe

    def publish(self, key: str, changes: list[Change]) -> None:
        with self._lock:
            callbacks = list(self._subscribers.get(key, ()))
        for callback in callbacks:
            try:
                callback(changes)
            except Exception:  # a window's bug must not undo a committed write
                log.exception("a change subscriber failed")


LOCAL = LocalFeed()

_WRITE = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+[\"`\[]?(\w+)", re.IGNORECASE)
_PENDING = "mpsystem_changed_tables"
# What the schema's own triggers write when a table is written (migration 0004): no statement names them.
_WRITTEN_BY_TRIGGERS = {"stock_movements": ("stock_balances",)}


def watch_sqlite(engine: Engine, key: str) -> None:
    """Collect the tables each transaction writes; publish them when, and only when, it commits."""

    @event.listens_for(engine, "after_cursor_execute")
    def _written(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        match = _WRITE.match(statement)
        if match and not match.group(1).startswith("events_search"):
            table = match.group(1)
            conn.info.setdefault(_PENDING, set()).update((table, *_WRITTEN_BY_TRIGGERS.get(table, ())))

    @event.listens_for(engine, "commit")
    def _committed(conn: Any) -> None:
        tables = conn.info.pop(_PENDING, None)
        if tables:
            LOCAL.publish(key, [Change(t) for t in sorted(tables)])

    @event.listens_for(engine, "rollback")
    def _rolled_back(conn: Any) -> None:
        conn.info.pop(_PENDING, None)


def connect_args(url: URL) -> dict[str, Any]:
    """libpq parameters for a URL, TLS settings included."""
    args: dict[str, Any] = {
        "host": url.host,
        "port": url.port,
        "dbname": url.database,
        "user": url.username,
        "password": url.password,
    }
    args.update({k: v for k, v in url.query.items() if isinstance(v, str)})
    return {k: v for k, v in args.items() if v is not None}


class ChangeListener:
    """LISTEN on a connection of its own, on a daemon thread; reconnects until stopped."""

    POLL_SECONDS = 0.25
    FIRST_RETRY = 0.5
    LAST_RETRY = 5.0

    def __init__(
        self,
        url: URL,
        on_changes: Callback,
        on_state: Callable[[bool, str], None] = lambda _up, _why: None,
    ) -> None:
        self.url = url
        self.on_changes = on_changes
        self.on_state = on_state
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mpsystem-listener", daemon=True)
        self.connected = threading.Event()

    def start(self) -> ChangeListener:
        self._thread.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _connect(self) -> Any:
        import psycopg

        conn = psycopg.connect(
            **connect_args(self.url),
            autocommit=True,
            connect_timeout=3,
            application_name="mpsystem-listener",
            # Notice a silently dropped network within about half a minute, not hours.
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
        )
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        return conn

    def _run(self) -> None:
        import psycopg

        delay = self.FIRST_RETRY
        was_up = False
        while not self._stop.is_set():
            try:
                conn = self._connect()
            except psycopg.Error as exc:
                self.connected.clear()
                self.on_state(False, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                self._stop.wait(delay)
                delay = min(delay * 2, self.LAST_RETRY)
                continue
            delay = self.FIRST_RETRY
            self.connected.set()
            self.on_state(True, "")
            if was_up:
                self._deliver([EVERYTHING])  # whatever happened while we were away
            was_up = True
            try:
                with conn:
                    while not self._stop.is_set():
                        # Each notice is passed on as it arrives; the timeout only lets `stop` be seen.
                        for notice in conn.notifies(timeout=self.POLL_SECONDS):
                            change = parse_notice(notice.payload)
                            if change is not None:
                                self._deliver([change])
            except psycopg.Error as exc:
                self._lost(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            except Exception as exc:  # noqa: BLE001 - whatever broke, the thread lives on and says so
                log.exception("change listener failed")
                self._lost(f"{type(exc).__name__}: {exc}")
                self._stop.wait(delay)

    def _lost(self, why: str) -> None:
        """Say that live updates stopped, so the status bar stops saying online; then reconnect."""
        self.connected.clear()
        log.info("change listener lost its connection: %s", why)
        self.on_state(False, why)

    def _deliver(self, changes: Iterable[Change]) -> None:
        batch = list(changes)
        if batch:
            try:
                self.on_changes(batch)
            except Exception:
                log.exception("a change subscriber failed")
