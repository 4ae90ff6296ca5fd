"""Purchase orders read for the buyer's screen, the printed purchase order and the clerk's receipt form;
a supplier's record: what the plant buys from it, what is open, and how it has delivered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Row, func, select, type_coerce

from app import settings as plant
from app.errors import NotFound
from app.permissions import require
from app.rows import dto_from_row, labelled
from app.services.purchasing import receivable
from data.models import Batch, Material, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierMaterial, User
from data.types import UTCDateTime
from data.uow import UnitOfWork
from domain.vocabulary import BatchStatus, PurchaseOrderStatus

RECEIVING = (PurchaseOrderStatus.SENT.value, PurchaseOrderStatus.PARTLY_RECEIVED.value)
OPEN = (PurchaseOrderStatus.DRAFT.value, *RECEIVING)


@dataclass(frozen=True)
class PurchaseOrderRow:
    number: str
    supplier_code: str
    supplier_name: str
    status: str
    currency: str
    created_at: datetime
    sent_at: datetime | None
    lines: int
    total: Decimal
    first_due: date | None
    version: int


@dataclass(frozen=True)
class PurchaseLine:
    line_no: int
    material_code: str
    material_name: str
    unit: str
    quantity: Decimal
    price: Decimal
    due_date: date
    received: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.price).quantize(Decimal("0.01"))

    @property
    def outstanding(self) -> Decimal:
        return max(self.quantity - self.received, Decimal(0))


@dataclass(frozen=True)
class PurchaseOrderView:
    """One purchase order as printed and edited: its supplier's details and its lines."""

    number: str
    status: str
    status_reason: str | None
    currency: str
    note: str | None
    created_at: datetime
    sent_at: datetime | None
    drawn_up_by: str | None
    supplier_code: str
    supplier_name: str
    supplier_address: str | None
    supplier_contact: str | None
    supplier_email: str | None
    supplier_phone: str | None
    supplier_tax_id: str | None
    version: int
    lines: tuple[PurchaseLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True)
class OpenLine:
    """A line goods may be received against now, and how much more it takes within the plant's tolerance."""

    order: str
    line_no: int
    supplier_code: str
    material_code: str
    material_name: str
    unit: str
    quantity: Decimal
    received: Decimal
    receivable: Decimal
    due_date: date

    @property
    def label(self) -> str:
        return f"{self.order} / {self.line_no}"


def purchase_orders(
    uow: UnitOfWork, *, open_only: bool = False, supplier: str | None = None
) -> tuple[PurchaseOrderRow, ...]:
    """The purchase orders, the newest first (open only: drafts and those still to come in full)."""
    require(uow.actor, "read")
    totals = (
        select(
            PurchaseOrderLine.purchase_order_id.label("po"),
            func.count().label("lines"),
            func.min(PurchaseOrderLine.due_date).label("first_due"),
        )
        .group_by(PurchaseOrderLine.purchase_order_id)
        .subquery()
    )
    stmt = (
        select(
            *labelled(
                PurchaseOrderRow,
                computed=("lines", "total"),
                number=PurchaseOrder.number,
                supplier_code=Supplier.code,
                supplier_name=Supplier.name,
                status=PurchaseOrder.status,
                currency=PurchaseOrder.currency,
                created_at=PurchaseOrder.created_at,
                sent_at=PurchaseOrder.sent_at,
                first_due=totals.c.first_due,
                version=PurchaseOrder.version,
            ),
            totals.c.lines.label("line_count"),
            PurchaseOrder.id.label("po_id"),
        )
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .outerjoin(totals, totals.c.po == PurchaseOrder.id)
        .order_by(PurchaseOrder.id.desc())
    )
    if open_only:
        stmt = stmt.where(PurchaseOrder.status.in_(OPEN))
    if supplier:
        stmt = stmt.where(Supplier.code == supplier)
    with uow:
        rows = cast("list[Row[Any]]", uow.session.execute(stmt).all())
        # Summed here: SQLite keeps quantities and prices as scaled integers, whose product SQL cannot rescale.
        totals_of: dict[int, Decimal] = {}
        for po_id, amount, price in uow.session.execute(
            select(PurchaseOrderLine.purchase_order_id, PurchaseOrderLine.quantity, PurchaseOrderLine.price).where(
                PurchaseOrderLine.purchase_order_id.in_([r.po_id for r in rows])
            )
        ):
            totals_of[po_id] = totals_of.get(po_id, Decimal(0)) + amount * price
        return tuple(
            dto_from_row(
                PurchaseOrderRow,
                r,
                extra=("line_count", "po_id"),
                lines=int(r.line_count or 0),
                total=totals_of.get(r.po_id, Decimal(0)).quantize(Decimal("0.01")),
            )
            for r in rows
        )


def purchase_order(uow: UnitOfWork, number: str) -> PurchaseOrderView:
    require(uow.actor, "read")
    with uow:
        po = uow.session.scalar(select(PurchaseOrder).where(PurchaseOrder.number == number.strip()))
        if po is None:
            raise NotFound(f"There is no purchase order “{number}”.", "purchase_order")
        sup = uow.suppliers.get(po.supplier_id)
        who = uow.session.get(User, po.user_id) if po.user_id is not None else None
        lines = tuple(
            PurchaseLine(r.line_no, r.code, r.name, r.unit, r.quantity, r.price, r.due_date, r.received)
            for r in uow.session.execute(
                select(
                    PurchaseOrderLine.line_no,
                    Material.code,
                    Material.name,
                    Material.unit,
                    PurchaseOrderLine.quantity,
                    PurchaseOrderLine.price,
                    PurchaseOrderLine.due_date,
                    PurchaseOrderLine.received,
                )
                .join(Material, Material.id == PurchaseOrderLine.material_id)
                .where(PurchaseOrderLine.purchase_order_id == po.id)
                .order_by(PurchaseOrderLine.line_no)
            )
        )
        return PurchaseOrderView(
            number=po.number,
            status=po.status,
            status_reason=po.status_reason,
            currency=po.currency,
            note=po.note,
            created_at=po.created_at,
            sent_at=po.sent_at,
            drawn_up_by=(who.full_name or who.username) if who is not None else None,
            supplier_code=sup.code,
            supplier_name=sup.name,
            supplier_address=sup.address,
            supplier_contact=sup.contact,
            supplier_email=sup.email,
            supplier_phone=sup.phone,
            supplier_tax_id=sup.tax_id,
            version=po.version,
            lines=lines,
        )


def open_lines(uow: UnitOfWork, *, material: str | None = None) -> tuple[OpenLine, ...]:
    """The lines of sent purchase orders that still take goods, the first due first (the clerk's receipt form)."""
    require(uow.actor, "read")
    with uow:
        tolerance = plant.read(uow).receipt_tolerance_percent
        stmt = (
            select(PurchaseOrderLine, PurchaseOrder.number, Supplier.code, Material.code, Material.name, Material.unit)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
            .join(Material, Material.id == PurchaseOrderLine.material_id)
            .where(PurchaseOrder.status.in_(RECEIVING))
            .order_by(PurchaseOrderLine.due_date, PurchaseOrder.number, PurchaseOrderLine.line_no)
        )
        if material:
            stmt = stmt.where(Material.code == material)
        found = []
        for line, number, supplier, code, name, unit in uow.session.execute(stmt):
            room = receivable(line, tolerance)
            if room > 0:
                found.append(
                    OpenLine(
                        number,
                        line.line_no,
                        supplier,
                        code,
                        name,
                        unit,
                        line.quantity,
                        line.received,
                        room,
                        line.due_date,
                    )
                )
        return tuple(found)


@dataclass(frozen=True)
class SupplierPrice:
    material_code: str
    material_name: str
    unit: str
    price: Decimal
    minimum_order: Decimal
    lead_time_days: int
    last_paid: Decimal | None  # on the latest sent purchase order line of it from this supplier


@dataclass(frozen=True)
class SupplierRecord:
    """What the plant buys from a supplier and how the supplier has done.

    A line is late when goods came against it after its due day, or its due day has passed with less
    than its quantity in (a cancelled order's lines count for nothing).
    """

    code: str
    name: str
    currency: str
    prices: tuple[SupplierPrice, ...]
    open_orders: tuple[PurchaseOrderRow, ...]
    batches: int
    blocked: int
    lines_due: int  # lines of sent orders due by today, or received against
    lines_late: int

    @property
    def blocked_share(self) -> Decimal:
        return (Decimal(100) * self.blocked / self.batches).quantize(Decimal("0.1")) if self.batches else Decimal(0)


def supplier_record(uow: UnitOfWork, supplier: str) -> SupplierRecord:
    require(uow.actor, "read")
    open_orders = purchase_orders(uow, open_only=True, supplier=supplier.strip())
    with uow:
        sup = uow.suppliers.by_key(supplier.strip())
        currency = plant.read(uow).currency
        paid: dict[int, Decimal] = {}
        for material_id, price in uow.session.execute(
            select(PurchaseOrderLine.material_id, PurchaseOrderLine.price)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            .where(PurchaseOrder.supplier_id == sup.id, PurchaseOrder.sent_at.is_not(None))
            .order_by(PurchaseOrder.sent_at, PurchaseOrderLine.id)
        ):
            paid[material_id] = price  # the latest wins
        prices = tuple(
            SupplierPrice(code, name, unit, price, minimum, lead, paid.get(material_id))
            for material_id, code, name, unit, price, minimum, lead in uow.session.execute(
                select(
                    Material.id,
                    Material.code,
                    Material.name,
                    Material.unit,
                    SupplierMaterial.price,
                    SupplierMaterial.minimum_order,
                    SupplierMaterial.lead_time_days,
                )
                .join(Material, Material.id == SupplierMaterial.material_id)
                .where(SupplierMaterial.supplier_id == sup.id)
                .order_by(Material.code)
            )
        )
        statuses = dict(
            uow.session.execute(
                select(Batch.status, func.count()).where(Batch.supplier_id == sup.id).group_by(Batch.status)
            ).all()
        )
        today = uow.today()
        last_came = type_coerce(
            select(func.max(Batch.received_at))
            .where(Batch.purchase_order_line_id == PurchaseOrderLine.id)
            .correlate(PurchaseOrderLine)
            .scalar_subquery(),
            UTCDateTime,
        )
        due = late = 0
        for quantity, received, due_date, came in uow.session.execute(
            select(PurchaseOrderLine.quantity, PurchaseOrderLine.received, PurchaseOrderLine.due_date, last_came)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            .where(
                PurchaseOrder.supplier_id == sup.id,
                PurchaseOrder.status.in_((*RECEIVING, PurchaseOrderStatus.RECEIVED.value)),
            )
        ):
            arrived = came.astimezone().date() if came is not None else None
            if received <= 0 and due_date >= today:
                continue  # not due yet, nothing came: nothing to judge
            due += 1
            if (arrived is not None and arrived > due_date) or (received < quantity and due_date < today):
                late += 1
        return SupplierRecord(
            code=sup.code,
            name=sup.name,
            currency=currency,
            prices=prices,
            open_orders=open_orders,
            batches=sum(statuses.values()),
            blocked=statuses.get(BatchStatus.BLOCKED.value, 0),
            lines_due=due,
            lines_late=late,
        )
