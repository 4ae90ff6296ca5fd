"""Deliveries: approved batches (or parts of them) leave the plant for an order's customer.

One delivery, its lines, one ledger movement of kind `delivery` per line and one journal entry,
in one transaction: either all of it is saved or none of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app import journal
from app import validation as v
from app.errors import ValidationError
from app.permissions import require
from app.services._common import add_movement, ensure_usable, take_stock
from data.models import Delivery, DeliveryLine, Material, Product
from data.uow import UnitOfWork
from domain.vocabulary import CODE_LEN, NOTE_LEN, NUMBER_LEN, MovementKind, OrderStatus

MAX_LINES = 200  # a delivery note that long is a mistake, not a lorry


@dataclass(frozen=True)
class DeliveryItem:
    """One line as the clerk enters it: a batch, the warehouse its stock leaves from, how much."""

    batch: str
    warehouse: str
    quantity: Any


def _number(uow: UnitOfWork) -> str:
    year = uow.today().year
    count = uow.session.scalar(select(func.count()).where(Delivery.number.like(f"D-{year}-%"))) or 0
    return f"D-{year}-{count + 1:05d}"


def deliver(
    uow: UnitOfWork,
    *,
    order: str,
    lines: Sequence[DeliveryItem],
    note: str | None = None,
    number: str | None = None,
) -> str:
    """Send batches of the order's product to its customer; returns the delivery's number."""
    require(uow.actor, "stock.deliver")
    order_number = v.code(order, "order", NUMBER_LEN)
    note = v.text(note, "note", NOTE_LEN, required=False)
    given = v.code(number, "delivery_number", NUMBER_LEN) if number not in (None, "") else None
    if not lines:
        raise ValidationError("Add at least one batch to the delivery.", "lines")
    if len(lines) > MAX_LINES:
        raise ValidationError(f"A delivery takes at most {MAX_LINES} lines; this one has {len(lines)}.", "lines")
    with uow:
        o = uow.orders.by_key(order_number)
        status = OrderStatus(o.status)
        if not status.may_deliver:
            raise ValidationError(
                f"Order {o.number} is {status.label}; only what a running or finished order made is delivered.",
                "order",
            )
        customer = uow.customers.get(o.customer_id)
        if customer.archived:
            raise ValidationError(
                f"Customer {customer.code} ({customer.name}) is archived; a manager restores it before a delivery.",
                "order",
            )
        product = uow.session.get(Product, o.product_id)
        assert product is not None
        if product.output_material_id is None:
            raise ValidationError(
                f"Product {product.code} names no output material, so no batch can be told to be it; "
                "a planner sets it in the catalogue first.",
                "order",
            )
        if given is None:
            given = _number(uow)
        if uow.deliveries.find(given) is not None:
            raise ValidationError(f"Delivery {given} already exists; every delivery number is used once.", "number")
        delivery = Delivery(
            number=given,
            customer_id=customer.id,
            production_order_id=o.id,
            delivered_at=uow.now(),
            user_id=uow.actor.id,
            note=note,
        )
        uow.session.add(delivery)
        uow.session.flush()
        sent: list[journal.Sent] = []
        for n, item in enumerate(lines, start=1):
            sent.append(_line(uow, delivery, o.id, product, n, item))
        entry = journal.delivered(given, customer.code, customer.name, o.number, sent)
        uow.record_event("delivery", delivery.id, entry.action, entry.summary, entry.details)
        uow.commit()
        return given


def _line(
    uow: UnitOfWork, delivery: Delivery, order_id: int, product: Product, n: int, item: DeliveryItem
) -> journal.Sent:
    batch = uow.batches.by_key(v.code(item.batch, "batch", NUMBER_LEN))
    material = uow.session.get(Material, batch.material_id)
    assert material is not None
    wh = uow.warehouses.by_key(v.code(item.warehouse, "warehouse", CODE_LEN))
    try:
        qty = v.quantity(item.quantity, material.unit)
    except ValidationError as exc:
        raise ValidationError(f"Line {n} (batch {batch.number}): {exc}", exc.field) from None
    if batch.material_id != product.output_material_id:
        raise ValidationError(
            f"Batch {batch.number} is {material.name}; order for {product.code} delivers "
            f"{_material_code(uow, product)} only.",
            "batch",
        )
    ensure_usable(batch, material, "delivered", uow.today())
    take_stock(uow, batch, wh.id, wh.code, qty, material.unit)
    movement = add_movement(
        uow,
        batch.id,
        MovementKind.DELIVERY,
        qty,
        from_warehouse_id=wh.id,
        production_order_id=order_id,
        note=f"Delivery {delivery.number}",
    )
    uow.session.flush()
    uow.session.add(DeliveryLine(delivery_id=delivery.id, movement_id=movement.id, batch_id=batch.id, quantity=qty))
    return journal.Sent(batch.number, wh.code, qty, material.unit)


def _material_code(uow: UnitOfWork, product: Product) -> str:
    material = uow.session.get(Material, product.output_material_id)
    return material.code if material else "?"
