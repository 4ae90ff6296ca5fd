"""The plant at a glance: the dashboard's figures, its alerts, and the rows behind each figure.

The figures come in sections, each read by one function from SQL and the pure rules of
domain/kpi.py, domain/schedule.py and domain/alerts.py, and each naming the tables it depends
on (`Section.tables`). The client reads again only the sections a write touched, and the
clocked ones once a minute (their figures move with time: an open stop grows, an estimate slips);
the printed dashboard reads them all. Screen and paper show the very same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select

from app import queries as q
from app.context import Context
from app.dto import EventRow, LineQueue, LineStopRow
from app.permissions import require
from app.rows import dto_from_row, labelled
from app.settings import plant_settings
from data.models import (
    Batch,
    Customer,
    Event,
    LineStop,
    Material,
    ProductionLine,
    ProductionOrder,
    StockBalance,
    StockMovement,
    User,
)
from domain import alerts as rules
from domain import kpi
from domain.schedule import Downtime
from domain.vocabulary import (
    AlertKind,
    BatchStatus,
    LineState,
    MovementKind,
    OrderStatus,
)

OUTPUT_DAYS = 14
AVAILABILITY_DAYS = 7
ON_TIME_DAYS = 30
JOURNAL_ROWS = 12
ALERT_ROWS = 50  # alerts listed per rule (all are counted); the rows behind the rest are a click away


# ---------------------------------------------------------------- the plant's own limits


@dataclass(frozen=True)
class Limits:
    """The windows and thresholds the figures and alerts use."""

    expiry_days: int  # batches expiring this soon are flagged
    line_stop: timedelta  # an open stop longer than this raises an alert
    pending: timedelta  # a batch waiting longer than this for release raises an alert

    @property
    def thresholds(self) -> rules.Thresholds:
        return rules.Thresholds(line_stop=self.line_stop, pending=self.pending)


def plant_limits(ctx: Context) -> Limits:
    """The plant's own limits, from its settings (Administration → Plant settings…)."""
    kept = plant_settings(ctx.reader())
    return Limits(
        expiry_days=kept.expiry_warning_days,
        line_stop=timedelta(minutes=kept.line_stop_alert_minutes),
        pending=timedelta(hours=kept.release_alert_hours),
    )


def _tz() -> Any:
    return datetime.now().astimezone().tzinfo


def _midnight(day: date) -> datetime:
    """The start of a local calendar day."""
    return datetime.combine(day, time.min, tzinfo=_tz())


def _local_day(moment: datetime) -> date:
    return moment.astimezone(_tz()).date()


# ---------------------------------------------------------------- lines now, late orders, queued work


@dataclass(frozen=True)
class LineNow:
    code: str
    name: str
    state: LineState
    rate_per_hour: Decimal
    rate_unit: str
    order_number: str | None  # the running order
    customer_name: str | None
    order_since: datetime | None
    expected_end: datetime | None
    stop: LineStopRow | None  # the stop it stands in
    queued: int  # orders in its queue, the running one included
    hours_queued: float
    late: int

    @property
    def reason(self) -> str | None:
        return self.stop.reason_name if self.stop else None

    @property
    def stopped_since(self) -> datetime | None:
        return self.stop.started_at if self.stop else None

    @property
    def stop_note(self) -> str | None:
        return self.stop.note if self.stop else None


@dataclass(frozen=True)
class LateOrder:
    number: str
    customer_name: str
    line_code: str
    due_date: date
    estimated_end: datetime
    status: str


@dataclass(frozen=True)
class StoppedLine:
    line_code: str
    reason: str
    since: datetime


@dataclass(frozen=True)
class Lines:
    lines: tuple[LineNow, ...]
    late: tuple[LateOrder, ...]  # every order late by the queue's estimate, the earliest due first

    def count(self, state: LineState) -> int:
        return sum(1 for ln in self.lines if ln.state is state)

    @property
    def hours_queued(self) -> float:
        return sum(ln.hours_queued for ln in self.lines)

    @property
    def stopped(self) -> tuple[StoppedLine, ...]:
        return tuple(
            StoppedLine(ln.code, ln.reason or "", ln.stopped_since)
            for ln in self.lines
            if ln.state is LineState.STOPPED and ln.stopped_since is not None
        )


def line_now(queue: LineQueue) -> LineNow:
    """A line's state from its queue and the stop it stands in (stopped wins over running)."""
    running = next((o for o in queue.orders if OrderStatus(o.order.status).is_running), None)
    stop = queue.stopped
    state = LineState.STOPPED if stop is not None else LineState.RUNNING if running is not None else LineState.IDLE
    return LineNow(
        code=queue.line_code,
        name=queue.line_name,
        state=state,
        rate_per_hour=queue.rate_per_hour,
        rate_unit=queue.rate_unit,
        order_number=running.order.number if running else None,
        customer_name=running.order.customer_name if running else None,
        order_since=running.estimated_start if running else None,
        expected_end=running.estimated_end if running else None,
        stop=stop,
        queued=len(queue.orders),
        hours_queued=queue.hours_queued,
        late=sum(1 for o in queue.orders if o.late),
    )


def read_lines(ctx: Context, now: datetime, limits: Limits) -> Lines:
    queues = q.line_queues(ctx.reader(), now=now)
    late = sorted(
        (
            LateOrder(
                o.order.number,
                o.order.customer_name,
                queue.line_code,
                o.order.due_date,
                o.estimated_end,
                o.order.status,
            )
            for queue in queues
            for o in queue.orders
            if o.late
        ),
        key=lambda o: (o.due_date, o.number),
    )
    return Lines(tuple(line_now(queue) for queue in queues), tuple(late))


# ---------------------------------------------------------------- output against capacity


@dataclass(frozen=True)
class LineOutput:
    code: str
    unit: str
    capacity_per_day: Decimal  # at the nominal rate, around the clock
    output: tuple[Decimal, ...]  # one figure per day of `Output.days`

    @property
    def total(self) -> Decimal:
        return sum(self.output, Decimal(0))

    @property
    def share(self) -> float | None:
        """Output over what the line could have made in those days."""
        return kpi.share(self.total, self.capacity_per_day * len(self.output))


@dataclass(frozen=True)
class Output:
    days: tuple[date, ...]
    lines: tuple[LineOutput, ...]


def _output_rows(since: datetime) -> Any:
    """(line, moment, quantity) of the output the lines made, in each line's own unit."""
    return (
        select(
            ProductionOrder.line_id.label("line_id"),
            StockMovement.created_at.label("created_at"),
            StockMovement.quantity.label("quantity"),
        )
        .select_from(StockMovement)
        .join(ProductionOrder, ProductionOrder.id == StockMovement.production_order_id)
        .join(ProductionLine, ProductionLine.id == ProductionOrder.line_id)
        .join(Batch, Batch.id == StockMovement.batch_id)
        .join(Material, Material.id == Batch.material_id)
        .where(
            StockMovement.kind == MovementKind.OUTPUT,
            StockMovement.created_at >= since,
            Material.unit == ProductionLine.rate_unit,  # output in another unit cannot be set against the rate
        )
    )


def read_output(ctx: Context, now: datetime, limits: Limits) -> Output:
    require(ctx.user, "read")
    days = kpi.last_days(_local_day(now), OUTPUT_DAYS)
    with ctx.reader() as uow:
        lines = uow.session.execute(
            select(
                ProductionLine.id, ProductionLine.code, ProductionLine.rate_per_hour, ProductionLine.rate_unit
            ).order_by(ProductionLine.code)
        ).all()
        made: dict[int, list[tuple[date, Decimal]]] = {}
        for r in uow.session.execute(_output_rows(_midnight(days[0]))):
            made.setdefault(r.line_id, []).append((_local_day(r.created_at), r.quantity))
    return Output(
        days,
        tuple(
            LineOutput(
                ln.code, ln.rate_unit, kpi.capacity_per_day(ln.rate_per_hour), kpi.by_day(made.get(ln.id, []), days)
            )
            for ln in lines
        ),
    )


@dataclass(frozen=True)
class OutputBatch:
    batch_number: str
    order_number: str
    line_code: str
    material_name: str
    quantity: Decimal
    unit: str
    made_at: datetime


def output_behind(ctx: Context, line: str, now: datetime | None = None) -> tuple[OutputBatch, ...]:
    """The batches a line made in the output chart's days, newest first: the rows behind its bars."""
    require(ctx.user, "read")
    moment = now or datetime.now().astimezone()
    first = kpi.last_days(_local_day(moment), OUTPUT_DAYS)[0]
    with ctx.reader() as uow:
        stmt = (
            select(
                *labelled(
                    OutputBatch,
                    batch_number=Batch.number,
                    order_number=ProductionOrder.number,
                    line_code=ProductionLine.code,
                    material_name=Material.name,
                    quantity=StockMovement.quantity,
                    unit=Material.unit,
                    made_at=StockMovement.created_at,
                )
            )
            .select_from(StockMovement)
            .join(ProductionOrder, ProductionOrder.id == StockMovement.production_order_id)
            .join(ProductionLine, ProductionLine.id == ProductionOrder.line_id)
            .join(Batch, Batch.id == StockMovement.batch_id)
            .join(Material, Material.id == Batch.material_id)
            .where(
                StockMovement.kind == MovementKind.OUTPUT,
                StockMovement.created_at >= _midnight(first),
                Material.unit == ProductionLine.rate_unit,
                ProductionLine.code == line,
            )
            .order_by(StockMovement.created_at.desc(), StockMovement.id.desc())
        )
        return tuple(dto_from_row(OutputBatch, r) for r in uow.session.execute(stmt))


# ---------------------------------------------------------------- availability


@dataclass(frozen=True)
class LineAvailability:
    code: str
    availability: float  # 0–1: time not stopped over the time
    stopped_hours: float
    stops: int  # stops that fall (partly) in the window


@dataclass(frozen=True)
class Availability:
    since: datetime
    until: datetime
    lines: tuple[LineAvailability, ...]

    @property
    def overall(self) -> float | None:
        """Every line's time not stopped over all their time."""
        return sum(ln.availability for ln in self.lines) / len(self.lines) if self.lines else None


def read_availability(ctx: Context, now: datetime, limits: Limits) -> Availability:
    require(ctx.user, "read")
    since = now - timedelta(days=AVAILABILITY_DAYS)
    hours = (now - since) / timedelta(hours=1)
    with ctx.reader() as uow:
        lines = uow.session.execute(select(ProductionLine.id, ProductionLine.code).order_by(ProductionLine.code)).all()
        stops: dict[int, list[Downtime]] = {}
        rows = uow.session.execute(
            select(LineStop.line_id, LineStop.started_at, LineStop.ended_at).where(
                LineStop.started_at < now, or_(LineStop.ended_at.is_(None), LineStop.ended_at > since)
            )
        )
        for r in rows:
            stops.setdefault(r.line_id, []).append(Downtime(r.started_at, r.ended_at))
    result = []
    for ln in lines:
        mine = stops.get(ln.id, [])
        share = kpi.availability(mine, since, now)
        result.append(LineAvailability(ln.code, share, (1 - share) * hours, len(mine)))
    return Availability(since, now, tuple(result))


# ---------------------------------------------------------------- on time


@dataclass(frozen=True)
class OnTime:
    since: datetime
    finished: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return kpi.OnTime(self.finished, self.on_time).rate


def _finished_since(since: datetime) -> Any:
    return and_(ProductionOrder.status == OrderStatus.DONE, ProductionOrder.finished_at >= since)


def read_on_time(ctx: Context, now: datetime, limits: Limits) -> OnTime:
    require(ctx.user, "read")
    since = now - timedelta(days=ON_TIME_DAYS)
    with ctx.reader() as uow:
        rows = uow.session.execute(
            select(ProductionOrder.finished_at, ProductionOrder.due_date).where(_finished_since(since))
        ).all()
    counted = kpi.on_time((_local_day(r.finished_at), r.due_date) for r in rows)
    return OnTime(since, counted.finished, counted.on_time)


@dataclass(frozen=True)
class FinishedOrder:
    number: str
    customer_name: str
    line_code: str | None
    due_date: date
    finished_at: datetime

    @property
    def on_time(self) -> bool:
        return _local_day(self.finished_at) <= self.due_date


def finished_behind(ctx: Context, now: datetime | None = None) -> tuple[FinishedOrder, ...]:
    """The orders finished in the on-time window, the late ones first: the rows behind the on-time rate."""
    require(ctx.user, "read")
    since = (now or datetime.now().astimezone()) - timedelta(days=ON_TIME_DAYS)
    with ctx.reader() as uow:
        stmt = (
            select(
                *labelled(
                    FinishedOrder,
                    number=ProductionOrder.number,
                    customer_name=Customer.name,
                    line_code=ProductionLine.code,
                    due_date=ProductionOrder.due_date,
                    finished_at=ProductionOrder.finished_at,
                )
            )
            .select_from(ProductionOrder)
            .join(Customer, Customer.id == ProductionOrder.customer_id)
            .outerjoin(ProductionLine, ProductionLine.id == ProductionOrder.line_id)
            .where(_finished_since(since))
            .order_by(ProductionOrder.finished_at.desc())
        )
        rows = [dto_from_row(FinishedOrder, r) for r in uow.session.execute(stmt)]
    return tuple(sorted(rows, key=lambda o: o.on_time))


# ---------------------------------------------------------------- materials


@dataclass(frozen=True)
class MaterialLevel:
    code: str
    name: str
    unit: str
    on_hand: Decimal
    reorder_level: Decimal


@dataclass(frozen=True)
class Materials:
    below: tuple[MaterialLevel, ...]  # below their reorder level, those at zero included; the emptiest first

    @property
    def out_of_stock(self) -> int:
        return sum(1 for m in self.below if m.on_hand <= 0)


def read_materials(ctx: Context, now: datetime, limits: Limits) -> Materials:
    """A material with no stock is still a material: it shows at zero, below its level."""
    require(ctx.user, "read")
    with ctx.reader() as uow:
        stock = (
            select(Batch.material_id.label("material_id"), func.sum(StockBalance.quantity).label("on_hand"))
            .join(Batch, Batch.id == StockBalance.batch_id)
            .group_by(Batch.material_id)
            .subquery()
        )
        on_hand = func.coalesce(stock.c.on_hand, 0)
        rows = uow.session.execute(
            select(
                *labelled(
                    MaterialLevel,
                    code=Material.code,
                    name=Material.name,
                    unit=Material.unit,
                    on_hand=on_hand,
                    reorder_level=Material.reorder_level,
                )
            )
            .select_from(Material)
            .outerjoin(stock, stock.c.material_id == Material.id)
            .where(Material.reorder_level > 0, on_hand < Material.reorder_level)
        ).all()
    levels = [dto_from_row(MaterialLevel, r, on_hand=q.decimal_quantity(r.on_hand)) for r in rows]
    return Materials(tuple(sorted(levels, key=lambda m: (m.on_hand / m.reorder_level, m.code))))


# ---------------------------------------------------------------- batches: expiry, release, blocked


@dataclass(frozen=True)
class HeldBatch:
    number: str
    material_code: str
    material_name: str
    unit: str
    quantity: Decimal  # in stock, all warehouses
    status: str
    received_at: datetime
    expiry_date: date | None

    @property
    def since(self) -> datetime:
        """When it became a concern: expired at the start of its expiry day; pending since it came."""
        if self.status == BatchStatus.PENDING or self.expiry_date is None:
            return self.received_at
        return _midnight(self.expiry_date + timedelta(days=1))


@dataclass(frozen=True)
class BlockedStock:
    material_code: str
    material_name: str
    unit: str
    quantity: Decimal
    batches: int


@dataclass(frozen=True)
class Batches:
    expiry_days: int
    expiring: tuple[HeldBatch, ...]  # in stock, expiring within the window, the soonest first
    expired: tuple[HeldBatch, ...]  # in stock and expired, the longest expired first
    pending: tuple[HeldBatch, ...]  # waiting for release, the longest waiting first
    blocked: tuple[BlockedStock, ...]  # by material, the largest quantity first
    pending_too_long: int

    @property
    def oldest_pending(self) -> datetime | None:
        return self.pending[0].received_at if self.pending else None


def held_batches(rows: Iterable[HeldBatch], today: date, now: datetime, limits: Limits) -> Batches:
    """Sort the batches of concern into the dashboard's figures (a pure function over the query's rows)."""
    horizon = today + timedelta(days=limits.expiry_days)
    expiring, expired, pending = [], [], []
    blocked: dict[str, list[HeldBatch]] = {}
    for b in rows:
        in_stock = b.quantity > 0
        if b.status == BatchStatus.PENDING:
            pending.append(b)
        if b.status == BatchStatus.BLOCKED and in_stock:
            blocked.setdefault(b.material_code, []).append(b)
        if in_stock and b.expiry_date is not None:
            if b.expiry_date < today:
                expired.append(b)
            elif b.expiry_date <= horizon:
                expiring.append(b)
    pending.sort(key=lambda b: (b.received_at, b.number))
    by_material = [
        BlockedStock(code, held[0].material_name, held[0].unit, sum((b.quantity for b in held), Decimal(0)), len(held))
        for code, held in blocked.items()
    ]
    return Batches(
        expiry_days=limits.expiry_days,
        expiring=tuple(sorted(expiring, key=lambda b: (b.expiry_date or today, b.number))),
        expired=tuple(sorted(expired, key=lambda b: (b.expiry_date or today, b.number))),
        pending=tuple(pending),
        blocked=tuple(sorted(by_material, key=lambda m: (-m.quantity, m.material_code))),
        pending_too_long=sum(1 for b in pending if now - b.received_at > limits.pending),
    )


def read_batches(ctx: Context, now: datetime, limits: Limits) -> Batches:
    require(ctx.user, "read")
    today = _local_day(now)
    horizon = today + timedelta(days=limits.expiry_days)
    with ctx.reader() as uow:
        stock = (
            select(StockBalance.batch_id.label("batch_id"), func.sum(StockBalance.quantity).label("quantity"))
            .group_by(StockBalance.batch_id)
            .subquery()
        )
        rows = uow.session.execute(
            select(
                *labelled(
                    HeldBatch,
                    number=Batch.number,
                    material_code=Material.code,
                    material_name=Material.name,
                    unit=Material.unit,
                    quantity=func.coalesce(stock.c.quantity, 0),
                    status=Batch.status,
                    received_at=Batch.received_at,
                    expiry_date=Batch.expiry_date,
                )
            )
            .select_from(Batch)
            .join(Material, Material.id == Batch.material_id)
            .outerjoin(stock, stock.c.batch_id == Batch.id)
            .where(or_(Batch.status != BatchStatus.APPROVED, Batch.expiry_date <= horizon))
        ).all()
    held = [dto_from_row(HeldBatch, r, quantity=q.decimal_quantity(r.quantity)) for r in rows]
    return held_batches(held, today, now, limits)


# ---------------------------------------------------------------- the journal


@dataclass(frozen=True)
class Journal:
    entries: tuple[EventRow, ...]  # the newest first


def read_journal(ctx: Context, now: datetime, limits: Limits) -> Journal:
    require(ctx.user, "read")
    with ctx.reader() as uow:
        stmt = (
            select(
                *labelled(
                    EventRow,
                    id=Event.id,
                    occurred_at=Event.occurred_at,
                    username=func.coalesce(User.username, q.SYSTEM_USERNAME),
                    entity_type=Event.entity_type,
                    entity_id=Event.entity_id,
                    action=Event.action,
                    summary=Event.summary,
                    details=Event.details,
                    computed=("subject",),
                )
            )
            .select_from(Event)
            .outerjoin(User, User.id == Event.user_id)
            .order_by(Event.occurred_at.desc(), Event.id.desc())
            .limit(JOURNAL_ROWS)
        )
        rows = tuple(dto_from_row(EventRow, r, subject=None) for r in uow.session.execute(stmt))
        return Journal(q.named_subjects(uow, rows))


# ---------------------------------------------------------------- sections, the whole, its alerts


@dataclass(frozen=True)
class Section:
    name: str
    read: Callable[[Context, datetime, Limits], Any]
    tables: frozenset[str]  # a write to one of these may change its figures
    clocked: bool  # its figures move with time alone


SECTIONS: tuple[Section, ...] = (
    Section(
        "lines",
        read_lines,
        frozenset({"production_lines", "production_orders", "line_stops", "stop_reasons", "customers", "settings"}),
        True,
    ),
    Section(
        "output",
        read_output,
        frozenset({"stock_movements", "production_orders", "production_lines", "batches", "materials"}),
        True,
    ),
    Section("availability", read_availability, frozenset({"line_stops", "production_lines"}), True),
    Section("on_time", read_on_time, frozenset({"production_orders"}), True),
    Section(
        "materials", read_materials, frozenset({"materials", "stock_balances", "stock_movements", "batches"}), False
    ),
    Section(
        "batches",
        read_batches,
        frozenset({"batches", "stock_balances", "stock_movements", "materials", "settings"}),
        True,
    ),
    Section("journal", read_journal, frozenset({"events", "users"}), False),
)
SECTION_NAMES = tuple(s.name for s in SECTIONS)
WATCHED = frozenset().union(*(s.tables for s in SECTIONS))


def touched(tables: Iterable[str]) -> tuple[str, ...]:
    """The sections a write to these tables ("*": anything) may have changed."""
    written = set(tables)
    if "*" in written:
        return SECTION_NAMES
    return tuple(s.name for s in SECTIONS if s.tables & written)


def read_sections(
    ctx: Context, names: Iterable[str], now: datetime | None = None, limits: Limits | None = None
) -> dict[str, Any]:
    """These sections' figures as of `now` (by default this moment), within the plant's limits."""
    require(ctx.user, "read")
    moment = now or datetime.now().astimezone()
    limits = limits or plant_limits(ctx)
    wanted = set(names)
    return {s.name: s.read(ctx, moment, limits) for s in SECTIONS if s.name in wanted}


@dataclass(frozen=True)
class AlertList:
    alerts: tuple[rules.Alert, ...]  # the most urgent first; at most ALERT_ROWS of each rule
    total: int  # all of them, the ones not listed included
    more: dict[AlertKind, int] = field(default_factory=dict)  # per rule, how many are not listed


@dataclass(frozen=True)
class Dashboard:
    at: datetime
    limits: Limits
    lines: Lines
    output: Output
    availability: Availability
    on_time: OnTime
    materials: Materials
    batches: Batches
    journal: Journal

    def alerts(self) -> AlertList:
        return alert_list(self.at, self.limits, self.lines, self.materials, self.batches)


def alert_list(now: datetime, limits: Limits, lines: Lines, materials: Materials, batches: Batches) -> AlertList:
    """Every rule over the sections that feed it, as one list by severity."""
    found = [
        *rules.line_alerts(lines.stopped, now, limits.thresholds),
        *rules.stock_alerts(materials.below),
        *rules.expired_alerts(batches.expired),
        *rules.order_alerts(lines.late, _local_day(now)),
        *rules.pending_alerts(batches.pending, now, limits.thresholds),
    ]
    shown: list[rules.Alert] = []
    more: dict[AlertKind, int] = {}
    per_kind: dict[AlertKind, int] = {}
    for alert in rules.ranked(found):
        per_kind[alert.kind] = per_kind.get(alert.kind, 0) + 1
        if per_kind[alert.kind] <= ALERT_ROWS:
            shown.append(alert)
        else:
            more[alert.kind] = more.get(alert.kind, 0) + 1
    return AlertList(tuple(shown), len(found), more)


def dashboard(ctx: Context, now: datetime | None = None) -> Dashboard:
    """Every figure of the dashboard as of `now`."""
    moment = now or datetime.now().astimezone()
    limits = plant_limits(ctx)
    parts = read_sections(ctx, SECTION_NAMES, moment, limits)
    return Dashboard(at=moment, limits=limits, **parts)


def assemble(at: datetime, limits: Limits, parts: dict[str, Any]) -> Dashboard:
    """A dashboard from sections read at different moments (the client's, refreshed piecemeal)."""
    return Dashboard(at=at, limits=limits, **{name: parts[name] for name in SECTION_NAMES})
