"""Load the demo plant in stages.

1. People: the demo's users, each with the journal entry of their creation.
2. Master data: warehouses, lines, suppliers, materials, the product catalogue with its recipes and
   the customers, through the services an administrator and a planner use, on the days the plant
   set them up.
3. Orders: created for a product, planned, started, finished and cancelled through the planners' and
   managers' services, each at the moment it happened (the services take the time from their unit
   of work).
4. Stock history, in bulk: the batches bought and made, the deliveries to customers, the ledger and
   the balances it adds up to, and one journal entry per movement, delivery and quality decision,
   in the services' own words.
5. The lines' stops: months of them in bulk, each with its journal entry; the lines standing now
   and the maintenance planned ahead through the floor's own service.
6. Older journal history, in bulk, up to the number of entries asked for.

The result passes the same audit as a plant worked by people (app/audit.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, text

from app import journal, services
from app.demo import tables as t
from app.demo.bulk import JournalRow, write_journal
from app.demo.history import History, OrderPlan, draw, draw_stops, worked
from app.errors import ValidationError
from app.security import CurrentUser
from data.db import Database
from data.models import (
    Batch,
    Customer,
    Delivery,
    DeliveryLine,
    Event,
    LineStop,
    Material,
    ProductionLine,
    ProductionOrder,
    StockMovement,
    StopReason,
    Supplier,
    User,
)
from data.models import Warehouse as WarehouseRow
from data.pgroles import adopt_login, scram_verifier
from data.rules import loading_history
from data.uow import UnitOfWork
from domain.vocabulary import BatchStatus, MovementKind, OrderStatus, Role

SETUP_DAYS_AGO = 400  # the plant's people and master data date from then
PLANNED_AFTER = timedelta(hours=2)
CANCELLED_AFTER = timedelta(days=1)
ARCHIVED_AFTER = timedelta(days=30)
RECIPE_AFTER = timedelta(hours=3)
SENT_AFTER = timedelta(hours=4)


@dataclass
class Summary:
    warehouses: int = 0
    lines: int = 0
    materials: int = 0
    products: int = 0
    suppliers: int = 0
    customers: int = 0
    orders: int = 0
    orders_by_status: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    movements: int = 0
    deliveries: int = 0
    users: int = 0
    events: int = 0
    stops: int = 0

    def lines_of_text(self) -> list[str]:
        statuses = ", ".join(f"{OrderStatus(k).label} {v}" for k, v in sorted(self.orders_by_status.items()))
        return [
            f"warehouses   {self.warehouses}",
            f"lines        {self.lines}",
            f"materials    {self.materials}",
            f"products     {self.products}",
            f"suppliers    {self.suppliers}",
            f"customers    {self.customers}",
            f"orders       {self.orders} ({statuses})",
            f"batches      {self.batches}",
            f"movements    {self.movements}",
            f"deliveries   {self.deliveries}",
            f"users        {self.users}",
            f"line stops   {self.stops}",
            f"events       {self.events}",
        ]


class _Plant:
    """The database and the demo's people, handing out units of work at a given moment."""

    def __init__(self, database: Database, people: dict[str, CurrentUser]) -> None:
        self.database = database
        self.people = people

    def uow(self, username: str, when: datetime) -> UnitOfWork:
        return UnitOfWork(self.database, self.people[username], clock=lambda: when, history=True)


def load_demo(
    database: Database,
    *,
    events: int = 5000,
    password_hash: Callable[[str], str] | None = None,
    now: datetime | None = None,
) -> Summary:
    """Fill an empty, migrated database with the demo plant. Refuses a database that holds data.

    `password_hash` hashes the demo's shared password for the users table on SQLite (None: the users
    get no password and cannot sign in). The stages commit one by one, as people's work does: a
    load that fails half-way leaves a half-built plant, to be loaded again into an empty database.
    """
    rng = random.Random(t.SEED)
    now = now or datetime.now(UTC).replace(microsecond=0)
    _refuse_a_plant_with_data(database)
    history = draw(now, rng)
    plant = _Plant(database, _people(database, now, password_hash))
    _master_data(plant, history)
    _orders(plant, history)
    moves = _stock_history(database, history) + _new_materials(plant, history.now)
    stops = _line_stops(database, plant, history)
    moves += _buying(plant, history.now)
    summary = Summary(
        warehouses=len(t.WAREHOUSES),
        lines=len(t.LINES),
        materials=len(t.MATERIALS) + len(t.NEW_MATERIALS),
        products=len(t.PRODUCTS),
        suppliers=len(t.SUPPLIERS),
        customers=len(history.customers),
        orders=len(history.orders),
        orders_by_status={s.value: sum(1 for o in history.orders if o.status is s) for s in OrderStatus},
        batches=len(history.batches) + len(t.FIRST_DELIVERIES),
        movements=moves,
        deliveries=len(history.deliveries),
        stops=stops,
    )
    summary.orders_by_status = {k: n for k, n in summary.orders_by_status.items() if n}
    with database.engine.connect() as conn:
        summary.users = conn.scalar(select(func.count()).select_from(User)) or 0
    summary.events = _journal(database, history, rng, plant, events)
    return summary


def _refuse_a_plant_with_data(database: Database) -> None:
    with database.engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(WarehouseRow)) or conn.scalar(
            select(func.count()).select_from(Batch)
        ):
            raise ValidationError("The database already holds plant data; the demo loads into an empty database only.")


# ---------------------------------------------------------------- 1. people


def _people(database: Database, now: datetime, password_hash: Callable[[str], str] | None) -> dict[str, CurrentUser]:
    """The demo's users. Not through the user service: they share one published password (hashed once),
    and on a PostgreSQL server their logins may exist already, made for another demo database."""
    when = now - timedelta(days=SETUP_DAYS_AGO)
    hashed = password_hash(t.DEMO_PASSWORD) if password_hash and database.is_sqlite else None
    system = CurrentUser(None, "system", "Demo loader", Role.ADMIN)
    people = {}
    for person in t.DEMO_USERS:
        role = Role[person.role.upper()]
        uow = UnitOfWork(database, system, clock=lambda: when, history=True)
        with uow:
            user = uow.users.find(person.username)
            if user is None:
                user = uow.users.add(
                    User(
                        username=person.username,
                        full_name=person.full_name,
                        role=person.role,
                        active=True,
                        password_hash=hashed,
                        failed_logins=0,
                        created_at=when,
                    )
                )
                uow.session.flush()
                if not database.is_sqlite:
                    _create_login(uow, person.username, person.role)
                uow.record_event(
                    "user",
                    user.id,
                    "created",
                    f"Created user {person.username} ({role.label})",
                    {"role": person.role, "full_name": person.full_name},
                )
                uow.commit()
            people[person.username] = CurrentUser(user.id, user.username, user.full_name, role)
    return people


def _create_login(uow: UnitOfWork, username: str, level: str) -> None:
    """On PostgreSQL a user is a login role; the demo's people get one, unless the server has it already."""
    if uow.session.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": username}):
        adopt_login(uow.session.connection(), username)  # made for another database on this server
        return
    dbapi = uow.session.connection().connection.dbapi_connection
    uow.session.execute(
        text("SELECT mpsystem_create_login(:n, :level, :v)"),
        {"n": username, "level": level, "v": scram_verifier(dbapi, username, t.DEMO_PASSWORD)},
    )


# ---------------------------------------------------------------- 2. master data


def _master_data(plant: _Plant, history: History) -> None:
    when = history.now - timedelta(days=SETUP_DAYS_AGO)
    services.save_settings(
        plant.uow("admin", when),
        plant_name=t.PLANT_NAME,
        expiry_warning_days=t.EXPIRY_WARNING_DAYS,
        label_layout=t.LABEL_LAYOUT,
        label_printer=t.LABEL_PRINTER,
    )
    for w in t.WAREHOUSES:
        services.create_warehouse(plant.uow("admin", when), code=w.code, name=w.name, kind=w.kind, adr=w.adr)
    for ln in t.LINES:
        services.create_line(
            plant.uow("admin", when),
            code=ln.code,
            name=ln.name,
            stage=ln.stage,
            rate_per_hour=ln.rate_per_hour,
            rate_unit=ln.rate_unit,
        )
    for s in t.SUPPLIERS:
        services.create_supplier(
            plant.uow("admin", when),
            code=s.code,
            name=s.name,
            contact=s.contact,
            email=s.email,
            phone=s.phone,
            address=s.address,
            tax_id=s.tax_id,
        )
    for code, name in t.PLANT_STOP_REASONS:
        services.create_stop_reason(plant.uow("admin", when), code=code, name=name)
    for m in t.MATERIALS:
        services.create_material(
            plant.uow("admin", when),
            code=m.code,
            name=m.name,
            kind=m.kind,
            unit=m.unit,
            reorder_level=m.reorder_level,
            shelf_life_days=m.shelf_life_days,
        )
    for p in t.PRODUCTS:
        services.create_product(
            plant.uow("planner", when),
            code=p.code,
            name=p.name,
            spec=p.spec,
            unit=p.unit,
            stage=p.stage,
            output_material=p.output,
        )
        services.set_recipe(
            plant.uow("planner", when + RECIPE_AFTER),
            product=p.code,
            lines=[
                services.RecipeItem(n, step.stage, use.material, use.per_unit, use.scrap)
                for n, step in enumerate(p.steps, start=1)
                for use in step.uses
            ],
        )
    for c in history.customers:
        services.create_customer(
            plant.uow("planner", c.created_at),
            code=c.code,
            name=c.name,
            contact=c.contact,
            email=c.email,
            phone=c.phone,
            address=c.address,
            tax_id=c.tax_id,
        )
    for c in history.customers:
        if c.archived:
            services.set_customer_archived(
                plant.uow("manager", c.created_at + ARCHIVED_AFTER),
                code=c.code,
                archived=True,
                reason="No orders for a year",
            )


# ---------------------------------------------------------------- 3. orders


def _orders(plant: _Plant, history: History) -> None:
    """Every order through the services, one after another in an order the rules accept.

    A line runs one order at a time, so the closed orders run their whole course first; then the
    running orders start (each goes to the head of its line), then the planned ones join the queues
    in the order the planners would sequence them: priority, then due date.
    """
    by_stage: dict[OrderStatus, list[OrderPlan]] = {s: [] for s in OrderStatus}
    for o in history.orders:
        by_stage[o.status].append(o)
    for o in by_stage[OrderStatus.DONE] + by_stage[OrderStatus.CANCELLED] + by_stage[OrderStatus.IN_PROGRESS]:
        _run(plant, o)
    for o in sorted(by_stage[OrderStatus.PLANNED], key=lambda o: (o.priority, o.due_date, o.number)):
        _run(plant, o)
    for o in by_stage[OrderStatus.NEW]:
        _run(plant, o)


def _run(plant: _Plant, o: OrderPlan) -> None:
    services.create_order(
        plant.uow("planner", o.created_at),
        number=o.number,
        customer=o.customer,
        product=o.product.code,
        quantity=o.quantity,
        unit=o.unit,
        priority=o.priority,
        due_date=o.due_date,
    )
    if o.status is OrderStatus.NEW:
        return
    services.plan_order(plant.uow("planner", o.created_at + PLANNED_AFTER), number=o.number, line=o.line.code)
    if o.status is OrderStatus.CANCELLED:
        services.cancel_order(
            plant.uow("manager", o.created_at + CANCELLED_AFTER), number=o.number, reason=t.CANCEL_REASON
        )
    if o.started_at is not None:
        services.start_order(plant.uow("planner", o.started_at), number=o.number)
    if o.finished_at is not None:
        services.finish_order(plant.uow("planner", o.finished_at), number=o.number)


# ---------------------------------------------------------------- 4. stock history, in bulk


@dataclass
class _Ids:
    """Database ids of what the earlier stages created, by the codes and numbers people know."""

    warehouses: dict[str, int]
    materials: dict[str, int]
    suppliers: dict[str, int]
    orders: dict[str, int]
    users: dict[str, int]
    batches: dict[str, int] = field(default_factory=dict)
    deliveries: dict[str, int] = field(default_factory=dict)


def _ids(session: Any) -> _Ids:
    def by(column: Any, key: Any) -> dict[str, int]:
        return {row.key: row.id for row in session.execute(select(key.label("key"), column.label("id")))}

    return _Ids(
        warehouses=by(WarehouseRow.id, WarehouseRow.code),
        materials=by(Material.id, Material.code),
        suppliers=by(Supplier.id, Supplier.code),
        orders=by(ProductionOrder.id, ProductionOrder.number),
        users=by(User.id, User.username),
    )


def _stock_history(database: Database, history: History) -> int:
    """Batches, deliveries, the ledger (the database adds up the balances as each movement goes in, oldest
    first) and its journal; returns the number of movements."""
    with database.write_session_factory() as session, session.begin(), loading_history(session.connection()):
        ids = _ids(session)
        batches = [
            Batch(
                number=b.number,
                material_id=ids.materials[b.material.code],
                supplier_id=ids.suppliers[b.supplier] if b.supplier else None,
                production_order_id=ids.orders[b.order] if b.order else None,
                received_at=b.received_at,
                expiry_date=b.expiry_date,
                status=b.status,
                status_reason=b.status_reason,
            )
            for b in history.batches
        ]
        session.add_all(batches)
        session.flush()
        ids.batches = {b.number: b.id for b in batches}
        ids.deliveries = _deliveries(session, history, ids)
        moves = sorted(history.moves, key=lambda m: m.when)
        movement_ids = session.scalars(
            insert(StockMovement).returning(StockMovement.id, sort_by_parameter_order=True),
            [
                {
                    "batch_id": ids.batches[m.batch],
                    "kind": m.kind,
                    "quantity": m.quantity,
                    "from_warehouse_id": ids.warehouses[m.source] if m.source else None,
                    "to_warehouse_id": ids.warehouses[m.target] if m.target else None,
                    "production_order_id": ids.orders[m.order] if m.order else None,
                    "user_id": ids.users[m.user],
                    "created_at": m.when,
                    "note": m.note,
                }
                for m in moves
            ],
        ).all()
        lines = [
            {
                "delivery_id": ids.deliveries[m.delivery],
                "movement_id": mid,
                "batch_id": ids.batches[m.batch],
                "quantity": m.quantity,
            }
            for m, mid in zip(moves, movement_ids, strict=True)
            if m.delivery is not None
        ]
        if lines:
            session.execute(insert(DeliveryLine), lines)
        history_entries = list(_stock_journal(history, ids))
        write_journal(session.connection(), database, iter(sorted(history_entries, key=lambda e: e.when)))
    return len(moves)


def _deliveries(session: Any, history: History, ids: _Ids) -> dict[str, int]:
    """The deliveries' own rows (their lines follow with the ledger); their ids by number."""
    customers = {row.code: row.id for row in session.execute(select(Customer.code, Customer.id))}
    rows = [
        Delivery(
            number=d.number,
            customer_id=customers[d.customer],
            production_order_id=ids.orders[d.order],
            delivered_at=d.when,
            user_id=ids.users["clerk"],
        )
        for d in history.deliveries
    ]
    session.add_all(rows)
    session.flush()
    return {row.number: row.id for row in rows}


def _stock_journal(history: History, ids: _Ids) -> Iterator[JournalRow]:
    """One entry per movement and per quality decision, in the words the services use."""
    batches = {b.number: b for b in history.batches}
    suppliers = {s.code: s.name for s in t.SUPPLIERS}
    for m in history.moves:
        b = batches[m.batch]
        unit, name = b.material.unit, b.material.name
        if m.kind is MovementKind.RECEIPT:
            assert b.supplier is not None and m.target is not None
            entry = journal.received(
                b.number,
                b.material.code,
                name,
                b.supplier,
                suppliers[b.supplier],
                m.target,
                m.quantity,
                unit,
                b.expiry_date,
            )
        elif m.kind is MovementKind.TRANSFER:
            assert m.source is not None and m.target is not None
            entry = journal.transferred(b.number, m.source, m.target, m.quantity, unit)
        elif m.kind is MovementKind.ISSUE:
            assert m.source is not None
            entry = journal.issued(b.number, m.source, m.quantity, unit, m.note)
        elif m.kind is MovementKind.CONSUMPTION:
            assert m.order is not None and m.source is not None
            entry = journal.consumed(m.order, b.number, name, m.source, m.quantity, unit)
            yield JournalRow.of(m.when, ids.users[m.user], "order", ids.orders[m.order], entry)
            continue
        elif m.kind is MovementKind.DELIVERY:
            continue  # one entry per delivery, below
        else:
            assert m.kind is MovementKind.OUTPUT and m.order is not None and m.target is not None
            entry = journal.output(m.order, b.number, ids.batches[b.number], name, m.target, m.quantity, unit)
            yield JournalRow.of(m.when, ids.users[m.user], "order", ids.orders[m.order], entry)
            continue
        yield JournalRow.of(m.when, ids.users[m.user], "batch", ids.batches[b.number], entry)
    yield from _delivery_journal(history, ids)
    manager = ids.users["manager"]
    for b in history.batches:
        if b.decided_at is None:
            continue
        if b.status is BatchStatus.BLOCKED:
            assert b.status_reason is not None
            entry = journal.blocked(b.number, BatchStatus.PENDING, b.status_reason)
        else:
            entry = journal.approved(b.number, BatchStatus.PENDING)
        yield JournalRow.of(b.decided_at, manager, "batch", ids.batches[b.number], entry)


def _delivery_journal(history: History, ids: _Ids) -> Iterator[JournalRow]:
    batches = {b.number: b for b in history.batches}
    customers = {c.code: c.name for c in history.customers}
    sent: dict[str, list[journal.Sent]] = {}
    for m in history.moves:
        if m.delivery is not None:
            assert m.source is not None
            sent.setdefault(m.delivery, []).append(
                journal.Sent(m.batch, m.source, m.quantity, batches[m.batch].material.unit)
            )
    for d in history.deliveries:
        entry = journal.delivered(d.number, d.customer, customers[d.customer], d.order, sent[d.number])
        yield JournalRow.of(d.when, ids.users["clerk"], "delivery", ids.deliveries[d.number], entry)


def _new_materials(plant: _Plant, now: datetime) -> int:
    """The materials the plant keeps since lately, and their first deliveries; returns the movements."""
    added = now - timedelta(days=t.NEW_MATERIALS_ADDED_DAYS_AGO)
    for m in t.NEW_MATERIALS:
        services.create_material(
            plant.uow("admin", added), code=m.code, name=m.name, kind=m.kind, unit=m.unit, reorder_level=m.reorder_level
        )
    shelf_life = {m.code: m.shelf_life_days for m in t.NEW_MATERIALS}
    for n, (material, supplier, quantity, days_ago) in enumerate(t.FIRST_DELIVERIES, start=t.FIRST_DELIVERY_NUMBERS):
        when = now - timedelta(days=days_ago)
        number = f"R{when:%y%m}-{n:05d}"  # as the plant numbers its receipts
        services.receive_batch(
            plant.uow("clerk", when),
            number=number,
            material=material,
            supplier=supplier,
            quantity=quantity,
            warehouse=t.DEFAULT_STORE,
            expiry_date=when.date() + timedelta(days=shelf_life[material]),
        )
        services.approve_batch(plant.uow("manager", when + timedelta(hours=3)), batch=number)
    return len(t.FIRST_DELIVERIES)


# ---------------------------------------------------------------- 4b. buying


def _buying(plant: _Plant, now: datetime) -> int:
    """Suppliers' prices, and the purchase orders the buyers have open; returns the receipts' movements."""
    priced = now - timedelta(days=t.PRICES_SET_DAYS_AGO)
    for m in (*t.MATERIALS, *t.NEW_MATERIALS):
        if m.code not in t.PRICES:
            continue
        price, minimum, lead = t.PRICES[m.code]
        for n, supplier in enumerate(m.suppliers):
            asked = Decimal(price) * (100 + n * t.SECOND_SUPPLIER_MARKUP) / 100
            services.set_supplier_material(
                plant.uow("planner", priced), supplier=supplier, material=m.code,
                price_per_unit=asked.quantize(Decimal("0.0001")), minimum_order=minimum, lead_time_days=lead + 2 * n,
            )  # fmt: skip
    receipts = 0
    shelf_life = {m.code: m.shelf_life_days for m in (*t.MATERIALS, *t.NEW_MATERIALS)}
    for spec in t.OPEN_PURCHASES:
        drawn = now - timedelta(days=spec.drawn_up_days_ago)
        items = [
            services.PurchaseItem(material, quantity, _price(material, spec.supplier), now.date() + timedelta(days=due))
            for material, quantity, due in spec.lines
        ]
        number = services.create_purchase_order(plant.uow("planner", drawn), supplier=spec.supplier, lines=items)
        if not spec.sent:
            continue
        services.send_purchase_order(plant.uow("planner", drawn + SENT_AFTER), number=number)
        for line_no, ((material, _quantity, _due), came) in enumerate(
            zip(spec.lines[: len(spec.received)], spec.received, strict=True), start=1
        ):
            when = now - timedelta(days=1)
            batch = f"R{when:%y%m}-{t.PURCHASE_RECEIPT_NUMBERS + receipts:05d}"
            services.receive_purchase(
                plant.uow("clerk", when), order=number, line=line_no, number=batch, quantity=came,
                warehouse=t.DEFAULT_STORE, expiry_date=when.date() + timedelta(days=shelf_life[material]),
                received_at=when,
            )  # fmt: skip
            services.approve_batch(plant.uow("manager", when + timedelta(hours=3)), batch=batch)
            receipts += 1
    return receipts


def _price(material: str, supplier: str) -> Decimal:
    spec = next(m for m in (*t.MATERIALS, *t.NEW_MATERIALS) if m.code == material)
    n = spec.suppliers.index(supplier)
    return (Decimal(t.PRICES[material][0]) * (100 + n * t.SECOND_SUPPLIER_MARKUP) / 100).quantize(Decimal("0.0001"))


# ---------------------------------------------------------------- 5. line stops


def _line_stops(database: Database, plant: _Plant, history: History) -> int:
    """Months of stops in bulk with their journal entries; today's through the service. Returns how many."""
    now = history.now
    rng = random.Random(t.SEED + 1)  # their own draws: the rest of the demo is as it was without them
    plans = draw_stops(now, rng, worked(history))
    with database.write_session_factory() as session, session.begin(), loading_history(session.connection()):
        lines = {row.code: row.id for row in session.execute(select(ProductionLine.code, ProductionLine.id))}
        reasons = {
            row.code: (row.id, row.name)
            for row in session.execute(select(StopReason.code, StopReason.id, StopReason.name))
        }
        users = {row.username: row.id for row in session.execute(select(User.username, User.id))}
        stops = [
            LineStop(
                line_id=lines[p.line], started_at=p.start, ended_at=p.end, reason_id=reasons[p.reason][0], note=p.note
            )
            for p in plans
        ]
        session.add_all(stops)
        session.flush()
        # Each recorded once the line ran again, as the floor records the stops of a busy shift.
        entries = [
            JournalRow.of(
                p.end,
                users[p.user],
                "line_stop",
                stop.id,
                journal.stop_recorded(p.line, reasons[p.reason][1], p.start, p.end, p.note),
            )
            for p, stop in zip(plans, stops, strict=True)
        ]
        write_journal(session.connection(), database, iter(sorted(entries, key=lambda e: e.when)))
    for line, reason, minutes, note in t.OPEN_STOPS:
        since = now - timedelta(minutes=minutes)
        services.record_stop(plant.uow("clerk", since), line=line, reason=reason, started_at=since, note=note)
    for line, hours_ahead, lasting in t.PLANNED_STOPS:
        start = (now + timedelta(hours=hours_ahead)).replace(minute=0, second=0)
        services.record_stop(
            plant.uow("planner", now - timedelta(days=2)),
            line=line,
            reason="MAINTENANCE",
            started_at=start,
            ended_at=start + timedelta(hours=lasting),
            note="planned maintenance",
        )
    return len(plans) + len(t.OPEN_STOPS) + len(t.PLANNED_STOPS)


# ---------------------------------------------------------------- 6. older journal history, in bulk


def _journal(database: Database, history: History, rng: random.Random, plant: _Plant, wanted: int) -> int:
    """Fill the journal with older history (sign-ins, edits) up to `wanted` entries; returns how many it holds."""
    with database.write_session_factory() as session, session.begin(), loading_history(session.connection()):
        already = session.scalar(select(func.count()).select_from(Event)) or 0
        filler = max(0, wanted - already)
        if filler:
            start = session.scalar(select(func.min(Event.occurred_at))) or history.now
            customer_ids = {row.code: row.id for row in session.execute(select(Customer.code, Customer.id))}
            customers = [(customer_ids[c.code], f"{c.code} ({c.name})") for c in history.customers]
            rows = _older_history(filler, start, rng, plant, customers)
            write_journal(session.connection(), database, rows)
    return already + filler


def _older_history(
    count: int,
    story_start: datetime,
    rng: random.Random,
    plant: _Plant,
    customers: list[tuple[int, str]],
) -> Iterator[JournalRow]:
    """Sign-ins and edits over the three years before the plant's story, oldest first."""
    span = timedelta(days=3 * 365).total_seconds()
    people = [(p.username, p.id) for p in plant.people.values()]
    planner = plant.people["planner"].id
    fields = ["phone", "contact", "email", "address", "notes"]
    # evenly spaced, slightly jittered timestamps: sorted without sorting a million rows
    step = (span - 86400) / count
    start = story_start - timedelta(seconds=span)
    for i in range(count):
        when = start + timedelta(seconds=i * step + rng.uniform(0, step * 0.9))
        pick = rng.random()
        name, uid = people[rng.randrange(len(people))]
        if pick < 0.62:
            yield JournalRow(when, uid, "user", uid, "login", f"{name} signed in", None)
        elif pick < 0.69:
            yield JournalRow(when, uid, "user", uid, "login_failed", f"Failed sign-in for {name}", None)
        else:
            # Never an order: the plant's orders are all younger than this, and each one's story starts
            # with its creation (the Orders screen tells it).
            customer_id, customer = customers[rng.randrange(len(customers))]
            changed = rng.choice(fields)
            summary = f"Edited customer {customer}: {changed}"
            yield JournalRow(when, planner, "customer", customer_id, "edited", summary, {changed: "…"})


__all__ = ["load_demo", "Summary"]
