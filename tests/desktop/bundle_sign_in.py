"""The bundle's smoke test on a real X display: start the built executable, sign in by typing, quit.

    python -m tests.desktop.bundle_sign_in dist/mpsystem/mpsystem

Runs `EXECUTABLE --demo` on an Xvfb server with a window manager, in a throwaway home, types a demo
user's name and password into the sign-in dialog, checks that the main window is up and the
process still alive five seconds later, then quits with Ctrl+Q and expects exit status 0.
Prints what it did; exits 1 on the first thing that did not happen.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.desktop.xdisplay import XServer, wait_for

SIGN_IN, MAIN = "^Sign in", "^MPSYSTEM — "
USER, PASSWORD = "clerk", "mpsystem-demo"


def run(executable: Path, shots: Path) -> None:
    x = XServer.start()
    home = Path(tempfile.mkdtemp(prefix="mpsystem-smoke-"))
    env = x.client_env(home)
    log = (home / "client.log").open("w")
    client = subprocess.Popen([str(executable), "--demo"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        window = x.wait_window(SIGN_IN, 90)  # the first start builds the demo plant
        print("sign-in dialog shown")
        for attempt in range(3):
            x.focus(window)
            x.key("ctrl+a", "BackSpace")  # the user name field has the keyboard on a fresh profile
            x.type(USER)
            x.key("Tab", "ctrl+a", "BackSpace")
            x.type(PASSWORD)
            x.key("Return")
            try:
                wait_for(lambda: x.windows(MAIN), 20, "the main window")
                break
            except AssertionError:
                if client.poll() is not None:
                    raise AssertionError(f"the client ended with status {client.returncode} after signing in") from None
                print(f"no main window after attempt {attempt + 1}; typing again")
                x.xdotool("key", "shift+Tab", check=False)
        else:
            raise AssertionError("signing in by typing never opened the main window")
        print(f"signed in as {USER} by typing; the main window is up")
        time.sleep(5)
        if client.poll() is not None:
            raise AssertionError(f"the client ended with status {client.returncode} after signing in")
        if not x.windows(MAIN):
            raise AssertionError("the main window closed by itself after signing in")
        x.screenshot(shots / "bundle-main-window.png")
        print("five seconds later: the process is alive and the main window open")
        x.focus(x.windows(MAIN)[0])
        x.key("ctrl+q")
        code = client.wait(20)
        if code != 0:
            raise AssertionError(f"Ctrl+Q ended the client with status {code}")
        print("Ctrl+Q ended it with status 0")
    finally:
        if client.poll() is None:
            client.kill()
        log.close()
        x.stop()


def main() -> int:
    executable = Path(sys.argv[1]).resolve()
    shots = Path(__file__).resolve().parents[2] / "test-artifacts" / "desktop"
    try:
        run(executable, shots)
    except AssertionError as exc:
        print(f"smoke: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
