"""What a scanned code is: a batch label, an order's number, a delivery's… and whether the plant knows it.

A batch label carries the batch number as Code128 and as a QR code `MPS1|batch|material`
(reports/labels.py); anything else scanned is looked up among the kinds of record people scan, in
order. A new kind of record to scan is one line in SCAN_KINDS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.permissions import require
from data.models import Batch, ProductionOrder
from data.uow import UnitOfWork
from domain.vocabulary import NUMBER_LEN

LABEL_PREFIX = "MPS1"  # the QR payload's version: MPS1|batch|material


@dataclass(frozen=True)
class ScanKind:
    entity: str  # the journal's name for the record: "batch", "order"
    words: str  # how a message names it
    number: Any  # the column people scan


SCAN_KINDS: tuple[ScanKind, ...] = (
    ScanKind("batch", "batch", Batch.number),
    ScanKind("order", "order", ProductionOrder.number),
)


@dataclass(frozen=True)
class Scanned:
    entity: str
    key: str


def read_label(code: str) -> tuple[str | None, str]:
    """('batch', number) from a batch label's QR code; (None, code) for anything else."""
    parts = code.strip().split("|")
    if len(parts) >= 2 and parts[0].upper() == LABEL_PREFIX and parts[1].strip():
        return "batch", parts[1].strip()
    return None, code.strip()


def batch_number(code: str) -> str:
    """What to look up as a batch: the number on a label's QR code, or the code as typed or scanned."""
    return read_label(code)[1]


def kinds_named() -> str:
    """'batch or order': the kinds a scan may be, for a message."""
    words = [kind.words for kind in SCAN_KINDS]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def find_scanned(uow: UnitOfWork, code: str) -> Scanned | None:
    """The record a scanned code names, or None when the plant knows none by it."""
    require(uow.actor, "read")
    entity, key = read_label(code)
    if not key or len(key) > NUMBER_LEN:
        return None
    kinds = [k for k in SCAN_KINDS if entity is None or k.entity == entity]
    with uow:
        for kind in kinds:
            found = uow.session.scalar(select(kind.number).where(kind.number == key))
            if found is None:  # a scanner's caps lock, or a number typed in small letters
                found = uow.session.scalar(select(kind.number).where(func.lower(kind.number) == key.lower()).limit(1))
            if found is not None:
                return Scanned(kind.entity, str(found))
    return None
