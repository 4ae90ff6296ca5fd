"""Opening a database: addresses people type, what errors may show, and the local file's permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from data.db import open_database
from data.errors import ConnectionFailed


@pytest.mark.parametrize(
    ("address", "fragment"),
    [
        ("postgresql://anna:secret@db.plant.local:abc/mpsystem", "is not a database address"),
        ("postgresql://anna:secret@db.plant.local:99999/mpsystem", "the port must be between 1 and 65535"),
        ("postgresql://anna:secret@db.plant.local:0/mpsystem", "the port must be between 1 and 65535"),
    ],
)
def test_an_address_with_a_bad_port_is_refused_plainly_and_without_its_password(address: str, fragment: str) -> None:
    """Hole: a URL with a bad port ended in a traceback."""
    with pytest.raises(ConnectionFailed, match=fragment) as refused:
        open_database(address)
    assert "secret" not in str(refused.value) and "anna:***@" in str(refused.value)


def test_an_engine_error_never_shows_the_values_it_was_given(database_url: str) -> None:
    """No secret or verifier in a message or a log: the statement's values stay out of every error."""
    database = open_database(database_url)
    secret = "SCRAM-SHA-256$4096:c2VjcmV0$bm90IGEgcmVhbCBvbmU="
    try:
        with pytest.raises(DBAPIError) as failed, database.engine.connect() as conn:
            conn.execute(text("INSERT INTO no_such_table (verifier) VALUES (:v)"), {"v": secret})
        assert secret not in str(failed.value) and "hidden" in str(failed.value)
    finally:
        database.dispose()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_new_local_database_is_this_users_only(tmp_path: Path) -> None:
    """Hole: the database file was created 0644."""
    from data.migrate import upgrade

    path = tmp_path / "new folder" / "plant.sqlite3"
    database = open_database(path)
    upgrade(database)
    with database.engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM users")).scalar()
        created = sorted(p.name for p in path.parent.iterdir())
        modes = {p.name: _mode(p) for p in path.parent.iterdir()}
    database.dispose()
    assert _mode(path.parent) == 0o700
    assert "plant.sqlite3-wal" in created  # SQLite's companions follow the file's mode
    assert modes == dict.fromkeys(created, 0o600)
