"""Live updates for the client: a subscription to the changes other people (and windows) commit."""

from __future__ import annotations

from collections.abc import Callable

from data.changes import EVERYTHING, LOCAL, Change, ChangeListener
from data.db import Database

__all__ = ["Change", "EVERYTHING", "subscribe"]


def subscribe(
    database: Database,
    on_changes: Callable[[list[Change]], None],
    on_state: Callable[[bool, str], None] = lambda _up, _why: None,
) -> Callable[[], None]:
    """Call `on_changes` (on any thread) for every committed write; returns the function that stops it.

    PostgreSQL: every workstation's writes, through a listener connection that
    reconnects by itself and reports its state through `on_state`. SQLite: the
    writes of the other windows of this process on the same file.
    """
    if database.is_sqlite:
        return LOCAL.subscribe(database.change_key, on_changes)
    was_down = False

    def state(up: bool, why: str) -> None:
        nonlocal was_down
        if up and was_down:
            database.reset_connections()  # the pooled ones died with the old server process
        was_down = not up
        on_state(up, why)

    listener = ChangeListener(database.url, on_changes, state).start()
    return listener.stop
