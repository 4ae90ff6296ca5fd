"""Schema upgrades and the check that client and database speak the same schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.orm import sessionmaker

import migrations
from data import plant
from data.db import Database
from data.errors import PermissionDenied, SchemaMismatch, ValidationError

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _run(database: Database, action: str, target: str) -> list[str]:
    """Run the migrations in one transaction; on PostgreSQL, settle the plant afterwards (see data/plant.py)."""
    config = alembic_config()
    with database.engine.begin() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        if current is not None and current not in known_revisions():
            raise _newer_schema(current, "Nothing was changed: use the MPSYSTEM version that made it, or a newer one")
        if database.is_sqlite:
            config.attributes["connection"] = conn
            getattr(command, action)(config, target)
            return []
        if current is None:
            plant.refuse_second_plant(conn)
        _act_as_schema_owner(conn)
        config.attributes["connection"] = conn
        getattr(command, action)(config, target)
        if conn.exec_driver_sql("SELECT to_regclass('mpsystem_logins') IS NOT NULL").scalar():
            return plant.settle(conn)
        return []


def _newer_schema(current: str, advice: str) -> SchemaMismatch:
    return SchemaMismatch(
        f"The database schema ({current}) is newer than this client knows ({head_revision()}). {advice}.",
        database_revision=current,
        client_revision=head_revision(),
        client_is_newer=False,
    )


def _act_as_schema_owner(conn: Connection) -> None:
    """Run DDL as the role that owns the schema, so new tables are the owner's, not the superuser's."""
    owner = conn.exec_driver_sql(
        "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'alembic_version'"
    ).scalar()
    if owner is None:
        return  # a new database: migration 0003 hands everything to the owner role
    me = conn.exec_driver_sql("SELECT current_user").scalar()
    if owner == me:
        return
    if not conn.exec_driver_sql("SELECT pg_has_role(current_user, %(o)s, 'MEMBER')", {"o": owner}).scalar():
        raise PermissionDenied(
            f"The schema belongs to the role {owner}; upgrade it as {owner}, a member of it, or a superuser."
        )
    conn.exec_driver_sql(f'SET LOCAL ROLE "{owner}"')


def upgrade(database: Database, target: str = "head") -> list[str]:
    """Upgrade the schema; returns what the upgrade noticed and did beyond the migrations, for IT to read."""
    return _run(database, "upgrade", target)


def may_initialise(database: Database) -> None:
    """Refuse, before anything is asked or written, a database that is initialised or a second plant."""
    with database.engine.connect() as conn:
        _refuse_initialised(database, conn)


def _refuse_initialised(database: Database, conn: Connection) -> None:
    if MigrationContext.configure(conn).get_current_revision() is not None:
        raise ValidationError(
            f"The database {database.describe()} is already initialised; "
            "use `mpsystem db upgrade` to bring it up to date."
        )
    if not database.is_sqlite:
        plant.refuse_second_plant(conn)


def initialise(database: Database, first_admin: Callable[[Database], object]) -> None:
    """Create the schema and, with `first_admin`, its first administrator, in one transaction.

    `first_admin` gets a Database whose sessions work inside that transaction: if it fails, there
    is no schema without an administrator to be stuck with, and `db init` can simply run again.
    """
    config = alembic_config()
    with database.engine.begin() as conn:
        _refuse_initialised(database, conn)
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        if not database.is_sqlite:
            plant.settle(conn)
        # The services commit their unit of work: here that releases a savepoint, and only the end
        # of this block commits everything.
        sessions = sessionmaker(bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint")
        first_admin(Database(url=database.url, engine=database.engine, session_factory=sessions,
                             write_session_factory=sessions))  # fmt: skip


def downgrade(database: Database, target: str = "base") -> None:
    _run(database, "downgrade", target)


def is_initialised(database: Database) -> bool:
    return "users" in inspect(database.engine).get_table_names()


def check_schema(database: Database) -> None:
    """Refuse to work on a schema this client does not know, saying which side must be upgraded."""
    current = current_revision(database)
    head = head_revision()
    if current == head:
        if not database.is_sqlite:
            with database.engine.connect() as conn:
                plant.check(conn)
        return
    if current is None:
        raise SchemaMismatch(
            f"The database {database.describe()} is not initialised. "
            "An administrator runs `mpsystem db init` to create it.",
            database_revision=None,
            client_revision=head,
            client_is_newer=True,
        )
    if current in known_revisions():
        raise SchemaMismatch(
            f"The database schema ({current}) is older than this client ({head}). "
            "An administrator must upgrade the database with `mpsystem db upgrade`.",
            database_revision=current,
            client_revision=head,
            client_is_newer=True,
        )
    raise _newer_schema(current, "Install the newer MPSYSTEM client on this workstation")
