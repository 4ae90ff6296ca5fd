"""Products with their recipes, orders that name a product, and deliveries to customers.

- `products` (what the plant sells: code, name, spec, unit, the stage it is made on, the material its
  batches are, archived, version) and `recipe_lines` (per revision of a product's recipe: step,
  stage, material, quantity per unit of the product, scrap allowance in percent). A recipe edit
  writes a new revision; `products.recipe_revision` names the current one.
- `production_orders.product_id` names the order's product. The free text that named it until now
  (`product_spec`) becomes the order's `note`. Orders already in the database get a product each
  per distinct text and unit, made on the stage of the lines they ran on and out of the material
  they produced most; each such product has its "created" journal entry.
- `deliveries` (number, customer, order, delivered at, by, note) and `delivery_lines` (delivery,
  the ledger movement of kind `delivery`, batch, quantity). A delivery goes to its order's customer:
  a foreign key on (order, customer) pairs with a unique key on production_orders (id, customer_id).
- The ledger takes movements of kind `delivery`: out of a warehouse, for an order.

A delivery is dated by the database's clock and, on PostgreSQL, names the session's login, as the
ledger's movements do since 0004; a history load (the demo plant) keeps its own dates. Movements of
kind delivery pass 0004's rule that only approved, unexpired batches leave the plant.

PostgreSQL: the new tables belong to the owner, viewers read them, planners keep products and add
recipe revisions, clerks write deliveries and their lines, and every write is notified. Nobody
deletes: a recipe line is never changed, only superseded by the next revision.

SQLite: production_orders and stock_movements are rebuilt. A table that others refer to can be
rebuilt only with foreign keys off, which SQLite switches only outside a transaction: the upgrade
so far is committed, this revision runs in its own transaction with foreign keys off and checks
them before it commits, and the upgrade goes on. Triggers on the rebuilt tables (a rebuild drops
them) are put back as they were.

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from data.types import BigId, Quantity, Ratio, UTCDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Frozen copies: a migration must do the same thing forever, whatever the code around it becomes.
UNITS = "'kg', 'm', 'm2', 'pcs', 'l'"
STAGES = "'extrusion', 'uv', 'printing', 'lamination', 'slitting', 'bag_making'"
OLD_KINDS = "'receipt', 'issue', 'transfer', 'adjustment', 'consumption', 'output'"
NEW_KINDS = OLD_KINDS + ", 'delivery'"
OLD_DIRECTION = (
    "(kind = 'receipt' AND from_warehouse_id IS NULL AND to_warehouse_id IS NOT NULL)"
    " OR (kind = 'output' AND from_warehouse_id IS NULL AND to_warehouse_id IS NOT NULL"
    "     AND production_order_id IS NOT NULL)"
    " OR (kind = 'issue' AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NULL)"
    " OR (kind = 'consumption' AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NULL"
    "     AND production_order_id IS NOT NULL)"
    " OR (kind = 'transfer' AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NOT NULL"
    "     AND from_warehouse_id <> to_warehouse_id)"
    " OR (kind = 'adjustment' AND (from_warehouse_id IS NULL) <> (to_warehouse_id IS NULL))"
)
NEW_DIRECTION = (
    OLD_DIRECTION + " OR (kind = 'delivery' AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NULL"
    "     AND production_order_id IS NOT NULL)"
)
NEW_TABLES = ("products", "recipe_lines", "deliveries", "delivery_lines")
# (level, privileges, table); levels inherit what the levels before them have.
GRANTS = [
    *(("viewer", "SELECT", t) for t in NEW_TABLES),
    ("planner", "INSERT, UPDATE", "products"),
    ("planner", "INSERT", "recipe_lines"),
    ("clerk", "INSERT", "deliveries"),
    ("clerk", "INSERT", "delivery_lines"),
]
SEQUENCES = {"planner": ("products", "recipe_lines"), "clerk": ("deliveries", "delivery_lines")}
# Where an order whose text names no line's stage is made: the first stage rated in its unit.
FALLBACK_STAGE = "extrusion"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_without_foreign_keys(_upgrade)
        op.execute(f"CREATE TRIGGER {SQLITE_DELIVERY_CLOCK}")
    else:
        with _as_owner():
            _upgrade()
            _pg_grants_and_notices()
            _pg_stamp_deliveries()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_without_foreign_keys(_downgrade)
    else:
        with _as_owner():
            _downgrade()
            op.execute(f"DROP FUNCTION {_schema()}.mpsystem_stamp_delivery()")


# ---------------------------------------------------------------- both backends


def _upgrade() -> None:
    _create_catalogue()
    with op.batch_alter_table('production_orders') as batch_op:
        batch_op.add_column(sa.Column('product_id', sa.Integer(), nullable=True))
    _products_for_existing_orders()
    with _triggers_kept('production_orders'), op.batch_alter_table('production_orders', recreate='auto') as batch_op:
        batch_op.alter_column('product_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            'product_spec', new_column_name='note', existing_type=sa.String(length=200),
            type_=sa.String(length=500), nullable=True,
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_production_orders_product_id_products'), 'products', ['product_id'], ['id']
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_production_orders_id_customer_id'), ['id', 'customer_id']
        )
        batch_op.create_index(batch_op.f('ix_production_orders_product_id'), ['product_id'], unique=False)
        batch_op.create_index('ix_production_orders_due_date_id', ['due_date', 'id'], unique=False)
    _movement_checks(NEW_KINDS, NEW_DIRECTION)
    _create_deliveries()


def _downgrade() -> None:
    op.drop_table('delivery_lines')
    op.drop_table('deliveries')
    # The older schema knows no deliveries: their movements become what it called stock leaving the
    # plant, an issue (the note still names the delivery).
    _movement_checks(OLD_KINDS, OLD_DIRECTION, "UPDATE stock_movements SET kind = 'issue' WHERE kind = 'delivery'")
    # The free text comes back; an order created since names its product by its name.
    op.execute(
        "UPDATE production_orders SET note = (SELECT p.name FROM products p WHERE p.id = production_orders.product_id)"
        " WHERE note IS NULL"
    )
    op.execute("UPDATE production_orders SET note = substr(note, 1, 200) WHERE length(note) > 200")
    with _triggers_kept('production_orders'), op.batch_alter_table('production_orders', recreate='auto') as batch_op:
        batch_op.drop_index('ix_production_orders_due_date_id')
        batch_op.drop_index(batch_op.f('ix_production_orders_product_id'))
        batch_op.drop_constraint(batch_op.f('uq_production_orders_id_customer_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_production_orders_product_id_products'), type_='foreignkey')
        batch_op.alter_column(
            'note', new_column_name='product_spec', existing_type=sa.String(length=500),
            type_=sa.String(length=200), nullable=False,
        )
        batch_op.drop_column('product_id')
    op.drop_table('recipe_lines')
    op.drop_table('products')


def _create_catalogue() -> None:
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('spec', sa.String(length=200), nullable=True),
    sa.Column('unit', sa.String(length=5), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('output_material_id', sa.Integer(), nullable=True),
    sa.Column('recipe_revision', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint(f"unit IN ({UNITS})", name=op.f('ck_products_unit')),
    sa.CheckConstraint(f"stage IN ({STAGES})", name=op.f('ck_products_stage')),
    sa.CheckConstraint('recipe_revision >= 0', name=op.f('ck_products_recipe_revision_not_negative')),
    sa.ForeignKeyConstraint(['output_material_id'], ['materials.id'], name=op.f('fk_products_output_material_id_materials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('code', name=op.f('uq_products_code'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_archived'), ['archived'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_output_material_id'), ['output_material_id'], unique=False)

    # Quantities are whole thousandths on SQLite (data.types.Quantity): the scrap bound reads differently there.
    scrap_limit = '100000' if op.get_bind().dialect.name == 'sqlite' else '100'
    op.create_table('recipe_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('step', sa.SmallInteger(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('quantity', Ratio(precision=14, scale=6), nullable=False),
    sa.Column('scrap_percent', Quantity(precision=14, scale=3), nullable=False),
    sa.CheckConstraint(f"stage IN ({STAGES})", name=op.f('ck_recipe_lines_stage')),
    sa.CheckConstraint('step BETWEEN 1 AND 9', name=op.f('ck_recipe_lines_step_range')),
    sa.CheckConstraint('revision >= 1', name=op.f('ck_recipe_lines_revision_positive')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_recipe_lines_quantity_positive')),
    sa.CheckConstraint('scrap_percent >= 0', name=op.f('ck_recipe_lines_scrap_not_negative')),
    sa.CheckConstraint(f'scrap_percent < {scrap_limit}', name=op.f('ck_recipe_lines_scrap_below_limit')),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_recipe_lines_material_id_materials')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_recipe_lines_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recipe_lines')),
    sa.UniqueConstraint('product_id', 'revision', 'step', 'material_id', name=op.f('uq_recipe_lines_product_id_revision_step_material_id'))
    )
    with op.batch_alter_table('recipe_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recipe_lines_material_id'), ['material_id'], unique=False)


def _create_deliveries() -> None:
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('production_order_id', sa.Integer(), nullable=False),
    sa.Column('delivered_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_deliveries_customer_id_customers')),
    sa.ForeignKeyConstraint(['production_order_id', 'customer_id'], ['production_orders.id', 'production_orders.customer_id'], name=op.f('fk_deliveries_production_order_id_production_orders')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_deliveries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('number', name=op.f('uq_deliveries_number'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliveries_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_delivered_at'), ['delivered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_production_order_id'), ['production_order_id'], unique=False)

    op.create_table('delivery_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('movement_id', BigId, nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('quantity', Quantity(precision=14, scale=3), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_delivery_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_delivery_lines_batch_id_batches')),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], name=op.f('fk_delivery_lines_delivery_id_deliveries')),
    sa.ForeignKeyConstraint(['movement_id'], ['stock_movements.id'], name=op.f('fk_delivery_lines_movement_id_stock_movements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_lines')),
    sa.UniqueConstraint('movement_id', name=op.f('uq_delivery_lines_movement_id'))
    )
    with op.batch_alter_table('delivery_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_lines_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_lines_delivery_id'), ['delivery_id'], unique=False)


def _movement_checks(kinds: str, direction: str, first: str | None = None) -> None:
    with _triggers_kept('stock_movements', drop=first is not None):
        if first:
            op.execute(first)  # past the triggers that keep the ledger unchanged (SQLite; they come back)
        _movement_check_constraints(kinds, direction)


def _movement_check_constraints(kinds: str, direction: str) -> None:
    with op.batch_alter_table('stock_movements', recreate='auto') as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_stock_movements_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_stock_movements_direction'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_stock_movements_kind'), f"kind IN ({kinds})")
        batch_op.create_check_constraint(batch_op.f('ck_stock_movements_direction'), direction)


# ---------------------------------------------------------------- the orders already there


def _products_for_existing_orders() -> None:
    """One product per distinct (text, unit) of the orders in the database, each with its journal entry."""
    conn = op.get_bind()
    kinds = conn.execute(sa.text(
        "SELECT product_spec AS spec, unit, COUNT(*) AS orders, MIN(id) AS first"
        " FROM production_orders GROUP BY product_spec, unit ORDER BY MIN(id)"
    )).all()
    now = datetime.now(UTC)
    for n, kind in enumerate(kinds, start=1):
        code = f"P-{n:05d}"
        stage = _stage_of(conn, kind.spec, kind.unit)
        material = conn.execute(sa.text(
            "SELECT b.material_id FROM batches b JOIN production_orders o ON o.id = b.production_order_id"
            " WHERE o.product_spec = :spec AND o.unit = :unit"
            " GROUP BY b.material_id ORDER BY COUNT(*) DESC, b.material_id LIMIT 1"
        ), {"spec": kind.spec, "unit": kind.unit}).scalar()
        conn.execute(sa.text(
            "INSERT INTO products (code, name, spec, unit, stage, output_material_id, recipe_revision, archived, version)"
            " VALUES (:code, :name, :spec, :unit, :stage, :material, 0, :no, 1)"
        ), {"code": code, "name": kind.spec[:120], "spec": kind.spec, "unit": kind.unit, "stage": stage,
            "material": material, "no": False})
        product_id = conn.execute(sa.text("SELECT id FROM products WHERE code = :code"), {"code": code}).scalar()
        conn.execute(sa.text(
            "UPDATE production_orders SET product_id = :product WHERE product_spec = :spec AND unit = :unit"
        ), {"product": product_id, "spec": kind.spec, "unit": kind.unit})
        _journal(conn, now, product_id, code, kind.spec, kind.orders)


def _stage_of(conn: sa.Connection, spec: str, unit: str) -> str:
    """The stage of the lines orders with this text ran on most, else the first stage rated in the unit."""
    stage = conn.execute(sa.text(
        "SELECT l.stage FROM production_orders o JOIN production_lines l ON l.id = o.line_id"
        " WHERE o.product_spec = :spec AND o.unit = :unit GROUP BY l.stage ORDER BY COUNT(*) DESC, l.stage LIMIT 1"
    ), {"spec": spec, "unit": unit}).scalar()
    if stage is None:
        stage = conn.execute(sa.text(
            "SELECT stage FROM production_lines WHERE rate_unit = :unit ORDER BY id LIMIT 1"
        ), {"unit": unit}).scalar()
    return str(stage or FALLBACK_STAGE)


def _journal(conn: sa.Connection, now: datetime, product_id: int, code: str, spec: str, orders: int) -> None:
    sqlite = conn.dialect.name == "sqlite"
    summary = f"Created product {code} ({spec}) for the {orders} order(s) that named it in their text"
    conn.execute(sa.text(
        "INSERT INTO events (occurred_at, user_id, entity_type, entity_id, action, summary, details)"
        " VALUES (:at, NULL, 'product', :id, 'created', :summary, :details)"
    ), {
        # the journal's own formats: SQLAlchemy's UTC text on SQLite, a timestamp with zone on PostgreSQL
        "at": now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now,
        "id": product_id,
        "summary": summary[:500],
        "details": json.dumps({"from": "schema upgrade 0006", "orders": orders}),
    })


# ---------------------------------------------------------------- SQLite


class _triggers_kept:  # noqa: N801 - reads as a phrase in a `with`
    """A SQLite table rebuild drops the table's triggers with the old table; put them back as they were.
    `drop`: take them off at once, for a change they would refuse."""

    def __init__(self, table: str, drop: bool = False) -> None:
        self.table, self.drop = table, drop
        self.saved: list[str] = []

    def __enter__(self) -> None:
        conn = op.get_bind()
        if conn.dialect.name != "sqlite":
            return
        found = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name", (self.table,)
        ).all()
        self.saved = [sql for _name, sql in found]
        if self.drop:
            for name, _sql in found:
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        # Renaming the rebuilt table into place must not check other tables' triggers and views,
        # which name this table and would not find it for that moment.
        conn.exec_driver_sql("PRAGMA legacy_alter_table = ON")

    def __exit__(self, exc_type: Any, *_exc: Any) -> None:
        conn = op.get_bind()
        if conn.dialect.name != "sqlite":
            return
        conn.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
        if exc_type is not None:
            return
        present = {row[0] for row in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (self.table,)
        )}
        for sql in self.saved:
            if sql not in present:
                conn.exec_driver_sql(sql)


def _sqlite_without_foreign_keys(work: Callable[[], None]) -> None:
    """Run `work` in a transaction of its own with foreign keys off, then check every foreign key.

    SQLite's documented way to rebuild a table that others refer to: with foreign keys on, dropping
    the old production_orders would count every batch and movement that refers to it as broken.
    """
    conn = op.get_bind()
    conn.exec_driver_sql("COMMIT")  # the revisions before this one are done and kept
    conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            work()
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"schema 0006 would leave broken references: {broken[:5]}")
            conn.exec_driver_sql("COMMIT")
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
    finally:
        conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the upgrade goes on in a transaction, as it began


# A delivery is dated by the database's clock, as the ledger's movements it goes with are (0004). Named as
# 0004's rules are, so that a history load (the demo plant) passes it.
SQLITE_DELIVERY_CLOCK = (
    "mpsystem_rule_delivery_clock AFTER INSERT ON deliveries BEGIN "
    "UPDATE deliveries SET delivered_at = (strftime('%Y-%m-%d %H:%M:%f', 'now') || '000') WHERE id = NEW.id; END"
)


# ---------------------------------------------------------------- PostgreSQL


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


def _pg_stamp_deliveries() -> None:
    """A delivery is dated by the server's clock and names the session's login, whatever a client writes."""
    schema = _schema()
    op.execute(
        f"CREATE FUNCTION {schema}.mpsystem_stamp_delivery() RETURNS trigger"
        " LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$"
        f" BEGIN IF {schema}.mpsystem_history() THEN RETURN NEW; END IF;"
        " NEW.delivered_at := pg_catalog.now();"
        f" IF NOT {schema}.mpsystem_trusted() THEN NEW.user_id := {schema}.mpsystem_session_user_id(); END IF;"
        " RETURN NEW; END $$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {schema}.mpsystem_stamp_delivery() FROM PUBLIC")
    op.execute(
        f"CREATE TRIGGER mpsystem_stamp_delivery BEFORE INSERT ON {schema}.deliveries "
        f"FOR EACH ROW EXECUTE FUNCTION {schema}.mpsystem_stamp_delivery()"
    )


def _pg_grants_and_notices() -> None:
    """GRANTs by level and change notices for the new tables, as 0003 gave the first ones."""
    for table in NEW_TABLES:
        op.execute(f'REVOKE ALL ON "{table}" FROM PUBLIC')
    for level, privileges, table in GRANTS:
        op.execute(f'GRANT {privileges} ON "{table}" TO mpsystem_{level}')
    for level, tables in SEQUENCES.items():
        for table in tables:
            op.execute(
                f"DO $$ BEGIN EXECUTE format('GRANT USAGE ON SEQUENCE %s TO mpsystem_{level}', "
                f"pg_get_serial_sequence('{table}', 'id')); END $$"
            )
    for table in NEW_TABLES:
        for verb, transition in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER mpsystem_notify_{verb.lower()} AFTER {verb} ON {table} "
                f"REFERENCING {transition} TABLE AS changed FOR EACH STATEMENT "
                f"EXECUTE FUNCTION mpsystem_notify_change('id')"
            )
