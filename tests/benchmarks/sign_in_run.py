"""One sign-in, timed, in a process of its own: run by tests/benchmarks/test_bench_sign_in.py.

    python -m tests.benchmarks.sign_in_run DATABASE USERNAME PASSWORD [unprepared|screens]

Starts the client as `mpsystem` does, types the user's name and password into the sign-in dialog once it
has painted, presses Sign in, and prints one JSON line of times in milliseconds: from pressing Sign in
to the password checked and the dialog accepted (`accepted`), to the main window built (`built`), and to
the first rows of the first screen on the screen (`painted`); and `painted_after_accept`, the figure the
figure wanted. Then it quits.

`screens` then opens each of the other main screens in turn, and adds for each `screen TITLE`: from its
tab chosen to its first rows on the screen.

`unprepared` signs in as the client did before it prepared sign-in while the dialog waited: with the
modules loaded but nothing else done ahead (no hash made, no migration scripts read, nothing frozen
out of the garbage collector's way) — the figure before, measured beside the figure now.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app import profiles as pf
from ui import main


def _loaded(screen: Any) -> bool:
    """The first screen has its first rows (a table) or its first figures (the board, the dashboard)."""
    if hasattr(screen, "loaded_once"):
        return bool(screen.loaded_once)
    model = screen.model
    return not model.loading and model.rowCount() > 0


class FirstRows(QObject):
    """Notes the moment the screen in front paints with its rows loaded; with `every_screen`, then opens
    each of the other screens in turn and notes when it paints with its rows (`screen N`, from its click)."""

    def __init__(self, client: main.Client, marks: dict[str, float], every_screen: bool) -> None:
        super().__init__()
        self.client, self.marks = client, marks
        self.mark, self.opened_at = "painted", 0.0
        self.others: list[int] | None = None if every_screen else []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Every paint of any widget: is it the screen in front's, with its rows?"""
        window = self.client.window
        if event.type() == QEvent.Type.Paint and window is not None and self.mark:
            screen = window.current()
            ours = isinstance(watched, QWidget) and isinstance(screen, QWidget) and screen.isAncestorOf(watched)
            if ours and _loaded(screen):
                self.marks[self.mark] = time.perf_counter()
                self.mark = ""
                QTimer.singleShot(0, self.next_screen)
        return False

    def next_screen(self) -> None:
        window = self.client.window
        assert window is not None
        if self.others is None:
            first = window.tabs.currentIndex()
            self.others = [i for i in range(len(window.main_screens)) if i != first]
        if not self.others:
            self.client.app.quit()
            return
        index = self.others.pop(0)
        self.mark = f"screen {window.main_screens[index].title().replace('&', '')}"
        self.opened_at = time.perf_counter()
        self.marks[self.mark + " clicked"] = self.opened_at
        window.tabs.setCurrentIndex(index)


def run(path: str, username: str, password: str, mode: str = "") -> dict[str, float]:
    marks: dict[str, float] = {}
    app = main.make_application()
    client = main.Client(app, pf.Profile(name="Benchmark plant", kind="sqlite", path=path))
    watcher = FirstRows(client, marks, every_screen=mode == "screens")
    app.installEventFilter(watcher)
    opened = main.Client._open_main

    def open_main(self: main.Client, ctx: Any, lookups: Any) -> None:
        marks["lookups"] = time.perf_counter()
        opened(self, ctx, lookups)
        marks["built"] = time.perf_counter()

    main.Client._open_main = open_main  # type: ignore[method-assign]
    sign_in_now = main.load_main_window_modules

    def type_and_sign_in(then: Any = None) -> None:
        """What the client does while the user types, then the user is done and presses Sign in."""

        def prepared() -> None:
            if then is not None:
                then()
            QTimer.singleShot(10, press)

        def press() -> None:
            if client.ops.busy:  # still preparing: a user types for longer than that
                QTimer.singleShot(10, press)
                return
            login = client.login
            assert login is not None
            login.username.setText(username)
            login.password.setText(password)
            login.signed_in.connect(lambda *_a: marks.setdefault("accepted", time.perf_counter()))
            marks["pressed"] = time.perf_counter()
            login.attempt()

        if mode == "unprepared":
            for name in main.MAIN_WINDOW_MODULES:
                importlib.import_module(name)
            press()
        else:
            sign_in_now(prepared)

    main.load_main_window_modules = type_and_sign_in
    client.show_login()
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    if client.window is not None:
        client.window.live.stop()
    client.ops.wait()
    start = marks["pressed"]
    times = {
        name: (moment - (marks[name + " clicked"] if name.startswith("screen ") else start)) * 1000
        for name, moment in marks.items()
        if name != "pressed" and not name.endswith(" clicked")
    }
    if "painted" in times and "accepted" in times:
        times["painted_after_accept"] = times["painted"] - times["accepted"]
    return times


if __name__ == "__main__":
    QApplication.setApplicationName("MPSYSTEM")
    print(json.dumps(run(*sys.argv[1:5])))
