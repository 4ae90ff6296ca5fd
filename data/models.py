"""The plant's tables. Their names and columns are part of the product's interface:
IT and report writers query them directly."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from data.types import BigId, Quantity, Ratio, UTCDateTime
from domain.vocabulary import (
    ADDRESS_LEN,
    CODE_LEN,
    MAX_SCRAP_PERCENT,
    MAX_SHELF_LIFE_DAYS,
    NAME_LEN,
    NOTE_LEN,
    NOTES_LEN,
    NUMBER_LEN,
    PHONE_LEN,
    REASON_LEN,
    RECIPE_STEPS,
    SETTING_LEN,
    SPEC_LEN,
    SUMMARY_LEN,
    USERNAME_LEN,
    BatchStatus,
    LineStage,
    MaterialKind,
    MovementKind,
    OrderStatus,
    Role,
    Term,
    Unit,
    WarehouseKind,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, vocabulary: type[Term] | tuple[str, ...]) -> str:
    values = vocabulary if isinstance(vocabulary, tuple) else vocabulary.values()
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


QUEUED = tuple(s.value for s in OrderStatus if s.is_queued)  # planned and running orders hold a queue rank


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Warehouse(Base):
    """A store. `kind` is what it is for; `adr` says it may hold dangerous goods (an ADR store always may)."""

    __tablename__ = "warehouses"
    __table_args__ = (
        CheckConstraint(_in("kind", WarehouseKind), name="kind"),
        CheckConstraint(f"kind <> '{WarehouseKind.ADR.value}' OR adr", name="adr_store_is_adr"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LEN), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    kind: Mapped[str] = mapped_column(String(20))
    adr: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Material(Base):
    __tablename__ = "materials"
    __table_args__ = (
        CheckConstraint(_in("kind", MaterialKind), name="kind"),
        CheckConstraint(_in("unit", Unit), name="unit"),
        CheckConstraint("reorder_level >= 0", name="reorder_level_not_negative"),
        CheckConstraint(f"shelf_life_days BETWEEN 1 AND {MAX_SHELF_LIFE_DAYS}", name="shelf_life_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LEN), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(5))
    reorder_level: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)  # receipts propose expiry = received + this
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Supplier(Base):
    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LEN), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    contact: Mapped[str | None] = mapped_column(String(NAME_LEN))
    email: Mapped[str | None] = mapped_column(String(NAME_LEN))
    phone: Mapped[str | None] = mapped_column(String(PHONE_LEN))
    address: Mapped[str | None] = mapped_column(String(ADDRESS_LEN))
    tax_id: Mapped[str | None] = mapped_column(String(CODE_LEN))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LEN), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN), index=True)
    contact: Mapped[str | None] = mapped_column(String(NAME_LEN))
    email: Mapped[str | None] = mapped_column(String(NAME_LEN))
    phone: Mapped[str | None] = mapped_column(String(PHONE_LEN))
    address: Mapped[str | None] = mapped_column(String(REASON_LEN))
    tax_id: Mapped[str | None] = mapped_column(String(CODE_LEN))
    notes: Mapped[str | None] = mapped_column(String(NOTES_LEN))
    archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", Role.names()), name="role"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_LEN), unique=True)
    full_name: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    role: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # bcrypt hash on SQLite; NULL on PostgreSQL, where the server checks passwords itself.
    password_hash: Mapped[str | None] = mapped_column(String(100))
    failed_logins: Mapped[int] = mapped_column(SmallInteger, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProductionLine(Base):
    __tablename__ = "production_lines"
    __table_args__ = (
        CheckConstraint(_in("stage", LineStage), name="stage"),
        CheckConstraint(_in("rate_unit", Unit), name="rate_unit"),
        CheckConstraint("rate_per_hour > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LEN), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    stage: Mapped[str] = mapped_column(String(20))
    rate_per_hour: Mapped[Decimal] = mapped_column(Quantity)
    rate_unit: Mapped[str] = mapped_column(String(5))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Product(Base):
    """What the plant sells: made on a line of `stage`, its batches of `output_material`, by its recipe.

    The recipe is the `recipe_lines` of revision `recipe_revision`; an edit writes a new revision and
    keeps the old ones, so what a product was made of stays readable. Archived, never deleted.
    """

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint(_in("unit", Unit), name="unit"),
        CheckConstraint(_in("stage", LineStage), name="stage"),
        CheckConstraint("recipe_revision >= 0", name="recipe_revision_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LEN), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN), index=True)
    spec: Mapped[str | None] = mapped_column(String(SPEC_LEN))
    unit: Mapped[str] = mapped_column(String(5))
    stage: Mapped[str] = mapped_column(String(20))
    output_material_id: Mapped[int | None] = mapped_column(ForeignKey("materials.id"), index=True)
    recipe_revision: Mapped[int] = mapped_column(Integer, default=0)  # 0: no recipe yet
    archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class RecipeLine(Base):
    """One material of one step of a product's recipe: how much per unit of the product, and the scrap
    allowed on top. Steps run in order (extrusion first), each on a line of its stage; the product's
    own order runs the last one."""

    __tablename__ = "recipe_lines"
    __table_args__ = (
        UniqueConstraint("product_id", "revision", "step", "material_id"),
        CheckConstraint(_in("stage", LineStage), name="stage"),
        CheckConstraint(f"step BETWEEN {RECIPE_STEPS.start} AND {RECIPE_STEPS.stop - 1}", name="step_range"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("scrap_percent >= 0", name="scrap_not_negative"),
        # Quantities are whole thousandths on SQLite (data.types), so the same bound reads differently there.
        CheckConstraint(f"scrap_percent < {MAX_SCRAP_PERCENT}", name="scrap_below_limit").ddl_if(dialect="postgresql"),
        CheckConstraint(f"scrap_percent < {MAX_SCRAP_PERCENT * 1000}", name="scrap_below_limit").ddl_if(
            dialect="sqlite"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    revision: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(SmallInteger)
    stage: Mapped[str] = mapped_column(String(20))
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Ratio)  # per unit of the product
    scrap_percent: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))


class ProductionOrder(Base):
    """An order and, while planned or running, its place in a line's queue.

    `queue_rank` is a sparse sort key, not the position itself: moving one order
    rewrites that order's rank only (a neighbourhood is respread on the rare
    occasion two ranks touch). The dense 1..n position is `row_number()` over
    the ranks; the `production_queue` view exposes it to report writers.
    """

    __tablename__ = "production_orders"
    __table_args__ = (
        CheckConstraint(_in("status", OrderStatus), name="status"),
        CheckConstraint(_in("unit", Unit), name="unit"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
        # planned and running orders sit in a queue; the others never do
        CheckConstraint(f"({_in('status', QUEUED)}) = (queue_rank IS NOT NULL)", name="queued_iff_active"),
        CheckConstraint("queue_rank IS NULL OR line_id IS NOT NULL", name="rank_needs_line"),
        UniqueConstraint("line_id", "queue_rank"),
        # what a delivery names as its order and customer must be a pair that exists (see Delivery)
        UniqueConstraint("id", "customer_id"),
        Index("ix_production_orders_status_due_date", "status", "due_date"),
        Index("ix_production_orders_due_date_id", "due_date", "id"),  # every order by due date, paged
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(NUMBER_LEN), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    # The planner's free text; before products existed (schema 0006) it named the product itself.
    note: Mapped[str | None] = mapped_column(String(NOTE_LEN))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit: Mapped[str] = mapped_column(String(5))
    priority: Mapped[int] = mapped_column(SmallInteger, default=3)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=OrderStatus.NEW.value)
    status_reason: Mapped[str | None] = mapped_column(String(REASON_LEN))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("production_lines.id"), index=True)
    queue_rank: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (
        CheckConstraint(_in("status", BatchStatus), name="status"),
        CheckConstraint("supplier_id IS NULL OR production_order_id IS NULL", name="one_origin"),
        CheckConstraint(
            f"status <> '{BatchStatus.BLOCKED.value}' OR status_reason IS NOT NULL", name="blocked_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(NUMBER_LEN), unique=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), index=True)
    production_order_id: Mapped[int | None] = mapped_column(ForeignKey("production_orders.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expiry_date: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10), default=BatchStatus.PENDING.value, index=True)
    status_reason: Mapped[str | None] = mapped_column(String(REASON_LEN))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class StockBalance(Base):
    __tablename__ = "stock_balances"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)

    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), primary_key=True, index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)


class StockMovement(Base):
    """The immutable stock ledger; balances are its running sums."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(_in("kind", MovementKind), name="kind"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "(kind = 'receipt' AND from_warehouse_id IS NULL AND to_warehouse_id IS NOT NULL)"
            " OR (kind = 'output' AND from_warehouse_id IS NULL AND to_warehouse_id IS NOT NULL"
            "     AND production_order_id IS NOT NULL)"
            " OR (kind = 'issue' AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NULL)"
            " OR (kind = 'consumption' AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NULL"
            "     AND production_order_id IS NOT NULL)"
            " OR (kind = 'transfer' AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NOT NULL"
            "     AND from_warehouse_id <> to_warehouse_id)"
            " OR (kind = 'adjustment' AND (from_warehouse_id IS NULL) <> (to_warehouse_id IS NULL))"
            " OR (kind = 'delivery' AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NULL"
            "     AND production_order_id IS NOT NULL)",
            name="direction",
        ),
        Index("ix_stock_movements_order_kind", "production_order_id", "kind"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    from_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    to_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    production_order_id: Mapped[int | None] = mapped_column(ForeignKey("production_orders.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    note: Mapped[str | None] = mapped_column(String(NOTE_LEN))


class Delivery(Base):
    """Batches sent to a customer for one of its orders: one delivery note, its lines in `delivery_lines`."""

    __tablename__ = "deliveries"
    __table_args__ = (
        # to the order's own customer, whatever a client sends
        ForeignKeyConstraint(
            ["production_order_id", "customer_id"], ["production_orders.id", "production_orders.customer_id"]
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(NUMBER_LEN), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    production_order_id: Mapped[int] = mapped_column(Integer, index=True)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(String(NOTE_LEN))


class DeliveryLine(Base):
    """A batch (or part of one) on a delivery; its stock left by the ledger movement `movement_id`."""

    __tablename__ = "delivery_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    movement_id: Mapped[int] = mapped_column(BigId, ForeignKey("stock_movements.id"), unique=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)


class StopReason(Base):
    """Why a line stands still: the short list the administrator keeps (breakdown, changeover, …)."""

    __tablename__ = "stop_reasons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LEN), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class LineStop(Base):
    """A stretch of time a line stood (or stands, or will stand) still. Who recorded it and when is
    in the journal. A line has at most one open stop; a stop ends after it starts."""

    __tablename__ = "line_stops"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at > started_at", name="ends_after_start"),
        Index(
            "ix_line_stops_one_open_per_line",
            "line_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_line_stops_line_id_started_at", "line_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("production_lines.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reason_id: Mapped[int] = mapped_column(ForeignKey("stop_reasons.id"), index=True)
    note: Mapped[str | None] = mapped_column(String(NOTE_LEN))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Event(Base):
    """The append-only journal, written in the same transaction as the change it records."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_occurred_at_id", "occurred_at", "id"),
        Index("ix_events_entity", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(30), index=True)
    summary: Mapped[str] = mapped_column(String(SUMMARY_LEN))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Setting(Base):
    """The plant's own settings, one value per key (app/settings.py names the keys and reads the values)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(SETTING_LEN))


__all__ = [
    "Base",
    "Warehouse",
    "Material",
    "Supplier",
    "Customer",
    "User",
    "ProductionLine",
    "Product",
    "RecipeLine",
    "ProductionOrder",
    "Batch",
    "StockBalance",
    "StockMovement",
    "Delivery",
    "DeliveryLine",
    "StopReason",
    "LineStop",
    "Event",
    "Setting",
]
