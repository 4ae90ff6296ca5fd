"""The demo plant's past, drawn from a fixed seed: its customers, the batches it bought, the orders it
took and ran by their products' recipes, what it delivered, and every stock movement, simulated in
time order so that balances are the ledger's sums at every moment.

The lines' stops are drawn apart (`draw_stops`), with a generator of their own, around the moments the
lines were seen working. Nothing here touches a database. The draws happen in one fixed sequence, so two
demo plants are alike to the gram; `load` writes what is drawn here.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

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
    product: t.ProductSpec
    quantity: Decimal
    unit: Unit
    priority: int
    due_date: date
    status: OrderStatus
    line: t.LineSpec
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    in_chain: bool = False  # one of the recall example's orders


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
    delivery: str | None = None  # the delivery a movement of kind delivery is a line of


@dataclass(frozen=True)
class DeliveryPlan:
    number: str
    order: str
    customer: str
    when: datetime


@dataclass
class History:
    now: datetime
    customers: list[CustomerPlan] = field(default_factory=list)
    batches: list[BatchPlan] = field(default_factory=list)
    orders: list[OrderPlan] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    deliveries: list[DeliveryPlan] = field(default_factory=list)
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
    supplier = rng.choice(material.suppliers)
    if n == t.RECALL_BATCH:
        # The recall example: granulate bought shortly before the chain of orders that used it (drawn
        # like every other batch, so the draws after it stay the same).
        material = next(m for m in t.MATERIALS if m.code == t.RECALL_CHAIN_GRANULATE)
        received = _chain_start(h, 0) - RECALL_BOUGHT_BEFORE
        expiry = received.date() + timedelta(days=material.shelf_life_days)
        status, reason, size, supplier = BatchStatus.APPROVED, None, 1500, material.suppliers[0]
    return BatchPlan(
        number=f"R{received:%y%m}-{n:05d}",
        material=material,
        quantity=quantity(size, material.unit),
        received_at=received,
        expiry_date=expiry,
        status=status,
        status_reason=reason,
        supplier=supplier,
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
        recalled = b.number.endswith(f"-{t.RECALL_BATCH:05d}")
        if b.status is BatchStatus.APPROVED and (rng.random() < 0.7 or recalled):
            floor = t.FLOOR_BY_KIND.get(b.material.kind, t.OTHER_FLOOR)
            whole = rng.random() < 0.5 or recalled
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
                product=rng.choice(t.PRODUCTS_BY_STAGE[line.stage]),
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
    _recall_chain(h)


# ---------------------------------------------------------------- the recall example

RECALL_BOUGHT_BEFORE = timedelta(days=12)  # the granulate arrived this long before the chain's first order
CHAIN_STEP = timedelta(days=8)  # each order of the chain starts this long after the one before
CHAIN_RUN = timedelta(hours=12)


def _chain_start(h: History, step: int) -> datetime:
    return h.now - timedelta(days=40) + step * CHAIN_STEP


def _recall_chain(h: History) -> None:
    """Four finished orders, one per stage, become the chain the recall example follows: the first blows
    film from the recalled granulate, the next prints it, the next laminates it, the last slits it."""
    for step, code in enumerate(t.RECALL_CHAIN):
        product = next(p for p in t.PRODUCTS if p.code == code)
        order = next(
            o for o in h.orders if o.status is OrderStatus.DONE and o.line.stage is product.stage and not o.in_chain
        )
        due_after = order.due_date - order.created_at.date()
        order.product, order.in_chain = product, True
        order.started_at = _chain_start(h, step)
        order.created_at = order.started_at - timedelta(days=2)
        order.finished_at = order.started_at + CHAIN_RUN
        order.due_date = order.created_at.date() + due_after


# ---------------------------------------------------------------- production and deliveries


@dataclass
class _Plant:
    """The simulated plant while its past is replayed in time order."""

    h: History
    rng: random.Random
    usable_from: dict[str, datetime] = field(default_factory=dict)  # batch -> when it may first be used
    by_material: dict[str, list[BatchPlan]] = field(default_factory=lambda: defaultdict(list))
    made: dict[str, list[BatchPlan]] = field(default_factory=lambda: defaultdict(list))  # order -> its batches
    chain_batches: dict[str, list[BatchPlan]] = field(default_factory=dict)  # chain order -> what it made
    delivered: dict[int, int] = field(default_factory=dict)  # deliveries numbered so far, by year

    def stock(self, b: BatchPlan) -> list[tuple[str, Decimal]]:
        """Where the batch's stock is now, the production floors first."""
        places = [*t.FLOORS, b.home]
        return [
            (w, self.h.balances[(b.number, w)]) for w in dict.fromkeys(places) if self.h.balances[(b.number, w)] > 0
        ]


def _production(h: History, rng: random.Random) -> None:
    """What the started orders consumed and produced, and what went to the customers, replayed in time order
    so that no movement ever takes stock that is not there yet."""
    plant = _Plant(h, rng)
    last_move: dict[str, datetime] = {}
    for m in h.moves:
        last_move[m.batch] = max(m.when, last_move.get(m.batch, m.when))
    for b in h.batches:
        if b.status is BatchStatus.APPROVED and b.decided_at is not None:
            plant.usable_from[b.number] = max(b.decided_at, last_move[b.number])
        plant.by_material[b.material.code].append(b)
    events: list[tuple[datetime, int, str, object]] = []
    seq = 0

    def at(when: datetime, kind: str, what: object) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (when, seq, kind, what))

    for order in h.orders:
        if order.started_at is not None:
            at(order.started_at, "start", order)
    while events:
        when, _seq, kind, what = heapq.heappop(events)
        if kind == "start":
            assert isinstance(what, OrderPlan)
            _start(plant, what, when, at)
        elif kind == "output":
            assert isinstance(what, BatchPlan)
            h.move(
                Move(what.number, MovementKind.OUTPUT, what.quantity, when, PLANNER, target=what.home, order=what.order)
            )
        elif kind == "deliver":
            assert isinstance(what, tuple)
            _deliver(plant, what[0], what[1], when)


def _start(plant: _Plant, order: OrderPlan, when: datetime, at: Any) -> None:
    h, rng = plant.h, plant.rng
    done = order.status is OrderStatus.DONE
    share = Decimal(1) if done else Decimal(str(round(rng.uniform(0.3, 0.6), 2)))
    for use in order.product.steps[-1].uses:
        per_unit, scrap = Decimal(use.per_unit), Decimal(use.scrap)
        material = next(m for m in t.MATERIALS if m.code == use.material)
        need = quantity(float(per_unit * order.quantity * (1 + scrap / 100) * share), material.unit)
        _consume(plant, order, material, need, when + timedelta(minutes=20))
    count = 1 if order.status is OrderStatus.IN_PROGRESS else rng.randint(1, 3)
    material = next(m for m in t.MATERIALS if m.code == order.product.output)
    finished_goods = order.line.stage in t.FINISHING_STAGES
    made = []
    for k in range(1, count + 1):
        amount = quantity(float(order.quantity) / count * rng.uniform(0.9, 1.02) * float(share), material.unit)
        produced = when + timedelta(hours=2 * k)
        if produced > h.now:
            produced = h.now - timedelta(minutes=10 * k)
        batch = BatchPlan(
            number=f"{order.number}-{k:03d}",
            material=material,
            quantity=max(amount, quantity(1, material.unit)),
            received_at=produced,
            expiry_date=produced.date() + timedelta(days=material.shelf_life_days),
            status=BatchStatus.APPROVED if done else BatchStatus.PENDING,
            order=order.number,
            home=t.FINISHED_GOODS if finished_goods else t.SEMI_FINISHED,
            decided_at=produced + timedelta(hours=4) if done else None,
        )
        h.batches.append(batch)
        plant.by_material[material.code].append(batch)
        made.append(batch)
        at(produced, "output", batch)
        if batch.decided_at is not None:
            plant.usable_from[batch.number] = batch.decided_at
    plant.made[order.number] = made
    if order.in_chain:
        plant.chain_batches[order.product.code] = made
    if done and (not order.in_chain or order.product.code == t.RECALL_CHAIN[-1]):
        _plan_deliveries(plant, order, made, at)


def _consume(plant: _Plant, order: OrderPlan, material: t.MaterialSpec, need: Decimal, when: datetime) -> None:
    """Take `need` of the material, oldest usable batch first (the chain's own batches before any), at most
    three batches; short stock is simply used up."""
    h = plant.h
    candidates = [
        b
        for b in plant.by_material[material.code]
        if b.number in plant.usable_from and plant.usable_from[b.number] <= when and b.expiry_date >= when.date()
    ]
    preferred = _chain_inputs(plant, order, material)
    candidates.sort(key=lambda b: (b.number not in preferred, b.received_at, b.number))
    if not order.in_chain or order.product.code != t.RECALL_CHAIN[0]:
        candidates = [b for b in candidates if not b.number.endswith(f"-{t.RECALL_BATCH:05d}") or _chain_began(h, when)]
    used = 0
    for b in candidates:
        if need <= 0 or used == 3:
            return
        for warehouse, have in plant.stock(b):
            take = min(have, need)
            if take <= 0:
                continue
            h.move(Move(b.number, MovementKind.CONSUMPTION, take, when, PLANNER, source=warehouse, order=order.number))
            need -= take
            used += 1
            break


def _chain_began(h: History, when: datetime) -> bool:
    return when > _chain_start(h, 0)


def _chain_inputs(plant: _Plant, order: OrderPlan, material: t.MaterialSpec) -> set[str]:
    """What a chain order takes first: the recalled granulate, or what the chain's previous order made."""
    if not order.in_chain:
        return set()
    step = t.RECALL_CHAIN.index(order.product.code)
    if step == 0:
        return {b.number for b in plant.by_material[material.code] if b.number.endswith(f"-{t.RECALL_BATCH:05d}")}
    before = plant.chain_batches.get(t.RECALL_CHAIN[step - 1], [])
    return {b.number for b in before if b.material.code == material.code}


def _plan_deliveries(plant: _Plant, order: OrderPlan, made: list[BatchPlan], at: Any) -> None:
    """Finished goods go to the customer, in one delivery or two; other stages' film now and then in part."""
    rng = plant.rng
    ready = max(b.decided_at for b in made if b.decided_at is not None)
    if order.line.stage in t.FINISHING_STAGES:
        first = ready + timedelta(days=rng.uniform(0.5, 3))
        if rng.random() < 0.6:
            at(first, "deliver", (order, Decimal(1)))
        else:
            at(first, "deliver", (order, Decimal("0.6")))
            at(first + timedelta(days=rng.uniform(2, 5)), "deliver", (order, Decimal(1)))
    elif rng.random() < 0.5:
        at(
            ready + timedelta(days=rng.uniform(0.5, 3)),
            "deliver",
            (order, Decimal(str(round(rng.uniform(0.5, 0.9), 2)))),
        )


def _deliver(plant: _Plant, order: OrderPlan, share: Decimal, when: datetime) -> None:
    """One delivery of `share` of what is left of each of the order's batches, to the order's customer."""
    h = plant.h
    if when >= h.now:
        return
    lines = []
    for b in plant.made[order.number]:
        for warehouse, have in plant.stock(b):
            amount = have if share >= 1 else quantity(float(have * share), b.material.unit)
            if amount > 0:
                lines.append((b, warehouse, amount))
    if not lines:
        return
    year = when.year
    plant.delivered[year] = plant.delivered.get(year, 0) + 1
    delivery = DeliveryPlan(f"D-{year}-{plant.delivered[year]:05d}", order.number, order.customer, when)
    for b, warehouse, amount in lines:
        h.move(
            Move(
                b.number,
                MovementKind.DELIVERY,
                amount,
                when,
                CLERK,
                source=warehouse,
                order=order.number,
                note=f"Delivery {delivery.number}",
                delivery=delivery.number,
            )
        )
    h.deliveries.append(delivery)


@dataclass(frozen=True)
class StopPlan:
    line: str
    reason: str  # a stop reason's code
    start: datetime
    end: datetime
    note: str | None
    user: str  # who recorded it


def worked(h: History) -> dict[str, list[datetime]]:
    """When each line was seen working, in time order: its orders started and finished, what they consumed and
    what they made."""
    lines = {o.number: o.line.code for o in h.orders if o.started_at is not None}
    found: dict[str, list[datetime]] = defaultdict(list)
    for o in h.orders:
        for moment in (o.started_at, o.finished_at):
            if moment is not None:
                found[o.line.code].append(moment)
    for m in h.moves:
        if m.kind in (MovementKind.CONSUMPTION, MovementKind.OUTPUT) and m.order in lines:
            found[lines[m.order]].append(m.when)
    return {code: sorted(moments) for code, moments in found.items()}


def draw_stops(now: datetime, rng: random.Random, busy: dict[str, list[datetime]] | None = None) -> list[StopPlan]:
    """Each line's stops over the last months, none overlapping and all over before the lines' stops of now.

    Drawn with a generator of their own, so that the rest of the demo stays as it was. A stop drawn over a
    moment its line was seen working (`busy`, from `worked`) is left out: a line does not stand still while
    it starts an order or makes a batch.
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
        seen = (busy or {}).get(line.code, [])
        last_end = first
        for plan in drawn:  # a line stands still for one reason at a time: the later report gives way
            if plan.start >= last_end and not _seen_during(seen, plan.start, plan.end):
                plans.append(plan)
                last_end = plan.end
    return sorted(plans, key=lambda p: p.start)


def _seen_during(moments: list[datetime], start: datetime, end: datetime) -> bool:
    """Whether any of the sorted `moments` falls within [start, end]."""
    i = bisect_left(moments, start)
    return i < len(moments) and moments[i] <= end
