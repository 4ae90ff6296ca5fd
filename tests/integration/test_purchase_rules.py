"""Buying's rules kept by the database itself (migration 0008), on both backends, against raw SQL: a purchase
order's steps, its lines written only as a draft, receipts only against an open order and never past the
line's quantity and the plant's tolerance, and what a line received following its receipts."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from app import services as s
from app.context import Context
from app.permissions import Role
from data.rules import loading_history
from domain.vocabulary import PURCHASE_ORDER_TRANSITIONS, PurchaseOrderStatus
from tests.conftest import in_days
from tests.integration.test_rules import Raw, refusal
from tests.integration.test_rules import raw as raw  # noqa: F401 - the fixture, per role


@pytest.fixture
def yard(plant: Context, people: dict[Role, Context]) -> Context:
    """Purchase orders in each state: PUR-DRAFT, PUR-SENT (1,000 kg of LDPE), PUR-GONE (cancelled)."""
    planner = people[Role.PLANNER]
    s.set_supplier_material(planner.uow(), supplier="BASELL", material="LDPE", price_per_unit="1.30")
    numbers = []
    for _ in range(3):
        numbers.append(
            s.create_purchase_order(
                planner.uow(), supplier="BASELL", lines=[s.PurchaseItem("LDPE", "1000", "1.30", in_days(5))]
            )
        )
    s.send_purchase_order(planner.uow(), number=numbers[1])
    s.cancel_purchase_order(planner.uow(), number=numbers[2], reason="twice")
    with plant.database.engine.begin() as conn:
        for old, new in zip(numbers, ("PUR-DRAFT", "PUR-SENT", "PUR-GONE"), strict=True):
            conn.execute(text("UPDATE purchase_orders SET note = :new WHERE number = :old"), {"old": old, "new": new})
    return plant


def po(note: str) -> str:
    return f"(SELECT id FROM purchase_orders WHERE note = '{note}')"


def line(note: str) -> str:
    return f"(SELECT l.id FROM purchase_order_lines l WHERE l.purchase_order_id = {po(note)})"


def statuses(ctx: Context) -> list[tuple[Any, ...]]:
    with ctx.database.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT note, status FROM purchase_orders ORDER BY note")).all()]


def a_batch(number: str, note: str, material: str = "LDPE") -> str:
    return (
        "INSERT INTO batches (number, material_id, supplier_id, purchase_order_line_id, received_at, status, version)"
        f" VALUES ('{number}', (SELECT id FROM materials WHERE code = '{material}'),"
        f" (SELECT id FROM suppliers WHERE code = 'BASELL'), {line(note)}, '2026-06-01 08:00:00', 'pending', 1)"
    )


def a_receipt(number: str, quantity: Any) -> tuple[str, tuple[Any, ...]]:
    return (
        "INSERT INTO stock_movements (batch_id, kind, quantity, to_warehouse_id, user_id, created_at)"
        f" VALUES ((SELECT id FROM batches WHERE number = '{number}'), 'receipt', %s,"
        " (SELECT id FROM warehouses WHERE code = 'MAG-1'), (SELECT id FROM users WHERE username = 'clerk1'),"
        " '2026-06-01 08:00:00')",
        (quantity,),
    )


def received(ctx: Context, note: str) -> Any:
    with ctx.database.engine.connect() as conn:
        return conn.execute(text(f"SELECT received FROM purchase_order_lines WHERE id = {line(note)}")).scalar_one()


def test_a_purchase_order_moves_only_along_its_steps(yard: Context, raw: dict[Role, Raw]) -> None:  # noqa: F811
    """Hole: a planner inserted an order already sent, set a draft straight to received, un-cancelled one."""
    before = statuses(yard)
    attacks = [
        "INSERT INTO purchase_orders (number, supplier_id, status, currency, created_at, version)"
        " VALUES ('PUR-X', (SELECT id FROM suppliers WHERE code = 'BASELL'), 'sent', 'EUR', '2026-01-01 00:00:00', 1)",
        f"UPDATE purchase_orders SET status = 'received' WHERE id = {po('PUR-DRAFT')}",
        f"UPDATE purchase_orders SET status = 'draft' WHERE id = {po('PUR-SENT')}",
        f"UPDATE purchase_orders SET status = 'sent' WHERE id = {po('PUR-GONE')}",
    ]
    for role, db in raw.items():
        for sql in attacks:
            assert db.run(sql) is not None, (role, sql)
    assert statuses(yard) == before
    planner = raw[Role.PLANNER]
    if yard.database.backend == "postgresql":
        reason = refusal(planner.run(attacks[3]))
        assert "is cancelled; it cannot become sent" in reason
    # what a buyer may do, they may do from psql too
    assert planner.run(f"UPDATE purchase_orders SET status = 'sent' WHERE id = {po('PUR-DRAFT')}") is None


def test_lines_are_written_only_while_a_draft_and_received_only_by_receipts(
    yard: Context,
    raw: dict[Role, Raw],  # noqa: F811
) -> None:
    planner = raw[Role.PLANNER]
    assert planner.run(f"UPDATE purchase_order_lines SET quantity = %s WHERE id = {line('PUR-SENT')}",
                       (planner.qty(5000),)) is not None  # fmt: skip
    assert planner.run(f"UPDATE purchase_order_lines SET received = %s WHERE id = {line('PUR-SENT')}",
                       (planner.qty(1000),)) is not None  # fmt: skip
    add_line = (
        "INSERT INTO purchase_order_lines (purchase_order_id, line_no, material_id, quantity, price, due_date,"
        " received) VALUES ({po}, 2, (SELECT id FROM materials WHERE code = 'LDPE'), %s, %s, '2030-01-01', %s)"
    )
    price = 13000 if yard.database.is_sqlite else "1.3"
    assert planner.run(add_line.format(po=po("PUR-SENT")), (planner.qty(10), price, planner.qty(0))) is not None
    assert planner.run(add_line.format(po=po("PUR-DRAFT")), (planner.qty(10), price, planner.qty(10))) is not None
    assert received(yard, "PUR-SENT") == planner.qty(0)
    # a draft's lines change, from psql too
    assert planner.run(add_line.format(po=po("PUR-DRAFT")), (planner.qty(10), price, planner.qty(0))) is None
    assert planner.run(f"UPDATE purchase_order_lines SET quantity = %s WHERE purchase_order_id = {po('PUR-DRAFT')}"
                       " AND line_no = 1", (planner.qty(1500),)) is None  # fmt: skip


def test_receipts_go_against_an_open_order_within_the_tolerance(
    yard: Context,
    raw: dict[Role, Raw],  # noqa: F811
) -> None:
    clerk = raw[Role.CLERK]
    # against a draft: the batch may be written, its receipt may not
    assert clerk.run(a_batch("B-DRAFT", "PUR-DRAFT")) is None
    assert "sent and is not all in" in refusal(clerk.run(*a_receipt("B-DRAFT", clerk.qty(100))))
    # a batch of another material than its line's
    assert "of the line's material, from its order's supplier" in refusal(
        clerk.run(a_batch("B-INK", "PUR-SENT", material="INK-CYAN"))
    )
    # past 1,000 kg and 5 %
    assert clerk.run(a_batch("B-1", "PUR-SENT")) is None
    reason = refusal(clerk.run(*a_receipt("B-1", clerk.qty("1050.001"))))
    if yard.database.backend == "postgresql":
        assert "Line 1 of purchase order" in reason and "would pass the 5 % the plant allows" in reason
    else:
        assert "more than the purchase order line's quantity and the plant's tolerance allow" in reason
    assert received(yard, "PUR-SENT") == clerk.qty(0)
    # within it: the database adds it up and advances the order
    assert clerk.run(*a_receipt("B-1", clerk.qty(600))) is None
    assert received(yard, "PUR-SENT") == clerk.qty(600)
    assert dict(statuses(yard))["PUR-SENT"] == "partly_received"
    assert clerk.run(a_batch("B-2", "PUR-SENT")) is None
    assert clerk.run(*a_receipt("B-2", clerk.qty(451))) is not None
    assert clerk.run(*a_receipt("B-2", clerk.qty(450))) is None
    assert received(yard, "PUR-SENT") == clerk.qty(1050)
    assert dict(statuses(yard))["PUR-SENT"] == "received"
    # a batch keeps its line
    for role in (Role.MANAGER, Role.ADMIN):
        assert raw[role].run("UPDATE batches SET purchase_order_line_id = NULL WHERE number = 'B-1'") is not None


def test_only_buyers_write_purchase_orders(yard: Context, raw: dict[Role, Raw]) -> None:  # noqa: F811
    """PostgreSQL: viewers and clerks may not draw up orders or change prices from psql. On SQLite whoever can
    write the file owns it (the README says so): the same insert goes through for anyone."""
    insert = (
        "INSERT INTO purchase_orders (number, supplier_id, status, currency, created_at, version)"
        " VALUES ('PUR-{0}', (SELECT id FROM suppliers WHERE code = 'BASELL'), 'draft', 'EUR',"
        " '2026-01-01 00:00:00', 1)"
    )
    reprice = "UPDATE supplier_materials SET price = 0"
    if yard.database.backend == "sqlite":
        assert raw[Role.CLERK].run(insert.format("FILE")) is None
        return
    for role in (Role.VIEWER, Role.CLERK):
        assert "permission denied" in refusal(raw[role].run(insert.format(role.label)))
        assert "permission denied" in refusal(raw[role].run(reprice))
    assert raw[Role.PLANNER].run(insert.format("NEW")) is None
    assert raw[Role.PLANNER].run(reprice) is None


def test_the_database_allows_exactly_the_vocabularys_purchase_order_steps(yard: Context) -> None:
    """Every pair of statuses, tried in the database: allowed exactly when PURCHASE_ORDER_TRANSITIONS says so."""
    allowed: set[tuple[PurchaseOrderStatus, PurchaseOrderStatus]] = set()
    for old in PurchaseOrderStatus:
        for new in PurchaseOrderStatus:
            if old is new:
                continue
            with yard.database.engine.connect() as conn:
                with conn.begin(), loading_history(conn):
                    conn.execute(text("UPDATE purchase_orders SET status = :s WHERE note = 'PUR-DRAFT'"), {"s": old})
                try:
                    with conn.begin():
                        conn.execute(
                            text("UPDATE purchase_orders SET status = :s WHERE note = 'PUR-DRAFT'"), {"s": new.value}
                        )
                    allowed.add((old, new))
                except Exception as exc:  # noqa: BLE001 - which pairs are refused is the result
                    refused_by = getattr(getattr(exc, "orig", None), "sqlstate", None)
                    assert refused_by == "MP005" or "MPSYSTEM: A purchase order goes" in str(exc), exc
    assert allowed == {(old, new) for old, steps in PURCHASE_ORDER_TRANSITIONS.items() for new in steps}
