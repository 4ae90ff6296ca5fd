"""Trigram search on the journal's summaries, so a text filter over millions of events uses an index.

SQLite: an FTS5 trigram table over events.summary, kept current by triggers.
PostgreSQL: pg_trgm and a GIN index on lower(summary).

A later batch-mode migration that rebuilds `events` on SQLite drops these
triggers with the old table and must create them again.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE events_search USING fts5("
    "summary, content='events', content_rowid='id', tokenize='trigram')",
    "INSERT INTO events_search(events_search) VALUES ('rebuild')",
    "CREATE TRIGGER events_search_insert AFTER INSERT ON events BEGIN "
    "INSERT INTO events_search(rowid, summary) VALUES (new.id, new.summary); END",
    "CREATE TRIGGER events_search_delete AFTER DELETE ON events BEGIN "
    "INSERT INTO events_search(events_search, rowid, summary) VALUES ('delete', old.id, old.summary); END",
    "CREATE TRIGGER events_search_update AFTER UPDATE OF summary ON events BEGIN "
    "INSERT INTO events_search(events_search, rowid, summary) VALUES ('delete', old.id, old.summary); "
    "INSERT INTO events_search(rowid, summary) VALUES (new.id, new.summary); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER events_search_update",
    "DROP TRIGGER events_search_delete",
    "DROP TRIGGER events_search_insert",
    "DROP TABLE events_search",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    else:
        # pg_trgm is a trusted extension: the database owner may create it without being a superuser.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_events_summary_trgm ON events USING gin (lower(summary) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    else:
        op.execute("DROP INDEX ix_events_summary_trgm")
