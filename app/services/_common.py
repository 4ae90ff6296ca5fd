"""Small helpers the services share."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app import formatting
from app.errors import ValidationError
from data.models import Batch, Material, StockMovement
from data.uow import UnitOfWork
from domain.vocabulary import BatchStatus


def ensure_active(record: Any, noun: str, field: str) -> None:
    """An archived warehouse, material, supplier or line is history: no new work is booked on it."""
    if record.archived:
        raise ValidationError(
            f"{noun.capitalize()} {record.code} ({record.name}) is archived; an administrator may restore it.",
            field,
        )


def fmt_qty(value: Decimal, unit: str) -> str:
    """A quantity in a message or a journal sentence, written as every screen and paper writes it."""
    return formatting.quantity(value, unit)


def ensure_usable(batch: Batch, material: Material, verb: str, today: date) -> None:
    """Only approved, unexpired batches leave the warehouse or go into a machine."""
    if not BatchStatus(batch.status).usable:
        reason = f" ({batch.status_reason})" if batch.status_reason else ""
        raise ValidationError(
            f"Batch {batch.number} is {BatchStatus(batch.status).label}{reason}; only approved batches may be {verb}.",
            "batch",
        )
    if batch.expiry_date is not None and batch.expiry_date < today:
        raise ValidationError(
            f"Batch {batch.number} of {material.name} expired on {batch.expiry_date:%Y-%m-%d}; it may not be {verb}.",
            "batch",
        )


def take_stock(
    uow: UnitOfWork, batch: Batch, warehouse_id: int, warehouse_code: str, quantity: Decimal, unit: str
) -> None:
    """Refuse, in plain words, to take more than the batch has in that warehouse.

    The stock itself is taken by the movement recorded next: the database keeps balances to the
    ledger, and its trigger refuses, in the same words, what another workstation took meanwhile.
    """
    available = uow.balances.quantity(batch.id, warehouse_id)
    if available >= quantity:
        return
    if available <= 0:
        raise ValidationError(f"Batch {batch.number} has no stock in {warehouse_code}.", "quantity")
    raise ValidationError(
        f"Batch {batch.number} has only {fmt_qty(available, unit)} in {warehouse_code}; "
        f"{fmt_qty(quantity, unit)} cannot be taken.",
        "quantity",
    )


def add_movement(
    uow: UnitOfWork,
    batch_id: int,
    kind: str,
    quantity: Decimal,
    *,
    from_warehouse_id: int | None = None,
    to_warehouse_id: int | None = None,
    production_order_id: int | None = None,
    note: str | None = None,
) -> StockMovement:
    """Record a movement in the ledger; the database moves the stock (balances follow the ledger), and
    dates it by its own clock and, on PostgreSQL, names the signed-in login, whatever is given here."""
    movement = StockMovement(
        batch_id=batch_id,
        kind=kind,
        quantity=quantity,
        from_warehouse_id=from_warehouse_id,
        to_warehouse_id=to_warehouse_id,
        production_order_id=production_order_id,
        user_id=uow.actor.id,
        created_at=uow.now(),
        note=note,
    )
    uow.session.add(movement)
    return movement
