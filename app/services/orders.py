"""The life of a production order: created and edited, planned, moved and taken off a line,
resequenced, cancelled. Running it (start, consumption, output, finish) is app/services/production.py;
the queue's ranks and locks are app/services/queue.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from app import validation as v
from app.errors import ValidationError
from app.permissions import require
from app.services import queue
from app.services._common import ensure_active, fmt_qty
from data.models import Product, ProductionOrder
from data.uow import UnitOfWork
from domain.queue import optimised
from domain.vocabulary import CODE_LEN, NOTE_LEN, NUMBER_LEN, PRIORITIES, REASON_LEN, OrderStatus, Unit


def _order_fields(
    uow: UnitOfWork,
    customer: str,
    product: str,
    quantity: Any,
    unit: str | None,
    priority: Any,
    due_date: Any,
    note: str | None,
) -> dict[str, Any]:
    customer_code = v.code(customer, "customer", CODE_LEN)
    cust = uow.customers.by_key(customer_code)
    if cust.archived:
        raise ValidationError(
            f"Customer {cust.code} ({cust.name}) is archived; restore it before ordering.", "customer"
        )
    made = uow.products.by_key(v.code(product, "product", CODE_LEN))
    if unit not in (None, "") and unit != made.unit:
        unit = v.choice(unit, "unit", Unit.values())
        raise ValidationError(
            f"Product {made.code} is ordered in {Unit(made.unit).label}, not in {Unit(unit).label}.", "unit"
        )
    due = v.a_date(due_date, "due_date")
    assert due is not None
    return {
        "customer_id": cust.id,
        "product_id": made.id,
        "note": v.text(note, "note", NOTE_LEN, required=False),
        "quantity": v.quantity(quantity, made.unit),
        "unit": made.unit,
        "priority": v.integer(priority, "priority", PRIORITIES.start, PRIORITIES.stop - 1),
        "due_date": due,
    }


def _orderable(uow: UnitOfWork, product_id: int) -> Product:
    """A product that may be ordered now: in the catalogue, not archived."""
    made = uow.session.get(Product, product_id)
    assert made is not None
    if made.archived:
        raise ValidationError(f"Product {made.code} ({made.name}) is archived; restore it before ordering.", "product")
    return made


def create_order(
    uow: UnitOfWork,
    *,
    customer: str,
    product: str,
    quantity: Any,
    due_date: Any,
    unit: str | None = None,
    priority: Any = 3,
    number: str | None = None,
    note: str | None = None,
) -> int:
    """A customer's order for a product, in the product's unit; `note` is the planner's free text."""
    require(uow.actor, "order.edit")
    given = v.code(number, "order_number", NUMBER_LEN) if number not in (None, "") else None
    with uow:
        fields = _order_fields(uow, customer, product, quantity, unit, priority, due_date, note)
        made = _orderable(uow, fields["product_id"])
        if fields["due_date"] < uow.today():
            raise ValidationError(f"The due date {fields['due_date']:%Y-%m-%d} lies in the past.", "due_date")
        if given is None:
            year = uow.today().year
            count = uow.session.scalar(select(func.count()).where(ProductionOrder.number.like(f"PO-{year}-%"))) or 0
            given = f"PO-{year}-{count + 1:05d}"
        if uow.orders.find(given) is not None:
            raise ValidationError(f"Production order {given} already exists.", "order_number")
        order = uow.orders.add(ProductionOrder(number=given, status=OrderStatus.NEW, created_at=uow.now(), **fields))
        uow.session.flush()
        uow.record_event(
            "order",
            order.id,
            "created",
            f"Created order {given}: {made.code} {made.name}, {fmt_qty(fields['quantity'], fields['unit'])}"
            f", due {fields['due_date']:%Y-%m-%d}",
            {
                "customer": customer,
                "product": made.code,
                "quantity": str(fields["quantity"]),
                "unit": fields["unit"],
                "note": fields["note"],
            },
        )
        uow.commit()
        return order.id


def edit_order(
    uow: UnitOfWork,
    *,
    number: str,
    customer: str,
    product: str,
    quantity: Any,
    due_date: Any,
    priority: Any,
    unit: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> None:
    require(uow.actor, "order.edit")
    number = v.code(number, "order", NUMBER_LEN)
    with uow:
        order = uow.orders.by_key(number, for_update=True)
        uow.check_version("order", order, expected_version, f"Order {order.number}")
        status = OrderStatus(order.status)
        if not status.may_edit:
            raise ValidationError(
                f"Order {order.number} is {status.label}; only new and planned orders can be edited.", "order"
            )
        fields = _order_fields(uow, customer, product, quantity, unit, priority, due_date, note)
        changed = {k: str(val) for k, val in fields.items() if getattr(order, k) != val}
        if "product_id" in changed:
            made = _orderable(uow, fields["product_id"])
            if order.line_id is not None and status is OrderStatus.PLANNED:
                queue.check_line(order.number, made, uow.lines.get(order.line_id))
            changed["product"] = made.code
            del changed["product_id"]
        if not changed:
            raise ValidationError(f"Nothing to save: order {order.number} is unchanged.", "order")
        for key, value in fields.items():
            setattr(order, key, value)
        uow.record_event(
            "order", order.id, "edited", f"Edited order {order.number}: {', '.join(sorted(changed))}", changed
        )
        uow.commit()


# ---------------------------------------------------------------- on the lines


def _place(
    uow: UnitOfWork,
    may: Callable[[OrderStatus], bool],
    number: str,
    line: str,
    position: int | None,
    expected_version: int | None,
    action: str,
) -> int:
    require(uow.actor, "order.plan")
    number = v.code(number, "order", NUMBER_LEN)
    line_code = v.code(line, "line", CODE_LEN)
    if position is not None:
        position = v.integer(position, "position", 1, 10_000_000)
    with uow:
        target = uow.lines.by_key(line_code)
        ensure_active(target, "line", "line")
        order = uow.orders.by_key(number)
        queue.lock_queues_of(uow, order, target.id)
        uow.check_version("order", order, expected_version, f"Order {order.number}")
        status = OrderStatus(order.status)
        if not may(status):
            if status.is_running:
                raise ValidationError(f"Order {order.number} is running on its line and cannot be moved.", "order")
            raise ValidationError(f"Order {order.number} is {status.label} and cannot be planned.", "order")
        made = uow.session.get(Product, order.product_id)
        assert made is not None
        queue.check_line(order.number, made, target)
        source_line = order.line_id
        rank, pos = queue.rank_at(uow, target.id, order.id, position)
        order.status, order.line_id, order.queue_rank = OrderStatus.PLANNED, target.id, rank
        if source_line is None or action == "planned":
            summary = f"Planned order {order.number} on {target.code} at position {pos}"
        elif source_line == target.id:
            summary = f"Moved order {order.number} to position {pos} on {target.code}"
        else:
            summary = (
                f"Moved order {order.number} from {uow.lines.get(source_line).code} to {target.code}, position {pos}"
            )
        uow.record_event("order", order.id, action, summary, {"line": target.code, "position": pos})
        uow.commit()
        return pos


def plan_order(
    uow: UnitOfWork, *, number: str, line: str, position: int | None = None, expected_version: int | None = None
) -> int:
    """Put a new order (or move a planned one) onto a line at `position` (None: at the end). Returns the position."""
    return _place(uow, lambda s: s.may_plan, number, line, position, expected_version, "planned")


def move_order(
    uow: UnitOfWork, *, number: str, line: str, position: int | None = None, expected_version: int | None = None
) -> int:
    """Move a planned order along its line or onto another one. Returns the new position."""
    return _place(uow, lambda s: s.may_move, number, line, position, expected_version, "moved")


def unplan_order(uow: UnitOfWork, *, number: str, expected_version: int | None = None) -> None:
    """Take a planned order off its line, back to the backlog."""
    require(uow.actor, "order.plan")
    number = v.code(number, "order", NUMBER_LEN)
    with uow:
        order = uow.orders.by_key(number)
        queue.lock_queues_of(uow, order, for_update=True)
        uow.check_version("order", order, expected_version, f"Order {order.number}")
        status = OrderStatus(order.status)
        if not status.may_unplan:
            raise ValidationError(
                f"Order {order.number} is {status.label}; only planned orders go back to the backlog.", "order"
            )
        line = uow.lines.get(order.line_id) if order.line_id else None
        order.status, order.line_id, order.queue_rank = OrderStatus.NEW, None, None
        uow.record_event(
            "order", order.id, "unplanned", f"Took order {order.number} off {line.code if line else 'its line'}", {}
        )
        uow.commit()


def optimise_line(uow: UnitOfWork, *, line: str) -> int:
    """Resequence a line's planned orders; the running order stays first. Returns how many moved."""
    require(uow.actor, "order.plan")
    line_code = v.code(line, "line", CODE_LEN)
    with uow:
        target = uow.lines.by_key(line_code)
        queue.lock_lines(uow, target.id)
        queued = list(
            uow.session.scalars(
                select(ProductionOrder)
                .where(ProductionOrder.line_id == target.id, ProductionOrder.queue_rank.is_not(None))
                .order_by(ProductionOrder.queue_rank)
            )
        )
        planned = [o for o in queued if o.status == OrderStatus.PLANNED]
        wanted = optimised(planned)
        if [o.id for o in wanted] == [o.id for o in planned]:
            raise ValidationError(f"The queue of {target.code} is already in the best order.", "line")
        moved = sum(1 for a, b in zip(wanted, planned, strict=True) if a.id != b.id)
        queue.resequence(uow, queued, wanted)
        uow.record_event(
            "line",
            target.id,
            "optimised",
            f"Optimised the queue of {target.code}: {moved} of {len(planned)} orders moved",
            {"sequence": [o.number for o in wanted]},
        )
        uow.commit()
        return moved


def cancel_order(uow: UnitOfWork, *, number: str, reason: str, expected_version: int | None = None) -> None:
    require(uow.actor, "order.cancel")
    number = v.code(number, "order", NUMBER_LEN)
    why = v.required_text(reason, "reason", REASON_LEN)
    with uow:
        o = uow.orders.by_key(number)
        queue.lock_queues_of(uow, o, for_update=True)  # a planned or running order leaves its queue
        uow.check_version("order", o, expected_version, f"Order {o.number}")
        previous = OrderStatus(o.status)
        if not previous.may_cancel:
            raise ValidationError(f"Order {o.number} is already {previous.label}.", "order")
        o.status, o.queue_rank, o.status_reason = OrderStatus.CANCELLED, None, why
        uow.record_event(
            "order",
            o.id,
            "cancelled",
            f"Cancelled order {o.number} (was {previous.label}): {why}",
            {"from": previous.value, "reason": why},
        )
        uow.commit()
