"""Queue moves a planner can take back: a drop is one or more queue moves, and so is each undo.

Every move goes through the planning services (plan, move, unplan: sparse ranks, one row written
and journaled per move); an undo puts each order back on the line and at the place it had, or back
in the backlog, with the same services. Nothing here touches a widget: these run on the worker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QUndoCommand

from app import queries as q
from app import services as s
from app.context import Context
from app.errors import KnownError


@dataclass(frozen=True)
class Place:
    """Where an order is in the plan: its line and 1-based position, or the backlog (line None)."""

    number: str
    line: str | None
    position: int | None


Outcome = tuple[list[Place], KnownError | None]  # the places reached, and the refusal that stopped the rest


def place_in_turn(
    ctx: Context, numbers: Sequence[str], line: str | None, position: int, versions: Mapping[str, int]
) -> Outcome:
    """Put the orders on `line` one after another: the first at `position`, each next right behind the one before.

    A refusal stops the rest; the moves already made stay (each is its own queue move) and are reported.
    """
    placed: list[Place] = []
    try:
        for i, number in enumerate(numbers):
            version = versions.get(number)
            if line is None:
                s.unplan_order(ctx.uow(), number=number, expected_version=version)
                placed.append(Place(number, None, None))
                continue
            wanted = position if i == 0 else _behind(ctx, line, placed[-1].number, number)
            got = s.plan_order(ctx.uow(), number=number, line=line, position=wanted, expected_version=version)
            placed.append(Place(number, line, got))
    except KnownError as exc:
        return placed, exc
    return placed, None


def _behind(ctx: Context, line: str, previous: str, number: str) -> int:
    """The position right behind `previous` among the line's orders other than `number`."""
    others = [o.order.number for o in q.line_queues(ctx.reader(), line=line)[0].orders if o.order.number != number]
    return others.index(previous) + 2


def restore(ctx: Context, places: Sequence[Place], versions: Mapping[str, int]) -> Outcome:
    """Put each order back where `places` says, the front of each queue first so every position means what it did."""
    done: list[Place] = []
    try:
        for place in sorted(places, key=lambda p: (p.line or "", p.position or 0)):
            version = versions.get(place.number)
            if place.line is None:
                s.unplan_order(ctx.uow(), number=place.number, expected_version=version)
            else:
                s.plan_order(
                    ctx.uow(), number=place.number, line=place.line, position=place.position, expected_version=version
                )
            done.append(place)
    except KnownError as exc:
        return done, exc
    return done, None


class UndoMoves(QUndoCommand):
    """One drop on the board, taken back (and made again) as queue moves."""

    def __init__(self, board: Any, before: list[Place], after: list[Place], text: str) -> None:
        super().__init__(text)
        self.board, self.before, self.after = board, before, after
        self.fresh = True  # the drop itself already made the moves

    def undo(self) -> None:
        """Every order back where it was before the drop."""
        self.board.replay(self.before, self.text(), undone=True)

    def redo(self) -> None:
        """The drop again (not when first pushed: it has just been made)."""
        if self.fresh:
            self.fresh = False
            return
        self.board.replay(self.after, self.text(), undone=False)
