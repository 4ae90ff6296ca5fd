"""A real X display for the desktop tests and the bundle's smoke test: Xvfb, xdotool and screenshots.

Input goes through the X server as a user's would: xdotool sends key and pointer events with the
XTEST extension, so Qt receives them from the server exactly as from a keyboard and a mouse.
Openbox manages the windows, as a desktop's window manager would: it places and decorates them
and gives a new window the keyboard.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SCREEN = (1600, 1000)
KEY_DELAY_MS = 60  # a fresh Xvfb drops keys typed faster than a person would
SCAN_DELAY_MS = 12  # a scanner's keystrokes: far faster than a person (the client counts up to 50 ms)


def require_tools() -> None:
    missing = [tool for tool in ("Xvfb", "openbox", "xdotool", "xprop") if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(
            f"The desktop tests need {', '.join(missing)}: run scripts/dev.sh setup (it installs xvfb, openbox, "
            "xdotool and x11-utils)."
        )


@dataclass
class XServer:
    """One Xvfb server on a display number it chose itself, with a window manager as on a desktop."""

    process: subprocess.Popen[bytes]
    display: str
    screen: tuple[int, int] = SCREEN
    window_manager: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(cls, screen: tuple[int, int] = SCREEN) -> XServer:
        require_tools()
        read, write = os.pipe()
        process = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write),
                "-screen",
                "0",
                f"{screen[0]}x{screen[1]}x24",
                "-nolisten",
                "tcp",
                "-noreset",
            ],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        number = b""
        deadline = time.monotonic() + 20
        with os.fdopen(read, "rb") as pipe:
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                chunk = pipe.read(1)
                if not chunk:
                    break
                number += chunk
        if not number.strip():
            process.kill()
            raise RuntimeError("Xvfb did not start")
        server = cls(process, f":{int(number)}", screen)
        server.start_window_manager()
        return server

    def start_window_manager(self) -> None:
        """Openbox places, decorates and focuses windows as a desktop's window manager does."""
        env = {**os.environ, "DISPLAY": self.display}
        self.window_manager = subprocess.Popen(
            ["openbox", "--sm-disable"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

        def managing() -> bool:
            probe = subprocess.run(
                ["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=env, capture_output=True, text=True, timeout=10
            )
            return "window id" in probe.stdout

        wait_for(managing, 20, "the window manager")

    def stop(self) -> None:
        if self.window_manager is not None:
            self.window_manager.terminate()
            self.window_manager.wait(10)
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def client_env(self, home: Path) -> dict[str, str]:
        """The environment of a client on this display, in a home of its own: no one's settings, no keyring."""
        return {
            **os.environ,
            "DISPLAY": self.display,
            "QT_QPA_PLATFORM": "xcb",
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_STATE_HOME": str(home / "state"),
            "MPSYSTEM_LOG_DIR": str(home / "log"),
            "MPSYSTEM_MACHINE_CONFIG_DIR": str(home / "machine"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        }

    # ---------------------------------------------------------------- input

    def xdotool(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            ["xdotool", *args],
            env={**os.environ, "DISPLAY": self.display},
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"xdotool {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def windows(self, name: str) -> list[int]:
        """Visible windows whose title matches the regular expression `name`."""
        out = self.xdotool("search", "--onlyvisible", "--name", name, check=False)
        return [int(w) for w in out.split()]

    def wait_window(self, name: str, seconds: float = 20) -> int:
        found = wait_for(lambda: self.windows(name), seconds, f"a window titled {name!r}")
        return found[0]

    def focus(self, window: int) -> None:
        """Bring a window to the front with the keyboard, as a click on its title bar would."""
        self.xdotool("windowactivate", "--sync", str(window), check=False)
        self.xdotool("mousemove", "--window", str(window), "5", "5")

    def type(self, text: str) -> None:
        self.xdotool("type", "--delay", str(KEY_DELAY_MS), "--", text)

    def scan(self, code: str) -> None:
        """A barcode scanner acting as a keyboard: the code's keys a few milliseconds apart, then Enter."""
        self.xdotool("type", "--delay", str(SCAN_DELAY_MS), "--", code)
        self.xdotool("key", "Return")  # at once: a scanner's Enter follows its last character within milliseconds

    def key(self, *keys: str) -> None:
        for k in keys:
            self.xdotool("key", "--delay", str(KEY_DELAY_MS), k)
            time.sleep(KEY_DELAY_MS / 1000)

    def click(self, x: int, y: int) -> None:
        self.xdotool("mousemove", str(x), str(y))
        time.sleep(0.05)
        self.xdotool("click", "1")

    def drag(self, start: tuple[int, int], end: tuple[int, int], steps: int = 12) -> None:
        """Press, move in small steps as a hand would (Qt starts a drag after a few pixels), release."""
        x0, y0 = start
        x1, y1 = end
        self.xdotool("mousemove", str(x0), str(y0))
        time.sleep(0.1)
        self.xdotool("mousedown", "1")
        time.sleep(0.1)
        for i in range(1, steps + 1):
            x = x0 + (x1 - x0) * i // steps
            y = y0 + (y1 - y0) * i // steps
            self.xdotool("mousemove", str(x), str(y))
            time.sleep(0.04)
        time.sleep(0.2)
        self.xdotool("mouseup", "1")

    # ---------------------------------------------------------------- output

    def screenshot(self, path: Path) -> Path:
        """The whole screen as the X server shows it, as PNG.

        Taken by a small Qt program on the same display (`grabWindow(0)` reads the root window):
        xwd's dump of the root window shows dialogs that have a parent window as black rectangles
        under Xvfb, although they are painted.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-c", GRAB, str(path)],
            env={**os.environ, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb"},
            check=True,
            timeout=60,
        )
        return path


GRAB = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
if not app.primaryScreen().grabWindow(0).save(sys.argv[1]):
    sys.exit("the screenshot could not be saved")
"""


def wait_for(probe: Callable[[], object], seconds: float, what: str, interval: float = 0.1) -> object:
    """Poll until `probe` returns something true; fail naming `what` was awaited."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(interval)
