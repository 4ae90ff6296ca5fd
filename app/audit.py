"""The plant's books checked against each other: balances against the ledger, changes against the journal,
deliveries against the ledger.

Whatever wrote the data (people through the services, an import, the demo's bulk history),
the same must hold: every balance is the sum of its movements, and every change to a batch,
an order, a customer, the master data or a line's stops has its journal entry.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from data.db import Database
from domain.vocabulary import BatchStatus, MovementKind, OrderStatus

# The journal's word for each kind of movement, and whose entry it is (the batch's or the order's).
MOVEMENT_ENTRIES: dict[MovementKind, tuple[str, str]] = {
    MovementKind.RECEIPT: ("batch", "received"),
    MovementKind.TRANSFER: ("batch", "transferred"),
    MovementKind.ISSUE: ("batch", "issued"),
    MovementKind.ADJUSTMENT: ("batch", "adjusted"),
    MovementKind.CONSUMPTION: ("order", "consumed"),
    MovementKind.OUTPUT: ("order", "output"),
}
# What each order status says happened to the order, by the journal's words.
ORDER_STEPS: dict[OrderStatus, tuple[str, ...]] = {
    OrderStatus.NEW: ("created",),
    OrderStatus.PLANNED: ("created", "planned"),
    OrderStatus.IN_PROGRESS: ("created", "planned", "started"),
    OrderStatus.DONE: ("created", "planned", "started", "finished"),
    OrderStatus.CANCELLED: ("created", "cancelled"),
}
MASTER_DATA = {
    "warehouse": "warehouses",
    "material": "materials",
    "supplier": "suppliers",
    "line": "production_lines",
    "customer": "customers",
    "product": "products",
    "user": "users",
}

LEDGER = """
    WITH flows AS (
        SELECT batch_id, to_warehouse_id AS warehouse_id, quantity FROM stock_movements
         WHERE to_warehouse_id IS NOT NULL
        UNION ALL
        SELECT batch_id, from_warehouse_id, -quantity FROM stock_movements
         WHERE from_warehouse_id IS NOT NULL
    ), ledger AS (
        SELECT batch_id, warehouse_id, SUM(quantity) AS quantity FROM flows GROUP BY batch_id, warehouse_id
    )
    SELECT COALESCE(b.batch_id, l.batch_id) AS batch_id, COALESCE(b.warehouse_id, l.warehouse_id) AS warehouse_id,
           b.quantity AS balance, l.quantity AS ledger
      FROM stock_balances b FULL OUTER JOIN ledger l
        ON l.batch_id = b.batch_id AND l.warehouse_id = b.warehouse_id
     WHERE COALESCE(b.quantity, 0) <> COALESCE(l.quantity, 0)
"""


def audit(database: Database) -> list[str]:
    """Every disagreement found, in plain words; an empty list when the books agree."""
    with database.engine.connect() as conn:
        return [
            *_balances(conn),
            *_movements(conn),
            *_quality(conn),
            *_orders(conn),
            *_created(conn),
            *_archived(conn),
            *_stops(conn),
            *_deliveries(conn),
        ]


def _balances(conn: Connection) -> list[str]:
    return [
        f"batch #{r.batch_id} in warehouse #{r.warehouse_id}: balance {r.balance}, the ledger says {r.ledger}"
        for r in conn.execute(text(LEDGER))
    ]


def _movements(conn: Connection) -> list[str]:
    """As many journal entries of each kind as movements, per batch (stock) or per order (production)."""
    problems = []
    for kind, (entity, action) in MOVEMENT_ENTRIES.items():
        owner = "batch_id" if entity == "batch" else "production_order_id"
        rows = conn.execute(
            text(f"""
                WITH moved AS (
                    SELECT {owner} AS id, COUNT(*) AS n FROM stock_movements WHERE kind = :kind GROUP BY {owner}
                ), told AS (
                    SELECT entity_id AS id, COUNT(*) AS n FROM events
                     WHERE entity_type = :entity AND action = :action GROUP BY entity_id
                )
                SELECT COALESCE(m.id, t.id) AS id, COALESCE(m.n, 0) AS moved, COALESCE(t.n, 0) AS told
                  FROM moved m FULL OUTER JOIN told t ON t.id = m.id
                 WHERE COALESCE(m.n, 0) <> COALESCE(t.n, 0)
            """),
            {"kind": kind.value, "entity": entity, "action": action},
        )
        problems += [
            f"{entity} #{r.id}: {r.moved} {kind.label} movements but {r.told} “{action}” journal entries" for r in rows
        ]
    return problems


def _quality(conn: Connection) -> list[str]:
    """A batch approved or blocked has the manager's decision in the journal."""
    rows = conn.execute(
        text("""
            SELECT b.number AS number, b.status AS status FROM batches b
             WHERE b.status <> :pending AND NOT EXISTS (
                   SELECT 1 FROM events e WHERE e.entity_type = 'batch' AND e.entity_id = b.id AND e.action = b.status)
        """),
        {"pending": BatchStatus.PENDING.value},
    )
    return [f"batch {r.number} is {BatchStatus(r.status).label} with no such decision in the journal" for r in rows]


def _orders(conn: Connection) -> list[str]:
    problems = []
    for status, steps in ORDER_STEPS.items():
        for step in steps:
            rows = conn.execute(
                text("""
                    SELECT o.number AS number FROM production_orders o
                     WHERE o.status = :status AND NOT EXISTS (
                           SELECT 1 FROM events e
                            WHERE e.entity_type = 'order' AND e.entity_id = o.id AND e.action = :step)
                """),
                {"status": status.value, "step": step},
            )
            problems += [f"order {r.number} is {status.label} with no “{step}” in the journal" for r in rows]
    return problems


def _created(conn: Connection) -> list[str]:
    problems = []
    for entity, table in MASTER_DATA.items():
        rows = conn.execute(
            text(f"""
                SELECT x.id AS id FROM {table} x WHERE NOT EXISTS (
                    SELECT 1 FROM events e
                     WHERE e.entity_type = :entity AND e.entity_id = x.id AND e.action = 'created')
            """),
            {"entity": entity},
        )
        problems += [f"{entity} #{r.id} has no “created” in the journal" for r in rows]
    return problems


def _archived(conn: Connection) -> list[str]:
    rows = conn.execute(
        text("""
            SELECT c.code AS code FROM customers c WHERE c.archived AND NOT EXISTS (
                SELECT 1 FROM events e
                 WHERE e.entity_type = 'customer' AND e.entity_id = c.id AND e.action = 'archived')
        """)
    )
    return [f"customer {r.code} is archived with no “archived” in the journal" for r in rows]


def _stops(conn: Connection) -> list[str]:
    """A stop was recorded (open, or with its end); one opened and since ended says when it ran again."""
    rows = conn.execute(
        text("""
            SELECT s.id AS id,
                   EXISTS (SELECT 1 FROM events e WHERE e.entity_type = 'line_stop' AND e.entity_id = s.id
                            AND e.action IN ('stopped', 'recorded')) AS recorded,
                   EXISTS (SELECT 1 FROM events e WHERE e.entity_type = 'line_stop' AND e.entity_id = s.id
                            AND e.action = 'stopped') AS opened,
                   EXISTS (SELECT 1 FROM events e WHERE e.entity_type = 'line_stop' AND e.entity_id = s.id
                            AND e.action IN ('restarted', 'edited')) AS ended,
                   s.ended_at IS NOT NULL AS closed
              FROM line_stops s
        """)
    )
    problems = []
    for r in rows:
        if not r.recorded:
            problems.append(f"line stop #{r.id} has no “stopped” or “recorded” in the journal")
        elif r.opened and r.closed and not r.ended:
            problems.append(f"line stop #{r.id} ended with no “restarted” in the journal")
    return problems


def _deliveries(conn: Connection) -> list[str]:
    """Each delivery has its lines and its journal entry; each line is one movement of kind delivery, of the
    same batch and quantity, for the delivery's order; and no such movement is without its line."""
    problems = [
        f"delivery {r.number} has {r.n} “delivered” journal entries"
        for r in conn.execute(
            text("""
                SELECT d.number AS number, COUNT(e.id) AS n FROM deliveries d
                  LEFT JOIN events e ON e.entity_type = 'delivery' AND e.entity_id = d.id AND e.action = 'delivered'
                 GROUP BY d.id, d.number HAVING COUNT(e.id) <> 1
            """)
        )
    ]
    problems += [
        f"delivery {r.number} has no lines"
        for r in conn.execute(
            text(
                "SELECT d.number AS number FROM deliveries d"
                " WHERE NOT EXISTS (SELECT 1 FROM delivery_lines l WHERE l.delivery_id = d.id)"
            )
        )
    ]
    problems += [
        f"delivery {r.number}: a line disagrees with its ledger movement #{r.movement_id}"
        for r in conn.execute(
            text("""
                SELECT d.number AS number, l.movement_id AS movement_id FROM delivery_lines l
                  JOIN deliveries d ON d.id = l.delivery_id
                  JOIN stock_movements m ON m.id = l.movement_id
                 WHERE m.kind <> :kind OR m.batch_id <> l.batch_id OR m.quantity <> l.quantity
                    OR m.production_order_id <> d.production_order_id
            """),
            {"kind": MovementKind.DELIVERY.value},
        )
    ]
    problems += [
        f"movement #{r.id} of kind delivery belongs to no delivery"
        for r in conn.execute(
            text(
                "SELECT m.id AS id FROM stock_movements m WHERE m.kind = :kind"
                " AND NOT EXISTS (SELECT 1 FROM delivery_lines l WHERE l.movement_id = m.id)"
            ),
            {"kind": MovementKind.DELIVERY.value},
        )
    ]
    return problems
