"""Line stops: the floor's forms to say a line stopped and runs again, and the screen of every stop.

Clerks and planners record stops from the Line stops screen, the dashboard's lines and the planning
board; each form checks what is typed as it is typed with the service's own rules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QDateTime
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import queries as q
from app import services as s
from app.context import Context
from app.dto import LineStopRow, StopReasonRow
from app.formatting import moment, span
from ui.lookups import CodeFilter, CodePicker, LiveLookups
from ui.ops import Ops, message_for
from ui.paged import PagedTableModel
from ui.screen import Host, Menu
from ui.tables import ALERT, ALERT_TEXT, BACKGROUND, DISPLAY, FOREGROUND, QUIET_TEXT, TOOLTIP
from ui.widgets import FormDialog, TableScreen, combo

NOTE_HINT = QCoreApplication.translate("Stops", "what happened, what is needed…")


def _tr(text: str) -> str:
    return QCoreApplication.translate("Stops", text)


def moment_edit(value: datetime | None = None, parent: QWidget | None = None) -> QDateTimeEdit:
    """A moment to the minute, in this workstation's time."""
    edit = QDateTimeEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    when = (value or datetime.now().astimezone()).astimezone()
    edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(when.replace(second=0, microsecond=0).timestamp())))
    return edit


def moment_of(edit: QDateTimeEdit) -> datetime:
    """What the field holds, as an aware moment."""
    return datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch()).astimezone()


class ReasonBox(QComboBox):
    """The stop reasons in use, by name, following the database; `current` stays chosen."""

    def __init__(self, lookups: LiveLookups, current: tuple[str, str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.lookups, self.kept = lookups, current
        self.refill()
        lookups.changed.connect(self.refill)

    def refill(self) -> None:
        chosen = self.currentData() or (self.kept[0] if self.kept else None)
        self.blockSignals(True)
        try:
            self.clear()
            reasons = list(self.lookups.current.stop_reasons)
            if self.kept and self.kept[0] not in {code for code, _name in reasons}:
                reasons.append(self.kept)  # an archived reason a stop keeps
            for code, name in reasons:
                self.addItem(name, code)
            index = self.findData(chosen) if chosen is not None else -1
            self.setCurrentIndex(index)
        finally:
            self.blockSignals(False)


class StopDialog(FormDialog):
    """A line stopped: since when, why, and whether it still stands (or, planned, until when)."""

    def __init__(
        self, ctx: Context, ops: Ops, lookups: LiveLookups, line: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(_tr("Line stopped"), ops, parent)
        self.ctx = ctx
        self.line = self.add("line", _tr("Line"), CodePicker(lookups, lambda found: found.lines, line, self))
        self.reason = self.add("reason", _tr("Reason"), ReasonBox(lookups, parent=self))
        self.started = self.add("started_at", _tr("Stopped at"), moment_edit(parent=self))
        self.still = QCheckBox(_tr("still stopped"), self)
        self.still.setChecked(True)
        self.ended = moment_edit(parent=self)
        self.ended.setEnabled(False)
        self.still.toggled.connect(lambda on: self.ended.setEnabled(not on))
        self.still.toggled.connect(lambda _on: self.revalidate())
        self.add("ended_at", _tr("Running again at"), self.ended)
        self.form.addRow("", self.still)
        self.note = self.add("note", _tr("Note"), QLineEdit(self))
        self.note.setPlaceholderText(NOTE_HINT)
        for edit in (self.started, self.ended):
            edit.dateTimeChanged.connect(lambda _moment: self.revalidate())
        self.revalidate()

    def check(self) -> str | None:
        if not self.line.currentText().strip():
            return _tr("Choose the line.")
        if self.reason.currentData() is None:
            return _tr("Choose the reason.")
        start = moment_of(self.started)
        if self.still.isChecked():
            if start > datetime.now().astimezone() + timedelta(minutes=1):
                return _tr("A line cannot be still stopped since a moment ahead; give a planned stop its end.")
        elif moment_of(self.ended) <= start:
            return _tr("The line must run again after it stopped.")
        return None

    def action(self) -> Callable[[], Any]:
        values = {
            "line": self.line.currentText(),
            "reason": self.reason.currentData(),
            "started_at": moment_of(self.started),
            "ended_at": None if self.still.isChecked() else moment_of(self.ended),
            "note": self.note.text(),
        }
        return lambda: s.record_stop(self.ctx.uow(), **values)


class EndStopDialog(FormDialog):
    """A stopped line runs again."""

    def __init__(self, ctx: Context, ops: Ops, stop: LineStopRow, parent: QWidget | None = None) -> None:
        super().__init__(_tr("{0} running again").format(stop.line_code), ops, parent)
        self.ctx, self.stop = ctx, stop
        said = QLabel(
            _tr("Stopped since {0}: {1}").format(moment(stop.started_at), stop.reason_name)
            + (f" — {stop.note}" if stop.note else ""),
            self,
        )
        said.setWordWrap(True)
        self.form.addRow(said)
        self.ended = self.add("ended_at", _tr("Running again at"), moment_edit(parent=self))
        self.ended.dateTimeChanged.connect(lambda _moment: self.revalidate())
        self.revalidate()

    def check(self) -> str | None:
        end = moment_of(self.ended)
        if end <= self.stop.started_at:
            return _tr("The line must run again after it stopped.")
        if end > datetime.now().astimezone() + timedelta(minutes=1):
            return _tr("That moment lies ahead; say the line runs again when it does.")
        return None

    def action(self) -> Callable[[], Any]:
        line, end, version = self.stop.line_code, moment_of(self.ended), self.stop.version
        return lambda: s.end_stop(self.ctx.uow(), line=line, ended_at=end, expected_version=version)


class EditStopDialog(FormDialog):
    """Correct a stop: its times, reason or note."""

    def __init__(self, ctx: Context, ops: Ops, lookups: LiveLookups, stop: LineStopRow, parent: QWidget | None = None):
        super().__init__(_tr("Correct a stop of {0}").format(stop.line_code), ops, parent)
        self.ctx, self.stop = ctx, stop
        self.reason = self.add("reason", _tr("Reason"), ReasonBox(lookups, (stop.reason_code, stop.reason_name), self))
        self.started = self.add("started_at", _tr("Stopped at"), moment_edit(stop.started_at, self))
        self.still = QCheckBox(_tr("still stopped"), self)
        self.still.setChecked(stop.ended_at is None)
        self.ended = moment_edit(stop.ended_at, self)
        self.ended.setEnabled(stop.ended_at is not None)
        self.still.toggled.connect(lambda on: self.ended.setEnabled(not on))
        self.still.toggled.connect(lambda _on: self.revalidate())
        self.add("ended_at", _tr("Running again at"), self.ended)
        self.form.addRow("", self.still)
        self.note = self.add("note", _tr("Note"), QLineEdit(stop.note or "", self))
        for edit in (self.started, self.ended):
            edit.dateTimeChanged.connect(lambda _moment: self.revalidate())
        self.revalidate()

    def check(self) -> str | None:
        if not self.still.isChecked() and moment_of(self.ended) <= moment_of(self.started):
            return _tr("The line must run again after it stopped.")
        return None

    def action(self) -> Callable[[], Any]:
        values = {
            "stop_id": self.stop.id,
            "reason": self.reason.currentData(),
            "started_at": moment_of(self.started),
            "ended_at": None if self.still.isChecked() else moment_of(self.ended),
            "note": self.note.text(),
            "expected_version": self.stop.version,
        }
        return lambda: s.edit_stop(self.ctx.uow(), **values)


class StopActions:
    """Line stopped, running again, correct a stop: shared by the Line stops screen, the dashboard and the board."""

    def __init__(self, host: Host, owner: QWidget) -> None:
        self.host, self.owner = host, owner
        make = host.action
        self.record_action = make(owner, "record_stop", _tr("Line &stopped…"), "line.stop", self.record, "Ctrl+Shift+S")
        self.end_action = make(owner, "end_stop", _tr("Line &running again…"), "line.stop", self.end_selected)
        self.edit_action = make(owner, "edit_stop", _tr("&Correct stop…"), "line.stop", self.edit_selected)
        self.actions = [self.record_action, self.end_action, self.edit_action]

    def menu(self) -> Menu:
        return _tr("&Lines"), list(self.actions)

    def selected(self) -> LineStopRow | None:
        """The stop selected on the screen in front (the Line stops screen, the dashboard's lines)."""
        pick = getattr(self.host.current(), "current_stop", None)
        found = pick() if callable(pick) else None
        return found if isinstance(found, LineStopRow) else None

    def record(self, line: str | None = None) -> StopDialog:
        """The form for a stop, on the line selected in front (a queue on the board, a row of the dashboard)."""
        host = self.host
        if line is None:
            pick = getattr(host.current(), "selected_key", None)
            chosen = pick("line") if callable(pick) else None
            line = chosen if isinstance(chosen, str) else None
        dialog = StopDialog(host.ctx, host.ops, host.lookups, line, self.owner)
        return host.open_form(dialog, _tr("Line stop recorded"))

    def end(self, stop: LineStopRow) -> EndStopDialog:
        dialog = EndStopDialog(self.host.ctx, self.host.ops, stop, self.owner)
        return self.host.open_form(dialog, _tr("{0} running again").format(stop.line_code))

    def end_selected(self) -> EndStopDialog | None:
        stop = self.selected()
        if stop is None or stop.ended_at is not None:
            self.host.say(
                _tr("Select a line that is still stopped first (on the Line stops screen or the dashboard)."), 6000
            )
            return None
        return self.end(stop)

    def edit_selected(self) -> EditStopDialog | None:
        stop = self.selected()
        if stop is None:
            self.host.say(_tr("Select a stop on the Line stops screen first."), 6000)
            return None
        host = self.host
        dialog = EditStopDialog(host.ctx, host.ops, host.lookups, stop, self.owner)
        return host.open_form(dialog, _tr("Stop corrected"))


class LineStopModel(PagedTableModel[LineStopRow]):
    class Columns(IntEnum):
        LINE = 0
        STARTED = 1
        ENDED = 2
        LASTED = 3
        REASON = 4
        NOTE = 5

    HEADERS = {
        Columns.LINE: QCoreApplication.translate("Stops", "Line"),
        Columns.STARTED: QCoreApplication.translate("Stops", "Stopped at"),
        Columns.ENDED: QCoreApplication.translate("Stops", "Running again at"),
        Columns.LASTED: QCoreApplication.translate("Stops", "Lasted"),
        Columns.REASON: QCoreApplication.translate("Stops", "Reason"),
        Columns.NOTE: QCoreApplication.translate("Stops", "Note"),
    }
    SORT_KEYS = {
        Columns.LINE: "line_code",
        Columns.STARTED: "started_at",
        Columns.ENDED: "ended_at",
        Columns.REASON: "reason_name",
    }
    DEFAULT_SORT = ("started_at", True)
    STRETCH = Columns.NOTE

    def cell(self, row: LineStopRow, column: Any, role: int) -> Any:
        c = self.Columns
        now = datetime.now().astimezone()
        standing = row.ended_at is None or row.started_at <= now < row.ended_at
        if role == DISPLAY:
            if row.ended_at is None:
                ended, lasted = _tr("still stopped"), span(now - row.started_at)
            else:
                ended, lasted = moment(row.ended_at), span(row.ended_at - row.started_at)
                if row.started_at > now:
                    lasted += " " + _tr("(planned)")
            return {
                c.LINE: row.line_code,
                c.STARTED: moment(row.started_at),
                c.ENDED: ended,
                c.LASTED: lasted,
                c.REASON: row.reason_name,
                c.NOTE: row.note or "",
            }[column]
        if role == BACKGROUND and standing and row.started_at <= now:
            return ALERT
        if role == FOREGROUND and column == c.ENDED and row.ended_at is None:
            return QBrush(ALERT_TEXT)
        if role == TOOLTIP:
            return f"{row.line_code} · {row.line_name}"
        return None


PERIODS = [
    (QCoreApplication.translate("Stops", "any time"), None),
    (QCoreApplication.translate("Stops", "last 7 days"), 7),
    (QCoreApplication.translate("Stops", "last 30 days"), 30),
    (QCoreApplication.translate("Stops", "last 90 days"), 90),
]


class LineStopsScreen(TableScreen):
    """Every stop of every line, the latest first: record, end and correct them."""

    WATCHES = frozenset({"line_stops", "stop_reasons", "production_lines"})
    SHOWS = frozenset({"line_stop"})
    VIEWS = frozenset({"line_stops"})

    def __init__(self, host: Host, stops: StopActions, parent: QWidget | None = None) -> None:
        ctx = host.ctx
        model = LineStopModel(
            host.ops,
            lambda f, so, d, o, n: q.line_stops(ctx.reader(), f, sort=so, descending=d, offset=o, limit=n),
            q.LineStopFilter(),
        )
        super().__init__("line_stops", model, host.ops, host.username, parent)
        self.host = host
        self.search.setPlaceholderText(_tr("Search the notes and reasons…  (Ctrl+F)"))
        self.line = self.add_filter(_tr("Line"), CodeFilter(host.lookups, lambda found: found.lines, _tr("all lines")))
        self.reason = self.add_filter(_tr("Reason"), combo([(_tr("any reason"), None)]))
        self._fill_reasons()
        host.lookups.changed.connect(self._fill_reasons)
        self.period = self.add_filter(_tr("When"), combo(PERIODS))
        self.open_only = self.add_filter("", QCheckBox(_tr("Still stopped only"), self))
        self.pinned: int | None = None  # one stop opened from the journal or an alert
        self.pin_label = QLabel(self)
        self.unpin = QPushButton(_tr("Show all stops"), self)
        self.unpin.clicked.connect(self._unpin)
        self.filters.addWidget(self.pin_label)
        self.filters.addWidget(self.unpin)
        self._show_pin()
        self.stops = stops
        self.toolbar.addActions(self.stops.actions)
        self.activated.connect(self._activated)

    # ---------------------------------------------------------------- the Screen protocol

    def title(self) -> str:
        return self.tr("Line &stops")

    def menus(self) -> list[Menu]:
        return [self.stops.menu()]

    def build_filter(self) -> q.LineStopFilter:
        days = self.period.currentData()
        return q.LineStopFilter(
            text=self.search.text() or None,
            line=self.line.currentData(),
            reason=self.reason.currentData(),
            since=datetime.now().astimezone() - timedelta(days=int(days)) if days else None,
            open_only=self.open_only.isChecked(),
            stop_id=self.pinned,
        )

    def update_actions(self) -> None:
        """Every stop action works from here; one without the stop it needs says which to select."""
        self.host.enable({"end_stop": True, "edit_stop": True})

    def selected_key(self, entity: str) -> str | None:
        row = self.current_stop() if entity == "line_stop" else None
        return str(row.id) if row is not None else None

    def show_record(self, entity: str, key: str) -> None:
        """One stop, opened from the journal or an alert."""
        if entity == "line_stop" and key.isdigit():
            self._reset_filters()
            self.pinned = int(key)
            self._show_pin()
            self.apply_filter()

    def show_view(self, view: str, filters: dict[str, Any]) -> None:
        """The stops behind a figure: a line's, those of the last days, or those still standing."""
        self._reset_filters()
        if filters.get("line"):
            self.line.setCurrentIndex(max(self.line.findData(filters["line"]), 0))
        if filters.get("days"):
            self.period.setCurrentIndex(max(self.period.findData(filters["days"]), 0))
        self.open_only.setChecked(bool(filters.get("open_only")))
        self.apply_filter()

    # ---------------------------------------------------------------- helpers

    def current_stop(self) -> LineStopRow | None:
        row = self.current_row() if self.host.is_current(self) else None
        return row if isinstance(row, LineStopRow) else None

    def _activated(self, row: LineStopRow) -> None:
        if row.ended_at is None and self.host.may("line.stop"):
            self.stops.end(row)

    def _fill_reasons(self) -> None:
        chosen = self.reason.currentData()
        self.reason.blockSignals(True)
        while self.reason.count() > 1:
            self.reason.removeItem(1)
        for code, name in self.host.lookups.current.stop_reasons:
            self.reason.addItem(name, code)
        self.reason.setCurrentIndex(max(self.reason.findData(chosen), 0) if chosen is not None else 0)
        self.reason.blockSignals(False)

    def _reset_filters(self) -> None:
        for box in (self.line, self.reason, self.period):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.open_only.blockSignals(True)
        self.open_only.setChecked(False)
        self.open_only.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.pinned = None
        self._show_pin()

    def _unpin(self) -> None:
        self.pinned = None
        self._show_pin()
        self.apply_filter()

    def _show_pin(self) -> None:
        pinned = self.pinned is not None
        self.pin_label.setText(_tr("Only stop #{0}").format(self.pinned) if pinned else "")
        self.pin_label.setVisible(pinned)
        self.unpin.setVisible(pinned)


class ReasonDialog(FormDialog):
    """A new stop reason, or a new name for one."""

    def __init__(self, ctx: Context, ops: Ops, existing: StopReasonRow | None, parent: QWidget | None = None) -> None:
        title = _tr("Rename stop reason {0}").format(existing.code) if existing else _tr("New stop reason")
        super().__init__(title, ops, parent)
        self.ctx, self.existing = ctx, existing
        self.code = self.add("code", _tr("Code"), QLineEdit(existing.code if existing else "", self))
        self.code.setReadOnly(existing is not None)
        self.code.setPlaceholderText(_tr("e.g. FILM-BREAK"))
        self.name = self.add("name", _tr("Name"), QLineEdit(existing.name if existing else "", self))
        self.name.setPlaceholderText(_tr("as the floor says it: film break"))
        self.revalidate()

    def check(self) -> str | None:
        if not self.code.text().strip():
            return _tr("Enter the code.")
        if not self.name.text().strip():
            return _tr("Enter the name.")
        return None

    def action(self) -> Callable[[], Any]:
        code, name = self.code.text(), self.name.text()
        if self.existing is None:
            return lambda: s.create_stop_reason(self.ctx.uow(), code=code, name=name)
        version = self.existing.version
        return lambda: s.rename_stop_reason(self.ctx.uow(), code=code, name=name, expected_version=version)


class StopReasonsDialog(QDialog):
    """Administration → Stop reasons: the short list the floor chooses from; archive what is no longer used."""

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.setWindowTitle(_tr("Stop reasons"))
        self.resize(560, 420)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("stopReasons")
        self.table.setHorizontalHeaderLabels([_tr("Code"), _tr("Name"), _tr("In use")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.rows: tuple[StopReasonRow, ...] = ()
        self.add_button = QPushButton(_tr("New reason…"), self)
        self.rename_button = QPushButton(_tr("Rename…"), self)
        self.archive_button = QPushButton(_tr("Archive"), self)
        self.add_button.clicked.connect(lambda: self._form(None))
        self.rename_button.clicked.connect(lambda: self._form(self.current()))
        self.archive_button.clicked.connect(self._toggle_archived)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.rename_button, self.archive_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        self.message = QLabel(self)
        self.message.setObjectName("formError")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._selection_changed()
        self.reload()

    def reload(self) -> None:
        ctx = self.host.ctx
        self.host.ops.run(lambda: q.stop_reasons(ctx.reader(), archived=None), self._show)

    def _show(self, rows: tuple[StopReasonRow, ...]) -> None:
        chosen = self.current()
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, reason in enumerate(rows):
            in_use = _tr("archived") if reason.archived else _tr("yes")
            for c, text in enumerate((reason.code, reason.name, in_use)):
                item = QTableWidgetItem(text)
                if reason.archived:
                    item.setForeground(QBrush(QUIET_TEXT))
                self.table.setItem(r, c, item)
            if chosen is not None and reason.code == chosen.code:
                self.table.selectRow(r)
        self._selection_changed()

    def current(self) -> StopReasonRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _selection_changed(self) -> None:
        reason = self.current()
        may = self.host.may("masterdata.manage")
        self.add_button.setEnabled(may)
        self.rename_button.setEnabled(may and reason is not None)
        self.archive_button.setEnabled(may and reason is not None)
        self.archive_button.setText(_tr("Restore") if reason is not None and reason.archived else _tr("Archive"))

    def _form(self, existing: StopReasonRow | None) -> None:
        dialog = ReasonDialog(self.host.ctx, self.host.ops, existing, self)
        dialog.succeeded.connect(lambda _result: self._changed(_tr("Stop reasons saved")))
        dialog.open()
        self.form_dialog = dialog

    def _toggle_archived(self) -> None:
        reason = self.current()
        if reason is None:
            return
        ctx, code, archived = self.host.ctx, reason.code, not reason.archived
        self.host.ops.run(
            lambda: s.set_stop_reason_archived(ctx.uow(), code=code, archived=archived),
            lambda _result: self._changed(
                _tr("{0} archived").format(code) if archived else _tr("{0} restored").format(code)
            ),
            lambda exc: self.message.setText(message_for(exc)),
        )

    def _changed(self, text: str) -> None:
        self.message.clear()
        self.host.say(text)
        self.host.wrote.emit()
        self.reload()
