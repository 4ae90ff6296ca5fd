"""The plant's figures as plain functions over rows the queries read: no database, no clock.

The dashboard and its printed page compute every figure here or in SQL, never twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.schedule import Downtime, merged, stopped_between

HOURS_A_DAY = 24


def availability(stops: Iterable[Downtime], start: datetime, end: datetime) -> float:
    """The share of [start, end) the line was not stopped (0–1); an open stop lasts up to `end`.

    Overlapping stops count once, and only the part of a stop inside the window counts.
    """
    span = end - start
    if span <= timedelta(0):
        return 1.0
    stopped = stopped_between(merged(stops, end), start, end)
    return max(0.0, 1.0 - stopped / span)


def capacity_per_day(rate_per_hour: Decimal) -> Decimal:
    """What a line could make in a whole day at its nominal rate."""
    return rate_per_hour * HOURS_A_DAY


def by_day(amounts: Iterable[tuple[date, Decimal]], days: Sequence[date]) -> tuple[Decimal, ...]:
    """The amounts added up per day, one figure for each of `days` (days outside them are left out)."""
    totals = dict.fromkeys(days, Decimal(0))
    for day, amount in amounts:
        if day in totals:
            totals[day] += amount
    return tuple(totals[d] for d in days)


def last_days(today: date, count: int) -> tuple[date, ...]:
    """The `count` days up to and including `today`, oldest first."""
    return tuple(today - timedelta(days=count - 1 - i) for i in range(count))


@dataclass(frozen=True)
class OnTime:
    finished: int
    on_time: int

    @property
    def rate(self) -> float | None:
        """The share finished on time (0–1); None when nothing finished."""
        return self.on_time / self.finished if self.finished else None


def on_time(finished: Iterable[tuple[date, date]]) -> OnTime:
    """(day finished, due date) of each finished order: on time when finished on or before its due day."""
    pairs = list(finished)
    return OnTime(len(pairs), sum(1 for done, due in pairs if done <= due))


def share(part: Decimal, whole: Decimal) -> float | None:
    """part / whole, or None when there is no whole to compare with."""
    return float(part / whole) if whole > 0 else None
