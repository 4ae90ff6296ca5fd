"""Production orders: creating, planning them on the lines, running and closing them.

A line's queue is ordered by `queue_rank`, a sparse BIGINT key. Placing an
order between two neighbours gives it the midpoint of their ranks, so a move
writes one row however long the queue is. When two neighbours' ranks touch,
only a small window after them is respread (amortised O(log n) rows); the
queue is never rewritten as a whole except by "optimise line", which is
meant to.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select, update

from app import validation as v
from app.errors import ConflictError, ValidationError
from app.permissions import require
from app.services._common import add_movement, ensure_usable, fmt_qty, take_stock, today
from data.models import (
    CODE_LEN,
    NUMBER_LEN,
    REASON_LEN,
    Batch,
    ProductionLine,
    ProductionOrder,
)
from data.uow import UnitOfWork, utcnow
from domain.vocabulary import Unit

RANK_GAP = 1 << 20
# A respread window leaves at least this much room between neighbours.
MIN_SPREAD = 1 << 10
SPEC_LEN = 200


# ---------------------------------------------------------------- orders


def _order_fields(
    uow: UnitOfWork, customer: str, product_spec: str, quantity: Any, unit: str, priority: Any, due_date: Any
) -> dict[str, Any]:
    customer_code = v.code(customer, "customer", CODE_LEN)
    cust = uow.customers.by_key(customer_code)
    if cust.archived:
        raise ValidationError(
            f"Customer {cust.code} ({cust.name}) is archived; restore it before ordering.", "customer"
        )
    unit = v.choice(unit, "unit", Unit.values())
    due = v.a_date(due_date, "due_date")
    assert due is not None
    return {
        "customer_id": cust.id,
        "product_spec": v.required_text(product_spec, "product_spec", SPEC_LEN),
        "quantity": v.quantity(quantity, unit),
        "unit": unit,
        "priority": v.integer(priority, "priority", 1, 5),
        "due_date": due,
    }


def create_order(
    uow: UnitOfWork,
    *,
    customer: str,
    product_spec: str,
    quantity: Any,
    unit: str,
    due_date: Any,
    priority: Any = 3,
    number: str | None = None,
) -> int:
    require(uow.actor, "order.edit")
    given = v.code(number, "order_number", NUMBER_LEN) if number not in (None, "") else None
    with uow:
        fields = _order_fields(uow, customer, product_spec, quantity, unit, priority, due_date)
        if fields["due_date"] < today():
            raise ValidationError(f"The due date {fields['due_date']:%Y-%m-%d} lies in the past.", "due_date")
        if given is None:
            year = today().year
            count = uow.session.scalar(select(func.count()).where(ProductionOrder.number.like(f"PO-{year}-%"))) or 0
            given = f"PO-{year}-{count + 1:05d}"
        if uow.orders.find(given) is not None:
            raise ValidationError(f"Production order {given} already exists.", "order_number")
        order = uow.orders.add(ProductionOrder(number=given, status="new", created_at=utcnow(), **fields))
        uow.session.flush()
        uow.record_event(
            "order",
            order.id,
            "created",
            f"Created order {given}: {fields['product_spec']}, {fmt_qty(fields['quantity'], fields['unit'])}"
            f", due {fields['due_date']:%Y-%m-%d}",
            {"customer": customer, "quantity": str(fields["quantity"]), "unit": fields["unit"]},
        )
        uow.commit()
        return order.id


def edit_order(
    uow: UnitOfWork,
    *,
    number: str,
    customer: str,
    product_spec: str,
    quantity: Any,
    unit: str,
    due_date: Any,
    priority: Any,
    expected_version: int | None = None,
) -> None:
    require(uow.actor, "order.edit")
    number = v.code(number, "order", NUMBER_LEN)
    with uow:
        order = uow.orders.by_key(number, for_update=True)
        uow.check_version("order", order, expected_version, f"Order {order.number}")
        if order.status not in ("new", "planned"):
            raise ValidationError(
                f"Order {order.number} is {order.status.replace('_', ' ')}; only new and planned orders can be edited.",
                "order",
            )
        fields = _order_fields(uow, customer, product_spec, quantity, unit, priority, due_date)
        if order.line_id is not None and order.status == "planned":
            line = uow.lines.get(order.line_id)
            _check_unit(order.number, fields["unit"], line)
        changed = {k: str(val) for k, val in fields.items() if getattr(order, k) != val}
        if not changed:
            raise ValidationError(f"Nothing to save: order {order.number} is unchanged.", "order")
        for key, value in fields.items():
            setattr(order, key, value)
        uow.record_event(
            "order", order.id, "edited", f"Edited order {order.number}: {', '.join(sorted(changed))}", changed
        )
        uow.commit()


# ---------------------------------------------------------------- queue ranks


# The first key of the two-key advisory locks that stand for a line's queue.
QUEUE_LOCK_SPACE = 0x4D50  # "MP"


def _lock_lines(uow: UnitOfWork, *line_ids: int) -> None:
    # Serialise queue changes per line (PostgreSQL; SQLite's write lock already does), always in
    # id order so that two planners never deadlock. An advisory lock, not SELECT … FOR UPDATE on
    # the line: that would need UPDATE rights on production_lines, which planners do not have.
    if uow.backend != "postgresql":
        return
    for line_id in sorted(set(line_ids)):
        uow.session.execute(select(func.pg_advisory_xact_lock(QUEUE_LOCK_SPACE, line_id)))


def _lock_queues_of(uow: UnitOfWork, order: ProductionOrder, *line_ids: int, for_update: bool = False) -> None:
    """Lock the queue of the line `order` is on, and of `line_ids`, then re-read the order.

    The order's line is known only from a read made before the lock was held: another
    planner may have moved the order to a third line in between. Working on that line
    unlocked would race with its planners (positions counted one moment and gone the next,
    a respread rewriting a rank that was just cleared). Taking the extra lock out of id
    order could deadlock, so let go of everything and lock again instead. Removals from a
    line (unplan, finish, cancel) take the lock too. The order row itself is locked after
    the queues (`for_update`), the order a respread takes its rows in.
    """
    for _ in range(5):
        held = {*line_ids, *([order.line_id] if order.line_id is not None else [])}
        _lock_lines(uow, *held)
        uow.session.refresh(order, with_for_update=for_update or None)
        if order.line_id is None or order.line_id in held:
            return
        uow.session.rollback()  # releases the transaction's advisory locks; the order is read afresh
    raise ConflictError(
        f"Order {order.number} is being moved between lines by other planners right now. "
        "The screen will reload; try again."
    )


def _changed_meanwhile(order: ProductionOrder) -> ConflictError:
    """Someone else changed the order between its first read and the queue lock."""
    where = "on its line" if order.line_id is not None else "off any line"
    return ConflictError(
        f"Order {order.number} was changed by someone else meanwhile; it is now {order.status.replace('_', ' ')} "
        f"{where}. The screen will reload; nothing was changed."
    )


def _queue_ranks(uow: UnitOfWork, line_id: int, exclude_id: int, offset: int, limit: int) -> list[tuple[int, int]]:
    rows = uow.session.execute(
        select(ProductionOrder.id, ProductionOrder.queue_rank)
        .where(
            ProductionOrder.line_id == line_id,
            ProductionOrder.queue_rank.is_not(None),
            ProductionOrder.id != exclude_id,
        )
        .order_by(ProductionOrder.queue_rank)
        .offset(offset)
        .limit(limit)
    ).all()
    return [(r[0], r[1]) for r in rows]


def _respread(uow: UnitOfWork, line_id: int, exclude_id: int, prev_rank: int, start: int) -> int:
    """Make room after `prev_rank` by spreading a window of following orders; return the free rank."""
    size = 8
    while True:
        window = _queue_ranks(uow, line_id, exclude_id, start, size + 1)
        at_end = len(window) <= size
        members = window[:size]
        upper = window[size][1] if not at_end else members[-1][1] + (len(members) + 2) * RANK_GAP
        slots = len(members) + 1  # the newcomer takes the first slot
        if at_end or upper - prev_rank >= (slots + 1) * MIN_SPREAD:
            break
        size *= 2
    step = (upper - prev_rank) // (slots + 1)
    # The order being placed may still hold a rank inside the window (a move along its
    # own line): park it outside every queue position until its own row is written.
    uow.session.execute(
        update(ProductionOrder)
        .where(ProductionOrder.id == exclude_id, ProductionOrder.line_id == line_id)
        .values(queue_rank=-(1 << 62) - exclude_id)
        .execution_options(synchronize_session=False)
    )
    new_ranks = [prev_rank + step * (i + 2) for i in range(len(members))]
    moves = list(zip((m[0] for m in members), (m[1] for m in members), new_ranks, strict=True))
    # Ranks are unique at every statement: move up-movers from the top down, then down-movers bottom up.
    ordered = sorted((m for m in moves if m[2] > m[1]), key=lambda m: -m[1]) + sorted(
        (m for m in moves if m[2] < m[1]), key=lambda m: m[1]
    )
    for order_id, _old, new in ordered:
        uow.session.execute(
            update(ProductionOrder)
            .where(ProductionOrder.id == order_id)
            .values(queue_rank=new)
            .execution_options(synchronize_session=False)
        )
    return prev_rank + step


def _rank_at(uow: UnitOfWork, line_id: int, order_id: int, position: int | None) -> tuple[int, int]:
    """The rank that puts an order at `position` (1-based) among the line's other orders, and that position."""
    count = (
        uow.session.scalar(
            select(func.count()).where(
                ProductionOrder.line_id == line_id,
                ProductionOrder.queue_rank.is_not(None),
                ProductionOrder.id != order_id,
            )
        )
        or 0
    )
    running = (
        uow.session.scalar(
            select(func.count()).where(
                ProductionOrder.line_id == line_id,
                ProductionOrder.status == "in_progress",
                ProductionOrder.id != order_id,
            )
        )
        or 0
    )
    pos = count + 1 if position is None else max(1, min(int(position), count + 1))
    pos = max(pos, running + 1)  # the running order stays at the head of its line
    neighbours = _queue_ranks(uow, line_id, order_id, max(pos - 2, 0), 2 if pos >= 2 else 1)
    prev_rank = neighbours[0][1] if pos >= 2 else None
    next_pair = (
        neighbours[1] if pos >= 2 and len(neighbours) > 1 else (neighbours[0] if pos < 2 and neighbours else None)
    )
    next_rank = next_pair[1] if next_pair else None
    if prev_rank is None and next_rank is None:
        return RANK_GAP, pos
    if prev_rank is None:
        assert next_rank is not None
        return next_rank - RANK_GAP, pos
    if next_rank is None:
        return prev_rank + RANK_GAP, pos
    if next_rank - prev_rank > 1:
        return (prev_rank + next_rank) // 2, pos
    return _respread(uow, line_id, order_id, prev_rank, pos - 1), pos


def _check_unit(number: str, unit: str, line: ProductionLine) -> None:
    if unit != line.rate_unit:
        raise ValidationError(
            f"Order {number} is measured in {unit}, but {line.code} is rated in {line.rate_unit} per hour; "
            "plan it on a line of the right stage.",
            "line",
        )


def _place(
    uow: UnitOfWork,
    permission_statuses: tuple[str, ...],
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
        order = uow.orders.by_key(number)
        _lock_queues_of(uow, order, target.id)
        uow.check_version("order", order, expected_version, f"Order {order.number}")
        if order.status not in permission_statuses:
            if order.status == "in_progress":
                raise ValidationError(f"Order {order.number} is running on its line and cannot be moved.", "order")
            raise ValidationError(
                f"Order {order.number} is {order.status.replace('_', ' ')} and cannot be planned.", "order"
            )
        _check_unit(order.number, order.unit, target)
        source_line = order.line_id
        rank, pos = _rank_at(uow, target.id, order.id, position)
        order.status, order.line_id, order.queue_rank = "planned", target.id, rank
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
    return _place(uow, ("new", "planned"), number, line, position, expected_version, "planned")


def move_order(
    uow: UnitOfWork, *, number: str, line: str, position: int | None = None, expected_version: int | None = None
) -> int:
    """Move a planned order along its line or onto another one. Returns the new position."""
    return _place(uow, ("planned",), number, line, position, expected_version, "moved")


def unplan_order(uow: UnitOfWork, *, number: str, expected_version: int | None = None) -> None:
    """Take a planned order off its line, back to the backlog."""
    require(uow.actor, "order.plan")
    number = v.code(number, "order", NUMBER_LEN)
    with uow:
        order = uow.orders.by_key(number)
        _lock_queues_of(uow, order, for_update=True)
        uow.check_version("order", order, expected_version, f"Order {order.number}")
        if order.status != "planned":
            raise ValidationError(
                f"Order {order.number} is {order.status.replace('_', ' ')}; "
                "only planned orders go back to the backlog.",
                "order",
            )
        line = uow.lines.get(order.line_id) if order.line_id else None
        order.status, order.line_id, order.queue_rank = "new", None, None
        uow.record_event(
            "order", order.id, "unplanned", f"Took order {order.number} off {line.code if line else 'its line'}", {}
        )
        uow.commit()


def optimise_key(orders: list[ProductionOrder]) -> list[ProductionOrder]:
    """Priority first, then due date; orders of one product spec run back to back.

    Within a priority, specs are grouped and each group runs at the earliest due
    date among its orders, saving changeovers; ties fall back to due date and
    number, so the result never depends on the current order of the queue.
    """
    earliest: dict[tuple[int, str], date] = {}
    for o in orders:
        key = (o.priority, o.product_spec)
        earliest[key] = min(earliest.get(key, o.due_date), o.due_date)
    return sorted(
        orders, key=lambda o: (o.priority, earliest[(o.priority, o.product_spec)], o.product_spec, o.due_date, o.number)
    )


def optimise_line(uow: UnitOfWork, *, line: str) -> int:
    """Resequence a line's planned orders; the running order stays first. Returns how many moved."""
    require(uow.actor, "order.plan")
    line_code = v.code(line, "line", CODE_LEN)
    with uow:
        target = uow.lines.by_key(line_code)
        _lock_lines(uow, target.id)
        queued = list(
            uow.session.scalars(
                select(ProductionOrder)
                .where(ProductionOrder.line_id == target.id, ProductionOrder.queue_rank.is_not(None))
                .order_by(ProductionOrder.queue_rank)
            )
        )
        planned = [o for o in queued if o.status == "planned"]
        wanted = optimise_key(planned)
        if [o.id for o in wanted] == [o.id for o in planned]:
            raise ValidationError(f"The queue of {target.code} is already in the best order.", "line")
        base = max(o.queue_rank for o in queued if o.queue_rank is not None) + RANK_GAP
        moved = sum(1 for a, b in zip(wanted, planned, strict=True) if a.id != b.id)
        # Fresh ranks above every current one keep (line, rank) unique at each step.
        for i, order in enumerate(wanted):
            uow.session.execute(
                update(ProductionOrder)
                .where(ProductionOrder.id == order.id)
                .values(queue_rank=base + i * RANK_GAP)
                .execution_options(synchronize_session=False)
            )
        uow.record_event(
            "line",
            target.id,
            "optimised",
            f"Optimised the queue of {target.code}: {moved} of {len(planned)} orders moved",
            {"sequence": [o.number for o in wanted]},
        )
        uow.commit()
        return moved


# ---------------------------------------------------------------- running orders


def start_order(uow: UnitOfWork, *, number: str, expected_version: int | None = None) -> None:
    require(uow.actor, "order.run")
    number = v.code(number, "order", NUMBER_LEN)
    with uow:
        order = uow.orders.by_key(number)
        if order.line_id is None or order.status != "planned":
            raise ValidationError(
                f"Order {order.number} is {order.status.replace('_', ' ')}; only an order planned on a line can start.",
                "order",
            )
        _lock_queues_of(uow, order)
        uow.check_version("order", order, expected_version, f"Order {order.number}")
        if order.line_id is None or order.status != "planned":
            raise _changed_meanwhile(order)
        line = uow.lines.get(order.line_id)
        running = uow.session.scalar(
            select(ProductionOrder.number).where(
                ProductionOrder.line_id == line.id, ProductionOrder.status == "in_progress"
            )
        )
        if running:
            raise ValidationError(f"{line.code} is already running order {running}; finish it first.", "order")
        first = uow.session.scalar(
            select(func.min(ProductionOrder.queue_rank)).where(ProductionOrder.line_id == line.id)
        )
        if first is not None and first != order.queue_rank:
            order.queue_rank = first - RANK_GAP
        order.status, order.started_at = "in_progress", utcnow()
        uow.record_event(
            "order", order.id, "started", f"Started order {order.number} on {line.code}", {"line": line.code}
        )
        uow.commit()


def _running_order(uow: UnitOfWork, number: str, *, hold: bool = False) -> ProductionOrder:
    # hold: a finish or cancel waits until this transaction has recorded what it checked the order for.
    order = uow.orders.by_key(v.code(number, "order", NUMBER_LEN), for_share=hold)
    if order.status != "in_progress":
        raise ValidationError(
            f"Order {order.number} is {order.status.replace('_', ' ')}; "
            "consumption and output are recorded on running orders only.",
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
        ensure_usable(b, mat, "consumed")
        take_stock(uow, b, wh.id, wh.code, qty, mat.unit)
        add_movement(uow, b.id, "consumption", qty, from_warehouse_id=wh.id, production_order_id=o.id)
        uow.record_event(
            "order",
            o.id,
            "consumed",
            f"Order {o.number} consumed {fmt_qty(qty, mat.unit)} of batch {b.number} ({mat.name}) from {wh.code}",
            {"batch": b.number, "quantity": str(qty), "warehouse": wh.code},
        )
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
    if expiry is not None and expiry < today():
        raise ValidationError(f"The expiry date {expiry:%Y-%m-%d} lies in the past.", "expiry_date")
    with uow:
        o = _running_order(uow, order, hold=True)
        mat = uow.materials.by_key(material_code)
        qty = v.quantity(quantity, mat.unit)
        wh = uow.warehouses.by_key(warehouse_code)
        if given is None:
            produced = uow.session.scalar(select(func.count()).where(Batch.production_order_id == o.id)) or 0
            given = f"{o.number}-{produced + 1:03d}"
        if uow.batches.find(given) is not None:
            raise ValidationError(f"Batch {given} already exists; every batch number is used once.", "batch_number")
        b = uow.batches.add(
            Batch(
                number=given,
                material_id=mat.id,
                production_order_id=o.id,
                received_at=utcnow(),
                expiry_date=expiry,
                status="pending",
            )
        )
        uow.session.flush()
        add_movement(uow, b.id, "output", qty, to_warehouse_id=wh.id, production_order_id=o.id)
        uow.record_event(
            "order",
            o.id,
            "output",
            f"Order {o.number} produced batch {given}: {fmt_qty(qty, mat.unit)} of {mat.name} into {wh.code}",
            {"batch": given, "quantity": str(qty), "warehouse": wh.code, "batch_id": b.id},
        )
        uow.commit()
        return given


def finish_order(uow: UnitOfWork, *, number: str, expected_version: int | None = None) -> None:
    require(uow.actor, "order.run")
    with uow:
        o = _running_order(uow, number)
        _lock_queues_of(uow, o, for_update=True)  # it leaves the queue
        uow.check_version("order", o, expected_version, f"Order {o.number}")
        if o.status != "in_progress":
            raise _changed_meanwhile(o)
        o.status, o.queue_rank, o.finished_at = "done", None, utcnow()
        uow.record_event("order", o.id, "finished", f"Finished order {o.number}", {})
        uow.commit()


def cancel_order(uow: UnitOfWork, *, number: str, reason: str, expected_version: int | None = None) -> None:
    require(uow.actor, "order.cancel")
    number = v.code(number, "order", NUMBER_LEN)
    why = v.required_text(reason, "reason", REASON_LEN)
    with uow:
        o = uow.orders.by_key(number)
        _lock_queues_of(uow, o, for_update=True)  # a planned or running order leaves its queue
        uow.check_version("order", o, expected_version, f"Order {o.number}")
        if o.status in ("done", "cancelled"):
            raise ValidationError(f"Order {o.number} is already {o.status}.", "order")
        previous = o.status
        o.status, o.queue_rank, o.status_reason = "cancelled", None, why
        uow.record_event(
            "order",
            o.id,
            "cancelled",
            f"Cancelled order {o.number} (was {previous.replace('_', ' ')}): {why}",
            {"from": previous, "reason": why},
        )
        uow.commit()
