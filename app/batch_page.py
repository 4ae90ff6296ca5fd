"""One batch whole, for its page in the client and on paper: what it is, its stock per warehouse, every movement
with who and when, its quality decisions, its genealogy with quantities and what its label says."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app import validation as v
from app.dto import (
    BatchFacts,
    BatchLabel,
    LabelOrigin,
    MovementRow,
    QualityStep,
    TraceNode,
    WarehouseBalance,
)
from app.permissions import require
from app.queries import SYSTEM_USERNAME, decimal_quantity
from app.rows import dto_from_row, labelled
from app.services.trace import made, trees
from data.models import Batch, Event, Material, ProductionOrder, StockBalance, StockMovement, Supplier, User, Warehouse
from data.uow import UnitOfWork
from domain.vocabulary import NUMBER_LEN, BatchStatus

# The journal's entries about a batch that make its quality history: its arrival, pending, then the decisions.
QUALITY_ACTIONS = {"received": BatchStatus.PENDING, "approved": BatchStatus.APPROVED, "blocked": BatchStatus.BLOCKED}


@dataclass(frozen=True)
class BatchPage:
    facts: BatchFacts
    balances: tuple[WarehouseBalance, ...]
    movements: tuple[MovementRow, ...]
    quality: tuple[QualityStep, ...]
    backward: TraceNode
    forward: TraceNode

    def label(self) -> BatchLabel:
        """What the batch's label says now."""
        f = self.facts
        produced = f.order_number is not None and f.supplier_name is None
        return BatchLabel(
            number=f.number,
            material_code=f.material_code,
            material_name=f.material_name,
            quantity=f.in_stock,
            unit=f.unit,
            origin_kind=LabelOrigin.ORDER if produced else LabelOrigin.SUPPLIER,
            origin=(f.order_number if produced else f.supplier_name) or "",
            received_at=f.received_at,
            expiry_date=f.expiry_date,
            status=f.status,
            status_reason=f.status_reason,
        )


def batch_page(uow: UnitOfWork, number: str) -> BatchPage:
    require(uow.actor, "read")
    number = v.code(number, "batch", NUMBER_LEN)
    with uow:
        batch = uow.batches.by_key(number)
        facts = _facts(uow, batch)
        backward, forward = trees(uow, batch)
        return BatchPage(
            facts, _balances(uow, batch.id), movements(uow, batch.id), _quality(uow, batch, facts), backward, forward
        )


def _facts(uow: UnitOfWork, batch: Batch) -> BatchFacts:
    in_stock = (
        select(func.coalesce(func.sum(StockBalance.quantity), 0))
        .where(StockBalance.batch_id == Batch.id)
        .correlate(Batch)
        .scalar_subquery()
    )
    row = uow.session.execute(
        select(
            *labelled(
                BatchFacts,
                computed=("made",),
                id=Batch.id,
                number=Batch.number,
                material_code=Material.code,
                material_name=Material.name,
                unit=Material.unit,
                supplier_code=Supplier.code,
                supplier_name=Supplier.name,
                order_number=ProductionOrder.number,
                received_at=Batch.received_at,
                expiry_date=Batch.expiry_date,
                status=Batch.status,
                status_reason=Batch.status_reason,
                version=Batch.version,
                in_stock=in_stock,
            )
        )
        .select_from(Batch)
        .join(Material, Material.id == Batch.material_id)
        .outerjoin(Supplier, Supplier.id == Batch.supplier_id)
        .outerjoin(ProductionOrder, ProductionOrder.id == Batch.production_order_id)
        .where(Batch.id == batch.id)
    ).one()
    return dto_from_row(BatchFacts, row, made=made(uow, batch), in_stock=decimal_quantity(row.in_stock))


def _balances(uow: UnitOfWork, batch_id: int) -> tuple[WarehouseBalance, ...]:
    rows = uow.session.execute(
        select(
            *labelled(
                WarehouseBalance,
                warehouse_code=Warehouse.code,
                warehouse_name=Warehouse.name,
                quantity=StockBalance.quantity,
                unit=Material.unit,
            )
        )
        .select_from(StockBalance)
        .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
        .join(Batch, Batch.id == StockBalance.batch_id)
        .join(Material, Material.id == Batch.material_id)
        .where(StockBalance.batch_id == batch_id, StockBalance.quantity > 0)
        .order_by(Warehouse.code)
    )
    return tuple(dto_from_row(WarehouseBalance, r) for r in rows)


def movements(uow: UnitOfWork, batch_id: int) -> tuple[MovementRow, ...]:
    """Every movement of the batch, oldest first, with who made it and when."""
    source, target = Warehouse.__table__.alias("source"), Warehouse.__table__.alias("target")
    rows = uow.session.execute(
        select(
            *labelled(
                MovementRow,
                created_at=StockMovement.created_at,
                kind=StockMovement.kind,
                quantity=StockMovement.quantity,
                unit=Material.unit,
                from_warehouse=source.c.code,
                to_warehouse=target.c.code,
                order_number=ProductionOrder.number,
                username=func.coalesce(User.username, SYSTEM_USERNAME),
                note=StockMovement.note,
            )
        )
        .select_from(StockMovement)
        .join(Batch, Batch.id == StockMovement.batch_id)
        .join(Material, Material.id == Batch.material_id)
        .outerjoin(source, source.c.id == StockMovement.from_warehouse_id)
        .outerjoin(target, target.c.id == StockMovement.to_warehouse_id)
        .outerjoin(ProductionOrder, ProductionOrder.id == StockMovement.production_order_id)
        .outerjoin(User, User.id == StockMovement.user_id)
        .where(StockMovement.batch_id == batch_id)
        .order_by(StockMovement.created_at, StockMovement.id)
    )
    return tuple(dto_from_row(MovementRow, r) for r in rows)


def _quality(uow: UnitOfWork, batch: Batch, facts: BatchFacts) -> tuple[QualityStep, ...]:
    """Arrival (pending) and every decision since, oldest first, from the journal."""
    rows = uow.session.execute(
        select(
            Event.occurred_at,
            func.coalesce(User.username, SYSTEM_USERNAME).label("username"),
            Event.action,
            Event.details,
        )
        .select_from(Event)
        .outerjoin(User, User.id == Event.user_id)
        .where(Event.entity_type == "batch", Event.entity_id == batch.id, Event.action.in_(tuple(QUALITY_ACTIONS)))
        .order_by(Event.occurred_at, Event.id)
    ).all()
    steps = [
        QualityStep(
            r.occurred_at,
            r.username,
            r.action,
            QUALITY_ACTIONS[r.action].value,
            (r.details or {}).get("reason") if r.action == "blocked" else None,
        )
        for r in rows
    ]
    if not any(step.action == "received" for step in steps):
        # A produced batch is journalled under its order; it arrived pending when it was put out.
        producer = uow.session.execute(
            select(StockMovement.created_at, func.coalesce(User.username, SYSTEM_USERNAME))
            .outerjoin(User, User.id == StockMovement.user_id)
            .where(StockMovement.batch_id == batch.id)
            .order_by(StockMovement.created_at, StockMovement.id)
            .limit(1)
        ).first()
        if producer is not None:
            arrival = "received" if facts.supplier_name else "produced"
            steps.insert(0, QualityStep(producer[0], producer[1], arrival, BatchStatus.PENDING.value, None))
    return tuple(steps)
