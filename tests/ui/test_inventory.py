"""The Inventory screen (ui/inventory.py): each material's totals once, its warehouses beneath it, and
the batches behind a row."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTableWidget

from app import queries as q
from app import services as s
from app.context import Context
from app.permissions import Role
from tests.ui.conftest import open_window, save_screenshot, show_tab
from ui.inventory import BatchesBehindDialog
from ui.ops import Ops
from ui.tables import InventoryModel


def _drill(qtbot: Any, window: Any, row: Any) -> QTableWidget:
    window.inventory.show_batches(row)
    qtbot.waitUntil(lambda: window.inventory.findChild(BatchesBehindDialog) is not None, timeout=10_000)
    drill = window.inventory.findChild(BatchesBehindDialog)
    table = drill.findChild(QTableWidget, "batchesBehind")
    return table


def test_inventory_drill_down(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    show_tab(qtbot, window, 0)  # a manager starts on the dashboard
    model = window.inventory.model
    material, store = model.row_at(0), model.row_at(1)
    assert material is not None and material.is_material and store is not None and not store.is_material
    table = _drill(qtbot, window, store)
    assert table.rowCount() == store.batch_count
    save_screenshot(table.window(), "inventory-batches-behind")


def test_each_material_shows_its_total_once_and_its_warehouses_beneath(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.VIEWER]
    window = open_window(qtbot, ops, ctx)
    model = window.inventory.model
    rows = [model.row_at(i) for i in range(min(model.rowCount(), model.PAGE_SIZE))]
    c = InventoryModel.Columns
    material = rows[0]
    assert material is not None and material.is_material
    stores = []
    for row in rows[1:]:
        assert row is not None
        if row.is_material:
            break
        stores.append(row)
    assert stores and sum(r.quantity for r in stores) == material.quantity
    assert all(r.usable + r.on_hold == r.quantity for r in [material, *stores])
    # The name and kind are on the material's row only; a warehouse row shows that warehouse's stock.
    assert all(model.text(r, c.NAME) == "" and model.text(r, c.WAREHOUSE).strip() == r.warehouse_code for r in stores)
    assert model.data(model.index(0, c.NAME), InventoryModel.FONT_ROLE).bold()
    save_screenshot(window, "inventory-grouped")


def test_a_used_up_material_shows_at_zero_below_its_reorder_level(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    admin = demo_contexts[Role.ADMIN]
    s.create_material(admin.uow(), code="ZZ-NEW-INK", name="Ink never bought", kind="ink", unit="kg", reorder_level=50)
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    window.inventory.below.setChecked(True)
    window.inventory.apply_filter()
    qtbot.waitUntil(lambda: not window.inventory.model.loading and not ops.busy, timeout=10_000)
    model = window.inventory.model
    codes = [model.row_at(i).material_code for i in range(model.rowCount())]  # type: ignore[union-attr]
    assert "ZZ-NEW-INK" in codes
    row = model.row_at(codes.index("ZZ-NEW-INK"))
    assert row is not None and row.quantity == 0 and row.below_reorder
    assert model.text(row, InventoryModel.Columns.WAREHOUSE) == "no stock"
    assert q.inventory(admin.reader(), q.InventoryFilter(text="ZZ-NEW")).rows[0].below_reorder
    save_screenshot(window, "inventory-below-reorder")
