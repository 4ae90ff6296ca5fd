"""Material requirements read from the plant: what the open orders need, against stock and purchase orders.

`gather` reads what domain.mrp nets — the open orders (new, planned, running) with the day their
materials must be there, their products' current recipes, usable stock and stock waiting for release,
what is still open on sent purchase orders, and how each material is bought — and
`material_requirements` nets it and names every material, supplier and order for the buyer's screen
and the printed report.

The day an order's materials must be there: a queued order's estimated start (the production queue's
own estimate, so moving an order on the board moves its needs), today for a running order, and the
due date for an order still in the backlog. A material is bought from the supplier that sells it
cheapest (the earliest added on a tie); its minimum order and lead time are that supplier's. A
material some product makes (a product's output) and no supplier sells is made, never proposed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import queries
from app.permissions import require
from data.models import (
    Batch,
    Material,
    Product,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    RecipeLine,
    StockBalance,
    StockMovement,
    Supplier,
    SupplierMaterial,
)
from data.uow import UnitOfWork
from domain import mrp
from domain.vocabulary import (
    OPEN_ORDER_STATUSES,
    BatchStatus,
    MovementKind,
    OrderStatus,
    PurchaseOrderStatus,
    Supply,
    Unit,
)

ZERO = Decimal("0.000")
OPEN_PURCHASES = (PurchaseOrderStatus.SENT.value, PurchaseOrderStatus.PARTLY_RECEIVED.value)
BACKLOG_POSITION = 1 << 40  # a backlog order's needs come after every queued one's due the same day


@dataclass(frozen=True)
class Inputs:
    """What the netting is given, as read from the database."""

    today: date
    demands: tuple[mrp.Demand, ...]
    recipes: dict[int, tuple[mrp.Step, ...]]
    lots: tuple[mrp.Lot, ...]
    buying: dict[int, mrp.Buying]
    suppliers: dict[int, tuple[int, Decimal, int]]  # material: (supplier id, price, lead time in days)


@dataclass(frozen=True)
class Requirement:
    """A material's line on the buyer's screen."""

    material_code: str
    material_name: str
    unit: str
    cover: str
    needed: Decimal
    stock: Decimal
    pending: Decimal
    ordered: Decimal
    made: Decimal
    short: Decimal
    left: Decimal
    bites_on: date | None
    delays: tuple[str, ...]
    proposed: Decimal
    supplier_code: str | None  # who a proposal would be bought from
    supplier_name: str | None
    price: Decimal | None
    lead_time_days: int | None
    reorder_level: Decimal
    needs: tuple[mrp.Need, ...]
    plan: mrp.MaterialPlan
    today: date

    @property
    def phases(self) -> tuple[mrp.Phase, ...]:
        """What arrives and what is needed, day by day (worked out when asked: only a chosen material shows it)."""
        return mrp.timeline(self.plan, self.today)

    @property
    def order_by(self) -> date | None:
        """The day a purchase must be sent to arrive when the shortage bites (None: not short)."""
        if self.bites_on is None or self.lead_time_days is None:
            return None
        return self.bites_on - timedelta(days=self.lead_time_days)


@dataclass(frozen=True)
class MaterialRequirements:
    today: date
    materials: tuple[Requirement, ...]  # shortages first, by the day they bite
    without_recipe: tuple[str, ...]  # open orders whose product has no recipe
    open_orders: int

    @property
    def shortages(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.materials if r.short > 0)


def material_requirements(uow: UnitOfWork) -> MaterialRequirements:
    """Net the open orders' needs against what there is and what is coming (any signed-in role reads it)."""
    inputs = gather(uow)
    result = mrp.requirements(inputs.demands, inputs.recipes, inputs.lots, inputs.buying, inputs.today)
    with uow:
        s = uow.session
        ids = {plan.material for plan in result.materials}
        materials = {
            r.id: r
            for r in s.execute(
                select(Material.id, Material.code, Material.name, Material.unit, Material.reorder_level).where(
                    Material.id.in_(ids)
                )
            )
        }
        sellers = {sup for sup, _, _ in inputs.suppliers.values()}
        suppliers = {
            r.id: r
            for r in s.execute(select(Supplier.id, Supplier.code, Supplier.name).where(Supplier.id.in_(sellers)))
        }
    rows = []
    for plan in result.materials:
        m = materials[plan.material]
        bought = inputs.suppliers.get(plan.material)
        sup = suppliers[bought[0]] if bought else None
        rows.append(
            Requirement(
                material_code=m.code,
                material_name=m.name,
                unit=m.unit,
                cover=plan.cover.value,
                needed=plan.needed,
                stock=plan.stock,
                pending=plan.pending,
                ordered=plan.ordered,
                made=plan.made,
                short=plan.short,
                left=plan.left,
                bites_on=plan.bites_on,
                delays=plan.delays,
                proposed=plan.proposed if sup is not None else ZERO,
                supplier_code=sup.code if sup else None,
                supplier_name=sup.name if sup else None,
                price=bought[1] if bought else None,
                lead_time_days=bought[2] if bought else None,
                reorder_level=m.reorder_level,
                needs=plan.needs,
                plan=plan,
                today=inputs.today,
            )
        )
    return MaterialRequirements(inputs.today, tuple(rows), result.without_recipe, len(inputs.demands))


def gather(uow: UnitOfWork) -> Inputs:
    require(uow.actor, "read")
    queues = queries.line_queues(uow)
    starts: dict[str, tuple[date, int]] = {}
    position = 0
    for line in queues:
        for scheduled in line.orders:
            position += 1
            starts[scheduled.order.number] = (scheduled.estimated_start.astimezone().date(), position)
    with uow:
        today = uow.today()
        s = uow.session
        demands = _demands(s, starts, today)
        recipes = _recipes(s)
        lots = _stock(s, today) + _on_order(s)
        suppliers = _suppliers(s)
        buying = _buying(s, suppliers)
    return Inputs(today, demands, recipes, lots, buying, suppliers)


def _demands(s: Session, starts: dict[str, tuple[date, int]], today: date) -> tuple[mrp.Demand, ...]:
    open_statuses = tuple(status.value for status in OPEN_ORDER_STATUSES)
    rows = s.execute(
        select(
            ProductionOrder.id,
            ProductionOrder.number,
            ProductionOrder.product_id,
            ProductionOrder.quantity,
            ProductionOrder.due_date,
            ProductionOrder.status,
        ).where(ProductionOrder.status.in_(open_statuses))
    ).all()
    running = [r.id for r in rows if r.status == OrderStatus.IN_PROGRESS.value]
    taken: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    if running:
        for order_id, material_id, quantity in s.execute(
            select(StockMovement.production_order_id, Batch.material_id, func.sum(StockMovement.quantity))
            .join(Batch, Batch.id == StockMovement.batch_id)
            .where(StockMovement.kind == MovementKind.CONSUMPTION.value, StockMovement.production_order_id.in_(running))
            .group_by(StockMovement.production_order_id, Batch.material_id)
        ):
            if order_id is not None:
                taken[order_id].append((material_id, Decimal(quantity)))
    demands = []
    for r in rows:
        if r.status == OrderStatus.IN_PROGRESS.value:
            when, position = today, starts.get(r.number, (today, 0))[1]
        elif r.number in starts:
            when, position = starts[r.number]
        else:
            when, position = r.due_date, BACKLOG_POSITION
        demands.append(
            mrp.Demand(r.number, r.product_id, r.quantity, when, position, tuple(sorted(taken.get(r.id, ()))))
        )
    return tuple(demands)


def _recipes(s: Session) -> dict[int, tuple[mrp.Step, ...]]:
    made_at: dict[int, set[str]] = defaultdict(set)
    for material_id, stage in s.execute(
        select(Product.output_material_id, Product.stage).where(Product.output_material_id.is_not(None))
    ):
        if material_id is not None:
            made_at[material_id].add(stage)
    lines = s.execute(
        select(RecipeLine.product_id, RecipeLine.step, RecipeLine.stage, RecipeLine.material_id)
        .add_columns(RecipeLine.quantity, RecipeLine.scrap_percent)
        .join(Product, (Product.id == RecipeLine.product_id) & (Product.recipe_revision == RecipeLine.revision))
        .order_by(RecipeLine.product_id, RecipeLine.step, RecipeLine.id)
    ).all()
    steps: dict[int, dict[int, tuple[str, list[mrp.Use]]]] = defaultdict(dict)
    for product_id, number, stage, material_id, per_unit, scrap in lines:
        steps[product_id].setdefault(number, (stage, []))[1].append(mrp.Use(material_id, per_unit, scrap))
    return {
        product: mrp.link_steps(
            [mrp.Step(n, stage, tuple(uses)) for n, (stage, uses) in sorted(numbered.items())], made_at
        )
        for product, numbered in steps.items()
    }


def _stock(s: Session, today: date) -> tuple[mrp.Lot, ...]:
    """Usable stock (approved, unexpired) and stock waiting for release, one lot per batch."""
    on_hand = func.sum(StockBalance.quantity)
    rows = s.execute(
        select(
            Batch.material_id.label("material"),
            Batch.number.label("number"),
            Batch.status.label("status"),
            Batch.expiry_date.label("expiry"),
            on_hand.label("on_hand"),
        )
        .join(StockBalance, StockBalance.batch_id == Batch.id)
        .where(
            Batch.status.in_((BatchStatus.APPROVED.value, BatchStatus.PENDING.value)),
            (Batch.expiry_date.is_(None)) | (Batch.expiry_date >= today),
        )
        .group_by(Batch.id, Batch.material_id, Batch.number, Batch.status, Batch.expiry_date)
        .having(on_hand > 0)
    ).all()
    supply = {BatchStatus.APPROVED.value: Supply.STOCK, BatchStatus.PENDING.value: Supply.PENDING}
    return tuple(
        mrp.Lot(r.material, Decimal(r.on_hand), supply[r.status], today, expires_on=r.expiry, reference=r.number)
        for r in rows
    )


def _on_order(s: Session) -> tuple[mrp.Lot, ...]:
    """What is still to come on sent purchase orders, on each line's due day."""
    rows = s.execute(
        select(PurchaseOrderLine.material_id, PurchaseOrder.number, PurchaseOrderLine.due_date)
        .add_columns(PurchaseOrderLine.quantity - PurchaseOrderLine.received)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseOrder.status.in_(OPEN_PURCHASES), PurchaseOrderLine.received < PurchaseOrderLine.quantity)
    ).all()
    return tuple(mrp.Lot(m, Decimal(q), Supply.ORDERED, due, None, number) for m, number, due, q in rows)


def _suppliers(s: Session) -> dict[int, tuple[int, Decimal, int]]:
    """Each bought material's cheapest supplier (the earliest added on a tie), its price and lead time."""
    chosen: dict[int, tuple[int, Decimal, int]] = {}
    for material_id, supplier_id, price, lead in s.execute(
        select(
            SupplierMaterial.material_id,
            SupplierMaterial.supplier_id,
            SupplierMaterial.price,
            SupplierMaterial.lead_time_days,
        )
        .join(Supplier, Supplier.id == SupplierMaterial.supplier_id)
        .where(Supplier.archived.is_(False))
        .order_by(SupplierMaterial.material_id, SupplierMaterial.price, SupplierMaterial.id)
    ):
        chosen.setdefault(material_id, (supplier_id, price, lead))
    return chosen


def _buying(s: Session, suppliers: dict[int, tuple[int, Decimal, int]]) -> dict[int, mrp.Buying]:
    minimum = {
        (m, sup): least
        for m, sup, least in s.execute(
            select(SupplierMaterial.material_id, SupplierMaterial.supplier_id, SupplierMaterial.minimum_order)
        )
    }
    drafted = dict(
        s.execute(
            select(PurchaseOrderLine.material_id, func.sum(PurchaseOrderLine.quantity))
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            .where(PurchaseOrder.status == PurchaseOrderStatus.DRAFT.value)
            .group_by(PurchaseOrderLine.material_id)
        ).all()
    )
    made = set(s.scalars(select(Product.output_material_id).where(Product.output_material_id.is_not(None))))
    buying = {}
    for material_id, unit, reorder_level in s.execute(select(Material.id, Material.unit, Material.reorder_level)):
        bought = suppliers.get(material_id)
        buying[material_id] = mrp.Buying(
            reorder_level=reorder_level,
            minimum_order=minimum.get((material_id, bought[0]), ZERO) if bought else ZERO,
            decimals=Unit(unit).decimals,
            drafted=Decimal(drafted.get(material_id, ZERO)),
            bought=bought is not None or material_id not in made,
        )
    return buying


def proposed_purchases(found: MaterialRequirements) -> list[tuple[str, str, Decimal, date]]:
    """(supplier, material, quantity, due day) for every material with a proposal and a supplier to buy from.

    Due the day the shortage bites, but never sooner than the supplier's lead time allows (a need before then
    stays short: it is covered late); a top-up to the reorder level is due after the lead time.
    """
    lines = []
    for r in found.materials:
        if r.proposed > 0 and r.supplier_code is not None:
            soonest = found.today + timedelta(days=r.lead_time_days or 0)
            due = max(r.bites_on, soonest) if r.bites_on is not None else soonest
            lines.append((r.supplier_code, r.material_code, r.proposed, due))
    return lines
