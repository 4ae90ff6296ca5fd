"""The main window (ui/main_window.py): actions per role, menus, tabs, live routing, the journal's links."""

from __future__ import annotations

import stat
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from app import config
from app import queries as q
from app.context import Context
from app.permissions import PERMISSIONS, Role, allowed
from tests.ui.conftest import SCREENS, open_window, save_screenshot, show_tab, wait_loaded
from ui.ops import Ops


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_its_actions(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], role: Role
) -> None:
    window = open_window(qtbot, ops, demo_contexts[role])
    for name, action in window.actions_by_name.items():
        permission = action.property("permission")
        assert permission in PERMISSIONS
        may = allowed(role, permission)
        assert bool(action.property("allowed")) == may, name
        if not may:
            assert not action.isEnabled(), name
            assert action.toolTip().startswith("Only "), name
    expected_stock = allowed(role, "stock.receive")
    assert window.actions_by_name["receive"].isEnabled() == expected_stock
    assert window.actions_by_name["approve"].property("allowed") == (role >= Role.MANAGER)
    assert window.actions_by_name["new_order"].isEnabled() == (role >= Role.PLANNER)
    assert window.actions_by_name["archive_customer"].property("allowed") == (role >= Role.MANAGER)
    for index, name in enumerate(SCREENS):
        show_tab(qtbot, window, index)
        screen = window.tabs.currentWidget()
        if screen is window.board:
            assert sum(len(m.items) for m in window.board.queues.values()) > 0
        elif screen is window.dashboard:
            assert window.dashboard.lines_table.rowCount() == len(window.board.queues) or window.board.queues == {}
            assert window.dashboard.loaded_once
        elif screen is window.buying:
            assert window.buying.requirements.rowCount() > 0 and window.buying.loaded_once
        else:
            assert screen.model.rowCount() > 0, name
        save_screenshot(window, f"{role.label}-{index + 1}-{name}")
    assert window.who.text().endswith(f"· {role.label}")


def test_ctrl_f_goes_to_the_filter_and_filters_in_sql(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(q, "COMMON_MATCHES", 50)  # "signed in" is common here, as in a big journal
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    show_tab(qtbot, window, 3)
    window.actions_by_name["find"].trigger()
    assert window.events.search.hasFocus() or QApplication.focusWidget() is window.events.search
    first_label: list[str] = []

    def first_page_shown() -> None:
        first_label.append(window.events.count.text())
        window.events.layout().activate()  # the label's new width, as the next paint will show it
        save_screenshot(window, "events-counting")

    window.events.model.loaded.connect(first_page_shown)
    window.events.search.setText("signed in")
    window.events.apply_filter()
    wait_loaded(qtbot, window)
    expected = q.events(demo_contexts[Role.VIEWER].reader(), q.EventFilter(text="signed in")).total
    # The first rows show at once with what is known; the exact count follows.
    assert first_label == ["200+ rows, counting…"]
    assert window.events.model.rowCount() == expected > 200
    assert window.events.count.text() == f"{expected:,} rows"


def test_events_double_click_opens_the_batch(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.VIEWER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 3)
    event = q.events(ctx.reader(), q.EventFilter(entity_type="batch", action="received"), limit=1).rows[0]
    number = q.entity_key(ctx.reader(), "batch", event.entity_id or 0)
    assert number is not None and event.subject == number
    assert window.events.model.text(event, window.events.model.Columns.ENTITY) == f"batch {number}"
    window.events.open_event(event)
    qtbot.waitUntil(lambda: number in window.pages and window.pages[number].page is not None, timeout=10_000)
    assert window.pages[number].isVisible()


def test_column_layout_is_remembered_per_user(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.VIEWER]
    window = open_window(qtbot, ops, ctx)
    window.inventory.table.setColumnWidth(3, 333)
    window.close()
    again = open_window(qtbot, ops, ctx)
    assert again.inventory.table.columnWidth(3) == 333


def test_interface_settings_are_this_users_only(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    """The interface.ini the client writes is 0600, in a 0700 folder."""
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    window.inventory.table.setColumnWidth(2, 222)
    window.close()
    ini = config.user_config_dir() / "interface.ini"
    assert ini.exists() and ini.stat().st_size > 0
    assert stat.S_IMODE(ini.stat().st_mode) == 0o600
    assert stat.S_IMODE(ini.parent.stat().st_mode) == 0o700
