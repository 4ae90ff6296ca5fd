"""Shop-floor ergonomics (ui/zoom.py, the main window's View menu): the whole client larger or smaller, a large
preset with targets of at least 44 px and 13 pt text, kept per workstation; what a role may never do is not
offered, and what waits for a selection says what to select."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from app.context import Context
from app.permissions import Role
from tests.ui.conftest import SCREENS, open_window, save_screenshot, show_tab
from ui.ops import Ops
from ui.zoom import LARGE, NORMAL, current, zoom

TARGET = 44


def pressable(root: QWidget) -> list[QWidget]:
    """What a gloved hand presses or types into, as shown."""
    kinds = (QToolButton, QPushButton, QComboBox, QLineEdit, QCheckBox)
    found = [w for w in root.findChildren(QWidget) if isinstance(w, kinds) and w.isVisible()]
    # a combo box's or a spin box's own line edit is inside its box, which is measured
    return [
        w
        for w in found
        if not (isinstance(w, QLineEdit) and isinstance(w.parentWidget(), QComboBox | QAbstractSpinBox))
    ]


def too_small(root: QWidget) -> list[str]:
    return [
        f"{type(w).__name__} {w.objectName() or w.property('text') or ''}: {w.height()} px"
        for w in pressable(root)
        if w.height() < TARGET
    ]


@pytest.fixture(autouse=True)
def normal_size_after(qapp: Any) -> Any:
    yield
    zoom().apply(zoom().size.__class__(100, 0, 26, 22), remember=False)


def test_the_large_preset_is_made_for_gloves(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.CLERK])
    assert current().percent == NORMAL and not window.large.isChecked()
    window.actions_by_name["zoom_large"].trigger()
    qtbot.wait(100)
    assert current().percent == LARGE and window.large.isChecked()
    assert 12 <= QApplication.font().pointSizeF() <= 14
    assert 12 <= window.batches.table.font().pointSizeF() <= 14
    for index, name in enumerate(SCREENS):
        show_tab(qtbot, window, index)
        qtbot.wait(50)
        screen = window.tabs.currentWidget()
        assert too_small(screen) == [], name
        table = getattr(screen, "table", None)
        if table is not None:
            assert table.rowHeight(0) >= TARGET, name
        save_screenshot(window, f"large-{index + 1}-{name}")
    tabs = window.tabs.tabBar()
    assert all(tabs.tabRect(i).height() >= TARGET for i in range(tabs.count()) if tabs.isTabVisible(i))

    dialog = window.stock.receive()
    qtbot.addWidget(dialog)
    qtbot.wait(50)
    assert too_small(dialog) == []
    assert dialog.quantity.font().pointSizeF() >= 12
    save_screenshot(dialog, "large-form-receive")
    dialog.reject()

    # kept for this workstation: the next client here starts large
    from ui.main import make_application

    zoom().apply(zoom().size.__class__(100, 0, 26, 22), remember=False)
    make_application()
    assert current().percent == LARGE


def test_ctrl_plus_and_minus_step_the_whole_client(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    normal = QApplication.font().pointSizeF()
    window.actions_by_name["zoom_in"].trigger()
    assert QApplication.font().pointSizeF() > normal and current().percent > NORMAL
    assert window.batches.table.verticalHeader().defaultSectionSize() > 26
    window.actions_by_name["zoom_out"].trigger()
    window.actions_by_name["zoom_out"].trigger()
    assert QApplication.font().pointSizeF() < normal
    window.actions_by_name["zoom_normal"].trigger()
    assert current().percent == NORMAL and QApplication.font().pointSizeF() == normal
    keys = [s.toString() for s in window.actions_by_name["zoom_in"].shortcuts()]
    assert "Ctrl++" in keys and "Ctrl+=" in keys


def test_what_a_role_may_never_do_is_not_offered(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    menus = {a.text(): a.isVisible() for a in window.menuBar().actions()}
    assert menus["&Stock"] is False and menus["&Production"] is False
    assert menus["&File"] and menus["&Quality"] and menus["&Reports"]  # a viewer traces and prints
    assert not window.actions_by_name["receive"].isVisible() and not window.actions_by_name["approve"].isVisible()
    toolbar = [a.objectName() for a in window.batches.toolbar.actions() if a.isVisible() and a.objectName()]
    assert toolbar == ["open_batch", "trace", "recall"]


def test_what_waits_for_a_selection_says_what_to_select(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    show_tab(qtbot, window, 1)
    approve = window.actions_by_name["approve"]
    assert not approve.isEnabled() and approve.toolTip() == "Select a batch on the Batches screen first."
    window.batches.table.selectRow(0)
    assert approve.isEnabled() and approve.toolTip() == "Approve batch (Ctrl+Shift+A)"
    show_tab(qtbot, window, 2)
    start = window.actions_by_name["start"]
    assert not start.isEnabled() and start.toolTip() == "Select an order on the planning board first."
    show_tab(qtbot, window, 4)
    edit = window.actions_by_name["edit_customer"]
    assert not edit.isEnabled() and edit.toolTip() == "Select a customer first."
    save_screenshot(window, "waiting-for-a-customer")
