"""The queue's estimate around a line's stops, on hand-made queues whose times are worked out here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.schedule import (
    Downtime,
    Job,
    day_loads,
    estimate,
    late_cause,
    merged,
    shortages,
    stopped_between,
)
from domain.vocabulary import LateCause

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=30)  # a due date nothing here misses


def at(hours: float) -> datetime:
    """`hours` after NOW (negative: before)."""
    return NOW + timedelta(hours=hours)


def test_without_stops_orders_run_back_to_back_from_now() -> None:
    # 500 kg/h: 1000 kg take 2 h, 1500 kg take 3 h.
    runs = estimate(NOW, Decimal(500), [Job(Decimal(1000), LATER), Job(Decimal(1500), LATER)])
    assert [(r.start, r.end) for r in runs] == [(at(0), at(2)), (at(2), at(5))]
    assert [r.hours_left for r in runs] == [2.0, 3.0]
    assert all(r.delayed_by == timedelta(0) and not r.late for r in runs)


def test_the_running_order_counts_from_when_it_started() -> None:
    # Started 1 h ago, 4 h of work: 3 h left, so it ends at +3 h and the next one (1 h) at +4 h.
    runs = estimate(NOW, 500, [Job(2000, LATER, running_since=at(-1)), Job(500, LATER)])
    assert (runs[0].start, runs[0].end, runs[0].hours_left) == (at(-1), at(3), 3.0)
    assert (runs[1].start, runs[1].end) == (at(3), at(4))


def test_a_running_order_past_its_estimate_ends_now() -> None:
    runs = estimate(NOW, 500, [Job(500, LATER, running_since=at(-5)), Job(500, LATER)])
    assert (runs[0].end, runs[0].hours_left) == (at(0), 0.0)
    assert (runs[1].start, runs[1].end) == (at(0), at(1))


def test_an_open_stop_holds_the_running_order_back_by_how_long_the_line_has_stood() -> None:
    # Started 3 h ago with 4 h of work; stopped for the last 2 h, still stopped. It ran 1 h, so 3 h
    # are left from now: it ends at +3 h, pushed by the 2 h of the stop.
    runs = estimate(NOW, 500, [Job(2000, LATER, running_since=at(-3)), Job(500, LATER)], [Downtime(at(-2))])
    assert (runs[0].end, runs[0].hours_left, runs[0].delayed_by) == (at(3), 3.0, timedelta(hours=2))
    assert (runs[1].start, runs[1].end, runs[1].delayed_by) == (at(3), at(4), timedelta(0))


def test_a_planned_stop_ahead_splits_the_work_around_it() -> None:
    # 6 h of work from now; maintenance planned from +2 h to +5 h: 2 h before, 4 h after, ends at +9 h.
    # The next order (1 h) starts at +9 h.
    stops = [Downtime(at(2), at(5))]
    runs = estimate(NOW, 500, [Job(3000, LATER), Job(500, LATER)], stops)
    assert (runs[0].start, runs[0].end, runs[0].delayed_by) == (at(0), at(9), timedelta(hours=3))
    assert (runs[1].start, runs[1].end) == (at(9), at(10))


def test_an_order_waiting_behind_a_stop_starts_when_the_line_runs_again() -> None:
    # The first order ends at +2 h exactly when a stop begins that lasts to +3 h: the second starts at +3 h.
    runs = estimate(NOW, 500, [Job(1000, LATER), Job(1000, LATER)], [Downtime(at(2), at(3))])
    assert runs[0].end == at(2) and runs[0].delayed_by == timedelta(0)
    assert (runs[1].start, runs[1].end) == (at(3), at(5))


def test_a_stop_in_progress_with_a_known_end_delays_the_first_order() -> None:
    # Stopped since -1 h, back at +1.5 h: the first order (1 h) runs from +1.5 h to +2.5 h.
    runs = estimate(NOW, 500, [Job(500, LATER)], [Downtime(at(-1), at(1.5))])
    assert (runs[0].start, runs[0].end) == (at(1.5), at(2.5))


def test_overlapping_and_repeated_stops_count_once() -> None:
    # Two reports of the same breakdown, 1-3 h and 2-4 h: the line stands from +1 h to +4 h.
    stops = [Downtime(at(2), at(4)), Downtime(at(1), at(3)), Downtime(at(1), at(3))]
    runs = estimate(NOW, 500, [Job(1000, LATER)], stops)
    assert runs[0].end == at(5) and runs[0].delayed_by == timedelta(hours=3)


def test_stops_in_the_past_change_nothing_for_orders_yet_to_start() -> None:
    runs = estimate(NOW, 500, [Job(1000, LATER)], [Downtime(at(-10), at(-8))])
    assert (runs[0].start, runs[0].end) == (at(0), at(2))


def test_late_means_ending_after_the_due_moment() -> None:
    runs = estimate(NOW, 500, [Job(1000, at(2)), Job(1000, at(3.5))])
    assert [r.late for r in runs] == [False, True]  # ends exactly at +2 h: on time; +4 h after +3.5 h: late
    # A planned stop makes the first late too: it now ends at +3 h.
    runs = estimate(NOW, 500, [Job(1000, at(2))], [Downtime(at(1), at(2))])
    assert runs[0].end == at(3) and runs[0].late


def test_merged_spans_and_the_stopped_time_inside_a_window() -> None:
    spans = merged([Downtime(at(5), at(6)), Downtime(at(1), at(2)), Downtime(at(1.5), at(3)), Downtime(at(7))], NOW)
    # the open stop starting after now lasts no time at all, and is dropped
    assert spans == [(at(1), at(3)), (at(5), at(6))]
    assert stopped_between(spans, at(2), at(5.5)) == timedelta(hours=1.5)
    assert stopped_between(spans, at(10), at(11)) == timedelta(0)


durations = st.floats(min_value=0.1, max_value=20, allow_nan=False)
stop_spans = st.lists(st.tuples(st.floats(min_value=-30, max_value=60), durations), max_size=8)


@given(quantities=st.lists(st.integers(min_value=1, max_value=20_000), min_size=1, max_size=12), spans=stop_spans)
def test_stops_only_ever_move_orders_later_and_work_fits_outside_them(
    quantities: list[int], spans: list[tuple[float, float]]
) -> None:
    jobs = [Job(q, LATER) for q in quantities]
    stops = [Downtime(at(s), at(s + d)) for s, d in spans]
    free = estimate(NOW, 400, jobs)
    held = estimate(NOW, 400, jobs, stops)
    whole = merged(stops, NOW)
    for a, b in zip(free, held, strict=True):
        assert b.end >= a.end
        # the span of each order is its work plus the stop time inside it
        worked = (b.end - b.start) - stopped_between(whole, b.start, b.end)
        assert abs(worked / timedelta(hours=1) - b.hours_left) < 1e-6
    for before, after in zip(held, held[1:], strict=False):
        assert after.start >= before.end


def test_a_running_order_past_its_estimate_says_by_how_much_and_moves_the_queue() -> None:
    # 1 h of work started 5 h ago, with 1 h of that the line stood still: 3 h over.
    runs = estimate(NOW, 500, [Job(500, LATER, running_since=at(-5)), Job(500, LATER)], [Downtime(at(-4), at(-3))])
    assert runs[0].overrun == timedelta(hours=3)
    assert runs[1].overrun == timedelta(0)
    assert (runs[1].start, runs[1].end) == (at(0), at(1))
    on_time = estimate(NOW, 500, [Job(2000, LATER, running_since=at(-1))])
    assert on_time[0].overrun == timedelta(0)


def test_a_late_order_says_why() -> None:
    # Behind an overrunning order, due in 1.5 h: 1 h of its own work would fit, the overrun ahead does not let it.
    jobs = [Job(500, LATER, running_since=at(-5)), Job(500, at(0.5)), Job(500, at(1.5)), Job(5000, at(3))]
    runs = estimate(NOW, 500, jobs)
    assert late_cause(runs[0], LATER, NOW, 1.0) is None
    assert late_cause(runs[1], at(0.5), NOW, 1.0, True) is LateCause.TOO_LONG  # 1 h of work, due in half an hour
    assert late_cause(runs[2], at(1.5), NOW, 1.0, True) is LateCause.OVERRUN
    assert late_cause(runs[2], at(1.5), NOW, 1.0, False) is LateCause.QUEUE
    assert late_cause(runs[3], at(3), NOW, 10.0, True) is LateCause.TOO_LONG
    queued = estimate(NOW, 500, [Job(1500, LATER), Job(500, at(2))])
    assert late_cause(queued[1], at(2), NOW, 1.0) is LateCause.QUEUE
    stopped = estimate(NOW, 500, [Job(500, at(1.5))], [Downtime(at(0.5), at(2))])
    assert late_cause(stopped[0], at(1.5), NOW, 1.0) is LateCause.STOPS
    overdue = estimate(NOW, 500, [Job(500, at(-1))])
    assert late_cause(overdue[0], at(-1), NOW, 1.0) is LateCause.DUE_PASSED


def test_day_loads_weigh_the_work_due_against_the_hours_the_line_can_run() -> None:
    today = NOW.date()  # NOW is 08:00 UTC: 16 h of today are left
    tomorrow = today + timedelta(days=1)
    due = [(today - timedelta(days=2), 3.0), (today, 4.0), (tomorrow, 30.0)]
    stops = [Downtime(datetime(2026, 3, 11, 6, tzinfo=UTC), datetime(2026, 3, 11, 10, tzinfo=UTC))]
    loads = day_loads(NOW, UTC, today, 3, due, stops)
    assert [(d.day, d.planned_hours, d.available_hours) for d in loads] == [
        (today, 7.0, 16.0),  # the overdue work counts today
        (tomorrow, 30.0, 20.0),  # a 4 h stop
        (tomorrow + timedelta(days=1), 0.0, 24.0),
    ]
    assert [d.overloaded for d in loads] == [False, True, False]


def test_orders_take_the_usable_stock_in_the_order_they_start_and_the_later_ones_run_short() -> None:
    needs = [
        ("A", "LDPE", Decimal(600)),
        ("A", "INK", Decimal(5)),
        ("B", "LDPE", Decimal(600)),
        ("C", "INK", Decimal(1)),
    ]
    short = shortages(needs, {"LDPE": Decimal(1000), "INK": Decimal(10)})
    assert short == {"B": ("LDPE", Decimal(200))}
    assert shortages([("A", "CORE", Decimal(3))], {}) == {"A": ("CORE", Decimal(3))}
    late = estimate(NOW, 500, [Job(500, at(0.5))])
    assert late_cause(late[0], at(0.5), NOW, 1.0, short_of_material=True) is LateCause.MATERIAL
    waiting = late_cause(late[0], at(0.5), NOW, 1.0, short_of_material=True, made_at_earlier_stage=True)
    assert waiting is LateCause.EARLIER_STAGE
