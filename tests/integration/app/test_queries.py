"""Paging, sorting and filtering in SQL for the five tables."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from app import queries as q
from app import services as s
from app.context import Context
from app.errors import ValidationError
from tests.conftest import in_days


@pytest.fixture
def stocked(plant: Context) -> Context:
    for i in range(1, 13):
        s.receive_batch(
            plant.uow(),
            number=f"B-{i:03d}",
            material="LDPE" if i % 2 else "INK-CYAN",
            supplier="BASELL",
            quantity=100 * i,
            warehouse="MAG-1" if i % 3 else "MAG-1.1",
            expiry_date=in_days(10 * i),
        )
    s.approve_batch(plant.uow(), batch="B-001")
    s.block_batch(plant.uow(), batch="B-002", reason="Colour off")
    s.transfer_stock(plant.uow(), batch="B-001", from_warehouse="MAG-1", to_warehouse="MAG-3", quantity=40)
    return plant


def test_batches_paging_sorting_and_filters(stocked: Context) -> None:
    r = stocked.reader
    first = q.batches(r(), sort="number", offset=0, limit=5)
    second = q.batches(r(), sort="number", offset=5, limit=5)
    last = q.batches(r(), sort="number", offset=10, limit=5)
    assert first.total == 12
    assert [b.number for b in first.rows + second.rows + last.rows] == [f"B-{i:03d}" for i in range(1, 13)]
    assert [b.number for b in q.batches(r(), sort="quantity", descending=True, limit=2).rows] == ["B-012", "B-011"]
    assert [b.number for b in q.batches(r(), q.BatchFilter(status="blocked")).rows] == ["B-002"]
    assert q.batches(r(), q.BatchFilter(material="INK-CYAN")).total == 6
    in_mag3 = q.batches(r(), q.BatchFilter(warehouse="MAG-3")).rows
    assert [(b.number, b.locations) for b in in_mag3] == [("B-001", "MAG-1, MAG-3")]
    window = q.batches(r(), q.BatchFilter(expires_from=in_days(15), expires_to=in_days(35)), sort="expiry_date")
    assert [b.number for b in window.rows] == ["B-002", "B-003"]
    with pytest.raises(ValidationError, match="ends before it starts"):
        q.batches(r(), q.BatchFilter(expires_from=in_days(5), expires_to=in_days(1)))
    with pytest.raises(ValidationError, match="Cannot sort by"):
        q.batches(r(), sort="password_hash")


@pytest.mark.parametrize("needle", ["%", "_", "'; DROP TABLE batches; --", "\\", "B-00_"])
def test_text_filters_take_metacharacters_literally(stocked: Context, needle: str) -> None:
    assert q.batches(stocked.reader(), q.BatchFilter(text=needle)).total == 0
    assert q.customers(stocked.reader(), q.CustomerFilter(text=needle)).total == 0
    journal = q.events(stocked.reader(), limit=1000).rows
    literal = sum(needle.lower() in e.summary.lower() for e in journal)
    assert q.events(stocked.reader(), q.EventFilter(text=needle)).total == literal


def test_inventory_totals_and_reorder_flag(stocked: Context) -> None:
    page = q.inventory(stocked.reader(), sort="quantity", descending=True, limit=50)
    ldpe = [row for row in page.rows if row.material_code == "LDPE"]
    # LDPE batches 1,3,5,7,9,11: 3600 kg in all, reorder level 1000; its own row first, then its warehouses
    total, *stores = ldpe
    assert total.is_material and total.quantity == total.material_total == 3600
    assert stores and all(not row.is_material for row in stores)
    assert sum(row.quantity for row in stores) == 3600
    assert sum(row.usable + row.on_hold for row in stores) == 3600
    assert not any(row.below_reorder for row in ldpe)
    assert q.inventory(stocked.reader(), q.InventoryFilter(below_reorder_only=True)).total == 0
    s.issue_stock(stocked.uow(), batch="B-001", warehouse="MAG-3", quantity=40)
    s.adjust_stock(stocked.uow(), batch="B-003", warehouse="MAG-1.1", change=-250, reason="spillage")
    mag3 = q.inventory(stocked.reader(), q.InventoryFilter(warehouse="MAG-3"))
    assert mag3.total == 0  # empty balances are not stock
    drill = q.inventory_batches(stocked.reader(), material_id=total.material_id)
    assert sum(b.quantity for b in drill) == 3600 - 40 - 250


def test_events_newest_first_with_filters(stocked: Context) -> None:
    page = q.events(stocked.reader(), limit=3)
    assert page.total >= 15
    assert [e.occurred_at for e in page.rows] == sorted((e.occurred_at for e in page.rows), reverse=True)
    blocked = q.events(stocked.reader(), q.EventFilter(action="blocked"))
    assert [e.summary for e in blocked.rows] == ["Blocked batch B-002: Colour off"]
    assert q.events(stocked.reader(), q.EventFilter(text="colour OFF")).total == 1
    today = date.today()
    assert q.events(stocked.reader(), q.EventFilter(date_from=today, date_to=today)).total == page.total
    assert q.events(stocked.reader(), q.EventFilter(date_to=today - timedelta(days=1))).total == 0
    # the last page, read from the far end, matches reading forwards
    everything = q.events(stocked.reader(), limit=1000).rows
    tail = q.events(stocked.reader(), offset=page.total - 4, limit=4).rows
    assert tail == everything[-4:]


def test_journal_entries_name_their_subjects_by_number(stocked: Context) -> None:
    s.create_order(stocked.uow(), customer="C-001", product="PE-50", quantity=100, unit="kg", due_date=in_days(5))
    everything = q.events(stocked.reader(), limit=1000).rows
    blocked = next(e for e in everything if e.action == "blocked")
    assert (blocked.subject, blocked.about()) == ("B-002", "batch B-002")
    order = next(e for e in everything if e.entity_type == "order")
    assert order.subject is not None and order.subject.startswith("PO-") and order.about() == f"order {order.subject}"
    for e in everything:
        if e.entity_id is not None and e.entity_type in q.SUBJECT_KEYS:
            assert e.subject == q.entity_key(stocked.reader(), e.entity_type, e.entity_id), e
    created = next(e for e in everything if e.entity_type == "warehouse")
    assert created.subject is not None and created.summary.startswith(f"Created warehouse {created.subject} ")


def test_line_queues_show_every_line(plant: Context) -> None:
    queues = q.line_queues(plant.reader())
    assert [lq.line_code for lq in queues] == ["EXTRUDER-1", "EXTRUDER-2", "PRINT-LINE-1"]
    with pytest.raises(ValidationError, match="no production line"):
        q.line_queues(plant.reader(), line="NOPE")


@pytest.mark.parametrize("common_threshold", [20_000, 50])
def test_journal_search_paths_agree_with_a_literal_count(
    database_url: str, admin: Context, monkeypatch: pytest.MonkeyPatch, common_threshold: int
) -> None:
    """Index, scan and combined filters all give what a plain substring search gives."""
    from app.demo import load_demo

    monkeypatch.setattr(q, "COMMON_MATCHES", common_threshold)
    load_demo(admin.database, events=6000)
    journal = q.events(admin.reader(), limit=1000)
    everything = [
        e for offset in range(0, journal.total, 1000) for e in q.events(admin.reader(), offset=offset, limit=1000).rows
    ]
    assert len(everything) == journal.total == 6000
    for needle in ["signed in", "SIGNED", "po-20", "Bałtyk", "ЛЬВІВ", "łódź", "MAG-1.1", "zz-none", "e"]:
        expected = [e.id for e in everything if needle.lower() in e.summary.lower()]
        page = q.events(admin.reader(), q.EventFilter(text=needle), limit=1000)
        assert page.total == len(expected), needle
        assert [e.id for e in page.rows] == expected[:1000], needle
        only_orders = q.events(admin.reader(), q.EventFilter(text=needle, entity_type="order"), limit=1000)
        assert only_orders.total == sum(1 for e in everything if e.id in set(expected) and e.entity_type == "order")
        # Asked quick, the first page is the same; a common needle's count is only a lower bound.
        quick = q.events(admin.reader(), q.EventFilter(text=needle), limit=200, quick=True)
        assert [e.id for e in quick.rows] == expected[:200], needle
        if quick.counted:
            assert quick.total == len(expected) < max(common_threshold, 200), needle
        else:
            assert quick.total == max(common_threshold, 200) <= len(expected), needle
        second = q.events(admin.reader(), q.EventFilter(text=needle), offset=200, limit=200, quick=True)
        assert second.counted and second.total == len(expected), needle


def test_every_list_and_report_reads_its_rows_by_name(stocked: Context) -> None:
    """Each list and report query runs with rows to read: a label that disagrees with its DTO fails here."""
    from app import reporting
    from app.dto import (
        BalanceRow,
        BatchLabel,
        BatchRow,
        CustomerRow,
        EventRow,
        InventoryRow,
        MovementRow,
        OrderRow,
        StockLine,
        UserRow,
    )

    u, r = stocked.uow, stocked.reader
    s.create_order(u(), customer="C-001", product="PE-50", quantity=500, unit="kg", due_date=in_days(9), number="O-1")
    s.plan_order(u(), number="O-1", line="EXTRUDER-1")
    s.start_order(u(), number="O-1")
    s.consume_batch(u(), order="O-1", batch="B-001", warehouse="MAG-3", quantity=10)
    s.record_output(u(), order="O-1", material="FILM-PE-50", quantity=480, warehouse="MAG-3")
    s.create_user(u(), username="ola", role="clerk", password="a long enough password")
    lists = {
        InventoryRow: q.inventory(r()).rows,
        BatchRow: q.batches(r()).rows,
        OrderRow: q.orders(r()).rows,
        EventRow: q.events(r()).rows,
        CustomerRow: q.customers(r()).rows,
        UserRow: q.users(r()),
        BalanceRow: q.inventory_batches(
            r(), material_id=next(row for row in q.inventory(r()).rows if row.batch_count).material_id
        ),
    }
    queued = [s.order for line in q.line_queues(r()) for s in line.orders]
    inventory = reporting.inventory_report(stocked, None)
    trace = reporting.trace_report(stocked, "B-001")
    customer = reporting.customer_report(stocked, "C-001")
    reports = {
        BatchLabel: reporting.batch_labels(stocked, ["B-001", "O-1-001"]),
        StockLine: inventory.lines,
        MovementRow: trace.movements,
        OrderRow: customer.orders
        + tuple(s.order for line in reporting.plan_report(stocked).queues for s in line.orders),
        EventRow: tuple(reporting.events_report(stocked, q.EventFilter()).rows()),
    }
    for dto, rows in [*lists.items(), *reports.items(), (OrderRow, tuple(queued))]:
        assert rows, f"no {dto.__name__} rows to check"
        assert all(isinstance(row, dto) for row in rows)
    assert [o.number for o in queued] == ["O-1"] and queued[0].position == 1
    labels = reporting.batch_labels(stocked, ["B-001", "O-1-001"])
    assert [(b.origin_kind, b.origin) for b in labels] == [("supplier", "LyondellBasell"), ("order", "O-1")]
    assert customer.customer.open_orders == 1 and customer.customer.total_orders == 1


@pytest.mark.parametrize(
    ("listing", "declared"),
    [
        (q.inventory, q.INVENTORY_SORTS),
        (q.batches, q.BATCH_SORTS),
        (q.orders, q.ORDER_SORTS),
        (q.events, q.EVENT_SORTS),
        (q.customers, q.CUSTOMER_SORTS),
        (q.warehouses, q.WAREHOUSE_SORTS),
        (q.materials, q.MATERIAL_SORTS),
        (q.suppliers, q.SUPPLIER_SORTS),
        (q.lines, q.LINE_SORTS),
    ],
)
def test_every_declared_sort_key_sorts_both_ways(stocked: Context, listing: Any, declared: tuple[str, ...]) -> None:
    s.create_order(stocked.uow(), customer="C-002", product="PE-50", quantity=9, unit="kg", due_date=in_days(3))
    for key in declared:
        for descending in (False, True):
            assert listing(stocked.reader(), sort=key, descending=descending, limit=5).total > 0, key
    with pytest.raises(ValidationError, match="Cannot sort by"):
        listing(stocked.reader(), sort="not_a_column")


def test_usable_and_on_hold_apart_and_a_material_at_zero(stocked: Context) -> None:
    """Approved, unexpired stock is usable; pending, blocked and expired stock is on hold."""
    s.approve_batch(stocked.uow(), batch="B-003")
    with stocked.database.engine.begin() as conn:  # B-003 ran out of date yesterday
        conn.execute(text("UPDATE batches SET expiry_date = :d WHERE number = 'B-003'"), {"d": in_days(-1)})
    ldpe = q.inventory(stocked.reader(), q.InventoryFilter(text="LDPE")).rows[0]
    # B-001 approved (100), B-003 approved but expired (300), the rest pending
    assert (ldpe.usable, ldpe.on_hold, ldpe.quantity) == (100, 3500, 3600)
    cores = q.inventory(stocked.reader(), q.InventoryFilter(text="CORE-76")).rows
    assert [(r.is_material, r.quantity, r.batch_count, r.below_reorder) for r in cores] == [(True, 0, 0, False)]
    s.edit_material(stocked.uow(), code="CORE-76", name="Cores 76 mm", kind="core", unit="pcs", reorder_level=100)
    below = q.inventory(stocked.reader(), q.InventoryFilter(below_reorder_only=True)).rows
    assert [r.material_code for r in below] == ["CORE-76"]
    s.set_material_archived(stocked.uow(), code="CORE-76", archived=True)  # archived and empty: not listed
    assert q.inventory(stocked.reader(), q.InventoryFilter(text="CORE-76")).total == 0
    by_usable = q.inventory(stocked.reader(), sort="usable", descending=True).rows
    assert by_usable[0].material_code == "LDPE" and by_usable[1].material_code == "LDPE"


def test_master_lists_suppliers_batches_and_the_plants_setup(stocked: Context) -> None:
    r = stocked.reader
    assert [w.code for w in q.warehouses(r(), q.MasterFilter(kind="adr")).rows] == ["MAG-1.1"]
    assert q.warehouses(r(), q.MasterFilter(text="MAG-1.1")).rows[0].batch_count == 4
    assert q.materials(r(), sort="stock", descending=True).rows[0].code == "INK-CYAN"  # 4,200 kg
    basell = q.suppliers(r()).rows[0]
    assert (basell.code, basell.batch_count) == ("BASELL", 12) and basell.last_receipt is not None
    supplied = q.supplied_batches(r(), "BASELL")
    assert len(supplied) == 12 and supplied[0].number == "B-012"
    b1 = next(b for b in supplied if b.number == "B-001")
    assert (b1.received, b1.quantity, b1.status) == (100, 100, "approved")
    assert [ln.code for ln in q.lines(r(), q.MasterFilter(kind="printing")).rows] == ["PRINT-LINE-1"]
    setup = q.plant_setup(r())
    assert (setup.warehouses, setup.materials, setup.lines, setup.missing) == (5, 5, 3, ())
    for code in ("EXTRUDER-1", "EXTRUDER-2", "PRINT-LINE-1"):
        s.set_line_archived(stocked.uow(), code=code, archived=True)
    assert q.plant_setup(r()).missing == ("lines",)
    with pytest.raises(ValidationError, match="no supplier"):
        q.supplied_batches(r(), "NOPE")
