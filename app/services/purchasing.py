"""Buying: what suppliers sell at what price, purchase orders from draft to received, receipts against them.

Planners are the plant's buyers: they keep suppliers' prices and draw up, send, cancel and close purchase
orders. Clerks receive against a sent order's line: the receipt creates the batch as any receipt does,
and the database adds it to the line and advances the order (migration 0008), refusing, as the
service does first in plain words, more than the line's quantity and the plant's tolerance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from app import journal
from app import settings as plant
from app import validation as v
from app.errors import ConflictError, NotFound, ValidationError
from app.formatting import quantity as fmt
from app.permissions import require
from app.services._common import ensure_active
from app.services.stock import book_receipt, checked_receipt_time
from data.models import Material, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierMaterial
from data.uow import UnitOfWork
from domain.vocabulary import (
    CODE_LEN,
    MAX_LEAD_TIME_DAYS,
    NOTE_LEN,
    NUMBER_LEN,
    PRICE_SCALE,
    PURCHASE_LINES,
    REASON_LEN,
    PurchaseOrderStatus,
)

MAX_PRICE = Decimal("1000000000")
NUMBER_PREFIX = "PUR"  # production orders are PO-…; a purchase is PUR-<year>-<n>


@dataclass(frozen=True)
class PurchaseItem:
    """A line of a purchase order as a buyer types it: the material, how much, the price per unit, when."""

    material: Any
    quantity: Any
    price: Any
    due_date: Any


@dataclass(frozen=True)
class ProposedPurchase:
    """A line to buy from a supplier, as the material requirements propose it (price None: the supplier's own)."""

    supplier: Any
    material: Any
    quantity: Any
    due_date: Any
    price: Any = None


def price(value: Any, field: str = "price") -> Decimal:
    """A price per unit: not negative, to the ten-thousandth."""
    label = field.replace("_", " ")
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        raise ValidationError(f"Enter a {label}.", field)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"The {label} “{value}” is not a number.", field) from None
    if not number.is_finite() or number.is_signed() and not number.is_zero():
        raise ValidationError(f"The {label} must be zero or more.", field)
    if number >= MAX_PRICE:
        raise ValidationError(f"The {label} {value} is too large.", field)
    exponent = number.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > PRICE_SCALE:
        raise ValidationError(f"The {label} takes at most {PRICE_SCALE} decimal places; “{value}” has more.", field)
    return number.quantize(Decimal(1).scaleb(-PRICE_SCALE))


def _minimum(value: Any, unit: str) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0.000")
    try:
        if Decimal(str(value).strip().replace(",", ".")) == 0:
            return Decimal("0.000")
    except (InvalidOperation, ValueError):
        pass
    return v.quantity(value, unit, "minimum_order")


# ---------------------------------------------------------------- suppliers' prices


def set_supplier_material(
    uow: UnitOfWork,
    *,
    supplier: str,
    material: str,
    price_per_unit: Any,
    minimum_order: Any = 0,
    lead_time_days: Any = 7,
    expected_version: int | None = None,
) -> None:
    """What a supplier sells a material at: its price per unit, the least it takes an order for, how soon."""
    require(uow.actor, "purchase.edit")
    supplier_code = v.code(supplier, "supplier", CODE_LEN)
    material_code = v.code(material, "material", CODE_LEN)
    amount = price(price_per_unit, "price")
    days = v.integer(lead_time_days, "lead_time_days", 0, MAX_LEAD_TIME_DAYS)
    with uow:
        sup = uow.suppliers.by_key(supplier_code)
        ensure_active(sup, "supplier", "supplier")
        mat = uow.materials.by_key(material_code)
        ensure_active(mat, "material", "material")
        least = _minimum(minimum_order, mat.unit)
        row = uow.session.scalar(
            select(SupplierMaterial)
            .where(SupplierMaterial.supplier_id == sup.id, SupplierMaterial.material_id == mat.id)
            .with_for_update()
        )
        if row is None:
            uow.session.add(
                SupplierMaterial(
                    supplier_id=sup.id, material_id=mat.id, price=amount, minimum_order=least, lead_time_days=days
                )
            )
        else:
            if expected_version is not None and row.version != expected_version:
                raise ConflictError(
                    f"{sup.code}'s price of {mat.code} was changed by someone else meanwhile. "
                    "The screen will reload; nothing was overwritten."
                )
            if (row.price, row.minimum_order, row.lead_time_days) == (amount, least, days):
                raise ValidationError(f"Nothing to save: {sup.code}'s terms for {mat.code} are unchanged.", "price")
            row.price, row.minimum_order, row.lead_time_days = amount, least, days
        currency = plant.read(uow).currency
        entry = journal.priced(sup.code, mat.code, mat.name, amount, currency, mat.unit, least, days)
        uow.record_event(journal.SUPPLIER, sup.id, entry.action, entry.summary, entry.details)
        uow.commit()


# ---------------------------------------------------------------- purchase orders


def _next_number(uow: UnitOfWork) -> str:
    """PUR-<year>-<five digits>, one more than the year's last."""
    prefix = f"{NUMBER_PREFIX}-{uow.today():%Y}-"
    last = uow.session.scalar(select(func.max(PurchaseOrder.number)).where(PurchaseOrder.number.like(f"{prefix}%")))
    count = int(last[len(prefix) :]) if last and last[len(prefix) :].isdigit() else 0
    return f"{prefix}{count + 1:05d}"


def _items(uow: UnitOfWork, items: Sequence[PurchaseItem]) -> list[tuple[Material, Decimal, Decimal, date]]:
    """Each line checked: a material in use, a quantity in its unit, a price, a due day not in the past."""
    if not items:
        raise ValidationError("A purchase order needs at least one line.", "lines")
    if len(items) > PURCHASE_LINES.stop - 1:
        raise ValidationError(f"A purchase order holds at most {PURCHASE_LINES.stop - 1} lines.", "lines")
    checked = []
    for n, item in enumerate(items, start=1):
        try:
            mat = uow.materials.by_key(v.code(item.material, "material", CODE_LEN))
            ensure_active(mat, "material", "material")
            qty = v.quantity(item.quantity, mat.unit)
            amount = price(item.price)
            due = v.a_date(item.due_date, "due_date")
            assert due is not None
            if due < uow.today():
                raise ValidationError(f"The due day {due:%Y-%m-%d} has passed.", "due_date")
        except (ValidationError, NotFound) as exc:
            raise type(exc)(f"Line {n}: {exc}", getattr(exc, "field", None)) from None
        checked.append((mat, qty, amount, due))
    return checked


def _total(lines: Sequence[tuple[Material, Decimal, Decimal, date]]) -> Decimal:
    return sum((qty * amount for _mat, qty, amount, _due in lines), Decimal(0))


def create_purchase_order(
    uow: UnitOfWork, *, supplier: str, lines: Sequence[PurchaseItem], note: str | None = None
) -> str:
    """A draft purchase order to one supplier; returns its number."""
    require(uow.actor, "purchase.edit")
    supplier_code = v.code(supplier, "supplier", CODE_LEN)
    text = v.text(note, "note", NOTE_LEN, required=False)
    with uow:
        number = _draw_up(uow, supplier_code, _items_after_supplier(uow, supplier_code, lines), text)
        uow.commit()
        return number


def _items_after_supplier(
    uow: UnitOfWork, supplier_code: str, lines: Sequence[PurchaseItem]
) -> list[tuple[Material, Decimal, Decimal, date]]:
    ensure_active(uow.suppliers.by_key(supplier_code), "supplier", "supplier")
    return _items(uow, lines)


def _draw_up(
    uow: UnitOfWork, supplier_code: str, lines: list[tuple[Material, Decimal, Decimal, date]], note: str | None
) -> str:
    sup = uow.suppliers.by_key(supplier_code)
    currency = plant.read(uow).currency
    number = _next_number(uow)
    order = PurchaseOrder(
        number=number,
        supplier_id=sup.id,
        status=PurchaseOrderStatus.DRAFT.value,
        currency=currency,
        note=note,
        created_at=uow.now(),
        user_id=uow.actor.id,
    )
    uow.session.add(order)
    uow.session.flush()
    for n, (mat, qty, amount, due) in enumerate(lines, start=1):
        uow.session.add(
            PurchaseOrderLine(
                purchase_order_id=order.id,
                line_no=n,
                material_id=mat.id,
                quantity=qty,
                price=amount,
                due_date=due,
                received=Decimal(0),
            )
        )
    uow.session.flush()
    entry = journal.purchase_created(number, sup.code, sup.name, len(lines), _total(lines), currency)
    uow.record_event(journal.PURCHASE_ORDER, order.id, entry.action, entry.summary, entry.details)
    return number


def draw_up_purchase_orders(uow: UnitOfWork, *, lines: Sequence[ProposedPurchase]) -> tuple[str, ...]:
    """Draft purchase orders for what the material requirements propose: one per supplier, in one go.

    A line without a price takes the supplier's own for the material; a supplier that has none for it
    is refused, naming the material."""
    require(uow.actor, "purchase.edit")
    if not lines:
        raise ValidationError("Choose at least one material to order.", "lines")
    by_supplier: dict[str, list[ProposedPurchase]] = defaultdict(list)
    for line in lines:
        by_supplier[v.code(line.supplier, "supplier", CODE_LEN)].append(line)
    with uow:
        numbers = []
        for supplier_code, proposed in by_supplier.items():
            sup = uow.suppliers.by_key(supplier_code)
            ensure_active(sup, "supplier", "supplier")
            items = [_priced(uow, sup, p) for p in proposed]
            numbers.append(_draw_up(uow, supplier_code, _items(uow, items), None))
        uow.commit(entries=len(numbers))
        return tuple(numbers)


def _priced(uow: UnitOfWork, sup: Supplier, proposed: ProposedPurchase) -> PurchaseItem:
    if proposed.price not in (None, ""):
        return PurchaseItem(proposed.material, proposed.quantity, proposed.price, proposed.due_date)
    code = v.code(proposed.material, "material", CODE_LEN)
    listed = uow.session.scalar(
        select(SupplierMaterial.price)
        .join(Material, Material.id == SupplierMaterial.material_id)
        .where(SupplierMaterial.supplier_id == sup.id, Material.code == code)
    )
    if listed is None:
        raise ValidationError(f"{sup.code} has no price for {code}; enter one, or choose another supplier.", "price")
    return PurchaseItem(code, proposed.quantity, listed, proposed.due_date)


def _order(uow: UnitOfWork, number: str, expected_version: int | None) -> PurchaseOrder:
    order = uow.purchase_orders.by_key(v.code(number, "purchase_order", NUMBER_LEN), for_update=True)
    uow.check_version(journal.PURCHASE_ORDER, order, expected_version, f"Purchase order {order.number}")
    return order


def _status(order: PurchaseOrder) -> PurchaseOrderStatus:
    return PurchaseOrderStatus(order.status)


def edit_purchase_order(
    uow: UnitOfWork,
    *,
    number: str,
    lines: Sequence[PurchaseItem],
    note: str | None = None,
    expected_version: int | None = None,
) -> None:
    """A draft's lines as given now: the first ones replace its lines in order, more are added.

    A line cannot be taken off (nothing is ever deleted): cancel the draft and draw up another.
    """
    require(uow.actor, "purchase.edit")
    text = v.text(note, "note", NOTE_LEN, required=False)
    with uow:
        order = _order(uow, number, expected_version)
        if not _status(order).may_edit:
            raise ValidationError(
                f"Purchase order {order.number} is {_status(order).label}; only a draft's lines change.", "lines"
            )
        current = list(
            uow.session.scalars(
                select(PurchaseOrderLine)
                .where(PurchaseOrderLine.purchase_order_id == order.id)
                .order_by(PurchaseOrderLine.line_no)
            )
        )
        checked = _items(uow, lines)
        if len(checked) < len(current):
            raise ValidationError(
                f"Purchase order {order.number} has {len(current)} lines; a line cannot be taken off a draft. "
                "Cancel the draft and draw up another.",
                "lines",
            )
        for n, (mat, qty, amount, due) in enumerate(checked, start=1):
            if n <= len(current):
                line = current[n - 1]
                line.material_id, line.quantity, line.price, line.due_date = mat.id, qty, amount, due
            else:
                uow.session.add(
                    PurchaseOrderLine(
                        purchase_order_id=order.id,
                        line_no=n,
                        material_id=mat.id,
                        quantity=qty,
                        price=amount,
                        due_date=due,
                        received=Decimal(0),
                    )
                )
        order.note = text
        flag_modified(order, "note")  # the order's version counts every edit of its lines
        entry = journal.purchase_edited(order.number, len(checked), _total(checked), order.currency)
        uow.record_event(journal.PURCHASE_ORDER, order.id, entry.action, entry.summary, entry.details)
        uow.commit()


def send_purchase_order(uow: UnitOfWork, *, number: str, expected_version: int | None = None) -> None:
    """The draft goes to the supplier: from now on its open lines count as coming on their due days."""
    require(uow.actor, "purchase.edit")
    with uow:
        order = _order(uow, number, expected_version)
        if not _status(order).may_send:
            raise ValidationError(
                f"Purchase order {order.number} is {_status(order).label}; only a draft is sent.", "status"
            )
        order.status, order.sent_at = PurchaseOrderStatus.SENT.value, uow.now()
        sup = uow.suppliers.get(order.supplier_id)
        entry = journal.purchase_sent(order.number, sup.name)
        uow.record_event(journal.PURCHASE_ORDER, order.id, entry.action, entry.summary, entry.details)
        uow.commit()


def cancel_purchase_order(uow: UnitOfWork, *, number: str, reason: str, expected_version: int | None = None) -> None:
    """An open order will not be (any further) delivered."""
    require(uow.actor, "purchase.edit")
    why = v.required_text(reason, "reason", REASON_LEN)
    with uow:
        order = _order(uow, number, expected_version)
        previous = _status(order)
        if not previous.may_cancel:
            raise ValidationError(f"Purchase order {order.number} is {previous.label} already.", "status")
        order.status, order.status_reason = PurchaseOrderStatus.CANCELLED.value, why
        entry = journal.purchase_cancelled(order.number, previous.value, why)
        uow.record_event(journal.PURCHASE_ORDER, order.id, entry.action, entry.summary, entry.details)
        uow.commit()


def close_purchase_order(uow: UnitOfWork, *, number: str, reason: str, expected_version: int | None = None) -> None:
    """A partly received order is done: what is still open on it will not come."""
    require(uow.actor, "purchase.edit")
    why = v.required_text(reason, "reason", REASON_LEN)
    with uow:
        order = _order(uow, number, expected_version)
        if not _status(order).may_close:
            raise ValidationError(
                f"Purchase order {order.number} is {_status(order).label}; only a partly received order is closed.",
                "status",
            )
        order.status, order.status_reason = PurchaseOrderStatus.RECEIVED.value, why
        entry = journal.purchase_closed(order.number, why)
        uow.record_event(journal.PURCHASE_ORDER, order.id, entry.action, entry.summary, entry.details)
        uow.commit()


# ---------------------------------------------------------------- receiving


def receivable(line: PurchaseOrderLine, tolerance_percent: int) -> Decimal:
    """How much more may still be received against the line: its quantity and the tolerance, less what came."""
    allowed = line.quantity * (100 + tolerance_percent) / 100
    return max(allowed - line.received, Decimal(0)).quantize(Decimal("0.001"))


def receive_purchase(
    uow: UnitOfWork,
    *,
    order: str,
    line: int,
    number: str,
    quantity: Any,
    warehouse: str,
    expiry_date: Any = None,
    received_at: datetime | None = None,
    note: str | None = None,
) -> int:
    """Goods arrive against a purchase order line: a new batch of its material from its supplier, pending
    quality approval, booked into the warehouse; the database adds it to the line. Returns the batch's id."""
    require(uow.actor, "stock.receive")
    order_number = v.code(order, "purchase_order", NUMBER_LEN)
    line_no = v.integer(line, "line", PURCHASE_LINES.start, PURCHASE_LINES.stop - 1)
    batch_number = v.code(number, "batch_number", NUMBER_LEN)
    warehouse_code = v.code(warehouse, "warehouse", CODE_LEN)
    expiry = v.a_date(expiry_date, "expiry_date", required=False)
    text = v.text(note, "note", NOTE_LEN, required=False)
    received = checked_receipt_time(uow, received_at, expiry)
    with uow:
        po = uow.purchase_orders.by_key(order_number)
        status = PurchaseOrderStatus(po.status)
        if not status.may_receive:
            raise ValidationError(
                f"Purchase order {po.number} is {status.label}; goods are received only against a purchase order "
                "that was sent and is not all in.",
                "purchase_order",
            )
        ordered = uow.session.scalar(
            select(PurchaseOrderLine).where(
                PurchaseOrderLine.purchase_order_id == po.id, PurchaseOrderLine.line_no == line_no
            )
        )
        if ordered is None:
            raise NotFound(f"Purchase order {po.number} has no line {line_no}.", "line")
        mat = uow.materials.get(ordered.material_id)
        qty = v.quantity(quantity, mat.unit)
        tolerance = plant.read(uow).receipt_tolerance_percent
        room = receivable(ordered, tolerance)
        if qty > room:
            came = f"; {fmt(ordered.received, mat.unit)} came already" if ordered.received else ""
            raise ValidationError(
                f"Line {line_no} of purchase order {po.number} is for {fmt(ordered.quantity, mat.unit)} of "
                f"{mat.name}{came}. At most {fmt(room, mat.unit)} more may be received against it "
                f"(the plant allows {tolerance} % over an order); {fmt(qty, mat.unit)} is too much.",
                "quantity",
            )
        sup = uow.suppliers.get(po.supplier_id)
        batch = book_receipt(
            uow, batch_number, mat, sup, warehouse_code, qty, received, expiry, text, ordered, (po.number, line_no)
        )
        uow.commit()
        return batch.id


__all__ = [
    "ProposedPurchase",
    "PurchaseItem",
    "cancel_purchase_order",
    "close_purchase_order",
    "create_purchase_order",
    "draw_up_purchase_orders",
    "edit_purchase_order",
    "price",
    "receivable",
    "receive_purchase",
    "send_purchase_order",
    "set_supplier_material",
]
