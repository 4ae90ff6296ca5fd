"""Labels and reports from the client: parameters, preview, print, save, roles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from app.context import Context
from app.permissions import Role
from reports.registry import REPORTS, Kind
from tests.ui.conftest import open_window, save_screenshot, show_tab, wait_loaded
from ui.ops import Ops
from ui.printing import PreviewDialog


def _shown_preview(window: Any) -> PreviewDialog | None:
    return next((p for p in window.findChildren(PreviewDialog) if p.isVisible()), None)


def _wait_preview(qtbot: Any, window: Any) -> PreviewDialog:
    qtbot.waitUntil(lambda: _shown_preview(window) is not None, timeout=30_000)
    preview = _shown_preview(window)
    assert preview is not None
    return preview


def test_labels_for_the_selected_batches(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], tmp_path: Path
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.CLERK])
    show_tab(qtbot, window, 1)
    window.batches.table.selectRow(0)
    window.batches.table.selectionModel().select(
        window.batches.model.index(1, 0),
        window.batches.table.selectionModel().SelectionFlag.Select
        | window.batches.table.selectionModel().SelectionFlag.Rows,
    )
    numbers = [r.number for r in window.batches.selected_rows()]
    assert len(numbers) == 2
    dialog = window.batches.print_labels()
    qtbot.addWidget(dialog)
    dialog.sheet.setChecked(True)
    with qtbot.waitSignal(dialog.succeeded, timeout=20_000):
        dialog.ok.click()
    preview = _wait_preview(qtbot, window)
    assert preview.document.pageCount() == 1  # both on one A4 sheet
    text = PdfReader(str(preview.path)).pages[0].extract_text()
    assert all(n in text for n in numbers)
    save_screenshot(preview, "labels-preview")
    saved = tmp_path / "saved.pdf"
    preview.save_to(saved)
    assert saved.read_bytes() == preview.path.read_bytes()


def test_labels_need_a_selection_and_a_clerk(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.CLERK])
    show_tab(qtbot, window, 1)
    window.batches.table.clearSelection()
    assert window.batches.print_labels() is None
    assert "Select the batches" in window.statusBar().currentMessage()
    viewer = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    action = viewer.actions_by_name["print_labels"]
    assert not action.isEnabled() and action.toolTip() == "Only a clerk or above may print batch labels."


@pytest.mark.parametrize("kind", ["inventory", "plan", "trace", "events", "customer"])
def test_each_report_from_the_menu(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], kind: str, tmp_path: Path
) -> None:
    ctx = demo_contexts[Role.MANAGER]
    window = open_window(qtbot, ops, ctx)
    if kind == "trace":
        show_tab(qtbot, window, 1)
        window.batches.table.selectRow(0)
    if kind == "customer":
        show_tab(qtbot, window, 4)
        window.customers.table.selectRow(0)
    dialog = window.reports.open_report(kind)
    qtbot.addWidget(dialog)
    if kind == "trace":
        assert dialog.fields["batch"].text() == window.batches.current_row().number
    if kind == "events":
        dialog.fields["date_from"].enabled.setChecked(False)
    with qtbot.waitSignal(dialog.succeeded, timeout=30_000):
        dialog.ok.click()
    preview = _wait_preview(qtbot, window)
    pages = len(PdfReader(str(preview.path)).pages)
    assert preview.document.pageCount() == pages >= 1
    save_screenshot(preview, f"report-{kind}")
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    assert preview.print_to(printer) == pages
    assert len(PdfReader(str(printed)).pages) == pages


def test_reports_follow_the_roles(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    actions = window.actions_by_name
    assert actions["report_inventory"].isEnabled() and actions["report_plan"].isEnabled()
    for kind in ("trace", "events", "customer"):
        assert not actions[f"report_{kind}"].isEnabled()
        assert actions[f"report_{kind}"].toolTip() == "Only a manager or above may print every report."


def test_an_unknown_batch_is_said_in_the_dialog(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    dialog = window.reports.open_report("trace")
    qtbot.addWidget(dialog)
    dialog.fields["batch"].setText("NOPE-404")
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert dialog.error.text() == "There is no batch “NOPE-404”." and dialog.isVisible()
    wait_loaded(qtbot, window)


def test_each_report_dialog_asks_for_its_registry_parameters(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.MANAGER])
    for report in REPORTS:
        dialog = window.reports.open_report(report.key)
        qtbot.addWidget(dialog)
        expected = []
        for param in report.parameters:
            expected += [f"{param.name}_from", f"{param.name}_to"] if param.kind is Kind.DATE_RANGE else [param.name]
        assert list(dialog.fields) == expected, report.key
        assert dialog.windowTitle() == report.title
        missing = next((p for p in report.parameters if p.required), None)
        if missing is not None:  # nothing chosen yet: the form says what it needs
            assert not dialog.ok.isEnabled() and missing.label.lower() in dialog.ok.toolTip()
        else:
            assert dialog.ok.isEnabled()
        save_screenshot(dialog, f"report-dialog-{report.key}")
        dialog.reject()
    events = window.reports.open_report("events")
    qtbot.addWidget(events)
    events.fields["date_to"].edit.setDate(events.fields["date_from"].edit.date().addDays(-1))
    assert not events.ok.isEnabled() and events.ok.toolTip() == "The date range ends before it starts."
    events.fields["user"].setText("clerk")
    events.fields["date_from"].enabled.setChecked(False)
    assert events.values() == {"date": (None, events.fields["date_to"].value()), "user": "clerk", "entity": None,
                               "action": None, "text": None}  # fmt: skip


def test_the_workstation_says_where_its_labels_go(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], tmp_path: Path
) -> None:
    from ui.workstation import LabelDestination, label_output

    window = open_window(qtbot, ops, demo_contexts[Role.CLERK])
    dialog = window.label_settings()
    qtbot.addWidget(dialog)
    assert dialog.choices[LabelDestination.PREVIEW].isChecked()  # until someone says otherwise
    dialog.choices[LabelDestination.FOLDER].setChecked(True)
    assert not dialog.ok.isEnabled() and dialog.ok.toolTip() == "Choose the folder."
    dialog.folder.setText(str(tmp_path / "hot"))
    save_screenshot(dialog, "labels-at-this-workstation")
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.ok.click()
    assert label_output().destination is LabelDestination.FOLDER and label_output().folder == str(tmp_path / "hot")
    viewer = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    assert not viewer.actions_by_name["workstation"].isVisible()  # a viewer prints no labels


def test_labels_follow_the_plants_label_settings(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context], tmp_path: Path
) -> None:
    """The plant prints ZPL on thermal printers: a label sent from here is a .zpl file in the workstation's folder."""
    from app import queries as q
    from app.settings import PlantSettings
    from ui.printing import LabelSender
    from ui.workstation import LabelDestination, LabelOutput

    ctx = demo_contexts[Role.CLERK]
    window = open_window(qtbot, ops, ctx)
    number = q.batches(ctx.reader(), limit=1).rows[0].number
    sender = LabelSender(ctx, ops, window, lambda: PlantSettings(label_printer="zpl"))
    said: list[str] = []
    sender.sent.connect(said.append)
    sender.send([number], LabelOutput(LabelDestination.FOLDER, folder=str(tmp_path)))
    qtbot.waitUntil(lambda: bool(said), timeout=20_000)
    label = tmp_path / f"{number}.zpl"
    assert said == [f"Label for {number} saved to {label}"]
    assert label.read_text(encoding="utf-8").startswith("^XA") and number in label.read_text(encoding="utf-8")
