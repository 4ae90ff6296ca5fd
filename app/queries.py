"""Paged reads for the plant's tables. Filtering, sorting and counting happen in SQL;
each call returns the number of matching rows and one page of frozen rows.

Each list declares the keys it sorts by (`INVENTORY_SORTS`, `BATCH_SORTS`, …) beside it;
the client's table models offer exactly those. Columns are labelled with the names of the
DTO fields they fill and rows are read by name (app/rows.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    Integer,
    Row,
    Select,
    String,
    and_,
    case,
    column,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    table,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from app.dto import (
    BalanceRow,
    BatchRow,
    CustomerRow,
    EventRow,
    InventoryRow,
    LineQueue,
    LineRow,
    LineStopRow,
    MaterialRow,
    OrderRow,
    Page,
    PlantSetup,
    ScheduledOrder,
    Shortage,
    StopReasonRow,
    SuppliedBatch,
    SupplierRow,
    UserRow,
    WarehouseRow,
)
from app.errors import ValidationError
from app.permissions import parse_role, require
from app.rows import dto_from_row, field_names, labelled
from data.models import (
    Batch,
    Customer,
    Event,
    LineStop,
    Material,
    Product,
    ProductionLine,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    RecipeLine,
    StockBalance,
    StockMovement,
    StopReason,
    Supplier,
    SupplierMaterial,
    User,
    Warehouse,
)
from data.types import Price, Quantity, UTCDateTime
from data.uow import UnitOfWork
from domain.schedule import DayLoad, Downtime, Estimate, Job, day_loads, estimate, hours_of, late_cause, shortages
from domain.vocabulary import OPEN_ORDER_STATUSES, QUANTITY_SCALE, BatchStatus, MovementKind, OrderStatus

T = TypeVar("T")
MAX_PAGE = 1000
SYSTEM_USERNAME = "system"  # how the journal names changes made by no signed-in person


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    # autoescape: a clerk searching for "50%" or "A_1" means those characters literally.
    return func.lower(column).contains(text.lower(), autoescape=True)


def _text_filter(text: str | None, *columns: Any) -> ColumnElement[bool] | None:
    if text is None or not text.strip():
        return None
    needle = text.strip()
    return or_(*(_contains(c, needle) for c in columns))


def decimal_quantity(value: Any) -> Decimal:
    """A quantity as SQL aggregates return it (SQLite: an int of thousandths made plain, or a float)."""
    return value if isinstance(value, Decimal) else Decimal(value).quantize(Decimal(1).scaleb(-QUANTITY_SCALE))


def sort_columns(declared: tuple[str, ...], **columns: Any) -> dict[str, Any]:
    """The SQL column behind each sort key a list declares; refuses a key declared without a column, or the reverse."""
    if tuple(columns) != declared:
        raise TypeError(f"sort keys {tuple(columns)} differ from the declared {declared}")
    return columns


@dataclass(frozen=True)
class Sorting:
    """How one request sorts: the forward order, and the same order read from the far end."""

    forward: list[Any]
    backward: list[Any]


def sorting(sort: str | None, descending: bool, columns: dict[str, Any], default: str, tiebreak: Any) -> Sorting:
    key = sort or default
    if key not in columns:
        raise ValidationError(f"Cannot sort by “{key}”.", "sort")
    column = columns[key]
    forward = [column.desc() if descending else column.asc(), tiebreak.desc() if descending else tiebreak.asc()]
    backward = [column.asc() if descending else column.desc(), tiebreak.asc() if descending else tiebreak.desc()]
    return Sorting(forward, backward)


def paged(
    uow: UnitOfWork,
    stmt: Select[Any],
    order: Sorting,
    make: Callable[[Row[Any]], T],
    *,
    offset: int,
    limit: int,
    total: int | None = None,
    from_far_end: bool = True,
) -> Page[T]:
    """One page of any list: count (unless the caller has), then fetch; deep pages are read from the far end."""
    if limit < 1 or limit > MAX_PAGE:
        raise ValidationError(f"A page holds 1 to {MAX_PAGE} rows.", "limit")
    if offset < 0:
        raise ValidationError("The page offset cannot be negative.", "offset")
    if total is None:
        total = uow.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    if offset >= total:
        return Page(total=total, offset=offset, rows=())
    if from_far_end and offset > total // 2:
        # Skipping 900,000 rows of an index costs as much as reading them; from the
        # far end the same page is a short skip.
        count = min(limit, total - offset)
        rows = list(uow.session.execute(stmt.order_by(*order.backward).offset(total - offset - count).limit(count)))
        rows.reverse()
    else:
        rows = list(uow.session.execute(stmt.order_by(*order.forward).offset(offset).limit(limit)))
    return Page(total=total, offset=offset, rows=tuple(make(r) for r in rows))


# ---------------------------------------------------------------- inventory


@dataclass(frozen=True)
class InventoryFilter:
    text: str | None = None
    warehouse: str | None = None
    material_kind: str | None = None
    below_reorder_only: bool = False


INVENTORY_SORTS = ("material_code", "material_name", "quantity", "usable", "on_hold", "batch_count")


def inventory(
    uow: UnitOfWork,
    flt: InventoryFilter = InventoryFilter(),
    *,
    sort: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> Page[InventoryRow]:
    """Stock by material: each material's row with its totals, then its stock per warehouse.

    Every material in use is listed, also when its stock is used up (it shows at zero, and below its
    reorder level when it has one); an archived one only while it still has stock. A warehouse
    chosen in the filter narrows the rows and their totals to that warehouse. Quantities are split
    into usable (approved, unexpired) and on hold (pending, blocked or expired). Sorting orders the
    materials; a material's warehouse rows always follow it, in warehouse order.
    """
    require(uow.actor, "read")
    with uow:
        today = uow.today()
        usable_now = and_(
            Batch.status == BatchStatus.APPROVED.value, or_(Batch.expiry_date.is_(None), Batch.expiry_date >= today)
        )
        usable_qty = type_coerce(case((usable_now, StockBalance.quantity), else_=0), Quantity)
        stock = (
            select(Batch.material_id.label("material_id"), StockBalance.warehouse_id.label("warehouse_id"))
            .add_columns(
                StockBalance.batch_id.label("batch_id"),
                StockBalance.quantity.label("quantity"),
                usable_qty.label("usable"),
            )
            .select_from(StockBalance)
            .join(Batch, Batch.id == StockBalance.batch_id)
            .where(StockBalance.quantity > 0)
        )
        plant = stock.subquery("plant")
        if flt.warehouse:
            stock = stock.join(Warehouse, Warehouse.id == StockBalance.warehouse_id).where(
                Warehouse.code == flt.warehouse
            )
        shown = stock.subquery("shown")
        per_material = (
            select(
                shown.c.material_id,
                type_coerce(func.sum(shown.c.quantity), Quantity).label("quantity"),
                type_coerce(func.sum(shown.c.usable), Quantity).label("usable"),
                func.count(func.distinct(shown.c.batch_id)).label("batches"),
            )
            .group_by(shown.c.material_id)
            .subquery("per_material")
        )
        per_warehouse = (
            select(
                shown.c.material_id,
                shown.c.warehouse_id,
                type_coerce(func.sum(shown.c.quantity), Quantity).label("quantity"),
                type_coerce(func.sum(shown.c.usable), Quantity).label("usable"),
                func.count(shown.c.batch_id).label("batches"),
            )
            .group_by(shown.c.material_id, shown.c.warehouse_id)
            .subquery("per_warehouse")
        )
        everywhere = (
            select(plant.c.material_id, type_coerce(func.sum(plant.c.quantity), Quantity).label("total"))
            .group_by(plant.c.material_id)
            .subquery("everywhere")
        )
        zero = type_coerce(literal(0), Quantity)
        last_paid = (
            select(PurchaseOrderLine.price)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            .where(PurchaseOrderLine.material_id == Material.id, PurchaseOrder.sent_at.is_not(None))
            .order_by(PurchaseOrder.sent_at.desc(), PurchaseOrderLine.id.desc())
            .limit(1)
            .correlate(Material)
            .scalar_subquery()
        )
        cheapest = (
            select(func.min(SupplierMaterial.price))
            .where(SupplierMaterial.material_id == Material.id)
            .correlate(Material)
            .scalar_subquery()
        )
        last_price = type_coerce(func.coalesce(last_paid, cheapest), Price)
        group_qty = type_coerce(func.coalesce(per_material.c.quantity, zero), Quantity)
        group_usable = type_coerce(func.coalesce(per_material.c.usable, zero), Quantity)
        group_batches = func.coalesce(per_material.c.batches, 0)
        total = type_coerce(func.coalesce(everywhere.c.total, zero), Quantity)

        def columns(
            level: int, warehouse_id: Any, warehouse_code: Any, qty: Any, usable: Any, batches: Any
        ) -> list[Any]:
            return [
                Material.id.label("material_id"),
                Material.code.label("material_code"),
                Material.name.label("material_name"),
                Material.kind.label("material_kind"),
                warehouse_id.label("warehouse_id"),
                warehouse_code.label("warehouse_code"),
                Material.unit.label("unit"),
                type_coerce(qty, Quantity).label("quantity"),
                type_coerce(usable, Quantity).label("usable"),
                type_coerce(qty - usable, Quantity).label("on_hold"),
                batches.label("batch_count"),
                Material.reorder_level.label("reorder_level"),
                total.label("material_total"),
                and_(Material.reorder_level > 0, total < Material.reorder_level).label("below_reorder"),
                literal(level).label("level"),
                group_qty.label("g_quantity"),
                group_usable.label("g_usable"),
                type_coerce(group_qty - group_usable, Quantity).label("g_on_hold"),
                group_batches.label("g_batches"),
                last_price.label("last_price"),
            ]

        no_warehouse = type_coerce(null(), Integer), type_coerce(null(), String)
        materials = (
            select(*columns(0, *no_warehouse, group_qty, group_usable, group_batches))
            .select_from(Material)
            .outerjoin(per_material, per_material.c.material_id == Material.id)
            .outerjoin(everywhere, everywhere.c.material_id == Material.id)
        )
        # A chosen warehouse shows the materials it holds; otherwise every material in use, and an
        # archived one while it still has stock.
        if flt.warehouse:
            materials = materials.where(per_material.c.material_id.is_not(None))
        else:
            materials = materials.where(or_(Material.archived.is_(False), per_material.c.material_id.is_not(None)))
        warehouses = (
            select(
                *columns(
                    1,
                    Warehouse.id,
                    Warehouse.code,
                    per_warehouse.c.quantity,
                    per_warehouse.c.usable,
                    per_warehouse.c.batches,
                )
            )
            .select_from(per_warehouse)
            .join(Material, Material.id == per_warehouse.c.material_id)
            .join(Warehouse, Warehouse.id == per_warehouse.c.warehouse_id)
            .join(per_material, per_material.c.material_id == Material.id)
            .outerjoin(everywhere, everywhere.c.material_id == Material.id)
        )
        rows = union_all(materials, warehouses).subquery("inventory")
        stmt = select(
            *labelled(InventoryRow, extra=("level",), **{name: rows.c[name] for name in field_names(InventoryRow)}),
            rows.c.level.label("level"),
        )
        cond = _text_filter(flt.text, rows.c.material_code, rows.c.material_name)
        if cond is not None:
            stmt = stmt.where(cond)
        if flt.material_kind:
            stmt = stmt.where(rows.c.material_kind == flt.material_kind)
        if flt.below_reorder_only:
            stmt = stmt.where(rows.c.below_reorder)
        columns_by_key = sort_columns(
            INVENTORY_SORTS,
            material_code=rows.c.material_code,
            material_name=rows.c.material_name,
            quantity=rows.c.g_quantity,
            usable=rows.c.g_usable,
            on_hold=rows.c.g_on_hold,
            batch_count=rows.c.g_batches,
        )
        key = sort or "material_code"
        if key not in columns_by_key:
            raise ValidationError(f"Cannot sort by “{key}”.", "sort")
        group = columns_by_key[key]
        # The materials in the order asked for; under each, its own row first, then its warehouses.
        order = Sorting(
            [group.desc() if descending else group.asc(), rows.c.material_id, rows.c.level, rows.c.warehouse_code],
            [],
        )
        return paged(
            uow,
            stmt,
            order,
            lambda r: dto_from_row(
                InventoryRow,
                r,
                extra=("level",),
                quantity=decimal_quantity(r.quantity),
                usable=decimal_quantity(r.usable),
                on_hold=decimal_quantity(r.on_hold),
                material_total=decimal_quantity(r.material_total),
                batch_count=int(r.batch_count),
                below_reorder=bool(r.below_reorder),
            ),
            offset=offset,
            limit=limit,
            from_far_end=False,
        )


def inventory_batches(uow: UnitOfWork, *, material_id: int, warehouse_id: int | None = None) -> tuple[BalanceRow, ...]:
    """The batches behind an inventory row (drill-down)."""
    require(uow.actor, "read")
    with uow:
        stmt = (
            select(
                *labelled(
                    BalanceRow,
                    batch_id=Batch.id,
                    batch_number=Batch.number,
                    warehouse_code=Warehouse.code,
                    quantity=StockBalance.quantity,
                    unit=Material.unit,
                    status=Batch.status,
                    expiry_date=Batch.expiry_date,
                )
            )
            .select_from(StockBalance)
            .join(Batch, Batch.id == StockBalance.batch_id)
            .join(Material, Material.id == Batch.material_id)
            .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
            .where(Batch.material_id == material_id, StockBalance.quantity > 0)
            .order_by(Batch.expiry_date.is_(None), Batch.expiry_date, Batch.number, Warehouse.code)
        )
        if warehouse_id is not None:
            stmt = stmt.where(StockBalance.warehouse_id == warehouse_id)
        return tuple(dto_from_row(BalanceRow, r) for r in uow.session.execute(stmt))


# ---------------------------------------------------------------- batches


@dataclass(frozen=True)
class BatchFilter:
    text: str | None = None
    status: str | None = None
    material: str | None = None
    warehouse: str | None = None
    expires_from: date | None = None
    expires_to: date | None = None
    in_stock_only: bool = False


BATCH_SORTS = ("number", "material_code", "origin", "received_at", "expiry_date", "status", "quantity")


def batches(
    uow: UnitOfWork,
    flt: BatchFilter = BatchFilter(),
    *,
    sort: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> Page[BatchRow]:
    require(uow.actor, "read")
    if flt.expires_from and flt.expires_to and flt.expires_from > flt.expires_to:
        raise ValidationError("The expiry window ends before it starts.", "expires_to")
    with uow:
        qty = (
            select(func.coalesce(func.sum(StockBalance.quantity), 0))
            .where(StockBalance.batch_id == Batch.id)
            .correlate(Batch)
            .scalar_subquery()
        )
        locations = (
            select(func.aggregate_strings(Warehouse.code, ", "))
            .select_from(StockBalance)
            .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
            .where(StockBalance.batch_id == Batch.id, StockBalance.quantity > 0)
            .correlate(Batch)
            .scalar_subquery()
        )
        origin = func.coalesce(Supplier.name, ProductionOrder.number)
        stmt = (
            select(
                *labelled(
                    BatchRow,
                    id=Batch.id,
                    number=Batch.number,
                    material_code=Material.code,
                    material_name=Material.name,
                    unit=Material.unit,
                    origin=origin,
                    supplier_code=Supplier.code,
                    order_number=ProductionOrder.number,
                    received_at=Batch.received_at,
                    expiry_date=Batch.expiry_date,
                    status=Batch.status,
                    status_reason=Batch.status_reason,
                    quantity=qty,
                    locations=locations,
                    version=Batch.version,
                )
            )
            .select_from(Batch)
            .join(Material, Material.id == Batch.material_id)
            .outerjoin(Supplier, Supplier.id == Batch.supplier_id)
            .outerjoin(ProductionOrder, ProductionOrder.id == Batch.production_order_id)
        )
        stmt = _batch_filters(stmt, flt)
        columns = sort_columns(
            BATCH_SORTS,
            number=Batch.number,
            material_code=Material.code,
            origin=origin,
            received_at=Batch.received_at,
            expiry_date=Batch.expiry_date,
            status=Batch.status,
            quantity=qty,
        )
        order = sorting(sort, descending, columns, "received_at", Batch.id)
        return paged(
            uow,
            stmt,
            order,
            lambda r: dto_from_row(
                BatchRow, r, origin=r.origin or "", quantity=decimal_quantity(r.quantity), locations=r.locations or ""
            ),
            offset=offset,
            limit=limit,
        )


def _batch_filters(stmt: Select[Any], flt: BatchFilter) -> Select[Any]:
    cond = _text_filter(flt.text, Batch.number, Material.code, Material.name, Supplier.name, ProductionOrder.number)
    if cond is not None:
        stmt = stmt.where(cond)
    if flt.status:
        stmt = stmt.where(Batch.status == flt.status)
    if flt.material:
        stmt = stmt.where(Material.code == flt.material)
    if flt.warehouse:
        stmt = stmt.where(
            Batch.id.in_(
                select(StockBalance.batch_id)
                .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
                .where(Warehouse.code == flt.warehouse, StockBalance.quantity > 0)
            )
        )
    elif flt.in_stock_only:
        stmt = stmt.where(Batch.id.in_(select(StockBalance.batch_id).where(StockBalance.quantity > 0)))
    if flt.expires_from:
        stmt = stmt.where(Batch.expiry_date >= flt.expires_from)
    if flt.expires_to:
        stmt = stmt.where(Batch.expiry_date <= flt.expires_to)
    return stmt


# ---------------------------------------------------------------- production


def _order_columns(*, extra: dict[str, Any] | None = None) -> list[ColumnElement[Any]]:
    """An OrderRow's columns (its position is counted by the reader), and any the query needs besides."""
    more = extra or {}
    return labelled(
        OrderRow,
        computed=("position",),
        extra=more,
        id=ProductionOrder.id,
        number=ProductionOrder.number,
        customer_code=Customer.code,
        customer_name=Customer.name,
        product_code=Product.code,
        product_name=Product.name,
        note=ProductionOrder.note,
        quantity=ProductionOrder.quantity,
        unit=ProductionOrder.unit,
        priority=ProductionOrder.priority,
        due_date=ProductionOrder.due_date,
        status=ProductionOrder.status,
        line_code=ProductionLine.code,
        version=ProductionOrder.version,
        **more,
    )


def _order_row(r: Row[Any], position: int | None = None, *, extra: tuple[str, ...] = ()) -> OrderRow:
    return dto_from_row(OrderRow, r, extra=extra, position=position)


@dataclass(frozen=True)
class OrderFilter:
    text: str | None = None
    status: str | None = None
    customer: str | None = None
    product: str | None = None
    line: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    late_only: bool = False  # still open after the due date


def _order_filters(stmt: Select[Any], flt: OrderFilter, today: date, backend: str = "") -> Select[Any]:
    if flt.due_from and flt.due_to and flt.due_from > flt.due_to:
        raise ValidationError("The due dates end before they start.", "due_to")
    columns = (ProductionOrder.number, ProductionOrder.note, Product.code, Product.name, Customer.name, Customer.code)
    needle = (flt.text or "").strip()
    if backend == "sqlite" and needle.isascii():
        # SQLite's own LIKE folds ASCII case without a Python call per row (an order number, a code)
        cond = or_(*(c.contains(needle, autoescape=True) for c in columns)) if needle else None
    else:
        cond = _text_filter(flt.text, *columns)
    if cond is not None:
        stmt = stmt.where(cond)
    if flt.status:
        stmt = stmt.where(ProductionOrder.status == flt.status)
    if flt.customer:
        stmt = stmt.where(Customer.code == flt.customer)
    if flt.product:
        stmt = stmt.where(Product.code == flt.product)
    if flt.line:
        stmt = stmt.where(ProductionLine.code == flt.line)
    if flt.due_from:
        stmt = stmt.where(ProductionOrder.due_date >= flt.due_from)
    if flt.due_to:
        stmt = stmt.where(ProductionOrder.due_date <= flt.due_to)
    if flt.late_only:
        stmt = stmt.where(_late(today))
    return stmt


def _late(today: date) -> ColumnElement[bool]:
    return and_(ProductionOrder.status.in_(tuple(OPEN_ORDER_STATUSES)), ProductionOrder.due_date < today)


ORDER_SORTS = ("number", "customer_name", "priority", "due_date", "quantity", "status")


def orders(
    uow: UnitOfWork,
    flt: OrderFilter = OrderFilter(),
    *,
    sort: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> Page[OrderRow]:
    """Any orders; with status "new" this is the planning board's backlog."""
    require(uow.actor, "read")
    with uow:
        stmt = (
            select(*_order_columns())
            .select_from(ProductionOrder)
            .join(Customer, Customer.id == ProductionOrder.customer_id)
            .join(Product, Product.id == ProductionOrder.product_id)
            .outerjoin(ProductionLine, ProductionLine.id == ProductionOrder.line_id)
        )
        stmt = _order_filters(stmt, flt, uow.today(), uow.backend)
        columns = sort_columns(
            ORDER_SORTS,
            number=ProductionOrder.number,
            customer_name=Customer.name,
            priority=ProductionOrder.priority,
            due_date=ProductionOrder.due_date,
            quantity=ProductionOrder.quantity,
            status=ProductionOrder.status,
        )
        order = sorting(sort, descending, columns, "due_date", ProductionOrder.id)
        if sort is None:  # the planner's view: most urgent first
            order = Sorting(
                [ProductionOrder.priority.asc(), ProductionOrder.due_date.asc(), ProductionOrder.id.asc()],
                [ProductionOrder.priority.desc(), ProductionOrder.due_date.desc(), ProductionOrder.id.desc()],
            )
        return paged(uow, stmt, order, _order_row, offset=offset, limit=limit)


def backlog(uow: UnitOfWork, text: str | None = None, *, offset: int = 0, limit: int = 200) -> Page[OrderRow]:
    return orders(uow, OrderFilter(text=text, status=OrderStatus.NEW), offset=offset, limit=limit)


def line_queues(uow: UnitOfWork, *, now: datetime | None = None, line: str | None = None) -> tuple[LineQueue, ...]:
    """Every line's queue in sequence, each order with its estimated start and end.

    The estimate is domain.schedule.estimate: the line works at its nominal rate whenever it is
    not stopped; a running order counts from when it started, less the time the line stood
    still since; the others follow back to back, around the line's stops (open ones counted up
    to now, planned ones ahead). An order is late when its estimated end falls after its due
    day. Each line also carries the stop it stands in now, if any (`LineQueue.stopped`).
    """
    require(uow.actor, "read")
    moment = now or uow.now()
    with uow:
        lines_stmt = select(ProductionLine).order_by(ProductionLine.code)
        if line:
            lines_stmt = lines_stmt.where(ProductionLine.code == line)
        else:  # an archived line runs nothing (it was archived with an empty queue) and takes no plans
            lines_stmt = lines_stmt.where(ProductionLine.archived.is_(False))
        lines = uow.session.scalars(lines_stmt).all()
        if line and not lines:
            raise ValidationError(f"There is no production line “{line}”.", "line")
        scheduling = {
            "line_id": ProductionOrder.line_id,
            "started_at": ProductionOrder.started_at,
            "product_id": ProductionOrder.product_id,
        }
        rows = uow.session.execute(
            select(*_order_columns(extra=scheduling))
            .select_from(ProductionOrder)
            .join(Customer, Customer.id == ProductionOrder.customer_id)
            .join(Product, Product.id == ProductionOrder.product_id)
            .join(ProductionLine, ProductionLine.id == ProductionOrder.line_id)
            .where(ProductionOrder.queue_rank.is_not(None), ProductionOrder.line_id.in_([ln.id for ln in lines]))
            .order_by(ProductionOrder.line_id, ProductionOrder.queue_rank)
        ).all()
        # The labels are checked once (the first row, the usual way); the thousands of rows are then read as
        # plain dicts of their labels, which is several times cheaper than a Row's attributes or mapping.
        if rows:
            _order_row(rows[0], 1, extra=tuple(scheduling))
        labels = rows[0]._fields if rows else ()
        read = [dict(zip(labels, r, strict=True)) for r in rows]
        by_line: dict[int, list[dict[str, Any]]] = {}
        for r in read:
            by_line.setdefault(r["line_id"], []).append(r)
        since = min((r["started_at"] for r in read if r["started_at"] is not None), default=moment)
        stops = _stops_from(uow, min(since, moment), [ln.id for ln in lines] if line else None)
        tz = _local_tz()
        order_fields = tuple(name for name in field_names(OrderRow) if name != "position")

        def order_of(r: dict[str, Any], position: int) -> OrderRow:
            return OrderRow(**{name: r[name] for name in order_fields}, position=position)

        planned = []  # each line with its queue, stops, jobs and their estimates
        for ln in lines:
            queued = by_line.get(ln.id, [])
            line_stops = stops.get(ln.id, [])
            jobs = [
                Job(
                    r["quantity"],
                    datetime.combine(r["due_date"], time.max, tzinfo=tz),
                    r["started_at"] if r["status"] in RUNNING_STATUSES else None,
                )
                for r in queued
            ]
            runs = estimate(moment, ln.rate_per_hour, jobs, [Downtime(st.started_at, st.ended_at) for st in line_stops])
            planned.append((ln, queued, line_stops, jobs, runs))
        short = _short_of_material(
            uow, [(r, run) for _ln, queued, _s, _j, runs in planned for r, run in zip(queued, runs, strict=True)]
        )
        result = []
        for ln, queued, line_stops, jobs, runs in planned:
            hours = [hours_of(r["quantity"], ln.rate_per_hour) for r in queued]
            # only a running order overruns, and it is at the head of its line: every order behind it waits for it
            overrun_at_head = bool(runs) and bool(runs[0].overrun)
            scheduled = tuple(
                ScheduledOrder(
                    order_of(r, position),
                    run.start,
                    run.end,
                    run.late,
                    run.hours_left,
                    run.delayed_by,
                    run.overrun,
                    late_cause(
                        run,
                        job.due_by,
                        moment,
                        hours[position - 1],
                        overrun_at_head and position > 1,
                        r["id"] in short,
                        r["id"] in short and short[r["id"]].made_by is not None,
                    ),
                    hours[position - 1],
                    short.get(r["id"]),
                )
                for position, (r, run, job) in enumerate(zip(queued, runs, jobs, strict=True), start=1)
            )
            current = next((st for st in line_stops if _stands(st, moment)), None)
            loads = _loads(moment, tz, scheduled, line_stops)
            result.append(
                LineQueue(
                    ln.id,
                    ln.code,
                    ln.name,
                    ln.stage,
                    ln.rate_per_hour,
                    ln.rate_unit,
                    scheduled,
                    current,
                    tuple(line_stops),
                    loads,
                )  # fmt: skip
            )
        return tuple(result)


def _short_of_material(uow: UnitOfWork, queued: list[tuple[dict[str, Any], Estimate]]) -> dict[int, Shortage]:
    """The queued orders yet to start that their recipe's own step finds short of a material, by order id:
    the usable stock (approved, unexpired) goes to the orders in the order they are estimated to start.
    When a queued order of an earlier stage makes the material, the shortage names it."""
    waiting = sorted(((run.start, r) for r, run in queued if r["status"] not in RUNNING_STATUSES), key=lambda w: w[0])
    products = {r["product_id"] for _start, r in waiting}
    if not products:
        return {}
    recipes: dict[int, list[Any]] = {}
    for line in uow.session.execute(
        select(
            RecipeLine.product_id.label("product_id"),
            RecipeLine.material_id.label("material_id"),
            RecipeLine.quantity.label("per_unit"),
            RecipeLine.scrap_percent.label("scrap"),
        )
        .join(
            Product,
            and_(
                Product.id == RecipeLine.product_id,
                Product.recipe_revision == RecipeLine.revision,
                Product.stage
                == RecipeLine.stage,  # the order runs its product's own step; earlier steps are other orders
            ),
        )
        .where(RecipeLine.product_id.in_(products))
    ):
        recipes.setdefault(line.product_id, []).append(line)
    materials = {line.material_id for lines in recipes.values() for line in lines}
    if not materials:
        return {}
    today = uow.today()
    usable = {
        row.material_id: row.usable
        for row in uow.session.execute(
            select(
                Batch.material_id.label("material_id"),
                type_coerce(func.sum(StockBalance.quantity), Quantity).label("usable"),
            )
            .join(Batch, Batch.id == StockBalance.batch_id)
            .where(
                Batch.material_id.in_(materials),
                Batch.status == BatchStatus.APPROVED.value,
                or_(Batch.expiry_date.is_(None), Batch.expiry_date >= today),
                StockBalance.quantity > 0,
            )
            .group_by(Batch.material_id)
        )
    }
    per_unit = {  # each product's materials, and how much of each a unit takes with its scrap
        product: [(line.material_id, line.per_unit * (1 + line.scrap / 100)) for line in lines]
        for product, lines in recipes.items()
    }
    needs = [
        (r["id"], material, r["quantity"] * factor)
        for _start, r in waiting
        for material, factor in per_unit.get(r["product_id"], ())
    ]
    short = shortages(needs, usable)
    if not short:
        return {}
    missing_ids = {material for material, _missing in short.values()}
    known = {
        row.id: (row.name, row.unit)
        for row in uow.session.execute(
            select(Material.id, Material.name, Material.unit).where(Material.id.in_(missing_ids))
        )
    }
    makes = {  # the products whose batches are a missing material: an earlier stage makes it
        row.id: row.output_material_id
        for row in uow.session.execute(
            select(Product.id, Product.output_material_id).where(Product.output_material_id.in_(missing_ids))
        )
    }
    made_by: dict[int, tuple[datetime, str, str]] = {}  # material: the queued order making it that ends first
    for r, run in queued:
        material = makes.get(r["product_id"])
        if material is not None and (material not in made_by or run.end < made_by[material][0]):
            made_by[material] = (run.end, r["number"], r["line_code"])
    result = {}
    for order, (material, missing) in short.items():
        maker = made_by.get(material)
        result[order] = Shortage(
            known[material][0], missing, known[material][1], *((maker[1], maker[2], maker[0]) if maker else ())
        )
    return result


RUNNING_STATUSES = frozenset(s.value for s in OrderStatus if s.is_running)  # looked up for thousands of orders
LOAD_DAYS = (7, 62)  # a line's load is shown for at least a week from today, and at most two months


def _loads(
    moment: datetime, tz: Any, scheduled: tuple[ScheduledOrder, ...], stops: list[LineStopRow]
) -> tuple[DayLoad, ...]:
    """The line's work due per day against its free hours, from today to its last due day or estimated end."""
    today = moment.astimezone(tz).date()
    last = max(
        [today, *(o.order.due_date for o in scheduled), *(o.estimated_end.astimezone(tz).date() for o in scheduled)]
    )
    days = min(max((last - today).days + 1, LOAD_DAYS[0]), LOAD_DAYS[1])
    due = [(o.order.due_date, o.hours_left) for o in scheduled]
    return day_loads(moment, tz, today, days, due, [Downtime(st.started_at, st.ended_at) for st in stops])


def _stands(stop: LineStopRow, moment: datetime) -> bool:
    """Is the line standing in this stop at `moment`?"""
    return stop.started_at <= moment and (stop.ended_at is None or stop.ended_at > moment)


def _stops_from(uow: UnitOfWork, since: datetime, line_ids: list[int] | None) -> dict[int, list[LineStopRow]]:
    """Each line's stops that are open or end after `since`, oldest first."""
    stmt = (
        _line_stop_select(extra={"line_id": LineStop.line_id})
        .where(or_(LineStop.ended_at.is_(None), LineStop.ended_at > since))
        .order_by(LineStop.line_id, LineStop.started_at)
    )
    if line_ids is not None:
        stmt = stmt.where(LineStop.line_id.in_(line_ids))
    found: dict[int, list[LineStopRow]] = {}
    for r in uow.session.execute(stmt):
        found.setdefault(r.line_id, []).append(dto_from_row(LineStopRow, r, extra=("line_id",)))
    return found


def _local_tz() -> Any:
    return datetime.now().astimezone().tzinfo or UTC


# ---------------------------------------------------------------- events


# The journal's subjects, each with the number or code people know it by (a new kind of subject: one line).
SUBJECT_KEYS: dict[str, Any] = {
    "batch": Batch.number,
    "order": ProductionOrder.number,
    "customer": Customer.code,
    "user": User.username,
    "line": ProductionLine.code,
    "warehouse": Warehouse.code,
    "material": Material.code,
    "supplier": Supplier.code,
    "line_stop": LineStop.id,  # a stop has no number of its own: it is known by its id
    "stop_reason": StopReason.code,
}


@dataclass(frozen=True)
class EventFilter:
    date_from: date | None = None
    date_to: date | None = None
    username: str | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    action: str | None = None
    text: str | None = None


def _event_conditions(uow: UnitOfWork, flt: EventFilter) -> tuple[list[ColumnElement[bool]], str, int | None]:
    """The journal filter's conditions, its text needle, and the number of matches if already known."""
    if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
        raise ValidationError("The date range ends before it starts.", "date_to")
    filters: list[ColumnElement[bool]] = []
    tz = _local_tz()
    if flt.date_from:
        filters.append(Event.occurred_at >= datetime.combine(flt.date_from, time.min, tzinfo=tz))
    if flt.date_to:
        filters.append(Event.occurred_at < datetime.combine(flt.date_to + timedelta(days=1), time.min, tzinfo=tz))
    if flt.username:
        filters.append(
            Event.user_id.is_(None)
            if flt.username == SYSTEM_USERNAME
            else Event.user_id == select(User.id).where(User.username == flt.username).scalar_subquery()
        )
    if flt.entity_type:
        filters.append(Event.entity_type == flt.entity_type)
    if flt.entity_id is not None:
        filters.append(Event.entity_id == flt.entity_id)
    if flt.action:
        filters.append(Event.action == flt.action)
    needle = flt.text.strip() if flt.text else ""
    known_total = None
    if needle:
        condition, hits = _event_text(uow, needle)
        known_total = hits if not filters else None  # the index probe counted them already
        filters.append(condition)
    return filters, needle, known_total


EVENT_SORTS = ("occurred_at", "username", "entity_type", "action")


def events(
    uow: UnitOfWork,
    flt: EventFilter = EventFilter(),
    *,
    sort: str | None = None,
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
    quick: bool = False,
) -> Page[EventRow]:
    """The journal, newest first unless asked otherwise.

    `quick`: a text found in hundreds of thousands of entries would keep the first
    page waiting for the exact count (150–200 ms for half a million matches), while
    the page itself takes a few milliseconds. Asked quick, the first page's count
    stops at COMMON_MATCHES and the page says it was not counted. Later pages are
    always counted exactly, so the client reads one in the background for the total.
    """
    require(uow.actor, "read")
    with uow:
        filters, needle, known_total = _event_conditions(uow, flt)
        counted = True
        if known_total is not None:
            total = known_total
        elif quick and needle and offset == 0:
            cap = max(COMMON_MATCHES, limit)  # the page lies within what is counted
            found = (
                uow.session.scalar(
                    select(func.count()).select_from(
                        select(literal(1)).select_from(Event).where(*filters).limit(cap).subquery()
                    )
                )
                or 0
            )
            total, counted = found, found < cap
        else:
            total = uow.session.scalar(select(func.count()).select_from(Event).where(*filters)) or 0
        source: Any = Event
        if needle and total < COMMON_MATCHES:
            # Few matches: collect them through the text index, then sort. Left alone, the
            # planner walks the time index hoping to meet matches early, which for a rare
            # needle means reading the whole journal.
            matched = select(Event.id).where(*filters).cte("matched").prefix_with("MATERIALIZED")
            source = Event.__table__.join(matched, matched.c.id == Event.id)
            filters = []
        username = func.coalesce(User.username, literal(SYSTEM_USERNAME))
        stmt = (
            select(
                *labelled(
                    EventRow,
                    computed=("subject",),
                    id=Event.id,
                    occurred_at=Event.occurred_at,
                    username=username,
                    entity_type=Event.entity_type,
                    entity_id=Event.entity_id,
                    action=Event.action,
                    summary=Event.summary,
                    details=Event.details,
                )
            )
            .select_from(source)
            .outerjoin(User, User.id == Event.user_id)
            .where(*filters)
        )
        columns = sort_columns(
            EVENT_SORTS,
            occurred_at=Event.occurred_at,
            username=username,
            entity_type=Event.entity_type,
            action=Event.action,
        )
        order = sorting(sort, descending, columns, "occurred_at", Event.id)
        # Counted only up to a cap, the total is a lower bound: never read "from the far end" of it.
        page = paged(
            uow,
            stmt,
            order,
            lambda r: dto_from_row(EventRow, r, subject=None),
            offset=offset,
            limit=limit,
            total=total,
            from_far_end=counted,
        )
        page = replace(page, rows=named_subjects(uow, page.rows))
        return page if counted else replace(page, counted=False)


def named_subjects(uow: UnitOfWork, rows: tuple[EventRow, ...]) -> tuple[EventRow, ...]:
    """Each entry with its subject's number or code: one short read per kind of subject on the page.

    Read after the page rather than joined into it, so that sorting and counting a million entries
    never touches the subjects' tables.
    """
    wanted: dict[str, set[int]] = {}
    for row in rows:
        if row.entity_id is not None and row.entity_type in SUBJECT_KEYS:
            wanted.setdefault(row.entity_type, set()).add(row.entity_id)
    keys: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        column = SUBJECT_KEYS[kind]
        table = column.class_
        for found in uow.session.execute(select(table.id, column).where(table.id.in_(sorted(ids)))):
            keys[(kind, found[0])] = str(found[1])
    return tuple(
        replace(row, subject=keys.get((row.entity_type, row.entity_id))) if row.entity_id is not None else row
        for row in rows
    )


# Above this many index hits a scan in time order finds a page sooner than the index does.
COMMON_MATCHES = 20_000


def _event_text(uow: UnitOfWork, needle: str) -> tuple[ColumnElement[bool], int | None]:
    """The journal's text filter, picking the cheapest way to find the needle.

    PostgreSQL: a trigram GIN index serves lower(summary) LIKE directly. SQLite:
    the FTS5 trigram table finds rare needles at once; a needle on most rows is
    found sooner by scanning in time order with SQLite's own LIKE (which folds
    ASCII case without a Python call per row). Returns the condition and, when
    the index was asked, the exact number of matches.
    """
    if uow.backend != "sqlite":
        return _contains(Event.summary, needle), None
    if len(needle) >= 3:  # a trigram index knows nothing shorter
        # A quoted phrase of trigrams is a substring match; MATCH folds case in every
        # script, where LIKE on the index would fold ASCII only.
        phrase = '"' + needle.replace('"', '""') + '"'
        hits = uow.session.execute(
            text("SELECT COUNT(*) FROM (SELECT rowid FROM events_search WHERE events_search MATCH :q LIMIT :n)"),
            {"q": phrase, "n": COMMON_MATCHES},
        ).scalar_one()
        if hits < COMMON_MATCHES or not needle.isascii():
            matches = Event.id.in_(
                text("SELECT rowid FROM events_search WHERE events_search MATCH :fts_phrase").bindparams(
                    fts_phrase=phrase
                )
            )
            return matches, (hits if hits < COMMON_MATCHES else None)
    if needle.isascii():
        return Event.summary.contains(needle, autoescape=True), None
    return _contains(Event.summary, needle), None


def event_choices(uow: UnitOfWork) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The users, entity types and actions that occur in the journal, for the filter bar."""
    require(uow.actor, "read")
    with uow:
        users = tuple(uow.session.scalars(select(User.username).order_by(User.username)))
        types = tuple(uow.session.scalars(select(Event.entity_type).distinct().order_by(Event.entity_type)))
        actions = tuple(uow.session.scalars(select(Event.action).distinct().order_by(Event.action)))
        return users, types, actions


# ---------------------------------------------------------------- customers


@dataclass(frozen=True)
class CustomerFilter:
    text: str | None = None
    archived: bool | None = False  # None: both


CUSTOMER_SORTS = ("code", "name", "contact", "open_orders", "total_orders")


def customers(
    uow: UnitOfWork,
    flt: CustomerFilter = CustomerFilter(),
    *,
    sort: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> Page[CustomerRow]:
    require(uow.actor, "read")
    with uow:
        is_open = ProductionOrder.status.in_(tuple(OPEN_ORDER_STATUSES))
        counts = (
            select(
                ProductionOrder.customer_id.label("customer_id"),
                func.count().label("total"),
                func.sum(case((is_open, 1), else_=0)).label("open"),
            )
            .group_by(ProductionOrder.customer_id)
            .subquery()
        )
        open_orders = func.coalesce(counts.c.open, 0)
        total_orders = func.coalesce(counts.c.total, 0)
        stmt = (
            select(
                *labelled(
                    CustomerRow,
                    id=Customer.id,
                    code=Customer.code,
                    name=Customer.name,
                    contact=Customer.contact,
                    email=Customer.email,
                    phone=Customer.phone,
                    address=Customer.address,
                    tax_id=Customer.tax_id,
                    notes=Customer.notes,
                    archived=Customer.archived,
                    open_orders=open_orders,
                    total_orders=total_orders,
                    version=Customer.version,
                )
            )
            .select_from(Customer)
            .outerjoin(counts, counts.c.customer_id == Customer.id)
        )
        cond = _text_filter(
            flt.text, Customer.code, Customer.name, Customer.contact, Customer.email, Customer.tax_id, Customer.address
        )
        if cond is not None:
            stmt = stmt.where(cond)
        if flt.archived is not None:
            stmt = stmt.where(Customer.archived.is_(flt.archived))
        columns = sort_columns(
            CUSTOMER_SORTS,
            code=Customer.code,
            name=Customer.name,
            contact=Customer.contact,
            open_orders=open_orders,
            total_orders=total_orders,
        )
        order = sorting(sort, descending, columns, "name", Customer.id)
        return paged(
            uow,
            stmt,
            order,
            lambda r: dto_from_row(CustomerRow, r, open_orders=int(r.open_orders), total_orders=int(r.total_orders)),
            offset=offset,
            limit=limit,
        )


# ---------------------------------------------------------------- master data


@dataclass(frozen=True)
class MasterFilter:
    """The master-data lists' filter: text in the code or name (and more), a kind or stage, archived or not."""

    text: str | None = None
    kind: str | None = None  # a warehouse's or material's kind, a line's stage
    archived: bool | None = False  # None: both


def _archived(stmt: Select[Any], column: Any, archived: bool | None) -> Select[Any]:
    return stmt if archived is None else stmt.where(column.is_(archived))


WAREHOUSE_SORTS = ("code", "name", "kind", "batch_count")


def warehouses(
    uow: UnitOfWork,
    flt: MasterFilter = MasterFilter(),
    *,
    sort: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> Page[WarehouseRow]:
    require(uow.actor, "read")
    with uow:
        held = (
            select(StockBalance.warehouse_id.label("warehouse_id"), func.count().label("batches"))
            .where(StockBalance.quantity > 0)
            .group_by(StockBalance.warehouse_id)
            .subquery()
        )
        batch_count = func.coalesce(held.c.batches, 0)
        stmt = (
            select(
                *labelled(
                    WarehouseRow,
                    id=Warehouse.id,
                    code=Warehouse.code,
                    name=Warehouse.name,
                    kind=Warehouse.kind,
                    adr=Warehouse.adr,
                    archived=Warehouse.archived,
                    batch_count=batch_count,
                    version=Warehouse.version,
                )
            )
            .select_from(Warehouse)
            .outerjoin(held, held.c.warehouse_id == Warehouse.id)
        )
        cond = _text_filter(flt.text, Warehouse.code, Warehouse.name)
        if cond is not None:
            stmt = stmt.where(cond)
        if flt.kind:
            stmt = stmt.where(Warehouse.kind == flt.kind)
        stmt = _archived(stmt, Warehouse.archived, flt.archived)
        columns = sort_columns(
            WAREHOUSE_SORTS, code=Warehouse.code, name=Warehouse.name, kind=Warehouse.kind, batch_count=batch_count
        )
        order = sorting(sort, descending, columns, "code", Warehouse.id)
        return paged(
            uow,
            stmt,
            order,
            lambda r: dto_from_row(WarehouseRow, r, adr=bool(r.adr), archived=bool(r.archived)),
            offset=offset,
            limit=limit,
        )


MATERIAL_SORTS = ("code", "name", "kind", "unit", "reorder_level", "shelf_life_days", "stock")


def materials(
    uow: UnitOfWork,
    flt: MasterFilter = MasterFilter(),
    *,
    sort: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> Page[MaterialRow]:
    require(uow.actor, "read")
    with uow:
        held = (
            select(Batch.material_id.label("material_id"), func.sum(StockBalance.quantity).label("stock"))
            .join(Batch, Batch.id == StockBalance.batch_id)
            .group_by(Batch.material_id)
            .subquery()
        )
        stock = type_coerce(func.coalesce(held.c.stock, type_coerce(literal(0), Quantity)), Quantity)
        stmt = (
            select(
                *labelled(
                    MaterialRow,
                    id=Material.id,
                    code=Material.code,
                    name=Material.name,
                    kind=Material.kind,
                    unit=Material.unit,
                    reorder_level=Material.reorder_level,
                    shelf_life_days=Material.shelf_life_days,
                    archived=Material.archived,
                    stock=stock,
                    version=Material.version,
                )
            )
            .select_from(Material)
            .outerjoin(held, held.c.material_id == Material.id)
        )
        cond = _text_filter(flt.text, Material.code, Material.name)
        if cond is not None:
            stmt = stmt.where(cond)
        if flt.kind:
            stmt = stmt.where(Material.kind == flt.kind)
        stmt = _archived(stmt, Material.archived, flt.archived)
        columns = sort_columns(
            MATERIAL_SORTS,
            code=Material.code,
            name=Material.name,
            kind=Material.kind,
            unit=Material.unit,
            reorder_level=Material.reorder_level,
            shelf_life_days=Material.shelf_life_days,
            stock=stock,
        )
        order = sorting(sort, descending, columns, "code", Material.id)
        return paged(
            uow,
            stmt,
            order,
            lambda r: dto_from_row(MaterialRow, r, stock=decimal_quantity(r.stock), archived=bool(r.archived)),
            offset=offset,
            limit=limit,
        )


SUPPLIER_SORTS = ("code", "name", "contact", "batch_count", "last_receipt")


def suppliers(
    uow: UnitOfWork,
    flt: MasterFilter = MasterFilter(),
    *,
    sort: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> Page[SupplierRow]:
    require(uow.actor, "read")
    with uow:
        supplied = (
            select(
                Batch.supplier_id.label("supplier_id"),
                func.count().label("batches"),
                func.max(Batch.received_at).label("last"),
            )
            .where(Batch.supplier_id.is_not(None))
            .group_by(Batch.supplier_id)
            .subquery()
        )
        batch_count = func.coalesce(supplied.c.batches, 0)
        last_receipt = type_coerce(supplied.c.last, UTCDateTime)
        stmt = (
            select(
                *labelled(
                    SupplierRow,
                    id=Supplier.id,
                    code=Supplier.code,
                    name=Supplier.name,
                    contact=Supplier.contact,
                    email=Supplier.email,
                    phone=Supplier.phone,
                    address=Supplier.address,
                    tax_id=Supplier.tax_id,
                    archived=Supplier.archived,
                    batch_count=batch_count,
                    last_receipt=last_receipt,
                    version=Supplier.version,
                )
            )
            .select_from(Supplier)
            .outerjoin(supplied, supplied.c.supplier_id == Supplier.id)
        )
        cond = _text_filter(
            flt.text, Supplier.code, Supplier.name, Supplier.contact, Supplier.email, Supplier.tax_id, Supplier.address
        )
        if cond is not None:
            stmt = stmt.where(cond)
        stmt = _archived(stmt, Supplier.archived, flt.archived)
        columns = sort_columns(
            SUPPLIER_SORTS,
            code=Supplier.code,
            name=Supplier.name,
            contact=Supplier.contact,
            batch_count=batch_count,
            last_receipt=last_receipt,
        )
        order = sorting(sort, descending, columns, "name", Supplier.id)
        return paged(
            uow,
            stmt,
            order,
            lambda r: dto_from_row(SupplierRow, r, batch_count=int(r.batch_count), archived=bool(r.archived)),
            offset=offset,
            limit=limit,
        )


LINE_SORTS = ("code", "name", "stage", "rate_per_hour", "queued")


def lines(
    uow: UnitOfWork,
    flt: MasterFilter = MasterFilter(),
    *,
    sort: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> Page[LineRow]:
    require(uow.actor, "read")
    with uow:
        on_line = (
            select(ProductionOrder.line_id.label("line_id"), func.count().label("queued"))
            .where(ProductionOrder.queue_rank.is_not(None))
            .group_by(ProductionOrder.line_id)
            .subquery()
        )
        queued = func.coalesce(on_line.c.queued, 0)
        stmt = (
            select(
                *labelled(
                    LineRow,
                    id=ProductionLine.id,
                    code=ProductionLine.code,
                    name=ProductionLine.name,
                    stage=ProductionLine.stage,
                    rate_per_hour=ProductionLine.rate_per_hour,
                    rate_unit=ProductionLine.rate_unit,
                    archived=ProductionLine.archived,
                    queued=queued,
                    version=ProductionLine.version,
                )
            )
            .select_from(ProductionLine)
            .outerjoin(on_line, on_line.c.line_id == ProductionLine.id)
        )
        cond = _text_filter(flt.text, ProductionLine.code, ProductionLine.name)
        if cond is not None:
            stmt = stmt.where(cond)
        if flt.kind:
            stmt = stmt.where(ProductionLine.stage == flt.kind)
        stmt = _archived(stmt, ProductionLine.archived, flt.archived)
        columns = sort_columns(
            LINE_SORTS,
            code=ProductionLine.code,
            name=ProductionLine.name,
            stage=ProductionLine.stage,
            rate_per_hour=ProductionLine.rate_per_hour,
            queued=queued,
        )
        order = sorting(sort, descending, columns, "code", ProductionLine.id)
        return paged(
            uow,
            stmt,
            order,
            lambda r: dto_from_row(LineRow, r, queued=int(r.queued), archived=bool(r.archived)),
            offset=offset,
            limit=limit,
        )


def supplied_batches(uow: UnitOfWork, supplier: str, *, limit: int = 500) -> tuple[SuppliedBatch, ...]:
    """The batches a supplier delivered, newest first: when, how much came, how much is left, their quality."""
    require(uow.actor, "read")
    with uow:
        found = uow.suppliers.by_key(supplier.strip())
        received = (
            select(func.sum(StockMovement.quantity))
            .where(StockMovement.batch_id == Batch.id, StockMovement.kind == MovementKind.RECEIPT.value)
            .correlate(Batch)
            .scalar_subquery()
        )
        left = (
            select(func.sum(StockBalance.quantity))
            .where(StockBalance.batch_id == Batch.id)
            .correlate(Batch)
            .scalar_subquery()
        )
        zero = type_coerce(literal(0), Quantity)
        rows = uow.session.execute(
            select(
                *labelled(
                    SuppliedBatch,
                    number=Batch.number,
                    material_code=Material.code,
                    material_name=Material.name,
                    unit=Material.unit,
                    received_at=Batch.received_at,
                    received=type_coerce(func.coalesce(received, zero), Quantity),
                    quantity=type_coerce(func.coalesce(left, zero), Quantity),
                    status=Batch.status,
                    expiry_date=Batch.expiry_date,
                )
            )
            .join(Material, Material.id == Batch.material_id)
            .where(Batch.supplier_id == found.id)
            .order_by(Batch.received_at.desc(), Batch.id.desc())
            .limit(limit)
        )
        return tuple(
            dto_from_row(SuppliedBatch, r, received=decimal_quantity(r.received), quantity=decimal_quantity(r.quantity))
            for r in rows
        )


def plant_setup(uow: UnitOfWork) -> PlantSetup:
    """How many warehouses, materials, lines, suppliers and customers are in use."""
    require(uow.actor, "read")
    with uow:

        def active(model: Any) -> int:
            return uow.session.scalar(select(func.count()).where(model.archived.is_(False))) or 0

        return PlantSetup(
            warehouses=active(Warehouse),
            materials=active(Material),
            lines=active(ProductionLine),
            suppliers=active(Supplier),
            customers=active(Customer),
        )


# ---------------------------------------------------------------- users and look-ups


def _has_login(uow: UnitOfWork) -> Any:
    """PostgreSQL: whether the user's row has a server login (rows from before logins existed have none)."""
    if uow.backend != "postgresql":
        return literal(True)
    logins = table("mpsystem_logins", column("user_id"))  # kept by the migrations, not modelled
    return exists().where(logins.c.user_id == User.id)


def users(uow: UnitOfWork) -> tuple[UserRow, ...]:
    require(uow.actor, "read")
    with uow:
        stmt = select(
            *labelled(
                UserRow,
                id=User.id,
                username=User.username,
                full_name=User.full_name,
                role=User.role,
                active=User.active,
                locked_until=User.locked_until,
                has_login=_has_login(uow),
            )
        ).order_by(User.username)
        return tuple(dto_from_row(UserRow, r, role=parse_role(r.role)) for r in uow.session.execute(stmt))


def entity_key(uow: UnitOfWork, entity_type: str, entity_id: int) -> str | None:
    """The number or code people know an entity by, for opening it from the journal."""
    require(uow.actor, "read")
    column = SUBJECT_KEYS.get(entity_type)
    if column is None:
        return None
    with uow:
        table = column.class_
        found = uow.session.scalar(select(column).where(table.id == entity_id))
        return None if found is None else str(found)


# ---------------------------------------------------------------- line stops


def _line_stop_select(*, extra: dict[str, Any] | None = None) -> Select[Any]:
    more = extra or {}
    return (
        select(
            *labelled(
                LineStopRow,
                extra=more,
                id=LineStop.id,
                line_code=ProductionLine.code,
                line_name=ProductionLine.name,
                started_at=LineStop.started_at,
                ended_at=LineStop.ended_at,
                reason_code=StopReason.code,
                reason_name=StopReason.name,
                note=LineStop.note,
                version=LineStop.version,
                **more,
            )
        )
        .select_from(LineStop)
        .join(ProductionLine, ProductionLine.id == LineStop.line_id)
        .join(StopReason, StopReason.id == LineStop.reason_id)
    )


@dataclass(frozen=True)
class LineStopFilter:
    text: str | None = None  # in the note or the reason
    line: str | None = None
    reason: str | None = None  # a reason's code
    since: datetime | None = None  # stops that last into this moment or later
    until: datetime | None = None  # stops that began before this moment
    open_only: bool = False
    stop_id: int | None = None


LINE_STOP_SORTS = ("started_at", "ended_at", "line_code", "reason_name")


def line_stops(
    uow: UnitOfWork,
    flt: LineStopFilter = LineStopFilter(),
    *,
    sort: str | None = None,
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> Page[LineStopRow]:
    """The lines' stops, the latest first unless asked otherwise."""
    require(uow.actor, "read")
    if flt.since and flt.until and flt.since > flt.until:
        raise ValidationError("The period ends before it starts.", "until")
    with uow:
        stmt = _line_stop_select()
        cond = _text_filter(flt.text, LineStop.note, StopReason.name)
        if cond is not None:
            stmt = stmt.where(cond)
        if flt.line:
            stmt = stmt.where(ProductionLine.code == flt.line)
        if flt.reason:
            stmt = stmt.where(StopReason.code == flt.reason)
        if flt.since:
            stmt = stmt.where(or_(LineStop.ended_at.is_(None), LineStop.ended_at > flt.since))
        if flt.until:
            stmt = stmt.where(LineStop.started_at < flt.until)
        if flt.open_only:
            stmt = stmt.where(LineStop.ended_at.is_(None))
        if flt.stop_id is not None:
            stmt = stmt.where(LineStop.id == flt.stop_id)
        columns = sort_columns(
            LINE_STOP_SORTS,
            started_at=LineStop.started_at,
            ended_at=LineStop.ended_at,
            line_code=ProductionLine.code,
            reason_name=StopReason.name,
        )
        order = sorting(sort, descending, columns, "started_at", LineStop.id)
        return paged(uow, stmt, order, lambda r: dto_from_row(LineStopRow, r), offset=offset, limit=limit)


def stop_reasons(uow: UnitOfWork, *, archived: bool | None = False) -> tuple[StopReasonRow, ...]:
    """The reasons a line stops for, by name; archived ones too when asked (None: all)."""
    require(uow.actor, "read")
    with uow:
        stmt = select(
            *labelled(
                StopReasonRow,
                id=StopReason.id,
                code=StopReason.code,
                name=StopReason.name,
                archived=StopReason.archived,
                version=StopReason.version,
            )
        ).order_by(StopReason.name)
        if archived is not None:
            stmt = stmt.where(StopReason.archived.is_(archived))
        return tuple(dto_from_row(StopReasonRow, r) for r in uow.session.execute(stmt))
