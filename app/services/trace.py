"""Genealogy: where a batch came from, where it went, who received anything made from it, and how much
went each way.

Each direction is read set-wise: one recursive query finds every batch reachable through the
orders that consumed and produced them, and a handful of queries read those batches, the orders,
the suppliers and the deliveries all at once. The tree is then built in memory, so a trace through
four steps to a thousand deliveries costs the same few queries as a trace to one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CTE, Select, func, literal, select

from app import validation as v
from app.dto import Recall, RecallCustomer, RecallDelivery, RecallStock, TraceNode
from app.formatting import day
from app.permissions import require
from app.queries import decimal_quantity
from app.services._common import fmt_qty
from data.models import (
    Batch,
    Customer,
    Delivery,
    DeliveryLine,
    Material,
    Product,
    ProductionOrder,
    StockBalance,
    StockMovement,
    Supplier,
    Warehouse,
)
from data.uow import UnitOfWork
from domain.vocabulary import NUMBER_LEN, BatchStatus, MovementKind, OrderStatus

MAX_DEPTH = 12  # production steps followed from one batch; a plant has six stages


# ---------------------------------------------------------------- what the queries read


@dataclass(frozen=True)
class _Batch:
    id: int
    number: str
    material: str
    unit: str
    status: str
    at: datetime
    supplier: tuple[str, str] | None  # code, name
    order_id: int | None  # the order that produced it


@dataclass(frozen=True)
class _Order:
    id: int
    number: str
    product: str
    status: str
    quantity: Decimal
    unit: str


@dataclass(frozen=True)
class _Sent:
    delivery_id: int
    number: str
    order_number: str
    at: datetime
    customer_code: str
    customer_name: str
    quantity: Decimal
    unit: str


@dataclass
class _Graph:
    """The part of the genealogy one trace reaches, by id."""

    batches: dict[int, _Batch] = field(default_factory=dict)
    orders: dict[int, _Order] = field(default_factory=dict)
    consumed_by: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # batch -> orders
    inputs_of: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # order -> batches
    outputs_of: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # order -> batches
    sent: dict[int, list[_Sent]] = field(default_factory=lambda: defaultdict(list))  # batch -> delivery lines
    used: dict[tuple[int, int], Decimal] = field(default_factory=dict)  # (batch, order) -> consumed of it
    made: dict[int, Decimal] = field(default_factory=dict)  # batch -> received or put out
    depth: dict[int, int] = field(default_factory=dict)  # batch -> fewest production steps from the start


def _seed(start_id: int) -> Select[int, int]:
    return select(literal(start_id).label("batch_id"), literal(0).label("depth"))


def _reach(seed: Select[int, int], forward: bool) -> CTE:
    """Every batch reachable from the `seed` batches (and how few steps away): forward through the orders
    that consumed a batch to what they produced, or backward through the order that produced a batch to
    what it consumed. A step count bounds the walk, so a loop in bad data ends too."""
    reach = seed.cte("reach", recursive=True)
    consumed = StockMovement.__table__.alias("consumed")
    made = Batch.__table__.alias("made")
    if forward:
        step = (
            select(made.c.id, reach.c.depth + 1)
            .select_from(reach)
            .join(consumed, (consumed.c.batch_id == reach.c.batch_id) & (consumed.c.kind == MovementKind.CONSUMPTION))
            .join(made, made.c.production_order_id == consumed.c.production_order_id)
            .where(reach.c.depth < MAX_DEPTH)
        )
    else:
        step = (
            select(consumed.c.batch_id, reach.c.depth + 1)
            .select_from(reach)
            .join(made, made.c.id == reach.c.batch_id)
            .join(
                consumed,
                (consumed.c.production_order_id == made.c.production_order_id)
                & (consumed.c.kind == MovementKind.CONSUMPTION),
            )
            .where(reach.c.depth < MAX_DEPTH)
        )
    return reach.union(step)


def _read(uow: UnitOfWork, seed: Select[int, int], forward: bool) -> _Graph:
    s = uow.session
    reach = _reach(seed, forward)
    reached = (
        select(reach.c.batch_id.label("batch_id"), func.min(reach.c.depth).label("depth"))
        .group_by(reach.c.batch_id)
        .subquery("reached")
    )
    g = _Graph()
    for r in s.execute(
        select(
            Batch.id,
            Batch.number,
            Material.name.label("material"),
            Material.unit,
            Batch.status,
            Batch.received_at,
            Supplier.code.label("supplier_code"),
            Supplier.name.label("supplier_name"),
            Batch.production_order_id,
            reached.c.depth,
        )
        .select_from(reached)
        .join(Batch, Batch.id == reached.c.batch_id)
        .join(Material, Material.id == Batch.material_id)
        .outerjoin(Supplier, Supplier.id == Batch.supplier_id)
    ):
        supplier = (r.supplier_code, r.supplier_name) if r.supplier_code else None
        g.batches[r.id] = _Batch(
            r.id, r.number, r.material, r.unit, r.status, r.received_at, supplier, r.production_order_id
        )
        g.depth[r.id] = r.depth
    # The orders linking them: forward, those that consumed a reached batch; backward, those that made one.
    used = func.sum(StockMovement.quantity)
    if forward:
        links = (
            select(StockMovement.batch_id, StockMovement.production_order_id, used)
            .join(reached, reached.c.batch_id == StockMovement.batch_id)
            .where(StockMovement.kind == MovementKind.CONSUMPTION)
            .group_by(StockMovement.batch_id, StockMovement.production_order_id)
        )
    else:
        links = (
            select(StockMovement.batch_id, StockMovement.production_order_id, used)
            .join(Batch, Batch.production_order_id == StockMovement.production_order_id)
            .join(reached, reached.c.batch_id == Batch.id)
            .where(StockMovement.kind == MovementKind.CONSUMPTION)
            .group_by(StockMovement.batch_id, StockMovement.production_order_id)
        )
    # consumption always names its order (the ledger's CHECK says so)
    found = [(b, o, decimal_quantity(q)) for b, o, q in s.execute(links) if o is not None]
    g.used = {(b, o): q for b, o, q in found}
    link_rows = sorted((b, o) for b, o, _q in found)
    g.made = _made(uow, reached)
    order_ids = {order_id for _batch_id, order_id in link_rows}
    order_ids |= {b.order_id for b in g.batches.values() if b.order_id is not None and not forward}
    for batch_id, order_id in link_rows:
        g.consumed_by[batch_id].append(order_id)
        g.inputs_of[order_id].append(batch_id)
    for b in g.batches.values():
        if b.order_id is not None:
            g.outputs_of[b.order_id].append(b.id)
    if order_ids:
        g.orders = _orders(uow, order_ids)
    if forward:
        g.sent = _sent(uow, reached)
    return g


def _made(uow: UnitOfWork, reached: Any) -> dict[int, Decimal]:
    """How much each reached batch came into being with: its receipt, or its order's output."""
    rows = uow.session.execute(
        select(StockMovement.batch_id, func.sum(StockMovement.quantity))
        .join(reached, reached.c.batch_id == StockMovement.batch_id)
        .where(StockMovement.kind.in_((MovementKind.RECEIPT, MovementKind.OUTPUT)))
        .group_by(StockMovement.batch_id)
    )
    return {batch_id: decimal_quantity(amount) for batch_id, amount in rows}


def _orders(uow: UnitOfWork, ids: set[int]) -> dict[int, _Order]:
    found: dict[int, _Order] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):  # short IN lists for every backend
        for r in uow.session.execute(
            select(
                ProductionOrder.id,
                ProductionOrder.number,
                Product.name.label("product"),
                ProductionOrder.status,
                ProductionOrder.quantity,
                ProductionOrder.unit,
            )
            .join(Product, Product.id == ProductionOrder.product_id)
            .where(ProductionOrder.id.in_(wanted[start : start + 500]))
        ):
            found[r.id] = _Order(r.id, r.number, r.product, r.status, r.quantity, r.unit)
    return found


def _sent(uow: UnitOfWork, reached: Any) -> dict[int, list[_Sent]]:
    sent: dict[int, list[_Sent]] = defaultdict(list)
    rows = uow.session.execute(
        select(
            DeliveryLine.batch_id,
            Delivery.id.label("delivery_id"),
            Delivery.number,
            ProductionOrder.number.label("order_number"),
            Delivery.delivered_at,
            Customer.code,
            Customer.name,
            func.sum(DeliveryLine.quantity).label("quantity"),
            Material.unit,
        )
        .select_from(DeliveryLine)
        .join(reached, reached.c.batch_id == DeliveryLine.batch_id)
        .join(Delivery, Delivery.id == DeliveryLine.delivery_id)
        .join(ProductionOrder, ProductionOrder.id == Delivery.production_order_id)
        .join(Customer, Customer.id == Delivery.customer_id)
        .join(Batch, Batch.id == DeliveryLine.batch_id)
        .join(Material, Material.id == Batch.material_id)
        .group_by(
            DeliveryLine.batch_id,
            Delivery.id,
            Delivery.number,
            ProductionOrder.number,
            Delivery.delivered_at,
            Customer.code,
            Customer.name,
            Material.unit,
        )
        .order_by(Delivery.delivered_at, Delivery.number)
    )
    for r in rows:
        sent[r.batch_id].append(
            _Sent(
                r.delivery_id,
                r.number,
                r.order_number,
                r.delivered_at,
                r.code,
                r.name,
                decimal_quantity(r.quantity),
                r.unit,
            )
        )
    return sent


# ---------------------------------------------------------------- the trees


def _batch_node(b: _Batch, children: tuple[TraceNode, ...], quantity: Decimal | None, detail: str = "") -> TraceNode:
    """A batch, with how much of it the node above used, made or holds (`quantity`)."""
    came = "received" if b.supplier else "produced"
    return TraceNode(
        "batch",
        b.number,
        f"Batch {b.number} — {b.material}",
        detail or f"{BatchStatus(b.status).label}, {came} {day(b.at.astimezone().date())}",
        children,
        quantity,
        b.unit,
    )


def _order_node(o: _Order, children: tuple[TraceNode, ...], quantity: Decimal | None, unit: str) -> TraceNode:
    """An order, with how much of the batch above it it used (forward) or made (backward)."""
    return TraceNode(
        "order",
        o.number,
        f"Order {o.number} — {o.product}",
        f"{OrderStatus(o.status).label}, {fmt_qty(o.quantity, o.unit)} ordered",
        children,
        quantity,
        unit,
    )


def _delivery_node(d: _Sent) -> TraceNode:
    customer = TraceNode("customer", d.customer_code, f"Customer {d.customer_name}", d.customer_code)
    return TraceNode(
        "delivery",
        d.number,
        f"Delivery {d.number} — {d.customer_name}",
        f"{day(d.at.astimezone().date())}, {fmt_qty(d.quantity, d.unit)}",
        (customer,),
        d.quantity,
        d.unit,
    )


def _forward_tree(g: _Graph, batch_id: int, seen: set[int], quantity: Decimal | None) -> TraceNode:
    b = g.batches[batch_id]
    if batch_id in seen:
        return _batch_node(b, (), quantity, "(shown above)")
    seen.add(batch_id)
    children = [_delivery_node(d) for d in g.sent.get(batch_id, [])]
    for order_id in sorted(g.consumed_by.get(batch_id, []), key=lambda i: g.orders[i].number):
        made = sorted(g.outputs_of.get(order_id, []), key=lambda i: g.batches[i].number)
        outputs = tuple(_forward_tree(g, m, seen, g.made.get(m)) for m in made)
        children.append(_order_node(g.orders[order_id], outputs, g.used.get((batch_id, order_id)), b.unit))
    return _batch_node(b, tuple(children), quantity)


def _backward_tree(g: _Graph, batch_id: int, seen: set[int], quantity: Decimal | None) -> TraceNode:
    b = g.batches[batch_id]
    if batch_id in seen:
        return _batch_node(b, (), quantity, "(shown above)")
    seen.add(batch_id)
    if b.supplier is not None:
        code, name = b.supplier
        return _batch_node(b, (TraceNode("supplier", code, f"Supplier {name}", code),), quantity)
    if b.order_id is None or b.order_id not in g.orders:
        return _batch_node(b, (), quantity)
    inputs = sorted(g.inputs_of.get(b.order_id, []), key=lambda i: g.batches[i].number)
    used = tuple(_backward_tree(g, i, seen, g.used.get((i, b.order_id))) for i in inputs)
    order = _order_node(g.orders[b.order_id], used, g.made.get(batch_id), b.unit)
    return _batch_node(b, (order,), quantity)


def _batch_id(uow: UnitOfWork, number: str) -> int:
    return uow.batches.by_key(v.code(number, "batch", NUMBER_LEN)).id


def trees(uow: UnitOfWork, batch: Batch) -> tuple[TraceNode, TraceNode]:
    """Both trees of a batch, read in an open unit of work: each batch with how much of it went into, or came
    out of, the order beside it; each order with how much of the batch above it it used or made."""
    back, ahead = _read(uow, _seed(batch.id), forward=False), _read(uow, _seed(batch.id), forward=True)
    backward = _backward_tree(back, batch.id, set(), back.made.get(batch.id))
    forward = _forward_tree(ahead, batch.id, set(), ahead.made.get(batch.id))
    return backward, forward


def made(uow: UnitOfWork, batch: Batch) -> Decimal:
    """How much the batch came into being with: received from its supplier, or put out by its order."""
    amount = uow.session.scalar(
        select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
            StockMovement.batch_id == batch.id,
            StockMovement.kind.in_((MovementKind.RECEIPT, MovementKind.OUTPUT)),
        )
    )
    return decimal_quantity(amount)


def trace_batch(uow: UnitOfWork, *, number: str) -> tuple[TraceNode, TraceNode]:
    """The backward tree (inputs down to suppliers) and the forward tree (orders, outputs, deliveries)."""
    require(uow.actor, "read")
    with uow:
        return trees(uow, uow.batches.by_key(v.code(number, "batch", NUMBER_LEN)))


def trace_delivery(uow: UnitOfWork, *, number: str) -> TraceNode:
    """A delivery back to its suppliers: each batch on it, down through the orders that made it."""
    require(uow.actor, "read")
    number = v.code(number, "delivery", NUMBER_LEN)
    with uow:
        delivery = uow.deliveries.by_key(number)
        customer = uow.customers.get(delivery.customer_id)
        on_it = select(DeliveryLine.batch_id.label("batch_id"), literal(0).label("depth")).where(
            DeliveryLine.delivery_id == delivery.id
        )
        graph = _read(uow, on_it, forward=False)  # every batch on it at once, and what they were made of
        sent = sorted({b for b, in uow.session.execute(on_it.with_only_columns(DeliveryLine.batch_id))},
                      key=lambda b: graph.batches[b].number)  # fmt: skip
        seen: set[int] = set()  # shared: what two batches have in common is shown once
        children = [_backward_tree(graph, batch_id, seen, None) for batch_id in sent]
        return TraceNode(
            "delivery",
            delivery.number,
            f"Delivery {delivery.number} — {customer.name}",
            f"{day(delivery.delivered_at.astimezone().date())}, {len(children)} batch(es)",
            tuple(children),
        )


# ---------------------------------------------------------------- recall


def recall(uow: UnitOfWork, *, number: str) -> Recall:
    """Who got anything made from this batch (or the batch itself), and what of it is still in the plant."""
    require(uow.actor, "read")
    with uow:
        start = _batch_id(uow, number)
        g = _read(uow, _seed(start), forward=True)
        source = g.batches[start]
        deliveries: list[RecallDelivery] = []
        for batch_id, sent in g.sent.items():
            b = g.batches[batch_id]
            for d in sent:
                deliveries.append(
                    RecallDelivery(
                        d.at,
                        d.number,
                        d.customer_code,
                        d.customer_name,
                        d.order_number,
                        b.number,
                        b.material,
                        d.quantity,
                        d.unit,
                        g.depth[batch_id],
                    )
                )
        deliveries.sort(key=lambda d: (d.delivered_at, d.delivery_number, d.batch_number))
        customers = _customers(uow, deliveries)
        in_plant = _in_plant(uow, g)
        origin = f"supplier {source.supplier[1]}" if source.supplier else _made_by(uow, source)
        return Recall(
            source.number,
            source.material,
            origin,
            batches_reached=len(g.batches) - 1,
            orders_reached=len({o for orders in g.consumed_by.values() for o in orders}),
            customers=customers,
            deliveries=tuple(deliveries),
            in_plant=in_plant,
        )


def _made_by(uow: UnitOfWork, b: _Batch) -> str:
    number = uow.session.scalar(select(ProductionOrder.number).where(ProductionOrder.id == b.order_id))
    return f"order {number}" if number else "made in the plant"


def _customers(uow: UnitOfWork, deliveries: list[RecallDelivery]) -> tuple[RecallCustomer, ...]:
    by_code: dict[str, list[RecallDelivery]] = defaultdict(list)
    for d in deliveries:
        by_code[d.customer_code].append(d)
    if not by_code:
        return ()
    contacts = {
        r.code: r
        for r in uow.session.execute(
            select(Customer.code, Customer.contact, Customer.phone, Customer.email).where(
                Customer.code.in_(sorted(by_code))
            )
        )
    }
    result = []
    for code, sent in by_code.items():
        amounts: dict[str, Decimal] = defaultdict(Decimal)
        for d in sent:
            amounts[d.unit] += d.quantity
        c = contacts[code]
        result.append(
            RecallCustomer(
                code,
                sent[0].customer_name,
                c.contact,
                c.phone,
                c.email,
                len({d.delivery_number for d in sent}),
                max(d.delivered_at for d in sent),
                tuple(sorted(amounts.items())),
            )
        )
    return tuple(sorted(result, key=lambda c: (c.name, c.code)))


def _in_plant(uow: UnitOfWork, g: _Graph) -> tuple[RecallStock, ...]:
    ids = sorted(g.batches)
    stock: list[RecallStock] = []
    for start in range(0, len(ids), 500):
        for r in uow.session.execute(
            select(StockBalance.batch_id, Warehouse.code, StockBalance.quantity)
            .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
            .where(StockBalance.batch_id.in_(ids[start : start + 500]), StockBalance.quantity > 0)
        ):
            b = g.batches[r.batch_id]
            stock.append(RecallStock(b.number, b.material, r.code, r.quantity, b.unit, b.status))
    return tuple(sorted(stock, key=lambda s: (s.batch_number, s.warehouse_code)))
