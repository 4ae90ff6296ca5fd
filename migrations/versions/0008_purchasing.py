"""Buying: suppliers' materials and prices, purchase orders and their lines, batches received against a line.

- `supplier_materials` (supplier, material, price per unit, minimum order quantity, lead time in days).
- `purchase_orders` (number, supplier, status draft → sent → partly received → received | cancelled, the
  reason it was cancelled or closed, currency, note, created at and by, sent at) and
  `purchase_order_lines` (line number, material, quantity, price per unit, due day, received).
- `batches.purchase_order_line_id`: the line a batch was received against.

Both backends keep, whoever writes:
- a purchase order starts as a draft and moves only along its steps; its lines are written only while
  it is a draft, and start with nothing received;
- a receipt (a ledger movement of kind `receipt`) of a batch received against a line is booked only
  while its order is sent or partly received, and never brings the line past its quantity by more than
  the plant's tolerance (the `receipt_tolerance_percent` setting, 5 % when not set);
- each such receipt adds to the line's `received`, which follows the receipts and nothing else, and
  advances the order to partly received, or to received once every line is in;
- a batch received against a line is of the line's material, from its order's supplier, and keeps
  its line.
A history load (the demo plant) passes the rules that judge the present, as with 0004's; receipts are
added up even then.

PostgreSQL: the new tables belong to the owner; viewers read them; planners (the plant's buyers) keep
suppliers' prices and write purchase orders and their lines, but not what was received, which the
owner's receipt trigger writes as clerks receive; every write is notified.

SQLite: as 0007 commits 0006 before it begins, this revision commits 0007 (its work and its stamp) before
it begins, so that if this one fails the file stays at 0007 as 0007 left it.

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from data.types import Price, Quantity, UTCDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Frozen copies: a migration must do the same thing forever, whatever the code around it becomes.
STATUSES = ("draft", "sent", "partly_received", "received", "cancelled")
STEPS = (
    ("draft", "sent"), ("draft", "cancelled"),
    ("sent", "partly_received"), ("sent", "received"), ("sent", "cancelled"),
    ("partly_received", "received"), ("partly_received", "cancelled"),
)
RECEIVING = ("sent", "partly_received")
TOLERANCE_KEY = "receipt_tolerance_percent"
DEFAULT_TOLERANCE = 5
MAX_TOLERANCE = 50
LINE_COLUMNS = ("purchase_order_id", "line_no", "material_id", "quantity", "price", "due_date")
NEW_TABLES = ("supplier_materials", "purchase_orders", "purchase_order_lines")
GRANTS = [
    *(("viewer", "SELECT", t) for t in NEW_TABLES),
    ("planner", "INSERT", "supplier_materials"),
    ("planner", "UPDATE (price, minimum_order, lead_time_days, version)", "supplier_materials"),
    ("planner", "INSERT", "purchase_orders"),
    ("planner", "UPDATE (status, status_reason, note, sent_at, version)", "purchase_orders"),
    ("planner", "INSERT", "purchase_order_lines"),
    ("planner", "UPDATE (material_id, quantity, price, due_date)", "purchase_order_lines"),
]

REFUSE_STEP = (
    "A purchase order goes draft, sent, partly received, received; an open one may be cancelled."
)
REFUSE_DRAFT_ONLY = "A purchase order's lines are written only while it is a draft, and start with nothing received."
REFUSE_CLOSED = "Goods are received only against a purchase order that was sent and is not all in."
REFUSE_OVER = "The receipt would bring more than the purchase order line's quantity and the plant's tolerance allow."
REFUSE_RECEIVED = "What a purchase order line received follows its receipts; book a receipt instead."
REFUSE_BATCH = (
    "A batch received against a purchase order line is of the line's material, from its order's supplier, "
    "and keeps its line."
)


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _keep_what_came_before()
        _tables()
        _sqlite_rules()
        return
    with _as_owner():
        _tables()
        _pg_rules()
        _pg_grants_and_notices()


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for name in reversed(list(SQLITE_TRIGGERS)):
            op.execute(f"DROP TRIGGER {name}")
        _drop_tables(sqlite)
        return
    with _as_owner():
        schema = _schema()
        for table, name in reversed(PG_TRIGGERS):
            op.execute(f"DROP TRIGGER {name} ON {schema}.{table}")
        for name in reversed(PG_FUNCTION_NAMES):
            op.execute(f"DROP FUNCTION {schema}.{name}")
        _drop_tables(sqlite)


def _keep_what_came_before() -> None:
    """SQLite: commit the upgrade so far (the revisions before this one and their stamp); this one goes on in
    a transaction of its own, as the upgrade began."""
    conn = op.get_bind()
    conn.exec_driver_sql("COMMIT")
    conn.exec_driver_sql("BEGIN IMMEDIATE")


# ---------------------------------------------------------------- both backends


def _tables() -> None:
    op.create_table('supplier_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('price', Price(precision=14, scale=4), nullable=False),
    sa.Column('minimum_order', Quantity(precision=14, scale=3), nullable=False),
    sa.Column('lead_time_days', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('price >= 0', name=op.f('ck_supplier_materials_price_not_negative')),
    sa.CheckConstraint('minimum_order >= 0', name=op.f('ck_supplier_materials_minimum_order_not_negative')),
    sa.CheckConstraint('lead_time_days BETWEEN 0 AND 365', name=op.f('ck_supplier_materials_lead_time_range')),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_supplier_materials_material_id_materials')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_supplier_materials_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_materials')),
    sa.UniqueConstraint('supplier_id', 'material_id', name=op.f('uq_supplier_materials_supplier_id_material_id'))
    )
    with op.batch_alter_table('supplier_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_materials_material_id'), ['material_id'], unique=False)

    op.create_table('purchase_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=250), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint(f"status IN ({_sql_list(STATUSES)})", name=op.f('ck_purchase_orders_status')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_purchase_orders_supplier_id_suppliers')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_purchase_orders_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_purchase_orders_number'))
    )
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_orders_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_orders_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('purchase_order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purchase_order_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.SmallInteger(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('quantity', Quantity(precision=14, scale=3), nullable=False),
    sa.Column('price', Price(precision=14, scale=4), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('received', Quantity(precision=14, scale=3), nullable=False),
    sa.CheckConstraint('line_no BETWEEN 1 AND 99', name=op.f('ck_purchase_order_lines_line_range')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_purchase_order_lines_quantity_positive')),
    sa.CheckConstraint('price >= 0', name=op.f('ck_purchase_order_lines_price_not_negative')),
    sa.CheckConstraint('received >= 0', name=op.f('ck_purchase_order_lines_received_not_negative')),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_purchase_order_lines_material_id_materials')),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_orders.id'], name=op.f('fk_purchase_order_lines_purchase_order_id_purchase_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order_lines')),
    sa.UniqueConstraint('purchase_order_id', 'line_no', name=op.f('uq_purchase_order_lines_purchase_order_id_line_no'))
    )
    with op.batch_alter_table('purchase_order_lines', schema=None) as batch_op:
        batch_op.create_index('ix_purchase_order_lines_material_id_due_date', ['material_id', 'due_date'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_purchase_order_lines_purchase_order_id'), ['purchase_order_id'], unique=False
        )

    # SQLite adds a column that refers to another table in place (no rebuild of the table the ledger
    # points at), its reference written with it; PostgreSQL names the constraint as the models do.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE batches ADD COLUMN purchase_order_line_id INTEGER"
            " CONSTRAINT fk_batches_purchase_order_line_id_purchase_order_lines"
            " REFERENCES purchase_order_lines (id)"
        )
    else:
        op.add_column('batches', sa.Column('purchase_order_line_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f('fk_batches_purchase_order_line_id_purchase_order_lines'), 'batches', 'purchase_order_lines',
            ['purchase_order_line_id'], ['id'],
        )
    op.create_index(op.f('ix_batches_purchase_order_line_id'), 'batches', ['purchase_order_line_id'], unique=False)


def _drop_tables(sqlite: bool) -> None:
    op.drop_index(op.f('ix_batches_purchase_order_line_id'), table_name='batches')
    if sqlite:
        op.execute("ALTER TABLE batches DROP COLUMN purchase_order_line_id")  # 3.35+: no index names it now
    else:
        op.drop_constraint(op.f('fk_batches_purchase_order_line_id_purchase_order_lines'), 'batches',
                           type_='foreignkey')
        op.drop_column('batches', 'purchase_order_line_id')
    op.drop_table('purchase_order_lines')
    op.drop_table('purchase_orders')
    op.drop_table('supplier_materials')


# ---------------------------------------------------------------- SQLite


def _refuse(message: str) -> str:
    return "SELECT RAISE(ABORT, 'MPSYSTEM: " + message.replace("'", "''") + "');"


SQLITE_TOLERANCE = (
    f"COALESCE((SELECT CASE WHEN s.value <> '' AND s.value NOT GLOB '*[^0-9]*' AND length(s.value) <= 3"
    f" AND CAST(s.value AS INTEGER) <= {MAX_TOLERANCE} THEN CAST(s.value AS INTEGER) ELSE {DEFAULT_TOLERANCE} END"
    f" FROM settings s WHERE s.key = '{TOLERANCE_KEY}'), {DEFAULT_TOLERANCE})"
)
SQLITE_LINE_OF_BATCH = "(SELECT b.purchase_order_line_id FROM batches b WHERE b.id = NEW.batch_id)"
SQLITE_STEPS = " OR ".join(f"(OLD.status = '{a}' AND NEW.status = '{b}')" for a, b in STEPS)
SQLITE_RECEIPTS_OF = (
    "(SELECT COALESCE(SUM(m.quantity), 0) FROM stock_movements m JOIN batches b ON b.id = m.batch_id"
    " WHERE b.purchase_order_line_id = {line} AND m.kind = 'receipt')"
)

# mpsystem_rule_*: judge the present, and a history load passes them (data/rules.py); the others always hold.
SQLITE_TRIGGERS = {
    "mpsystem_rule_purchase_order_starts_draft": (
        "BEFORE INSERT ON purchase_orders WHEN NEW.status <> 'draft' BEGIN " + _refuse(REFUSE_STEP) + " END"
    ),
    "mpsystem_rule_purchase_order_steps": (
        f"BEFORE UPDATE OF status ON purchase_orders WHEN OLD.status <> NEW.status AND NOT ({SQLITE_STEPS}) BEGIN "
        + _refuse(REFUSE_STEP) + " END"
    ),
    "mpsystem_rule_purchase_line_insert": (
        "BEFORE INSERT ON purchase_order_lines WHEN NEW.received <> 0 OR"
        " (SELECT o.status FROM purchase_orders o WHERE o.id = NEW.purchase_order_id) IS NOT 'draft' BEGIN "
        + _refuse(REFUSE_DRAFT_ONLY) + " END"
    ),
    "mpsystem_rule_purchase_line_update": (
        f"BEFORE UPDATE OF {', '.join(LINE_COLUMNS)} ON purchase_order_lines WHEN"
        " (SELECT o.status FROM purchase_orders o WHERE o.id = OLD.purchase_order_id) IS NOT 'draft' OR"
        " (SELECT o.status FROM purchase_orders o WHERE o.id = NEW.purchase_order_id) IS NOT 'draft' BEGIN "
        + _refuse(REFUSE_DRAFT_ONLY) + " END"
    ),
    "mpsystem_rule_purchase_receipt_open": (
        "BEFORE INSERT ON stock_movements WHEN NEW.kind = 'receipt' AND EXISTS (SELECT 1 FROM batches b"
        " JOIN purchase_order_lines l ON l.id = b.purchase_order_line_id"
        " JOIN purchase_orders o ON o.id = l.purchase_order_id"
        f" WHERE b.id = NEW.batch_id AND o.status NOT IN ({_sql_list(RECEIVING)})) BEGIN "
        + _refuse(REFUSE_CLOSED) + " END"
    ),
    "mpsystem_rule_purchase_over_receipt": (
        "BEFORE INSERT ON stock_movements WHEN NEW.kind = 'receipt' AND EXISTS (SELECT 1 FROM batches b"
        " JOIN purchase_order_lines l ON l.id = b.purchase_order_line_id"
        f" WHERE b.id = NEW.batch_id AND (l.received + NEW.quantity) * 100 > l.quantity * (100 + {SQLITE_TOLERANCE}))"
        " BEGIN " + _refuse(REFUSE_OVER) + " END"
    ),
    "mpsystem_purchase_receipt": (
        f"AFTER INSERT ON stock_movements WHEN NEW.kind = 'receipt' AND {SQLITE_LINE_OF_BATCH} IS NOT NULL BEGIN "
        f"UPDATE purchase_order_lines SET received = received + NEW.quantity WHERE id = {SQLITE_LINE_OF_BATCH}; "
        "UPDATE purchase_orders SET status = CASE WHEN EXISTS (SELECT 1 FROM purchase_order_lines l"
        " WHERE l.purchase_order_id = purchase_orders.id AND l.received < l.quantity)"
        " THEN 'partly_received' ELSE 'received' END"
        " WHERE id = (SELECT l.purchase_order_id FROM purchase_order_lines l"
        f" WHERE l.id = {SQLITE_LINE_OF_BATCH}) AND status IN ({_sql_list(RECEIVING)}); END"
    ),
    "mpsystem_purchase_received_follows": (
        "AFTER UPDATE OF received ON purchase_order_lines WHEN NEW.received <> "
        + SQLITE_RECEIPTS_OF.format(line="NEW.id") + " BEGIN " + _refuse(REFUSE_RECEIVED) + " END"
    ),
    "mpsystem_purchase_batch_insert": (
        "BEFORE INSERT ON batches WHEN NEW.purchase_order_line_id IS NOT NULL AND NOT EXISTS (SELECT 1"
        " FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.purchase_order_id"
        " WHERE l.id = NEW.purchase_order_line_id AND l.material_id = NEW.material_id"
        " AND o.supplier_id IS NEW.supplier_id) BEGIN " + _refuse(REFUSE_BATCH) + " END"
    ),
    "mpsystem_purchase_batch_kept": (
        "BEFORE UPDATE OF purchase_order_line_id ON batches"
        " WHEN NEW.purchase_order_line_id IS NOT OLD.purchase_order_line_id BEGIN " + _refuse(REFUSE_BATCH) + " END"
    ),
}


def _sqlite_rules() -> None:
    for name, body in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


# ---------------------------------------------------------------- PostgreSQL

# @S@ is the schema, quoted. Every name is schema-qualified and every function pins its search_path,
# as 0004's owner code does.
PG_FUNCTIONS = r"""
CREATE FUNCTION @S@.mpsystem_receipt_tolerance() RETURNS integer
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT COALESCE((SELECT CASE WHEN s.value ~ '^[0-9]{1,3}$' AND s.value::integer <= @MAX@
                                 THEN s.value::integer ELSE @DEFAULT@ END
                       FROM @S@.settings s WHERE s.key = '@KEY@'), @DEFAULT@)
$$;

CREATE FUNCTION @S@.mpsystem_purchase_order_steps() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF @S@.mpsystem_history() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        RAISE EXCEPTION 'A purchase order starts as a draft; % cannot begin %.', NEW.number,
            pg_catalog.translate(NEW.status, '_', ' ') USING ERRCODE = 'MP005';
    END IF;
    IF (OLD.status || '>' || NEW.status) <> ALL (ARRAY[@STEPS@]) THEN
        RAISE EXCEPTION 'Purchase order % is %; it cannot become % (purchase orders go draft, sent, partly '
            'received, received; an open one may be cancelled).', NEW.number,
            pg_catalog.translate(OLD.status, '_', ' '), pg_catalog.translate(NEW.status, '_', ' ')
            USING ERRCODE = 'MP005';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION @S@.mpsystem_purchase_line() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF @S@.mpsystem_history() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.received <> 0 THEN
        RAISE EXCEPTION 'A purchase order line starts with nothing received.' USING ERRCODE = 'MP007';
    END IF;
    FOR r IN SELECT o.number, o.status FROM @S@.purchase_orders o
              WHERE o.id = NEW.purchase_order_id OR (TG_OP = 'UPDATE' AND o.id = OLD.purchase_order_id) LOOP
        IF r.status <> 'draft' THEN
            RAISE EXCEPTION 'Purchase order % is %; its lines are written only while it is a draft.', r.number,
                pg_catalog.translate(r.status, '_', ' ') USING ERRCODE = 'MP007';
        END IF;
    END LOOP;
    RETURN NEW;
END $$;

-- A receipt against a purchase order line: checked under a lock on the line, so that two clerks
-- receiving against it at once are added up one after the other.
CREATE FUNCTION @S@.mpsystem_purchase_receipt_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
    tolerance integer;
BEGIN
    SELECT l.id, l.line_no, l.quantity, l.received, o.number, o.status, m.unit INTO r
      FROM @S@.batches b
      JOIN @S@.purchase_order_lines l ON l.id = b.purchase_order_line_id
      JOIN @S@.purchase_orders o ON o.id = l.purchase_order_id
      JOIN @S@.materials m ON m.id = l.material_id
     WHERE b.id = NEW.batch_id
       FOR UPDATE OF l;
    IF NOT FOUND OR @S@.mpsystem_history() THEN
        RETURN NEW;
    END IF;
    IF r.status <> ALL (ARRAY[@RECEIVING@]) THEN
        RAISE EXCEPTION 'Purchase order % is %; goods are received only against a purchase order that was '
            'sent and is not all in.', r.number, pg_catalog.translate(r.status, '_', ' ') USING ERRCODE = 'MP007';
    END IF;
    tolerance := @S@.mpsystem_receipt_tolerance();
    IF (r.received + NEW.quantity) * 100 > r.quantity * (100 + tolerance) THEN
        RAISE EXCEPTION 'Line % of purchase order % is for % %, of which % % came already; % % more would pass '
            'the % %% the plant allows over an order.', r.line_no, r.number, pg_catalog.trim_scale(r.quantity),
            r.unit, pg_catalog.trim_scale(r.received), r.unit, pg_catalog.trim_scale(NEW.quantity), r.unit,
            tolerance USING ERRCODE = 'MP006';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION @S@.mpsystem_purchase_receipt_book() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    line_id integer;
    order_id integer;
    wanted text;
BEGIN
    SELECT l.id, l.purchase_order_id INTO line_id, order_id
      FROM @S@.batches b JOIN @S@.purchase_order_lines l ON l.id = b.purchase_order_line_id
     WHERE b.id = NEW.batch_id;
    IF line_id IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE @S@.purchase_order_lines SET received = received + NEW.quantity WHERE id = line_id;
    SELECT CASE WHEN EXISTS (SELECT 1 FROM @S@.purchase_order_lines l
                              WHERE l.purchase_order_id = order_id AND l.received < l.quantity)
                THEN 'partly_received' ELSE 'received' END INTO wanted;
    UPDATE @S@.purchase_orders o SET status = wanted
     WHERE o.id = order_id AND o.status = ANY (ARRAY[@RECEIVING@]) AND o.status <> wanted;
    RETURN NULL;
END $$;

CREATE FUNCTION @S@.mpsystem_purchase_received_follows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.received <> (SELECT COALESCE(pg_catalog.sum(m.quantity), 0) FROM @S@.stock_movements m
                          JOIN @S@.batches b ON b.id = m.batch_id
                         WHERE b.purchase_order_line_id = NEW.id AND m.kind = 'receipt') THEN
        RAISE EXCEPTION '%', '@REFUSE_RECEIVED@' USING ERRCODE = 'MP007';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION @S@.mpsystem_purchase_batch() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.purchase_order_line_id IS DISTINCT FROM OLD.purchase_order_line_id THEN
            RAISE EXCEPTION '%', '@REFUSE_BATCH@' USING ERRCODE = 'MP007';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.purchase_order_line_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM @S@.purchase_order_lines l JOIN @S@.purchase_orders o ON o.id = l.purchase_order_id
         WHERE l.id = NEW.purchase_order_line_id AND l.material_id = NEW.material_id
           AND o.supplier_id IS NOT DISTINCT FROM NEW.supplier_id) THEN
        RAISE EXCEPTION '%', '@REFUSE_BATCH@' USING ERRCODE = 'MP007';
    END IF;
    RETURN NEW;
END $$;
"""

PG_FUNCTION_NAMES = (
    "mpsystem_receipt_tolerance()", "mpsystem_purchase_order_steps()", "mpsystem_purchase_line()",
    "mpsystem_purchase_receipt_check()", "mpsystem_purchase_receipt_book()",
    "mpsystem_purchase_received_follows()", "mpsystem_purchase_batch()",
)
# (table, trigger); created in this order, dropped in the reverse.
PG_TRIGGERS = (
    ("purchase_orders", "mpsystem_purchase_order_starts_draft"),
    ("purchase_orders", "mpsystem_purchase_order_steps"),
    ("purchase_order_lines", "mpsystem_purchase_line"),
    ("stock_movements", "mpsystem_purchase_receipt_check"),
    ("stock_movements", "mpsystem_purchase_receipt_book"),
    ("purchase_order_lines", "mpsystem_purchase_received_follows"),
    ("batches", "mpsystem_purchase_batch"),
)


def _pg_rules() -> None:
    schema = _schema()
    text = PG_FUNCTIONS
    for key, value in {
        "@STEPS@": _sql_list(tuple(f"{a}>{b}" for a, b in STEPS)),
        "@RECEIVING@": _sql_list(RECEIVING),
        "@MAX@": str(MAX_TOLERANCE),
        "@DEFAULT@": str(DEFAULT_TOLERANCE),
        "@KEY@": TOLERANCE_KEY,
        "@REFUSE_RECEIVED@": REFUSE_RECEIVED.replace("'", "''"),
        "@REFUSE_BATCH@": REFUSE_BATCH.replace("'", "''"),
        "@S@": schema,
    }.items():
        text = text.replace(key, value)
    op.execute(text)
    for name in PG_FUNCTION_NAMES:
        op.execute(f"REVOKE ALL ON FUNCTION {schema}.{name} FROM PUBLIC")
    bodies = {
        "mpsystem_purchase_order_starts_draft": (
            f"BEFORE INSERT ON {schema}.purchase_orders FOR EACH ROW WHEN (NEW.status <> 'draft') "
            f"EXECUTE FUNCTION {schema}.mpsystem_purchase_order_steps()"
        ),
        "mpsystem_purchase_order_steps": (
            f"BEFORE UPDATE OF status ON {schema}.purchase_orders FOR EACH ROW "
            f"WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION {schema}.mpsystem_purchase_order_steps()"
        ),
        "mpsystem_purchase_line": (
            f"BEFORE INSERT OR UPDATE OF {', '.join(LINE_COLUMNS)} ON {schema}.purchase_order_lines "
            f"FOR EACH ROW EXECUTE FUNCTION {schema}.mpsystem_purchase_line()"
        ),
        "mpsystem_purchase_receipt_check": (
            f"BEFORE INSERT ON {schema}.stock_movements FOR EACH ROW WHEN (NEW.kind = 'receipt') "
            f"EXECUTE FUNCTION {schema}.mpsystem_purchase_receipt_check()"
        ),
        "mpsystem_purchase_receipt_book": (
            f"AFTER INSERT ON {schema}.stock_movements FOR EACH ROW WHEN (NEW.kind = 'receipt') "
            f"EXECUTE FUNCTION {schema}.mpsystem_purchase_receipt_book()"
        ),
        "mpsystem_purchase_received_follows": (
            f"AFTER UPDATE OF received ON {schema}.purchase_order_lines FOR EACH ROW "
            f"EXECUTE FUNCTION {schema}.mpsystem_purchase_received_follows()"
        ),
        "mpsystem_purchase_batch": (
            f"BEFORE INSERT OR UPDATE OF purchase_order_line_id ON {schema}.batches FOR EACH ROW "
            f"EXECUTE FUNCTION {schema}.mpsystem_purchase_batch()"
        ),
    }
    for _table, name in PG_TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} {bodies[name]}")


def _pg_grants_and_notices() -> None:
    """GRANTs by level and change notices for the new tables, as 0003 gave the first ones."""
    for table in NEW_TABLES:
        op.execute(f'REVOKE ALL ON "{table}" FROM PUBLIC')
    for level, privileges, table in GRANTS:
        op.execute(f'GRANT {privileges} ON "{table}" TO mpsystem_{level}')
    for table in NEW_TABLES:
        op.execute(
            f"DO $$ BEGIN EXECUTE format('GRANT USAGE ON SEQUENCE %s TO mpsystem_planner', "
            f"pg_get_serial_sequence('{table}', 'id')); END $$"
        )
    for table in NEW_TABLES:
        for verb, transition in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER mpsystem_notify_{verb.lower()} AFTER {verb} ON {table} "
                f"REFERENCING {transition} TABLE AS changed FOR EACH STATEMENT "
                f"EXECUTE FUNCTION mpsystem_notify_change('id')"
            )


def _schema() -> str:
    return str(op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar())


class _as_owner:  # noqa: N801 - reads as a phrase in a `with`
    """What is created here belongs to the owner of the schema's tables, as 0004's owner code does."""

    def __enter__(self) -> None:
        bind = op.get_bind()
        self.owner = str(bind.exec_driver_sql(
            "SELECT quote_ident(tableowner) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'events'"
        ).scalar())
        self.me = str(bind.exec_driver_sql("SELECT quote_ident(current_user)").scalar())
        if self.me != self.owner:
            op.execute(f"SET LOCAL ROLE {self.owner}")

    def __exit__(self, *_exc: Any) -> None:
        if self.me != self.owner:
            op.execute(f"SET LOCAL ROLE {self.me}")
