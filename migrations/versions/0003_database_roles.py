"""PostgreSQL: the owner role, one group role per level, GRANTs from the permission table, live-change notices.

- Every table, view and sequence is owned by the owner role (mpsystem_owner
  when a superuser runs this; otherwise the role running it, which then needs
  CREATEROLE).
- Group roles mpsystem_viewer … mpsystem_admin, each a member of the one
  before, get exactly what the permission table lets that level do. Column
  GRANTs keep quality status with managers and archiving with managers.
- Nobody but the owner may UPDATE or DELETE the journal; no application role
  DELETEs anything (the application never deletes).
- Logins are managed through SECURITY DEFINER functions (see data/pgroles.py).
- Statement triggers send pg_notify('mpsystem_changes', {table, op, ids}) for
  every write, also one made from psql; more than 100 ids are sent as null,
  meaning "reload".

SQLite has no roles: whoever can write the file owns the data. Nothing to do there.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# Copies of data/pgroles.py's names, on purpose: a migration must do the same thing forever,
# whatever the code around it becomes.
OWNER = "mpsystem_owner"
LEVELS = ("viewer", "clerk", "planner", "manager", "admin")
GROUPS = tuple(f"mpsystem_{level}" for level in LEVELS)
TABLES = (
    "warehouses", "materials", "suppliers", "customers", "users", "production_lines",
    "production_orders", "batches", "stock_balances", "stock_movements", "events",
)

# (level, privileges, table). Levels inherit everything granted to the levels before them.
GRANTS = [
    *(("viewer", "SELECT", t) for t in (*TABLES, "production_queue", "alembic_version")),
    # clerk: receive, transfer, issue, adjust; the journal entry that goes with each
    ("clerk", "INSERT", "batches"),
    ("clerk", "INSERT", "stock_balances"),
    ("clerk", "UPDATE (quantity)", "stock_balances"),
    ("clerk", "INSERT", "stock_movements"),
    ("clerk", "INSERT", "events"),
    # planner: orders (including running them) and customers, but not archiving them
    ("planner", "INSERT, UPDATE", "production_orders"),
    ("planner", "INSERT", "customers"),
    ("planner", "UPDATE (name, contact, email, phone, address, tax_id, notes, version)", "customers"),
    # manager: quality status and archiving
    ("manager", "UPDATE (status, status_reason, version)", "batches"),
    ("manager", "UPDATE (archived, version)", "customers"),
    # admin: master data and the users table
    *(("admin", "INSERT, UPDATE", t) for t in ("warehouses", "materials", "suppliers", "production_lines", "users")),
]
SEQUENCES = {
    "clerk": ("batches", "stock_movements", "events"),
    "planner": ("production_orders", "customers"),
    "admin": ("warehouses", "materials", "suppliers", "production_lines", "users"),
}

FUNCTIONS = r"""
CREATE FUNCTION mpsystem_check_login(p_name text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    -- Only logins inside the five groups may be touched: never the owner, a superuser or a stranger.
    IF NOT EXISTS (
        SELECT 1 FROM pg_roles r JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON g.oid = m.roleid
        WHERE r.rolname = p_name AND NOT r.rolsuper AND g.rolname = ANY (%(groups)s)
          AND r.rolname <> ALL (%(groups)s) AND r.rolname <> %(owner)s
    ) THEN
        RAISE EXCEPTION 'There is no MPSYSTEM login named %%.', p_name USING ERRCODE = '42704';
    END IF;
END $$;

CREATE FUNCTION mpsystem_check_verifier(p_verifier text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_verifier IS NULL OR p_verifier NOT LIKE 'SCRAM-SHA-256$%%' THEN
        RAISE EXCEPTION 'A password must arrive as a SCRAM-SHA-256 verifier, never in clear.' USING ERRCODE = '22023';
    END IF;
END $$;

CREATE FUNCTION mpsystem_require_admin() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT pg_has_role(session_user, 'mpsystem_admin', 'MEMBER') THEN
        RAISE EXCEPTION 'Only an MPSYSTEM administrator may manage users.' USING ERRCODE = '42501';
    END IF;
END $$;

CREATE FUNCTION mpsystem_create_login(p_name text, p_level text, p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM mpsystem_require_admin();
    IF p_level <> ALL (%(levels)s) THEN
        RAISE EXCEPTION 'Unknown level %%.', p_level USING ERRCODE = '22023';
    END IF;
    IF p_name !~ '^[a-z][a-z0-9._-]*$' THEN
        RAISE EXCEPTION 'Invalid login name %%.', p_name USING ERRCODE = '22023';
    END IF;
    PERFORM mpsystem_check_verifier(p_verifier);
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name) THEN
        RAISE EXCEPTION 'A database login named %% already exists on this server.', p_name USING ERRCODE = '42710';
    END IF;
    EXECUTE format('CREATE ROLE %%I LOGIN PASSWORD %%L IN ROLE %%I', p_name, p_verifier, 'mpsystem_' || p_level);
END $$;

CREATE FUNCTION mpsystem_set_login(p_name text, p_level text, p_active boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    g text;
BEGIN
    PERFORM mpsystem_require_admin();
    PERFORM mpsystem_check_login(p_name);
    IF p_level <> ALL (%(levels)s) THEN
        RAISE EXCEPTION 'Unknown level %%.', p_level USING ERRCODE = '22023';
    END IF;
    EXECUTE format('ALTER ROLE %%I %%s', p_name, CASE WHEN p_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
    FOREACH g IN ARRAY %(groups)s LOOP
        IF g = 'mpsystem_' || p_level THEN
            EXECUTE format('GRANT %%I TO %%I', g, p_name);
        ELSIF EXISTS (
            SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles gr ON gr.oid = m.roleid
            WHERE r.rolname = p_name AND gr.rolname = g
        ) THEN
            EXECUTE format('REVOKE %%I FROM %%I', g, p_name);
        END IF;
    END LOOP;
    IF NOT p_active THEN
        -- NOLOGIN stops new connections; end the open ones too.
        BEGIN
            PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = p_name;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'Open sessions of %% stay until they disconnect.', p_name;
        END;
    END IF;
END $$;

CREATE FUNCTION mpsystem_set_password(p_name text, p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF p_name <> session_user THEN
        PERFORM mpsystem_require_admin();
    END IF;
    PERFORM mpsystem_check_login(p_name);
    PERFORM mpsystem_check_verifier(p_verifier);
    EXECUTE format('ALTER ROLE %%I PASSWORD %%L', p_name, p_verifier);
    -- Written here, as the owner: a viewer changing their own password has no INSERT on the journal.
    INSERT INTO events (occurred_at, user_id, entity_type, entity_id, action, summary, details)
    VALUES (now(), (SELECT id FROM users WHERE username = session_user), 'user',
            (SELECT id FROM users WHERE username = p_name), 'password_changed',
            'Changed the password of ' || p_name, '{}'::json);
END $$;

CREATE FUNCTION mpsystem_stamp_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    uid integer;
BEGIN
    -- A journal entry names the person whose login wrote it; it cannot be written in someone else's name.
    IF current_setting('is_superuser') = 'on' THEN
        RETURN NEW;
    END IF;
    SELECT id INTO uid FROM users WHERE username = session_user;
    IF FOUND THEN
        NEW.user_id := uid;
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION mpsystem_require_manager() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT (pg_has_role(current_user, 'mpsystem_manager', 'MEMBER') OR pg_has_role(current_user, %(owner)s, 'MEMBER')) THEN
        RAISE EXCEPTION '%%', TG_ARGV[0] USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION mpsystem_notify_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_ARGV[0] = 'batch_id' THEN
        SELECT array_agg(k) INTO ids FROM (SELECT batch_id AS k FROM changed LIMIT 101) s;
    ELSE
        SELECT array_agg(k) INTO ids FROM (SELECT id AS k FROM changed LIMIT 101) s;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;  -- the statement changed no rows
    END IF;
    PERFORM pg_notify(%(channel)s, json_build_object(
        'table', TG_TABLE_NAME, 'op', lower(TG_OP),
        'ids', CASE WHEN cardinality(ids) > 100 THEN NULL ELSE ids END)::text);
    RETURN NULL;
END $$;
"""

FUNCTION_NAMES = (
    "mpsystem_check_login(text)", "mpsystem_check_verifier(text)", "mpsystem_require_admin()",
    "mpsystem_create_login(text, text, text)", "mpsystem_set_login(text, text, boolean)",
    "mpsystem_set_password(text, text)", "mpsystem_stamp_event()", "mpsystem_require_manager()",
    "mpsystem_notify_change()",
)


def _array(values: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]::text[]"


def _create_role_if_missing(name: str, options: str) -> None:
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') "
        f"THEN CREATE ROLE {name} {options}; END IF; END $$"
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    superuser = bind.exec_driver_sql("SELECT current_setting('is_superuser')").scalar() == "on"
    if superuser:
        _create_role_if_missing(OWNER, "NOLOGIN CREATEROLE")
        owner = OWNER
        op.execute(f"GRANT CREATE, USAGE ON SCHEMA public TO {owner}")
        op.execute(f"GRANT pg_signal_backend TO {owner}")
        for (table,) in bind.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"):
            op.execute(f'ALTER TABLE "{table}" OWNER TO {owner}')
        op.execute(f"ALTER VIEW production_queue OWNER TO {owner}")
        # Groups are created by the owner, so that it holds ADMIN OPTION on them (PostgreSQL 16+ requires it).
        op.execute(f"SET LOCAL ROLE {owner}")
    else:
        owner = bind.exec_driver_sql("SELECT current_user").scalar()

    previous = None
    for group in GROUPS:
        _create_role_if_missing(group, "NOLOGIN")
        if previous:
            op.execute(f"GRANT {previous} TO {group}")
        previous = group

    for table in (*TABLES, "production_queue", "alembic_version"):
        op.execute(f'REVOKE ALL ON "{table}" FROM PUBLIC')
    for level, privileges, table in GRANTS:
        op.execute(f'GRANT {privileges} ON "{table}" TO mpsystem_{level}')
    for level, tables in SEQUENCES.items():
        for table in tables:
            op.execute(
                f"DO $$ BEGIN EXECUTE format('GRANT USAGE ON SEQUENCE %s TO mpsystem_{level}', "
                f"pg_get_serial_sequence('{table}', 'id')); END $$"
            )

    op.execute(_functions_sql(owner))
    for name in FUNCTION_NAMES:
        op.execute(f"REVOKE ALL ON FUNCTION {name} FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION mpsystem_set_password(text, text) TO mpsystem_viewer")
    for name in ("mpsystem_create_login(text, text, text)", "mpsystem_set_login(text, text, boolean)"):
        op.execute(f"GRANT EXECUTE ON FUNCTION {name} TO mpsystem_admin")

    op.execute(
        "CREATE TRIGGER mpsystem_stamp_event BEFORE INSERT ON events "
        "FOR EACH ROW EXECUTE FUNCTION mpsystem_stamp_event()"
    )
    op.execute(
        "CREATE TRIGGER mpsystem_batch_status BEFORE INSERT ON batches FOR EACH ROW "
        "WHEN (NEW.status <> 'pending') "
        "EXECUTE FUNCTION mpsystem_require_manager('Only a manager may give a new batch a quality status.')"
    )
    op.execute(
        "CREATE TRIGGER mpsystem_order_cancel BEFORE UPDATE OF status ON production_orders FOR EACH ROW "
        "WHEN (NEW.status = 'cancelled' AND OLD.status IS DISTINCT FROM 'cancelled') "
        "EXECUTE FUNCTION mpsystem_require_manager('Only a manager may cancel a production order.')"
    )
    for table in TABLES:
        key = "batch_id" if table == "stock_balances" else "id"
        for verb, transition in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER mpsystem_notify_{verb.lower()} AFTER {verb} ON {table} "
                f"REFERENCING {transition} TABLE AS changed FOR EACH STATEMENT "
                f"EXECUTE FUNCTION mpsystem_notify_change('{key}')"
            )

    if superuser:
        op.execute("RESET ROLE")
    # Only the application's people may connect. Needs the database's owner or a superuser; a
    # database created for MPSYSTEM by IT is theirs, so this only warns where it cannot.
    op.execute(
        "DO $$ BEGIN "
        "EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()); "
        "EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO mpsystem_viewer', current_database()); "
        f"EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO {owner}', current_database()); "
        "EXCEPTION WHEN insufficient_privilege THEN "
        "RAISE WARNING 'Run GRANT CONNECT ON DATABASE % TO mpsystem_viewer as its owner.', current_database(); "
        "END $$"
    )


def _functions_sql(owner: str) -> str:
    return FUNCTIONS % {
        "groups": _array(GROUPS),
        "levels": _array(LEVELS),
        "owner": f"'{owner}'",
        "channel": "'mpsystem_changes'",
    }


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in TABLES:
        for verb in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER mpsystem_notify_{verb} ON {table}")
    op.execute("DROP TRIGGER mpsystem_order_cancel ON production_orders")
    op.execute("DROP TRIGGER mpsystem_batch_status ON batches")
    op.execute("DROP TRIGGER mpsystem_stamp_event ON events")
    for name in reversed(FUNCTION_NAMES):
        op.execute(f"DROP FUNCTION {name}")
    for level, privileges, table in GRANTS:
        op.execute(f'REVOKE {privileges} ON "{table}" FROM mpsystem_{level}')
    # The roles themselves stay: they are cluster-wide and may serve another database.
