"""Genealogy: where a batch came from and where it went, and how much went each way."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from app import validation as v
from app.dto import TraceNode
from app.formatting import day
from app.permissions import require
from app.services._common import fmt_qty
from data.models import Batch, Customer, Material, ProductionOrder, StockMovement, Supplier
from data.uow import UnitOfWork
from domain.vocabulary import NUMBER_LEN, BatchStatus, MovementKind, OrderStatus

MAX_DEPTH = 12


def _unit(uow: UnitOfWork, batch: Batch) -> tuple[str, str]:
    mat = uow.session.get(Material, batch.material_id)
    assert mat is not None
    return mat.name, mat.unit


def _batch_node(
    uow: UnitOfWork,
    batch: Batch,
    children: tuple[TraceNode, ...],
    quantity: Decimal | None,
    detail: str = "",
) -> TraceNode:
    name, unit = _unit(uow, batch)
    return TraceNode(
        "batch",
        batch.number,
        f"Batch {batch.number} — {name}",
        detail or f"{BatchStatus(batch.status).label}, received {day(batch.received_at.date())}",
        children,
        quantity,
        unit,
    )


def _order_node(
    order: ProductionOrder, children: tuple[TraceNode, ...], quantity: Decimal | None, unit: str
) -> TraceNode:
    return TraceNode(
        "order",
        order.number,
        f"Order {order.number} — {order.product_spec}",
        f"{OrderStatus(order.status).label}, {fmt_qty(order.quantity, order.unit)} ordered",
        children,
        quantity,
        unit,
    )


def _customer_node(uow: UnitOfWork, order: ProductionOrder) -> TraceNode:
    customer = uow.session.get(Customer, order.customer_id)
    assert customer is not None
    return TraceNode("customer", customer.code, f"Customer {customer.name}", customer.code)


def _moved(uow: UnitOfWork, batch_id: int, kind: MovementKind, order_id: int | None = None) -> Decimal:
    """How much of a batch moved this way (by this order): its receipt, its output, a consumption."""
    stmt = select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
        StockMovement.batch_id == batch_id, StockMovement.kind == kind
    )
    if order_id is not None:
        stmt = stmt.where(StockMovement.production_order_id == order_id)
    value = uow.session.scalar(stmt)
    return value if isinstance(value, Decimal) else Decimal(value or 0).quantize(Decimal("0.001"))


def made(uow: UnitOfWork, batch: Batch) -> Decimal:
    """How much the batch came into being with: received from its supplier, or put out by its order."""
    kind = MovementKind.RECEIPT if batch.production_order_id is None else MovementKind.OUTPUT
    return _moved(uow, batch.id, kind)


def _backward(uow: UnitOfWork, batch: Batch, depth: int, seen: set[int], quantity: Decimal | None) -> TraceNode:
    if batch.id in seen or depth > MAX_DEPTH:
        return _batch_node(uow, batch, (), quantity, "(shown above)")
    seen = seen | {batch.id}
    if batch.supplier_id is not None:
        sup = uow.session.get(Supplier, batch.supplier_id)
        assert sup is not None
        supplied = TraceNode("supplier", sup.code, f"Supplier {sup.name}", sup.code)
        return _batch_node(uow, batch, (supplied,), quantity)
    if batch.production_order_id is None:
        return _batch_node(uow, batch, (), quantity)
    order = uow.session.get(ProductionOrder, batch.production_order_id)
    assert order is not None
    inputs = uow.session.execute(
        select(Batch, func.sum(StockMovement.quantity))
        .join(StockMovement, StockMovement.batch_id == Batch.id)
        .where(StockMovement.production_order_id == order.id, StockMovement.kind == MovementKind.CONSUMPTION)
        .group_by(Batch.id)
        .order_by(Batch.number)
    ).all()
    children = tuple(_backward(uow, b, depth + 1, seen, _exact(used)) for b, used in inputs)
    _name, unit = _unit(uow, batch)
    produced = _moved(uow, batch.id, MovementKind.OUTPUT, order.id)
    return _batch_node(uow, batch, (_order_node(order, children, produced, unit),), quantity)


def _forward(uow: UnitOfWork, batch: Batch, depth: int, seen: set[int], quantity: Decimal | None) -> TraceNode:
    if batch.id in seen or depth > MAX_DEPTH:
        return _batch_node(uow, batch, (), quantity, "(shown above)")
    seen = seen | {batch.id}
    orders = uow.session.scalars(
        select(ProductionOrder)
        .where(
            ProductionOrder.id.in_(
                select(StockMovement.production_order_id).where(
                    StockMovement.batch_id == batch.id, StockMovement.kind == MovementKind.CONSUMPTION
                )
            )
        )
        .order_by(ProductionOrder.number)
    ).all()
    children: list[TraceNode] = []
    if batch.production_order_id is not None:
        producer = uow.session.get(ProductionOrder, batch.production_order_id)
        assert producer is not None
        children.append(_customer_node(uow, producer))
    _name, unit = _unit(uow, batch)
    for order in orders:
        outputs = uow.session.scalars(
            select(Batch).where(Batch.production_order_id == order.id).order_by(Batch.number)
        ).all()
        grand = tuple(
            _forward(uow, b, depth + 1, seen, _moved(uow, b.id, MovementKind.OUTPUT, order.id)) for b in outputs
        )
        if not outputs:
            grand = (_customer_node(uow, order),)
        used = _moved(uow, batch.id, MovementKind.CONSUMPTION, order.id)
        children.append(_order_node(order, grand, used, unit))
    return _batch_node(uow, batch, tuple(children), quantity)


def _exact(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0)).quantize(Decimal("0.001"))


def trees(uow: UnitOfWork, batch: Batch) -> tuple[TraceNode, TraceNode]:
    """Both trees of a batch read in an open unit of work: each batch with how much of it went into, or came
    out of, the order beside it; each order with how much of the batch above it it used or made."""
    start = made(uow, batch)
    return _backward(uow, batch, 0, set(), start), _forward(uow, batch, 0, set(), start)


def trace_batch(uow: UnitOfWork, *, number: str) -> tuple[TraceNode, TraceNode]:
    """The backward tree (inputs down to suppliers) and the forward tree (orders, outputs, customers)."""
    require(uow.actor, "read")
    number = v.code(number, "batch", NUMBER_LEN)
    with uow:
        return trees(uow, uow.batches.by_key(number))
