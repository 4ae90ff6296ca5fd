"""Labels and reports in the client: parameters, generation off the GUI thread with progress,
an in-app preview, printing through the system print dialog, and saving as PDF."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QPointF, QRectF, QSize, QSizeF, Signal
from PySide6.QtGui import QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app import reporting
from app.context import Context
from app.settings import PlantSettings
from domain.vocabulary import LabelLayout, LabelPrinter
from reports.labels import labels_pdf, labels_zpl
from reports.registry import CONTEXT, PICKED, REPORTS, Kind, Parameter, Report, by_key, day_range
from ui.forms import OptionalDate, line
from ui.lookups import CodeFilter, CodePicker, LiveLookups
from ui.ops import Ops, message_for
from ui.screen import Host, Menu, Screen
from ui.widgets import FormDialog
from ui.workstation import LabelDestination, LabelOutput, label_output, save_label_output


class _Progress(QObject):
    """Carries 'rows done' from the worker to the progress dialog (a queued signal)."""

    advanced = Signal(int)


def _temp_pdf(stem: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="mpsystem-"))
    return folder / f"{stem}.pdf"


class PreviewDialog(QDialog):
    """A finished PDF: look at it, print it, or save it."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(960, 820)
        self.path = path
        self.document = QPdfDocument(self)
        self.document.load(str(path))
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        pages = self.document.pageCount()
        info = QLabel(f"{pages} page{'s' if pages != 1 else ''}", self)
        print_button = QPushButton("Print…", self)
        print_button.setShortcut("Ctrl+P")
        print_button.clicked.connect(self.ask_print)
        save_button = QPushButton("Save as PDF…", self)
        save_button.setShortcut("Ctrl+S")
        save_button.clicked.connect(self.ask_save)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        bar = QHBoxLayout()
        bar.addWidget(info, 1)
        bar.addWidget(print_button)
        bar.addWidget(save_button)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)

    def ask_save(self) -> None:
        target, _ = QFileDialog.getSaveFileName(self, "Save as PDF", self.path.name, "PDF files (*.pdf)")
        if target:
            self.save_to(Path(target))

    def save_to(self, target: Path) -> None:
        try:
            shutil.copyfile(self.path, target)
        except OSError as exc:
            QMessageBox.warning(self, "MPSYSTEM", f"Could not save {target}: {exc.strerror}.")

    def ask_print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        """Render every page at the printer's resolution; returns the pages sent."""
        sent = print_pdf(self.document, printer)
        if sent == 0 and self.document.pageCount():
            QMessageBox.warning(self, "MPSYSTEM", "The printer could not be opened.")
        return sent


def print_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Render every page of a PDF at the printer's resolution; returns the pages sent (0: no printer)."""
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    sent = 0
    try:
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            area = printer.pageRect(QPrinter.Unit.DevicePixel)
            points = document.pagePointSize(page)
            scale = min(area.width() / points.width(), area.height() / points.height())
            size = QSize(int(points.width() * scale), int(points.height() * scale))
            image = document.render(page, size)
            painter.drawImage(QRectF(QPointF(0, 0), size.toSizeF()), image)
            sent += 1
    finally:
        painter.end()
    return sent


def run_with_progress(
    parent: QWidget,
    ops: Ops,
    title: str,
    total: int | None,
    make: Callable[[Callable[[int], None]], Path],
    done: Callable[[Path], None],
) -> QProgressDialog:
    """Generate on a worker; the progress dialog counts rows and never blocks the window."""
    relay = _Progress(parent)
    dialog = QProgressDialog(f"Preparing {title.lower()}…", "", 0, total or 0, parent)
    dialog.setWindowTitle(title)
    dialog.setCancelButton(None)  # reportlab cannot stop halfway; the job is short or streams
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(True)
    relay.advanced.connect(dialog.setValue)

    def finished(path: Path) -> None:
        dialog.reset()
        relay.deleteLater()
        done(path)

    def failed(exc: Exception) -> None:
        dialog.reset()
        relay.deleteLater()
        QMessageBox.warning(parent, "MPSYSTEM", message_for(exc))

    ops.run(lambda: make(relay.advanced.emit), finished, failed)
    return dialog


class LabelsDialog(FormDialog):
    """Labels for the selected batches: one per page, A4 sheets, or ZPL for a thermal printer."""

    def __init__(
        self,
        ctx: Context,
        ops: Ops,
        numbers: list[str],
        parent: QWidget | None = None,
        defaults: PlantSettings | None = None,
    ) -> None:
        super().__init__(f"Print labels for {len(numbers)} batch{'es' if len(numbers) != 1 else ''}", ops, parent)
        self.ctx, self.numbers = ctx, numbers
        self.single = QRadioButton("PDF, one 100 × 50 mm label per page", self)
        self.sheet = QRadioButton("PDF, ten labels to an A4 sheet", self)
        self.zpl = QRadioButton("ZPL file for a thermal printer", self)
        # The plant's label defaults (Administration → Plant settings…) choose where the form starts.
        plant = defaults or PlantSettings()
        if plant.label_printer == LabelPrinter.ZPL:
            self.zpl.setChecked(True)
        elif plant.label_layout == LabelLayout.SHEET:
            self.sheet.setChecked(True)
        else:
            self.single.setChecked(True)
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in (self.single, self.sheet, self.zpl):
            layout.addWidget(button)
        self.add("format", "Format", box)
        self.ok.setText("Prepare")
        self.result_path: Path | None = None
        self.revalidate()

    def check(self) -> str | None:
        return None if self.numbers else "Select at least one batch."

    def action(self) -> Callable[[], Any]:
        ctx, numbers, sheet, zpl = self.ctx, list(self.numbers), self.sheet.isChecked(), self.zpl.isChecked()

        def make() -> Path:
            labels = reporting.batch_labels(ctx, numbers)
            if zpl:
                path = _temp_pdf("labels").with_suffix(".zpl")
                path.write_text(labels_zpl(labels), encoding="utf-8")
            else:
                path = _temp_pdf("labels")
                labels_pdf(labels, str(path), sheet=sheet)
            self.result_path = path
            return path

        return make


class LabelSender(QObject):
    """Labels of batches just received or chosen, sent where this workstation prints labels (ui/workstation.py):
    a preview, the label printer, or a file per label into a folder. What they are made as follows the plant's
    label settings: PDF (a label a page, or A4 sheets) or ZPL for a thermal printer."""

    sent = Signal(str)  # what became of the labels, for the status bar

    def __init__(
        self, ctx: Context, ops: Ops, parent: QWidget, plant: Callable[[], PlantSettings] = PlantSettings
    ) -> None:
        super().__init__(parent)
        self.ctx, self.ops, self.window, self.plant = ctx, ops, parent, plant
        self.preview: PreviewDialog | None = None

    def send(self, numbers: list[str], output: LabelOutput | None = None) -> None:
        where = output or label_output()
        ctx, defaults = self.ctx, self.plant()
        zpl = defaults.label_printer == LabelPrinter.ZPL
        sheet = defaults.label_layout == LabelLayout.SHEET

        def make() -> Path:
            labels = reporting.batch_labels(ctx, numbers)
            path = _temp_pdf("labels")
            if zpl:
                path = path.with_suffix(".zpl")
                path.write_text(labels_zpl(labels), encoding="utf-8")
            else:
                labels_pdf(labels, str(path), sheet=sheet)
            return path

        self.ops.run(
            make,
            lambda path: self._deliver(numbers, path, where),
            lambda exc: self.sent.emit(self.tr("The label could not be prepared: {0}").format(message_for(exc))),
        )

    def _deliver(self, numbers: list[str], path: Path, output: LabelOutput) -> None:
        named = ", ".join(numbers)
        if output.destination is LabelDestination.FOLDER and output.folder:
            name = f"{numbers[0]}{path.suffix}" if len(numbers) == 1 else path.name
            target = Path(output.folder).expanduser() / name
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            except OSError as exc:
                self.sent.emit(self.tr("The label could not be saved to {0}: {1}.").format(target, exc.strerror))
                return
            self.sent.emit(self.tr("Label for {0} saved to {1}").format(named, target))
        elif path.suffix == ".zpl":
            # ZPL goes to a thermal printer as it is: through a folder its print server watches.
            self.sent.emit(
                self.tr(
                    "The plant's labels are ZPL: choose a folder for this workstation's labels "
                    "(File → Labels at this workstation…); label {0} was not printed."
                ).format(named)
            )
        elif output.destination is LabelDestination.PRINTER and output.printer:
            document = QPdfDocument(self)
            document.load(str(path))
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setPrinterName(output.printer)
            if path.suffix == ".pdf" and document.pageCount() and document.pagePointSize(0).width() < 400:
                printer.setPageSize(QPageSize(QSizeF(100, 50), QPageSize.Unit.Millimeter))  # a label, not a sheet
            printer.setFullPage(True)
            pages = print_pdf(document, printer)
            document.deleteLater()
            if pages:
                self.sent.emit(self.tr("Label for {0} sent to {1}").format(named, output.printer))
            else:
                self.sent.emit(self.tr("The label printer {0} could not be opened.").format(output.printer))
        else:
            self.preview = PreviewDialog(path, self.tr("Label for {0}").format(named), self.window)
            self.preview.open()
            self.sent.emit(self.tr("Label for {0} ready to print").format(named))


class LabelOutputDialog(FormDialog):
    """Where this workstation's labels go: a preview, its label printer, or a PDF per label into a folder."""

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(QCoreApplication.translate("LabelOutputDialog", "Labels at this workstation"), ops, parent)
        now = label_output()
        self.choices: dict[LabelDestination, QRadioButton] = {}
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        for destination in LabelDestination:
            button = QRadioButton(QCoreApplication.translate("LabelDestination", destination.label), box)
            button.setChecked(destination is now.destination)
            button.toggled.connect(lambda _on: self.revalidate())
            column.addWidget(button)
            self.choices[destination] = button
        self.add("destination", self.tr("Labels go"), box)
        self.printer = self.add("printer", self.tr("Label printer"), QComboBox(self))
        self.printer.addItems(QPrinterInfo.availablePrinterNames())
        self.printer.setEditable(True)
        self.printer.setCurrentText(now.printer)
        folder_row = QWidget(self)
        row = QHBoxLayout(folder_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.folder = line(now.folder, self.tr("a folder the print server watches, or a shared drive"))
        browse = QPushButton(self.tr("Browse…"), folder_row)
        browse.clicked.connect(self._browse)
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.add("folder", self.tr("Folder"), folder_row)
        self.folder.textChanged.connect(lambda _t: self.revalidate())
        self.ok.setText(self.tr("Save"))
        self.revalidate()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Folder for labels"), self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def chosen(self) -> LabelOutput:
        destination = next((d for d, b in self.choices.items() if b.isChecked()), LabelDestination.PREVIEW)
        return LabelOutput(destination, self.printer.currentText().strip(), self.folder.text().strip())

    def check(self) -> str | None:
        output = self.chosen()
        if output.destination is LabelDestination.PRINTER and not output.printer:
            return self.tr("Choose the label printer.")
        if output.destination is LabelDestination.FOLDER and not output.folder:
            return self.tr("Choose the folder.")
        return None

    def action(self) -> Callable[[], Any]:
        output = self.chosen()
        return lambda: save_label_output(output)


def words(text: str) -> str:
    """A report's title, label or hint from the registry, in the user's language."""
    return QCoreApplication.translate(CONTEXT, text)


TABLES: dict[Kind, str] = {Kind.WAREHOUSE: "warehouses", Kind.LINE: "lines", Kind.CUSTOMER: "customers"}


class ReportDialog(FormDialog):
    """The parameters of one report, one field per parameter of its registry entry."""

    def __init__(
        self,
        report: Report,
        ctx: Context,
        ops: Ops,
        lookups: LiveLookups,
        presets: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(words(report.title), ops, parent)
        self.report, self.ctx, self.lookups = report, ctx, lookups
        self.ok.setText(self.tr("Prepare"))
        for param in report.parameters:
            self._add_field(param, (presets or {}).get(param.name, ""))
        self.revalidate()

    def _add_field(self, param: Parameter, preset: str) -> None:
        label, hint = words(param.label), words(param.hint) if param.hint else ""
        if param.kind is Kind.DATE_RANGE:
            month = date.today().replace(day=1)
            self.add(f"{param.name}_from", self.tr("From"), OptionalDate(self.tr("from"), month))
            self.add(f"{param.name}_to", self.tr("To"), OptionalDate(self.tr("up to"), date.today()))
        elif param.kind in PICKED and param.required:
            self.add(param.name, label, CodePicker(self.lookups, TABLES[param.kind], preset or None))
        elif param.kind in PICKED:
            self.add(param.name, label, CodeFilter(self.lookups, TABLES[param.kind], hint))
        else:
            self.add(param.name, label, line(preset, hint))

    def value(self, param: Parameter) -> Any:
        """What the user gave for `param`: a code or text, None when left out; a date range's (from, up to)."""
        if param.kind is Kind.DATE_RANGE:
            start, end = (self.fields[f"{param.name}_{side}"] for side in ("from", "to"))
            assert isinstance(start, OptionalDate) and isinstance(end, OptionalDate)
            return day_range(start.value(), end.value())
        widget = self.fields[param.name]
        if isinstance(widget, CodeFilter):
            return widget.currentData()
        if isinstance(widget, CodePicker):
            return widget.code() or None
        assert isinstance(widget, QLineEdit)
        return widget.text().strip() or None

    def values(self) -> dict[str, Any]:
        return {param.name: self.value(param) for param in self.report.parameters}

    def check(self) -> str | None:
        missing = self.report.missing(self.values())
        if missing is not None:
            what = words(missing.label).lower()
            return (
                self.tr("Choose the {0}.").format(what)
                if missing.kind in PICKED
                else self.tr("Enter the {0}.").format(what)
            )
        for param in self.report.parameters:
            if param.kind is Kind.DATE_RANGE:
                start, end = self.value(param) or (None, None)
                if start and end and start > end:
                    return self.tr("The date range ends before it starts.")
        return None

    def action(self) -> Callable[[], Any]:
        """Gather the data on a worker; the PDF is written next, with progress."""
        ctx, report, values = self.ctx, self.report, self.values()
        return lambda: report.gather(ctx, values)


def expected_rows(data: Any) -> int | None:
    total = getattr(data, "total", None)
    if total is not None:
        return int(total)
    lines = getattr(data, "lines", None)
    return len(lines) if lines is not None else None


def write_report(report: Report, data: Any, progress: Callable[[int], None]) -> Path:
    path = _temp_pdf(report.key)
    report.write(data, str(path), progress)
    return path


class ReportsMenu(QObject):
    """The Reports menu, one entry per report of the registry: parameters, preparation with progress, preview."""

    def __init__(self, host: Host, parent: QWidget) -> None:
        super().__init__(parent)
        self.host, self.window = host, parent
        self.entries = [
            host.action(self, f"report_{r.key}", words(r.title) + "…", r.permission, partial(self.open_report, r.key))
            for r in REPORTS
        ]

    def menu(self) -> Menu:
        return self.tr("&Reports"), list(self.entries)

    def open_report(self, key: str) -> ReportDialog:
        """The report's dialog; a batch or customer selected on the screen in front is filled in."""
        report, screen = by_key(key), self.host.current()
        presets = {}
        if isinstance(screen, Screen):
            for param in report.parameters:
                selected = screen.selected_key(param.kind.value)
                if selected:
                    presets[param.name] = selected
        host = self.host
        dialog = ReportDialog(report, host.ctx, host.ops, host.lookups, presets, self.window)
        dialog.succeeded.connect(lambda data: self._write(report, data))
        dialog.open()
        return dialog

    def _write(self, report: Report, data: Any) -> None:
        self.progress = run_with_progress(
            self.window,
            self.host.ops,
            words(report.title),
            expected_rows(data),
            lambda progress: write_report(report, data, progress),
            lambda path: self._show(report, path),
        )

    def _show(self, report: Report, path: Path) -> None:
        self.last_output = path
        self.preview = PreviewDialog(path, words(report.title), self.window)
        self.preview.open()
