"""Genealogy: where a batch came from and where it went."""

from __future__ import annotations

from sqlalchemy import select

from app import validation as v
from app.dto import TraceNode
from app.formatting import day
from app.permissions import require
from app.services._common import fmt_qty
from data.models import Batch, Customer, Material, ProductionOrder, StockMovement, Supplier
from data.uow import UnitOfWork
from domain.vocabulary import NUMBER_LEN, BatchStatus, MovementKind, OrderStatus

MAX_DEPTH = 12


def _batch_node(uow: UnitOfWork, batch: Batch, children: tuple[TraceNode, ...], detail: str = "") -> TraceNode:
    mat = uow.session.get(Material, batch.material_id)
    assert mat is not None
    return TraceNode(
        "batch",
        batch.number,
        f"Batch {batch.number} — {mat.name}",
        detail or f"{BatchStatus(batch.status).label}, received {day(batch.received_at.date())}",
        children,
    )


def _order_node(order: ProductionOrder, children: tuple[TraceNode, ...]) -> TraceNode:
    return TraceNode(
        "order",
        order.number,
        f"Order {order.number} — {order.product_spec}",
        f"{OrderStatus(order.status).label}, {fmt_qty(order.quantity, order.unit)}",
        children,
    )


def _customer_node(uow: UnitOfWork, order: ProductionOrder) -> TraceNode:
    customer = uow.session.get(Customer, order.customer_id)
    assert customer is not None
    return TraceNode("customer", customer.code, f"Customer {customer.name}", customer.code)


def _backward(uow: UnitOfWork, batch: Batch, depth: int, seen: set[int]) -> TraceNode:
    if batch.id in seen or depth > MAX_DEPTH:
        return _batch_node(uow, batch, (), "(shown above)")
    seen = seen | {batch.id}
    if batch.supplier_id is not None:
        sup = uow.session.get(Supplier, batch.supplier_id)
        assert sup is not None
        return _batch_node(uow, batch, (TraceNode("supplier", sup.code, f"Supplier {sup.name}", sup.code),))
    if batch.production_order_id is None:
        return _batch_node(uow, batch, ())
    order = uow.session.get(ProductionOrder, batch.production_order_id)
    assert order is not None
    inputs = uow.session.execute(
        select(Batch, StockMovement.quantity)
        .join(StockMovement, StockMovement.batch_id == Batch.id)
        .where(StockMovement.production_order_id == order.id, StockMovement.kind == MovementKind.CONSUMPTION)
        .order_by(Batch.number, StockMovement.id)
    ).all()
    children = tuple(_backward(uow, b, depth + 1, seen) for b, _qty in inputs)
    return _batch_node(uow, batch, (_order_node(order, children),))


def _forward(uow: UnitOfWork, batch: Batch, depth: int, seen: set[int]) -> TraceNode:
    if batch.id in seen or depth > MAX_DEPTH:
        return _batch_node(uow, batch, (), "(shown above)")
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
    for order in orders:
        outputs = uow.session.scalars(
            select(Batch).where(Batch.production_order_id == order.id).order_by(Batch.number)
        ).all()
        grand = tuple(_forward(uow, b, depth + 1, seen) for b in outputs)
        if not outputs:
            grand = (_customer_node(uow, order),)
        children.append(_order_node(order, grand))
    return _batch_node(uow, batch, tuple(children))


def trace_batch(uow: UnitOfWork, *, number: str) -> tuple[TraceNode, TraceNode]:
    """The backward tree (inputs down to suppliers) and the forward tree (orders, outputs, customers)."""
    require(uow.actor, "read")
    number = v.code(number, "batch", NUMBER_LEN)
    with uow:
        batch = uow.batches.by_key(number)
        return _backward(uow, batch, 0, set()), _forward(uow, batch, 0, set())
