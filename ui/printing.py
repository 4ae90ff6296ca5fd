"""Labels and reports in the client: parameters, generation off the GUI thread with progress,
an in-app preview, printing through the system print dialog, and saving as PDF."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPointF, QRectF, QSize, Signal
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app import queries as q
from app import reporting
from app.context import Context
from app.lookups import Lookups
from reports import documents
from reports.labels import labels_pdf, labels_zpl
from ui.forms import OptionalDate, line, picker
from ui.ops import Ops, message_for
from ui.widgets import FormDialog


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
        painter = QPainter()
        if not painter.begin(printer):
            QMessageBox.warning(self, "MPSYSTEM", "The printer could not be opened.")
            return 0
        sent = 0
        try:
            for page in range(self.document.pageCount()):
                if page:
                    printer.newPage()
                area = printer.pageRect(QPrinter.Unit.DevicePixel)
                points = self.document.pagePointSize(page)
                scale = min(area.width() / points.width(), area.height() / points.height())
                size = QSize(int(points.width() * scale), int(points.height() * scale))
                image = self.document.render(page, size)
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

    def __init__(self, ctx: Context, ops: Ops, numbers: list[str], parent: QWidget | None = None) -> None:
        super().__init__(f"Print labels for {len(numbers)} batch{'es' if len(numbers) != 1 else ''}", ops, parent)
        self.ctx, self.numbers = ctx, numbers
        self.single = QRadioButton("PDF, one 100 × 50 mm label per page", self)
        self.sheet = QRadioButton("PDF, ten labels to an A4 sheet", self)
        self.zpl = QRadioButton("ZPL file for a thermal printer", self)
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


REPORTS = {
    "inventory": "Inventory",
    "plan": "Production plan",
    "trace": "Batch traceability",
    "events": "Event journal",
    "customer": "Customer report",
}


class ReportDialog(FormDialog):
    """The parameters of one report."""

    def __init__(
        self, kind: str, ctx: Context, ops: Ops, lookups: Lookups, preset: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(REPORTS[kind], ops, parent)
        self.kind, self.ctx, self.lookups = kind, ctx, lookups
        self.ok.setText("Prepare")
        if kind == "inventory":
            self.warehouse = self.add("warehouse", "Warehouse", QComboBox(self))
            self.warehouse.addItem("all warehouses", None)
            for code in lookups.warehouses:
                self.warehouse.addItem(code, code)
        elif kind == "plan":
            self.line_box = self.add("line", "Line", QComboBox(self))
            self.line_box.addItem("all lines", None)
            for code in lookups.lines:
                self.line_box.addItem(code, code)
        elif kind == "trace":
            self.batch = self.add("batch", "Batch", line(preset, "scan or type the batch number"))
        elif kind == "events":
            self.date_from = self.add("date_from", "From", OptionalDate("from", date.today().replace(day=1)))
            self.date_to = self.add("date_to", "To", OptionalDate("up to", date.today()))
            self.action_name = self.add("action", "Action", line(placeholder="any (e.g. received, blocked)"))
            self.text = self.add("text", "Text", line(placeholder="summaries containing…"))
        else:
            self.customer = self.add("customer", "Customer", picker(lookups.customers, preset or None))
        self.revalidate()

    def check(self) -> str | None:
        if self.kind == "trace" and not self.batch.text().strip():
            return "Enter the batch."
        if self.kind == "customer" and not self.customer.currentText().strip():
            return "Choose the customer."
        if self.kind == "events":
            start, end = self.date_from.value(), self.date_to.value()
            if start and end and start > end:
                return "The date range ends before it starts."
        return None

    def action(self) -> Callable[[], Any]:
        """Gather the data on a worker; the PDF is written by `generate` with progress."""
        ctx, kind = self.ctx, self.kind
        if kind == "inventory":
            warehouse = self.warehouse.currentData()
            return lambda: reporting.inventory_report(ctx, warehouse)
        if kind == "plan":
            line_code = self.line_box.currentData()
            return lambda: reporting.plan_report(ctx, line_code)
        if kind == "trace":
            number = self.batch.text().strip()
            return lambda: reporting.trace_report(ctx, number)
        if kind == "events":
            flt = q.EventFilter(
                date_from=self.date_from.value(),
                date_to=self.date_to.value(),
                action=self.action_name.text().strip() or None,
                text=self.text.text().strip() or None,
            )
            return lambda: reporting.events_report(ctx, flt)
        code = self.customer.currentText().strip()
        return lambda: reporting.customer_report(ctx, code)


WRITERS: dict[str, Callable[..., int]] = {
    "inventory": documents.inventory,
    "plan": documents.plan,
    "trace": documents.trace,
    "events": documents.events,
    "customer": documents.customer,
}


def expected_rows(data: Any) -> int | None:
    total = getattr(data, "total", None)
    if total is not None:
        return int(total)
    lines = getattr(data, "lines", None)
    return len(lines) if lines is not None else None


def write_report(kind: str, data: Any, progress: Callable[[int], None]) -> Path:
    path = _temp_pdf(kind)
    WRITERS[kind](data, str(path), progress)
    return path
