"""A line's queue against the clock: when each order should start and end, around the line's stops.

    estimate(now, rate_per_hour, jobs, stops) -> tuple[Estimate, ...]   one per job, in the queue's order

- `rate_per_hour`: the line's nominal rate, in the unit its orders are measured in.
- `jobs`: the line's queue in sequence (`Job`): each order's quantity, the moment after which it
  is late (`due_by`, the end of its due day), and for the running order when it started.
- `stops`: the line's stops that may matter (`Downtime`): past, still open (`end` None) and
  planned ones ahead. Overlapping stops count once; the order they come in does not matter.

The line works at its nominal rate whenever it is not stopped. The running order has done the
work of its running time since it started, less the time the line stood still; it ends once the
rest is done. The others follow back to back from now (or from the running order's end), each
starting at the first moment the line is not stopped, and their work goes around every stop in
their way. An open stop is counted up to `now`: the line is assumed to run again at once, so the
estimates of a stopped line move later minute by minute while it stands. An order is late when
its estimated end falls after `due_by`.

Each `Estimate` also says how many hours of work are left at the nominal rate (stops not counted:
the line's queued work), how much the stops push the order's end (`delayed_by`), and for a running
order that has run longer than its work takes, by how much (`overrun`): its end is then `now`, and
everything behind it starts from `now` too, so the overrun moves the whole queue.

    late_cause(estimate, due_by, now, hours_of_work, overrun_ahead, short) -> LateCause | None   why it is late
    shortages(needs, usable) -> dict[key, (material, missing)]      who runs short of material, first come first served
    day_loads(now, tz, first_day, days, due_hours, stops) -> tuple[DayLoad, ...]        load against capacity

Nothing here reads a database or a clock: the caller passes `now`. The production queue, the
dashboard and the printed plan all take their times from here.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import TypeVar

from domain.vocabulary import LateCause

ZERO = timedelta(0)


@dataclass(frozen=True)
class Job:
    """An order in a line's queue, as the estimate sees it."""

    quantity: Decimal | float
    due_by: datetime  # late if it ends after this moment
    running_since: datetime | None = None  # the running order: when it started


@dataclass(frozen=True)
class Downtime:
    """A stretch of time the line stands still; `end` None: it still does."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class Estimate:
    start: datetime
    end: datetime
    late: bool
    hours_left: float  # the work still to do at the nominal rate, stops not counted
    delayed_by: timedelta  # stop time between its start and its end
    overrun: timedelta = ZERO  # a running order past its estimated end: by how much (its end is then `now`)


def merged(stops: Iterable[Downtime], now: datetime) -> list[tuple[datetime, datetime]]:
    """The stops as sorted, disjoint (start, end) spans; an open stop ends at `now` (or where it starts)."""
    spans = sorted((s.start, s.end if s.end is not None else max(s.start, now)) for s in stops)
    result: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if end <= start:
            continue
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def stopped_between(spans: Sequence[tuple[datetime, datetime]], start: datetime, end: datetime) -> timedelta:
    """How long the line stood still between `start` and `end`, given merged spans."""
    total = ZERO
    for span_start, span_end in spans:
        if span_start >= end:
            break
        overlap = min(span_end, end) - max(span_start, start)
        if overlap > ZERO:
            total += overlap
    return total


class _Line:
    """Walks a line's time forward around its stops."""

    def __init__(self, spans: list[tuple[datetime, datetime]]) -> None:
        self.spans = spans
        self.ends = [end for _start, end in spans]

    def stopped(self, start: datetime, end: datetime) -> timedelta:
        """`stopped_between` for this line's spans, skipping those over before `start`."""
        return stopped_between(self.spans[bisect_right(self.ends, start) :], start, end)

    def running_from(self, moment: datetime) -> datetime:
        """The first moment at or after `moment` the line is not stopped."""
        i = bisect_right(self.ends, moment)
        if i < len(self.spans) and self.spans[i][0] <= moment:
            return self.spans[i][1]
        return moment

    def after_work(self, moment: datetime, work: timedelta) -> datetime:
        """When `work` of running time is done, starting at `moment` and going around every stop."""
        i = bisect_right(self.ends, moment)
        while i < len(self.spans):
            start, end = self.spans[i]
            if start <= moment:
                moment = end
            else:
                room = start - moment
                if work <= room:
                    return moment + work
                work -= room
                moment = end
            i += 1
        return moment + work


def hours_of(quantity: Decimal | float, rate_per_hour: Decimal | float) -> float:
    """Hours of work a quantity takes at the nominal rate."""
    return float(Decimal(str(quantity)) / Decimal(str(rate_per_hour)))


def estimate(
    now: datetime, rate_per_hour: Decimal | float, jobs: Sequence[Job], stops: Iterable[Downtime] = ()
) -> tuple[Estimate, ...]:
    """Each job's estimated start and end, in the queue's order (see the module's description)."""
    spans = merged(stops, now)
    line = _Line(spans)
    cursor = now
    result = []
    for job in jobs:
        work = timedelta(hours=hours_of(job.quantity, rate_per_hour))
        if job.running_since is not None:
            start = job.running_since
            done = max(ZERO, (now - start) - line.stopped(start, now)) if now > start else ZERO
            left = max(ZERO, work - done)
            end = line.after_work(max(now, start), left) if left > ZERO else max(now, start)
            overrun = max(ZERO, done - work)
        else:
            start = line.running_from(cursor)
            left = work
            end = line.after_work(start, work)
            overrun = ZERO
        cursor = max(cursor, end)
        result.append(
            Estimate(
                start=start,
                end=end,
                late=end > job.due_by,
                hours_left=left / timedelta(hours=1),
                delayed_by=line.stopped(start, end),
                overrun=overrun,
            )
        )
    return tuple(result)


def late_cause(
    run: Estimate,
    due_by: datetime,
    now: datetime,
    hours_of_work: float,
    overrun_ahead: bool = False,
    short_of_material: bool = False,
    made_at_earlier_stage: bool = False,
) -> LateCause | None:
    """Why an order with this estimate is late (None when it is not); `overrun_ahead`: an order ahead of it
    in the queue is running past its estimate; `short_of_material`: it cannot start for want of material,
    which a queued order of an earlier stage makes when `made_at_earlier_stage`."""
    if not run.late:
        return None
    if due_by <= now:
        return LateCause.DUE_PASSED
    if short_of_material:
        return LateCause.EARLIER_STAGE if made_at_earlier_stage else LateCause.MATERIAL
    if now + timedelta(hours=hours_of_work) > due_by:
        return LateCause.TOO_LONG
    if overrun_ahead:
        return LateCause.OVERRUN
    if run.delayed_by > ZERO and run.end - run.delayed_by <= due_by:
        return LateCause.STOPS
    return LateCause.QUEUE


@dataclass(frozen=True)
class DayLoad:
    """A line's day: the hours of work due on it against the hours the line can run that day."""

    day: date
    planned_hours: float  # work (at the nominal rate) of the queued orders due this day; overdue ones count today
    available_hours: float  # the day's hours from now on, less the line's stops

    @property
    def overloaded(self) -> bool:
        return self.planned_hours > self.available_hours + 1e-9


def day_loads(
    now: datetime,
    tz: tzinfo,
    first_day: date,
    days: int,
    due_hours: Iterable[tuple[date, float]],
    stops: Iterable[Downtime] = (),
) -> tuple[DayLoad, ...]:
    """Each of `days` days from `first_day`: the hours due on it against the hours the line can run.

    The line can run every hour of a day that is not past and not stopped (an open stop counts up to
    `now`, as in `estimate`). Work due before `first_day` is still to do, so it counts on `first_day`.
    """
    spans = merged(stops, now)
    planned: dict[date, float] = {}
    for due, hours in due_hours:
        key = max(due, first_day)
        planned[key] = planned.get(key, 0.0) + hours
    result = []
    for i in range(days):
        day = first_day + timedelta(days=i)
        start = datetime.combine(day, time.min, tzinfo=tz)
        end = start + timedelta(days=1)
        start = max(start, min(now, end))
        free = (end - start) - stopped_between(spans, start, end)
        result.append(DayLoad(day, planned.get(day, 0.0), free / timedelta(hours=1)))
    return tuple(result)


Mat = TypeVar("Mat")
Key = TypeVar("Key")


def shortages(
    needs: Iterable[tuple[Key, Mat, Decimal]], usable: Mapping[Mat, Decimal]
) -> dict[Key, tuple[Mat, Decimal]]:
    """Which orders run short of material: `needs` are (order, material, quantity) in the order the orders
    will start; each takes from the usable stock what is left of it. An order short of several materials
    is named with the first it runs out of, and by how much it is short of it."""
    left = dict(usable)
    short: dict[Key, tuple[Mat, Decimal]] = {}
    for order, material, quantity in needs:
        have = left.get(material, Decimal(0))
        if quantity > have and order not in short:
            short[order] = (material, quantity - max(have, Decimal(0)))
        left[material] = have - quantity
    return short
