"""The demo plant's past, drawn from a fixed seed: its customers, the batches it bought, the orders it
took and ran, and every stock movement, simulated so that balances are the ledger's sums.

Nothing here touches a database. The draws happen in one fixed sequence, so two demo plants
are alike to the gram; `load` writes what is drawn here.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.demo import tables as t
from domain.vocabulary import QUANTITY_SCALE, BatchStatus, MaterialKind, MovementKind, OrderStatus, Unit


def quantity(value: float, unit: str) -> Decimal:
    """A drawn amount, rounded as the unit is counted."""
    return Decimal(str(round(value, Unit(unit).decimals))).quantize(Decimal(1).scaleb(-QUANTITY_SCALE))


@dataclass
class CustomerPlan:
    code: str
    name: str
    contact: str
    email: str
    phone: str
    address: str
    tax_id: str
    archived: bool
    created_at: datetime


@dataclass
class BatchPlan:
    number: str
    material: t.MaterialSpec
    quantity: Decimal
    received_at: datetime
    expiry_date: date
    status: BatchStatus
    status_reason: str | None = None
    supplier: str | None = None
    order: str | None = None
    home: str = t.DEFAULT_STORE  # where its stock was put
    decided_at: datetime | None = None  # when a manager approved or blocked it


@dataclass
class OrderPlan:
    number: str
    customer: str
    product_spec: str
    quantity: Decimal
    unit: Unit
    priority: int
    due_date: date
    status: OrderStatus
    line: t.LineSpec
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class Move:
    """One line of the ledger, named by batch, warehouse and order numbers rather than ids."""

    batch: str
    kind: MovementKind
    quantity: Decimal
    when: datetime
    user: str
    source: str | None = None
    target: str | None = None
    order: str | None = None
    note: str | None = None


@dataclass
class History:
    now: datetime
    customers: list[CustomerPlan] = field(default_factory=list)
    batches: list[BatchPlan] = field(default_factory=list)
    orders: list[OrderPlan] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    balances: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def move(self, move: Move) -> None:
        if move.source is not None:
            assert self.balances[(move.batch, move.source)] >= move.quantity
            self.balances[(move.batch, move.source)] -= move.quantity
        if move.target is not None:
            self.balances[(move.batch, move.target)] += move.quantity
        self.moves.append(move)


CLERK, PLANNER = "clerk", "planner"


def draw(now: datetime, rng: random.Random) -> History:
    """The whole past of the demo plant up to `now`, in the one order the seed is drawn in."""
    history = History(now)
    _customers(history, rng)
    _purchases(history, rng)
    _orders(history, rng)
    _production(history, rng)
    return history


def _customers(h: History, rng: random.Random) -> None:
    names: list[str] = []
    while len(names) < 44:
        name = f"{rng.choice(t.CUSTOMER_PREFIXES)}{rng.choice(t.CUSTOMER_SUFFIXES)} Sp. z o.o."
        if name not in names:
            names.append(name)
    names += t.FOREIGN_CUSTOMERS
    for i, name in enumerate(names, start=1):
        person = f"{rng.choice(t.FIRST_NAMES)} {rng.choice(t.LAST_NAMES)}"
        phone = f"+48 {rng.randint(500, 899)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
        street = rng.randint(1, 120)
        postcode = f"{rng.randint(10, 99)}-{rng.randint(100, 999)}"
        address = f"ul. Przemysłowa {street}, {postcode} {rng.choice(t.CITIES)}"
        h.customers.append(
            CustomerPlan(
                code=f"C-{i:03d}",
                name=name,
                contact=person,
                email=f"zakupy{i}@customer{i}.example",
                phone=phone,
                address=address,
                tax_id=f"PL{rng.randint(10**9, 10**10 - 1)}",
                archived=i in t.ARCHIVED_CUSTOMERS,
                created_at=h.now,  # drawn below, once every customer is known
            )
        )
    for customer in h.customers:
        customer.created_at = h.now - timedelta(days=rng.randint(200, 390))


def _purchased_batch(h: History, rng: random.Random, n: int, purchasable: list[t.MaterialSpec]) -> BatchPlan:
    today = h.now.date()
    material = rng.choice(purchasable)
    received = h.now - timedelta(days=rng.uniform(1, 240), minutes=rng.randint(0, 600))
    expiry = received.date() + timedelta(days=material.shelf_life_days)
    if n % 40 == 0:
        expiry = today - timedelta(days=rng.randint(1, 30))  # a few have run out of date
    elif n % 33 == 0:
        expiry = today + timedelta(days=rng.randint(1, 29))  # and some soon will
    status, reason = BatchStatus.APPROVED, None
    if received > h.now - timedelta(days=4) or n % 50 == 0:
        status = BatchStatus.PENDING
    if n % 45 == 0:
        status, reason = BatchStatus.BLOCKED, rng.choice(t.BLOCK_REASONS)
    kg = rng.choice([500, 1000, 1250, 1500, 25 * rng.randint(4, 40)])
    sizes = {
        Unit.KG: kg,
        Unit.L: rng.choice([200, 1000]),
        Unit.M: rng.choice([12000, 18000, 24000]),
        Unit.PCS: rng.choice([500, 1000, 2000]),
        Unit.M2: 5000,
    }
    size = sizes[material.unit]
    if material.kind in (MaterialKind.INK, MaterialKind.ADHESIVE):
        size = rng.choice([120, 180, 200, 240])
    return BatchPlan(
        number=f"R{received:%y%m}-{n:05d}",
        material=material,
        quantity=quantity(size, material.unit),
        received_at=received,
        expiry_date=expiry,
        status=status,
        status_reason=reason,
        supplier=rng.choice(material.suppliers),
    )


def _purchases(h: History, rng: random.Random) -> None:
    """Receipts, quality decisions, and the move of approved stock to the production floor."""
    purchasable = [m for m in t.MATERIALS if m.suppliers]
    bought = sorted((_purchased_batch(h, rng, n, purchasable) for n in range(1, 911)), key=lambda b: b.received_at)
    for b in bought:
        h.batches.append(b)
        when = b.received_at
        b.home = t.PUT_AWAY.get(b.material.kind, t.DEFAULT_STORE)
        h.move(Move(b.number, MovementKind.RECEIPT, b.quantity, when, CLERK, target=b.home))
        if b.status is BatchStatus.APPROVED:
            b.decided_at = when + timedelta(hours=rng.randint(2, 30))
        elif b.status is BatchStatus.BLOCKED:
            b.decided_at = when + timedelta(hours=rng.randint(2, 30))
            moved = when + timedelta(hours=31)
            h.move(
                Move(
                    b.number,
                    MovementKind.TRANSFER,
                    b.quantity,
                    moved,
                    CLERK,
                    source=b.home,
                    target=t.QUARANTINE,
                    note="Blocked: to quarantine",
                )
            )
            b.home = t.QUARANTINE
            continue
        if b.status is BatchStatus.APPROVED and rng.random() < 0.7:
            floor = t.FLOOR_BY_KIND.get(b.material.kind, t.OTHER_FLOOR)
            whole = rng.random() < 0.5
            part = b.quantity if whole else quantity(float(b.quantity) * rng.uniform(0.3, 0.8), b.material.unit)
            if part > 0:
                moved = when + timedelta(days=rng.uniform(1, 3))
                if moved < h.now:
                    h.move(Move(b.number, MovementKind.TRANSFER, part, moved, CLERK, source=b.home, target=floor))


def _orders(h: History, rng: random.Random) -> None:
    """Orders in every status; running ones on lines of their own."""
    statuses = (
        [OrderStatus.DONE] * 40
        + [OrderStatus.CANCELLED] * 12
        + [OrderStatus.IN_PROGRESS] * 8
        + [OrderStatus.PLANNED] * 70
        + [OrderStatus.NEW] * 70
    )
    rng.shuffle(statuses)
    running_lines: set[str] = set()
    active = [c.code for c in h.customers if not c.archived]
    for n, status in enumerate(statuses, start=1):
        line = rng.choice(t.LINES)
        if status is OrderStatus.IN_PROGRESS:
            line = rng.choice([ln for ln in t.LINES if ln.code not in running_lines])
            running_lines.add(line.code)
        amounts = {
            Unit.KG: rng.choice([800, 1200, 2500, 4000, 6000]),
            Unit.M: rng.choice([20000, 40000, 60000, 90000]),
            Unit.PCS: rng.choice([50000, 100000, 200000, 350000]),
        }
        closed = not status.is_open
        created = h.now - timedelta(days=rng.uniform(5, 60) if closed else rng.uniform(0.5, 20))
        due = (created + timedelta(days=rng.randint(7, 35))).date()
        h.orders.append(
            OrderPlan(
                number=f"PO-{created:%Y}-{n:05d}",
                customer=rng.choice(active),
                product_spec=rng.choice(t.STAGE_PRODUCTS[line.stage].specs),
                quantity=quantity(amounts[line.rate_unit], line.rate_unit),
                unit=line.rate_unit,
                priority=rng.choice([1, 2, 3, 3, 3, 4, 5]),
                due_date=due,
                status=status,
                line=line,
                created_at=created,
            )
        )
    for order in h.orders:
        if order.status in (OrderStatus.IN_PROGRESS, OrderStatus.DONE):
            order.started_at = order.created_at + timedelta(days=rng.uniform(1, 4))
            if order.started_at > h.now:
                order.started_at = h.now - timedelta(hours=rng.uniform(1, 6))
        if order.status is OrderStatus.DONE:
            assert order.started_at is not None
            order.finished_at = min(order.started_at + timedelta(hours=rng.uniform(4, 30)), h.now)


def _consume(h: History, rng: random.Random, order: OrderPlan, by_kind: dict[str, list[BatchPlan]]) -> None:
    """At most one input batch of each kind the stage takes, from the floor if it is there."""
    started = order.started_at
    assert started is not None
    for kind in t.STAGE_PRODUCTS[order.line.stage].inputs:
        for b in rng.sample(by_kind[kind], k=min(len(by_kind[kind]), 8)):
            if b.status is not BatchStatus.APPROVED or b.received_at > started or b.expiry_date < started.date():
                continue
            source = next((w for w in (*t.FLOORS, b.home) if h.balances[(b.number, w)] > 0), None)
            if source is None:
                continue
            have = h.balances[(b.number, source)]
            take = min(have, quantity(float(have) * rng.uniform(0.2, 0.9), b.material.unit))
            if take <= 0:
                continue
            when = started + timedelta(minutes=20)
            h.move(Move(b.number, MovementKind.CONSUMPTION, take, when, PLANNER, source=source, order=order.number))
            break


def _outputs(h: History, rng: random.Random, order: OrderPlan) -> list[BatchPlan]:
    started = order.started_at
    assert started is not None
    count = 1 if order.status is OrderStatus.IN_PROGRESS else rng.randint(1, 3)
    products = t.STAGE_PRODUCTS[order.line.stage]
    code = rng.choice(products.outputs)
    material = next(m for m in t.MATERIALS if m.code == code)
    finished_goods = order.line.stage in t.FINISHING_STAGES
    made = []
    for k in range(1, count + 1):
        share = float(order.quantity) / count
        amount = quantity(share * rng.uniform(0.9, 1.02), material.unit) if material.unit == order.unit else None
        when = started + timedelta(hours=2 * k)
        if when > h.now:
            when = h.now - timedelta(minutes=10 * k)
        done = order.status is OrderStatus.DONE
        made.append(
            BatchPlan(
                number=f"{order.number}-{k:03d}",
                material=material,
                quantity=amount if amount is not None else quantity(share, material.unit),
                received_at=when,
                expiry_date=when.date() + timedelta(days=material.shelf_life_days),
                status=BatchStatus.APPROVED if done else BatchStatus.PENDING,
                order=order.number,
                home=t.FINISHED_GOODS if finished_goods else t.SEMI_FINISHED,
                decided_at=when + timedelta(hours=4) if done else None,
            )
        )
    return made


def _production(h: History, rng: random.Random) -> None:
    """What the started orders consumed and produced, and the finished goods shipped."""
    by_kind: dict[str, list[BatchPlan]] = defaultdict(list)
    for b in h.batches:
        by_kind[b.material.kind].append(b)
    made: list[BatchPlan] = []
    for order in h.orders:
        if order.started_at is None:
            continue
        _consume(h, rng, order, by_kind)
        made += _outputs(h, rng, order)
    for b in made:
        h.batches.append(b)
        h.move(Move(b.number, MovementKind.OUTPUT, b.quantity, b.received_at, PLANNER, target=b.home, order=b.order))
        shipped = b.status is BatchStatus.APPROVED and b.home == t.FINISHED_GOODS and rng.random() < 0.6
        if shipped:
            when = b.received_at + timedelta(days=rng.uniform(0.5, 3))
            if when < h.now:
                h.move(
                    Move(
                        b.number,
                        MovementKind.ISSUE,
                        h.balances[(b.number, b.home)],
                        when,
                        CLERK,
                        source=b.home,
                        note=f"Shipped to customer, order {b.order}",
                    )
                )


@dataclass(frozen=True)
class StopPlan:
    line: str
    reason: str  # a stop reason's code
    start: datetime
    end: datetime
    note: str | None
    user: str  # who recorded it


def draw_stops(now: datetime, rng: random.Random) -> list[StopPlan]:
    """Each line's stops over the last months, none overlapping and all over before the lines' stops of now.

    Drawn with a generator of their own, so that the rest of the demo stays as it was.
    """
    first = now - timedelta(days=t.STOP_HISTORY_DAYS)
    plans: list[StopPlan] = []
    for line in t.LINES:
        standing = next((minutes for code, _r, minutes, _n in t.OPEN_STOPS if code == line.code), 0)
        horizon = now - timedelta(minutes=standing + 30)  # its history ends before today's stop began
        drawn: list[StopPlan] = []
        for pattern in t.STOP_PATTERNS:
            count = round(pattern.per_week * t.STOP_HISTORY_DAYS / 7 * rng.uniform(0.6, 1.4))
            for _ in range(count):
                start = first + timedelta(seconds=rng.uniform(0, (horizon - first).total_seconds()))
                start = start.replace(second=0, microsecond=0)
                end = start + timedelta(minutes=rng.randint(pattern.shortest, pattern.longest))
                if end >= horizon:
                    continue
                note = rng.choice(pattern.notes) if pattern.notes else ""
                user = rng.choice([CLERK, CLERK, PLANNER])
                drawn.append(StopPlan(line.code, pattern.reason, start, end, note or None, user))
        drawn.sort(key=lambda p: p.start)
        last_end = first
        for plan in drawn:  # a line stands still for one reason at a time: the later report gives way
            if plan.start >= last_end:
                plans.append(plan)
                last_end = plan.end
    return sorted(plans, key=lambda p: p.start)
