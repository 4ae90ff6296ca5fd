"""A line's queue in the database: the locks that serialise planners, and the ranks read and written.

The arithmetic of ranks lives in domain/queue.py; this module reads the neighbours it needs,
asks for the ranks and writes them, under the line's lock.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from app.errors import ConflictError, ValidationError
from data.models import Product, ProductionLine, ProductionOrder
from data.uow import UnitOfWork
from domain import queue
from domain.vocabulary import LineStage, OrderStatus

# The first key of the two-key advisory locks that stand for a line's queue.
QUEUE_LOCK_SPACE = 0x4D50  # "MP"


def lock_lines(uow: UnitOfWork, *line_ids: int) -> None:
    """Serialise queue changes per line (PostgreSQL; SQLite's write lock already does).

    Always in id order, so that two planners never deadlock. An advisory lock, not SELECT … FOR
    UPDATE on the line: that would need UPDATE rights on production_lines, which planners lack.
    """
    if uow.backend != "postgresql":
        return
    for line_id in sorted(set(line_ids)):
        uow.session.execute(select(func.pg_advisory_xact_lock(QUEUE_LOCK_SPACE, line_id)))


def lock_queues_of(uow: UnitOfWork, order: ProductionOrder, *line_ids: int, for_update: bool = False) -> None:
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
        lock_lines(uow, *held)
        uow.session.refresh(order, with_for_update=for_update or None)
        if order.line_id is None or order.line_id in held:
            return
        uow.session.rollback()  # releases the transaction's advisory locks; the order is read afresh
    raise ConflictError(
        f"Order {order.number} is being moved between lines by other planners right now. "
        "The screen will reload; try again."
    )


def changed_meanwhile(order: ProductionOrder) -> ConflictError:
    """Someone else changed the order between its first read and the queue lock."""
    where = "on its line" if order.line_id is not None else "off any line"
    return ConflictError(
        f"Order {order.number} was changed by someone else meanwhile; it is now {OrderStatus(order.status).label} "
        f"{where}. The screen will reload; nothing was changed."
    )


def check_line(number: str, product: Product, line: ProductionLine) -> None:
    """An order runs only on a line of its product's stage, rated in the order's unit."""
    if product.stage != line.stage:
        stage = LineStage(product.stage).label
        raise ValidationError(
            f"Order {number} makes {product.code} ({product.name}) on {stage} lines; {line.code} runs "
            f"{LineStage(line.stage).label}. Plan it on a line for {stage}.",
            "line",
        )
    if product.unit != line.rate_unit:
        raise ValidationError(
            f"Order {number} is measured in {product.unit}, but {line.code} is rated in {line.rate_unit} per hour; "
            "plan it on a line rated in its unit.",
            "line",
        )


def _ranks(uow: UnitOfWork, line_id: int, exclude_id: int, offset: int, limit: int) -> list[tuple[int, int]]:
    """(order id, rank) of the line's queued orders other than `exclude_id`, from `offset` on."""
    rows = uow.session.execute(
        select(ProductionOrder.id.label("id"), ProductionOrder.queue_rank.label("rank"))
        .where(
            ProductionOrder.line_id == line_id,
            ProductionOrder.queue_rank.is_not(None),
            ProductionOrder.id != exclude_id,
        )
        .order_by(ProductionOrder.queue_rank)
        .offset(offset)
        .limit(limit)
    ).all()
    return [(row.id, row.rank) for row in rows]


def _set_rank(uow: UnitOfWork, order_id: int, rank: int) -> None:
    uow.session.execute(
        update(ProductionOrder)
        .where(ProductionOrder.id == order_id)
        .values(queue_rank=rank)
        .execution_options(synchronize_session=False)
    )


def _respread(uow: UnitOfWork, line_id: int, order_id: int, before: int, start: int) -> int:
    """Make room after `before` by spreading a window of the following orders; return the free rank."""
    size = queue.FIRST_WINDOW
    while True:
        window = _ranks(uow, line_id, order_id, start, size + 1)
        members = window[:size]
        at_end = len(window) <= size
        upper = queue.window_upper([r for _id, r in members]) if at_end else window[size][1]
        if at_end or queue.window_has_room(before, len(members), upper):
            break
        size *= 2
    spread = queue.respread(before, [r for _id, r in members], upper)
    # The order being placed may still hold a rank inside the window (a move along its
    # own line): park it outside every queue position until its own row is written.
    uow.session.execute(
        update(ProductionOrder)
        .where(ProductionOrder.id == order_id, ProductionOrder.line_id == line_id)
        .values(queue_rank=queue.PARKED_RANK - order_id)
        .execution_options(synchronize_session=False)
    )
    moves = [(member_id, old, new) for (member_id, old), new in zip(members, spread.ranks, strict=True)]
    for member_id, _old, new in queue.unique_write_order(moves):
        _set_rank(uow, member_id, new)
    return spread.free


def _count(uow: UnitOfWork, line_id: int, order_id: int, *, running_only: bool = False) -> int:
    condition = (
        ProductionOrder.status == OrderStatus.IN_PROGRESS if running_only else ProductionOrder.queue_rank.is_not(None)
    )
    return (
        uow.session.scalar(
            select(func.count()).where(ProductionOrder.line_id == line_id, condition, ProductionOrder.id != order_id)
        )
        or 0
    )


def rank_at(uow: UnitOfWork, line_id: int, order_id: int, position: int | None) -> tuple[int, int]:
    """The rank that puts an order at `position` (1-based) among the line's other orders, and that position."""
    pos = queue.target_position(
        position, _count(uow, line_id, order_id), _count(uow, line_id, order_id, running_only=True)
    )
    if pos >= 2:
        neighbours = _ranks(uow, line_id, order_id, pos - 2, 2)
        before: int | None = neighbours[0][1]
        after = neighbours[1][1] if len(neighbours) > 1 else None
    else:
        neighbours = _ranks(uow, line_id, order_id, 0, 1)
        before, after = None, (neighbours[0][1] if neighbours else None)
    rank = queue.rank_between(before, after)
    if rank is None:
        assert before is not None
        rank = _respread(uow, line_id, order_id, before, pos - 1)
    return rank, pos


def move_to_head(uow: UnitOfWork, order: ProductionOrder) -> None:
    """Put the order first on its line (a started order runs before everything queued)."""
    first = uow.session.scalar(
        select(func.min(ProductionOrder.queue_rank)).where(ProductionOrder.line_id == order.line_id)
    )
    if first is not None and first != order.queue_rank:
        order.queue_rank = queue.head_rank(first)


def resequence(uow: UnitOfWork, queued: list[ProductionOrder], wanted: list[ProductionOrder]) -> None:
    """Give `wanted` fresh ranks in its order, above every rank of the `queued` orders."""
    highest = max(o.queue_rank for o in queued if o.queue_rank is not None)
    for order, rank in zip(wanted, queue.fresh_ranks(highest, len(wanted)), strict=True):
        _set_rank(uow, order.id, rank)
