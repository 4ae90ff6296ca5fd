"""The database half of `mpsystem self-test`: a throwaway plant to sign in to, step by named step.

The client half (Qt, the label, the report) is in ui/selftest.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app import security
from app.context import Context
from app.demo import DEMO_PASSWORD, load_demo
from data.db import open_database
from data.migrate import check_schema, upgrade

DEMO_EVENTS = 500


class StepFailed(Exception):
    def __init__(self, step: str, cause: BaseException) -> None:
        super().__init__(f"self-test failed at step “{step}”: {type(cause).__name__}: {cause}")
        self.step = step


@contextmanager
def step(name: str, out: Any) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    except Exception as exc:
        raise StepFailed(name, exc) from exc
    print(f"  ok  {name} ({(time.perf_counter() - started) * 1000:.0f} ms)", file=out, flush=True)


def demo_plant(folder: Path, out: Any) -> Context:
    """Create, migrate and fill a SQLite file in `folder`, then sign in to it as the demo administrator."""
    url = f"sqlite:///{folder / 'self-test.sqlite3'}"
    with step("create a temporary SQLite database", out):
        database = open_database(url)
    with step("migrate it to this version's schema", out):
        upgrade(database)
        check_schema(database)
    with step("load a small demo plant", out):
        load_demo(database, events=DEMO_EVENTS, password_hash=lambda p: security.hash_password(p, rounds=4))
        database.dispose()
    with step("sign in as the demo administrator", out):
        database, user = security.sign_in(url, "admin", DEMO_PASSWORD)
        return Context(database, user)
