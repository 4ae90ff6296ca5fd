"""The master-data screens on the demo plant (ui/masterdata.py): opened from Administration, read by
everyone, changed by administrators on a current copy, archived and restored, followed live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app import purchase_book as pb
from app import queries as q
from app import services as s
from app.context import Context
from app.demo import tables as t
from app.permissions import Role
from tests.ui.conftest import SETUP_SCREENS, open_window, save_screenshot
from ui import masterforms
from ui.imports import ExportDialog
from ui.main_window import MainWindow
from ui.masterdata import SuppliedBatchesDialog
from ui.ops import Ops
from ui.plant_settings import PlantSettingsDialog


def show(qtbot: Any, window: MainWindow, key: str) -> Any:
    window.actions_by_name[f"show_{key}"].trigger()
    screen = window.current()
    assert key == screen.KEY and window.tabs.isTabVisible(window.tabs.currentIndex())
    qtbot.waitUntil(lambda: not screen.model.loading and not window.ops.busy, timeout=10_000)
    return screen


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER])
def test_every_master_data_screen_opens_from_administration(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], role: Role
) -> None:
    window = open_window(qtbot, ops, demo_contexts[role])
    expected = {
        "warehouses": len(t.WAREHOUSES),
        "materials": len(t.MATERIALS) + len(t.NEW_MATERIALS),
        "suppliers": len(t.SUPPLIERS),
        "lines": 10,
    }
    for key in SETUP_SCREENS:
        screen = show(qtbot, window, key)
        assert screen.model.rowCount() == expected[key]
        admin = role is Role.ADMIN
        for action in (screen.new_action, screen.edit_action, screen.archive_action):
            assert action.isEnabled() == admin
            assert admin or action.toolTip() == "Only an admin may manage warehouses, lines, materials and suppliers."
        save_screenshot(window, f"{role.label}-setup-{key}")
    # Closed, a master-data tab goes away until it is opened again.
    index = window.tabs.currentIndex()
    window.tabs.tabCloseRequested.emit(index)
    assert not window.tabs.isTabVisible(index) and window.current() is not window.lines


def test_the_forms_open_on_the_row_and_refuse_a_stale_copy(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    admin = demo_contexts[Role.ADMIN]
    window = open_window(qtbot, ops, admin)
    screen = show(qtbot, window, "materials")
    screen.table.selectRow(0)
    row = screen.current_row()
    dialog = screen.edit_current()
    assert isinstance(dialog, masterforms.MaterialDialog)
    qtbot.addWidget(dialog)
    assert dialog.code.isReadOnly() and dialog.code.text() == row.code
    assert dialog.shelf_life.value() == row.shelf_life_days
    save_screenshot(dialog, "admin-setup-material-edit")
    # Another administrator changes the material while this form is open.
    s.edit_material(
        admin.uow(),
        code=row.code,
        name=row.name,
        kind=row.kind,
        unit=row.unit,
        reorder_level=row.reorder_level + 1,
        shelf_life_days=row.shelf_life_days,
        expected_version=row.version,
    )
    dialog.name.setText(row.name + " (new grade)")
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "was changed by admin" in dialog.error.text() and dialog.isVisible()
    assert dialog.name.text() == row.name + " (new grade)"
    save_screenshot(dialog, "admin-setup-material-stale")
    assert q.materials(admin.reader(), q.MasterFilter(text=row.code)).rows[0].name == row.name

    for key, form in (
        ("warehouses", masterforms.WarehouseDialog),
        ("suppliers", masterforms.SupplierDialog),
        ("lines", masterforms.LineDialog),
    ):
        listed = show(qtbot, window, key)
        listed.table.selectRow(1)
        edit = listed.edit_current()
        assert isinstance(edit, form)
        qtbot.addWidget(edit)
        assert not edit.ok.isEnabled() or edit.check() is None
        save_screenshot(edit, f"admin-setup-{key}-edit")
        edit.reject()


def test_archive_and_restore_a_supplier_and_the_pickers_follow(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.ADMIN])
    screen = show(qtbot, window, "suppliers")
    before = screen.model.rowCount()
    screen.search.setText("SMURFIT")
    screen.apply_filter()
    qtbot.waitUntil(lambda: not screen.model.loading and screen.model.rowCount() == 1, timeout=10_000)
    screen.table.selectRow(0)
    window.actions_by_name["archive_supplier"].trigger()
    qtbot.waitUntil(lambda: "SMURFIT" not in window.lookups.current.suppliers, timeout=10_000)
    qtbot.waitUntil(lambda: not ops.busy and screen.model.rowCount() == 0, timeout=10_000)
    screen.archived.setCurrentIndex(1)  # archived
    screen.apply_filter()
    qtbot.waitUntil(lambda: not screen.model.loading and screen.model.rowCount() == 1, timeout=10_000)
    assert screen.model.text(screen.model.row_at(0), screen.model.Columns.NAME).endswith("(archived)")
    save_screenshot(window, "admin-setup-suppliers-archived")
    screen.table.selectRow(0)
    window.actions_by_name["archive_supplier"].trigger()
    qtbot.waitUntil(lambda: "SMURFIT" in window.lookups.current.suppliers, timeout=10_000)
    assert q.suppliers(demo_contexts[Role.VIEWER].reader()).total == before


def test_a_suppliers_batches(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    screen = show(qtbot, window, "suppliers")
    screen.table.selectRow(0)
    supplier = screen.current_row()
    window.actions_by_name["supplier_batches"].trigger()
    qtbot.waitUntil(lambda: window.findChild(SuppliedBatchesDialog) is not None, timeout=10_000)
    dialog = window.findChild(SuppliedBatchesDialog)
    assert dialog.table.rowCount() == supplier.batch_count > 0
    record = pb.supplier_record(demo_contexts[Role.VIEWER].reader(), supplier.code)
    assert dialog.prices.rowCount() == len(record.prices) > 0
    assert dialog.orders.rowCount() == len(record.open_orders)
    assert f"{record.blocked} of {record.batches} batches blocked" in dialog.quality.text()
    save_screenshot(dialog, "viewer-setup-supplier-batches")


def test_a_material_created_elsewhere_appears_and_the_journal_opens_it(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    screen = show(qtbot, window, "materials")
    rows = screen.model.rowCount()
    other = demo_contexts[Role.ADMIN]  # another window on the same file: the in-process feed tells this one
    s.create_material(other.uow(), code="INK-ORANGE", name="Flexo ink orange", kind="ink", unit="kg")
    qtbot.waitUntil(lambda: screen.model.rowCount() == rows + 1, timeout=10_000)
    qtbot.waitUntil(lambda: "INK-ORANGE" in window.lookups.current.materials, timeout=10_000)
    event = q.events(other.reader(), q.EventFilter(entity_type="material", action="created"), limit=1).rows[0]
    window.tabs.setCurrentIndex(3)
    window.events.open_event(event)
    qtbot.waitUntil(lambda: window.current() is window.materials, timeout=10_000)
    qtbot.waitUntil(lambda: not screen.model.loading and screen.model.rowCount() == 1, timeout=10_000)
    assert screen.model.row_at(0).code == "INK-ORANGE"


def test_plant_settings_reach_the_batches_screen_and_the_reports(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    from app import reporting

    admin = demo_contexts[Role.ADMIN]
    window = open_window(qtbot, ops, admin)
    window.actions_by_name["plant_settings"].trigger()
    qtbot.waitUntil(lambda: window.findChild(PlantSettingsDialog) is not None, timeout=10_000)
    dialog = window.findChild(PlantSettingsDialog)
    qtbot.addWidget(dialog)
    assert dialog.plant_name.text() == "Folia Demo Sp. z o.o. — film plant"
    dialog.plant_name.setText("")
    assert not dialog.ok.isEnabled() and "plant name is required" in dialog.ok.toolTip()
    dialog.plant_name.setText("Folia Łódź")
    dialog.warning_days.setValue(45)
    save_screenshot(dialog, "admin-setup-plant-settings")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    qtbot.waitUntil(lambda: window.lookups.current.settings.expiry_warning_days == 45, timeout=10_000)
    assert window.batches.expiry.itemText(2) == "expiring within 45 days"
    assert window.batches.batch_model.warning_days == 45
    assert reporting.make_header(demo_contexts[Role.VIEWER], "Inventory", []).plant == "Folia Łódź"


def test_export_writes_what_the_import_reads(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], tmp_path: Path
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    assert not window.actions_by_name["import"].isEnabled()  # only an admin imports; anyone may export
    dialog = window.open_export()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, ExportDialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("materials"))
    target = tmp_path / "materials.csv"
    dialog.path.setText(str(target))
    save_screenshot(dialog, "viewer-setup-export")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    materials = len(t.MATERIALS) + len(t.NEW_MATERIALS)
    assert lines[0] == "code,name,kind,unit,reorder_level,shelf_life_days,archived" and len(lines) == materials + 1
    assert f"Wrote {materials} rows of materials" in window.statusBar().currentMessage()
