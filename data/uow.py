"""Repositories and the unit of work: one session, one transaction, one journal entry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
    StockBalance,
    Supplier,
    User,
    Warehouse,
)
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

    def by_key(self, key: str, *, for_update: bool = False) -> M:
        stmt = select(self.model).where(getattr(self.model, self.key) == key)
        if for_update:
            stmt = stmt.with_for_update()
        obj = self.session.scalar(stmt)
        if obj is None:
            raise NotFound(f"There is no {self.noun} “{key}”.", self.noun)
        return obj


class BalanceRepository:
    """Stock is taken only by a conditional UPDATE, so two clerks can never overdraw a batch."""

    def __init__(self, session: Session, backend: str) -> None:
        self.session, self.backend = session, backend

    def quantity(self, batch_id: int, warehouse_id: int) -> Decimal:
        value = self.session.scalar(
            select(StockBalance.quantity).where(
                StockBalance.batch_id == batch_id, StockBalance.warehouse_id == warehouse_id
            )
        )
        return value if value is not None else Decimal("0.000")

    def add(self, batch_id: int, warehouse_id: int, quantity: Decimal) -> None:
        # One statement, not UPDATE-then-INSERT: two clerks bringing the first stock of a batch into
        # a warehouse at the same moment would otherwise both INSERT, and one would fail.
        insert = pg_insert if self.backend == "postgresql" else sqlite_insert
        stmt = insert(StockBalance).values(batch_id=batch_id, warehouse_id=warehouse_id, quantity=quantity)
        stmt = stmt.on_conflict_do_update(
            index_elements=[StockBalance.batch_id, StockBalance.warehouse_id],
            set_={"quantity": StockBalance.quantity + stmt.excluded.quantity},
        )
        self.session.execute(stmt.execution_options(synchronize_session=False))

    def lock(self, batch_id: int, warehouse_ids: list[int]) -> None:
        """Lock a batch's balances in these warehouses, always in warehouse order.

        Two opposite transfers of one batch (A→B and B→A) would otherwise each lock one row and
        wait for the other's: a deadlock the server breaks by failing one of them.
        """
        self.session.execute(
            select(StockBalance.warehouse_id)
            .where(StockBalance.batch_id == batch_id, StockBalance.warehouse_id.in_(warehouse_ids))
            .order_by(StockBalance.warehouse_id)
            .with_for_update()
        ).all()

    def take(self, batch_id: int, warehouse_id: int, quantity: Decimal) -> bool:
        """Take `quantity` if it is there; False (and nothing written) if it is not."""
        result = self.session.execute(
            update(StockBalance)
            .where(
                StockBalance.batch_id == batch_id,
                StockBalance.warehouse_id == warehouse_id,
                StockBalance.quantity >= quantity,
            )
            .values(quantity=StockBalance.quantity - quantity)
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult[Any], result).rowcount == 1


class UnitOfWork:
    """One operation: a session, its transaction, and the journal entry that goes with it.

    A writing unit must record exactly one event before it commits: the journal
    is written in the same transaction as the change, or not at all.
    """

    def __init__(
        self, database: Database, actor: ActorLike, *, write: bool = True, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.database = database
        self.actor = actor
        self.write = write
        # What the services stamp and check dates against; the demo replays the plant's history with its own.
        self.clock = clock
        self._events: list[Event] = []
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
        self.batches = Repository(s, Batch, "number", "batch")
        self.users = Repository(s, User, "username", "user")
        self.balances = BalanceRepository(s, self.database.backend)
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

    def commit(self, *, journal_written_by_database: bool = False) -> None:
        """Commit the change and its journal entry; `journal_written_by_database` for the few
        PostgreSQL functions that write their own entry as the owner (see data/pgroles.py)."""
        if len(self._events) != (0 if journal_written_by_database else 1):
            raise RuntimeError(f"a change must record exactly one event, got {len(self._events)}")
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


CONNECTION_LOST = (
    "The connection to the database was lost; nothing was saved. "
    "Your entries are kept: try again when the server is back (the client reconnects by itself)."
)


def translate_database_error(exc: BaseException) -> KnownError | None:
    """Map what the driver says to a message a clerk can act on; None for real bugs."""
    orig: Any = getattr(exc, "orig", None)  # the driver's own exception, whatever its class
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None:
        message = (orig.diag.message_primary if orig.diag is not None else None) or str(orig)
        if sqlstate == "42501":  # insufficient_privilege: the database's own GRANTs refused it
            return PermissionDenied(f"The database refused the change: {message.rstrip('.')}. Nothing was saved.")
        if sqlstate == "42710":  # duplicate_object: a login of that name already exists
            return ValidationError(message, "user_name")
        if sqlstate == "42704":  # undefined_object
            return NotFound(message)
        if sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03"):
            return ConnectionFailed(CONNECTION_LOST)
    if isinstance(exc, StaleDataError):
        return ConflictError(
            "Someone else changed the same record at the same moment. Reload and try again; nothing was saved."
        )
    if isinstance(exc, IntegrityError):
        detail = str(exc.orig).splitlines()[0] if exc.orig is not None else ""
        return ConflictError(f"The change clashes with data saved at the same time ({detail}). Nothing was saved.")
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower() if exc.orig is not None else ""
        # Deadlock first: PostgreSQL's report of one says "blocked by process", which contains "locked".
        if "deadlock" in text or "could not serialize" in text:
            return ConflictError("Another workstation changed the same data at the same moment. Try again.")
        if "is locked" in text or "busy" in text:  # SQLite: "database is locked", "database table is locked"
            return ConflictError("The database is busy with another workstation's change. Try again in a moment.")
        return ConnectionFailed(CONNECTION_LOST)
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return ConnectionFailed(CONNECTION_LOST)
    return None
