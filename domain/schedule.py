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
the line's queued work) and how much the stops push the order's end (`delayed_by`).

Nothing here reads a database or a clock: the caller passes `now`. The production queue, the
dashboard and the printed plan all take their times from here.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

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
            done = max(ZERO, (now - start) - stopped_between(spans, start, now)) if now > start else ZERO
            left = max(ZERO, work - done)
            end = line.after_work(max(now, start), left) if left > ZERO else max(now, start)
        else:
            start = line.running_from(cursor)
            left = work
            end = line.after_work(start, work)
        cursor = max(cursor, end)
        result.append(
            Estimate(
                start=start,
                end=end,
                late=end > job.due_by,
                hours_left=left / timedelta(hours=1),
                delayed_by=stopped_between(spans, start, end),
            )
        )
    return tuple(result)
