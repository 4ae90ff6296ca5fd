"""Master data people maintain: archived flags and versions, shelf lives, ADR stores, supplier
addresses; the plant's settings in the database.

- warehouses: `adr` (may hold dangerous goods; every store of kind `adr` does: a trigger sets the
  flag for one, and on PostgreSQL a CHECK holds it),
  `archived`, `version`.
- materials: `shelf_life_days` (1 to 3650, or none), `archived`, `version`.
- suppliers: `address`, `tax_id`, `archived`, `version`.
- production_lines: `archived`, `version`.
- settings (key, value): the plant's name, its expiry warning window, label defaults.

PostgreSQL: viewers read the settings, admins write them (admins already write the master-data
tables, new columns included); a write to the settings sends a change notice like every table.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

MAX_SHELF_LIFE_DAYS = 3650  # a copy of domain.vocabulary's, on purpose: a migration does the same thing forever

# (table, column, SQL type, default) for the columns every backend adds the same way.
COLUMNS = [
    ("warehouses", "archived", "BOOLEAN", "false"),
    ("warehouses", "version", "INTEGER", "1"),
    ("materials", "archived", "BOOLEAN", "false"),
    ("materials", "version", "INTEGER", "1"),
    ("suppliers", "archived", "BOOLEAN", "false"),
    ("suppliers", "version", "INTEGER", "1"),
    ("production_lines", "archived", "BOOLEAN", "false"),
    ("production_lines", "version", "INTEGER", "1"),
]
SHELF_LIFE_CHECK = f"shelf_life_days BETWEEN 1 AND {MAX_SHELF_LIFE_DAYS}"
ADR_CHECK = "kind <> 'adr' OR adr"
# A store of kind ADR holds dangerous goods by definition: whoever writes it (IT in psql too), its flag is on.
SQLITE_ADR_TRIGGERS = (("mpsystem_adr_store_insert", "INSERT"), ("mpsystem_adr_store_update", "UPDATE OF kind, adr"))
PG_ADR_FUNCTION = """
CREATE FUNCTION mpsystem_adr_store() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.kind = 'adr' THEN
        NEW.adr := true;
    END IF;
    RETURN NEW;
END $$
"""

NOTIFY_FUNCTION = """
CREATE FUNCTION mpsystem_notify_keyless_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- A table keyed by something other than an id (the settings): "this table changed, read it again".
    PERFORM pg_catalog.pg_notify('mpsystem_changes', pg_catalog.json_build_object(
        'table', TG_TABLE_NAME, 'op', pg_catalog.lower(TG_OP), 'ids', NULL)::text);
    RETURN NULL;
END $$
"""


def _sqlite_false(default: str) -> str:
    return {"false": "0", "true": "1"}.get(default, default)


def _as_owner() -> str | None:
    """Create what follows as the schema's owner, as 0004 does (a superuser upgrading acts for it).
    Returns the role to go back to afterwards, if another."""
    bind = op.get_bind()
    owner = bind.exec_driver_sql(
        "SELECT quote_ident(tableowner) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'events'"
    ).scalar()
    me = bind.exec_driver_sql("SELECT quote_ident(current_user)").scalar()
    if owner is None or owner == me:
        return None
    op.execute(f"SET LOCAL ROLE {owner}")
    return str(me)


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    back = None if sqlite else _as_owner()
    for table, column, kind, default in COLUMNS:
        value = _sqlite_false(default) if sqlite else default
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind} NOT NULL DEFAULT {value}")
    op.execute("ALTER TABLE suppliers ADD COLUMN address VARCHAR(250)")
    op.execute("ALTER TABLE suppliers ADD COLUMN tax_id VARCHAR(30)")
    op.execute("ALTER TABLE warehouses ADD COLUMN adr BOOLEAN NOT NULL DEFAULT " + ("0" if sqlite else "false"))
    op.execute("UPDATE warehouses SET adr = " + ("1" if sqlite else "true") + " WHERE kind = 'adr'")
    if sqlite:
        # SQLite adds a new column with its CHECK in place; a table constraint would rebuild tables that
        # batches and the ledger point at, so the ADR rule on existing columns is kept by triggers.
        op.execute(f"ALTER TABLE materials ADD COLUMN shelf_life_days INTEGER CHECK ({SHELF_LIFE_CHECK})")
        for name, event in SQLITE_ADR_TRIGGERS:
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON warehouses WHEN NEW.kind = 'adr' AND NOT NEW.adr "
                "BEGIN UPDATE warehouses SET adr = 1 WHERE id = NEW.id; END"
            )
    else:
        op.execute("ALTER TABLE materials ADD COLUMN shelf_life_days INTEGER")
        op.create_check_constraint(op.f("ck_warehouses_adr_store_is_adr"), "warehouses", ADR_CHECK)
        op.create_check_constraint(op.f("ck_materials_shelf_life_range"), "materials", SHELF_LIFE_CHECK)
        op.execute(PG_ADR_FUNCTION)
        op.execute("REVOKE ALL ON FUNCTION mpsystem_adr_store() FROM PUBLIC")
        op.execute(
            "CREATE TRIGGER mpsystem_adr_store BEFORE INSERT OR UPDATE OF kind, adr ON warehouses "
            "FOR EACH ROW EXECUTE FUNCTION mpsystem_adr_store()"
        )

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    if sqlite:
        return
    op.execute("REVOKE ALL ON settings FROM PUBLIC")
    op.execute("GRANT SELECT ON settings TO mpsystem_viewer")
    op.execute("GRANT INSERT, UPDATE ON settings TO mpsystem_admin")
    op.execute(NOTIFY_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION mpsystem_notify_keyless_change() FROM PUBLIC")
    for verb in ("INSERT", "UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER mpsystem_notify_{verb.lower()} AFTER {verb} ON settings "
            "FOR EACH STATEMENT EXECUTE FUNCTION mpsystem_notify_keyless_change()"
        )
    if back is not None:
        op.execute(f"SET LOCAL ROLE {back}")


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    back = None if sqlite else _as_owner()
    if not sqlite:
        for verb in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER mpsystem_notify_{verb} ON settings")
        op.execute("DROP FUNCTION mpsystem_notify_keyless_change()")
    op.drop_table("settings")
    if sqlite:
        for name, _event in SQLITE_ADR_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER mpsystem_adr_store ON warehouses")
        op.execute("DROP FUNCTION mpsystem_adr_store()")
        op.drop_constraint(op.f("ck_materials_shelf_life_range"), "materials", type_="check")
        op.drop_constraint(op.f("ck_warehouses_adr_store_is_adr"), "warehouses", type_="check")
    # SQLite (3.35+) drops a column that no index or table constraint names.
    drops = [(t, c) for t, c, _k, _d in COLUMNS] + [
        ("warehouses", "adr"),
        ("materials", "shelf_life_days"),
        ("suppliers", "address"),
        ("suppliers", "tax_id"),
    ]
    for table, column in reversed(drops):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    if back is not None:
        op.execute(f"SET LOCAL ROLE {back}")
