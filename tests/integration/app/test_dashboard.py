"""Each dashboard figure against an independent count of the same thing, on a small plant made by hand.

The independent counts read the tables with plain SQL, or walk the time minute by minute, and
never call the functions the dashboard uses.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from app import dashboard as d
from app import services as s
from app.context import Context
from data.uow import UnitOfWork
from domain.vocabulary import AlertKind, LineState
from tests.conftest import in_days
from tests.helpers import order, plan

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.astimezone().date()


def at(ctx: Context, when: datetime) -> UnitOfWork:
    return UnitOfWork(ctx.database, ctx.user, clock=lambda: when)


def ago(**span: float) -> datetime:
    return NOW - timedelta(**span)


def sql(ctx: Context, statement: str, **params: object) -> list[tuple[object, ...]]:
    with ctx.database.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(statement), params)]


def moment_of(value: object) -> datetime:
    """A timestamp as plain SQL returns it (SQLite: naive UTC text)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def quantity_of(value: object, backend: str) -> Decimal:
    return Decimal(int(value)) / 1000 if backend == "sqlite" else Decimal(str(value))  # type: ignore[call-overload]


@pytest.fixture
def small_plant(plant: Context) -> Context:
    """Three lines (one running, one stopped, one idle), stock of every concern, finished and late orders."""
    u = plant.uow
    s.create_material(u(), code="MB-WHITE", name="White masterbatch", kind="masterbatch", unit="kg", reorder_level=50)
    # EXTRUDER-1 runs R-1 (1000 kg at 500 kg/h); behind it BIG (3 days of work, due tomorrow: late) and SMALL.
    order(plant, "R-1", quantity=1000, due=20)
    order(plant, "BIG", quantity=36000, due=1)
    order(plant, "SMALL", quantity=500, due=20)
    for n in ("R-1", "BIG", "SMALL"):
        plan(plant, n)
    s.start_order(at(plant, ago(hours=1)), number="R-1")
    # EXTRUDER-2 stands since 2 h (breakdown); earlier this week it stood 5 h for cleaning, and a stop
    # from 8 to 6.5 days ago reaches 12 h into the week. PRINT-LINE-1 is idle.
    s.record_stop(
        at(plant, NOW),
        line="EXTRUDER-2",
        reason="CLEANING",
        started_at=ago(days=3),
        ended_at=ago(days=3) + timedelta(hours=5),
    )
    s.record_stop(
        at(plant, NOW), line="EXTRUDER-2", reason="MAINTENANCE", started_at=ago(days=8), ended_at=ago(days=6.5)
    )
    s.record_stop(at(plant, NOW), line="EXTRUDER-2", reason="BREAKDOWN", started_at=ago(hours=2))
    # Output of R-1 today: 300 kg of film (counted) and 900 m of printed film (another unit: not counted).
    s.record_output(u(), order="R-1", material="FILM-PE-50", quantity=300, warehouse="MAG-6")
    s.record_output(u(), order="R-1", material="FILM-PRINTED", quantity=900, warehouse="MAG-6")
    # Finished orders: F-ON finished on time, F-LATE after its due day, F-OLD before the 30-day window.
    for number, created, due, finished in (
        ("F-ON", ago(days=20), 12, ago(days=10)),
        ("F-LATE", ago(days=20), 5, ago(days=4)),
        ("F-OLD", ago(days=60), 5, ago(days=40)),
    ):
        s.create_order(
            at(plant, created),
            number=number,
            customer="C-001",
            product="PE-50",
            quantity=100,
            unit="kg",
            due_date=(created.astimezone().date() + timedelta(days=due)),
        )
        s.plan_order(at(plant, created), number=number, line="EXTRUDER-2")
        s.start_order(at(plant, finished - timedelta(hours=3)), number=number)
        s.finish_order(at(plant, finished), number=number)
    # Stock: LDPE 400 kg (below its 1000), MB-WHITE none at all (below its 50, at zero); a batch expiring in
    # 10 days, one in 60, one expired last week (received back then); two pending for 3 and 1 day; one blocked.
    receive = s.receive_batch
    receive(at(plant, ago(days=3)), number="P-OLD", material="LDPE", supplier="BASELL", quantity=100, warehouse="MAG-1")
    receive(at(plant, ago(days=1)), number="P-NEW", material="LDPE", supplier="BASELL", quantity=100, warehouse="MAG-1")
    receive(
        u(), number="E-10", material="LDPE", supplier="BASELL", quantity=100, warehouse="MAG-1", expiry_date=in_days(10)
    )
    receive(
        u(),
        number="E-60",
        material="INK-CYAN",
        supplier="BASELL",
        quantity=20,
        warehouse="MAG-1.1",
        expiry_date=in_days(60),
    )
    receive(
        at(plant, ago(days=30)),
        number="X-1",
        material="INK-CYAN",
        supplier="BASELL",
        quantity=5,
        warehouse="MAG-1.1",
        expiry_date=TODAY - timedelta(days=7),
    )
    receive(u(), number="BL-1", material="LDPE", supplier="BASELL", quantity=100, warehouse="MAG-1")
    for number in ("E-10", "E-60", "X-1"):
        s.approve_batch(u(), batch=number)
    s.block_batch(u(), batch="BL-1", reason="wrong melt index")
    return plant


def test_lines_now_late_orders_and_queued_hours(small_plant: Context) -> None:
    lines = d.read_lines(small_plant, NOW, d.plant_limits(small_plant))
    states = {ln.code: ln.state for ln in lines.lines}
    running = sql(
        small_plant,
        "SELECT l.code FROM production_orders o JOIN production_lines l ON l.id = o.line_id "
        "WHERE o.status = 'in_progress'",
    )
    stopped = sql(
        small_plant,
        "SELECT l.code FROM line_stops s JOIN production_lines l ON l.id = s.line_id WHERE s.ended_at IS NULL",
    )
    assert {c for c, st in states.items() if st is LineState.RUNNING} == {r[0] for r in running} - {
        r[0] for r in stopped
    }
    assert {c for c, st in states.items() if st is LineState.STOPPED} == {r[0] for r in stopped} == {"EXTRUDER-2"}
    assert states["PRINT-LINE-1"] is LineState.IDLE
    stopped_line = next(ln for ln in lines.lines if ln.code == "EXTRUDER-2")
    assert (stopped_line.reason, stopped_line.stopped_since) == ("breakdown", ago(hours=2))
    extruder = next(ln for ln in lines.lines if ln.code == "EXTRUDER-1")
    # By hand: R-1 ran 1 h of its 2; BIG takes 72 h and ends 73 h from now, after tomorrow: late.
    # SMALL (1 h) ends 74 h from now, well before its due day in 20 days.
    assert extruder.order_number == "R-1" and extruder.expected_end == NOW + timedelta(hours=1)
    assert [o.number for o in lines.late] == ["BIG"]
    assert extruder.hours_queued == pytest.approx(1 + 72 + 1)
    assert lines.hours_queued == pytest.approx(74)


def test_output_per_day_against_capacity(small_plant: Context, backend: str) -> None:
    output = d.read_output(small_plant, NOW, d.plant_limits(small_plant))
    assert len(output.days) == 14 and output.days[-1] == TODAY
    extruder = next(ln for ln in output.lines if ln.code == "EXTRUDER-1")
    rows = sql(
        small_plant,
        "SELECT m.quantity, m.created_at FROM stock_movements m "
        "JOIN production_orders o ON o.id = m.production_order_id "
        "JOIN production_lines l ON l.id = o.line_id JOIN batches b ON b.id = m.batch_id "
        "JOIN materials x ON x.id = b.material_id "
        "WHERE m.kind = 'output' AND l.code = 'EXTRUDER-1' AND x.unit = l.rate_unit",
    )
    today = sum(quantity_of(q, backend) for q, when in rows if moment_of(when).astimezone().date() == TODAY)
    assert extruder.output[-1] == today == Decimal(300)
    assert sum(extruder.output[:-1]) == 0
    assert extruder.capacity_per_day == Decimal(500 * 24)
    assert extruder.share == pytest.approx(300 / (500 * 24 * 14))


def test_availability_against_a_minute_by_minute_walk(small_plant: Context) -> None:
    availability = d.read_availability(small_plant, NOW, d.plant_limits(small_plant))
    spans = [
        (moment_of(start), moment_of(end) if end is not None else NOW)
        for start, end in sql(
            small_plant,
            "SELECT s.started_at, s.ended_at FROM line_stops s JOIN production_lines l ON l.id = s.line_id "
            "WHERE l.code = 'EXTRUDER-2'",
        )
    ]
    minutes = 7 * 24 * 60
    stopped = sum(1 for i in range(minutes) if any(a <= NOW - timedelta(minutes=minutes - i) < b for a, b in spans))
    by_line = {ln.code: ln for ln in availability.lines}
    assert by_line["EXTRUDER-2"].availability == pytest.approx(1 - stopped / minutes, abs=1e-4)
    assert by_line["EXTRUDER-2"].stopped_hours == pytest.approx(2 + 5 + 12, abs=0.02)
    assert by_line["EXTRUDER-1"].availability == 1.0


def test_on_time_rate_of_the_last_30_days(small_plant: Context) -> None:
    on_time = d.read_on_time(small_plant, NOW, d.plant_limits(small_plant))
    rows = sql(small_plant, "SELECT finished_at, due_date FROM production_orders WHERE status = 'done'")
    recent = [
        (moment_of(f), date.fromisoformat(str(due))) for f, due in rows if moment_of(f) >= NOW - timedelta(days=30)
    ]
    assert on_time.finished == len(recent) == 2
    assert on_time.on_time == sum(1 for f, due in recent if f.astimezone().date() <= due) == 1
    assert on_time.rate == 0.5
    behind = d.finished_behind(small_plant, NOW)
    assert [(o.number, o.on_time) for o in behind] == [("F-LATE", False), ("F-ON", True)]


def test_materials_below_reorder_including_those_at_zero(small_plant: Context, backend: str) -> None:
    materials = d.read_materials(small_plant, NOW, d.plant_limits(small_plant))
    stock = {
        code: quantity_of(q, backend)
        for code, q in sql(
            small_plant,
            "SELECT m.code, SUM(sb.quantity) FROM stock_balances sb JOIN batches b ON b.id = sb.batch_id "
            "JOIN materials m ON m.id = b.material_id GROUP BY m.code",
        )
    }
    levels = {
        code: quantity_of(level, backend)
        for code, level in sql(small_plant, "SELECT code, reorder_level FROM materials")
    }
    expected = {code for code, level in levels.items() if level > 0 and stock.get(code, Decimal(0)) < level}
    assert {m.code for m in materials.below} == expected == {"LDPE", "MB-WHITE"}
    assert materials.out_of_stock == 1 and materials.below[0].code == "MB-WHITE"
    assert next(m for m in materials.below if m.code == "LDPE").on_hand == stock["LDPE"] == Decimal(400)


def test_expiring_pending_blocked(small_plant: Context, backend: str) -> None:
    batches = d.read_batches(small_plant, NOW, d.plant_limits(small_plant))
    in_stock = {
        number: (status, expiry, moment_of(received))
        for number, status, expiry, received, total in sql(
            small_plant,
            "SELECT b.number, b.status, b.expiry_date, b.received_at, SUM(sb.quantity) FROM batches b "
            "JOIN stock_balances sb ON sb.batch_id = b.id GROUP BY b.number, b.status, b.expiry_date, b.received_at",
        )
        if quantity_of(total, backend) > 0
    }
    horizon = TODAY + timedelta(days=30)
    expiring = {
        n for n, (_s, e, _r) in in_stock.items() if e is not None and TODAY <= date.fromisoformat(str(e)) <= horizon
    }
    expired = {n for n, (_s, e, _r) in in_stock.items() if e is not None and date.fromisoformat(str(e)) < TODAY}
    pending = {n: r for n, (st, _e, r) in in_stock.items() if st == "pending"}
    assert {b.number for b in batches.expiring} == expiring == {"E-10"}
    assert {b.number for b in batches.expired} == expired == {"X-1"}
    assert {b.number for b in batches.pending} == set(pending) == {"P-OLD", "P-NEW", "R-1-001", "R-1-002"}
    assert batches.oldest_pending == min(pending.values()) == ago(days=3)
    assert batches.pending_too_long == 1
    assert [(m.material_code, m.quantity, m.batches) for m in batches.blocked] == [("LDPE", Decimal(100), 1)]


def test_the_journal_shows_the_newest_entries(small_plant: Context) -> None:
    journal = d.read_journal(small_plant, NOW, d.plant_limits(small_plant))
    newest = sql(small_plant, f"SELECT id FROM events ORDER BY occurred_at DESC, id DESC LIMIT {d.JOURNAL_ROWS}")
    assert [e.id for e in journal.entries] == [r[0] for r in newest]


def test_alerts_from_the_same_figures_by_severity(small_plant: Context) -> None:
    board = d.dashboard(small_plant, NOW)
    found = board.alerts()
    kinds = [(a.kind, a.key) for a in found.alerts]
    assert kinds == [
        (AlertKind.LINE_STOPPED, "EXTRUDER-2"),
        (AlertKind.OUT_OF_STOCK, "MB-WHITE"),
        (AlertKind.EXPIRED_IN_STOCK, "X-1"),
        (AlertKind.ORDER_LATE, "BIG"),
        (AlertKind.BELOW_REORDER, "LDPE"),
        (AlertKind.PENDING_TOO_LONG, "P-OLD"),
    ]
    assert found.total == len(kinds) and not found.more
    # what each alert opens
    assert [a.subject for a in found.alerts] == ["line", "material", "batch", "order", "material", "batch"]


def test_a_write_touches_only_the_sections_that_read_its_table() -> None:
    assert d.touched({"events"}) == ("journal",)
    assert set(d.touched({"line_stops"})) == {"lines", "availability"}
    assert d.touched({"*"}) == d.SECTION_NAMES
    assert d.touched({"customers_archive"}) == ()


def test_expiry_midnight_in_local_time() -> None:
    held = d.HeldBatch("X", "M", "M", "kg", Decimal(1), "approved", NOW, date(2026, 3, 1))
    assert held.since == datetime.combine(date(2026, 3, 2), time.min).astimezone()


def test_the_plants_settings_set_the_expiry_window_and_the_alert_thresholds(small_plant: Context) -> None:
    from app.settings import plant_settings

    assert {a.kind for a in d.dashboard(small_plant, NOW).alerts().alerts} >= {
        AlertKind.LINE_STOPPED,
        AlertKind.PENDING_TOO_LONG,
    }
    values = {
        **plant_settings(small_plant.reader()).stored(),
        "expiry_warning_days": 90,
        "line_stop_alert_minutes": 180,  # EXTRUDER-2 has stood for 2 h: not yet an alert
        "release_alert_hours": 96,  # P-OLD has waited 3 days: not yet an alert
    }
    s.save_settings(small_plant.uow(), **values)  # type: ignore[arg-type]
    limits = d.plant_limits(small_plant)
    assert (limits.expiry_days, limits.line_stop, limits.pending) == (90, timedelta(hours=3), timedelta(days=4))
    board = d.dashboard(small_plant, NOW)
    assert {b.number for b in board.batches.expiring} == {"E-10", "E-60"}  # E-60 expires in 60 days
    kinds = {a.kind for a in board.alerts().alerts}
    assert AlertKind.LINE_STOPPED not in kinds and AlertKind.PENDING_TOO_LONG not in kinds
    assert d.touched({"settings"}) == ("lines", "batches")
