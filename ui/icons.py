"""The actions' icons: small line drawings in resources/icons, one SVG each, drawn sharp at any zoom."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtGui import QIcon


@cache
def icon(name: str) -> QIcon:
    """The icon `name` (resources/icons/NAME.svg); an empty icon for a name without a drawing."""
    path = resources.files("resources").joinpath("icons", f"{name}.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()


# The main actions, by object name, and the drawing each shows (in toolbars and menus).
ACTION_ICONS = {
    "receive": "receive",
    "transfer": "transfer",
    "issue": "issue",
    "adjust": "adjust",
    "approve": "approve",
    "block": "block",
    "trace": "trace",
    "open_batch": "page",
    "print_labels": "label",
    "new_order": "add",
    "edit_order": "edit",
    "start": "start",
    "consume": "consume",
    "output": "output",
    "finish": "finish",
    "unplan": "backlog",
    "optimise": "optimise",
    "cancel_order": "cancel",
    "new_customer": "customer_new",
    "edit_customer": "customer_edit",
    "archive_customer": "archive",
    "customer_orders": "orders",
    "refresh": "refresh",
    "export": "export",
    "find": "find",
    "zoom_in": "zoom_in",
    "zoom_out": "zoom_out",
    "workstation": "settings",
}
