"""The Customers screen (ui/customers.py): orders, archive, edits refused when stale."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from app import queries as q
from app import services as s
from app.context import Context
from app.permissions import Role
from tests.ui.conftest import open_window, show_tab
from ui import forms
from ui.customers import OrdersDialog
from ui.ops import Ops


def test_customer_orders_and_archiving(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.MANAGER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 4)
    active = window.customers.model.rowCount()
    window.customers.table.selectRow(0)
    customer = window.customers.current_row()
    window.customers.customer_orders()
    qtbot.waitUntil(lambda: window.findChild(OrdersDialog) is not None, timeout=10_000)
    dialog = window.findChild(OrdersDialog)
    assert dialog.table.rowCount() == customer.total_orders
    window.customers.archive_customer()
    qtbot.waitUntil(lambda: not ops.busy and window.customers.model.rowCount() == active - 1, timeout=10_000)
    assert q.customers(ctx.reader(), q.CustomerFilter(text=customer.code, archived=True)).total == 1


def test_edit_customer_refuses_a_stale_copy_and_keeps_the_input(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 4)
    window.customers.table.selectRow(0)
    row = window.customers.current_row()
    assert row is not None
    window.actions_by_name["edit_customer"].trigger()
    dialog = window.findChild(forms.CustomerDialog)
    qtbot.addWidget(dialog)
    assert dialog.code.isReadOnly() and dialog.code.text() == row.code
    # Another planner saves the same customer while this form is open.
    s.edit_customer(
        demo_contexts[Role.ADMIN].uow(), code=row.code, name=row.name, expected_version=row.version, phone="+48 1"
    )
    dialog.phone.setText("+48 22 555 01 02")
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "changed by admin" in dialog.error.text()
    assert dialog.isVisible() and dialog.phone.text() == "+48 22 555 01 02"
    assert q.customers(ctx.reader(), q.CustomerFilter(text=row.code)).rows[0].phone == "+48 1"
    qtbot.waitUntil(lambda: not ops.busy and not window.customers.model.loading, timeout=10_000)

    # Opened again on the reloaded row, the same edit goes through.
    fresh = window.customers.current_row()
    assert fresh is not None and fresh.version == row.version + 1
    again = window.customers.edit_row(fresh)
    qtbot.addWidget(again)
    again.phone.setText("+48 22 555 01 02")
    with qtbot.waitSignal(again.succeeded, timeout=10_000):
        again.ok.click()
    assert q.customers(ctx.reader(), q.CustomerFilter(text=row.code)).rows[0].phone == "+48 22 555 01 02"


def test_export_csv_keeps_a_formula_like_name_text(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], tmp_path: Path
) -> None:
    """Hole: a customer named =HYPERLINK(…) was exported to CSV verbatim (formula injection)."""
    formula = '=HYPERLINK("http://evil.example","Invoice")'
    s.create_customer(demo_contexts[Role.PLANNER].uow(), code="C-EVIL", name=formula, phone="+48 22 555 01 02")
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    show_tab(qtbot, window, 4)
    out = tmp_path / "customers.csv"
    counts: list[int] = []
    window.customers.export_csv(out, counts.append)
    qtbot.waitUntil(lambda: bool(counts), timeout=10_000)
    with out.open(encoding="utf-8-sig", newline="") as exported:
        row = next(r for r in csv.reader(exported) if r and r[0] == "C-EVIL")
    assert row[1] == "'" + formula and "'+48 22 555 01 02" in row
