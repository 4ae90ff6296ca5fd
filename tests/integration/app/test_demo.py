"""The demo plant: built in stages through the services, and its books agree like a plant worked by people."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, text

from app import services as s
from app.audit import audit
from app.context import Context
from app.demo import DEMO_USERS, load_demo
from data.db import Database
from data.models import Event
from tests.helpers import queue_problems

NOW = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)


def _content(database: Database) -> dict[str, list[tuple[object, ...]]]:
    queries = {
        "batches": "SELECT number, status, received_at, expiry_date FROM batches ORDER BY number",
        "orders": "SELECT number, status, quantity, due_date, created_at FROM production_orders ORDER BY number",
        "balances": "SELECT b.number, s.quantity FROM stock_balances s JOIN batches b ON b.id = s.batch_id "
        "ORDER BY b.number, s.warehouse_id",
        "stops": "SELECT l.code, s.started_at, s.ended_at, r.code, s.note FROM line_stops s "
        "JOIN production_lines l ON l.id = s.line_id JOIN stop_reasons r ON r.id = s.reason_id "
        "ORDER BY l.code, s.started_at",
    }
    with database.engine.connect() as conn:
        return {k: [tuple(r) for r in conn.execute(text(q))] for k, q in queries.items()}


# What a line did while one of its stops says it stood still: an order started or finished there, a batch
# consumed or made there.
WORKED_WHILE_STOPPED = """
    WITH worked AS (
        SELECT o.line_id AS line_id, m.created_at AS at, m.kind AS what FROM stock_movements m
          JOIN production_orders o ON o.id = m.production_order_id
         WHERE m.kind IN ('consumption', 'output')
        UNION ALL
        SELECT line_id, started_at, 'started' FROM production_orders WHERE started_at IS NOT NULL
        UNION ALL
        SELECT line_id, finished_at, 'finished' FROM production_orders WHERE finished_at IS NOT NULL
    )
    SELECT l.code, w.what, w.at, s.started_at, s.ended_at FROM worked w
      JOIN line_stops s ON s.line_id = w.line_id AND w.at >= s.started_at AND (s.ended_at IS NULL OR w.at <= s.ended_at)
      JOIN production_lines l ON l.id = w.line_id
"""


def test_the_demo_passes_the_audit(admin: Context) -> None:
    """Balances equal the ledger; every movement, decision and master-data change has its journal entry."""
    summary = load_demo(admin.database, events=6000, now=NOW)
    assert audit(admin.database) == []
    assert queue_problems(admin.database) == []
    assert summary.events == 6000 and summary.orders == 200 and summary.customers == 50
    with admin.database.engine.connect() as conn:
        latest = conn.scalar(select(func.max(Event.occurred_at)).where(Event.entity_type == "order"))
    # the services wrote the orders' entries at the moments they happened, not at load time
    assert latest is not None and latest <= NOW
    # months of stops, lines standing now, and never a line working while it stood still
    assert summary.stops > 500
    with admin.database.engine.connect() as conn:
        assert conn.execute(text(WORKED_WHILE_STOPPED)).all() == []


def test_the_audit_finds_what_does_not_add_up(admin: Context) -> None:
    load_demo(admin.database, events=0, now=NOW)
    with admin.database.engine.begin() as conn:
        if admin.database.is_sqlite:
            # The database refuses this tampering; whoever can write the file can drop its rules first.
            for rule in ("mpsystem_ledger_balance_update", "mpsystem_journal_kept"):
                conn.execute(text(f"DROP TRIGGER {rule}"))
        first = "(SELECT MIN(batch_id) FROM stock_balances)"
        conn.execute(text(f"UPDATE stock_balances SET quantity = quantity + 1 WHERE batch_id = {first}"))
        conn.execute(text("DELETE FROM events WHERE id = (SELECT MIN(id) FROM events WHERE action = 'transferred')"))
        conn.execute(text("DELETE FROM events WHERE entity_type = 'warehouse' AND entity_id = 1"))
    found = audit(admin.database)
    assert any("balance" in p and "the ledger says" in p for p in found)
    assert any("transfer movements but" in p for p in found)
    assert "warehouse #1 has no “created” in the journal" in found


def test_the_demo_plant_is_the_same_every_time(tmp_path: object, sqlite_template: object) -> None:
    import shutil
    from pathlib import Path

    from data.db import open_database

    contents = []
    for name in ("a", "b"):
        path = Path(str(tmp_path)) / f"{name}.sqlite3"
        shutil.copyfile(str(sqlite_template), path)
        database = open_database(path)
        load_demo(database, events=0, now=NOW)
        contents.append(_content(database))
        database.dispose()
    assert contents[0] == contents[1]
    assert len(contents[0]["batches"]) == 991 and len(contents[0]["orders"]) == 200


def test_the_demo_people_work_through_the_services(admin: Context) -> None:
    """The demo's people are real users: the planner can plan a demo order as anyone would."""
    load_demo(admin.database, events=0, now=NOW)
    planner = next(p for p in DEMO_USERS if p.username == "planner")
    from app.queries import backlog, users
    from app.security import CurrentUser

    row = next(u for u in users(admin.reader()) if u.username == planner.username)
    ctx = Context(admin.database, CurrentUser(row.id, row.username, row.full_name, row.role))
    number = next(o.number for o in backlog(ctx.reader()).rows if o.unit == "kg")
    assert s.plan_order(ctx.uow(), number=number, line="EXTRUDER-2") >= 1
    assert audit(admin.database) == []


def test_the_demo_follows_a_granulate_batch_to_its_customers_and_a_delivery_back(admin: Context) -> None:
    """The recall example: batch 315 of the purchases, a granulate, reaches customers through four steps."""
    from app.services.trace import recall, trace_delivery

    load_demo(admin.database, events=0, now=NOW)
    found = recall(admin.reader(), number="R2604-00315")  # bought 52 days before NOW
    assert found.material_name == "LDPE granulate FT5230" and found.origin.startswith("supplier ")
    assert len(found.customers) >= 3 and max(d.steps for d in found.deliveries) == 4
    delivery = next(d for d in found.deliveries if d.steps == 4)
    back = trace_delivery(admin.reader(), number=delivery.delivery_number)

    def keys(node: object) -> set[str]:
        return {node.key} | {k for child in node.children for k in keys(child)}  # type: ignore[attr-defined]

    assert "R2604-00315" in keys(back)
    with admin.database.engine.connect() as conn:
        products = conn.scalar(text("SELECT COUNT(*) FROM products WHERE recipe_revision = 1"))
        orphans = conn.scalar(text("SELECT COUNT(*) FROM production_orders WHERE product_id IS NULL"))
    assert products == 19 and orphans == 0
