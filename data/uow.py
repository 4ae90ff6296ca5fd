"""Repositories and the unit of work: one session, one transaction, one journal entry."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Table, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from data.db import Database
from data.errors import ConflictError, ConnectionFailed, KnownError, NotFound, PermissionDenied, ValidationError
from data.models import (
    Base,
    Batch,
    Customer,
    Delivery,
    Event,
    Material,
    Product,
    ProductionLine,
    ProductionOrder,
    PurchaseOrder,
    StockBalance,
    Supplier,
    User,
    Warehouse,
)
from data.rules import REFUSALS, SQLITE_REFUSAL, loading_history
from domain.quantities import rewritten
from domain.vocabulary import Role

M = TypeVar("M", bound=Base)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ActorLike(Protocol):
    @property
    def id(self) -> int | None: ...

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> Role: ...


class Repository(Generic[M]):
    """Look-ups by id and by the natural key people type (a code or a number)."""

    def __init__(self, session: Session, model: type[M], key: str, noun: str) -> None:
        self.session = session
        self.model = model
        self.key = key
        self.noun = noun

    def add(self, obj: M) -> M:
        self.session.add(obj)
        return obj

    def get(self, id_: int) -> M:
        obj = self.session.get(self.model, id_)
        if obj is None:
            raise NotFound(f"{self.noun.capitalize()} #{id_} does not exist.")
        return obj

    def find(self, key: str) -> M | None:
        return self.session.scalar(select(self.model).where(getattr(self.model, self.key) == key))

    def by_key(self, key: str, *, for_update: bool = False, for_share: bool = False) -> M:
        """`for_share`: a decision rests on this row, so nobody may change it until the transaction ends
        (PostgreSQL; on SQLite the write transaction already holds the whole file)."""
        stmt = select(self.model).where(getattr(self.model, self.key) == key)
        if for_update or for_share:
            stmt = stmt.with_for_update(read=not for_update)
        obj = self.session.scalar(stmt)
        if obj is None:
            raise NotFound(f"There is no {self.noun} “{key}”.", self.noun)
        return obj


class BalanceRepository:
    """What is in stock. Only the database writes balances: each stock movement's insert adds and
    takes them (migration 0004), so they always equal the ledger, and never go below zero."""

    def __init__(self, session: Session, backend: str) -> None:
        self.session, self.backend = session, backend

    def quantity(self, batch_id: int, warehouse_id: int) -> Decimal:
        value = self.session.scalar(
            select(StockBalance.quantity).where(
                StockBalance.batch_id == batch_id, StockBalance.warehouse_id == warehouse_id
            )
        )
        return value if value is not None else Decimal("0.000")


class UnitOfWork:
    """One operation: a session, its transaction, and the journal entry that goes with it.

    A writing unit must record exactly one event before it commits: the journal
    is written in the same transaction as the change, or not at all.
    """

    def __init__(
        self,
        database: Database,
        actor: ActorLike,
        *,
        write: bool = True,
        clock: Callable[[], datetime] = utcnow,
        history: bool = False,
    ) -> None:
        self.database = database
        self.actor = actor
        self.write = write
        # What the services stamp and check dates against; the demo replays the plant's history with its own.
        self.clock = clock
        # Replaying the past (the demo plant): the database keeps the clock's dates and the actor's name
        # instead of its own, which only the schema's owner may ask for (see data/rules.py).
        self.history = history
        self._loading: AbstractContextManager[None] | None = None
        self._events: list[Event] = []
        self._bulk_events = 0
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        factory = self.database.write_session_factory if self.write else self.database.session_factory
        self.session = factory()
        s = self.session
        self.warehouses = Repository(s, Warehouse, "code", "warehouse")
        self.materials = Repository(s, Material, "code", "material")
        self.suppliers = Repository(s, Supplier, "code", "supplier")
        self.customers = Repository(s, Customer, "code", "customer")
        self.lines = Repository(s, ProductionLine, "code", "production line")
        self.orders = Repository(s, ProductionOrder, "number", "production order")
        self.products = Repository(s, Product, "code", "product")
        self.deliveries = Repository(s, Delivery, "number", "delivery")
        self.purchase_orders = Repository(s, PurchaseOrder, "number", "purchase order")
        self.batches = Repository(s, Batch, "number", "batch")
        self.users = Repository(s, User, "username", "user")
        self.balances = BalanceRepository(s, self.database.backend)
        if self.history:
            self._loading = loading_history(s.connection())
            self._loading.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()
        if exc is not None and not isinstance(exc, KnownError):
            translated = translate_database_error(exc)
            if translated is not None:
                raise translated from exc

    @property
    def backend(self) -> str:
        return self.database.backend

    def now(self) -> datetime:
        """This moment, in UTC."""
        return self.clock()

    def today(self) -> date:
        """The plant's calendar day: expiry and due dates are local days, so local time decides."""
        return self.clock().astimezone().date()

    def record_event(
        self, entity_type: str, entity_id: int | None, action: str, summary: str, details: dict[str, Any] | None = None
    ) -> None:
        event = Event(
            occurred_at=self.now(),
            user_id=self.actor.id,
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            summary=summary[:500],
            details=details,
        )
        self._events.append(event)
        self.session.add(event)

    def insert_many(self, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
        """Insert many rows of one table in this unit's transaction, fast: COPY on PostgreSQL (its row
        triggers fire as for any insert), multi-row INSERTs on SQLite. Every row has the same keys."""
        if not rows:
            return
        table = model.__table__
        assert isinstance(table, Table)
        if self.backend == "postgresql":
            names = list(rows[0])
            driver = self.session.connection().connection.driver_connection
            assert driver is not None
            columns = ", ".join(f'"{name}"' for name in names)
            with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([_copied(row[name]) for name in names])
            return
        # RETURNING lets SQLAlchemy send the rows many to a statement rather than one by one.
        key = next(iter(table.primary_key.columns))
        self.session.execute(insert(table).returning(key), list(rows)).all()

    def insert_many_with_ids(self, model: type[Base], rows: Sequence[dict[str, Any]], key: str) -> dict[Any, int]:
        """Like `insert_many`, for rows whose new ids the caller needs: {each row's `key` value: its id}."""
        if not rows:
            return {}
        table = model.__table__
        assert isinstance(table, Table)
        if self.backend == "postgresql":
            # The ids come from the table's own sequence, as a plain INSERT would take them.
            ids = self.session.scalars(
                text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                {"t": table.name, "n": len(rows)},
            ).all()
            self.insert_many(model, [{"id": id_, **row} for id_, row in zip(ids, rows, strict=True)])
            return {row[key]: int(id_) for id_, row in zip(ids, rows, strict=True)}
        written = self.session.execute(insert(table).returning(table.c[key], table.c.id), list(rows))
        return {row_key: int(id_) for row_key, id_ in written}

    def record_events(self, entries: Sequence[tuple[str, int | None, str, str, dict[str, Any] | None]]) -> None:
        """Many journal entries at once, (entity type, id, action, summary, details) each: an import's
        records are each journaled like a single change, in the import's one transaction."""
        if not entries:
            return
        now, user = self.now(), self.actor.id
        self.insert_many(
            Event,
            [
                {
                    "occurred_at": now,
                    "user_id": user,
                    "entity_type": entity_type,
                    "entity_id": entity_id,
                    "action": action,
                    "summary": summary[:500],
                    "details": details,
                }
                for entity_type, entity_id, action, summary, details in entries
            ],
        )
        self._bulk_events += len(entries)

    def commit(self, *, journal_written_by_database: bool = False, entries: int = 1) -> None:
        """Commit the change and its journal entry; `journal_written_by_database` for the few
        PostgreSQL functions that write their own entry as the owner (see data/pgroles.py);
        `entries` for a change of many records (an import), each with its own."""
        recorded = len(self._events) + self._bulk_events
        expected = 0 if journal_written_by_database else entries
        if recorded != expected:
            wanted = "one event" if expected == 1 else f"{expected} events"
            raise RuntimeError(f"a change must record exactly {wanted}, got {recorded}")
        if self._loading is not None:
            self.session.flush()  # the change and its journal entry are written as history…
            loading, self._loading = self._loading, None
            loading.__exit__(None, None, None)  # …and the rules judge whatever comes after it
        try:
            self.session.commit()
        except Exception as exc:
            translated = translate_database_error(exc)
            if translated is not None:
                raise translated from exc
            raise
        self._committed = True

    def last_change(self, entity_type: str, entity_id: int) -> tuple[str, datetime] | None:
        row = self.session.execute(
            select(User.username, Event.occurred_at)
            .select_from(Event)
            .outerjoin(User, User.id == Event.user_id)
            .where(Event.entity_type == entity_type, Event.entity_id == entity_id)
            .order_by(Event.occurred_at.desc(), Event.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return (row[0] or "system", row[1])

    def check_version(self, entity_type: str, entity: Any, expected: int | None, label: str) -> None:
        """Refuse an edit made on a stale copy, naming who changed it and when."""
        if expected is None or entity.version == expected:
            return
        change = self.last_change(entity_type, entity.id)
        if change is None:
            raise ConflictError(
                f"{label} was changed by someone else. The screen will reload; nothing was overwritten."
            )
        who, when = change
        raise ConflictError(
            f"{label} was changed by {who} at {when.astimezone().strftime('%Y-%m-%d %H:%M')}. "
            "The screen will reload; nothing was overwritten."
        )


def _copied(value: Any) -> Any:
    """A value as COPY takes it: JSON columns as their text, everything else as the driver adapts it."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value


CONNECTION_LOST = (
    "The connection to the database was lost; nothing was saved. "
    "Your entries are kept: try again when the server is back (the client reconnects by itself)."
)


def translate_database_error(exc: BaseException) -> KnownError | None:
    """Map what the driver says to a message a clerk can act on; None for real bugs."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None:
        diag = getattr(orig, "diag", None)
        known = _translate_sqlstate(sqlstate, (diag.message_primary if diag is not None else None) or str(orig))
        if known is not None:
            return known
    if isinstance(exc, StaleDataError):
        return ConflictError(
            "Someone else changed the same record at the same moment. Reload and try again; nothing was saved."
        )
    if isinstance(exc, IntegrityError):
        detail = str(exc.orig).splitlines()[0] if exc.orig is not None else ""
        refusal = SQLITE_REFUSAL.match(detail)
        if refusal:  # one of the schema's own rules on SQLite (data/rules.py)
            return ValidationError(refusal.group(1))
        return ConflictError(f"The change clashes with data saved at the same time ({detail}). Nothing was saved.")
    if isinstance(exc, OperationalError):
        return _translate_operational(str(exc.orig).lower() if exc.orig is not None else "")
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return ConnectionFailed(CONNECTION_LOST)
    return None


def _translate_sqlstate(sqlstate: str, message: str) -> KnownError | None:
    if sqlstate in REFUSALS:  # one of the schema's own rules (data/rules.py), already in plain words
        return ValidationError(rewritten(message), REFUSALS[sqlstate])
    if sqlstate == "42501":  # insufficient_privilege: the database's own GRANTs refused it
        return PermissionDenied(f"The database refused the change: {message.rstrip('.')}. Nothing was saved.")
    if sqlstate == "42710":  # duplicate_object: a login of that name already exists
        return ValidationError(message, "user_name")
    if sqlstate in ("42939", "22023"):  # a reserved role name; a value the login functions refuse
        return ValidationError(message)
    if sqlstate == "42704":  # undefined_object
        return NotFound(message)
    if sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03"):
        return ConnectionFailed(CONNECTION_LOST)
    return None


def _translate_operational(text: str) -> KnownError:
    # Deadlock first: PostgreSQL's report of one says "blocked by process", which contains "locked".
    if "deadlock" in text or "could not serialize" in text:
        return ConflictError("Another workstation changed the same data at the same moment. Try again.")
    if "is locked" in text or "busy" in text:  # SQLite: "database is locked", "database table is locked"
        return ConflictError("The database is busy with another workstation's change. Try again in a moment.")
    return ConnectionFailed(CONNECTION_LOST)
