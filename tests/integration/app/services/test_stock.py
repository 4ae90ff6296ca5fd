"""Receiving, moving, issuing, adjusting and the quality decision, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from app import queries as q
from app import services as s
from app.context import Context
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.permissions import Role
from tests.conftest import in_days, snapshot
from tests.helpers import ledger_mismatches, negative_balances


def receive(
    ctx: Context,
    number: str = "B-001",
    quantity: Any = "1000",
    warehouse: str = "MAG-1",
    material: str = "LDPE",
    expiry: Any = None,
) -> int:
    return s.receive_batch(
        ctx.uow(),
        number=number,
        material=material,
        supplier="BASELL",
        quantity=quantity,
        warehouse=warehouse,
        expiry_date=expiry or in_days(365),
    )


def balance(ctx: Context, number: str, warehouse: str) -> Decimal:
    with ctx.database.engine.connect() as conn:
        value = conn.execute(
            text(
                "SELECT b.quantity FROM stock_balances b JOIN batches x ON x.id = b.batch_id "
                "JOIN warehouses w ON w.id = b.warehouse_id WHERE x.number = :n AND w.code = :w"
            ),
            {"n": number, "w": warehouse},
        ).scalar()
    if value is None:
        return Decimal("0")
    # SQLite keeps thousandths as integers; PostgreSQL keeps NUMERIC
    return Decimal(value) / 1000 if ctx.database.is_sqlite else Decimal(value)


def events_count(ctx: Context) -> int:
    with ctx.database.engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM events")).scalar_one())


def test_receive_creates_pending_batch_with_receipt_and_one_event(plant: Context) -> None:
    before = events_count(plant)
    batch_id = receive(plant, quantity="1250.5")
    page = q.batches(plant.reader(), q.BatchFilter(text="B-001"))
    assert page.total == 1
    row = page.rows[0]
    assert (row.id, row.status, row.quantity, row.locations, row.origin) == (
        batch_id,
        "pending",
        Decimal("1250.500"),
        "MAG-1",
        "LyondellBasell",
    )
    assert balance(plant, "B-001", "MAG-1") == Decimal("1250.5")
    assert events_count(plant) == before + 1
    assert ledger_mismatches(plant.database) == []


def test_a_quantity_typed_in_another_unit_is_refused_and_nothing_written(plant: Context) -> None:
    before = snapshot(plant.database)
    with pytest.raises(ValidationError, match="This is counted in kg, not in m: enter the quantity in kg."):
        receive(plant, quantity="12 m")
    assert snapshot(plant.database) == before
    receive(plant, quantity="1,250.5 kg")  # the unit it is counted in may be typed
    assert balance(plant, "B-001", "MAG-1") == Decimal("1250.5")


def test_round_of_transfer_issue_adjust_keeps_ledger(plant: Context) -> None:
    receive(plant)
    s.approve_batch(plant.uow(), batch="B-001")
    s.transfer_stock(plant.uow(), batch="B-001", from_warehouse="MAG-1", to_warehouse="MAG-3", quantity="400")
    s.issue_stock(plant.uow(), batch="B-001", warehouse="MAG-3", quantity="150.25")
    s.adjust_stock(plant.uow(), batch="B-001", warehouse="MAG-1", change="-0.5", reason="Cycle count")
    s.adjust_stock(plant.uow(), batch="B-001", warehouse="MAG-3", change="2", reason="Found a sack")
    assert balance(plant, "B-001", "MAG-1") == Decimal("599.5")
    assert balance(plant, "B-001", "MAG-3") == Decimal("251.75")
    assert ledger_mismatches(plant.database) == []
    with plant.database.engine.connect() as conn:
        kinds = [r[0] for r in conn.execute(text("SELECT kind FROM stock_movements ORDER BY id"))]
    assert kinds == ["receipt", "transfer", "issue", "adjustment", "adjustment"]


def test_decimals_stay_exact(plant: Context) -> None:
    """0.1 + 0.2 taken from 0.3 leaves exactly zero, on both backends."""
    receive(plant, quantity="0.3")
    s.approve_batch(plant.uow(), batch="B-001")
    s.issue_stock(plant.uow(), batch="B-001", warehouse="MAG-1", quantity="0.1")
    s.issue_stock(plant.uow(), batch="B-001", warehouse="MAG-1", quantity="0.2")
    assert balance(plant, "B-001", "MAG-1") == 0
    with pytest.raises(ValidationError, match="no stock in MAG-1"):
        s.issue_stock(plant.uow(), batch="B-001", warehouse="MAG-1", quantity="0.001")


BAD_RECEIPTS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"quantity": 0}, ValidationError, "must not be zero"),
    ({"quantity": "-5"}, ValidationError, "greater than zero"),
    ({"quantity": "NaN"}, ValidationError, "real number"),
    ({"quantity": float("inf")}, ValidationError, "real number"),
    ({"quantity": "1e12"}, ValidationError, "too large"),
    ({"quantity": "12.3456"}, ValidationError, "at most 3 decimal places"),
    ({"quantity": "dwa"}, ValidationError, "not a number"),
    ({"material": "NO-SUCH"}, NotFound, "no material “NO-SUCH”"),
    ({"supplier": "NOBODY"}, NotFound, "no supplier “NOBODY”"),
    ({"warehouse": "MAG-99"}, NotFound, "no warehouse “MAG-99”"),
    ({"number": "B'; DROP TABLE batches;--"}, ValidationError, "may contain only"),
    ({"number": "X" * 41}, ValidationError, "too long"),
    ({"number": ""}, ValidationError, "required"),
    ({"expiry_date": "2020-01-01"}, ValidationError, "before the receipt date"),
    ({"expiry_date": "31.12.2030"}, ValidationError, "not a date"),
    ({"note": "n" * 501}, ValidationError, "too long"),
    ({"received_at": datetime.now(UTC) + timedelta(days=2)}, ValidationError, "future"),
]


@pytest.mark.parametrize(
    ("override", "error", "message"), BAD_RECEIPTS, ids=[repr(sorted(o))[:40] + m for o, _e, m in BAD_RECEIPTS]
)
def test_bad_receipt_is_refused_and_changes_nothing(
    plant: Context, override: dict[str, Any], error: type[Exception], message: str
) -> None:
    receive(plant, number="B-EXISTING")
    before = snapshot(plant.database)
    args: dict[str, Any] = {
        "number": "B-NEW",
        "material": "LDPE",
        "supplier": "BASELL",
        "quantity": "10",
        "warehouse": "MAG-1",
        "expiry_date": in_days(30),
    }
    args.update(override)
    with pytest.raises(error, match=message):
        s.receive_batch(plant.uow(), **args)
    assert snapshot(plant.database) == before


def test_duplicate_batch_number_and_whole_pieces(plant: Context) -> None:
    receive(plant)
    before = snapshot(plant.database)
    with pytest.raises(ValidationError, match="B-001 already exists"):
        receive(plant)
    with pytest.raises(ValidationError, match="pcs take whole numbers"):
        receive(plant, number="CORES-1", material="CORE-76", quantity="10.5")
    assert snapshot(plant.database) == before


def test_polish_and_cyrillic_text_round_trips(plant: Context) -> None:
    s.create_material(plant.uow(), code="ŻÓŁW-1", name="Granulat żółty – Жовтий", kind="granulate", unit="kg")
    s.receive_batch(
        plant.uow(),
        number="ŁÓDŹ-ПАРТІЯ-1",
        material="ŻÓŁW-1",
        supplier="BASELL",
        quantity=5,
        warehouse="MAG-1",
        note="Dostawa: «Северная» % _ \\ ' \"",
    )
    page = q.batches(plant.reader(), q.BatchFilter(text="жовтий"))
    assert [r.number for r in page.rows] == ["ŁÓDŹ-ПАРТІЯ-1"]
    assert q.batches(plant.reader(), q.BatchFilter(text="łódź")).total == 1


@pytest.mark.parametrize("verb", ["issue", "consume"])
@pytest.mark.parametrize("state", ["pending", "blocked", "expired"])
def test_only_approved_unexpired_batches_leave(plant: Context, verb: str, state: str) -> None:
    receive(plant)
    if state == "blocked":
        s.block_batch(plant.uow(), batch="B-001", reason="Wet granulate")
    if state == "expired":
        s.approve_batch(plant.uow(), batch="B-001")
        with plant.database.engine.begin() as conn:
            conn.execute(text("UPDATE batches SET expiry_date = :d WHERE number = 'B-001'"), {"d": in_days(-1)})
    if verb == "consume":
        s.create_order(
            plant.uow(),
            number="PO-1",
            customer="C-001",
            product="PE-50",
            quantity=100,
            unit="kg",
            due_date=in_days(5),
        )
        s.plan_order(plant.uow(), number="PO-1", line="EXTRUDER-1")
        s.start_order(plant.uow(), number="PO-1")
    before = snapshot(plant.database)
    expected = "expired on" if state == "expired" else f"is {state}"
    with pytest.raises(ValidationError, match=expected):
        if verb == "issue":
            s.issue_stock(plant.uow(), batch="B-001", warehouse="MAG-1", quantity=1)
        else:
            s.consume_batch(plant.uow(), order="PO-1", batch="B-001", warehouse="MAG-1", quantity=1)
    assert snapshot(plant.database) == before


def test_transfer_refusals_change_nothing(plant: Context) -> None:
    receive(plant, quantity=100)
    before = snapshot(plant.database)
    with pytest.raises(ValidationError, match="already in MAG-1"):
        s.transfer_stock(plant.uow(), batch="B-001", from_warehouse="MAG-1", to_warehouse="MAG-1", quantity=1)
    with pytest.raises(ValidationError, match="has only 100.000 kg in MAG-1"):
        s.transfer_stock(plant.uow(), batch="B-001", from_warehouse="MAG-1", to_warehouse="MAG-3", quantity="100.001")
    with pytest.raises(ValidationError, match="no stock in MAG-3"):
        s.transfer_stock(plant.uow(), batch="B-001", from_warehouse="MAG-3", to_warehouse="MAG-1", quantity=1)
    with pytest.raises(NotFound, match="no batch “B-404”"):
        s.transfer_stock(plant.uow(), batch="B-404", from_warehouse="MAG-1", to_warehouse="MAG-3", quantity=1)
    with pytest.raises(ValidationError, match="reason is required"):
        s.adjust_stock(plant.uow(), batch="B-001", warehouse="MAG-1", change=-1, reason="  ")
    with pytest.raises(ValidationError, match="has only 100.000 kg"):
        s.adjust_stock(plant.uow(), batch="B-001", warehouse="MAG-1", change=-101, reason="count")
    assert snapshot(plant.database) == before
    assert negative_balances(plant.database) == 0


def test_database_refuses_a_negative_balance_even_without_the_service(plant: Context) -> None:
    receive(plant, quantity=10)
    with pytest.raises(Exception, match="(?i)check"), plant.database.engine.begin() as conn:
        conn.execute(text("UPDATE stock_balances SET quantity = -1"))
    with pytest.raises(Exception, match="(?i)check"), plant.database.engine.begin() as conn:
        # a transfer into the warehouse it came from
        conn.execute(
            text(
                "INSERT INTO stock_movements (batch_id, kind, quantity, from_warehouse_id, to_warehouse_id,"
                " created_at) VALUES (1, 'transfer', 1, 1, 1, '2026-01-01')"
            )
        )


@pytest.mark.parametrize("role", [Role.VIEWER])
def test_viewer_may_not_touch_stock(plant: Context, people: dict[Role, Context], role: Role) -> None:
    receive(plant)
    ctx = people[role]
    before = snapshot(plant.database)
    calls: list[Callable[[], object]] = [
        lambda: receive(ctx, number="B-2"),
        lambda: s.transfer_stock(ctx.uow(), batch="B-001", from_warehouse="MAG-1", to_warehouse="MAG-3", quantity=1),
        lambda: s.issue_stock(ctx.uow(), batch="B-001", warehouse="MAG-1", quantity=1),
        lambda: s.adjust_stock(ctx.uow(), batch="B-001", warehouse="MAG-1", change=1, reason="x"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="Only a clerk or above may .*signed in as a viewer"):
            call()
    assert snapshot(plant.database) == before


def test_quality_decisions_need_a_manager_and_record_who(plant: Context, people: dict[Role, Context]) -> None:
    receive(plant)
    with pytest.raises(PermissionDenied, match="Only a manager or above may approve or block batches"):
        s.approve_batch(people[Role.PLANNER].uow(), batch="B-001")
    s.block_batch(people[Role.MANAGER].uow(), batch="B-001", reason="Melt index out of spec")
    row = q.batches(plant.reader()).rows[0]
    assert (row.status, row.status_reason) == ("blocked", "Melt index out of spec")
    events = q.events(plant.reader(), q.EventFilter(action="blocked"))
    assert [(e.username, e.summary) for e in events.rows] == [
        ("manager1", "Blocked batch B-001: Melt index out of spec")
    ]
    with pytest.raises(ValidationError, match="already blocked"):
        s.block_batch(people[Role.MANAGER].uow(), batch="B-001", reason="again")
    s.approve_batch(people[Role.MANAGER].uow(), batch="B-001")


def test_stale_quality_decision_names_who_changed_it(plant: Context, people: dict[Role, Context]) -> None:
    receive(plant)
    version = q.batches(plant.reader()).rows[0].version
    s.approve_batch(people[Role.MANAGER].uow(), batch="B-001", expected_version=version)
    before = snapshot(plant.database)
    with pytest.raises(ConflictError, match=r"changed by manager1 at \d{4}-\d\d-\d\d \d\d:\d\d"):
        s.block_batch(people[Role.ADMIN].uow(), batch="B-001", reason="late objection", expected_version=version)
    assert snapshot(plant.database) == before


def test_a_failure_halfway_rolls_back_everything(plant: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    """The balances have moved when the ledger write fails: nothing of it may remain."""
    import app.services.stock as stock

    receive(plant, quantity=100)
    s.approve_batch(plant.uow(), batch="B-001")
    before = snapshot(plant.database)

    def broken_ledger(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(stock, "add_movement", broken_ledger)
    with pytest.raises(RuntimeError, match="disk full"):
        s.transfer_stock(plant.uow(), batch="B-001", from_warehouse="MAG-1", to_warehouse="MAG-3", quantity=60)
    assert snapshot(plant.database) == before


def test_a_change_without_its_journal_entry_cannot_commit(plant: Context) -> None:
    from data.models import Warehouse

    before = snapshot(plant.database)
    with pytest.raises(RuntimeError, match="exactly one event"), plant.uow() as uow:
        uow.warehouses.add(Warehouse(code="MAG-X", name="Unjournalled", kind="production"))
        uow.commit()
    assert snapshot(plant.database) == before


@pytest.mark.parametrize("quantity", ["1e999999999", "1e-999999999", "-1e999999999"])
def test_absurd_quantities_are_refused_plainly_and_change_nothing(plant: Context, quantity: str) -> None:
    """Hole: 1e999999999 overflowed with a traceback; 1e-999999999 reached the database as a zero."""
    receive(plant)
    before = snapshot(plant.database)
    for attempt in (
        lambda: receive(plant, number="B-2", quantity=quantity),
        lambda: s.issue_stock(plant.uow(), batch="B-001", warehouse="MAG-1", quantity=quantity),
        lambda: s.adjust_stock(plant.uow(), batch="B-001", warehouse="MAG-1", change=quantity, reason="count"),
    ):
        with pytest.raises(ValidationError, match="too large|decimal places|greater than zero") as refused:
            attempt()
        assert "clashes" not in str(refused.value)
    assert snapshot(plant.database) == before
