"""Building blocks of the screens: a table screen with its filter bar, and a form dialog."""

from __future__ import annotations

import csv
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QHideEvent, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import config
from app.errors import ConflictError, ValidationError
from app.export import spreadsheet_cell
from app.formatting import quantity
from ui.ops import Ops, message_for
from ui.paged import PagedTableModel
from ui.tables import QuantityDelegate
from ui.zoom import NORMAL, current, fit

W = TypeVar("W", bound=QWidget)
SUM_AT_MOST = 5000  # selected rows added up in the status bar; more are only counted


def settings() -> QSettings:
    """Per-user interface settings (column layout, last tab) in the user's config directory."""
    # Made here first, 0600 in a 0700 folder: Qt keeps an existing file's mode when it rewrites it.
    path = config.private_file(config.private_folder(config.user_config_dir()) / "interface.ini")
    return QSettings(str(path), QSettings.Format.IniFormat)


def combo(items: list[tuple[str, Any]], parent: QWidget | None = None) -> QComboBox:
    box = QComboBox(parent)
    for label, value in items:
        box.addItem(label, value)
    return box


def set_alert(label: QLabel, alert: bool) -> None:
    """Show a label in the style sheet's alert colour (its `alert` property), or plainly again."""
    label.setProperty("alert", alert)
    label.style().unpolish(label)
    label.style().polish(label)


class TableScreen(QWidget):
    """A filter bar over a table fed by a paged model, with a count and the screen's toolbar.

    It implements most of the `Screen` protocol (ui/screen.py); each screen adds its title,
    its filters and its actions.
    """

    activated = Signal(object)  # a row double-clicked or Enter pressed on it
    selection_changed = Signal()  # the status bar's count and sum of the selected rows follow
    WATCHES: ClassVar[frozenset[str]] = frozenset()  # the tables whose changes this screen shows
    SHOWS: ClassVar[frozenset[str]] = frozenset()  # the journal's subjects this screen opens

    def __init__(
        self, key: str, model: PagedTableModel[Any], ops: Ops, username: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.key, self.model, self.ops, self.username = key, model, ops, username
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        self.filters = QHBoxLayout()
        self.filters.setSpacing(8)
        self.filters.addWidget(self.search, 2)
        self.count = QLabel(self)
        self.count.setObjectName("rowCount")
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.table = QTableView(self)
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        # The indicator must show the model's own order before sorting is switched on: enabling it
        # sorts by whatever the header shows, and Qt's default (first column, descending) would
        # silently replace the screen's default order.
        sort_key, descending = model.DEFAULT_SORT
        columns = [int(column) for column, name in model.SORT_KEYS.items() if name == sort_key]
        header.setSortIndicator(
            columns[0] if columns else -1, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        )
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(lambda index: self._activate(index.row()))
        quantities = QuantityDelegate(self.table)
        for column in model.RIGHT_ALIGNED:
            self.table.setItemDelegateForColumn(int(column), quantities)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self.selection_changed.emit())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self.update_actions())
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self.update_actions())
        model.modelReset.connect(self.update_actions)
        fit(self.table)
        fit(self.toolbar)
        model.modelReset.connect(self.selection_changed.emit)

        bar = QHBoxLayout()
        bar.addLayout(self.filters, 1)
        bar.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.toolbar)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self.apply_filter)
        model.loaded.connect(self._show_count)
        model.failed.connect(self._show_failure)
        model.modelReset.connect(self._show_count)
        model.counted_rows.connect(self._show_count)
        model.replacing.connect(self._note_place)
        model.replaced.connect(self._take_place)
        self._place: tuple[Any, Any, int, int] | None = None
        self._unfitted = True  # column widths still to be fitted to the first rows
        self._fit_waiting = False  # fitting waits for rows to arrive

        copy = QAction("Copy", self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.triggered.connect(self.copy_selection)
        self.table.addAction(copy)
        self.restore_layout()

    # ---------------------------------------------------------------- filters

    def add_filter(self, label: str, widget: W) -> W:
        if label:
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            self.filters.addWidget(caption)
        self.filters.addWidget(widget)
        for signal_name in ("currentIndexChanged", "toggled", "dateChanged"):
            signal = getattr(widget, signal_name, None)
            if signal is not None:
                signal.connect(lambda *_a: self._debounce.start())
        return widget

    def build_filter(self) -> Any:
        raise NotImplementedError

    def apply_filter(self) -> None:
        self._debounce.stop()
        try:
            flt = self.build_filter()
        except ValidationError as exc:
            self._show_failure(str(exc))
            return
        if flt == self.model.filter and not self.model.loading:
            return  # the same rows: a scan put back what it typed, or a box chose what it showed
        self.count.setText("Loading…")
        self.model.set_filter(flt)

    def reload(self) -> None:
        self.count.setText("Loading…")
        self.model.refresh()

    def refresh_in_place(self) -> None:
        """Someone changed what this screen shows: read the visible rows again, keep the place."""
        self.model.requery()

    def _note_place(self) -> None:
        """Before rows come or go under the user: which record is selected, which is at the top."""
        model, table = self.model, self.table
        current = table.currentIndex()
        top = table.rowAt(0)
        selected = model.row_at(current.row()) if current.isValid() and model.is_loaded(current.row()) else None
        anchor = model.row_at(top) if top >= 0 and model.is_loaded(top) else None
        self._place = (
            model.row_key(selected) if selected is not None else None,
            model.row_key(anchor) if anchor is not None else None,
            current.column() if current.isValid() else 0,
            table.verticalScrollBar().value(),
        )

    def _take_place(self) -> None:
        """The same record selected and the same record at the top as before, wherever they moved."""
        if self._place is None:
            return
        selected_key, anchor_key, column, scrolled = self._place
        self._place = None
        model, table = self.model, self.table
        row = model.find_key(selected_key)
        if row is not None:
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            table.selectionModel().setCurrentIndex(model.index(row, column), flags)
        top = model.find_key(anchor_key)
        if top is not None:
            table.scrollTo(model.index(top, 0), QAbstractItemView.ScrollHint.PositionAtTop)
        else:
            table.verticalScrollBar().setValue(scrolled)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def update_actions(self) -> None:
        """Nothing here waits for a selection: an action without the row it needs says which to select."""

    def selected_key(self, entity: str) -> str | None:
        """The number or code of the selected record, when it is an `entity` (none here)."""
        return None

    def show_record(self, entity: str, key: str) -> None:
        """Show one record (from the journal or a scan); screens that show records override this."""

    # ---------------------------------------------------------------- rows

    def selected_rows(self) -> list[Any]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [r for r in (self.model.row_at(i) for i in rows) if r is not None]

    def selection_summary(self) -> str:
        """'3 selected · 2,500.000 kg': how many rows are selected and, where they hold quantities, their sum per
        unit (of the rows read so far: a selection of a million rows is counted, not added up)."""
        selection = self.table.selectionModel().selection()
        ranges = [selection.at(i) for i in range(selection.count())]
        count = sum(r.bottom() - r.top() + 1 for r in ranges)
        if count < 2:
            return ""
        text = self.tr("{0} selected").format(f"{count:,}")
        if count > SUM_AT_MOST:
            return text
        sums: dict[str, Decimal] = {}
        unread = 0
        for r in ranges:
            for index in range(r.top(), r.bottom() + 1):
                row = self.model.row_at(index) if self.model.is_loaded(index) else None
                if row is None:
                    unread += 1
                    continue
                amount, unit = getattr(row, "quantity", None), getattr(row, "unit", None)
                if isinstance(amount, Decimal) and isinstance(unit, str):
                    sums[unit] = sums.get(unit, Decimal(0)) + amount
        if sums:
            text += " · " + " + ".join(quantity(total, unit) for unit, total in sorted(sums.items()))
            if unread:
                text += " " + self.tr("(of the rows read so far)")
        return text

    def current_row(self) -> Any:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _activate(self, row: int) -> None:
        item = self.model.row_at(row)
        if item is not None:
            self.activated.emit(item)

    def hideEvent(self, event: QHideEvent) -> None:
        """Leaving the screen (another tab, the window closing) applies a filter still being typed."""
        if self._debounce.isActive():
            self.apply_filter()
        super().hideEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter on a row opens it, as a double-click does."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.table.hasFocus():
            self._activate(self.table.currentIndex().row())
            return
        super().keyPressEvent(event)

    def copy_selection(self) -> None:
        columns = self._visual_columns()
        lines = ["\t".join(self.model.HEADERS[c] for c in columns)]
        for row in self.selected_rows():
            lines.append("\t".join(self.model.text(row, c) for c in columns))
        QGuiApplication.clipboard().setText("\n".join(lines))

    def _visual_columns(self) -> list[Any]:
        header = self.table.horizontalHeader()
        logical = [header.logicalIndex(v) for v in range(header.count())]
        return [self.model.Columns(i) for i in logical if not header.isSectionHidden(i)]

    # ---------------------------------------------------------------- export

    def ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to CSV", f"{self.key}.csv", "CSV files (*.csv)")
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path, done: Callable[[int], None] | None = None) -> None:
        """Write every row of the current filter and sort, as shown, on a worker thread."""
        columns = self._visual_columns()
        read_all = self.model.fetch_all()
        model = self.model

        def write() -> int:
            rows = read_all()
            with path.open("w", newline="", encoding="utf-8-sig") as out:  # BOM: spreadsheets detect UTF-8
                writer = csv.writer(out)
                writer.writerow([model.HEADERS[c] for c in columns])
                for row in rows:
                    writer.writerow([spreadsheet_cell(model.text(row, c)) for c in columns])
            return len(rows)

        def finished(count: int) -> None:
            self.count.setText(f"Exported {count:,} rows to {path.name}")
            if done is not None:
                done(count)

        self.ops.run(write, finished, lambda exc: self._show_failure(message_for(exc)))

    # ---------------------------------------------------------------- status

    def _show_count(self) -> None:
        if not self.model.loading:
            total = self.model.total
            if not self.model.counted:
                self.count.setText(f"{total:,}+ rows, counting…")
            else:
                self.count.setText("No rows match" if total == 0 else f"{total:,} row{'s' if total != 1 else ''}")
            set_alert(self.count, False)

    def _show_failure(self, message: str) -> None:
        self.count.setText(message)
        set_alert(self.count, True)

    # ---------------------------------------------------------------- layout memory

    def _settings_key(self) -> str:
        # Column widths are pixels: each size of the client (ui/zoom.py) keeps a layout of its own.
        percent = current().percent
        return f"{self.username}/{self.key}/header" + ("" if percent == NORMAL else f"@{percent}")

    def save_layout(self) -> None:
        settings().setValue(self._settings_key(), self.table.horizontalHeader().saveState())

    def restore_layout(self) -> None:
        """The user's own column layout, or widths fitted to the first page once it arrives."""
        state = settings().value(self._settings_key())
        if state is not None and self.table.horizontalHeader().restoreState(state):
            return
        self._unfitted = True
        if self.model.total and not self.model.loading:
            self._fit_columns()  # the client changed size: rows are here already
            return
        if not self._fit_waiting:
            self._fit_waiting = True
            self.model.loaded.connect(self._fit_columns)
            self.model.replaced.connect(self._fit_columns)

    def _fit_columns(self) -> None:
        """Widths from the first page: each column as wide as what it shows. When they do not all fit, the
        widest long-text columns give way first, but never below their title or a dozen letters; a record's
        number, its quantities and its name are never cut (the table scrolls sideways instead). Fitted again
        when the first rows come to a list that started empty (a new plant's), then left to the user."""
        if not self._unfitted:
            return
        header, table = self.table.horizontalHeader(), self.table
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.resizeColumnsToContents()
        count = self.model.columnCount()
        name = int(self.model.STRETCH) if self.model.STRETCH is not None else -1
        titles = header.fontMetrics()
        em, pad = titles.horizontalAdvance("M"), titles.horizontalAdvance("  ")
        # A long origin or note does not take the whole table; a sentence (the journal's) takes what is left.
        wanted = [min(table.columnWidth(c) + pad, 40 * em if c == name else 30 * em) for c in range(count)]
        keep = {0, name, *(int(c) for c in self.model.RIGHT_ALIGNED)}
        floors = [
            wanted[c]
            if c in keep
            else min(
                wanted[c], max(12 * em, titles.horizontalAdvance(self.model.HEADERS[self.model.Columns(c)]) + 3 * pad)
            )
            for c in range(count)
        ]
        available = table.viewport().width()
        bar = table.verticalScrollBar()
        rows_high = self.model.rowCount() * table.verticalHeader().defaultSectionSize()
        if not bar.isVisible() and rows_high > table.viewport().height():
            available -= bar.sizeHint().width()  # the rows about to arrive will bring the scroll bar
        widths = column_widths(wanted, floors, available)
        for c in range(count):
            table.setColumnWidth(c, widths[c])
        if name >= 0 and sum(widths) <= available:
            header.setSectionResizeMode(name, QHeaderView.ResizeMode.Stretch)
        if self.model.rowCount() == 0:
            return
        self._unfitted = False
        if self._fit_waiting:
            self._fit_waiting = False
            self.model.loaded.disconnect(self._fit_columns)
            self.model.replaced.disconnect(self._fit_columns)


def column_widths(wanted: list[int], floors: list[int], available: int) -> list[int]:
    """Widths that fit `available` if they can: the widest columns are narrowed first, to a common ceiling,
    none below its floor. Columns whose floor is what they want are never narrowed."""
    over = sum(wanted) - available
    if over <= 0:
        return list(wanted)
    low, high = 0, max(wanted, default=0)
    while low < high:  # the highest ceiling that frees enough room (or the floors, if none does)
        ceiling = (low + high + 1) // 2
        if sum(wanted) - sum(max(f, min(w, ceiling)) for w, f in zip(wanted, floors, strict=True)) >= over:
            low = ceiling
        else:
            high = ceiling - 1
    return [max(f, min(w, low)) for w, f in zip(wanted, floors, strict=True)]


def _is_empty(widget: QWidget) -> bool:
    if isinstance(widget, QLineEdit):
        return not widget.text().strip()
    if isinstance(widget, QComboBox) and widget.isEditable():
        return not widget.currentText().strip()
    return False


class FormDialog(QDialog):
    """A form that runs its service on a worker and stays open, filled, when the service refuses."""

    succeeded = Signal(object)
    conflicted = Signal()  # someone else changed the record: the screens behind reload

    def __init__(self, title: str, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(460)
        self.ops = ops
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(8)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.submit_buttons: list[QPushButton] = [self.ok]  # each sends the form; `submitted_with` says which
        self.submitted_with: QPushButton = self.ok
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.error)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self.fields: dict[str, QWidget] = {}
        self._busy = False

    def add(self, name: str, label: str, widget: W) -> W:
        self.fields[name] = widget
        self.form.addRow(label, widget)
        for signal_name in ("textChanged", "currentTextChanged", "valueChanged", "dateChanged"):
            signal = getattr(widget, signal_name, None)
            if signal is not None:
                signal.connect(lambda *_a: self.revalidate())
        return widget

    def showEvent(self, event: QShowEvent) -> None:
        """The form opens on its first field, and Tab walks the fields in order before reaching the buttons."""
        super().showEvent(event)
        # Its own minimum width keeps Qt from widening the form to fit its rows: widen it here, so that
        # no label is cut because a picker holds a long name.
        if self.width() < self.minimumSizeHint().width():
            self.resize(self.minimumSizeHint().width(), self.height())
        chain = [w for w in self.fields.values() if w.focusPolicy() != Qt.FocusPolicy.NoFocus or w.focusProxy()]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)
        focus = QApplication.focusWidget()
        inside = focus is not None and any(w is focus or w.isAncestorOf(focus) for w in chain)
        if chain and not inside:
            first = next((w for w in chain if w.isEnabled()), None)
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)

    def check(self) -> str | None:
        """A message while the input cannot be sent yet (checked as the user types), else None."""
        return None

    def add_submit(self, text: str) -> QPushButton:
        """Another way to send the form, beside OK (e.g. "Receive and print label")."""
        button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        assert button is not None
        button.clicked.connect(lambda: self.submit(button))
        self.submit_buttons.append(button)
        self.revalidate()
        return button

    def revalidate(self) -> None:
        problem = self.check()
        for button in self.submit_buttons:
            button.setEnabled(problem is None and not self._busy)
            button.setToolTip(problem or "")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter sends a complete form; in one still incomplete it moves on to the next field left empty, so a
        scanner's Enter after a batch number leads to the quantity instead of trying to send."""
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if enter and plain and self.check() is not None:
            self.focus_next_empty()
            event.accept()
            return
        super().keyPressEvent(event)

    def focus_next_empty(self) -> None:
        """Focus the first field after the current one that holds nothing yet (else simply the next one)."""
        fields = list(self.fields.values())
        focus = QApplication.focusWidget()
        inside = [i for i, w in enumerate(fields) if focus is not None and (w is focus or w.isAncestorOf(focus))]
        here = inside[0] if inside else -1
        for widget in fields[here + 1 :] + fields[: here + 1]:
            if widget.isEnabled() and _is_empty(widget):
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                return
        self.focusNextChild()

    def action(self) -> Callable[[], Any]:
        """The service call to run, built from the fields (on the GUI thread)."""
        raise NotImplementedError

    def submit(self, button: QPushButton | None = None) -> None:
        self.submitted_with = button or self.ok
        problem = self.check()
        if problem:
            self.show_error(problem)
            return
        try:
            call = self.action()
        except ValidationError as exc:
            self.show_error(str(exc), exc.field)
            return
        self._busy = True
        self.revalidate()
        self.error.hide()
        self.ops.run(call, self._done, self._failed)

    def _done(self, result: Any) -> None:
        self._busy = False
        self.succeeded.emit(result)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self._busy = False
        self.revalidate()
        self.show_error(message_for(exc), getattr(exc, "field", None))
        if isinstance(exc, ConflictError):
            self.conflicted.emit()

    def show_error(self, message: str, field: str | None = None) -> None:
        self.error.setText(message)
        self.error.show()
        widget = self.fields.get(field or "")
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
