"""The Orders screen (ui/orders.py), an order's story, the delivery form and note, the recall, the catalogue."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app import catalogue
from app import order_book as ob
from app import queries as q
from app.context import Context
from app.permissions import Role
from tests.ui.conftest import ARTIFACTS, open_window, save_screenshot, show_tab, wait_loaded
from ui.ops import Ops
from ui.orders import OrderStoryDialog

ORDERS = 5  # the Orders screen's tab


def scalar(ctx: Context, sql: str) -> Any:
    with ctx.database.engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def pdf_to_png(path: Path, name: str) -> Path:
    """The first page of a PDF as the user would see it, beside the screenshots."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTIFACTS / name
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(path), str(prefix)],
                   check=True)  # fmt: skip
    return prefix.with_suffix(".png")


def test_every_order_in_one_list_filtered_and_sorted_in_sql(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.VIEWER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, ORDERS)
    screen = window.orders
    assert screen.model.total == 200  # every status, the done and cancelled ones too
    save_screenshot(window, "orders")
    screen.status.setCurrentIndex(screen.status.findData("done"))
    screen.apply_filter()
    wait_loaded(qtbot, window)
    assert screen.model.total == 40
    dues = [screen.model.row_at(r).due_date for r in range(screen.model.total)]
    assert dues == sorted(dues)
    screen.status.setCurrentIndex(0)
    screen.late.setChecked(True)
    screen.apply_filter()
    wait_loaded(qtbot, window)
    late = ob.order_list(ctx.reader(), q.OrderFilter(late_only=True)).total
    assert screen.model.total == late > 0
    assert all(screen.model.row_at(r).late for r in range(min(late, 50)))
    save_screenshot(window, "orders-late")


def test_opening_an_order_shows_its_whole_story(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.CLERK]
    number = scalar(
        ctx,
        "SELECT o.number FROM production_orders o JOIN deliveries d ON d.production_order_id = o.id "
        "GROUP BY o.id, o.number ORDER BY COUNT(*) DESC, o.number LIMIT 1",
    )
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, ORDERS)
    window.orders.show_record("order", number)
    qtbot.waitUntil(lambda: isinstance(getattr(window.orders, "story_dialog", None), OrderStoryDialog), timeout=10_000)
    dialog = window.orders.story_dialog
    qtbot.addWidget(dialog)
    story = ob.order_story(ctx.reader(), number)
    assert dialog.sections() == {
        "story": len(story.entries),
        "consumed": len(story.inputs),
        "produced": len(story.outputs),
        "deliveries": len(story.deliveries),
    }
    actions = {dialog.journal.item(r, 2).text() for r in range(dialog.journal.rowCount())}
    assert {"created", "planned", "started", "consumed", "output", "finished", "delivered"} <= actions
    assert dialog.note_button.isEnabled() and dialog.back_button.isEnabled()
    assert "delivered" in dialog.progress.text()
    save_screenshot(dialog, "order-story")
    dialog.tabs.setCurrentIndex(3)
    save_screenshot(dialog, "order-story-deliveries")
    dialog.back_button.click()  # the latest delivery, back to its suppliers
    actions = window.orders.deliveries
    qtbot.waitUntil(lambda: hasattr(actions, "trace_dialog"), timeout=10_000)
    labels = actions.trace_dialog.labels()
    assert labels[1].startswith(f"Delivery {story.deliveries[-1].number}")
    assert any(label.startswith("Supplier ") for label in labels)
    actions.trace_dialog.resize(1000, 700)
    save_screenshot(actions.trace_dialog, "trace-delivery-back")


def test_a_clerk_delivers_and_the_delivery_note_follows(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.CLERK]
    number = next(
        r.number
        for r in ob.order_list(ctx.reader(), q.OrderFilter(status="done"), limit=100).rows
        if ob.deliverable(ctx.reader(), r.number)
    )
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, ORDERS)
    actions = window.orders.deliveries
    actions.deliver_order(number)
    qtbot.waitUntil(lambda: getattr(actions, "form", None) is not None, timeout=10_000)
    form = actions.form
    qtbot.addWidget(form)
    assert not form.ok.isEnabled()  # nothing entered yet
    available = form.stock[0].quantity
    form.amounts[0].setText(f"{available + 1}")
    assert not form.ok.isEnabled() and "has only" in form.ok.toolTip()
    form.amounts[0].setText(f"{available.normalize():f}")
    form.note.setText("Lorry EL 4711C")
    assert form.ok.isEnabled()
    save_screenshot(form, "delivery-form")
    with qtbot.waitSignal(form.succeeded, timeout=10_000) as sent:
        form.ok.click()
    delivery = sent.args[0]
    assert delivery.startswith("D-")
    qtbot.waitUntil(lambda: getattr(actions, "preview", None) is not None, timeout=20_000)
    assert actions.preview.document.pageCount() == 1
    save_screenshot(actions.preview, "delivery-note-preview")
    pdf_to_png(actions.last_note, "delivery-note")
    row, lines = ob.delivery_lines(ctx.reader(), delivery)
    assert row.note == "Lorry EL 4711C" and row.username == "clerk" and len(lines) == 1


def test_the_recall_question_on_one_screen(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.MANAGER]
    number = scalar(ctx, "SELECT number FROM batches WHERE number LIKE 'R%-00315'")
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 1)
    window.batches.show_batch(number)
    wait_loaded(qtbot, window)
    window.batches.table.selectRow(0)
    window.actions_by_name["recall"].trigger()
    dialog = window.batches.recall_dialog
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.found is not None, timeout=10_000)
    assert dialog.batch.text() == number
    assert dialog.customers.rowCount() >= 3 and dialog.deliveries.rowCount() >= dialog.customers.rowCount()
    assert "customer" in dialog.summary.text()
    save_screenshot(dialog, "recall")
    dialog.tabs.setCurrentIndex(1)
    save_screenshot(dialog, "recall-deliveries")
    dialog.print_button.click()
    qtbot.waitUntil(lambda: getattr(dialog, "preview", None) is not None, timeout=20_000)
    pdf_to_png(dialog.last_report, "recall-report")
    dialog.batch.setText("NOPE-1")
    dialog.ask()
    qtbot.waitUntil(lambda: "NOPE-1" in dialog.summary.text() and "no batch" in dialog.summary.text(), timeout=10_000)


def test_the_trace_dialog_follows_a_granulate_batch_to_the_customers(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.VIEWER]
    number = scalar(ctx, "SELECT number FROM batches WHERE number LIKE 'R%-00315'")
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 1)
    window.batches.trace(number)
    qtbot.waitUntil(lambda: hasattr(window.batches, "trace_dialog"), timeout=10_000)
    labels = window.batches.trace_dialog.labels()
    assert any(label.startswith("Delivery D-") for label in labels)
    assert any(label.startswith("Customer ") for label in labels)
    window.batches.trace_dialog.resize(1000, 760)
    save_screenshot(window.batches.trace_dialog, "trace-to-customers")


def test_a_planner_keeps_the_catalogue_and_its_recipes(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, ORDERS)
    products = window.orders.open_products()
    qtbot.addWidget(products)
    qtbot.waitUntil(lambda: products.table.rowCount() == 19 and products.recipe.rowCount() > 0, timeout=10_000)
    save_screenshot(products, "products")
    form = products.new_product()
    form.code.setText("PE-100-BLUE")
    form.name.setText("PE film 100 µm blue")
    form.output.setCurrentText("FILM-PRINTED")
    assert not form.ok.isEnabled() and "counted in m" in form.ok.toolTip()  # the product is ordered in kg
    form.output.setCurrentText("FILM-PE-50")
    with qtbot.waitSignal(form.succeeded, timeout=10_000):
        form.ok.click()
    qtbot.waitUntil(
        lambda: products.selected() is not None and products.selected().code == "PE-100-BLUE", timeout=10_000
    )
    products.edit_recipe()
    qtbot.waitUntil(lambda: getattr(products, "form", None) is not form, timeout=10_000)
    recipe = products.form
    recipe._widget(0, 2, object).setCurrentText("GR-LDPE-FT5230")
    recipe._widget(0, 3, object).setText("0.9")
    recipe._widget(0, 4, object).setText("3")
    recipe.add_line()
    recipe._widget(1, 2, object).setCurrentText("MB-BLACK-40")
    recipe._widget(1, 3, object).setText("0.1234567")
    assert not recipe.ok.isEnabled() and "at most 6 decimal places" in recipe.ok.toolTip()
    recipe._widget(1, 2, object).setCurrentText("MB-WHITE-70")
    recipe._widget(1, 3, object).setText("0.12")
    save_screenshot(recipe, "recipe-form")
    with qtbot.waitSignal(recipe.succeeded, timeout=10_000):
        recipe.ok.click()
    assert [(r.material_code, str(r.quantity)) for r in catalogue.recipe(ctx.reader(), "PE-100-BLUE")] == [
        ("GR-LDPE-FT5230", "0.900000"),
        ("MB-WHITE-70", "0.120000"),
    ]


def test_recording_consumption_proposes_the_recipe(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.PLANNER]
    number = next(
        r.number
        for r in ob.order_list(ctx.reader(), q.OrderFilter(status="in_progress"), limit=100).rows
        if any(n.remaining for n in ob.material_needs(ctx.reader(), r.number))
    )
    window = open_window(qtbot, ops, ctx)
    from ui import forms

    dialog = forms.ConsumeDialog(window.ctx, ops, window.lookups, number, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.proposal.rowCount() > 0, timeout=10_000)
    needs = dialog.needs
    row = next(i for i, n in enumerate(needs) if n.remaining)
    dialog.proposal.selectRow(row)
    qtbot.waitUntil(lambda: dialog.batch.text() != "", timeout=10_000)
    qtbot.waitUntil(lambda: dialog.batch_unit is not None, timeout=10_000)
    assert dialog.ok.isEnabled(), dialog.ok.toolTip()
    assert 0 < float(dialog.quantity.text()) <= float(needs[row].remaining)
    save_screenshot(dialog, "consume-proposal")


def test_the_list_of_every_order_exports_like_every_list(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], tmp_path: Path
) -> None:
    import csv

    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    show_tab(qtbot, window, ORDERS)
    screen = window.orders
    screen.status.setCurrentIndex(screen.status.findData("done"))
    screen.apply_filter()
    wait_loaded(qtbot, window)
    out = tmp_path / "orders.csv"
    done: list[int] = []
    screen.export_csv(out, done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["Order", "Customer", "Product"] and len(rows) == 1 + done[0] == 41
    assert all(row[6] == "done" for row in rows[1:])
