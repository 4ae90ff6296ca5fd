"""Administration → Import… and Export…: CSV files of master data and opening stock.

Import checks the whole file first and shows what it would do (records created, updated,
unchanged; batches already in the plant) or every bad row with its line and column. Only a
file without bad rows can be imported; it is written all at once, with a progress bar.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import transfer
from app.context import Context
from app.errors import ValidationError
from app.transfer import ImportRefused, ImportResult
from domain.vocabulary import ImportKind
from ui.ops import Ops, message_for
from ui.widgets import FormDialog, set_alert
from ui.words import term, term_box

SHOWN = 500  # rows listed in the preview; the summary counts them all


class _Progress(QObject):
    """Carries (stage, done, total) from the worker to the progress bar, queued into the GUI thread."""

    advanced = Signal(str, int, int)


def _file_row(edit: QLineEdit, browse: QPushButton) -> QWidget:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    row.addWidget(browse)
    return box


class ImportDialog(QDialog):
    """Choose what and which file, check it, look at what it would do, import it."""

    imported = Signal(object)  # ImportResult, once written

    def __init__(self, ctx: Context, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle(self.tr("Import from a CSV file"))
        self.resize(820, 560)
        self.ctx, self.ops = ctx, ops
        self.checked: tuple[ImportKind, str, bytes] | None = None  # what the preview shows
        self.kind = term_box(ImportKind, parent=self)
        self.path = QLineEdit(self)
        self.path.setPlaceholderText(self.tr("a .csv file: UTF-8, comma or semicolon separated, with a header row"))
        browse = QPushButton(self.tr("&Browse…"), self)
        browse.clicked.connect(self.ask_file)
        self.columns = QLabel(self)
        self.columns.setWordWrap(True)
        self.columns.setObjectName("importColumns")
        form = QFormLayout()
        form.addRow(self.tr("What"), self.kind)
        form.addRow(self.tr("File"), _file_row(self.path, browse))
        form.addRow(self.tr("Columns"), self.columns)
        self.summary = QLabel(self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("importPreview")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("importProgress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.check_button = self.buttons.addButton(self.tr("&Check"), QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button = self.buttons.addButton(self.tr("&Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.check_button.clicked.connect(self.check_file)
        self.import_button.clicked.disconnect()  # AcceptRole would close the dialog before the import ran
        self.import_button.clicked.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.kind.currentIndexChanged.connect(self._changed)
        self.path.textChanged.connect(self._changed)
        self._busy = False
        self._changed()

    # ---------------------------------------------------------------- state

    def chosen(self) -> ImportKind:
        return ImportKind(self.kind.currentData())

    def _changed(self) -> None:
        """Another kind or file: what was checked no longer applies."""
        columns = transfer.COLUMNS[self.chosen()]
        optional = ", ".join(columns.optional)
        self.columns.setText(
            self.tr("{0}; may also have: {1}").format(", ".join(columns.required), optional)
            if optional
            else ", ".join(columns.required)
        )
        self.checked = None
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_file = bool(self.path.text().strip())
        self.check_button.setEnabled(has_file and not self._busy)
        self.import_button.setEnabled(self.checked is not None and not self._busy)

    def ask_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import from"), "", self.tr("CSV files (*.csv *.txt);;All files (*)")
        )
        if path:
            self.path.setText(path)

    # ---------------------------------------------------------------- check and import

    def _read(self) -> tuple[ImportKind, str, bytes] | None:
        path = Path(self.path.text().strip()).expanduser()
        try:
            return self.chosen(), path.name, transfer.read_file(path)
        except ValidationError as exc:
            self._show_message(str(exc), alert=True)
            return None

    def check_file(self) -> None:
        """A dry run: every row checked, nothing written."""
        read = self._read()
        if read is None:
            return
        kind, name, data = read
        self._start(self.tr("Checking {0}…").format(name))
        ctx = self.ctx
        self.ops.run(
            self._with_progress(
                lambda progress: transfer.import_csv(
                    ctx.uow(), kind, data, file_name=name, dry_run=True, progress=progress
                )
            ),  # fmt: skip
            lambda result: self._checked(read, result),
            self._refused,
        )

    def run_import(self) -> None:
        if self.checked is None:
            return
        kind, name, data = self.checked
        self._start(self.tr("Importing {0}…").format(name))
        ctx = self.ctx
        self.ops.run(
            self._with_progress(
                lambda progress: transfer.import_csv(ctx.uow(), kind, data, file_name=name, progress=progress)
            ),
            self._imported,
            self._refused,
        )

    def _with_progress(self, job: Callable[[Callable[[str, int, int], None]], ImportResult]) -> Callable[[], Any]:
        relay = _Progress(self)
        relay.advanced.connect(self._advanced)
        return lambda: job(relay.advanced.emit)

    def _start(self, text: str) -> None:
        self._busy = True
        self._update_buttons()
        self.progress.setRange(0, 0)
        self.progress.setFormat(text)
        self.progress.show()
        self._show_message(text)

    def _advanced(self, stage: str, done: int, total: int) -> None:
        words = self.tr("checking") if stage == transfer.CHECKING else self.tr("writing")
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(self.tr("{0}: %v of %m").format(words))

    def _finish(self) -> None:
        self._busy = False
        self.progress.hide()
        self._update_buttons()

    def _checked(self, read: tuple[ImportKind, str, bytes], result: ImportResult) -> None:
        self._finish()
        nothing = not (result.created or result.updated)
        self.checked = None if nothing else read
        self._update_buttons()
        text = result.summary() + ("" if nothing else " " + self.tr("Nothing is written until you choose Import."))
        self._show_message(text)
        self._fill(
            [self.tr("Line"), self.tr("What"), self.tr("Record")],
            [("", self.tr("create"), code) for code in result.created]
            + [("", self.tr("update"), code) for code in result.updated]
            + [("", self.tr("already there"), code) for code in result.existing],
        )

    def _imported(self, result: ImportResult) -> None:
        self._finish()
        self.checked = None
        self._update_buttons()
        self._show_message(self.tr("Imported: {0}").format(result.summary()))
        self.imported.emit(result)

    def _refused(self, exc: Exception) -> None:
        self._finish()
        self.checked = None
        self._update_buttons()
        if isinstance(exc, ImportRefused):
            head = str(exc).splitlines()[0]
            self._show_message(head, alert=True)
            self._fill(
                [self.tr("Line"), self.tr("Column"), self.tr("What is wrong")],
                [(str(p.line), p.column, p.message) for p in exc.problems],
            )
        else:
            self._show_message(message_for(exc), alert=True)
            self._fill([self.tr("Line"), self.tr("Column"), self.tr("What is wrong")], [])

    def _show_message(self, text: str, alert: bool = False) -> None:
        self.summary.setText(text)
        set_alert(self.summary, alert)

    def _fill(self, headers: list[str], rows: list[tuple[str, str, str]]) -> None:
        self.table.setHorizontalHeaderLabels(headers)
        shown = rows[:SHOWN]
        self.table.setRowCount(len(shown) + (1 if len(rows) > SHOWN else 0))
        for r, cells in enumerate(shown):
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        if len(rows) > SHOWN:
            more = QTableWidgetItem(self.tr("… and {0} more").format(len(rows) - SHOWN))
            self.table.setItem(len(shown), 2, more)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)

    def problems(self) -> list[tuple[str, str, str]]:
        """The rows of the preview as shown (the tests and the desktop probe read them)."""
        rows: list[tuple[str, str, str]] = []
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c) for c in range(3)]
            first, second, third = (item.text() if item is not None else "" for item in cells)
            rows.append((first, second, third))
        return rows


class ExportDialog(FormDialog):
    """Write one kind of record to a CSV file the import reads back."""

    def __init__(self, ctx: Context, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Export to a CSV file"), ops, parent)
        self.setObjectName("exportDialog")
        self.ctx = ctx
        self.ok.setText(self.tr("Export"))
        self.kind = self.add("kind", self.tr("What"), term_box(ImportKind, parent=self))
        self.path = QLineEdit(self)
        browse = QPushButton(self.tr("&Browse…"), self)
        browse.clicked.connect(self.ask_file)
        self.add("file", self.tr("File"), _file_row(self.path, browse))
        self.fields["file"] = self.path
        self.path.textChanged.connect(lambda _t: self.revalidate())
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self.revalidate()

    def _kind_chosen(self) -> None:
        current = Path(self.path.text().strip())
        if self.path.text().strip():
            self.path.setText(str(current.with_name(f"{self.kind.currentData()}.csv")))

    def ask_file(self) -> None:
        kind = ImportKind(self.kind.currentData())
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export {0} to").format(term(kind)), f"{kind.value}.csv", self.tr("CSV files (*.csv)")
        )
        if path:
            self.path.setText(path)

    def check(self) -> str | None:
        text = self.path.text().strip()
        if not text:
            return self.tr("Choose the file to write.")
        folder = Path(text).expanduser().parent
        return None if folder.is_dir() else self.tr("The folder {0} does not exist.").format(folder)

    def action(self) -> Callable[[], Any]:
        kind, path, ctx = ImportKind(self.kind.currentData()), Path(self.path.text().strip()).expanduser(), self.ctx

        def write() -> str:
            data, rows = transfer.export_csv(ctx.reader(), kind)
            try:
                path.write_bytes(data)
            except OSError as exc:
                raise ValidationError(f"Cannot write {path}: {exc.strerror}.", "file") from None
            return f"Wrote {rows:,} rows of {kind.label} to {path}."

        return write
