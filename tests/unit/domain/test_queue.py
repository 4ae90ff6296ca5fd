"""The queue's rank arithmetic, without a database: placing, respreading, resequencing."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain import queue
from domain.queue import RANK_GAP, optimised

ranks = st.lists(st.integers(min_value=-(1 << 40), max_value=1 << 40), min_size=0, max_size=60, unique=True).map(sorted)


def o(number: str, priority: int, due: int, product_id: int) -> Any:
    return SimpleNamespace(number=number, priority=priority, due_date=date(2026, 1, due), product_id=product_id)


def test_optimise_is_deterministic_and_groups_products() -> None:
    x, y, z = 1, 2, 3
    orders = [o("A", 2, 5, x), o("B", 1, 9, y), o("C", 2, 1, z), o("D", 2, 7, z), o("E", 2, 6, x)]
    expected = ["B", "C", "D", "A", "E"]
    assert [x.number for x in optimised(orders)] == expected
    assert [x.number for x in optimised(list(reversed(orders)))] == expected


def test_an_empty_queue_and_its_ends_leave_a_full_gap() -> None:
    assert queue.rank_between(None, None) == RANK_GAP
    assert queue.rank_between(None, 5) == 5 - RANK_GAP
    assert queue.rank_between(7, None) == 7 + RANK_GAP
    assert queue.rank_between(10, 20) == 15


def test_touching_neighbours_ask_for_a_respread() -> None:
    assert queue.rank_between(10, 11) is None


def test_a_target_position_stays_behind_the_running_order_and_inside_the_queue() -> None:
    assert queue.target_position(None, 4, 0) == 5
    assert queue.target_position(99, 4, 1) == 5
    assert queue.target_position(1, 4, 1) == 2
    assert queue.target_position(3, 4, 1) == 3
    assert queue.target_position(0, 0, 0) == 1


@given(st.integers(-(1 << 50), 1 << 50), st.integers(-(1 << 50), 1 << 50))
def test_a_rank_between_two_neighbours_lies_strictly_between_them(a: int, b: int) -> None:
    before, after = min(a, b), max(a, b)
    rank = queue.rank_between(before, after)
    if after - before > 1:
        assert rank is not None and before < rank < after
    else:
        assert rank is None


@given(ranks, st.integers(min_value=0, max_value=60))
def test_placing_anywhere_keeps_the_queue_strictly_ordered(queue_ranks: list[int], index: int) -> None:
    """Whatever the queue, the rank for a place between neighbours (or after a respread) fits there."""
    index = min(index, len(queue_ranks))
    before = queue_ranks[index - 1] if index > 0 else None
    after = queue_ranks[index] if index < len(queue_ranks) else None
    rank = queue.rank_between(before, after)
    placed = list(queue_ranks)
    if rank is None:
        assert before is not None and after is not None
        members = queue_ranks[index:]
        spread = queue.respread(before, members, queue.window_upper(members))
        placed[index:] = list(spread.ranks)
        rank = spread.free
    placed.insert(index, rank)
    assert placed == sorted(placed) and len(set(placed)) == len(placed)


@given(
    st.integers(-(1 << 40), 1 << 40),
    st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=40),
)
def test_a_respread_window_reaching_the_end_makes_room_for_everyone(before: int, steps: list[int]) -> None:
    members = []
    rank = before
    for step in steps:  # neighbours packed as tightly as ranks allow
        rank += step
        members.append(rank)
    upper = queue.window_upper(members)
    assert queue.window_has_room(before, len(members), upper)
    spread = queue.respread(before, members, upper)
    new = [before, spread.free, *spread.ranks]
    assert new == sorted(new) and len(set(new)) == len(new)
    assert all(b - a >= queue.MIN_SPREAD for a, b in zip(new, new[1:], strict=False))
    assert spread.ranks[-1] < upper


@given(ranks.filter(lambda r: len(r) >= 2), st.data())
def test_writing_a_respread_never_puts_two_orders_on_one_rank(queue_ranks: list[int], data: st.DataObject) -> None:
    """Applied one write at a time in the given order, ranks stay unique after every write."""
    before = queue_ranks[0] - data.draw(st.integers(1, 1 << 20))
    members = queue_ranks
    spread = queue.respread(before, members, queue.window_upper(members))
    held = dict(enumerate(members))
    moves = [(i, old, new) for i, (old, new) in enumerate(zip(members, spread.ranks, strict=True))]
    for key, _old, new in queue.unique_write_order(moves):
        held[key] = new
        assert len(set(held.values())) == len(held)
    assert [held[i] for i in range(len(members))] == list(spread.ranks)


@given(st.integers(-(1 << 50), 1 << 50), st.integers(0, 500))
def test_fresh_ranks_lie_above_every_rank_in_use_a_gap_apart(highest: int, count: int) -> None:
    fresh = queue.fresh_ranks(highest, count)
    assert len(fresh) == count
    assert all(r > highest for r in fresh)
    assert all(b - a == RANK_GAP for a, b in zip(fresh, fresh[1:], strict=False))


def test_the_head_goes_before_the_first_rank() -> None:
    assert queue.head_rank(100) < 100
