"""Alembic environment. Always driven from `data.migrate`, which hands over a live connection."""

from __future__ import annotations

from alembic import context

from data.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
        include_object=lambda obj, name, type_, reflected, compare_to: not (
            type_ == "table" and name == "production_queue"
        ),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; use `mpsystem db upgrade`")
run_migrations_online()
