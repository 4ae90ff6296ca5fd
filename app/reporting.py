"""What the labels and reports print, read and checked here; `reports` only lays it out.

Viewers print the operational views they see (inventory, the production plan);
clerks print batch labels; managers print every report, including the audit
documents (traceability, the journal, customer statements).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from app import order_book, settings
from app import queries as q
from app import validation as v
from app.batch_page import BatchPage, batch_page
from app.batch_page import movements as batch_movements
from app.context import Context
from app.dashboard import Dashboard, dashboard
from app.dto import (
    BatchLabel,
    CustomerRow,
    DeliveryLineRow,
    DeliveryRow,
    EventRow,
    InventoryRow,
    LabelOrigin,
    LineQueue,
    MovementRow,
    OrderListRow,
    OrderRow,
    Recall,
    ReportHeader,
    StockLine,
    TraceNode,
)
from app.errors import NotFound, ValidationError
from app.formatting import moment
from app.permissions import require
from app.purchase_book import PurchaseOrderView, purchase_order
from app.requirements import MaterialRequirements, material_requirements
from app.rows import dto_from_row, labelled
from app.services.trace import recall, trace_batch
from data.models import (
    Batch,
    Material,
    ProductionOrder,
    StockBalance,
    Supplier,
    Warehouse,
)
from domain.vocabulary import CODE_LEN, NUMBER_LEN

MAX_LABELS = 5000
EVENT_CHUNK = 1000


def plant_name(ctx: Context) -> str:
    """The name every report prints: the plant's setting, or this workstation's MPSYSTEM_PLANT_NAME."""
    return settings.plant_settings(ctx.reader()).printed_name()


def make_header(ctx: Context, title: str, filters: list[tuple[str, str]]) -> ReportHeader:
    user = ctx.user
    return ReportHeader(
        plant=plant_name(ctx),
        title=title,
        filters=tuple(filters),
        printed_by=f"{user.display_name} ({user.username})",
        printed_at=datetime.now(UTC),
    )


# ---------------------------------------------------------------- labels


def batch_labels(ctx: Context, numbers: list[str]) -> tuple[BatchLabel, ...]:
    """Label data for the batches, in the order given; every number must exist."""
    require(ctx.user, "label.print")
    wanted = [v.code(n, "batch", NUMBER_LEN) for n in numbers if str(n).strip()]
    if not wanted:
        raise ValidationError("Select at least one batch to print labels for.", "batch")
    if len(wanted) > MAX_LABELS:
        raise ValidationError(f"At most {MAX_LABELS} labels at a time; {len(wanted)} were asked for.", "batch")
    with ctx.reader() as uow:
        quantity = (
            select(func.coalesce(func.sum(StockBalance.quantity), 0))
            .where(StockBalance.batch_id == Batch.id)
            .correlate(Batch)
            .scalar_subquery()
        )
        found: dict[str, BatchLabel] = {}
        for start in range(0, len(wanted), 500):  # keep IN lists short for every backend
            chunk = wanted[start : start + 500]
            rows = uow.session.execute(
                select(
                    *labelled(
                        BatchLabel,
                        computed=("origin_kind", "origin"),
                        extra=("supplier_name", "order_number"),
                        number=Batch.number,
                        material_code=Material.code,
                        material_name=Material.name,
                        quantity=quantity,
                        unit=Material.unit,
                        supplier_name=Supplier.name,
                        order_number=ProductionOrder.number,
                        received_at=Batch.received_at,
                        expiry_date=Batch.expiry_date,
                        status=Batch.status,
                        status_reason=Batch.status_reason,
                    )
                )
                .join(Material, Material.id == Batch.material_id)
                .outerjoin(Supplier, Supplier.id == Batch.supplier_id)
                .outerjoin(ProductionOrder, ProductionOrder.id == Batch.production_order_id)
                .where(Batch.number.in_(chunk))
            )
            for r in rows:
                found[r.number] = dto_from_row(
                    BatchLabel,
                    r,
                    extra=("supplier_name", "order_number"),
                    quantity=q.decimal_quantity(r.quantity),
                    origin_kind=LabelOrigin.SUPPLIER if r.supplier_name else LabelOrigin.ORDER,
                    origin=r.supplier_name or r.order_number or "",
                )
    missing = [n for n in wanted if n not in found]
    if missing:
        listed = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise NotFound(f"There is no batch {listed}.", "batch")
    return tuple(found[n] for n in wanted)


# ---------------------------------------------------------------- inventory


@dataclass(frozen=True)
class InventoryReport:
    header: ReportHeader
    lines: tuple[StockLine, ...]  # every batch's balance in each warehouse
    materials: tuple[InventoryRow, ...]  # every material's totals, those at zero included
    below_reorder: tuple[InventoryRow, ...]  # materials whose stock in all warehouses is below their level
    currency: str = ""  # of the stock's value at the last purchase prices


def _material_rows(ctx: Context, flt: q.InventoryFilter) -> tuple[InventoryRow, ...]:
    rows: list[InventoryRow] = []
    offset = 0
    while True:
        page = q.inventory(ctx.reader(), flt, offset=offset, limit=q.MAX_PAGE)
        rows.extend(r for r in page.rows if r.is_material)
        offset += len(page.rows)
        if not page.rows or offset >= page.total:
            return tuple(rows)


def inventory_report(ctx: Context, warehouse: str | None = None) -> InventoryReport:
    require(ctx.user, "print.view")
    filters = [("Warehouse", warehouse or "all")]
    with ctx.reader() as uow:
        if warehouse and uow.warehouses.find(warehouse) is None:
            raise NotFound(f"There is no warehouse “{warehouse}”.", "warehouse")
        stmt = (
            select(
                *labelled(
                    StockLine,
                    warehouse_code=Warehouse.code,
                    warehouse_name=Warehouse.name,
                    material_code=Material.code,
                    material_name=Material.name,
                    unit=Material.unit,
                    batch_number=Batch.number,
                    quantity=StockBalance.quantity,
                    status=Batch.status,
                    expiry_date=Batch.expiry_date,
                )
            )
            .select_from(StockBalance)
            .join(Batch, Batch.id == StockBalance.batch_id)
            .join(Material, Material.id == Batch.material_id)
            .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
            .where(StockBalance.quantity > 0)
            .order_by(Warehouse.code, Material.code, Batch.number)
        )
        if warehouse:
            stmt = stmt.where(Warehouse.code == warehouse)
        lines = tuple(dto_from_row(StockLine, r) for r in uow.session.execute(stmt))
    materials = _material_rows(ctx, q.InventoryFilter(warehouse=warehouse))
    # The reorder alert is about a material's stock in every warehouse, whichever one is printed.
    below = _material_rows(ctx, q.InventoryFilter(below_reorder_only=True))
    with ctx.reader() as uow:
        currency = settings.read(uow).currency
    return InventoryReport(make_header(ctx, "Inventory", filters), lines, materials, below, currency)


# ---------------------------------------------------------------- traceability


@dataclass(frozen=True)
class TraceReport:
    header: ReportHeader
    backward: TraceNode
    forward: TraceNode
    movements: tuple[MovementRow, ...]


def trace_report(ctx: Context, number: str) -> TraceReport:
    require(ctx.user, "report.all")
    backward, forward = trace_batch(ctx.reader(), number=number)
    with ctx.reader() as uow:
        batch = uow.batches.by_key(v.code(number, "batch", NUMBER_LEN))
        movements = batch_movements(uow, batch.id)
    return TraceReport(
        make_header(ctx, f"Traceability of batch {backward.key}", [("Batch", backward.key)]),
        backward,
        forward,
        movements,
    )


# ---------------------------------------------------------------- a batch's page


@dataclass(frozen=True)
class BatchPageReport:
    header: ReportHeader
    page: BatchPage


def batch_page_report(ctx: Context, number: str) -> BatchPageReport:
    """The batch's page on paper: anyone who may see it may print it."""
    require(ctx.user, "print.view")
    page = batch_page(ctx.reader(), number)
    title = f"Batch {page.facts.number} — {page.facts.material_name}"
    return BatchPageReport(make_header(ctx, title, [("Batch", page.facts.number)]), page)


# ---------------------------------------------------------------- production plan


@dataclass(frozen=True)
class PlanReport:
    header: ReportHeader
    queues: tuple[LineQueue, ...]


def plan_report(ctx: Context, line: str | None = None) -> PlanReport:
    require(ctx.user, "print.view")
    queues = q.line_queues(ctx.reader(), line=line)
    return PlanReport(make_header(ctx, "Production plan", [("Line", line or "all lines")]), queues)


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class EventsReport:
    header: ReportHeader
    total: int
    rows: Callable[[], Iterator[EventRow]]  # read page by page, so 100,000 rows never sit in memory


def events_report(ctx: Context, flt: q.EventFilter) -> EventsReport:
    require(ctx.user, "report.all")
    total = q.events(ctx.reader(), flt, limit=1).total
    filters = [
        ("From", flt.date_from.isoformat() if flt.date_from else "the beginning"),
        ("To", flt.date_to.isoformat() if flt.date_to else "today"),
    ]
    for label, value in (
        ("User", flt.username),
        ("About", flt.entity_type),
        ("Action", flt.action),
        ("Text", flt.text),
    ):
        if value:
            filters.append((label, str(value)))

    def rows() -> Iterator[EventRow]:
        offset = 0
        while offset < total:
            page = q.events(ctx.reader(), flt, offset=offset, limit=EVENT_CHUNK)
            if not page.rows:
                return
            yield from page.rows
            offset += len(page.rows)

    return EventsReport(make_header(ctx, "Event journal", filters), total, rows)


# ---------------------------------------------------------------- customer


@dataclass(frozen=True)
class CustomerReport:
    header: ReportHeader
    customer: CustomerRow
    orders: tuple[OrderRow, ...]
    deliveries: tuple[DeliveryRow, ...]


def _customer(ctx: Context, code: str) -> CustomerRow:
    code = v.code(code, "customer", CODE_LEN)
    page = q.customers(ctx.reader(), q.CustomerFilter(text=code, archived=None), limit=1000)
    customer = next((c for c in page.rows if c.code.lower() == code.lower()), None)
    if customer is None:
        raise NotFound(f"There is no customer “{code}”.", "customer")
    return customer


def customer_report(ctx: Context, code: str) -> CustomerReport:
    require(ctx.user, "report.all")
    customer = _customer(ctx, code)
    orders = q.orders(ctx.reader(), q.OrderFilter(customer=customer.code), sort="due_date", limit=1000).rows
    deliveries = order_book.deliveries(
        ctx.reader(),
        order_book.DeliveryFilter(customer=customer.code),
        sort="delivered_at",
        descending=False,
        limit=1000,
    ).rows
    return CustomerReport(
        make_header(ctx, f"Customer report — {customer.name}", [("Customer", customer.code)]),
        customer,
        orders,
        deliveries,
    )


# ---------------------------------------------------------------- dashboard


@dataclass(frozen=True)
class DashboardReport:
    header: ReportHeader
    dashboard: Dashboard


def dashboard_report(ctx: Context, now: datetime | None = None) -> DashboardReport:
    """The dashboard's figures, as the screen shows them, for one or two A4 pages."""
    require(ctx.user, "report.all")
    board = dashboard(ctx, now)
    return DashboardReport(make_header(ctx, "Dashboard", [("As of", moment(board.at))]), board)


# ---------------------------------------------------------------- delivery note


@dataclass(frozen=True)
class DeliveryNote:
    header: ReportHeader
    delivery: DeliveryRow
    customer: CustomerRow
    order: OrderListRow
    lines: tuple[DeliveryLineRow, ...]
    delivered_by: str


def delivery_note(ctx: Context, number: str) -> DeliveryNote:
    """What the delivery note prints: the customer, the order, and every batch on the delivery."""
    require(ctx.user, "stock.deliver")
    number = v.code(number, "delivery", NUMBER_LEN)
    delivery, lines = order_book.delivery_lines(ctx.reader(), number)
    customer = _customer(ctx, delivery.customer_code)
    order = order_book.order_row(ctx.reader(), delivery.order_number)
    with ctx.reader() as uow:
        who = uow.users.find(delivery.username)
        by = f"{who.full_name} ({who.username})" if who is not None and who.full_name else delivery.username
    header = make_header(ctx, f"Delivery note {delivery.number}", [("Delivery", delivery.number)])
    return DeliveryNote(header, delivery, customer, order, lines, by)


# ---------------------------------------------------------------- recall


@dataclass(frozen=True)
class RecallReport:
    header: ReportHeader
    recall: Recall


def recall_report(ctx: Context, number: str) -> RecallReport:
    """Who received anything made from a batch: the customers, every delivery, and what is still in the plant."""
    require(ctx.user, "report.all")
    found = recall(ctx.reader(), number=number)
    header = make_header(
        ctx, f"Recall — who got anything made from batch {found.batch_number}", [("Batch", found.batch_number)]
    )
    return RecallReport(header, found)


# ---------------------------------------------------------------- buying


@dataclass(frozen=True)
class RequirementsReport:
    header: ReportHeader
    requirements: MaterialRequirements


def requirements_report(ctx: Context) -> RequirementsReport:
    """What the open orders need of each material and when, the shortages first, with the proposed purchases."""
    require(ctx.user, "print.view")
    found = material_requirements(ctx.reader())
    header = make_header(
        ctx,
        "Material requirements",
        [("Open orders", str(found.open_orders)), ("Short", f"{len(found.shortages)} materials")],
    )
    return RequirementsReport(header, found)


@dataclass(frozen=True)
class PurchaseOrderDocument:
    header: ReportHeader
    order: PurchaseOrderView


def purchase_order_document(ctx: Context, number: str) -> PurchaseOrderDocument:
    """What the printed purchase order shows: the supplier, the plant as buyer, every line with its price."""
    require(ctx.user, "print.view")
    number = v.code(number, "purchase_order", NUMBER_LEN)
    order = purchase_order(ctx.reader(), number)
    header = make_header(ctx, f"Purchase order {order.number}", [("Purchase order", order.number)])
    return PurchaseOrderDocument(header, order)
