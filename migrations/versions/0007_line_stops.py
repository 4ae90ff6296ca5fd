"""Line stops and the reasons a line stops for.

- `stop_reasons` (code, name, archived): the short list the administrator keeps, seeded here with
  the reasons every film plant has.
- `line_stops` (line, started_at, ended_at, reason, note): when a line stood still and why. Who
  recorded it and when is in the journal. Both backends refuse a second open stop on a line (a
  partial unique index) and a stop that ends before it starts (a CHECK).
- PostgreSQL: viewers read both; clerks (and everyone above) record and end stops; admins keep
  the reasons. Every write sends its change notice, as for every other table.
- SQLite: 0006 commits its own work (it rebuilds tables outside a transaction), and the upgrade goes
  on in a new transaction that holds 0006's stamp in alembic_version. That stamp is committed before
  this revision begins, so that if this one fails the file stays at 0006 as 0006 left it, rather
  than holding 0006's tables under 0005's stamp, which no upgrade could run on again.

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.types import UTCDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Frozen copies: a migration must do the same thing forever, whatever the code around it becomes.
REASONS = (
    ("BREAKDOWN", "breakdown"),
    ("CHANGEOVER", "changeover"),
    ("CLEANING", "cleaning"),
    ("NO-MATERIAL", "waiting for material"),
    ("NO-OPERATOR", "no operator"),
    ("MAINTENANCE", "planned maintenance"),
    ("QUALITY", "quality problem"),
    ("OTHER", "other"),
)
TABLES = ("stop_reasons", "line_stops")
GRANTS = [
    ("viewer", "SELECT", "stop_reasons"),
    ("viewer", "SELECT", "line_stops"),
    ("clerk", "INSERT", "line_stops"),
    ("clerk", "UPDATE (started_at, ended_at, reason_id, note, version)", "line_stops"),
    ("admin", "INSERT", "stop_reasons"),
    ("admin", "UPDATE (code, name, archived, version)", "stop_reasons"),
]
SEQUENCES = {"clerk": "line_stops", "admin": "stop_reasons"}


def _as_owner() -> str | None:
    """PostgreSQL: act as the schema's owner, so the new tables are its; returns the role to go back to."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    owner = bind.exec_driver_sql(
        "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'events'"
    ).scalar()
    me = bind.exec_driver_sql("SELECT current_user").scalar()
    if owner == me:
        return None
    op.execute(f'SET LOCAL ROLE "{owner}"')
    return str(me)


def _back(role: str | None) -> None:
    if role is not None:
        op.execute(f'SET LOCAL ROLE "{role}"')


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _keep_what_came_before()
    me = _as_owner()
    reasons = op.create_table('stop_reasons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stop_reasons')),
    sa.UniqueConstraint('code', name=op.f('uq_stop_reasons_code'))
    )
    op.create_table('line_stops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('started_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('ended_at IS NULL OR ended_at > started_at', name=op.f('ck_line_stops_ends_after_start')),
    sa.ForeignKeyConstraint(['line_id'], ['production_lines.id'], name=op.f('fk_line_stops_line_id_production_lines')),
    sa.ForeignKeyConstraint(['reason_id'], ['stop_reasons.id'], name=op.f('fk_line_stops_reason_id_stop_reasons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_line_stops'))
    )
    with op.batch_alter_table('line_stops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_line_stops_ended_at'), ['ended_at'], unique=False)
        batch_op.create_index('ix_line_stops_line_id_started_at', ['line_id', 'started_at'], unique=False)
        batch_op.create_index(
            'ix_line_stops_one_open_per_line', ['line_id'], unique=True,
            sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'),
        )
        batch_op.create_index(batch_op.f('ix_line_stops_reason_id'), ['reason_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_line_stops_started_at'), ['started_at'], unique=False)

    op.bulk_insert(reasons, [{"code": code, "name": name, "archived": False, "version": 1} for code, name in REASONS])

    if op.get_bind().dialect.name == "postgresql":
        _grant_and_notify()
    _back(me)


def _keep_what_came_before() -> None:
    """SQLite: commit the upgrade so far (the revisions before this one and their stamp); this one goes on in
    a transaction of its own, as the upgrade began."""
    conn = op.get_bind()
    conn.exec_driver_sql("COMMIT")
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _grant_and_notify() -> None:
    schema = op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar()
    for table in TABLES:
        op.execute(f"REVOKE ALL ON {schema}.{table} FROM PUBLIC")
    for level, privileges, table in GRANTS:
        op.execute(f"GRANT {privileges} ON {schema}.{table} TO mpsystem_{level}")
    for level, table in SEQUENCES.items():
        op.execute(
            f"DO $$ BEGIN EXECUTE format('GRANT USAGE ON SEQUENCE %s TO mpsystem_{level}', "
            f"pg_get_serial_sequence('{schema}.{table}', 'id')); END $$"
        )
    for table in TABLES:
        for verb, transition in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER mpsystem_notify_{verb.lower()} AFTER {verb} ON {schema}.{table} "
                f"REFERENCING {transition} TABLE AS changed FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {schema}.mpsystem_notify_change('id')"
            )


def downgrade() -> None:
    me = _as_owner()
    if op.get_bind().dialect.name == "postgresql":
        schema = op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar()
        for table in TABLES:
            for verb in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER mpsystem_notify_{verb} ON {schema}.{table}")
    with op.batch_alter_table('line_stops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_line_stops_started_at'))
        batch_op.drop_index(batch_op.f('ix_line_stops_reason_id'))
        batch_op.drop_index('ix_line_stops_one_open_per_line')
        batch_op.drop_index('ix_line_stops_line_id_started_at')
        batch_op.drop_index(batch_op.f('ix_line_stops_ended_at'))

    op.drop_table('line_stops')
    op.drop_table('stop_reasons')
    _back(me)
