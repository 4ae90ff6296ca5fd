"""The pickers and filters follow the database (ui/lookups.py): what another session creates is offered
without signing in again; forms start at the user's own warehouse, not at a plant's codes."""

from __future__ import annotations

from typing import Any

import pytest

from app import queries as q
from app import services as s
from app.context import Context
from app.permissions import Role
from app.security import SYSTEM
from data.db import open_database
from tests.conftest import in_days
from tests.ui.conftest import open_window, save_screenshot, show_tab
from ui import forms
from ui.ops import Ops


def items(box: Any) -> list[str]:
    """The codes a picker or filter offers (each entry shows "code — name" and carries its code)."""
    return [box.itemData(i) for i in range(box.count()) if box.itemData(i) is not None]


def test_a_material_created_in_another_session_reaches_the_open_receive_form(
    qtbot: Any, ops: Ops, people: dict[Role, Context], plant: Context, database_url: str, backend: str
) -> None:
    """PostgreSQL: another session (here another engine; in the plant another workstation or psql) writes,
    the server's notice reaches this window. SQLite: the same-process feed carries it between the windows
    and engines of one process on one file (another process on the file is not told)."""
    window = open_window(qtbot, ops, people[Role.CLERK])
    show_tab(qtbot, window, 1)
    form = window.stock.receive()
    qtbot.addWidget(form)
    form.number.setText("LOOK-0001")
    assert "FILM-PE-80" not in items(form.material)

    elsewhere = open_database(database_url)  # another connection pool: another session
    try:
        other = Context(elsewhere, SYSTEM)
        s.create_material(other.uow(), code="FILM-PE-80", name="PE film 80 µm", kind="film", unit="m")
        s.create_warehouse(other.uow(), code="MAG-10", name="Overflow tent", kind="raw_materials")
    finally:
        elsewhere.dispose()

    qtbot.waitUntil(lambda: "FILM-PE-80" in items(form.material), timeout=5_000)
    assert form.number.text() == "LOOK-0001"  # the form kept what was typed
    assert "MAG-10" in items(form.warehouse)
    assert "FILM-PE-80" in items(window.batches.material) and "MAG-10" in items(window.batches.warehouse)
    # and the new material's unit decides how its quantity is checked
    form.material.setCurrentText("FILM-PE-80")
    form.supplier.setCurrentText("BASELL")
    form.quantity.setText("12.345")
    assert not form.ok.isEnabled() and "Quantities in m take at most 2 decimal places" in form.ok.toolTip()
    form.quantity.setText("12.34")
    assert form.ok.isEnabled()
    save_screenshot(form, f"form-receive-new-material-{backend}")
    with qtbot.waitSignal(form.succeeded, timeout=10_000):
        form.ok.click()


def test_a_filter_keeps_its_choice_when_the_codes_are_read_again(
    qtbot: Any, ops: Ops, people: dict[Role, Context], plant: Context
) -> None:
    window = open_window(qtbot, ops, people[Role.CLERK])
    show_tab(qtbot, window, 1)
    box = window.batches.warehouse
    box.setCurrentIndex(box.findData("MAG-3"))
    s.create_warehouse(plant.uow(), code="MAG-0", name="Gatehouse", kind="quarantine")  # sorts first
    qtbot.waitUntil(lambda: "MAG-0" in items(box), timeout=5_000)
    assert box.currentData() == "MAG-3" and window.batches.build_filter().warehouse == "MAG-3"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_forms_start_at_the_warehouse_of_their_kind_then_at_the_users_last_choice(
    qtbot: Any, ops: Ops, people: dict[Role, Context], plant: Context
) -> None:
    """The test plant's warehouses: MAG-1 raw materials, MAG-1.1 ADR, MAG-3 production, MAG-6 finished."""
    window = open_window(qtbot, ops, people[Role.PLANNER])
    receive = window.stock.receive()
    qtbot.addWidget(receive)
    assert receive.warehouse.code() == "MAG-1"  # the first raw-materials store
    receive.number.setText("INK-0001")
    receive.material.setCurrentText("INK-CYAN")
    receive.supplier.setCurrentText("BASELL")
    receive.warehouse.setCurrentText("MAG-1.1")  # inks go to the ADR store
    receive.quantity.setText("20")
    with qtbot.waitSignal(receive.succeeded, timeout=10_000):
        receive.ok.click()
    again = window.stock.receive()
    qtbot.addWidget(again)
    assert again.warehouse.code() == "MAG-1.1"  # this user's last choice

    s.create_order(plant.uow(), customer="C-001", product="PE-50", quantity=100, unit="kg", due_date=in_days(5))
    number = q.orders(plant.reader()).rows[0].number
    consume = forms.ConsumeDialog(window.ctx, ops, window.lookups, number, window)
    output = forms.OutputDialog(window.ctx, ops, window.lookups, number, window)
    qtbot.addWidget(consume)
    qtbot.addWidget(output)
    assert consume.warehouse.code() == "MAG-3"  # the production floor
    assert output.warehouse.code() == "MAG-6"  # finished goods
