"""Receiving, moving, issuing and adjusting stock, and the quality decision on batches."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app import journal
from app import validation as v
from app.errors import ValidationError
from app.permissions import require
from app.services._common import add_movement, ensure_active, ensure_usable, fmt_qty, take_stock
from data.models import Batch
from data.uow import UnitOfWork
from domain.vocabulary import CODE_LEN, NOTE_LEN, NUMBER_LEN, REASON_LEN, BatchStatus, MovementKind


def receive_batch(
    uow: UnitOfWork,
    *,
    number: str,
    material: str,
    supplier: str,
    quantity: Any,
    warehouse: str,
    expiry_date: Any = None,
    received_at: datetime | None = None,
    note: str | None = None,
) -> int:
    """A delivery arrives: a new batch, pending quality approval, with its receipt movement."""
    require(uow.actor, "stock.receive")
    number = v.code(number, "batch_number", NUMBER_LEN)
    material_code = v.code(material, "material", CODE_LEN)
    supplier_code = v.code(supplier, "supplier", CODE_LEN)
    warehouse_code = v.code(warehouse, "warehouse", CODE_LEN)
    expiry = v.a_date(expiry_date, "expiry_date", required=False)
    note = v.text(note, "note", NOTE_LEN, required=False)
    received = received_at or uow.now()
    if received.tzinfo is None:
        raise ValidationError("The receipt time needs a time zone.", "received_at")
    if received > uow.now() + timedelta(minutes=5):
        raise ValidationError("The receipt time lies in the future.", "received_at")
    if expiry is not None and expiry < received.date():
        raise ValidationError(
            f"The expiry date {expiry:%Y-%m-%d} is before the receipt date {received:%Y-%m-%d}.", "expiry_date"
        )
    with uow:
        mat = uow.materials.by_key(material_code)
        ensure_active(mat, "material", "material")
        qty = v.quantity(quantity, mat.unit)
        sup = uow.suppliers.by_key(supplier_code)
        ensure_active(sup, "supplier", "supplier")
        wh = uow.warehouses.by_key(warehouse_code)
        ensure_active(wh, "warehouse", "warehouse")
        if uow.batches.find(number) is not None:
            raise ValidationError(
                f"Batch {number} already exists; each batch number can be used only once.", "batch_number"
            )
        batch = uow.batches.add(
            Batch(
                number=number,
                material_id=mat.id,
                supplier_id=sup.id,
                received_at=received,
                expiry_date=expiry,
                status=BatchStatus.PENDING,
            )
        )
        uow.session.flush()
        add_movement(uow, batch.id, MovementKind.RECEIPT, qty, to_warehouse_id=wh.id, note=note)
        entry = journal.received(number, mat.code, mat.name, sup.code, sup.name, wh.code, qty, mat.unit, expiry)
        uow.record_event("batch", batch.id, entry.action, entry.summary, entry.details)
        uow.commit()
        return batch.id


def transfer_stock(
    uow: UnitOfWork, *, batch: str, from_warehouse: str, to_warehouse: str, quantity: Any, note: str | None = None
) -> None:
    require(uow.actor, "stock.transfer")
    number = v.code(batch, "batch", NUMBER_LEN)
    source_code = v.code(from_warehouse, "from_warehouse", CODE_LEN)
    target_code = v.code(to_warehouse, "to_warehouse", CODE_LEN)
    note = v.text(note, "note", NOTE_LEN, required=False)
    if source_code == target_code:
        raise ValidationError(
            f"Batch {number} is already in {source_code}; choose another destination.", "to_warehouse"
        )
    with uow:
        b = uow.batches.by_key(number)
        mat = uow.materials.get(b.material_id)
        qty = v.quantity(quantity, mat.unit)
        source = uow.warehouses.by_key(source_code)
        target = uow.warehouses.by_key(target_code)
        ensure_active(target, "warehouse", "to_warehouse")
        take_stock(uow, b, source.id, source.code, qty, mat.unit)
        add_movement(
            uow, b.id, MovementKind.TRANSFER, qty, from_warehouse_id=source.id, to_warehouse_id=target.id, note=note
        )
        entry = journal.transferred(b.number, source.code, target.code, qty, mat.unit)
        uow.record_event("batch", b.id, entry.action, entry.summary, entry.details)
        uow.commit()


def issue_stock(uow: UnitOfWork, *, batch: str, warehouse: str, quantity: Any, note: str | None = None) -> None:
    """Stock leaves the plant (a shipment, a sale of raw material)."""
    require(uow.actor, "stock.issue")
    number = v.code(batch, "batch", NUMBER_LEN)
    warehouse_code = v.code(warehouse, "warehouse", CODE_LEN)
    note = v.text(note, "note", NOTE_LEN, required=False)
    with uow:
        b = uow.batches.by_key(number)
        mat = uow.materials.get(b.material_id)
        qty = v.quantity(quantity, mat.unit)
        wh = uow.warehouses.by_key(warehouse_code)
        ensure_usable(b, mat, "issued", uow.today())
        take_stock(uow, b, wh.id, wh.code, qty, mat.unit)
        add_movement(uow, b.id, MovementKind.ISSUE, qty, from_warehouse_id=wh.id, note=note)
        entry = journal.issued(b.number, wh.code, qty, mat.unit, note)
        uow.record_event("batch", b.id, entry.action, entry.summary, entry.details)
        uow.commit()


def adjust_stock(uow: UnitOfWork, *, batch: str, warehouse: str, change: Any, reason: str) -> None:
    """Correct a balance after a count; `change` is signed and the reason is kept in the ledger."""
    require(uow.actor, "stock.adjust")
    number = v.code(batch, "batch", NUMBER_LEN)
    warehouse_code = v.code(warehouse, "warehouse", CODE_LEN)
    why = v.required_text(reason, "reason", REASON_LEN)
    with uow:
        b = uow.batches.by_key(number)
        mat = uow.materials.get(b.material_id)
        delta = v.quantity(change, mat.unit, "change", allow_negative=True)
        wh = uow.warehouses.by_key(warehouse_code)
        if delta > 0:
            ensure_active(wh, "warehouse", "warehouse")
            add_movement(uow, b.id, MovementKind.ADJUSTMENT, delta, to_warehouse_id=wh.id, note=why)
        else:
            take_stock(uow, b, wh.id, wh.code, -delta, mat.unit)
            add_movement(uow, b.id, MovementKind.ADJUSTMENT, -delta, from_warehouse_id=wh.id, note=why)
        sign = "+" if delta > 0 else "−"
        uow.record_event(
            "batch",
            b.id,
            "adjusted",
            f"Adjusted batch {b.number} in {wh.code} by {sign}{fmt_qty(abs(delta), mat.unit)}: {why}",
            {"change": str(delta), "warehouse": wh.code, "reason": why},
        )
        uow.commit()


def approve_batch(uow: UnitOfWork, *, batch: str, expected_version: int | None = None) -> None:
    require(uow.actor, "batch.quality")
    number = v.code(batch, "batch", NUMBER_LEN)
    with uow:
        b = uow.batches.by_key(number, for_update=True)
        uow.check_version("batch", b, expected_version, f"Batch {b.number}")
        if b.status == BatchStatus.APPROVED:
            raise ValidationError(f"Batch {b.number} is already approved.", "batch")
        previous = b.status
        b.status, b.status_reason = BatchStatus.APPROVED, None
        entry = journal.approved(b.number, previous)
        uow.record_event("batch", b.id, entry.action, entry.summary, entry.details)
        uow.commit()


def block_batch(uow: UnitOfWork, *, batch: str, reason: str, expected_version: int | None = None) -> None:
    require(uow.actor, "batch.quality")
    number = v.code(batch, "batch", NUMBER_LEN)
    why = v.required_text(reason, "reason", REASON_LEN)
    with uow:
        b = uow.batches.by_key(number, for_update=True)
        uow.check_version("batch", b, expected_version, f"Batch {b.number}")
        if b.status == BatchStatus.BLOCKED:
            raise ValidationError(f"Batch {b.number} is already blocked ({b.status_reason}).", "batch")
        previous = b.status
        b.status, b.status_reason = BatchStatus.BLOCKED, why
        entry = journal.blocked(b.number, previous, why)
        uow.record_event("batch", b.id, entry.action, entry.summary, entry.details)
        uow.commit()


__all__ = ["receive_batch", "transfer_stock", "issue_stock", "adjust_stock", "approve_batch", "block_batch"]
