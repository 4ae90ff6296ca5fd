"""UI fixtures: a demo plant on SQLite, an in-memory keyring, per-test config directories."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from app.context import Context
from app.demo import load_demo
from app.permissions import Role, parse_role
from app.security import CurrentUser, hash_password
from data.db import open_database
from data.migrate import upgrade

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
# the main window's tabs, in order
SCREENS = ("inventory", "batches", "queue", "events", "customers", "orders", "dashboard", "line-stops", "buying")
SETUP_SCREENS = ("warehouses", "materials", "suppliers", "lines")  # the tabs Administration opens


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    return ring


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    database = open_database(path)
    upgrade(database)
    load_demo(database, events=5000, password_hash=lambda p: hash_password(p, rounds=4))
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture
def demo_contexts(demo_path: Path) -> Iterator[dict[Role, Context]]:
    database = open_database(demo_path)
    from app import queries

    users = {u.username: u for u in queries.users(Context(database, _system()).reader())}
    yield {
        parse_role(u.role): Context(database, CurrentUser(u.id, u.username, u.full_name, u.role))
        for u in users.values()
    }
    database.dispose()


def _system() -> CurrentUser:
    from app.security import SYSTEM

    return SYSTEM


@pytest.fixture
def ops(qtbot: object) -> Iterator[object]:
    """A background runner, drained and deleted with its children (models) after the test."""
    import shiboken6
    from PySide6.QtWidgets import QApplication

    from ui.ops import Ops

    runner = Ops()
    yield runner
    for window in QApplication.topLevelWidgets():
        window.close()  # before the runner goes: a window's last work (a filter being typed) runs on it
    runner.wait()
    shiboken6.delete(runner)


def save_screenshot(widget: object, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    widget.grab().save(str(path))  # type: ignore[attr-defined]
    return path


# ---------------------------------------------------------------- the main window


@pytest.fixture(autouse=True)
def app_instance(qapp: object) -> object:
    """The client's own application settings, style and style sheet: the screenshots show what users see."""
    from ui.main import make_application

    return make_application()


def open_window(qtbot: Any, ops: Any, ctx: Context) -> Any:
    """The main window of `ctx`'s user, shown, its first screen loaded."""
    from app.lookups import lookups
    from ui.main_window import MainWindow

    window = MainWindow(ctx, ops, lookups(ctx.reader()))
    qtbot.addWidget(window)
    window.resize(1400, 860)
    window.show()
    wait_loaded(qtbot, window)
    return window


def wait_loaded(qtbot: Any, window: Any) -> None:
    screen = window.current()
    if hasattr(screen, "model"):
        qtbot.waitUntil(lambda: not screen.model.loading and not window.ops.busy, timeout=10_000)
    else:  # the planning board and the dashboard
        qtbot.waitUntil(lambda: screen.loaded_once and not window.ops.busy, timeout=10_000)


def show_tab(qtbot: Any, window: Any, index: int) -> None:
    window.tabs.setCurrentIndex(index)
    wait_loaded(qtbot, window)
