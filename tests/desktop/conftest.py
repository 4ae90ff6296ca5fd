"""The real program on a real X display: an Xvfb server for the run, and a client process per test.

Each test starts `mpsystem` (through tests/desktop/launch.py, which runs the same `app.cli.main`)
as a separate process on the X server, with its own home, config and data folders, and drives it
with key presses and mouse moves sent through the X server. Screenshots of the real screen go to
test-artifacts/desktop/.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.desktop.xdisplay import XServer, wait_for

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "desktop"
SIGN_IN = "^Sign in"
MAIN = "^MPSYSTEM — "
DEMO_PASSWORD = "mpsystem-demo"


@pytest.fixture(scope="session")
def xserver() -> Iterator[XServer]:
    server = XServer.start()
    yield server
    server.stop()


class Client:
    """One running client process, what it shows (through the probe), and the hands at its keyboard."""

    def __init__(self, x: XServer, process: subprocess.Popen[str], probe: Path, name: str) -> None:
        self.x, self.process, self.probe, self.name = x, process, probe, name
        self.shots = 0

    # ---------------------------------------------------------------- what the user sees

    def state(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.probe / "state.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}

    def wait(self, predicate: Callable[[dict[str, Any]], Any], what: str, seconds: float = 20) -> dict[str, Any]:
        def check() -> dict[str, Any] | None:
            if self.process.poll() is not None:
                raise AssertionError(f"the client ended (status {self.process.returncode}) while waiting for {what}")
            state = self.state()
            try:
                return state if predicate(state) else None
            except (KeyError, IndexError, TypeError):
                return None

        return wait_for(check, seconds, what)  # type: ignore[return-value]

    def alive(self) -> bool:
        return self.process.poll() is None

    def screenshot(self, step: str) -> Path:
        self.shots += 1
        return self.x.screenshot(ARTIFACTS / f"{self.name}-{self.shots:02d}-{step}.png")

    # ---------------------------------------------------------------- what the user does

    def sign_in(self, username: str, password: str) -> None:
        """Type the name and password into the sign-in dialog, key by key, and press Enter."""
        window = self.x.wait_window(SIGN_IN)
        self.wait(lambda s: "login" in s and not s["login"]["busy"], "the sign-in dialog")
        for _attempt in range(3):
            self.x.focus(window)
            self.wait(lambda s: s["focus"] in ("username", "password"), "the sign-in dialog to take the keyboard")
            if self.state()["focus"] == "password":
                self.x.key("shift+Tab")
            self.x.key("ctrl+a", "BackSpace")
            self.x.type(username)
            self.x.key("Tab", "ctrl+a", "BackSpace")
            self.x.type(password)
            try:
                self.wait(
                    lambda s: s["login"]["username"] == username and s["login"]["password_length"] == len(password),
                    "the typed name and password in the fields",
                    3,
                )
                break
            except AssertionError:
                if not self.alive():
                    raise
                # a key was lost on the way: clear the fields and type again
        else:
            raise AssertionError(f"the sign-in dialog never held what was typed: {self.state().get('login')}")
        self.x.key("Return")

    def main_window(self) -> int:
        return self.x.wait_window(MAIN)

    def keys_to_main(self, *keys: str) -> None:
        window = self.main_window()
        self.x.focus(window)
        self.x.key(*keys)

    def wait_exit(self, seconds: float = 15) -> int:
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the client did not end within {seconds:.0f} s") from None

    def exit_report(self) -> dict[str, Any]:
        return dict(json.loads((self.probe / "exit.json").read_text(encoding="utf-8")))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    (folder / "config" / "MPSYSTEM").mkdir(parents=True)
    return folder


@pytest.fixture
def launch(xserver: XServer, home: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., Client]]:
    """Start the client: `launch("--demo")`, or `launch()` for the sign-in dialog with the saved connections."""
    started: list[Client] = []

    def start(*args: str) -> Client:
        probe = home / f"probe-{len(started)}"
        probe.mkdir()
        env = {**xserver.client_env(home), "MPSYSTEM_DESKTOP_PROBE": str(probe)}
        env.pop("PYTEST_CURRENT_TEST", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.desktop.launch", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        client = Client(xserver, process, probe, request.node.name.replace("[", "-").rstrip("]"))
        started.append(client)
        return client

    yield start
    for client in started:
        client.stop()
        output = client.process.stdout.read() if client.process.stdout else ""
        if output.strip():
            print(f"--- output of the client ({client.name}) ---\n{output}")


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo plant, built once as `mpsystem --demo` builds it, copied into each test's home."""
    from app.cli import demo_database

    folder = tmp_path_factory.mktemp("desktop-demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(folder))
        database, _fresh = demo_database()
        with database.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        database.dispose()
    return folder / "MPSYSTEM" / "demo.sqlite3"


@pytest.fixture
def demo(demo_file: Path, home: Path) -> Path:
    target = home / "data" / "MPSYSTEM" / "demo.sqlite3"
    target.parent.mkdir(parents=True)
    shutil.copyfile(demo_file, target)
    return target


def signed_in_as(client: Client, username: str) -> dict[str, object]:
    state = client.wait(
        lambda s: s["main"]["user"] == username and not s["main"]["busy"], f"the main window of {username}", 20
    )
    assert not any(w["class"] == "LoginDialog" for w in state["windows"])  # type: ignore[union-attr]
    return state
