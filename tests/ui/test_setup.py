"""A new plant set up entirely from the client, on a database fresh from `mpsystem db init`, on both backends:
the first run leads the administrator to the master-data screens (ui/masterdata.py, ui/masterforms.py),
plant settings (ui/plant_settings.py) and the CSV import (ui/imports.py); a bad file changes nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from app import cli, security
from app import queries as q
from app.audit import audit
from app.context import Context
from app.settings import plant_settings
from tests.conftest import drop_pg_database, in_days, new_pg_database, snapshot
from tests.ui.conftest import open_window, save_screenshot
from ui import forms, masterforms
from ui.firstrun import FirstRunDialog
from ui.imports import ImportDialog
from ui.main_window import MainWindow
from ui.ops import Ops
from ui.plant_settings import PlantSettingsDialog
from ui.widgets import FormDialog

PASSWORD = "first admin's password"


@pytest.fixture
def fresh_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A database made by `mpsystem db init` with one administrator, `boss`, and nothing else."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'new-plant.sqlite3'}"
    else:
        server = request.getfixturevalue("pg_server")
        url = new_pg_database(server, None)
        request.addfinalizer(lambda: drop_pg_database(server, url))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    with redirect_stdout(io.StringIO()):
        assert cli.main(["db", "init", "--url", url, "--admin", "boss", "--password-stdin"]) == 0
    yield url


@pytest.fixture
def boss(fresh_url: str) -> Iterator[Context]:
    database, user = security.sign_in(fresh_url, "boss", PASSWORD)
    yield Context(database, user)
    database.dispose()


def submit(qtbot: Any, dialog: FormDialog, shot: str | None = None) -> None:
    """Press the form's OK as the user would, once what is typed is acceptable; wait for the service."""
    qtbot.addWidget(dialog)
    assert dialog.ok.isEnabled(), dialog.ok.toolTip()
    if shot:
        save_screenshot(dialog, shot)
    with qtbot.waitSignal(dialog.succeeded, timeout=15_000):
        dialog.ok.click()


def wait_idle(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=15_000)


def first_run(qtbot: Any, window: MainWindow) -> FirstRunDialog:
    qtbot.waitUntil(lambda: window.first_run is not None and window.first_run.isVisible(), timeout=10_000)
    assert window.first_run is not None
    return window.first_run


def test_an_admin_sets_up_a_plant_from_the_client(qtbot: Any, ops: Ops, boss: Context, backend: str) -> None:
    window = open_window(qtbot, ops, boss)
    welcome = first_run(qtbot, window)
    assert "no warehouses, materials, production lines yet" in welcome.message.text()
    save_screenshot(welcome, f"setup-{backend}-1-first-run")
    welcome.buttons["warehouses"].click()
    assert window.current() is window.warehouses and window.tabs.isTabVisible(window.tabs.currentIndex())

    # Two warehouses
    for code, name, kind in (("MAG-1", "Raw materials", "raw_materials"), ("MAG-2", "Finished goods", "finished")):
        dialog = window.warehouses.new_record()
        assert isinstance(dialog, masterforms.WarehouseDialog)
        dialog.code.setText(code)
        dialog.name.setText(name)
        dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
        submit(qtbot, dialog, f"setup-{backend}-2-warehouse-form" if code == "MAG-1" else None)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.warehouses.model.rowCount() == 2, timeout=10_000)
    save_screenshot(window, f"setup-{backend}-3-warehouses")

    # Three materials, one with a shelf life; the form refuses a bad reorder level as it is typed
    window.show_screen(window.materials)
    for code, name, kind, unit, level, days in (
        ("LDPE", "LDPE granulate FT5230", "granulate", "kg", "1000", 720),
        ("INK-CYAN", "Flexo ink cyan", "ink", "kg", "", 365),
        ("CORE-76", "Cardboard cores 76 mm", "core", "pcs", "500", 0),
    ):
        dialog = window.materials.new_record()
        assert isinstance(dialog, masterforms.MaterialDialog)
        dialog.code.setText(code)
        dialog.name.setText(name)
        dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
        dialog.unit.setCurrentIndex(dialog.unit.findData(unit))
        dialog.reorder.setText("12.5" if unit == "pcs" else level)
        if unit == "pcs":
            assert not dialog.ok.isEnabled() and "whole numbers" in dialog.ok.toolTip()
            dialog.reorder.setText(level)
        dialog.shelf_life.setValue(days)
        submit(qtbot, dialog, f"setup-{backend}-4-material-form" if code == "LDPE" else None)
    qtbot.waitUntil(lambda: window.materials.model.rowCount() == 3, timeout=10_000)
    save_screenshot(window, f"setup-{backend}-5-materials")

    # A supplier and a production line
    window.show_screen(window.suppliers)
    dialog = window.suppliers.new_record()
    assert isinstance(dialog, masterforms.SupplierDialog)
    dialog.code.setText("BASELL")
    dialog.name.setText("LyondellBasell Polyolefine GmbH")
    dialog.edits["email"].setText("orders@basell")
    assert not dialog.ok.isEnabled() and "e-mail" in dialog.ok.toolTip()
    dialog.edits["email"].setText("orders@basell.example")
    dialog.edits["address"].setText("Industriepark Höchst, 65926 Frankfurt am Main")
    dialog.edits["tax_id"].setText("DE114103379")
    submit(qtbot, dialog, f"setup-{backend}-6-supplier-form")
    qtbot.waitUntil(lambda: window.suppliers.model.rowCount() == 1, timeout=10_000)
    save_screenshot(window, f"setup-{backend}-7-suppliers")

    window.show_screen(window.lines)
    dialog = window.lines.new_record()
    assert isinstance(dialog, masterforms.LineDialog)
    dialog.code.setText("EXTRUDER-1")
    dialog.name.setText("Blown film extruder 1")
    dialog.stage.setCurrentIndex(dialog.stage.findData("extrusion"))
    dialog.rate.setText("450")
    dialog.rate_unit.setCurrentIndex(dialog.rate_unit.findData("kg"))
    submit(qtbot, dialog, f"setup-{backend}-8-line-form")
    qtbot.waitUntil(lambda: window.lines.model.rowCount() == 1, timeout=10_000)
    save_screenshot(window, f"setup-{backend}-9-lines")

    # The plant's settings
    window.actions_by_name["plant_settings"].trigger()
    qtbot.waitUntil(lambda: window.findChild(PlantSettingsDialog) is not None, timeout=10_000)
    settings_dialog = window.findChild(PlantSettingsDialog)
    assert not settings_dialog.ok.isEnabled()  # nothing changed yet
    settings_dialog.plant_name.setText("Folie Nowak Sp. z o.o.")
    settings_dialog.warning_days.setValue(21)
    submit(qtbot, settings_dialog, f"setup-{backend}-10-plant-settings")
    assert plant_settings(boss.reader()).plant_name == "Folie Nowak Sp. z o.o."

    # A customer, a receipt, an order planned on the line
    window.show_screen(window.customers)
    customer = window.customers.new_customer()
    customer.code.setText("C-001")
    customer.name.setText("Mleczarnia Łódź Sp. z o.o.")
    submit(qtbot, customer)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: "MAG-1" in window.lookups.current.warehouses, timeout=10_000)
    receive = window.stock.receive()
    assert isinstance(receive, forms.ReceiveDialog)
    receive.number.setText("R-0001")
    receive.material.setCurrentText("LDPE")
    receive.supplier.setCurrentText("BASELL")
    receive.warehouse.setCurrentText("MAG-1")
    receive.quantity.setText("1250.5")
    submit(qtbot, receive, f"setup-{backend}-11-receipt")
    catalogue = window.orders.open_products()
    product = catalogue.new_product()
    product.code.setText("PE-50-1200")
    product.name.setText("PE film 50 µm natural, 1200 mm")
    product.stage.setCurrentIndex(product.stage.findData("extrusion"))
    product.unit.setCurrentIndex(product.unit.findData("kg"))
    submit(qtbot, product, f"setup-{backend}-12-product")
    catalogue.close()
    qtbot.waitUntil(lambda: "PE-50-1200" in window.lookups.current.products, timeout=10_000)
    order = window.board.production.new_order()
    order.customer.setCurrentText("C-001")
    order.product.setCurrentText("PE-50-1200")
    order.quantity.setText("900")
    order.due.setDate(order.due.date().addDays(10))
    submit(qtbot, order)
    window.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: window.board.loaded_once and not ops.busy, timeout=10_000)
    created = q.orders(boss.reader()).rows[0]
    window.board.request_move(created.number, created.version, "EXTRUDER-1", 1)
    qtbot.waitUntil(lambda: q.orders(boss.reader()).rows[0].status == "planned", timeout=10_000)
    wait_idle(qtbot, window)
    save_screenshot(window, f"setup-{backend}-13-planned")

    setup = q.plant_setup(boss.reader())
    assert (setup.warehouses, setup.materials, setup.suppliers, setup.lines, setup.customers) == (2, 3, 1, 1, 1)
    assert q.inventory(boss.reader(), q.InventoryFilter(text="LDPE")).rows[0].quantity == 1250.5
    assert q.line_queues(boss.reader())[0].orders[0].order.number == created.number
    assert audit(boss.database) == []
    assert q.events(boss.reader(), q.EventFilter(entity_type="material", action="created")).total == 3


def test_others_are_told_the_plant_is_not_set_up(
    qtbot: Any, ops: Ops, boss: Context, fresh_url: str, backend: str
) -> None:
    from app import services as s

    s.create_user(boss.uow(), username="piotr", role="clerk", full_name="Piotr", password="clerk's password")
    database, user = security.sign_in(fresh_url, "piotr", "clerk's password")
    try:
        window = open_window(qtbot, ops, Context(database, user))
        notice = first_run(qtbot, window)
        assert "not set up yet" in notice.message.text() and "administrator" in notice.message.text()
        assert not notice.buttons  # nothing a clerk could set up
        save_screenshot(notice, f"setup-{backend}-not-set-up-clerk")
        notice.reject()
        window.close()
    finally:
        database.dispose()


# ---------------------------------------------------------------- from CSV files

FILES = {
    "warehouses": "code;name;kind;adr\nMAG-1;Raw materials;raw materials;no\nMAG-1.1;ADR store;adr;yes\n"
    "MAG-6;Finished goods;finished goods;\n",
    "materials": "\ufeffcode;name;kind;unit;reorder_level;shelf_life_days\n"
    'GR-LDPE;"LDPE granulate; film grade";granulate;kg;"1 250,5";720\n'
    "INK-CYAN;Flexo ink cyan;ink;kg;50;365\nFILM-PE-50;PE film 50 µm;film;kg;;\n",
    "suppliers": "code,name,contact,email,phone,address,tax_id\n"
    'BASELL,LyondellBasell,Jan Richter,orders@basell.example,+49 69 0,"Frankfurt, DE",DE114103379\n'
    "SIEGWERK,Siegwerk Polska,,,,,\n",
    "customers": "code,name,contact\nC-001,Mleczarnia Łódź,Anna\nC-002,ООО «Северная упаковка»,\n",
    "lines": "code,name,stage,rate_per_hour,rate_unit\nEXTRUDER-1,Extruder 1,extrusion,450,kg\n",
    "opening-stock": "batch_number;material;warehouse;quantity;supplier;received;expiry;status;reason\n"
    "R-1;GR-LDPE;MAG-1;1 000,5;BASELL;2026-01-05;2027-12-31;approved;\n"
    "R-2;INK-CYAN;MAG-1.1;120;SIEGWERK;05.02.2026;05.02.2027;blocked;colour off\n"
    "R-2;INK-CYAN;MAG-1;30;SIEGWERK;05.02.2026;05.02.2027;blocked;colour off\n"
    "F-1;FILM-PE-50;MAG-6;480;;;;;\n",
}


def import_file(qtbot: Any, dialog: ImportDialog, kind: str, path: Path) -> None:
    dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
    dialog.path.setText(str(path))
    dialog.check_button.click()
    qtbot.waitUntil(lambda: not dialog._busy, timeout=30_000)
    assert dialog.import_button.isEnabled(), dialog.summary.text()
    with qtbot.waitSignal(dialog.imported, timeout=60_000):
        dialog.import_button.click()


def test_an_admin_sets_up_a_plant_from_csv_files(
    qtbot: Any, ops: Ops, boss: Context, tmp_path: Path, backend: str
) -> None:
    window = open_window(qtbot, ops, boss)
    welcome = first_run(qtbot, window)
    welcome.buttons["import"].click()
    qtbot.waitUntil(lambda: window.findChild(ImportDialog) is not None, timeout=10_000)
    dialog = window.findChild(ImportDialog)
    for kind, text in FILES.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        if kind == "materials":  # the preview, before anything is written
            dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
            dialog.path.setText(str(path))
            dialog.check_button.click()
            qtbot.waitUntil(lambda: not dialog._busy, timeout=30_000)
            assert "3 records would be created" in dialog.summary.text()
            assert [row[1:] for row in dialog.problems()] == [
                ("create", "GR-LDPE"),
                ("create", "INK-CYAN"),
                ("create", "FILM-PE-50"),
            ]
            save_screenshot(dialog, f"setup-{backend}-import-preview")
        import_file(qtbot, dialog, kind, path)
    save_screenshot(dialog, f"setup-{backend}-import-done")
    r = boss.reader
    assert [m.code for m in q.materials(r()).rows] == ["FILM-PE-50", "GR-LDPE", "INK-CYAN"]
    ldpe = q.materials(r(), q.MasterFilter(text="GR-LDPE")).rows[0]
    assert ldpe.reorder_level == 1250.5 and ldpe.shelf_life_days == 720 and ldpe.name == "LDPE granulate; film grade"
    stock = {(row.material_code, row.warehouse_code): row for row in q.inventory(r()).rows}
    assert stock[("GR-LDPE", "MAG-1")].usable == 1000.5
    assert stock[("INK-CYAN", None)].on_hold == 150 and stock[("INK-CYAN", None)].usable == 0
    assert q.batches(r(), q.BatchFilter(status="blocked")).rows[0].status_reason == "colour off"
    assert q.warehouses(r(), q.MasterFilter(text="MAG-1.1")).rows[0].adr
    assert audit(boss.database) == []
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: "GR-LDPE" in window.lookups.current.materials, timeout=10_000)

    # The same files again: nothing new, the batches reported as already there.
    again = tmp_path / "opening-stock.csv"
    dialog.kind.setCurrentIndex(dialog.kind.findData("opening-stock"))
    dialog.path.setText(str(again))
    dialog.check_button.click()
    qtbot.waitUntil(lambda: not dialog._busy, timeout=30_000)
    assert "0 batches would be created, 3 batches already in the plant" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()


def test_a_bad_csv_changes_nothing_and_names_its_bad_rows(
    qtbot: Any, ops: Ops, boss: Context, tmp_path: Path, backend: str
) -> None:
    from app import services as s

    s.create_warehouse(boss.uow(), code="MAG-1", name="Raw", kind="raw_materials")
    s.create_material(boss.uow(), code="LDPE", name="LDPE", kind="granulate", unit="kg")
    s.create_line(boss.uow(), code="EX-1", name="Extruder", stage="extrusion", rate_per_hour=400, rate_unit="kg")
    before = snapshot(boss.database)
    window = open_window(qtbot, ops, boss)
    dialog = window.open_import()
    qtbot.addWidget(dialog)
    bad = tmp_path / "stock.csv"
    bad.write_text(
        "batch_number,material,warehouse,quantity,unit,received,expiry\n"
        "R-1,LDPE,MAG-1,100,kg,2026-01-05,\n"
        "R-2,NOPE,MAG-1,100,,,\n"
        "R-3,LDPE,MAG-9,1.2.3,,,\n"
        "R-1,LDPE,MAG-1,5,,2026-01-05,\n"
        "R-4,LDPE,MAG-1,5,m,,\n"
        f"R-5,LDPE,MAG-1,5,,{in_days(3):%Y-%m-%d},2020-13-01\n",
        encoding="utf-8",
    )
    dialog.kind.setCurrentIndex(dialog.kind.findData("opening-stock"))
    dialog.path.setText(str(bad))
    dialog.check_button.click()
    qtbot.waitUntil(lambda: not dialog._busy, timeout=30_000)
    assert dialog.summary.text() == "Nothing was imported from stock.csv: 5 lines cannot be taken."
    listed = dialog.problems()
    assert [(line, column) for line, column, _m in listed] == [
        ("3", "material"),
        ("4", "warehouse"),
        ("5", "batch_number"),
        ("6", "unit"),
        ("7", "received"),
    ]
    assert "there is no material “NOPE”" in listed[0][2]
    assert not dialog.import_button.isEnabled()
    save_screenshot(dialog, f"setup-{backend}-import-bad-rows")
    assert snapshot(boss.database) == before
