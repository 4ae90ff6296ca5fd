"""Running a production order: starting it on its line, the batches it consumes, the batches it
produces, and finishing it. Consumption and output are the genealogy's links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app import journal
from app import validation as v
from app.errors import ValidationError
from app.permissions import require
from app.services import queue
from app.services._common import add_movement, ensure_active, ensure_usable, take_stock
from data.models import Batch, ProductionOrder
from data.uow import UnitOfWork
from domain.vocabulary import CODE_LEN, NUMBER_LEN, BatchStatus, MovementKind, OrderStatus


def start_order(uow: UnitOfWork, *, number: str, expected_version: int | None = None) -> None:
    require(uow.actor, "order.run")
    number = v.code(number, "order", NUMBER_LEN)
    with uow:
        order = uow.orders.by_key(number)
        if order.line_id is None or not OrderStatus(order.status).may_start:
            raise ValidationError(
                f"Order {order.number} is {OrderStatus(order.status).label}; "
                "only an order planned on a line can start.",
                "order",
            )
        queue.lock_queues_of(uow, order)
        uow.check_version("order", order, expected_version, f"Order {order.number}")
        if order.line_id is None or not OrderStatus(order.status).may_start:
            raise queue.changed_meanwhile(order)
        line = uow.lines.get(order.line_id)
        running = uow.session.scalar(
            select(ProductionOrder.number).where(
                ProductionOrder.line_id == line.id, ProductionOrder.status == OrderStatus.IN_PROGRESS
            )
        )
        if running:
            raise ValidationError(f"{line.code} is already running order {running}; finish it first.", "order")
        queue.move_to_head(uow, order)
        order.status, order.started_at = OrderStatus.IN_PROGRESS, uow.now()
        uow.record_event(
            "order", order.id, "started", f"Started order {order.number} on {line.code}", {"line": line.code}
        )
        uow.commit()


def _running_order(uow: UnitOfWork, number: str, *, hold: bool = False) -> ProductionOrder:
    # hold: a finish or cancel waits until this transaction has recorded what it checked the order for.
    order = uow.orders.by_key(v.code(number, "order", NUMBER_LEN), for_share=hold)
    status = OrderStatus(order.status)
    if not status.is_running:
        raise ValidationError(
            f"Order {order.number} is {status.label}; consumption and output are recorded on running orders only.",
            "order",
        )
    return order


def consume_batch(uow: UnitOfWork, *, order: str, batch: str, warehouse: str, quantity: Any) -> None:
    """An input batch goes into the machine for this order: the genealogy's backward link."""
    require(uow.actor, "order.run")
    batch_number = v.code(batch, "batch", NUMBER_LEN)
    warehouse_code = v.code(warehouse, "warehouse", CODE_LEN)
    with uow:
        o = _running_order(uow, order, hold=True)
        b = uow.batches.by_key(batch_number)
        mat = uow.materials.get(b.material_id)
        qty = v.quantity(quantity, mat.unit)
        wh = uow.warehouses.by_key(warehouse_code)
        ensure_usable(b, mat, "consumed", uow.today())
        take_stock(uow, b, wh.id, wh.code, qty, mat.unit)
        add_movement(uow, b.id, MovementKind.CONSUMPTION, qty, from_warehouse_id=wh.id, production_order_id=o.id)
        entry = journal.consumed(o.number, b.number, mat.name, wh.code, qty, mat.unit)
        uow.record_event("order", o.id, entry.action, entry.summary, entry.details)
        uow.commit()


def record_output(
    uow: UnitOfWork,
    *,
    order: str,
    material: str,
    quantity: Any,
    warehouse: str,
    number: str | None = None,
    expiry_date: Any = None,
) -> str:
    """The line produced a batch for this order; it starts pending quality approval. Returns its number."""
    require(uow.actor, "order.run")
    material_code = v.code(material, "material", CODE_LEN)
    warehouse_code = v.code(warehouse, "warehouse", CODE_LEN)
    given = v.code(number, "batch_number", NUMBER_LEN) if number not in (None, "") else None
    expiry = v.a_date(expiry_date, "expiry_date", required=False)
    if expiry is not None and expiry < uow.today():
        raise ValidationError(f"The expiry date {expiry:%Y-%m-%d} lies in the past.", "expiry_date")
    with uow:
        o = _running_order(uow, order, hold=True)
        mat = uow.materials.by_key(material_code)
        ensure_active(mat, "material", "material")
        qty = v.quantity(quantity, mat.unit)
        wh = uow.warehouses.by_key(warehouse_code)
        ensure_active(wh, "warehouse", "warehouse")
        if given is None:
            produced = uow.session.scalar(select(func.count()).where(Batch.production_order_id == o.id)) or 0
            given = f"{o.number}-{produced + 1:03d}"
        if uow.batches.find(given) is not None:
            raise ValidationError(
                f"Batch {given} already exists; each batch number can be used only once.", "batch_number"
            )
        b = uow.batches.add(
            Batch(
                number=given,
                material_id=mat.id,
                production_order_id=o.id,
                received_at=uow.now(),
                expiry_date=expiry,
                status=BatchStatus.PENDING,
            )
        )
        uow.session.flush()
        add_movement(uow, b.id, MovementKind.OUTPUT, qty, to_warehouse_id=wh.id, production_order_id=o.id)
        entry = journal.output(o.number, given, b.id, mat.name, wh.code, qty, mat.unit)
        uow.record_event("order", o.id, entry.action, entry.summary, entry.details)
        uow.commit()
        return given


def finish_order(uow: UnitOfWork, *, number: str, expected_version: int | None = None) -> None:
    require(uow.actor, "order.run")
    with uow:
        o = _running_order(uow, number)
        queue.lock_queues_of(uow, o, for_update=True)  # it leaves the queue
        uow.check_version("order", o, expected_version, f"Order {o.number}")
        if not OrderStatus(o.status).is_running:
            raise queue.changed_meanwhile(o)
        o.status, o.queue_rank, o.finished_at = OrderStatus.DONE, None, uow.now()
        uow.record_event("order", o.id, "finished", f"Finished order {o.number}", {})
        uow.commit()
