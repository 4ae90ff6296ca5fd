"""Figures for the CSV import (app/transfer.py): 10,000 materials and 50,000 opening-stock rows, on SQLite
and PostgreSQL, checked first and then written in one transaction; and the import dialog's progress bar
over the same 50,000 rows. The issue's target is under 30 s each; nothing here asserts a time."""

from __future__ import annotations

import time
from typing import Any

import pytest

from app import queries as q
from app import services as s
from app import transfer
from app.context import Context
from app.security import SYSTEM
from data.db import open_database
from domain.vocabulary import ImportKind
from tests.benchmarks.conftest import report

pytestmark = pytest.mark.benchmark

MATERIALS = 10_000
STOCK_ROWS = 50_000
KINDS = ("granulate", "masterbatch", "ink", "adhesive", "solvent", "film", "core")


def materials_csv(count: int) -> bytes:
    """A spreadsheet's list: semicolons, decimal commas, a byte-order mark."""
    lines = ["\ufeffcode;name;kind;unit;reorder_level;shelf_life_days"]
    for i in range(count):
        lines.append(
            f"MAT-{i:05d};Material {i:05d}, grade {i % 7};{KINDS[i % len(KINDS)]};kg;{i % 900},5;{365 + i % 400}"
        )
    return "\n".join(lines).encode("utf-8")


def stock_csv(count: int, materials: int) -> bytes:
    lines = ["batch_number,material,warehouse,quantity,supplier,received,expiry,status,reason"]
    for i in range(count):
        status = ("approved", "pending", "blocked")[i % 3]
        reason = "damp pallet" if status == "blocked" else ""
        lines.append(
            f"OS-{i:06d},MAT-{i % materials:05d},MAG-{1 + i % 3},{100 + i % 1000}.25,SUP-{i % 5},"
            f"2026-0{1 + i % 9}-1{i % 10},2028-01-01,{status},{reason}"
        )
    return "\n".join(lines).encode("utf-8")


def timed(label: str, backend: str, call: Any) -> Any:
    started = time.perf_counter()
    result = call()
    report(f"{label} ({backend})", time.perf_counter() - started, "s", "< 30 s")
    return result


def test_import_10000_materials_and_50000_opening_stock_rows(database_url: str, backend: str) -> None:
    database = open_database(database_url)
    ctx = Context(database, SYSTEM)
    for n in (1, 2, 3):
        s.create_warehouse(ctx.uow(), code=f"MAG-{n}", name=f"Store {n}", kind="raw_materials")
    for n in range(5):
        s.create_supplier(ctx.uow(), code=f"SUP-{n}", name=f"Supplier {n}")
    materials, stock = materials_csv(MATERIALS), stock_csv(STOCK_ROWS, MATERIALS)

    def dry(kind: ImportKind, data: bytes) -> transfer.ImportResult:
        return transfer.import_csv(ctx.uow(), kind, data, file_name=f"{kind.value}.csv", dry_run=True)

    def real(kind: ImportKind, data: bytes) -> transfer.ImportResult:
        return transfer.import_csv(ctx.uow(), kind, data, file_name=f"{kind.value}.csv")

    timed("check 10,000 materials, nothing written", backend, lambda: dry(ImportKind.MATERIALS, materials))
    done = timed("import 10,000 materials", backend, lambda: real(ImportKind.MATERIALS, materials))
    assert len(done.created) == MATERIALS
    again = timed("import the same 10,000 materials again", backend, lambda: real(ImportKind.MATERIALS, materials))
    assert again.unchanged == MATERIALS
    timed("check 50,000 opening-stock rows, nothing written", backend, lambda: dry(ImportKind.OPENING_STOCK, stock))
    done = timed("import 50,000 opening-stock rows", backend, lambda: real(ImportKind.OPENING_STOCK, stock))
    assert len(done.created) == STOCK_ROWS
    assert q.batches(ctx.reader(), limit=1).total == STOCK_ROWS
    data, rows = timed(
        "export 50,000 opening-stock rows", backend, lambda: transfer.export_csv(ctx.reader(), ImportKind.OPENING_STOCK)
    )
    assert rows == STOCK_ROWS and len(data) > STOCK_ROWS * 40
    database.dispose()


def test_the_import_dialog_shows_progress_over_50000_rows(
    qtbot: Any, database_url: str, backend: str, tmp_path: Any
) -> None:
    """The dialog's bar moves while the worker writes; the window's event loop is never held for long."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    from ui.imports import ImportDialog
    from ui.ops import Ops

    database = open_database(database_url)
    ctx = Context(database, SYSTEM)
    for n in (1, 2, 3):
        s.create_warehouse(ctx.uow(), code=f"MAG-{n}", name=f"Store {n}", kind="raw_materials")
    for n in range(5):
        s.create_supplier(ctx.uow(), code=f"SUP-{n}", name=f"Supplier {n}")
    transfer.import_csv(ctx.uow(), ImportKind.MATERIALS, materials_csv(MATERIALS), file_name="materials.csv")
    path = tmp_path / "stock.csv"
    path.write_bytes(stock_csv(STOCK_ROWS, MATERIALS))
    ops = Ops()
    dialog = ImportDialog(ctx, ops)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("opening-stock"))
    dialog.path.setText(str(path))
    values: list[int] = []
    dialog.progress.valueChanged.connect(values.append)
    stall, clock = [0.0], QElapsedTimer()
    clock.start()

    def tick() -> None:
        stall[0] = max(stall[0], clock.restart())

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(10)
    started = time.perf_counter()
    dialog.check_button.click()
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=120_000)
    checked = time.perf_counter() - started
    with qtbot.waitSignal(dialog.imported, timeout=120_000):
        dialog.import_button.click()
    timer.stop()
    report(f"the import dialog: check 50,000 rows ({backend})", checked, "s")
    report(f"the import dialog: check and import 50,000 rows ({backend})", time.perf_counter() - started, "s")
    report(f"progress bar updates seen ({backend})", len(values), "updates")
    report(f"longest event-loop stall during the import ({backend})", stall[0], "ms")
    assert len(set(values)) > 10  # the bar moved
    ops.wait()
    database.dispose()
