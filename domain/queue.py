"""A line's queue as sparse ranks: the arithmetic, free of any database.

A queue is ordered by `queue_rank`, a sparse integer key. Placing an order
between two neighbours gives it the midpoint of their ranks, so a move writes
one row however long the queue is. When two neighbours' ranks touch, only a
small window after them is respread; the queue is rewritten as a whole only
by "optimise line", which is meant to. The services read the neighbours and
write the ranks; this module decides what the ranks are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

RANK_GAP = 1 << 20  # the room left between neighbours when there is a choice
MIN_SPREAD = 1 << 10  # a respread window leaves at least this much room between neighbours
FIRST_WINDOW = 8  # orders in the first respread window; it doubles until there is room
PARKED_RANK = -(1 << 62)  # below every rank a queue hands out: where an order waits while its window moves


def target_position(wanted: int | None, others: int, running: int) -> int:
    """The 1-based position an order lands at among `others` queued orders, `running` of them running.

    None means the end of the queue. The running order stays at the head of its line, so nothing
    is placed before it.
    """
    position = others + 1 if wanted is None else max(1, min(wanted, others + 1))
    return max(position, running + 1)


def rank_between(before: int | None, after: int | None) -> int | None:
    """The rank for a place between two neighbours' ranks (None: no neighbour on that side).

    None when the neighbours' ranks touch and the window after `before` must be respread first.
    """
    if before is None and after is None:
        return RANK_GAP
    if before is None:
        assert after is not None
        return after - RANK_GAP
    if after is None:
        return before + RANK_GAP
    if after - before > 1:
        return (before + after) // 2
    return None


def window_has_room(before: int, members: int, upper: int) -> bool:
    """Can `members` orders plus a newcomer spread between `before` and `upper` with room to spare?"""
    return upper - before >= (members + 2) * MIN_SPREAD


def window_upper(members: Sequence[int]) -> int:
    """The bound a window that reaches the end of the queue spreads up to."""
    return members[-1] + (len(members) + 2) * RANK_GAP


@dataclass(frozen=True)
class Respread:
    """The newcomer's rank and each window member's new rank, in the members' order."""

    free: int
    ranks: tuple[int, ...]


def respread(before: int, members: Sequence[int], upper: int) -> Respread:
    """Spread the window's members evenly between `before` and `upper`; the newcomer takes the first slot."""
    step = (upper - before) // (len(members) + 2)
    return Respread(before + step, tuple(before + step * (i + 2) for i in range(len(members))))


K = TypeVar("K")


def unique_write_order(moves: Sequence[tuple[K, int, int]]) -> list[tuple[K, int, int]]:
    """(key, old rank, new rank) in an order that keeps ranks unique after every single write.

    Up-movers go first, from the top down; then down-movers, from the bottom up. Within a
    respread window every member keeps its place relative to the others, so no write lands
    on a rank another member still holds.
    """
    up = sorted((m for m in moves if m[2] > m[1]), key=lambda m: -m[1])
    down = sorted((m for m in moves if m[2] < m[1]), key=lambda m: m[1])
    return up + down


def head_rank(first: int) -> int:
    """The rank that puts an order before the current head of the queue."""
    return first - RANK_GAP


def fresh_ranks(highest: int, count: int) -> list[int]:
    """`count` ranks above every rank in use, a full gap apart: a resequenced queue never clashes while written."""
    return [highest + RANK_GAP * (i + 1) for i in range(count)]


class Sequenced(Protocol):
    """What resequencing looks at in an order."""

    @property
    def number(self) -> str: ...

    @property
    def priority(self) -> int: ...

    @property
    def due_date(self) -> date: ...

    @property
    def product_id(self) -> int: ...


S = TypeVar("S", bound=Sequenced)


def optimised(orders: Sequence[S]) -> list[S]:
    """Priority first, then due date; orders of one product run back to back.

    Within a priority, products are grouped and each group runs at the earliest due
    date among its orders, saving changeovers; ties fall back to due date and
    number, so the result never depends on the current order of the queue.
    """
    earliest: dict[tuple[int, int], date] = {}
    for o in orders:
        key = (o.priority, o.product_id)
        earliest[key] = min(earliest.get(key, o.due_date), o.due_date)
    return sorted(
        orders, key=lambda o: (o.priority, earliest[(o.priority, o.product_id)], o.product_id, o.due_date, o.number)
    )
