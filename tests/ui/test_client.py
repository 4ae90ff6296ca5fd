"""The client driven through real widgets on the demo plant (offscreen)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QDialog, QTableWidget
from sqlalchemy import text

from app import profiles as pf
from app import queries as q
from app import services as s
from app.context import Context
from app.permissions import PERMISSIONS, Role, allowed
from data.db import open_database
from tests.helpers import queue_numbers
from tests.ui.conftest import save_screenshot
from ui import forms
from ui.main import Client, make_application
from ui.main_window import MainWindow, ScannerFilter
from ui.ops import Ops

SCREENS = ("inventory", "batches", "queue", "events", "customers")


def open_window(qtbot: Any, ops: Ops, ctx: Context) -> MainWindow:
    window = MainWindow(ctx, ops, q.lookups(ctx.reader()))
    qtbot.addWidget(window)
    window.resize(1400, 860)
    window.show()
    wait_loaded(qtbot, window)
    return window


def wait_loaded(qtbot: Any, window: MainWindow) -> None:
    screen = window.tabs.currentWidget()
    if screen is window.board:
        qtbot.waitUntil(lambda: window.board.loaded_once and not window.ops.busy, timeout=10_000)
    else:
        qtbot.waitUntil(lambda: not screen.model.loading and not window.ops.busy, timeout=10_000)


def show_tab(qtbot: Any, window: MainWindow, index: int) -> None:
    window.tabs.setCurrentIndex(index)
    wait_loaded(qtbot, window)


@pytest.fixture
def app_instance(qapp: QApplication) -> QApplication:
    return make_application()


# ---------------------------------------------------------------- signing in


def test_login_dialog_signs_in_and_remembers_in_the_keyring(
    qtbot: Any, app_instance: QApplication, demo_path: Path, _isolated_user_dirs: Any
) -> None:
    client = Client(app_instance, pf.Profile(name="Demo plant", kind="sqlite", path=str(demo_path)), "hint")
    login = client.show_login()
    qtbot.addWidget(login)
    save_screenshot(login, "login")
    login.username.setText("clerk")
    login.password.setText("wrong password")
    login.attempt()
    qtbot.waitUntil(lambda: login.message.isVisible(), timeout=10_000)
    assert login.message.text() == "Sign-in failed: the user name or the password is wrong."
    assert login.isVisible()
    login.password.setText("mpsystem-demo")
    login.remember.setChecked(True)
    login.attempt()
    qtbot.waitUntil(lambda: client.window is not None, timeout=10_000)
    window = client.window
    assert window is not None
    qtbot.addWidget(window)
    assert window.who.text() == "Piotr Wójcik (clerk) · clerk"
    assert str(demo_path) in window.where.text()
    # the password went to the keyring, never to the profiles file
    saved = (Path(pf.config.user_config_dir()) / "profiles.json").read_text()
    assert "mpsystem-demo" not in saved and json.loads(saved)["profiles"][-1]["remember"] is True
    assert _isolated_user_dirs.store and "mpsystem-demo" in _isolated_user_dirs.store.values()
    client.ops.wait()


def test_login_messages_for_locked_uninitialised_and_old_schema(
    qtbot: Any, app_instance: QApplication, ops: Ops, demo_path: Path, tmp_path: Path
) -> None:
    from ui.login import LoginDialog

    dialog = LoginDialog(ops, pf.Profile(name="Demo plant", kind="sqlite", path=str(demo_path)))
    qtbot.addWidget(dialog)
    dialog.username.setText("viewer")
    for _ in range(5):
        dialog.password.setText("nope nope")
        dialog.attempt()
        qtbot.waitUntil(lambda: dialog.sign_in_button.isEnabled(), timeout=10_000)
    dialog.password.setText("mpsystem-demo")
    dialog.attempt()
    qtbot.waitUntil(lambda: "locked" in dialog.message.text(), timeout=10_000)

    empty = pf.Profile(name="Empty", kind="sqlite", path=str(tmp_path / "empty.sqlite3"))
    dialog2 = LoginDialog(ops, empty)
    qtbot.addWidget(dialog2)
    dialog2.username.setText("admin")
    dialog2.password.setText("whatever1")
    dialog2.attempt()
    qtbot.waitUntil(lambda: "not initialised" in dialog2.message.text(), timeout=10_000)
    assert not dialog2.upgrade_button.isVisible()

    # an older schema: an administrator is offered the upgrade and it works
    database = open_database(demo_path)
    from data.migrate import downgrade, head_revision

    downgrade(database, "0001")
    database.dispose()
    dialog3 = LoginDialog(ops, pf.Profile(name="Demo plant", kind="sqlite", path=str(demo_path)))
    qtbot.addWidget(dialog3)
    dialog3.show()
    dialog3.username.setText("admin")
    dialog3.password.setText("mpsystem-demo")
    dialog3.attempt()
    qtbot.waitUntil(lambda: dialog3.upgrade_button.isVisible(), timeout=10_000)
    assert "older than this client" in dialog3.message.text()
    with qtbot.waitSignal(dialog3.signed_in, timeout=20_000):
        dialog3.upgrade_button.click()
    database = open_database(demo_path)
    from data.migrate import current_revision

    assert current_revision(database) == head_revision()
    database.dispose()


def test_profiles_are_added_and_validated(qtbot: Any, app_instance: QApplication, tmp_path: Path) -> None:
    from ui.login import ProfileDialog

    dialog = ProfileDialog(None, pf.load_profiles())
    qtbot.addWidget(dialog)
    dialog.name.setText("Plant server")
    dialog.server.setChecked(True)
    dialog.host.setText("db bad host")
    dialog.save()
    assert "not a host name" in dialog.error.text()
    dialog.host.setText("db.plant.local")
    dialog.sslmode.setCurrentText("verify-full")
    dialog.save()
    assert "choose the CA certificate file" in dialog.error.text()
    ca = tmp_path / "plant ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    dialog.sslrootcert.setText(str(ca))
    # A client certificate whose key the other users of the PC could read is refused, input kept.
    cert, key = tmp_path / "clerk1.crt", tmp_path / "clerk1.key"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    key.chmod(0o644)
    dialog.sslcert.setText(str(cert))
    dialog.save()
    assert "needs both files" in dialog.error.text()
    dialog.sslkey.setText(str(key))
    dialog.save()
    assert "chmod 600" in dialog.error.text() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.sslcert.text() == str(cert) and dialog.host.text() == "db.plant.local"
    key.chmod(0o600)
    save_screenshot(dialog, "profile-tls")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = pf.load_profiles()
    server = next(p for p in saved if p.name == "Plant server")
    assert server.url() == (
        "postgresql+psycopg://db.plant.local:5432/mpsystem?sslmode=verify-full&sslrootcert="
        + str(ca).replace(" ", "%20")
        + f"&sslcert={cert}&sslkey={key}"
    )


def test_machine_wide_profiles_are_preset_and_a_user_may_override_them(_machine_config: Path, tmp_path: Path) -> None:
    preset = {"profiles": [{"name": "Plant server", "kind": "postgresql", "host": "db.plant.local",
                            "database": "mpsystem", "sslmode": "require"}]}  # fmt: skip
    (_machine_config / "profiles.json").write_text(json.dumps(preset))
    profiles = pf.load_profiles()
    assert [p.name for p in profiles] == [pf.LOCAL_NAME, "Plant server"]
    server = profiles[1]
    assert server.managed and server.sslmode == "require"
    # Saving the user's own profiles does not copy the preset into them.
    pf.save_profiles(profiles)
    own = json.loads((Path(pf.config.user_config_dir()) / "profiles.json").read_text())["profiles"]
    assert [p["name"] for p in own] == [pf.LOCAL_NAME]
    # A user's profile of the same name wins.
    changed = pf.upsert(profiles, replace(server, host="db2.plant.local", managed=False), "Plant server")
    pf.save_profiles(changed)
    assert [(p.host, p.managed) for p in pf.load_profiles() if p.name == "Plant server"] == [("db2.plant.local", False)]


# ---------------------------------------------------------------- roles and screens


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
        else:
            assert screen.model.rowCount() > 0, name
        save_screenshot(window, f"{role.label}-{index + 1}-{name}")
    assert window.who.text().endswith(f"· {role.label}")


# ---------------------------------------------------------------- forms


def test_each_table_opens_in_its_default_order_and_the_header_says_so(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    expected = {
        "inventory": ("material_code", False, lambda r: r.material_code),
        "batches": ("received_at", True, lambda r: r.received_at),
        "events": ("occurred_at", True, lambda r: r.occurred_at),
        "customers": ("name", False, lambda r: r.name),
    }
    for index, name in enumerate(SCREENS):
        if name not in expected:
            continue
        show_tab(qtbot, window, index)
        screen = getattr(window, name)
        key, descending, value = expected[name]
        header = screen.table.horizontalHeader()
        assert screen.model.SORT_KEYS[screen.model.Columns(header.sortIndicatorSection())] == key, name
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        assert header.sortIndicatorOrder() == order, name
        values = [value(screen.model.row_at(row)) for row in range(min(50, screen.model.rowCount()))]
        assert len(values) > 10 and values == sorted(values, reverse=descending), name
    # Clicking the header sorts the other way round, in SQL.
    show_tab(qtbot, window, 0)
    window.inventory.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: not window.inventory.model.loading, timeout=10_000)
    codes = [window.inventory.model.row_at(row).material_code for row in range(20)]
    assert codes == sorted(codes, reverse=True)


def test_receive_form_happy_path_and_refusal_keeps_the_form(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.CLERK]
    window = open_window(qtbot, ops, ctx)
    dialog = window.receive()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, forms.ReceiveDialog)
    assert not dialog.ok.isEnabled()  # nothing typed yet
    dialog.number.setText("R-NEW-0001")
    dialog.material.setCurrentText("GR-LDPE-FT5230")
    dialog.supplier.setCurrentText("BASELL")
    dialog.quantity.setText("12.3456")
    assert not dialog.ok.isEnabled() and "at most 3 decimal places" in dialog.ok.toolTip()
    dialog.quantity.setText("1250.5")
    assert dialog.ok.isEnabled()
    save_screenshot(dialog, "form-receive")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    page = q.batches(ctx.reader(), q.BatchFilter(text="R-NEW-0001"))
    assert page.total == 1 and page.rows[0].status == "pending"

    again = window.receive()
    qtbot.addWidget(again)
    again.number.setText("R-NEW-0001")
    again.material.setCurrentText("GR-LDPE-FT5230")
    again.supplier.setCurrentText("BASELL")
    again.quantity.setText("10")
    again.ok.click()
    qtbot.waitUntil(lambda: again.error.isVisible(), timeout=10_000)
    assert "R-NEW-0001 already exists" in again.error.text()
    assert again.isVisible() and again.quantity.text() == "10" and again.number.text() == "R-NEW-0001"
    save_screenshot(again, "form-receive-refused")


def test_transfer_and_adjust_forms(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.CLERK]
    s.receive_batch(
        ctx.uow(), number="R-T-1", material="GR-HDPE-5502", supplier="BASELL", quantity=100, warehouse="MAG-1"
    )
    window = open_window(qtbot, ops, ctx)
    dialog = window.move_stock("transfer")
    qtbot.addWidget(dialog)
    dialog.batch.setText("R-T-1")
    dialog.source.setCurrentText("MAG-1")
    dialog.target.setCurrentText("MAG-1")
    assert not dialog.ok.isEnabled() and "already there" in dialog.ok.toolTip()
    dialog.target.setCurrentText("MAG-3")
    dialog.quantity.setText("150")
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "has only 100 kg in MAG-1" in dialog.error.text()
    dialog.quantity.setText("40")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    adjust = window.move_stock("adjust")
    qtbot.addWidget(adjust)
    adjust.batch.setText("R-T-1")
    adjust.source.setCurrentText("MAG-3")
    adjust.quantity.setText("-2.5")
    assert not adjust.ok.isEnabled()  # a reason is required
    adjust.reason.setText("Cycle count")
    with qtbot.waitSignal(adjust.succeeded, timeout=10_000):
        adjust.ok.click()
    row = q.batches(ctx.reader(), q.BatchFilter(text="R-T-1")).rows[0]
    assert row.quantity == Decimal("97.5") and row.locations == "MAG-1, MAG-3"


def test_block_and_approve_from_the_batches_screen(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.MANAGER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 1)
    window.batches.search.setText("R2611")
    window.batches.status.setCurrentIndex(window.batches.status.findData("pending"))
    window.batches.apply_filter()
    wait_loaded(qtbot, window)
    window.batches.table.selectRow(0)
    batch = window.batches.current_row()
    assert batch is not None and batch.status == "pending"
    dialog = window.block_batch()
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    dialog.reason.setText("Colour deviation")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    assert q.batches(ctx.reader(), q.BatchFilter(text=batch.number)).rows[0].status == "blocked"


def test_customer_form_and_order_form(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_window(qtbot, ops, ctx)
    dialog = window.new_customer()
    qtbot.addWidget(dialog)
    dialog.code.setText("C-900")
    dialog.name.setText("Zakłady Mięsne Łuków")
    dialog.email.setText("not-an-email")
    assert not dialog.ok.isEnabled() and "not an e-mail" in dialog.ok.toolTip()
    dialog.email.setText("biuro@lukow.example")
    save_screenshot(dialog, "form-customer")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    assert q.customers(ctx.reader(), q.CustomerFilter(text="Łuków")).total == 1

    order = window.new_order()
    qtbot.addWidget(order)
    order.customer.setCurrentText("C-900")
    order.spec.setText("PE 50 µm natural 1200 mm")
    order.quantity.setText("2500")
    order.unit.setCurrentText("pcs")
    order.quantity.setText("2500.5")
    assert not order.ok.isEnabled()
    order.unit.setCurrentText("kg")
    with qtbot.waitSignal(order.succeeded, timeout=10_000):
        order.ok.click()
    assert q.orders(ctx.reader(), q.OrderFilter(customer="C-900")).total == 1


# ---------------------------------------------------------------- the planning board


def drop(model: Any, source: Any, row: int, target_row: int) -> bool:
    """What the view does on a drop: the source's mime data into the target model."""
    data = source.mimeData([source.index(row)])
    return bool(model.dropMimeData(data, Qt.DropAction.MoveAction, target_row, 0, QModelIndex()))


def test_drag_and_drop_plans_and_reorders(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 2)
    board = window.board
    extruder = board.queues["EXTRUDER-1"]
    kg_row = next(i for i in range(board.backlog.rowCount()) if board.backlog.order_at(i).unit == "kg")
    number = board.backlog.order_at(kg_row).number
    before = queue_numbers(ctx.database, "EXTRUDER-1")

    with qtbot.waitSignal(board.message, timeout=10_000):
        assert drop(extruder, board.backlog, kg_row, 2)  # between the 2nd and 3rd order
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    after = queue_numbers(ctx.database, "EXTRUDER-1")
    assert after == before[:2] + [number] + before[2:]
    assert [extruder.order_at(i).number for i in range(extruder.rowCount())] == after

    # along the line: to the end
    row = after.index(number)
    with qtbot.waitSignal(board.message, timeout=10_000):
        assert drop(extruder, extruder, row, extruder.rowCount())
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    assert queue_numbers(ctx.database, "EXTRUDER-1")[-1] == number

    # to another line, then back to the backlog
    other = board.queues["EXTRUDER-2"]
    last = extruder.rowCount() - 1
    with qtbot.waitSignal(board.message, timeout=10_000):
        assert drop(other, extruder, last, 1)
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    assert queue_numbers(ctx.database, "EXTRUDER-2")[1] == number
    with qtbot.waitSignal(board.message, timeout=10_000):
        assert drop(board.backlog, other, 1, 0)
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    assert number not in queue_numbers(ctx.database, "EXTRUDER-2")
    assert any(board.backlog.order_at(i).number == number for i in range(board.backlog.rowCount()))
    save_screenshot(window, "board-after-drops")


def test_a_drop_that_collides_with_another_planner_reloads(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 2)
    board = window.board
    extruder = board.queues["EXTRUDER-1"]
    stale = extruder.order_at(2)
    # another planner moves the same order first
    s.move_order(demo_contexts[Role.ADMIN].uow(), number=stale.number, line="EXTRUDER-1", position=5)
    messages: list[str] = []
    board.message.connect(messages.append)
    drop(extruder, extruder, 2, 1)
    qtbot.waitUntil(lambda: bool(messages) and not ops.busy, timeout=10_000)
    assert "was changed by admin" in messages[0] and "nothing was overwritten" in messages[0]
    assert [extruder.order_at(i).number for i in range(extruder.rowCount())] == queue_numbers(
        ctx.database, "EXTRUDER-1"
    )


def test_board_actions_follow_the_selected_order(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.PLANNER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 2)
    view = window.board.queue_views["EXTRUDER-1"]
    view.setCurrentIndex(view.model().index(0))  # the running order
    assert window.actions_by_name["finish"].isEnabled()
    assert not window.actions_by_name["start"].isEnabled()
    view.setCurrentIndex(view.model().index(1))
    assert not window.actions_by_name["start"].isEnabled()  # the line is busy until its running order finishes
    assert window.actions_by_name["unplan"].isEnabled()
    assert window.actions_by_name["optimise"].isEnabled()


# ---------------------------------------------------------------- keyboard, scanner, export, journal


def test_scanner_opens_the_scanned_batch(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.CLERK]
    window = open_window(qtbot, ops, ctx)
    number = q.batches(ctx.reader(), limit=1).rows[0].number
    ticks = iter(i * 0.01 for i in range(1000))
    window.scanner.clock = lambda: next(ticks)  # a scanner types a key every 10 ms
    from PySide6.QtTest import QTest

    handle = window.windowHandle()
    keys = {"-": Qt.Key.Key_Minus, ".": Qt.Key.Key_Period, "/": Qt.Key.Key_Slash}
    for ch in number:  # as a scanner types: into the window, one key at a time
        QTest.keyClick(handle, keys.get(ch, Qt.Key(ord(ch.upper()))))
    QTest.keyClick(handle, Qt.Key.Key_Return)
    assert window.tabs.currentWidget() is window.batches
    qtbot.waitUntil(lambda: window.batches.model.rowCount() == 1 and not ops.busy, timeout=10_000)
    assert window.batches.model.row_at(0).number == number
    assert window.batches.search.text().upper() == number


def test_people_typing_is_not_a_scan() -> None:
    times = iter([0.0, 0.3, 0.6, 0.9, 1.2, 1.5])
    scanner = ScannerFilter(clock=lambda: next(times))
    seen: list[str] = []
    scanner.scanned.connect(seen.append)
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    for ch in "B123":
        scanner.eventFilter(scanner, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, ch))
    scanner.eventFilter(scanner, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier))
    assert seen == []


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


def test_export_csv_writes_the_filtered_view(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], tmp_path: Path
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    show_tab(qtbot, window, 4)
    out = tmp_path / "customers.csv"
    counts: list[int] = []
    window.customers.export_csv(out, counts.append)
    qtbot.waitUntil(lambda: bool(counts), timeout=10_000)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Code,Name,Contact")
    assert len(lines) - 1 == counts[0] == window.customers.model.rowCount()
    assert any("ТОВ «Львівпак»" in line for line in lines)


def test_events_double_click_opens_the_batch(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.VIEWER]
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 3)
    event = q.events(ctx.reader(), q.EventFilter(entity_type="batch", action="received"), limit=1).rows[0]
    window.open_event(event)
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.batches, timeout=10_000)
    wait_loaded(qtbot, window)
    number = q.entity_key(ctx.reader(), "batch", event.entity_id or 0)
    assert window.batches.model.rowCount() == 1 and window.batches.model.row_at(0).number == number


def test_trace_dialog_shows_the_genealogy(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.VIEWER]
    with ctx.database.engine.connect() as conn:
        number = conn.execute(
            text("SELECT number FROM batches WHERE production_order_id IS NOT NULL ORDER BY number LIMIT 1")
        ).scalar_one()
    window = open_window(qtbot, ops, ctx)
    window._trace(number)
    qtbot.waitUntil(lambda: hasattr(window, "trace_dialog"), timeout=10_000)
    labels = window.trace_dialog.labels()
    assert labels[0] == "Where it came from" and any(label.startswith("Order PO-") for label in labels)
    assert any(label.startswith("Supplier ") for label in labels)
    save_screenshot(window.trace_dialog, "trace")


def test_column_layout_is_remembered_per_user(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.VIEWER]
    window = open_window(qtbot, ops, ctx)
    window.inventory.table.setColumnWidth(3, 333)
    window.close()
    again = open_window(qtbot, ops, ctx)
    assert again.inventory.table.columnWidth(3) == 333


def test_issue_form_refuses_a_pending_batch_and_keeps_the_input(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    ctx = demo_contexts[Role.CLERK]
    s.receive_batch(
        ctx.uow(), number="R-I-1", material="GR-HDPE-5502", supplier="BASELL", quantity=50, warehouse="MAG-1"
    )
    window = open_window(qtbot, ops, ctx)
    dialog = window.move_stock("issue")
    qtbot.addWidget(dialog)
    dialog.batch.setText("R-I-1")
    dialog.source.setCurrentText("MAG-1")
    dialog.quantity.setText("5")
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "is pending; only approved batches may be issued" in dialog.error.text()
    assert dialog.batch.text() == "R-I-1" and dialog.quantity.text() == "5"
    s.approve_batch(demo_contexts[Role.MANAGER].uow(), batch="R-I-1")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    assert q.batches(ctx.reader(), q.BatchFilter(text="R-I-1")).rows[0].quantity == 45


def test_running_an_order_from_the_board(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    ctx = demo_contexts[Role.PLANNER]
    s.receive_batch(
        ctx.uow(), number="R-C-1", material="GR-LDPE-FT5230", supplier="BASELL", quantity=500, warehouse="MAG-3"
    )
    s.approve_batch(demo_contexts[Role.MANAGER].uow(), batch="R-C-1")
    window = open_window(qtbot, ops, ctx)
    show_tab(qtbot, window, 2)
    view = window.board.queue_views["EXTRUDER-1"]
    view.setCurrentIndex(view.model().index(0))
    running = window.board.selected
    assert running is not None and running.status == "in_progress"
    consume = window.consume()
    qtbot.addWidget(consume)
    consume.batch.setText("R-C-1")
    consume.warehouse.setCurrentText("MAG-3")
    consume.quantity.setText("600")
    consume.ok.click()
    qtbot.waitUntil(lambda: consume.error.isVisible(), timeout=10_000)
    assert "has only 500 kg in MAG-3" in consume.error.text()
    consume.quantity.setText("450")
    with qtbot.waitSignal(consume.succeeded, timeout=10_000):
        consume.ok.click()
    output = window.output()
    qtbot.addWidget(output)
    output.material.setCurrentText("FILM-PE-50")
    output.quantity.setText("430")
    output.warehouse.setCurrentText("MAG-5")
    with qtbot.waitSignal(output.succeeded, timeout=10_000):
        output.ok.click()
    produced = q.batches(ctx.reader(), q.BatchFilter(text=running.number + "-"), sort="number").rows
    assert any(b.quantity == 430 and b.status == "pending" for b in produced)
    back, _forward = s.trace_batch(ctx.reader(), number=produced[-1].number)
    assert any(child.key == "R-C-1" for child in back.children[0].children)


def test_inventory_drill_down_and_customer_orders(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    from ui.dialogs import OrdersDialog
    from ui.screens import BatchesBehindDialog

    ctx = demo_contexts[Role.MANAGER]
    window = open_window(qtbot, ops, ctx)
    row = window.inventory.model.row_at(0)
    assert row is not None
    window.inventory.show_batches(row)
    qtbot.waitUntil(lambda: window.inventory.findChild(BatchesBehindDialog) is not None, timeout=10_000)
    drill = window.inventory.findChild(BatchesBehindDialog)
    table = drill.findChild(QTableWidget, "batchesBehind")
    assert table.rowCount() == row.batch_count
    show_tab(qtbot, window, 4)
    window.customers.table.selectRow(0)
    customer = window.customers.current_row()
    window.customer_orders()
    qtbot.waitUntil(lambda: window.findChild(OrdersDialog) is not None, timeout=10_000)
    dialog = window.findChild(OrdersDialog)
    assert dialog.table.rowCount() == customer.total_orders
    window.archive_customer()
    qtbot.waitUntil(lambda: not ops.busy and window.customers.model.rowCount() == 46, timeout=10_000)
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
    again = window._edit_customer_row(fresh)
    qtbot.addWidget(again)
    again.phone.setText("+48 22 555 01 02")
    with qtbot.waitSignal(again.succeeded, timeout=10_000):
        again.ok.click()
    assert q.customers(ctx.reader(), q.CustomerFilter(text=row.code)).rows[0].phone == "+48 22 555 01 02"


def exact_order(ctx: Context, number: str) -> Any:
    return next(r for r in q.orders(ctx.reader(), q.OrderFilter(text=number)).rows if r.number == number)


def test_edit_order_from_the_board_then_a_manager_cancels_it(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    planner = open_window(qtbot, ops, demo_contexts[Role.PLANNER])
    show_tab(qtbot, planner, 2)
    backlog = planner.board.backlog_view
    backlog.setCurrentIndex(backlog.model().index(0))
    order = planner.board.selected
    assert order is not None and order.status == "new"
    assert planner.actions_by_name["edit_order"].isEnabled()
    assert not planner.actions_by_name["cancel_order"].isEnabled()  # cancelling is a manager's decision
    edit = planner.edit_order()
    qtbot.addWidget(edit)
    assert edit.spec.text() == order.product_spec
    edit.quantity.setText("-5")
    assert not edit.ok.isEnabled()
    edit.quantity.setText("1234")
    edit.priority.setValue(1)
    with qtbot.waitSignal(edit.succeeded, timeout=10_000):
        edit.ok.click()
    saved = exact_order(planner.ctx, order.number)
    assert (saved.quantity, saved.priority, saved.version) == (Decimal(1234), 1, order.version + 1)

    manager = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    show_tab(qtbot, manager, 2)
    view = manager.board.backlog_view
    row = next(r for r in range(view.model().rowCount()) if view.model().order_at(r).number == order.number)
    view.setCurrentIndex(view.model().index(row))
    assert manager.actions_by_name["cancel_order"].isEnabled()
    cancel = manager.cancel_order()
    qtbot.addWidget(cancel)
    assert not cancel.ok.isEnabled()  # a reason is required
    cancel.reason.setText("Customer withdrew the order")
    with qtbot.waitSignal(cancel.succeeded, timeout=10_000):
        cancel.ok.click()
    cancelled = exact_order(planner.ctx, order.number)
    assert cancelled.status == "cancelled"
    qtbot.waitUntil(lambda: not ops.busy and manager.board.loaded_once, timeout=10_000)
    numbers = [view.model().order_at(r).number for r in range(view.model().rowCount())]
    assert order.number not in numbers


# ---------------------------------------------------------------- what the issue on bad input and files asked


def test_a_password_longer_than_bcrypt_reads_gets_the_plain_message(
    qtbot: Any, app_instance: QApplication, ops: Ops, demo_path: Path
) -> None:
    """Hole: a password longer than 72 bytes at SQLite sign-in ended in a traceback."""
    from ui.login import LoginDialog

    dialog = LoginDialog(ops, pf.Profile(name="Demo plant", kind="sqlite", path=str(demo_path)))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText("clerk")
    dialog.password.setText("mpsystem-demo" + "ż" * 40)
    dialog.attempt()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10_000)
    assert dialog.message.text() == "Sign-in failed: the user name or the password is wrong."
    assert dialog.isVisible() and dialog.username.text() == "clerk"


def test_a_new_server_connection_verifies_the_server_and_require_stays_choosable(
    qtbot: Any, app_instance: QApplication
) -> None:
    """Hole: new server profiles defaulted to sslmode=prefer."""
    from ui.login import ProfileDialog

    dialog = ProfileDialog(None, pf.load_profiles())
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.server.isChecked() and dialog.sslmode.currentText() == "verify-full"
    assert [dialog.sslmode.itemText(i) for i in range(dialog.sslmode.count())] == list(pf.SSL_MODES)
    dialog.name.setText("Plant server")
    dialog.host.setText("db.plant.local")
    save_screenshot(dialog, "profile-new-verify-full")
    dialog.save()
    assert "choose the CA certificate file" in dialog.error.text()  # verify-full needs the plant's CA
    dialog.sslmode.setCurrentText("require")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert next(p for p in pf.load_profiles() if p.name == "Plant server").sslmode == "require"


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
    import csv

    with out.open(encoding="utf-8-sig", newline="") as exported:
        row = next(r for r in csv.reader(exported) if r and r[0] == "C-EVIL")
    assert row[1] == "'" + formula and "'+48 22 555 01 02" in row


def test_interface_settings_are_this_users_only(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    """The interface.ini the client writes is 0600, in a 0700 folder."""
    import stat

    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    window.inventory.table.setColumnWidth(2, 222)
    window.close()
    ini = pf.config.user_config_dir() / "interface.ini"
    assert ini.exists() and ini.stat().st_size > 0
    assert stat.S_IMODE(ini.stat().st_mode) == 0o600
    assert stat.S_IMODE(ini.parent.stat().st_mode) == 0o700
