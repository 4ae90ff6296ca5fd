"""The rules the database keeps itself (migration 0004), and how its refusals read.

Both backends: balances follow the ledger (a movement's insert moves the stock), movements and
journal entries are dated by the database's clock, only approved unexpired batches leave or go
into a machine, consumption and output go to running orders, and an order's status moves only
along its steps. PostgreSQL also names the session's login in the ledger and the journal.

History (the demo plant, an import) was true when it happened: the owner loads it past the
rules that judge the present, with `loading_history`. Balances follow the ledger even then.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from data.errors import PermissionDenied

# The setting the owner turns on for one transaction to load history (PostgreSQL).
HISTORY_SETTING = "mpsystem.history"
# SQLite's triggers that judge the present; a history load drops them and puts them back.
SQLITE_RULE_PREFIX = "mpsystem_rule_"

# PostgreSQL: the SQLSTATE of each refusal of migration 0004's triggers -> the form field it is about.
REFUSALS = {
    "MP001": "quantity",  # not that much stock of the batch in that warehouse
    "MP002": "batch",  # the batch is not approved, or has expired
    "MP003": "order",  # consumption or output on an order that is not running
    "MP004": "order",  # a status the order may not take
}
# SQLite: RAISE(ABORT, 'MPSYSTEM: …') from the same rules.
SQLITE_REFUSAL = re.compile(r"^MPSYSTEM: (.+)$", re.DOTALL)


@contextmanager
def loading_history(conn: Connection) -> Iterator[None]:
    """Within `conn`'s transaction, write rows dated, signed and in states of the past.

    PostgreSQL: only the owner of the schema (or a superuser) may; for anyone else the setting
    changes nothing, so the rules' refusals would follow. SQLite: whoever may write the file
    may drop its triggers, so this drops the rules' triggers and puts them back afterwards.
    """
    if conn.dialect.name == "postgresql":
        if not conn.exec_driver_sql("SELECT mpsystem_trusted()").scalar():
            raise PermissionDenied(
                "History (the demo plant, an import) is loaded as the schema's owner or a superuser: "
                "connect as the role that ran `mpsystem db init`."
            )
        conn.exec_driver_sql(f"SELECT set_config('{HISTORY_SETTING}', 'on', true)")
        yield
        conn.exec_driver_sql(f"SELECT set_config('{HISTORY_SETTING}', 'off', true)")
        return
    triggers = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND substr(name, 1, ?) = ? ORDER BY name",
        (len(SQLITE_RULE_PREFIX), SQLITE_RULE_PREFIX),
    ).all()
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in triggers:
        conn.exec_driver_sql(sql)
