"""`mpsystem self-test`: the whole client end to end on a throwaway database, offscreen.

For IT after installing (and for the bundle's smoke test): if this passes, the
bundle has its Qt plugins, fonts, migrations and report engine, and the
client works. Each step is named, so a failure says where it broke.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from app.selftest import StepFailed, demo_plant, step


def _wait(app: Any, done: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not finish within {seconds:.0f} s")
        app.processEvents()
        time.sleep(0.005)


def _shown(screen: Any, ops: Any) -> bool:
    """Has the screen's first read arrived?"""
    from ui.widgets import TableScreen

    loaded = not screen.model.loading if isinstance(screen, TableScreen) else screen.loaded_once
    return bool(loaded) and not ops.busy


def run(out: Any = sys.stdout) -> int:
    """0 and `self-test ok`, or 1 and the step that failed."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a check, not a session: never a window on screen
    try:
        with tempfile.TemporaryDirectory(prefix="mpsystem-self-test-") as folder:
            _run(Path(folder), out)
    except StepFailed as exc:
        print(str(exc), file=sys.stderr, flush=True)
        return 1
    print("self-test ok", file=out, flush=True)
    return 0


def _run(folder: Path, out: Any) -> None:
    from app import queries as q
    from app import reporting
    from app.lookups import lookups

    ctx = demo_plant(folder, out)
    try:
        with step("start Qt offscreen", out):
            from ui.main import make_application, route_qt_messages
            from ui.ops import Ops

            if not os.environ.get("PYTEST_CURRENT_TEST"):  # pytest-qt watches Qt's messages itself
                route_qt_messages()
            app = make_application([sys.argv[0]])
            ops = Ops(app)
        with step("open the main window", out):
            from ui.main_window import MainWindow
            from ui.widgets import TableScreen

            window = MainWindow(ctx, ops, lookups(ctx.reader()))
            window.resize(1280, 800)
            window.show()
        for index in range(window.tabs.count()):
            title = window.tabs.tabText(index).replace("&", "")
            with step(f"open the {title} table", out):
                window.tabs.setCurrentIndex(index)
                screen = window.screens[index]
                _wait(app, partial(_shown, screen, ops), title)
                if isinstance(screen, TableScreen):
                    shown = screen.model.rowCount()
                elif screen is window.dashboard:  # its lines, and a chart drawn by QtCharts for each
                    shown = min(window.dashboard.lines_table.rowCount(), len(window.dashboard.output_charts))
                else:
                    board = window.board
                    shown = board.backlog.rowCount() + sum(m.rowCount() for m in board.queues.values())
                if shown == 0:
                    raise AssertionError(f"the {title} table shows no rows of the demo plant")
                if window.grab().isNull():
                    raise AssertionError("the window could not be drawn")
        with step("render a batch label", out):
            from reports.labels import labels_pdf

            number = q.batches(ctx.reader(), limit=1).rows[0].number
            label = folder / "label.pdf"
            labels_pdf(reporting.batch_labels(ctx, [number]), str(label))
            _check_pdf(label)
        with step("render the inventory report", out):
            from reports import documents

            report = folder / "inventory.pdf"
            documents.inventory(reporting.inventory_report(ctx, None), str(report))
            _check_pdf(report)
        with step("render the dashboard report", out):
            from reports.dashboard import dashboard as dashboard_pdf

            report = folder / "dashboard.pdf"
            dashboard_pdf(reporting.dashboard_report(ctx), str(report))
            _check_pdf(report)
        window.live.stop()
        window.close()
        ops.wait()
    finally:
        ctx.database.dispose()


def _check_pdf(path: Path) -> None:
    data = path.read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:] or len(data) < 1000:
        raise AssertionError(f"{path.name} is not a complete PDF ({len(data)} bytes)")
