"""Alembic environment. Always driven from `data.migrate`, which hands over a live connection."""

from __future__ import annotations

from alembic import context

from data.models import Base

config = context.config
target_metadata = Base.metadata


# Kept by hand in the migrations, not modelled: the queue view, the journal's search index, and the
# PostgreSQL list of the logins MPSYSTEM created (migration 0004), which no application code writes.
NOT_MODELLED = ("production_queue", "events_search", "ix_events_summary_trgm", "mpsystem_logins")


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (name or "").startswith(NOT_MODELLED)


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; use `mpsystem db upgrade`")
run_migrations_online()
