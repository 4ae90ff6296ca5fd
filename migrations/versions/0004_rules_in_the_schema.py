"""The plant's rules in the schema, on both backends; owner code hardened on PostgreSQL.

Both backends:
- Balances follow the ledger: a movement's insert adds to and takes from
  `stock_balances` (never below zero); nothing else may make a balance differ
  from the ledger's sums.
- Movements and journal entries are dated by the database's clock; the ledger
  and the journal are never changed or deleted.
- Issue, consumption and delivery take only approved, unexpired batches;
  consumption and output are recorded on running orders only.
- A production order starts `new` and moves only along new → planned →
  in_progress → done, planned → new, and open → cancelled.

PostgreSQL also:
- No application role writes `stock_balances`; the movement trigger does, as
  the owner, locking the batch it checks (FOR SHARE needs UPDATE rights that
  clerks do not have) and the order it checks, and taking a transfer's two
  balances in warehouse order.
- The journal and the ledger name the session's login, looked up by the role's
  OID in `mpsystem_logins` (the logins `mpsystem_create_login` made); a login
  not on that list may not write them. Admins may no longer rename users rows.
- Every owner function and trigger runs with `search_path = pg_catalog,
  pg_temp` and names every object with its schema; PUBLIC may not CREATE in the
  schema, and the migration refuses to run while anyone but the owner can.
- The login functions act only on the logins on that list, refuse NULLs and
  reserved names, and never let a failed statement carry a verifier into an
  error message or a log.
- The owner (or a superuser) may load history past the rules by setting
  `mpsystem.history` to `on` for its transaction (the demo plant does); for
  anyone else the setting means nothing.

SQLite cannot tell who is writing: whoever can write the file owns it. It gets
every rule above that does not depend on who writes; a history load drops the
`mpsystem_rule_*` triggers for its transaction and puts them back.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Frozen copies: a migration must do the same thing forever, whatever the code around it becomes.
LEVELS = ("viewer", "clerk", "planner", "manager", "admin")
GROUPS = tuple(f"mpsystem_{level}" for level in LEVELS)
ORDER_STEPS = (
    ("new", "planned"), ("new", "cancelled"),
    ("planned", "new"), ("planned", "in_progress"), ("planned", "cancelled"),
    ("in_progress", "done"), ("in_progress", "cancelled"),
)
USABLE_ONLY = ("issue", "consumption", "delivery")  # delivery: the movement kind deliveries will write
ON_ORDERS = ("consumption", "output")
RESERVED_NAMES = ("public", "none", "current_user", "current_role", "session_user")
USER_COLUMNS_ADMINS_UPDATE = ("full_name", "role", "active", "password_hash", "failed_logins", "locked_until")
MOVEMENT_COLUMNS = (
    "id", "batch_id", "kind", "quantity", "from_warehouse_id", "to_warehouse_id",
    "production_order_id", "user_id", "note",
)
EVENT_COLUMNS = ("id", "user_id", "entity_type", "entity_id", "action", "summary", "details")


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


# ---------------------------------------------------------------- SQLite

# SQLAlchemy's own text format for UTC timestamps on SQLite, to the microsecond.
SQLITE_NOW = "(strftime('%Y-%m-%d %H:%M:%f', 'now') || '000')"
SQLITE_LEDGER_SUM = (
    "(SELECT COALESCE(SUM(CASE WHEN m.to_warehouse_id = {row}.warehouse_id THEN m.quantity ELSE 0 END)"
    " - SUM(CASE WHEN m.from_warehouse_id = {row}.warehouse_id THEN m.quantity ELSE 0 END), 0)"
    " FROM stock_movements m WHERE m.batch_id = {row}.batch_id)"
)


def _refuse(message: str) -> str:
    return f"SELECT RAISE(ABORT, 'MPSYSTEM: {message}');"


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)


def _sqlite_steps() -> str:
    return " OR ".join(f"(OLD.status = '{a}' AND NEW.status = '{b}')" for a, b in ORDER_STEPS)


SQLITE_TRIGGERS = {
    # -- rules a history load may pass (their names start with mpsystem_rule_)
    "mpsystem_rule_movement_clock": (
        "AFTER INSERT ON stock_movements BEGIN "
        f"UPDATE stock_movements SET created_at = {SQLITE_NOW} WHERE id = NEW.id; END"
    ),
    "mpsystem_rule_event_clock": (
        f"AFTER INSERT ON events BEGIN UPDATE events SET occurred_at = {SQLITE_NOW} WHERE id = NEW.id; END"
    ),
    "mpsystem_rule_usable_batch": (
        f"BEFORE INSERT ON stock_movements WHEN NEW.kind IN ({_sql_list(USABLE_ONLY)}) AND NOT EXISTS ("
        "SELECT 1 FROM batches b WHERE b.id = NEW.batch_id AND b.status = 'approved'"
        " AND (b.expiry_date IS NULL OR b.expiry_date >= date('now', 'localtime'))) BEGIN "
        + _refuse("Only approved, unexpired batches may be issued, consumed or delivered.")
        + " END"
    ),
    "mpsystem_rule_running_order": (
        f"BEFORE INSERT ON stock_movements WHEN NEW.kind IN ({_sql_list(ON_ORDERS)}) AND NOT EXISTS ("
        "SELECT 1 FROM production_orders o WHERE o.id = NEW.production_order_id AND o.status = 'in_progress') BEGIN "
        + _refuse("Consumption and output are recorded on running orders only.")
        + " END"
    ),
    "mpsystem_rule_order_starts_new": (
        "BEFORE INSERT ON production_orders WHEN NEW.status <> 'new' BEGIN "
        + _refuse("A production order starts as new.")
        + " END"
    ),
    "mpsystem_rule_order_steps": (
        f"BEFORE UPDATE OF status ON production_orders WHEN OLD.status <> NEW.status AND NOT ({_sqlite_steps()}) "
        "BEGIN "
        + _refuse(
            "An order goes new → planned → in progress → done (a planned one may go back to new), "
            "and only an open order may be cancelled."
        )
        + " END"
    ),
    # -- the ledger: always
    "mpsystem_ledger_take": (
        "AFTER INSERT ON stock_movements WHEN NEW.from_warehouse_id IS NOT NULL BEGIN "
        "SELECT RAISE(ABORT, 'MPSYSTEM: The batch has not that much stock in that warehouse.') WHERE COALESCE(("
        "SELECT quantity FROM stock_balances WHERE batch_id = NEW.batch_id AND warehouse_id = NEW.from_warehouse_id"
        "), 0) < NEW.quantity; "
        "UPDATE stock_balances SET quantity = quantity - NEW.quantity"
        " WHERE batch_id = NEW.batch_id AND warehouse_id = NEW.from_warehouse_id; END"
    ),
    "mpsystem_ledger_put": (
        "AFTER INSERT ON stock_movements WHEN NEW.to_warehouse_id IS NOT NULL BEGIN "
        "INSERT INTO stock_balances (batch_id, warehouse_id, quantity)"
        " VALUES (NEW.batch_id, NEW.to_warehouse_id, NEW.quantity)"
        " ON CONFLICT (batch_id, warehouse_id) DO UPDATE SET quantity = quantity + excluded.quantity; END"
    ),
    "mpsystem_ledger_balance_insert": (
        f"AFTER INSERT ON stock_balances WHEN NEW.quantity <> {SQLITE_LEDGER_SUM.format(row='NEW')} BEGIN "
        + _refuse("Stock balances follow the ledger; record a stock movement instead.")
        + " END"
    ),
    "mpsystem_ledger_balance_update": (
        "AFTER UPDATE ON stock_balances WHEN NEW.batch_id IS NOT OLD.batch_id"
        " OR NEW.warehouse_id IS NOT OLD.warehouse_id"
        f" OR NEW.quantity <> {SQLITE_LEDGER_SUM.format(row='NEW')} BEGIN "
        + _refuse("Stock balances follow the ledger; record a stock movement instead.")
        + " END"
    ),
    "mpsystem_ledger_balance_delete": (
        f"BEFORE DELETE ON stock_balances WHEN {SQLITE_LEDGER_SUM.format(row='OLD')} <> 0 BEGIN "
        + _refuse("Stock balances follow the ledger; record a stock movement instead.")
        + " END"
    ),
    "mpsystem_ledger_unchanged": (
        f"BEFORE UPDATE ON stock_movements WHEN {_changed(MOVEMENT_COLUMNS)}"
        f" OR NEW.created_at IS NOT {SQLITE_NOW} BEGIN "
        + _refuse("The stock ledger is never changed; record a correcting movement instead.")
        + " END"
    ),
    "mpsystem_ledger_kept": (
        "BEFORE DELETE ON stock_movements BEGIN "
        + _refuse("The stock ledger is never changed; record a correcting movement instead.")
        + " END"
    ),
    "mpsystem_journal_unchanged": (
        f"BEFORE UPDATE ON events WHEN {_changed(EVENT_COLUMNS)} OR NEW.occurred_at IS NOT {SQLITE_NOW} BEGIN "
        + _refuse("The journal is never changed.")
        + " END"
    ),
    "mpsystem_journal_kept": "BEFORE DELETE ON events BEGIN " + _refuse("The journal is never changed.") + " END",
}


def _sqlite_upgrade() -> None:
    for name, body in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def _sqlite_downgrade() -> None:
    for name in reversed(SQLITE_TRIGGERS):
        op.execute(f"DROP TRIGGER {name}")


# ---------------------------------------------------------------- PostgreSQL

# @S@ is the schema, quoted; @GROUPS@ and @LEVELS@ are text arrays. Every name is schema-qualified
# and every function pins its search_path: a function someone created in a schema they may write
# must never be found in place of PostgreSQL's own.
PG_FUNCTIONS = r"""
CREATE FUNCTION @S@.mpsystem_owner() RETURNS oid
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = '@S@.events'::pg_catalog.regclass
$$;

-- The owner of the schema's tables, a member of it, or a superuser.
CREATE FUNCTION @S@.mpsystem_trusted() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.pg_has_role(session_user, @S@.mpsystem_owner(), 'MEMBER')
$$;

-- The owner loading history (the demo plant, an import) keeps the dates, names and statuses it brings.
CREATE FUNCTION @S@.mpsystem_history() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT COALESCE(pg_catalog.current_setting('mpsystem.history', true), '') = 'on' AND @S@.mpsystem_trusted()
$$;

-- The users row of the session's login, by the role's OID: renaming a role or a users row changes nothing.
CREATE FUNCTION @S@.mpsystem_session_user_id() RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    uid integer;
BEGIN
    SELECT l.user_id INTO uid FROM @S@.mpsystem_logins l
     WHERE l.role_oid = pg_catalog.to_regrole(pg_catalog.quote_ident(session_user));
    IF uid IS NULL THEN
        RAISE EXCEPTION 'The database login % is not an MPSYSTEM user''s login', session_user
            USING ERRCODE = '42501';
    END IF;
    RETURN uid;
END $$;

CREATE OR REPLACE FUNCTION @S@.mpsystem_check_login(p_name text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- Only logins the functions below created, and still plain people: never the owner, a
    -- superuser, a role that may create roles, or anyone IT put into a group by hand.
    IF p_name IS NULL OR NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_roles r JOIN @S@.mpsystem_logins l ON l.role_oid = r.oid
         WHERE r.rolname = p_name AND NOT r.rolsuper AND NOT r.rolcreaterole AND NOT r.rolreplication
           AND NOT r.rolbypassrls AND NOT pg_catalog.pg_has_role(r.oid, @S@.mpsystem_owner(), 'MEMBER')
    ) THEN
        RAISE EXCEPTION 'There is no MPSYSTEM login named %.', p_name USING ERRCODE = '42704';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION @S@.mpsystem_check_verifier(p_verifier text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_verifier IS NULL OR p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'A password must arrive as a SCRAM-SHA-256 verifier, never in clear.' USING ERRCODE = '22023';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION @S@.mpsystem_require_admin() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- The owner counts: a non-superuser owner running `db init` creates the first administrator.
    IF NOT (pg_catalog.pg_has_role(session_user, 'mpsystem_admin', 'MEMBER') OR @S@.mpsystem_trusted()) THEN
        RAISE EXCEPTION 'Only an MPSYSTEM administrator may manage users.' USING ERRCODE = '42501';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION @S@.mpsystem_check_level(p_level text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_level IS NULL OR p_level <> ALL (@LEVELS@) THEN
        RAISE EXCEPTION 'Unknown level %.', COALESCE(p_level, 'NULL') USING ERRCODE = '22023';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION @S@.mpsystem_create_login(p_name text, p_level text, p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    uid integer;
BEGIN
    PERFORM @S@.mpsystem_require_admin();
    PERFORM @S@.mpsystem_check_level(p_level);
    IF p_name IS NULL OR p_name !~ '^[a-z][a-z0-9._-]*$' OR pg_catalog.octet_length(p_name) > 63 THEN
        RAISE EXCEPTION 'Invalid login name %.', COALESCE(p_name, 'NULL') USING ERRCODE = '22023';
    END IF;
    IF p_name = ANY (ARRAY[@RESERVED@]) OR p_name LIKE 'pg\_%' OR p_name LIKE 'mpsystem\_%' THEN
        RAISE EXCEPTION 'The name % is reserved by PostgreSQL or MPSYSTEM.', p_name USING ERRCODE = '22023';
    END IF;
    PERFORM @S@.mpsystem_check_verifier(p_verifier);
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = p_name) THEN
        RAISE EXCEPTION 'A database login named % already exists on this server.', p_name USING ERRCODE = '42710';
    END IF;
    SELECT u.id INTO uid FROM @S@.users u WHERE u.username = p_name;
    IF uid IS NULL THEN
        RAISE EXCEPTION 'There is no MPSYSTEM user named % to give a login to.', p_name USING ERRCODE = '42704';
    END IF;
    IF EXISTS (SELECT 1 FROM @S@.mpsystem_logins WHERE user_id = uid) THEN
        RAISE EXCEPTION 'The user % has a login already.', p_name USING ERRCODE = '42710';
    END IF;
    BEGIN
        EXECUTE pg_catalog.format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I',
                                  p_name, p_verifier, 'mpsystem_' || p_level);
    EXCEPTION WHEN OTHERS THEN
        -- Raised afresh, without the statement: it holds the verifier, and error reports and logs would show it.
        RAISE EXCEPTION '%', SQLERRM USING ERRCODE = SQLSTATE;
    END;
    INSERT INTO @S@.mpsystem_logins (role_oid, user_id)
    SELECT r.oid, uid FROM pg_catalog.pg_roles r WHERE r.rolname = p_name;
END $$;

CREATE OR REPLACE FUNCTION @S@.mpsystem_set_login(p_name text, p_level text, p_active boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    g text;
BEGIN
    PERFORM @S@.mpsystem_require_admin();
    PERFORM @S@.mpsystem_check_login(p_name);
    PERFORM @S@.mpsystem_check_level(p_level);
    IF p_active IS NULL THEN
        RAISE EXCEPTION 'Say whether the login % is active.', p_name USING ERRCODE = '22023';
    END IF;
    EXECUTE pg_catalog.format('ALTER ROLE %I %s', p_name, CASE WHEN p_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
    FOREACH g IN ARRAY @GROUPS@ LOOP
        IF g = 'mpsystem_' || p_level THEN
            EXECUTE pg_catalog.format('GRANT %I TO %I', g, p_name);
        ELSIF EXISTS (
            SELECT 1 FROM pg_catalog.pg_auth_members m
              JOIN pg_catalog.pg_roles r ON r.oid = m.member JOIN pg_catalog.pg_roles gr ON gr.oid = m.roleid
             WHERE r.rolname = p_name AND gr.rolname = g
        ) THEN
            EXECUTE pg_catalog.format('REVOKE %I FROM %I', g, p_name);
        END IF;
    END LOOP;
    IF NOT p_active THEN
        -- NOLOGIN stops new connections; end the open ones too.
        BEGIN
            PERFORM pg_catalog.pg_terminate_backend(a.pid) FROM pg_catalog.pg_stat_activity a WHERE a.usename = p_name;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'Open sessions of % stay until they disconnect.', p_name;
        END;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION @S@.mpsystem_set_password(p_name text, p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_name IS DISTINCT FROM session_user::text THEN
        PERFORM @S@.mpsystem_require_admin();
    END IF;
    PERFORM @S@.mpsystem_check_login(p_name);
    PERFORM @S@.mpsystem_check_verifier(p_verifier);
    BEGIN
        EXECUTE pg_catalog.format('ALTER ROLE %I PASSWORD %L', p_name, p_verifier);
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION '%', SQLERRM USING ERRCODE = SQLSTATE;  -- never the statement, which holds the verifier
    END;
    -- Written here, as the owner: a viewer changing their own password has no INSERT on the journal.
    -- The journal's trigger names the session's login and dates it.
    INSERT INTO @S@.events (occurred_at, user_id, entity_type, entity_id, action, summary, details)
    SELECT pg_catalog.now(), NULL, 'user', l.user_id, 'password_changed',
           'Changed the password of ' || p_name, '{}'::json
      FROM @S@.mpsystem_logins l WHERE l.role_oid = pg_catalog.to_regrole(pg_catalog.quote_ident(p_name));
END $$;

CREATE OR REPLACE FUNCTION @S@.mpsystem_stamp_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- Dated by the server's clock and written in the name of the session's login, whatever the row says.
    IF @S@.mpsystem_history() THEN
        RETURN NEW;
    END IF;
    NEW.occurred_at := pg_catalog.now();
    IF NOT @S@.mpsystem_trusted() THEN
        NEW.user_id := @S@.mpsystem_session_user_id();
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION @S@.mpsystem_require_manager() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT (pg_catalog.pg_has_role(session_user, 'mpsystem_manager', 'MEMBER') OR @S@.mpsystem_trusted()) THEN
        RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION @S@.mpsystem_notify_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_ARGV[0] = 'batch_id' THEN
        SELECT pg_catalog.array_agg(k) INTO ids FROM (SELECT batch_id AS k FROM changed LIMIT 101) s;
    ELSE
        SELECT pg_catalog.array_agg(k) INTO ids FROM (SELECT id AS k FROM changed LIMIT 101) s;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;  -- the statement changed no rows
    END IF;
    PERFORM pg_catalog.pg_notify('mpsystem_changes', pg_catalog.json_build_object(
        'table', TG_TABLE_NAME, 'op', pg_catalog.lower(TG_OP),
        'ids', CASE WHEN pg_catalog.cardinality(ids) > 100 THEN NULL ELSE ids END)::text);
    RETURN NULL;
END $$;

CREATE FUNCTION @S@.mpsystem_movement() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    trusted boolean := @S@.mpsystem_trusted();
    history boolean := trusted AND COALESCE(pg_catalog.current_setting('mpsystem.history', true), '') = 'on';
    verb text := CASE NEW.kind WHEN 'issue' THEN 'issued' WHEN 'consumption' THEN 'consumed' ELSE 'delivered' END;
    r record;
    w integer;
    have numeric;
BEGIN
    IF NOT history THEN
        NEW.created_at := pg_catalog.now();
        IF NOT trusted THEN
            NEW.user_id := @S@.mpsystem_session_user_id();
        END IF;
        IF NEW.kind = ANY (ARRAY[@USABLE_ONLY@]) THEN
            -- Checked under a share lock: a manager blocking the batch meanwhile waits for this commit,
            -- or this movement sees the block. Clerks cannot take the lock themselves (FOR SHARE needs UPDATE).
            SELECT b.number, b.status, b.status_reason, b.expiry_date, m.name AS material INTO r
              FROM @S@.batches b JOIN @S@.materials m ON m.id = b.material_id
             WHERE b.id = NEW.batch_id FOR SHARE OF b;
            IF FOUND AND r.status <> 'approved' THEN
                RAISE EXCEPTION 'Batch % is %; only approved batches may be %.', r.number,
                    r.status || COALESCE(' (' || r.status_reason || ')', ''), verb USING ERRCODE = 'MP002';
            END IF;
            IF FOUND AND r.expiry_date < CURRENT_DATE THEN
                RAISE EXCEPTION 'Batch % of % expired on %; it may not be %.', r.number, r.material,
                    pg_catalog.to_char(r.expiry_date, 'YYYY-MM-DD'), verb USING ERRCODE = 'MP002';
            END IF;
        END IF;
        IF NEW.kind = ANY (ARRAY[@ON_ORDERS@]) AND NEW.production_order_id IS NOT NULL THEN
            -- Locked too: a finish or a cancel meanwhile waits, or this movement sees it.
            SELECT o.number, o.status INTO r
              FROM @S@.production_orders o WHERE o.id = NEW.production_order_id FOR SHARE;
            IF FOUND AND r.status <> 'in_progress' THEN
                RAISE EXCEPTION 'Order % is %; consumption and output are recorded on running orders only.',
                    r.number, pg_catalog.translate(r.status, '_', ' ') USING ERRCODE = 'MP003';
            END IF;
        END IF;
    END IF;
    IF NEW.from_warehouse_id IS NOT DISTINCT FROM NEW.to_warehouse_id THEN
        RETURN NEW;  -- moves nothing; the table's CHECK refuses it
    END IF;
    -- Balances follow the ledger, taken in warehouse order: two opposite transfers never wait for each other.
    FOR w IN SELECT x FROM pg_catalog.unnest(ARRAY[NEW.from_warehouse_id, NEW.to_warehouse_id]) AS x
              WHERE x IS NOT NULL ORDER BY x LOOP
        IF w = NEW.from_warehouse_id THEN
            UPDATE @S@.stock_balances s SET quantity = s.quantity - NEW.quantity
             WHERE s.batch_id = NEW.batch_id AND s.warehouse_id = w AND s.quantity >= NEW.quantity;
            IF NOT FOUND THEN
                SELECT s.quantity INTO have
                  FROM @S@.stock_balances s WHERE s.batch_id = NEW.batch_id AND s.warehouse_id = w;
                SELECT b.number, m.unit, h.code INTO r FROM @S@.batches b JOIN @S@.materials m ON m.id = b.material_id,
                       @S@.warehouses h WHERE b.id = NEW.batch_id AND h.id = w;
                IF COALESCE(have, 0) <= 0 THEN
                    RAISE EXCEPTION 'Batch % has no stock in %.', r.number, r.code USING ERRCODE = 'MP001';
                END IF;
                RAISE EXCEPTION 'Batch % has only % % in %; % % cannot be taken.', r.number,
                    pg_catalog.trim_scale(have), r.unit, r.code, pg_catalog.trim_scale(NEW.quantity), r.unit
                    USING ERRCODE = 'MP001';
            END IF;
        ELSE
            INSERT INTO @S@.stock_balances AS s (batch_id, warehouse_id, quantity)
            VALUES (NEW.batch_id, w, NEW.quantity)
            ON CONFLICT (batch_id, warehouse_id) DO UPDATE SET quantity = s.quantity + EXCLUDED.quantity;
        END IF;
    END LOOP;
    RETURN NEW;
END $$;

CREATE FUNCTION @S@.mpsystem_order_steps() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF @S@.mpsystem_history() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        RAISE EXCEPTION 'A production order starts as new; order % cannot begin %.', NEW.number,
            pg_catalog.translate(NEW.status, '_', ' ') USING ERRCODE = 'MP004';
    END IF;
    IF (OLD.status || '>' || NEW.status) <> ALL (ARRAY[@STEPS@]) THEN
        RAISE EXCEPTION 'Order % is %; it cannot become % (orders go new, planned, in progress, done; '
            'a planned one may go back to new; an open one may be cancelled).', NEW.number,
            pg_catalog.translate(OLD.status, '_', ' '), pg_catalog.translate(NEW.status, '_', ' ')
            USING ERRCODE = 'MP004';
    END IF;
    RETURN NEW;
END $$;
"""

NEW_FUNCTIONS = (
    "mpsystem_owner()", "mpsystem_trusted()", "mpsystem_history()", "mpsystem_session_user_id()",
    "mpsystem_check_level(text)", "mpsystem_movement()", "mpsystem_order_steps()",
)
REPLACED_FUNCTIONS = (
    "mpsystem_check_login(text)", "mpsystem_check_verifier(text)", "mpsystem_require_admin()",
    "mpsystem_create_login(text, text, text)", "mpsystem_set_login(text, text, boolean)",
    "mpsystem_set_password(text, text)", "mpsystem_stamp_event()", "mpsystem_require_manager()",
    "mpsystem_notify_change()",
)
# Asked by trigger functions that run as the writer, and by the demo before it loads history.
EVERYONE_CALLS = ("mpsystem_owner()", "mpsystem_trusted()", "mpsystem_history()", "mpsystem_session_user_id()")


def _pg_functions(schema: str) -> str:
    text = PG_FUNCTIONS
    for key, value in {
        "@GROUPS@": "ARRAY[" + _sql_list(GROUPS) + "]::text[]",
        "@LEVELS@": "ARRAY[" + _sql_list(LEVELS) + "]::text[]",
        "@RESERVED@": _sql_list(RESERVED_NAMES),
        "@USABLE_ONLY@": _sql_list(USABLE_ONLY),
        "@ON_ORDERS@": _sql_list(ON_ORDERS),
        "@STEPS@": _sql_list(tuple(f"{a}>{b}" for a, b in ORDER_STEPS)),
        "@S@": schema,
    }.items():
        text = text.replace(key, value)
    return text


def _scalar(sql: str) -> object:
    return op.get_bind().exec_driver_sql(sql).scalar()


def _pg_context() -> tuple[str, str, str, bool]:
    """(schema, owner, the role running this, whether the session is a superuser)."""
    schema = str(_scalar("SELECT quote_ident(current_schema())"))
    owner = str(_scalar(
        "SELECT quote_ident(tableowner) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'events'"
    ))
    me = str(_scalar("SELECT quote_ident(current_user)"))
    superuser = bool(_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = session_user"))
    return schema, owner, me, superuser


def _close_the_schema(schema: str, me: str, superuser: bool) -> None:
    """Nobody but the owner creates objects in the schema; refuse to go on where that cannot be made so."""
    if superuser:
        op.execute("RESET ROLE")  # the schema's owner or a superuser may revoke; the tables' owner may not
    op.execute(f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC")
    if superuser:
        op.execute(f"SET LOCAL ROLE {me}")
    groups = "ARRAY[" + _sql_list(GROUPS) + "]"
    # Raised by the server, so that every client reports it as the server's refusal, in one line.
    op.execute(
        "DO $$ DECLARE open_to text; BEGIN"
        " SELECT 'PUBLIC' INTO open_to FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a"
        "  WHERE n.nspname = current_schema() AND a.grantee = 0 AND a.privilege_type = 'CREATE';"
        " IF open_to IS NULL THEN"
        " SELECT string_agg(r.rolname::text, ', ' ORDER BY r.rolname) INTO open_to FROM pg_catalog.pg_roles r"
        f"  WHERE (r.rolname = ANY ({groups}) OR EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m"
        f"    JOIN pg_catalog.pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid AND g.rolname = ANY ({groups})))"
        "   AND pg_catalog.has_schema_privilege(r.oid, current_schema(), 'CREATE')"
        "   AND NOT pg_catalog.pg_has_role(r.oid, (SELECT tableowner FROM pg_catalog.pg_tables"
        "    WHERE schemaname = current_schema() AND tablename = 'events'), 'MEMBER');"
        " END IF;"
        " IF open_to IS NOT NULL THEN RAISE EXCEPTION"
        " 'Others may still create objects in schema % (%), where they could put functions that run with the"
        " owner''s rights: as the schema''s owner or a superuser, REVOKE CREATE ON SCHEMA % FROM PUBLIC (and from"
        " those roles), then run this again.', current_schema(), open_to, current_schema()"
        " USING ERRCODE = '42501'; END IF; END $$"
    )


def _pg_upgrade() -> None:
    schema, owner, me, superuser = _pg_context()
    _close_the_schema(schema, me, superuser)
    if me != owner:
        op.execute(f"SET LOCAL ROLE {owner}")  # what is created here is the owner's
    groups = "ARRAY[" + _sql_list(GROUPS) + "]"

    op.execute(
        f"CREATE TABLE {schema}.mpsystem_logins ("
        " role_oid oid PRIMARY KEY,"
        f" user_id integer NOT NULL UNIQUE REFERENCES {schema}.users (id),"
        " created_at timestamptz NOT NULL DEFAULT now())"
    )
    op.execute(f"REVOKE ALL ON {schema}.mpsystem_logins FROM PUBLIC")
    op.execute(f"GRANT SELECT ON {schema}.mpsystem_logins TO mpsystem_viewer")
    # The logins made before this list existed: plain people in one of the groups, with their users row.
    op.execute(
        f"INSERT INTO {schema}.mpsystem_logins (role_oid, user_id)"
        f" SELECT r.oid, u.id FROM pg_roles r JOIN {schema}.users u ON u.username = r.rolname"
        " WHERE NOT r.rolsuper AND NOT r.rolcreaterole AND NOT r.rolreplication AND NOT r.rolbypassrls"
        f" AND r.rolname <> ALL ({groups})"
        f" AND NOT pg_has_role(r.oid, (SELECT tableowner FROM pg_tables WHERE schemaname = current_schema()"
        "   AND tablename = 'events'), 'MEMBER')"
        " AND EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
        f"   WHERE m.member = r.oid AND g.rolname = ANY ({groups}))"
    )

    # Balances are the movement trigger's to write; users rows keep their names.
    op.execute(f"REVOKE INSERT, UPDATE ON {schema}.stock_balances FROM mpsystem_clerk")
    op.execute(f"REVOKE UPDATE (quantity) ON {schema}.stock_balances FROM mpsystem_clerk")
    op.execute(f"REVOKE UPDATE ON {schema}.users FROM mpsystem_admin")
    op.execute(f"GRANT UPDATE ({', '.join(USER_COLUMNS_ADMINS_UPDATE)}) ON {schema}.users TO mpsystem_admin")

    op.execute(_pg_functions(schema))
    for name in (*NEW_FUNCTIONS, *REPLACED_FUNCTIONS):
        op.execute(f"REVOKE ALL ON FUNCTION {schema}.{name} FROM PUBLIC")
    for name in EVERYONE_CALLS:
        op.execute(f"GRANT EXECUTE ON FUNCTION {schema}.{name} TO mpsystem_viewer")
    op.execute(f"GRANT EXECUTE ON FUNCTION {schema}.mpsystem_set_password(text, text) TO mpsystem_viewer")
    for name in ("mpsystem_create_login(text, text, text)", "mpsystem_set_login(text, text, boolean)"):
        op.execute(f"GRANT EXECUTE ON FUNCTION {schema}.{name} TO mpsystem_admin")

    op.execute(
        f"CREATE TRIGGER mpsystem_movement BEFORE INSERT ON {schema}.stock_movements "
        f"FOR EACH ROW EXECUTE FUNCTION {schema}.mpsystem_movement()"
    )
    op.execute(
        f"CREATE TRIGGER mpsystem_order_starts_new BEFORE INSERT ON {schema}.production_orders "
        f"FOR EACH ROW WHEN (NEW.status <> 'new') EXECUTE FUNCTION {schema}.mpsystem_order_steps()"
    )
    op.execute(
        f"CREATE TRIGGER mpsystem_order_steps BEFORE UPDATE OF status ON {schema}.production_orders "
        f"FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION {schema}.mpsystem_order_steps()"
    )
    if me != owner:
        op.execute(f"SET LOCAL ROLE {me}")


def _functions_of_0003(owner: str) -> str:
    """0003's own text of the functions this migration replaced, to put them back on a downgrade."""
    path = Path(__file__).with_name("0003_database_roles.py")
    spec = importlib.util.spec_from_file_location("mpsystem_migration_0003", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module._functions_sql(owner)).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")


def _pg_downgrade() -> None:
    schema, owner, me, _superuser = _pg_context()
    if me != owner:
        op.execute(f"SET LOCAL ROLE {owner}")
    op.execute(f"DROP TRIGGER mpsystem_order_steps ON {schema}.production_orders")
    op.execute(f"DROP TRIGGER mpsystem_order_starts_new ON {schema}.production_orders")
    op.execute(f"DROP TRIGGER mpsystem_movement ON {schema}.stock_movements")
    op.execute(_functions_of_0003(str(_scalar("SELECT tableowner FROM pg_tables WHERE schemaname = current_schema()"
                                              " AND tablename = 'events'"))))
    for name in reversed(NEW_FUNCTIONS):
        op.execute(f"DROP FUNCTION {schema}.{name}")
    op.execute(f"REVOKE UPDATE ({', '.join(USER_COLUMNS_ADMINS_UPDATE)}) ON {schema}.users FROM mpsystem_admin")
    op.execute(f"GRANT UPDATE ON {schema}.users TO mpsystem_admin")
    op.execute(f"GRANT INSERT ON {schema}.stock_balances TO mpsystem_clerk")
    op.execute(f"GRANT UPDATE (quantity) ON {schema}.stock_balances TO mpsystem_clerk")
    op.execute(f"DROP TABLE {schema}.mpsystem_logins")
    if me != owner:
        op.execute(f"SET LOCAL ROLE {me}")
    # CREATE on the schema stays revoked from PUBLIC: giving it back would reopen the hole.


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _pg_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_downgrade()
    else:
        _pg_downgrade()
