"""Initial schema: master data, batches, the stock ledger, orders, users, the journal.

Revision ID: 0001
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.types import Quantity, UTCDateTime

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('contact', sa.String(length=120), nullable=True),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('address', sa.String(length=250), nullable=True),
    sa.Column('tax_id', sa.String(length=30), nullable=True),
    sa.Column('notes', sa.String(length=2000), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers')),
    sa.UniqueConstraint('code', name=op.f('uq_customers_code'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_archived'), ['archived'], unique=False)
        batch_op.create_index(batch_op.f('ix_customers_name'), ['name'], unique=False)

    op.create_table('materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=5), nullable=False),
    sa.Column('reorder_level', Quantity(precision=14, scale=3), nullable=False),
    sa.CheckConstraint("kind IN ('granulate', 'masterbatch', 'ink', 'adhesive', 'solvent', 'film', 'bag', 'core', 'packaging')", name=op.f('ck_materials_kind')),
    sa.CheckConstraint("unit IN ('kg', 'm', 'm2', 'pcs', 'l')", name=op.f('ck_materials_unit')),
    sa.CheckConstraint('reorder_level >= 0', name=op.f('ck_materials_reorder_level_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_materials')),
    sa.UniqueConstraint('code', name=op.f('uq_materials_code'))
    )
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_materials_name'), ['name'], unique=False)

    op.create_table('production_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('rate_per_hour', Quantity(precision=14, scale=3), nullable=False),
    sa.Column('rate_unit', sa.String(length=5), nullable=False),
    sa.CheckConstraint("rate_unit IN ('kg', 'm', 'm2', 'pcs', 'l')", name=op.f('ck_production_lines_rate_unit')),
    sa.CheckConstraint("stage IN ('extrusion', 'uv', 'printing', 'lamination', 'slitting', 'bag_making')", name=op.f('ck_production_lines_stage')),
    sa.CheckConstraint('rate_per_hour > 0', name=op.f('ck_production_lines_rate_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_production_lines')),
    sa.UniqueConstraint('code', name=op.f('uq_production_lines_code'))
    )
    op.create_table('suppliers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('contact', sa.String(length=120), nullable=True),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppliers')),
    sa.UniqueConstraint('code', name=op.f('uq_suppliers_code'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=63), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.String(length=100), nullable=True),
    sa.Column('failed_logins', sa.SmallInteger(), nullable=False),
    sa.Column('locked_until', UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('viewer', 'clerk', 'planner', 'manager', 'admin')", name=op.f('ck_users_role')),
    sa.CheckConstraint('failed_logins >= 0', name=op.f('ck_users_failed_logins_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('warehouses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.CheckConstraint("kind IN ('raw_materials', 'adr', 'production', 'finished', 'quarantine')", name=op.f('ck_warehouses_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouses')),
    sa.UniqueConstraint('code', name=op.f('uq_warehouses_code'))
    )
    op.create_table('events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('occurred_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('entity_type', sa.String(length=30), nullable=False),
    sa.Column('entity_id', sa.BigInteger(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_action'), ['action'], unique=False)
        batch_op.create_index('ix_events_entity', ['entity_type', 'entity_id'], unique=False)
        batch_op.create_index('ix_events_occurred_at_id', ['occurred_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_user_id'), ['user_id'], unique=False)

    op.create_table('production_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('product_spec', sa.String(length=200), nullable=False),
    sa.Column('quantity', Quantity(precision=14, scale=3), nullable=False),
    sa.Column('unit', sa.String(length=5), nullable=False),
    sa.Column('priority', sa.SmallInteger(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('status_reason', sa.String(length=250), nullable=True),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('queue_rank', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(status IN ('planned', 'in_progress')) = (queue_rank IS NOT NULL)", name=op.f('ck_production_orders_queued_iff_active')),
    sa.CheckConstraint("status IN ('new', 'planned', 'in_progress', 'done', 'cancelled')", name=op.f('ck_production_orders_status')),
    sa.CheckConstraint("unit IN ('kg', 'm', 'm2', 'pcs', 'l')", name=op.f('ck_production_orders_unit')),
    sa.CheckConstraint('priority BETWEEN 1 AND 5', name=op.f('ck_production_orders_priority_range')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_production_orders_quantity_positive')),
    sa.CheckConstraint('queue_rank IS NULL OR line_id IS NOT NULL', name=op.f('ck_production_orders_rank_needs_line')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_production_orders_customer_id_customers')),
    sa.ForeignKeyConstraint(['line_id'], ['production_lines.id'], name=op.f('fk_production_orders_line_id_production_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_production_orders')),
    sa.UniqueConstraint('line_id', 'queue_rank', name=op.f('uq_production_orders_line_id_queue_rank')),
    sa.UniqueConstraint('number', name=op.f('uq_production_orders_number'))
    )
    with op.batch_alter_table('production_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_production_orders_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_production_orders_line_id'), ['line_id'], unique=False)
        batch_op.create_index('ix_production_orders_status_due_date', ['status', 'due_date'], unique=False)

    op.create_table('batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=True),
    sa.Column('production_order_id', sa.Integer(), nullable=True),
    sa.Column('received_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('expiry_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('status_reason', sa.String(length=250), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status <> 'blocked' OR status_reason IS NOT NULL", name=op.f('ck_batches_blocked_has_reason')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'blocked')", name=op.f('ck_batches_status')),
    sa.CheckConstraint('supplier_id IS NULL OR production_order_id IS NULL', name=op.f('ck_batches_one_origin')),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_batches_material_id_materials')),
    sa.ForeignKeyConstraint(['production_order_id'], ['production_orders.id'], name=op.f('fk_batches_production_order_id_production_orders')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_batches_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batches')),
    sa.UniqueConstraint('number', name=op.f('uq_batches_number'))
    )
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batches_expiry_date'), ['expiry_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_batches_material_id'), ['material_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_batches_production_order_id'), ['production_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_batches_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_batches_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_batches_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('stock_balances',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('quantity', Quantity(precision=14, scale=3), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_stock_balances_quantity_not_negative')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_stock_balances_batch_id_batches')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_balances_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('batch_id', 'warehouse_id', name=op.f('pk_stock_balances'))
    )
    with op.batch_alter_table('stock_balances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_balances_warehouse_id'), ['warehouse_id'], unique=False)

    op.create_table('stock_movements',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('quantity', Quantity(precision=14, scale=3), nullable=False),
    sa.Column('from_warehouse_id', sa.Integer(), nullable=True),
    sa.Column('to_warehouse_id', sa.Integer(), nullable=True),
    sa.Column('production_order_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.CheckConstraint("(kind = 'receipt' AND from_warehouse_id IS NULL AND to_warehouse_id IS NOT NULL) OR (kind = 'output' AND from_warehouse_id IS NULL AND to_warehouse_id IS NOT NULL     AND production_order_id IS NOT NULL) OR (kind = 'issue' AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NULL) OR (kind = 'consumption' AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NULL     AND production_order_id IS NOT NULL) OR (kind = 'transfer' AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NOT NULL     AND from_warehouse_id <> to_warehouse_id) OR (kind = 'adjustment' AND (from_warehouse_id IS NULL) <> (to_warehouse_id IS NULL))", name=op.f('ck_stock_movements_direction')),
    sa.CheckConstraint("kind IN ('receipt', 'issue', 'transfer', 'adjustment', 'consumption', 'output')", name=op.f('ck_stock_movements_kind')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_stock_movements_quantity_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_stock_movements_batch_id_batches')),
    sa.ForeignKeyConstraint(['from_warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_movements_from_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['production_order_id'], ['production_orders.id'], name=op.f('fk_stock_movements_production_order_id_production_orders')),
    sa.ForeignKeyConstraint(['to_warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_movements_to_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stock_movements_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movements'))
    )
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_movements_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_stock_movements_order_kind', ['production_order_id', 'kind'], unique=False)

    # Frozen copy of data.models.PRODUCTION_QUEUE_VIEW: a migration must not change when the models do.
    op.execute(
        "CREATE VIEW production_queue AS"
        " SELECT l.code AS line_code,"
        " row_number() OVER (PARTITION BY o.line_id ORDER BY o.queue_rank) AS position,"
        " o.id AS production_order_id, o.number, o.status, o.priority, o.due_date"
        " FROM production_orders o JOIN production_lines l ON l.id = o.line_id"
        " WHERE o.queue_rank IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP VIEW production_queue")
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_movements_order_kind')
        batch_op.drop_index(batch_op.f('ix_stock_movements_created_at'))
        batch_op.drop_index(batch_op.f('ix_stock_movements_batch_id'))

    op.drop_table('stock_movements')
    with op.batch_alter_table('stock_balances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_balances_warehouse_id'))

    op.drop_table('stock_balances')
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batches_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_batches_status'))
        batch_op.drop_index(batch_op.f('ix_batches_received_at'))
        batch_op.drop_index(batch_op.f('ix_batches_production_order_id'))
        batch_op.drop_index(batch_op.f('ix_batches_material_id'))
        batch_op.drop_index(batch_op.f('ix_batches_expiry_date'))

    op.drop_table('batches')
    with op.batch_alter_table('production_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_production_orders_status_due_date')
        batch_op.drop_index(batch_op.f('ix_production_orders_line_id'))
        batch_op.drop_index(batch_op.f('ix_production_orders_customer_id'))

    op.drop_table('production_orders')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_user_id'))
        batch_op.drop_index('ix_events_occurred_at_id')
        batch_op.drop_index('ix_events_entity')
        batch_op.drop_index(batch_op.f('ix_events_action'))

    op.drop_table('events')
    op.drop_table('warehouses')
    op.drop_table('users')
    op.drop_table('suppliers')
    op.drop_table('production_lines')
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_materials_name'))

    op.drop_table('materials')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_name'))
        batch_op.drop_index(batch_op.f('ix_customers_archived'))

    op.drop_table('customers')
