"""The order book: every order in one paged list, an order's whole story, what it needs and what it
delivered. Filtering, sorting and counting happen in SQL (see app/queries.py for the conventions).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlalchemy import Select, and_, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from app.dto import (
    BatchFlow,
    DeliveryLineRow,
    DeliveryRow,
    MaterialNeed,
    OrderListRow,
    OrderStory,
    Page,
    StoryEntry,
    UsableStock,
)
from app.errors import ValidationError
from app.permissions import require
from app.queries import (
    SYSTEM_USERNAME,
    OrderFilter,
    _order_filters,
    decimal_quantity,
    paged,
    sort_columns,
    sorting,
)
from app.rows import dto_from_row, labelled
from data.models import (
    Batch,
    Customer,
    Delivery,
    DeliveryLine,
    Event,
    Material,
    Product,
    ProductionLine,
    ProductionOrder,
    RecipeLine,
    StockBalance,
    StockMovement,
    User,
    Warehouse,
)
from data.uow import UnitOfWork
from domain.vocabulary import OPEN_ORDER_STATUSES, QUANTITY_SCALE, BatchStatus, MovementKind, Unit

ORDER_LIST_SORTS = (
    "number",
    "customer_name",
    "product_code",
    "quantity",
    "delivered",
    "due_date",
    "status",
    "line_code",
    "priority",
    "created_at",
)


def _delivered(order_id: Any) -> ColumnElement[Any]:
    """How much of an order has gone to its customer: summed from its delivery lines."""
    return (
        select(func.coalesce(func.sum(DeliveryLine.quantity), 0))
        .join(Delivery, Delivery.id == DeliveryLine.delivery_id)
        .where(Delivery.production_order_id == order_id)
        .correlate(ProductionOrder)
        .scalar_subquery()
    )


def _delivered_totals() -> Any:
    return (
        select(Delivery.production_order_id.label("order_id"), func.sum(DeliveryLine.quantity).label("delivered"))
        .join(DeliveryLine, DeliveryLine.delivery_id == Delivery.id)
        .group_by(Delivery.production_order_id)
        .subquery("delivered_totals")
    )


def _joined(stmt: Select[Any]) -> Select[Any]:
    return (
        stmt.select_from(ProductionOrder)
        .join(Customer, Customer.id == ProductionOrder.customer_id)
        .join(Product, Product.id == ProductionOrder.product_id)
        .outerjoin(ProductionLine, ProductionLine.id == ProductionOrder.line_id)
    )


def _list_statement(today: Any) -> Select[Any]:
    late = and_(ProductionOrder.status.in_(tuple(OPEN_ORDER_STATUSES)), ProductionOrder.due_date < today)
    return _joined(
        select(
            *labelled(
                OrderListRow,
                id=ProductionOrder.id,
                number=ProductionOrder.number,
                customer_code=Customer.code,
                customer_name=Customer.name,
                product_code=Product.code,
                product_name=Product.name,
                note=ProductionOrder.note,
                quantity=ProductionOrder.quantity,
                delivered=_delivered(ProductionOrder.id),
                unit=ProductionOrder.unit,
                priority=ProductionOrder.priority,
                due_date=ProductionOrder.due_date,
                status=ProductionOrder.status,
                line_code=ProductionLine.code,
                created_at=ProductionOrder.created_at,
                started_at=ProductionOrder.started_at,
                finished_at=ProductionOrder.finished_at,
                late=late,
                version=ProductionOrder.version,
            )
        )
    )


def _list_sorts() -> dict[str, Any]:
    return sort_columns(
        ORDER_LIST_SORTS,
        number=ProductionOrder.number,
        customer_name=Customer.name,
        product_code=Product.code,
        quantity=ProductionOrder.quantity,
        delivered=_delivered(ProductionOrder.id),
        due_date=ProductionOrder.due_date,
        status=ProductionOrder.status,
        line_code=ProductionLine.code,
        priority=ProductionOrder.priority,
        created_at=ProductionOrder.created_at,
    )


def _list_row(r: Any) -> OrderListRow:
    return dto_from_row(OrderListRow, r, delivered=decimal_quantity(r.delivered), late=bool(r.late))


def order_list(
    uow: UnitOfWork,
    flt: OrderFilter | None = None,
    *,
    sort: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> Page[OrderListRow]:
    """Every order, in any status, by due date unless sorted otherwise.

    A page is found first by the orders' ids alone (filtered, sorted and counted in SQL), then only
    its rows are read in full: a page deep in 100,000 orders does not add up the deliveries of the
    50,000 orders before it.
    """
    require(uow.actor, "read")
    with uow:
        today = uow.today()
        lean = _order_filters(_joined(select(ProductionOrder.id.label("id"))), flt or OrderFilter(), today, uow.backend)
        columns = _list_sorts()
        if sort == "delivered":  # every order's deliveries added up at once, not one order at a time
            totals = _delivered_totals()
            lean = lean.outerjoin(totals, totals.c.order_id == ProductionOrder.id)
            columns["delivered"] = func.coalesce(totals.c.delivered, 0)
        order = sorting(sort, descending, columns, "due_date", ProductionOrder.id)
        ids = paged(uow, lean, order, lambda r: int(r.id), offset=offset, limit=limit)
        if not ids.rows:
            return Page(total=ids.total, offset=offset, rows=())
        found = {
            r.id: _list_row(r)
            for r in uow.session.execute(_list_statement(today).where(ProductionOrder.id.in_(ids.rows)))
        }
        return Page(total=ids.total, offset=offset, rows=tuple(found[i] for i in ids.rows if i in found))


def order_row(uow: UnitOfWork, number: str) -> OrderListRow:
    require(uow.actor, "read")
    with uow:
        row = uow.session.execute(_list_statement(uow.today()).where(ProductionOrder.number == number)).first()
        if row is None:
            raise ValidationError(f"There is no production order “{number}”.", "order")
        return _list_row(row)


# ---------------------------------------------------------------- one order's story


def order_story(uow: UnitOfWork, number: str) -> OrderStory:
    """The order's journal (its own entries, its output batches' quality decisions, its deliveries), the
    batches it consumed and produced, and its deliveries."""
    order = order_row(uow, number)
    require(uow.actor, "read")
    with uow:
        s = uow.session
        outputs_ids = select(Batch.id).where(Batch.production_order_id == order.id)
        delivery_ids = select(Delivery.id).where(Delivery.production_order_id == order.id)
        about = or_(
            and_(Event.entity_type == "order", Event.entity_id == order.id),
            and_(
                Event.entity_type == "batch",
                Event.entity_id.in_(outputs_ids),
                Event.action.in_((BatchStatus.APPROVED.value, BatchStatus.BLOCKED.value)),
            ),
            and_(Event.entity_type == "delivery", Event.entity_id.in_(delivery_ids)),
        )
        entries = tuple(
            dto_from_row(StoryEntry, r)
            for r in s.execute(
                select(
                    *labelled(
                        StoryEntry,
                        occurred_at=Event.occurred_at,
                        username=func.coalesce(User.username, literal(SYSTEM_USERNAME)),
                        entity_type=Event.entity_type,
                        entity_id=Event.entity_id,
                        action=Event.action,
                        summary=Event.summary,
                    )
                )
                .select_from(Event)
                .outerjoin(User, User.id == Event.user_id)
                .where(about)
                .order_by(Event.occurred_at, Event.id)
            )
        )
        flows = (
            select(
                *labelled(
                    BatchFlow,
                    batch_number=Batch.number,
                    material_code=Material.code,
                    material_name=Material.name,
                    quantity=StockMovement.quantity,
                    unit=Material.unit,
                    status=Batch.status,
                    at=StockMovement.created_at,
                )
            )
            .select_from(StockMovement)
            .join(Batch, Batch.id == StockMovement.batch_id)
            .join(Material, Material.id == Batch.material_id)
            .where(StockMovement.production_order_id == order.id)
            .order_by(StockMovement.created_at, StockMovement.id)
        )
        inputs = tuple(
            dto_from_row(BatchFlow, r) for r in s.execute(flows.where(StockMovement.kind == MovementKind.CONSUMPTION))
        )
        outputs = tuple(
            dto_from_row(BatchFlow, r) for r in s.execute(flows.where(StockMovement.kind == MovementKind.OUTPUT))
        )
        deliveries = tuple(_deliveries(uow, Delivery.production_order_id == order.id))
    return OrderStory(order, entries, inputs, outputs, deliveries)


# ---------------------------------------------------------------- deliveries


DELIVERY_SORTS = ("number", "delivered_at", "customer_name", "order_number", "quantity")


def _delivery_statement() -> tuple[Select[Any], dict[str, Any]]:
    totals = (
        select(
            DeliveryLine.delivery_id.label("delivery_id"),
            func.count().label("lines"),
            func.sum(DeliveryLine.quantity).label("quantity"),
        )
        .group_by(DeliveryLine.delivery_id)
        .subquery()
    )
    stmt = (
        select(
            *labelled(
                DeliveryRow,
                id=Delivery.id,
                number=Delivery.number,
                delivered_at=Delivery.delivered_at,
                customer_code=Customer.code,
                customer_name=Customer.name,
                order_number=ProductionOrder.number,
                product_code=Product.code,
                lines=func.coalesce(totals.c.lines, 0),
                quantity=func.coalesce(totals.c.quantity, 0),
                unit=ProductionOrder.unit,
                username=func.coalesce(User.username, literal(SYSTEM_USERNAME)),
                note=Delivery.note,
            )
        )
        .select_from(Delivery)
        .join(Customer, Customer.id == Delivery.customer_id)
        .join(ProductionOrder, ProductionOrder.id == Delivery.production_order_id)
        .join(Product, Product.id == ProductionOrder.product_id)
        .outerjoin(totals, totals.c.delivery_id == Delivery.id)
        .outerjoin(User, User.id == Delivery.user_id)
    )
    columns = sort_columns(
        DELIVERY_SORTS,
        number=Delivery.number,
        delivered_at=Delivery.delivered_at,
        customer_name=Customer.name,
        order_number=ProductionOrder.number,
        quantity=func.coalesce(totals.c.quantity, 0),
    )
    return stmt, columns


def _delivery_row(r: Any) -> DeliveryRow:
    return dto_from_row(DeliveryRow, r, quantity=decimal_quantity(r.quantity), lines=int(r.lines))


def _deliveries(uow: UnitOfWork, condition: ColumnElement[bool]) -> list[DeliveryRow]:
    stmt, _columns = _delivery_statement()
    rows = uow.session.execute(stmt.where(condition).order_by(Delivery.delivered_at, Delivery.id))
    return [_delivery_row(r) for r in rows]


@dataclass(frozen=True)
class DeliveryFilter:
    text: str | None = None
    customer: str | None = None
    order: str | None = None


def deliveries(
    uow: UnitOfWork,
    flt: DeliveryFilter = DeliveryFilter(),
    *,
    sort: str | None = None,
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> Page[DeliveryRow]:
    """Deliveries, newest first unless sorted otherwise."""
    require(uow.actor, "read")
    with uow:
        stmt, columns = _delivery_statement()
        if flt.text and flt.text.strip():
            needle = flt.text.strip().lower()
            stmt = stmt.where(
                or_(
                    *(
                        func.lower(c).contains(needle, autoescape=True)
                        for c in (Delivery.number, Customer.name, Customer.code, ProductionOrder.number)
                    )
                )
            )
        if flt.customer:
            stmt = stmt.where(Customer.code == flt.customer)
        if flt.order:
            stmt = stmt.where(ProductionOrder.number == flt.order)
        order = sorting(sort, descending, columns, "delivered_at", Delivery.id)
        return paged(uow, stmt, order, _delivery_row, offset=offset, limit=limit)


def delivery_lines(uow: UnitOfWork, number: str) -> tuple[DeliveryRow, tuple[DeliveryLineRow, ...]]:
    """A delivery and its lines, in the order they were entered."""
    require(uow.actor, "read")
    with uow:
        found = _deliveries(uow, Delivery.number == number)
        if not found:
            raise ValidationError(f"There is no delivery “{number}”.", "delivery")
        maker = ProductionOrder.__table__.alias("maker")
        rows = uow.session.execute(
            select(
                *labelled(
                    DeliveryLineRow,
                    batch_number=Batch.number,
                    material_code=Material.code,
                    material_name=Material.name,
                    warehouse_code=Warehouse.code,
                    quantity=DeliveryLine.quantity,
                    unit=Material.unit,
                    expiry_date=Batch.expiry_date,
                    made_by_order=maker.c.number,
                )
            )
            .select_from(DeliveryLine)
            .join(Delivery, Delivery.id == DeliveryLine.delivery_id)
            .join(StockMovement, StockMovement.id == DeliveryLine.movement_id)
            .join(Warehouse, Warehouse.id == StockMovement.from_warehouse_id)
            .join(Batch, Batch.id == DeliveryLine.batch_id)
            .join(Material, Material.id == Batch.material_id)
            .outerjoin(maker, maker.c.id == Batch.production_order_id)
            .where(Delivery.number == number)
            .order_by(DeliveryLine.id)
        )
        return found[0], tuple(dto_from_row(DeliveryLineRow, r) for r in rows)


def _usable(uow: UnitOfWork, material_id: int, first_from_order: int | None) -> tuple[UsableStock, ...]:
    maker = ProductionOrder.__table__.alias("maker")
    first = (
        (Batch.production_order_id == first_from_order).desc() if first_from_order is not None else Batch.id.is_(None)
    )
    rows = uow.session.execute(
        select(
            *labelled(
                UsableStock,
                batch_number=Batch.number,
                warehouse_code=Warehouse.code,
                quantity=StockBalance.quantity,
                unit=Material.unit,
                expiry_date=Batch.expiry_date,
                made_by_order=maker.c.number,
            )
        )
        .select_from(StockBalance)
        .join(Batch, Batch.id == StockBalance.batch_id)
        .join(Material, Material.id == Batch.material_id)
        .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
        .outerjoin(maker, maker.c.id == Batch.production_order_id)
        .where(
            Batch.material_id == material_id,
            StockBalance.quantity > 0,
            Batch.status == BatchStatus.APPROVED,
            or_(Batch.expiry_date.is_(None), Batch.expiry_date >= uow.today()),
        )
        .order_by(first, Batch.received_at, Batch.number, Warehouse.code)
    )
    return tuple(dto_from_row(UsableStock, r) for r in rows)


def deliverable(uow: UnitOfWork, order_number: str) -> tuple[UsableStock, ...]:
    """What may go to the order's customer now: approved, unexpired stock of the product's material, the
    order's own batches first, then the oldest."""
    require(uow.actor, "read")
    with uow:
        order = uow.orders.by_key(order_number)
        product = uow.session.get(Product, order.product_id)
        assert product is not None
        if product.output_material_id is None:
            return ()
        return _usable(uow, product.output_material_id, order.id)


def usable_stock(uow: UnitOfWork, material: str) -> tuple[UsableStock, ...]:
    """Approved, unexpired stock of a material, oldest first: what a line may take."""
    require(uow.actor, "read")
    with uow:
        return _usable(uow, uow.materials.by_key(material).id, None)


# ---------------------------------------------------------------- what an order takes


def _rounded_up(value: Decimal, unit: str) -> Decimal:
    """An amount to take, rounded up to how finely the unit is counted (no order runs short by a gram)."""
    step = Decimal(1).scaleb(-Unit(unit).decimals)
    return value.quantize(step, rounding=ROUND_CEILING).quantize(Decimal(1).scaleb(-QUANTITY_SCALE))


def material_needs(uow: UnitOfWork, order_number: str) -> tuple[MaterialNeed, ...]:
    """The order's own step of its product's recipe (the last), for the order's quantity with scrap, and
    what the order has consumed of each material so far."""
    require(uow.actor, "read")
    with uow:
        order = uow.orders.by_key(order_number)
        product = uow.session.get(Product, order.product_id)
        assert product is not None
        last = uow.session.scalar(
            select(func.max(RecipeLine.step)).where(
                RecipeLine.product_id == product.id, RecipeLine.revision == product.recipe_revision
            )
        )
        if last is None:
            return ()
        consumed = (
            select(func.coalesce(func.sum(StockMovement.quantity), 0))
            .join(Batch, Batch.id == StockMovement.batch_id)
            .where(
                StockMovement.production_order_id == order.id,
                StockMovement.kind == MovementKind.CONSUMPTION,
                Batch.material_id == RecipeLine.material_id,
            )
            .correlate(RecipeLine)
            .scalar_subquery()
        )
        rows = uow.session.execute(
            select(
                Material.code.label("code"),
                Material.name.label("name"),
                Material.unit.label("unit"),
                RecipeLine.quantity.label("per_unit"),
                RecipeLine.scrap_percent.label("scrap"),
                consumed.label("consumed"),
            )
            .join(Material, Material.id == RecipeLine.material_id)
            .where(
                RecipeLine.product_id == product.id,
                RecipeLine.revision == product.recipe_revision,
                RecipeLine.step == last,
            )
            .order_by(Material.code)
        ).all()
        needs = []
        for r in rows:
            planned = _rounded_up(r.per_unit * order.quantity * (1 + r.scrap / 100), r.unit)
            needs.append(
                MaterialNeed(r.code, r.name, r.unit, r.per_unit, r.scrap, planned, decimal_quantity(r.consumed))
            )
        return tuple(needs)
