"""Start the real client through its own entry point, with a read-only probe for the desktop tests.

    python -m tests.desktop.launch [mpsystem arguments]

This runs `app.cli.main`, the same function the `mpsystem` command runs: the sign-in dialog, the
event loop (`app.exec()`), the main window. Input reaches it only from the X server. The probe
never clicks or types; every 100 ms it writes what a person would see (the open windows, the
fields of the sign-in dialog, the current tab, which actions are enabled, the status bar, where the
planning board's orders and lines and the dashboard's alerts are on the screen) to
MPSYSTEM_DESKTOP_PROBE/state.json, and at the end which threads were still alive to
MPSYSTEM_DESKTOP_PROBE/exit.json.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

PROBE_DIR = Path(os.environ["MPSYSTEM_DESKTOP_PROBE"])


def _rect(widget: Any, rect: Any = None) -> list[int]:
    """A widget's (or a part of it's) rectangle in screen coordinates."""
    r = rect if rect is not None else widget.rect()
    top_left = widget.mapToGlobal(r.topLeft())
    return [top_left.x(), top_left.y(), r.width(), r.height()]


def _board_state(board: Any) -> dict[str, Any]:
    codes = board.host.lookups.current  # which stage each line runs and each order's product is made on

    def items(view: Any) -> list[dict[str, Any]]:
        model, found = view.model(), []
        viewport = view.viewport()
        for row in range(model.rowCount()):
            rect = view.visualRect(model.index(row, 0))
            if not rect.isValid() or not viewport.rect().contains(rect.center()):
                continue
            order = model.order_at(row)
            found.append(
                {
                    "number": order.number,
                    "unit": order.unit,
                    "stage": codes.product_stages.get(order.product_code),
                    "status": order.status,
                    "rect": _rect(viewport, rect),
                }
            )
        return found

    lines = []
    for code, view in board.queue_views.items():
        visible = view.isVisible() and not view.visibleRegion().isEmpty()
        lines.append(
            {
                "code": code,
                "rate_unit": board.line_units.get(code),
                "stage": codes.line_stages.get(code),
                "rect": _rect(view.viewport()),
                "visible": visible,
                "orders": [view.model().order_at(r).number for r in range(view.model().rowCount())],
            }
        )
    return {
        "loaded": board.loaded_once,
        "status": board.status.text(),
        "backlog": items(board.backlog_view),
        "lines": lines,
        "view": "schedule" if board.on_schedule else "queue",
        "view_buttons": {name: _rect(board.view_buttons.button(i)) for i, name in enumerate(("queue", "schedule"))},
        "undo": {"enabled": board.undo_action.isEnabled(), "count": board.undo_stack.index()},
        "schedule": _schedule_state(board) if board.on_schedule else None,
    }


def _schedule_state(board: Any) -> dict[str, Any]:
    """The schedule's rows and the bars in sight, where they are on the screen, and what each row says."""
    from ui.schedule import ZOOMS

    view, codes = board.schedule, board.host.lookups.current
    viewport = view.viewport()
    port = viewport.rect()
    rows = []
    for code in view.codes:
        rect = view.mapFromScene(view.row_rect(code)).boundingRect().intersected(port)
        rows.append(
            {
                "code": code,
                "stage": codes.line_stages.get(code),
                "rate_unit": board.line_units.get(code),
                "rect": _rect(viewport, rect),
                "lit": view.lit[code].isVisible(),
                "dimmed": view.dims[code].isVisible(),
                "note": view.note_texts.get(code, ""),
                "bars": [b.order.number for b in view.row_bars.get(code, [])],
            }
        )
    bars = []
    for bar in view.bars.values():
        rect = view.mapFromScene(bar.rect).boundingRect()
        shown = rect.intersected(port)
        if shown.width() < 4:
            continue
        bars.append(
            {
                "number": bar.order.number,
                "line": bar.line_code,
                "rect": _rect(viewport, shown),
                "x": _rect(viewport, rect)[0],  # where the whole bar starts, in sight or not
                "movable": bar.movable,
                "overrun_minutes": int(bar.item.overrun.total_seconds() // 60),
                "late": bar.item.late,
                "late_cause": bar.item.late_cause,
                "selected": bar.isSelected(),
            }
        )
    now = view.mapFromScene(view.now_line.sceneBoundingRect().center()) if view.now_line is not None else None
    return {
        "rows": rows,
        "bars": bars,
        "now_x": viewport.mapToGlobal(now).x() if now is not None else None,
        "zoom_hours": ZOOMS[view.zoom][1],
        "dragging": view.dragging,
    }


def _form_state(dialog: Any) -> dict[str, Any]:
    """A form's fields as shown: what each holds, and whether it may be sent."""
    fields = {}
    for name, widget in dialog.fields.items():
        if hasattr(widget, "code"):
            fields[name] = widget.code()
        elif hasattr(widget, "text") and callable(widget.text):
            fields[name] = widget.text()
    return {
        "fields": fields,
        "ready": dialog.ok.isEnabled(),
        "error": dialog.error.text() if dialog.error.isVisible() else "",
    }


def _dashboard_state(dashboard: Any) -> dict[str, Any]:
    """The dashboard's figures and where each listed alert is on the screen."""
    alerts = dashboard.alert_list
    viewport = alerts.viewport()
    listed = []
    for row in range(alerts.count()):
        rect = alerts.visualItemRect(alerts.item(row))
        if rect.isValid() and viewport.rect().contains(rect.center()):
            item = dashboard.alert_items[row] if row < len(dashboard.alert_items) else None
            listed.append(
                {
                    "text": alerts.item(row).text(),
                    "subject": getattr(item, "subject", None),
                    "key": getattr(item, "key", None),
                    "rect": _rect(viewport, rect),
                }
            )
    return {
        "loaded": dashboard.loaded_once,
        "tiles": {name: tile.figure.text() for name, tile in dashboard.tiles.items()},
        "alerts": listed,
    }


def _orders_state(screen: Any) -> dict[str, Any]:
    """The Orders screen: whether its rows are in, and where the visible ones are on the screen."""
    table, model = screen.table, screen.model
    viewport, rows = table.viewport(), []
    for row in range(model.rowCount()):
        rect = table.visualRect(model.index(row, 0))
        if not rect.isValid() or not viewport.rect().contains(rect.center()) or not model.is_loaded(row):
            continue
        rows.append({"number": model.row_at(row).number, "rect": _rect(viewport, rect)})
    return {"loaded": not model.loading, "total": model.total, "search": screen.search.text(), "rows": rows}


def _buying_state(screen: Any) -> dict[str, Any]:
    """The Buying screen: its requirements, shortages first, and its purchase orders."""
    found = screen.found
    return {
        "loaded": screen.loaded_once and not screen.computing,
        "shortages": [r.material_code for r in found.shortages] if found else [],
        "proposed": {r.material_code: str(r.proposed) for r in found.materials if r.proposed} if found else {},
        "short": {r.material_code: str(r.short) for r in found.shortages} if found else {},
        "orders": [(o.number, o.supplier_code, o.status) for o in screen.orders],
        "rows": screen.requirements.rowCount(),
    }


def snapshot(app: Any) -> dict[str, Any]:
    from ui.batch_page import BatchPageWindow
    from ui.login import LoginDialog
    from ui.main_window import MainWindow
    from ui.orders import OrderStoryDialog
    from ui.widgets import FormDialog
    from ui.zoom import current

    state: dict[str, Any] = {"windows": [], "pid": os.getpid()}
    focus = app.focusWidget()
    state["focus"] = focus.objectName() if focus is not None else None
    for widget in app.topLevelWidgets():
        if not widget.isVisible():
            continue
        state["windows"].append({"class": type(widget).__name__, "title": widget.windowTitle(), "rect": _rect(widget)})
        if isinstance(widget, OrderStoryDialog):
            state["story"] = {
                "number": widget.story.order.number,
                "sections": widget.sections(),
                "tab": widget.tabs.currentIndex(),
            }
        if isinstance(widget, LoginDialog):
            state["login"] = {
                "username": widget.username.text(),
                "password_length": len(widget.password.text()),
                "message": widget.message.text() if widget.message.isVisible() else "",
                "busy": not widget.sign_in_button.isEnabled(),
            }
        if isinstance(widget, FormDialog):
            state["windows"][-1]["form"] = _form_state(widget)
        if isinstance(widget, BatchPageWindow):
            state.setdefault("pages", []).append(widget.state())
        if isinstance(widget, MainWindow):
            tabs = widget.tabs
            main: dict[str, Any] = {
                "title": widget.windowTitle(),
                "user": widget.ctx.user.username,
                "tab_index": tabs.currentIndex(),
                "tab": tabs.tabText(tabs.currentIndex()).replace("&", ""),
                "status": widget.statusBar().currentMessage(),
                "busy": widget.ops.busy,
                "actions": {
                    name: {"enabled": action.isEnabled(), "visible": action.isVisible()}
                    for name, action in widget.actions_by_name.items()
                },
            }
            screen = tabs.currentWidget()
            search = getattr(screen, "search", None)
            main["search"] = search.text() if search is not None else None
            main["zoom"] = current().percent
            main["connection"] = widget.where.text()
            if screen is widget.board:
                main["board"] = _board_state(widget.board)
            if tabs.currentWidget() is widget.dashboard:
                main["dashboard"] = _dashboard_state(widget.dashboard)
            main["alert_count"] = widget.alert_count.text() if widget.alert_count.isVisible() else ""
            if tabs.currentWidget() is widget.orders:
                main["orders"] = _orders_state(widget.orders)
            if tabs.currentWidget() is widget.buying:
                main["buying"] = _buying_state(widget.buying)
            state["main"] = main
    return state


def install_probe(app: Any) -> None:
    from PySide6.QtCore import QTimer

    def write() -> None:
        try:
            data = json.dumps(snapshot(app), ensure_ascii=False)
        except Exception as exc:  # noqa: BLE001 - a widget half torn down; the next tick sees it settled
            data = json.dumps({"error": repr(exc)})
        tmp = PROBE_DIR / "state.tmp"
        tmp.write_text(data, encoding="utf-8")
        os.replace(tmp, PROBE_DIR / "state.json")

    timer = QTimer(app)
    timer.setInterval(100)
    timer.timeout.connect(write)
    timer.start()


def main() -> int:
    import ui.main

    original = ui.main.make_application

    def make_application(argv: list[str] | None = None) -> Any:
        app = original(argv)
        install_probe(app)
        return app

    ui.main.make_application = make_application  # type: ignore[assignment]
    from app.cli import main as cli_main

    code = cli_main(sys.argv[1:])
    alive = [
        t.name
        for t in threading.enumerate()
        if t is not threading.main_thread() and t.is_alive() and not isinstance(t, threading._DummyThread)
    ]
    (PROBE_DIR / "exit.json").write_text(json.dumps({"code": code, "threads": alive}), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
