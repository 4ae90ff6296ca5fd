"""Writing a long journal fast: plain executemany on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.journal import Entry
from data.db import Database

CHUNK = 50_000
COLUMNS = "occurred_at, user_id, entity_type, entity_id, action, summary, details"


@dataclass(frozen=True)
class JournalRow:
    when: datetime
    user_id: int | None
    entity_type: str
    entity_id: int | None
    action: str
    summary: str
    details: dict[str, Any] | None

    @classmethod
    def of(
        cls, when: datetime, user_id: int | None, entity_type: str, entity_id: int | None, entry: Entry
    ) -> JournalRow:
        return cls(when, user_id, entity_type, entity_id, entry.action, entry.summary, entry.details)

    def values(self, when: Any) -> tuple[Any, ...]:
        """The row's values in COLUMNS' order, its moment as the backend wants it."""
        details = json.dumps(self.details, ensure_ascii=False) if self.details is not None else None
        return (when, self.user_id, self.entity_type, self.entity_id, self.action, self.summary, details)


def write_journal(conn: Any, database: Database, rows: Iterator[JournalRow]) -> None:
    """Bulk-load journal entries in the caller's transaction."""
    if database.is_sqlite:
        # The search index's per-row trigger costs more than the insert itself; index the
        # new rows in one statement instead, then put the trigger back exactly as it was.
        trigger = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'events_search_insert'"
        ).scalar()
        first_new = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) + 1 FROM events").scalar()
        if trigger:
            conn.exec_driver_sql("DROP TRIGGER events_search_insert")
        _insert_sqlite(conn, rows)
        if trigger:
            conn.exec_driver_sql(
                "INSERT INTO events_search (rowid, summary) "
                f"SELECT id, summary FROM events WHERE id >= {int(first_new)}"
            )
            conn.exec_driver_sql(trigger)
        return
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY events ({COLUMNS}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row.values(row.when))


def _insert_sqlite(conn: Any, rows: Iterator[JournalRow]) -> None:
    sql = f"INSERT INTO events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row.values(row.when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")))
        if len(chunk) >= CHUNK:
            conn.exec_driver_sql(sql, chunk)
            chunk.clear()
    if chunk:
        conn.exec_driver_sql(sql, chunk)
