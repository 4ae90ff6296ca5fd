"""The Screen protocol and the Host (ui/screen.py): every screen, the board included, is a Screen; the
menus come from the screens' own actions; actions keep the permission table."""

from __future__ import annotations

from typing import Any

from app.context import Context
from app.permissions import Role
from reports.registry import REPORTS
from tests.ui.conftest import SCREENS, SETUP_SCREENS, open_window, show_tab
from ui.ops import Ops
from ui.screen import Screen


def menu_entries(window: Any) -> dict[str, list[str]]:
    """Each menu's (and submenu's) title and its entries' object names ("" for a separator; a submenu by its title)."""
    menus: dict[str, list[str]] = {}

    def walk(title: str, menu: Any) -> None:
        entries = []
        for a in menu.actions():
            if a.menu() is not None:
                entries.append(a.text())
                walk(a.text(), a.menu())
            else:
                entries.append(a.objectName() if not a.isSeparator() else "")
        menus[title] = entries

    for top in window.menuBar().actions():
        walk(top.text(), top.menu())
    return menus


def test_every_screen_is_a_screen_and_its_menus_are_its_own(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    assert len(window.screens) == len(SCREENS) + len(SETUP_SCREENS) == window.tabs.count()
    for index, screen in enumerate(window.screens):
        assert isinstance(screen, Screen), type(screen).__name__
        assert window.tabs.widget(index) is screen and window.tabs.tabText(index) == screen.title()
        # The master data's tabs open from Administration; the main screens' are always there.
        assert window.tabs.isTabVisible(index) == (index < len(SCREENS))
    menus = menu_entries(window)
    submenus = ("&Warehouses", "&Materials", "Su&ppliers", "Production &lines")
    assert [title for title in menus if title not in submenus] == [
        "&File", "&Stock", "&Quality", "&Production", "&Customers", "Or&ders", "&Lines", "Bu&ying", "&Reports", "&View",
        "&Administration", "&Help",
    ]  # fmt: skip
    assert menus["&Administration"] == [
        "users", "", "&Warehouses", "&Materials", "Su&ppliers", "Production &lines", "",
        "stop_reasons", "plant_settings", "import", "export_records",
    ]  # fmt: skip
    assert menus["&Materials"] == ["show_materials", "", "new_material", "edit_material", "archive_material"]
    assert menus["&Stock"] == ["receive", "transfer", "issue", "adjust"]
    assert menus["&Quality"] == ["open_batch", "", "approve", "block", "trace", "recall", "", "print_labels"]
    assert menus["Or&ders"] == ["open_order", "", "deliver", "delivery_note", "", "products"]
    assert menus["&Production"][:2] == ["new_order", "edit_order"]
    assert menus["&Reports"] == [f"report_{r.key}" for r in REPORTS]
    zoom = ["zoom_in", "zoom_out", "zoom_normal", "zoom_large"]
    assert menus["&View"] == [f"tab_{i}" for i in range(len(SCREENS))] + ["", *zoom]
    assert menus["Su&ppliers"][-1] == "supplier_batches"
    assert menus["Bu&ying"] == [
        "purchase_from_proposals", "", "new_purchase_order", "edit_purchase_order", "send_purchase_order",
        "cancel_purchase_order", "close_purchase_order", "print_purchase_order",
    ]  # fmt: skip
    # Every screen's menu entries are its own actions, and every action is in some menu.
    owned = {a.objectName() for screen in window.screens for _t, entries in screen.menus() for a in entries if a}
    in_menus = {name for entries in menus.values() for name in entries if name and name not in menus}
    assert owned <= in_menus and in_menus == set(window.actions_by_name)
    # The stock actions sit on both stock screens' toolbars.
    assert window.actions_by_name["receive"] in window.inventory.toolbar.actions()
    assert window.actions_by_name["receive"] in window.batches.toolbar.actions()


def test_the_board_says_it_has_nothing_to_export(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    show_tab(qtbot, window, 2)
    window.actions_by_name["export"].trigger()
    assert "no table to export" in window.statusBar().currentMessage()
    window.actions_by_name["find"].trigger()
    assert window.board.search.hasFocus()


def test_selection_never_enables_what_the_role_may_not(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    """A viewer selects a running order: the board would enable finishing it, the permission table does not."""
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    show_tab(qtbot, window, 2)
    board = window.board
    code = next(
        code for code, queue in board.queues.items() if queue.rowCount() and queue.order_at(0).status == "in_progress"
    )
    view = board.queue_views[code]
    view.setCurrentIndex(view.model().index(0))
    assert board.selected is not None and board.selected.status == "in_progress"
    for name in ("finish", "consume", "output", "cancel_order", "optimise"):
        action = window.actions_by_name[name]
        assert not action.isEnabled() and action.toolTip().startswith("Only "), name


def test_no_two_actions_share_keys_and_a_screens_own_keys_follow_it_to_the_front(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    """Qt runs neither of two actions with one shortcut: Ctrl+O is the Batches screen's (a batch's page) while
    it is in front, and the Orders screen's (an order) while that one is."""
    window = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    actions = window.host.actions
    for index in range(len(window.main_screens)):
        window.tabs.setCurrentIndex(index)
        keys = [a.shortcut().toString() for a in actions.values() if not a.shortcut().isEmpty()]
        assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    window.tabs.setCurrentIndex(window.screens.index(window.batches))
    assert actions["open_batch"].shortcut().toString() == "Ctrl+O" and actions["open_order"].shortcut().isEmpty()
    window.tabs.setCurrentIndex(window.screens.index(window.orders))
    assert actions["open_order"].shortcut().toString() == "Ctrl+O" and actions["open_batch"].shortcut().isEmpty()
