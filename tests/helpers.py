"""Assertions shared by the integration tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from app import services as s
from app.audit import LEDGER
from app.context import Context
from data.db import Database
from tests.conftest import PRODUCT_BY_UNIT, in_days


def ledger_mismatches(database: Database) -> list[tuple[object, ...]]:
    """(batch, warehouse, balance, ledger) wherever a balance differs from what the ledger adds up to."""
    sql = text(LEDGER)
    with database.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sql).all()]


def negative_balances(database: Database) -> int:
    with database.engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM stock_balances WHERE quantity < 0")).scalar_one())


def queue_problems(database: Database) -> list[str]:
    """Duplicate ranks, or queued orders outside the planned/running states."""
    problems = []
    with database.engine.connect() as conn:
        dup = conn.execute(
            text(
                "SELECT line_id, queue_rank, COUNT(*) FROM production_orders WHERE queue_rank IS NOT NULL "
                "GROUP BY line_id, queue_rank HAVING COUNT(*) > 1"
            )
        ).all()
        problems += [f"duplicate rank {r}" for r in dup]
        bad = conn.execute(
            text(
                "SELECT number FROM production_orders WHERE (queue_rank IS NOT NULL) <> "
                "(status IN ('planned', 'in_progress'))"
            )
        ).all()
        problems += [f"bad queue state {r[0]}" for r in bad]
        running = conn.execute(
            text(
                "SELECT line_id FROM production_orders WHERE status = 'in_progress' GROUP BY line_id "
                "HAVING COUNT(*) > 1"
            )
        ).all()
        problems += [f"two running orders on line {r[0]}" for r in running]
    return problems


def queue_numbers(database: Database, line_code: str) -> list[str]:
    with database.engine.connect() as conn:
        return [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT o.number FROM production_orders o JOIN production_lines l ON l.id = o.line_id "
                    "WHERE l.code = :code AND o.queue_rank IS NOT NULL ORDER BY o.queue_rank"
                ),
                {"code": line_code},
            ).all()
        ]


def order(
    ctx: Context,
    number: str,
    *,
    quantity: Any = 1000,
    unit: str = "kg",
    priority: int = 3,
    due: int = 10,
    product: str | None = None,
) -> int:
    return s.create_order(
        ctx.uow(),
        number=number,
        customer="C-001",
        product=product or PRODUCT_BY_UNIT[unit],
        quantity=quantity,
        unit=unit,
        priority=priority,
        due_date=in_days(due),
    )


def plan(ctx: Context, number: str, line: str = "EXTRUDER-1", position: int | None = None) -> int:
    return s.plan_order(ctx.uow(), number=number, line=line, position=position)
