"""Plain frozen rows handed to the client and the report writers; never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar

from app.formatting import quantity as format_quantity
from app.formatting import short_moment
from app.permissions import Role
from domain.schedule import DayLoad

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a filtered, sorted list and the number of rows the filter matches.

    `counted` False: counting every match would have kept the first page waiting, so
    `total` is only how many are known to exist (at least that many); the list's
    own count function gives the exact number.
    """

    total: int
    offset: int
    rows: tuple[T, ...]
    counted: bool = True


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    full_name: str
    role: Role
    active: bool
    locked_until: datetime | None
    has_login: bool = True  # PostgreSQL: users from before server logins have none until given a password


@dataclass(frozen=True)
class InventoryRow:
    """A material's row (`warehouse_id` None: its totals over the warehouses shown), or one warehouse's stock of it.

    Stock is valued at the last purchase price, not a moving average: film plants buy granulate and ink at
    prices that move with the market, and what the stock would cost to buy again is what a buyer and an
    accountant ask for; the plant also keeps no valuation history that an average would need.

    `usable` is approved, unexpired stock; `on_hold` the rest (pending, blocked or expired).
    `material_total` is the material's stock in every warehouse, which the reorder level is about.
    """

    material_id: int
    material_code: str
    material_name: str
    material_kind: str
    warehouse_id: int | None
    warehouse_code: str | None
    unit: str
    quantity: Decimal
    usable: Decimal
    on_hold: Decimal
    batch_count: int
    reorder_level: Decimal
    material_total: Decimal
    below_reorder: bool
    last_price: Decimal | None = (
        None  # a unit's price on the latest purchase order sent for it, else its cheapest offer
    )

    @property
    def value(self) -> Decimal | None:
        """What the stock shown is worth at the last purchase price (None: the plant never priced it)."""
        return (self.quantity * self.last_price).quantize(Decimal("0.01")) if self.last_price is not None else None

    @property
    def is_material(self) -> bool:
        """The material's own row, the subtotal its warehouse rows follow."""
        return self.warehouse_id is None


@dataclass(frozen=True)
class BatchRow:
    id: int
    number: str
    material_code: str
    material_name: str
    unit: str
    origin: str  # supplier name, or the producing order's number
    supplier_code: str | None
    order_number: str | None
    received_at: datetime
    expiry_date: date | None
    status: str
    status_reason: str | None
    quantity: Decimal
    locations: str  # "MAG-1 120.000, MAG-3 30.000"
    version: int


@dataclass(frozen=True)
class BalanceRow:
    batch_id: int
    batch_number: str
    warehouse_code: str
    quantity: Decimal
    unit: str
    status: str
    expiry_date: date | None


@dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    customer_code: str
    customer_name: str
    product_code: str
    product_name: str
    note: str | None  # the planner's free text
    quantity: Decimal
    unit: str
    priority: int
    due_date: date
    status: str
    line_code: str | None
    position: int | None
    version: int


@dataclass(frozen=True)
class OrderListRow:
    """An order in the list of every order: what it is, how far it got, and how much reached its customer."""

    id: int
    number: str
    customer_code: str
    customer_name: str
    product_code: str
    product_name: str
    note: str | None
    quantity: Decimal
    delivered: Decimal
    unit: str
    priority: int
    due_date: date
    status: str
    line_code: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    late: bool  # still open after its due date
    version: int


@dataclass(frozen=True)
class ProductRow:
    id: int
    code: str
    name: str
    spec: str | None
    unit: str
    stage: str
    output_material_code: str | None
    output_material_name: str | None
    recipe_revision: int
    recipe_steps: int  # of the current revision
    archived: bool
    version: int


@dataclass(frozen=True)
class RecipeLineRow:
    """A line of a product's recipe: per unit of the product, in the material's unit."""

    step: int
    stage: str
    material_code: str
    material_name: str
    material_unit: str
    quantity: Decimal
    scrap_percent: Decimal


@dataclass(frozen=True)
class MaterialNeed:
    """What an order's own step of the recipe takes for the order's quantity, and how much went in so far."""

    material_code: str
    material_name: str
    unit: str
    per_unit: Decimal
    scrap_percent: Decimal
    planned: Decimal  # per unit × ordered quantity × (1 + scrap), rounded as the unit is counted
    consumed: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(self.planned - self.consumed, Decimal(0))


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    number: str
    delivered_at: datetime
    customer_code: str
    customer_name: str
    order_number: str
    product_code: str
    lines: int
    quantity: Decimal
    unit: str
    username: str
    note: str | None


@dataclass(frozen=True)
class DeliveryLineRow:
    batch_number: str
    material_code: str
    material_name: str
    warehouse_code: str
    quantity: Decimal
    unit: str
    expiry_date: date | None
    made_by_order: str | None  # the order that produced the batch


@dataclass(frozen=True)
class UsableStock:
    """Approved, unexpired stock of one batch in one warehouse: what may be delivered or consumed."""

    batch_number: str
    warehouse_code: str
    quantity: Decimal
    unit: str
    expiry_date: date | None
    made_by_order: str | None


@dataclass(frozen=True)
class StoryEntry:
    """One thing that happened to an order, from the journal: to the order itself, its batches or deliveries."""

    occurred_at: datetime
    username: str
    entity_type: str
    entity_id: int | None
    action: str
    summary: str


@dataclass(frozen=True)
class BatchFlow:
    """A batch that went into an order, or came out of it."""

    batch_number: str
    material_code: str
    material_name: str
    quantity: Decimal
    unit: str
    status: str
    at: datetime


@dataclass(frozen=True)
class OrderStory:
    """An order from its creation to its last delivery."""

    order: OrderListRow
    entries: tuple[StoryEntry, ...]
    inputs: tuple[BatchFlow, ...]
    outputs: tuple[BatchFlow, ...]
    deliveries: tuple[DeliveryRow, ...]


@dataclass(frozen=True)
class RecallDelivery:
    """A delivery line that carried something made from the recalled batch."""

    delivered_at: datetime
    delivery_number: str
    customer_code: str
    customer_name: str
    order_number: str
    batch_number: str
    material_name: str
    quantity: Decimal
    unit: str
    steps: int  # production steps between the recalled batch and the batch delivered


@dataclass(frozen=True)
class RecallCustomer:
    code: str
    name: str
    contact: str | None
    phone: str | None
    email: str | None
    deliveries: int
    last_delivered_at: datetime
    amounts: tuple[tuple[str, Decimal], ...]  # (unit, quantity)


@dataclass(frozen=True)
class RecallStock:
    """Something made from the recalled batch (or the batch itself) still in one of the plant's warehouses."""

    batch_number: str
    material_name: str
    warehouse_code: str
    quantity: Decimal
    unit: str
    status: str


@dataclass(frozen=True)
class Recall:
    """Who got anything made from one batch, and what of it is still in the plant."""

    batch_number: str
    material_name: str
    origin: str
    batches_reached: int
    orders_reached: int
    customers: tuple[RecallCustomer, ...]
    deliveries: tuple[RecallDelivery, ...]
    in_plant: tuple[RecallStock, ...]


@dataclass(frozen=True)
class Shortage:
    """A material a queued order's recipe needs more of than the usable stock left for it, and, when a queued
    order of an earlier stage makes it, that order, its line and when it is estimated to end."""

    material: str  # its name
    missing: Decimal
    unit: str
    made_by: str | None = None
    made_on: str | None = None
    ready_at: datetime | None = None

    def words(self) -> str:
        text = f"{self.material}: {format_quantity(self.missing, self.unit)} short"
        if self.made_by is not None and self.ready_at is not None:
            text += f", made by {self.made_by} on {self.made_on}, estimated to end {short_moment(self.ready_at)}"
        return text


@dataclass(frozen=True)
class ScheduledOrder:
    """A queued order with its estimated run, from the line's nominal rate and around its stops
    (domain/schedule.py)."""

    order: OrderRow
    estimated_start: datetime
    estimated_end: datetime
    late: bool
    hours_left: float = 0.0  # work still to do at the nominal rate, stops not counted
    delayed_by: timedelta = timedelta(0)  # how much the line's stops push its end
    overrun: timedelta = timedelta(0)  # a running order past its estimated end: by how much
    late_cause: str | None = None  # why it is late (domain.schedule.LateCause); None when it is not
    hours: float = 0.0  # its whole work at the nominal rate
    short_of: Shortage | None = None  # a material it needs more of than the usable stock left for it

    @property
    def shortage(self) -> str | None:
        """What it is short of, in words: "LDPE granulate FT5230: 224.000 kg short"."""
        return None if self.short_of is None else self.short_of.words()

    @property
    def planned_end(self) -> datetime:
        """Where the estimate said it would end: before `estimated_end` by its overrun."""
        return self.estimated_end - self.overrun


@dataclass(frozen=True)
class LineStopRow:
    id: int
    line_code: str
    line_name: str
    started_at: datetime
    ended_at: datetime | None  # None: the line is still stopped
    reason_code: str
    reason_name: str
    note: str | None
    version: int


@dataclass(frozen=True)
class StopReasonRow:
    id: int
    code: str
    name: str
    archived: bool
    version: int


@dataclass(frozen=True)
class LineQueue:
    line_id: int
    line_code: str
    line_name: str
    stage: str
    rate_per_hour: Decimal
    rate_unit: str
    orders: tuple[ScheduledOrder, ...]
    stopped: LineStopRow | None = None  # the stop the line stands in now, if it does
    stops: tuple[LineStopRow, ...] = ()  # the stops that touch its estimate: open, recent and planned ahead
    loads: tuple[DayLoad, ...] = ()  # the work due per day against the hours the line can run, from today

    @property
    def hours_queued(self) -> float:
        """The work waiting on this line, in hours at its nominal rate (the running order's rest included)."""
        return sum(o.hours_left for o in self.orders)


@dataclass(frozen=True)
class EventRow:
    id: int
    occurred_at: datetime
    username: str
    entity_type: str
    entity_id: int | None
    action: str
    summary: str
    details: dict[str, Any] | None
    subject: str | None  # the number or code people know the entity by: R2611-00685, PO-2026-00063, anna

    def about(self) -> str:
        """What the entry is about, as people say it: 'batch R2611-00685' ('batch #910' if it is not found)."""
        kind = self.entity_type.replace("_", " ")
        if self.subject:
            return f"{kind} {self.subject}"
        return f"{kind} #{self.entity_id}" if self.entity_id is not None else kind


@dataclass(frozen=True)
class CustomerRow:
    id: int
    code: str
    name: str
    contact: str | None
    email: str | None
    phone: str | None
    address: str | None
    tax_id: str | None
    notes: str | None
    archived: bool
    open_orders: int
    total_orders: int
    version: int


@dataclass(frozen=True)
class WarehouseRow:
    id: int
    code: str
    name: str
    kind: str
    adr: bool
    archived: bool
    batch_count: int  # batches with stock here
    version: int


@dataclass(frozen=True)
class MaterialRow:
    id: int
    code: str
    name: str
    kind: str
    unit: str
    reorder_level: Decimal
    shelf_life_days: int | None
    archived: bool
    stock: Decimal  # in every warehouse
    version: int


@dataclass(frozen=True)
class SupplierRow:
    id: int
    code: str
    name: str
    contact: str | None
    email: str | None
    phone: str | None
    address: str | None
    tax_id: str | None
    archived: bool
    batch_count: int  # batches received from them
    last_receipt: datetime | None
    version: int


@dataclass(frozen=True)
class LineRow:
    id: int
    code: str
    name: str
    stage: str
    rate_per_hour: Decimal
    rate_unit: str
    archived: bool
    queued: int  # orders planned or running on it
    version: int


@dataclass(frozen=True)
class SuppliedBatch:
    """A batch a supplier delivered: what was received, and what of it is left."""

    number: str
    material_code: str
    material_name: str
    unit: str
    received_at: datetime
    received: Decimal
    quantity: Decimal
    status: str
    expiry_date: date | None


@dataclass(frozen=True)
class PlantSetup:
    """How much of the plant exists yet (records in use): an empty plant cannot receive, plan or make anything."""

    warehouses: int
    materials: int
    lines: int
    suppliers: int
    customers: int

    @property
    def missing(self) -> tuple[str, ...]:
        """What a plant needs before work can start and does not have: "warehouses", "materials", "lines"."""
        return tuple(name for name in ("warehouses", "materials", "lines") if not getattr(self, name))


@dataclass(frozen=True)
class TraceNode:
    """One node of a batch's genealogy: a batch, an order, a supplier, a delivery or a customer."""

    kind: str
    key: str
    label: str
    detail: str = ""
    children: tuple[TraceNode, ...] = field(default_factory=tuple)
    quantity: Decimal | None = None  # how much of a batch went into the order above it, or came out of it
    unit: str = ""


class LabelOrigin(StrEnum):
    """Where a labelled batch came from: bought from a supplier, or made by a production order."""

    SUPPLIER = "supplier"
    ORDER = "order"


@dataclass(frozen=True)
class BatchLabel:
    number: str
    material_code: str
    material_name: str
    quantity: Decimal
    unit: str
    origin_kind: LabelOrigin
    origin: str
    received_at: datetime
    expiry_date: date | None
    status: str
    status_reason: str | None


@dataclass(frozen=True)
class StockLine:
    warehouse_code: str
    warehouse_name: str
    material_code: str
    material_name: str
    unit: str
    batch_number: str
    quantity: Decimal
    status: str
    expiry_date: date | None


@dataclass(frozen=True)
class MovementRow:
    created_at: datetime
    kind: str
    quantity: Decimal
    unit: str
    from_warehouse: str | None
    to_warehouse: str | None
    order_number: str | None
    username: str
    note: str | None


@dataclass(frozen=True)
class BatchFacts:
    """One batch as a whole: what it is, where it came from, its quality and how much of it there is."""

    id: int
    number: str
    material_code: str
    material_name: str
    unit: str
    supplier_code: str | None
    supplier_name: str | None
    order_number: str | None
    received_at: datetime
    expiry_date: date | None
    status: str
    status_reason: str | None
    version: int
    made: Decimal  # received or produced
    in_stock: Decimal


@dataclass(frozen=True)
class WarehouseBalance:
    warehouse_code: str
    warehouse_name: str
    quantity: Decimal
    unit: str


@dataclass(frozen=True)
class QualityStep:
    """A quality decision on a batch, or its arrival (pending) from the journal."""

    occurred_at: datetime
    username: str
    action: str  # received, produced, approved, blocked
    status: str
    reason: str | None


@dataclass(frozen=True)
class ReportHeader:
    plant: str
    title: str
    filters: tuple[tuple[str, str], ...]
    printed_by: str
    printed_at: datetime
