"""The journal's sentences for stock, production, deliveries and line stops, written once.

The services record them as they change stock; the demo plant writes its synthetic
history with the very same words, so its journal reads as if people had done it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app import formatting
from app.formatting import quantity as _quantity
from app.formatting import rate as _rate
from domain.vocabulary import BatchStatus


def _qty(value: Decimal, unit: str) -> str:
    return _quantity(value, unit)


@dataclass(frozen=True)
class Entry:
    """One journal entry about an entity: what happened, in a sentence, and its details."""

    action: str
    summary: str
    details: dict[str, Any]


def received(
    number: str,
    material_code: str,
    material_name: str,
    supplier_code: str,
    supplier_name: str,
    warehouse: str,
    qty: Decimal,
    unit: str,
    expiry: date | None,
    against: tuple[str, int] | None = None,
) -> Entry:
    """`against`: the purchase order (its number) and line the goods came on, if they did."""
    details: dict[str, Any] = {
        "number": number,
        "material": material_code,
        "supplier": supplier_code,
        "warehouse": warehouse,
        "quantity": str(qty),
        "expiry_date": expiry.isoformat() if expiry else None,
    }
    on_order = ""
    if against is not None:
        details["purchase_order"], details["line"] = against
        on_order = f" against purchase order {against[0]} line {against[1]}"
    return Entry(
        "received",
        f"Received {_qty(qty, unit)} of {material_name} from {supplier_name} as batch {number} into {warehouse}"
        + on_order,
        details,
    )


def approved(number: str, previous: str) -> Entry:
    return Entry("approved", f"Approved batch {number} (was {BatchStatus(previous).label})", {"from": previous})


def blocked(number: str, previous: str, reason: str) -> Entry:
    return Entry("blocked", f"Blocked batch {number}: {reason}", {"from": previous, "reason": reason})


def transferred(number: str, source: str, target: str, qty: Decimal, unit: str) -> Entry:
    return Entry(
        "transferred",
        f"Moved {_qty(qty, unit)} of batch {number} from {source} to {target}",
        {"quantity": str(qty), "from": source, "to": target},
    )


def issued(number: str, warehouse: str, qty: Decimal, unit: str, note: str | None) -> Entry:
    return Entry(
        "issued",
        f"Issued {_qty(qty, unit)} of batch {number} from {warehouse}",
        {"quantity": str(qty), "warehouse": warehouse, "note": note},
    )


def consumed(order: str, batch: str, material_name: str, warehouse: str, qty: Decimal, unit: str) -> Entry:
    return Entry(
        "consumed",
        f"Order {order} consumed {_qty(qty, unit)} of batch {batch} ({material_name}) from {warehouse}",
        {"batch": batch, "quantity": str(qty), "warehouse": warehouse},
    )


def output(order: str, batch: str, batch_id: int, material_name: str, warehouse: str, qty: Decimal, unit: str) -> Entry:
    return Entry(
        "output",
        f"Order {order} produced batch {batch}: {_qty(qty, unit)} of {material_name} into {warehouse}",
        {"batch": batch, "quantity": str(qty), "warehouse": warehouse, "batch_id": batch_id},
    )


# ---------------------------------------------------------------- master data

# The journal's word for each kind of record people keep (also the subject `entity_key` opens).
WAREHOUSE, MATERIAL, SUPPLIER, LINE, CUSTOMER = "warehouse", "material", "supplier", "line", "customer"


def warehouse_created(code: str, name: str, kind: str, adr: bool) -> Entry:
    return Entry(
        "created",
        f"Created warehouse {code} ({name}, {kind}{', ADR' if adr else ''})",
        {"kind": kind, "adr": adr},
    )


def material_created(
    code: str, name: str, kind: str, unit: str, reorder_level: Decimal, shelf_life_days: int | None
) -> Entry:
    return Entry(
        "created",
        f"Created material {code} ({name}, {unit})",
        {"kind": kind, "unit": unit, "reorder_level": str(reorder_level), "shelf_life_days": shelf_life_days},
    )


def supplier_created(code: str, name: str) -> Entry:
    return Entry("created", f"Created supplier {code} ({name})", {})


def line_created(code: str, name: str, stage: str, rate: Decimal, unit: str) -> Entry:
    return Entry("created", f"Created line {code} ({name}, {_rate(rate, unit)})", {"stage": stage})


def customer_created(code: str, name: str, fields: dict[str, Any]) -> Entry:
    return Entry(
        "created", f"Created customer {code} ({name})", {k: val for k, val in fields.items() if val is not None}
    )


def edited(entity: str, code: str, changed: dict[str, Any]) -> Entry:
    """`changed`: each changed field and its new value."""
    shown = {k: (str(val) if isinstance(val, Decimal) else val) for k, val in changed.items()}
    return Entry("edited", f"Edited {entity} {code}: {', '.join(sorted(changed))}", shown)


def archived(entity: str, code: str, name: str, archive: bool, reason: str | None = None) -> Entry:
    action = "archived" if archive else "restored"
    return Entry(
        action,
        f"{action.capitalize()} {entity} {code} ({name})" + (f": {reason}" if reason else ""),
        {"reason": reason},
    )


def opening_stock(
    number: str,
    material_code: str,
    material_name: str,
    supplier_code: str | None,
    supplier_name: str | None,
    warehouse: str,
    qty: Decimal,
    unit: str,
    expiry: date | None,
) -> Entry:
    """A receipt of stock the plant held before it kept its books here (an opening-stock import)."""
    origin = f" from {supplier_name}" if supplier_name else ""
    return Entry(
        "received",
        f"Opening stock: {_qty(qty, unit)} of {material_name}{origin} as batch {number} in {warehouse}",
        {
            "number": number,
            "material": material_code,
            "supplier": supplier_code,
            "warehouse": warehouse,
            "quantity": str(qty),
            "expiry_date": expiry.isoformat() if expiry else None,
            "opening_stock": True,
        },
    )


# ---------------------------------------------------------------- line stops


def _when(moment: datetime) -> str:
    return formatting.moment(moment)


def _lasting(lasted: timedelta) -> str:
    return formatting.span(lasted)


def line_stopped(line: str, reason: str, since: datetime, note: str | None) -> Entry:
    """A line stands still now."""
    return Entry(
        "stopped",
        f"{line} stopped at {_when(since)}: {reason}" + (f" ({note})" if note else ""),
        {"line": line, "reason": reason, "started_at": since.isoformat(), "note": note},
    )


def stop_recorded(line: str, reason: str, start: datetime, end: datetime, note: str | None) -> Entry:
    """A stop with its end known: one that is over, or one planned ahead."""
    return Entry(
        "recorded",
        f"Recorded a stop of {line} from {_when(start)} to {_when(end)} ({_lasting(end - start)}): {reason}"
        + (f" ({note})" if note else ""),
        {"line": line, "reason": reason, "started_at": start.isoformat(), "ended_at": end.isoformat(), "note": note},
    )


def line_restarted(line: str, reason: str, start: datetime, end: datetime) -> Entry:
    return Entry(
        "restarted",
        f"{line} running again at {_when(end)} after {_lasting(end - start)} stopped ({reason})",
        {"line": line, "reason": reason, "started_at": start.isoformat(), "ended_at": end.isoformat()},
    )


def stop_edited(line: str, changes: dict[str, tuple[str, str]]) -> Entry:
    """A stop corrected: each changed field with what it was and what it is now."""
    said = ", ".join(f"{name.replace('_', ' ')} {old or '—'} → {new or '—'}" for name, (old, new) in changes.items())
    return Entry(
        "edited",
        f"Corrected a stop of {line}: {said}",
        {"line": line, **{name: {"from": old, "to": new} for name, (old, new) in changes.items()}},
    )


# ---------------------------------------------------------------- deliveries


@dataclass(frozen=True)
class Sent:
    """One line of a delivery, as the journal tells it."""

    batch: str
    warehouse: str
    quantity: Decimal
    unit: str


def delivered(number: str, customer_code: str, customer_name: str, order: str, lines: list[Sent]) -> Entry:
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.unit] = totals.get(line.unit, Decimal(0)) + line.quantity
    amount = ", ".join(_qty(q, unit) for unit, q in sorted(totals.items()))
    batches = list(dict.fromkeys(line.batch for line in lines))
    return Entry(
        "delivered",
        f"Delivered {number} to {customer_name} ({customer_code}) for order {order}: {amount} of batch"
        f"{'es' if len(batches) > 1 else ''} {', '.join(batches)}",
        {
            "number": number,
            "customer": customer_code,
            "order": order,
            "lines": [
                {"batch": line.batch, "warehouse": line.warehouse, "quantity": str(line.quantity)} for line in lines
            ],
        },
    )


# ---------------------------------------------------------------- buying

PURCHASE_ORDER = "purchase_order"  # the journal's word for a purchase order (and what `entity_key` opens)


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount.quantize(Decimal('0.01')):f} {currency}"


def purchase_created(
    number: str, supplier_code: str, supplier_name: str, lines: int, total: Decimal, currency: str
) -> Entry:
    return Entry(
        "created",
        f"Drew up purchase order {number} for {supplier_name}: {lines} line{'s' if lines != 1 else ''}, "
        f"{_money(total, currency)}",
        {"supplier": supplier_code, "lines": lines, "total": str(total), "currency": currency},
    )


def purchase_edited(number: str, lines: int, total: Decimal, currency: str) -> Entry:
    return Entry(
        "edited",
        f"Edited purchase order {number}: {lines} line{'s' if lines != 1 else ''}, {_money(total, currency)}",
        {"lines": lines, "total": str(total)},
    )


def purchase_sent(number: str, supplier_name: str) -> Entry:
    return Entry("sent", f"Sent purchase order {number} to {supplier_name}", {})


def purchase_cancelled(number: str, previous: str, reason: str) -> Entry:
    return Entry("cancelled", f"Cancelled purchase order {number}: {reason}", {"from": previous, "reason": reason})


def purchase_closed(number: str, reason: str) -> Entry:
    return Entry(
        "closed", f"Closed purchase order {number} as received, the rest will not come: {reason}", {"reason": reason}
    )


def priced(
    supplier_code: str,
    material_code: str,
    material_name: str,
    price: Decimal,
    currency: str,
    unit: str,
    minimum_order: Decimal,
    lead_time_days: int,
) -> Entry:
    return Entry(
        "priced",
        f"{supplier_code} sells {material_name} ({material_code}) at {price.normalize():f} {currency}/{unit}, "
        f"at least {_qty(minimum_order, unit)} an order, in {lead_time_days} days",
        {
            "material": material_code,
            "price": str(price),
            "minimum_order": str(minimum_order),
            "lead_time_days": lead_time_days,
        },
    )
