"""Line stops recorded by clerks and planners, the reasons the admin keeps, and what the database refuses."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from app import queries as q
from app import services as s
from app.context import Context
from app.errors import PermissionDenied, ValidationError
from app.permissions import Role
from data.db import Database
from data.models import LineStop
from data.uow import UnitOfWork
from tests.conftest import in_days
from tests.helpers import order, plan


def at(ctx: Context, when: datetime) -> UnitOfWork:
    """A unit of work whose clock reads `when`."""
    return UnitOfWork(ctx.database, ctx.user, clock=lambda: when)


NOW = datetime.now(UTC).replace(microsecond=0)


def hours(n: float) -> datetime:
    return NOW + timedelta(hours=n)


def stops_and_journal(database: Database) -> tuple[list[tuple[object, ...]], int]:
    with database.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text("SELECT * FROM line_stops ORDER BY id"))]
        events = conn.execute(text("SELECT COUNT(*) FROM events")).scalar_one()
    return rows, events


def test_a_clerk_records_a_stop_and_ends_it_journaled(plant: Context, people: dict[Role, Context]) -> None:
    clerk = people[Role.CLERK]
    stop_id = s.record_stop(
        at(clerk, NOW), line="EXTRUDER-1", reason="breakdown", started_at=hours(-1), note="screw motor"
    )
    page = q.line_stops(clerk.reader(), q.LineStopFilter(open_only=True))
    assert [(r.id, r.line_code, r.reason_code, r.reason_name, r.ended_at) for r in page.rows] == [
        (stop_id, "EXTRUDER-1", "BREAKDOWN", "breakdown", None)
    ]
    s.end_stop(at(clerk, NOW), line="EXTRUDER-1", ended_at=hours(-0.25))
    row = q.line_stops(clerk.reader()).rows[0]
    assert (row.started_at, row.ended_at, row.note) == (hours(-1), hours(-0.25), "screw motor")
    journal = q.events(clerk.reader(), q.EventFilter(entity_type="line_stop", entity_id=stop_id)).rows
    assert sorted(e.action for e in journal) == ["restarted", "stopped"]
    assert {e.username for e in journal} == {clerk.user.username}
    assert any("EXTRUDER-1 running again" in e.summary and "45 min" in e.summary for e in journal)
    assert q.entity_key(clerk.reader(), "line_stop", stop_id) == str(stop_id)


def test_a_second_open_stop_on_a_line_is_refused_and_changes_nothing(plant: Context) -> None:
    s.record_stop(at(plant, NOW), line="EXTRUDER-1", reason="CLEANING", started_at=hours(-2))
    before = stops_and_journal(plant.database)
    with pytest.raises(ValidationError, match="EXTRUDER-1 has been stopped since"):
        s.record_stop(at(plant, NOW), line="EXTRUDER-1", reason="BREAKDOWN")
    assert stops_and_journal(plant.database) == before
    # another line may stop at the same time
    s.record_stop(at(plant, NOW), line="EXTRUDER-2", reason="BREAKDOWN")


def test_bad_spans_are_refused_with_plain_words(plant: Context) -> None:
    before = stops_and_journal(plant.database)
    with pytest.raises(ValidationError, match="ends .* before it starts"):
        s.record_stop(at(plant, NOW), line="EXTRUDER-1", reason="CLEANING", started_at=hours(-1), ended_at=hours(-2))
    with pytest.raises(ValidationError, match="lies ahead"):
        s.record_stop(at(plant, NOW), line="EXTRUDER-1", reason="CLEANING", started_at=hours(3))
    with pytest.raises(ValidationError, match="no stop reason"):
        s.record_stop(at(plant, NOW), line="EXTRUDER-1", reason="COFFEE")
    with pytest.raises(ValidationError, match="not a moment"):
        s.record_stop(at(plant, NOW), line="EXTRUDER-1", reason="CLEANING", started_at="yesterday")
    with pytest.raises(ValidationError, match="is not stopped"):
        s.end_stop(at(plant, NOW), line="EXTRUDER-1")
    assert stops_and_journal(plant.database) == before


def test_stops_of_one_line_never_overlap_and_a_planned_one_may_follow_an_open_one(plant: Context) -> None:
    s.record_stop(at(plant, NOW), line="EXTRUDER-1", reason="CLEANING", started_at=hours(-10), ended_at=hours(-8))
    with pytest.raises(ValidationError, match="may not overlap"):
        s.record_stop(at(plant, NOW), line="EXTRUDER-1", reason="BREAKDOWN", started_at=hours(-9), ended_at=hours(-7))
    s.record_stop(at(plant, NOW), line="EXTRUDER-1", reason="BREAKDOWN", started_at=hours(-1))
    # maintenance planned for tomorrow while the line is broken down now
    planned = s.record_stop(
        at(plant, NOW), line="EXTRUDER-1", reason="MAINTENANCE", started_at=hours(20), ended_at=hours(24)
    )
    with pytest.raises(ValidationError, match="may not overlap"):
        s.end_stop(at(plant, hours(21)), line="EXTRUDER-1")  # running again inside the planned stop
    assert q.line_stops(plant.reader(), q.LineStopFilter(stop_id=planned)).total == 1


def test_the_database_keeps_one_open_stop_per_line_and_ends_after_starts(plant: Context) -> None:
    """Past the services, a plain INSERT as psql would send it: both rules hold on both backends."""
    s.record_stop(at(plant, NOW), line="EXTRUDER-1", reason="CLEANING", started_at=hours(-2))
    with plant.database.engine.connect() as conn:
        line, reason = conn.execute(
            text(
                "SELECT l.id, r.id FROM production_lines l, stop_reasons r "
                "WHERE l.code = 'EXTRUDER-1' AND r.code = 'BREAKDOWN'"
            )
        ).one()
    second_open = {"started_at": hours(-1), "ended_at": None}
    end_before_start = {"started_at": hours(-10), "ended_at": hours(-12)}
    for span in (second_open, end_before_start):
        with pytest.raises(IntegrityError), plant.database.engine.begin() as conn:
            conn.execute(insert(LineStop).values(line_id=line, reason_id=reason, version=1, **span))
    with plant.database.engine.begin() as conn:  # the same end after its start goes in
        conn.execute(
            insert(LineStop).values(
                line_id=line, reason_id=reason, version=1, started_at=hours(-12), ended_at=hours(-10)
            )
        )


def test_a_stop_is_corrected_and_the_journal_says_what_changed(plant: Context) -> None:
    stop = s.record_stop(at(plant, NOW), line="PRINT-LINE-1", reason="CHANGEOVER", started_at=hours(-3))
    version = q.line_stops(plant.reader()).rows[0].version
    s.edit_stop(
        at(plant, NOW),
        stop_id=stop,
        reason="CLEANING",
        started_at=hours(-3),
        ended_at=hours(-2),
        note="ink change",
        expected_version=version,
    )
    row = q.line_stops(plant.reader()).rows[0]
    assert (row.reason_code, row.ended_at, row.note) == ("CLEANING", hours(-2), "ink change")
    edited = q.events(plant.reader(), q.EventFilter(entity_type="line_stop", action="edited")).rows[0]
    assert "reason changeover → cleaning" in edited.summary
    with pytest.raises(Exception, match="changed by"):
        s.edit_stop(at(plant, NOW), stop_id=stop, reason="CLEANING", started_at=hours(-4), expected_version=version)


def test_only_the_floor_records_stops_and_only_admins_keep_the_reasons(people: dict[Role, Context]) -> None:
    admin = people[Role.ADMIN]
    s.create_line(admin.uow(), code="SLITTER-1", name="Slitter", stage="slitting", rate_per_hour=3000, rate_unit="m")
    with pytest.raises(PermissionDenied, match="clerk or above may record line stops"):
        s.record_stop(people[Role.VIEWER].uow(), line="SLITTER-1", reason="CLEANING")
    s.record_stop(people[Role.PLANNER].uow(), line="SLITTER-1", reason="CLEANING")
    with pytest.raises(PermissionDenied):
        s.create_stop_reason(people[Role.MANAGER].uow(), code="FILM-BREAK", name="film break")
    s.create_stop_reason(admin.uow(), code="film-break", name="film break")
    s.rename_stop_reason(admin.uow(), code="FILM-BREAK", name="web break")
    assert ("FILM-BREAK", "web break") in [(r.code, r.name) for r in q.stop_reasons(admin.reader())]
    s.set_stop_reason_archived(admin.uow(), code="FILM-BREAK", archived=True)
    assert "FILM-BREAK" not in [r.code for r in q.stop_reasons(admin.reader())]
    with pytest.raises(ValidationError, match="no longer in use"):
        s.record_stop(people[Role.CLERK].uow(), line="SLITTER-1", reason="FILM-BREAK")
    seeded = {r.code for r in q.stop_reasons(admin.reader())}
    assert {"BREAKDOWN", "CHANGEOVER", "CLEANING", "NO-MATERIAL", "NO-OPERATOR", "MAINTENANCE"} <= seeded


def test_the_queue_estimate_moves_by_the_stops(plant: Context) -> None:
    """EXTRUDER-1 runs 500 kg/h. A runs 2 h, B 1 h, from now; a stop of 90 min now pushes both."""
    order(plant, "A", quantity=1000)
    order(plant, "B", quantity=500)
    plan(plant, "A")
    plan(plant, "B")
    (line,) = q.line_queues(plant.reader(), now=NOW, line="EXTRUDER-1")
    assert [(o.estimated_start, o.estimated_end) for o in line.orders] == [(NOW, hours(2)), (hours(2), hours(3))]
    assert line.stopped is None and line.hours_queued == 3.0
    s.record_stop(at(plant, NOW), line="EXTRUDER-1", reason="BREAKDOWN", started_at=hours(-1), ended_at=hours(1.5))
    (line,) = q.line_queues(plant.reader(), now=NOW, line="EXTRUDER-1")
    assert [(o.estimated_start, o.estimated_end) for o in line.orders] == [
        (hours(1.5), hours(3.5)),
        (hours(3.5), hours(4.5)),
    ]
    assert line.stopped is not None and line.stopped.reason_code == "BREAKDOWN"
    assert line.hours_queued == 3.0  # the work waiting is the same; only when it happens moved


def test_a_line_weighs_the_work_due_each_day_against_the_hours_it_can_run(plant: Context) -> None:
    """EXTRUDER-1 runs 500 kg/h: A (30 h) is due tomorrow, B (2 h) in three days; tomorrow has a 6 h stop."""
    order(plant, "A", quantity=15000, due=1)
    order(plant, "B", quantity=1000, due=3)
    plan(plant, "A")
    plan(plant, "B")
    tz = datetime.now().astimezone().tzinfo
    now = datetime.combine(in_days(0), time(8), tzinfo=tz)
    tomorrow = datetime.combine(in_days(1), time(0), tzinfo=tz)
    s.record_stop(at(plant, now), line="EXTRUDER-1", reason="MAINTENANCE", started_at=tomorrow + timedelta(hours=6),
                  ended_at=tomorrow + timedelta(hours=12))  # fmt: skip
    (line,) = q.line_queues(plant.reader(), now=now, line="EXTRUDER-1")
    loads = {d.day: d for d in line.loads}
    assert len(line.loads) >= 7 and line.loads[0].day == in_days(0)
    assert (loads[in_days(0)].planned_hours, loads[in_days(0)].available_hours) == (0.0, 16.0)
    assert (loads[in_days(1)].planned_hours, loads[in_days(1)].available_hours) == (30.0, 18.0)
    assert loads[in_days(1)].overloaded and not loads[in_days(3)].overloaded
    assert loads[in_days(3)].planned_hours == 2.0
    first, second = line.orders
    # the day is overloaded, yet A fits in the 34 h from now to tomorrow's end less the stop: it ends at 20:00
    assert first.estimated_end == tomorrow + timedelta(hours=20) and not first.late and first.late_cause is None
    assert (first.hours, second.hours) == (30.0, 2.0)


def test_a_running_order_past_its_estimate_is_flagged_and_the_queue_moves_behind_it(plant: Context) -> None:
    """A (2 h) started 5 h ago: 3 h over, shown as such; B behind it starts now."""
    order(plant, "A", quantity=1000)
    order(plant, "B", quantity=1000)
    plan(plant, "A")
    plan(plant, "B")
    s.start_order(at(plant, hours(-5)), number="A")
    (line,) = q.line_queues(plant.reader(), now=NOW, line="EXTRUDER-1")
    running, waiting = line.orders
    assert running.overrun == timedelta(hours=3) and running.estimated_end == NOW
    assert running.planned_end == hours(-3)
    assert (waiting.estimated_start, waiting.overrun) == (NOW, timedelta(0))


def test_an_order_short_of_its_material_says_so_and_a_late_one_names_it_as_why(
    plant: Context, people: dict[Role, Context]
) -> None:
    """PE-50 takes 1.02 kg of LDPE a kg (2 % scrap); 1,000 kg of LDPE are in stock: A (600 kg) gets its
    share, B (600 kg) behind it is 224 kg short, and C, due today with 30 h of work, is late for want of it."""
    s.set_recipe(plant.uow(), product="PE-50", lines=[s.RecipeItem(1, "extrusion", "LDPE", "1", "2")])
    s.receive_batch(plant.uow(), number="R-1", material="LDPE", supplier="BASELL", quantity=1000, warehouse="MAG-1")
    s.approve_batch(people[Role.MANAGER].uow(), batch="R-1")
    order(plant, "A", quantity=600)
    order(plant, "B", quantity=600)
    order(plant, "C", quantity=15000, due=0)
    for number in ("A", "B", "C"):
        plan(plant, number)
    (line,) = q.line_queues(plant.reader(), now=NOW, line="EXTRUDER-1")
    a, b, c = line.orders
    assert a.short_of is None
    assert b.shortage == "LDPE granulate FT5230: 224.000 kg short" and not b.late and b.late_cause is None
    assert c.short_of is not None and c.late and c.late_cause == "material"


def test_an_order_waiting_for_an_earlier_stage_says_which_order_makes_its_material(plant: Context) -> None:
    """PRINTED prints FILM-PE-50 (0.05 kg a metre), of which there is none; PE-50 on EXTRUDER-1 makes it."""
    s.set_recipe(plant.uow(), product="PRINTED", lines=[s.RecipeItem(1, "printing", "FILM-PE-50", "0.05")])
    order(plant, "FILM-1", quantity=2000)
    order(plant, "PRINT-1", quantity=200000, unit="m", due=0)  # 22 h at 9,000 m/h: it cannot end today
    plan(plant, "FILM-1")
    plan(plant, "PRINT-1", line="PRINT-LINE-1")
    queues = {ln.line_code: ln for ln in q.line_queues(plant.reader(), now=NOW)}
    (film,) = queues["EXTRUDER-1"].orders
    (printing,) = queues["PRINT-LINE-1"].orders
    assert film.short_of is None
    assert printing.short_of is not None and printing.short_of.made_by == "FILM-1"
    assert printing.short_of.made_on == "EXTRUDER-1" and printing.short_of.ready_at == film.estimated_end
    assert printing.late and printing.late_cause == "earlier_stage"
    assert printing.shortage is not None and "made by FILM-1 on EXTRUDER-1" in printing.shortage
