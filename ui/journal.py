"""The Events screen: the journal, newest first, filtered by dates, user, subject, action and text."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QWidget

from app import queries as q
from app.dto import EventRow
from ui.screen import Host, Menu
from ui.tables import EventModel
from ui.widgets import TableScreen, combo
from ui.words import journal_words


class EventsScreen(TableScreen):
    WATCHES = frozenset({"events", "users"})
    VIEWS = frozenset({"events"})

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        ctx = host.ctx
        model = EventModel(
            host.ops,
            # The first page does not wait for a common text's exact count; the model reads it next.
            lambda f, s, d, o, n: q.events(ctx.reader(), f, sort=s, descending=d, offset=o, limit=n, quick=True),
            q.EventFilter(),
        )
        super().__init__("events", model, host.ops, host.username, parent)
        self.host = host
        self._choices_loaded = False
        self.date_from = self._date_filter("From")
        self.date_to = self._date_filter("To")
        self.user = self.add_filter("User", combo([("anyone", None)]))
        self.entity = self.add_filter("About", combo([("anything", None)]))
        self.action = self.add_filter("Action", combo([("any action", None)]))
        self.toolbar.hide()  # the journal is only read: it has no actions
        self.activated.connect(self.open_event)

    def title(self) -> str:
        return self.tr("&Events")

    def show_view(self, view: str, filters: dict[str, object]) -> None:
        """The journal as it stands, newest first (the dashboard's recent activity, in full)."""
        self.reload()

    def menus(self) -> list[Menu]:
        return []

    def _date_filter(self, label: str) -> tuple[QCheckBox, QDateEdit]:
        check = QCheckBox(label, self)
        edit = QDateEdit(QDate.currentDate(), self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)
        check.toggled.connect(edit.setEnabled)
        self.add_filter("", check)
        self.add_filter("", edit)
        return check, edit

    def reload(self) -> None:
        if not self._choices_loaded:
            # Once, and after the first rows: reading them from a million entries takes as long as the
            # first page, which would share the machine with it.
            self._choices_loaded = True
            self.model.loaded.connect(self.load_choices, Qt.ConnectionType.SingleShotConnection)
        super().reload()

    def load_choices(self) -> None:
        """Fill the user, subject and action pickers from the journal itself, keeping what is chosen."""
        ctx = self.host.ctx

        def fill(choices: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]) -> None:
            for box, values in zip((self.user, self.entity, self.action), choices, strict=True):
                self._refill(box, values)

        self.ops.run(lambda: q.event_choices(ctx.reader()), fill)

    @staticmethod
    def _refill(box: QComboBox, values: tuple[str, ...]) -> None:
        chosen = box.currentData()
        box.blockSignals(True)
        while box.count() > 1:  # the first entry is "any"
            box.removeItem(1)
        for value in values:
            box.addItem(journal_words(value), value)
        box.setCurrentIndex(max(box.findData(chosen), 0) if chosen is not None else 0)
        box.blockSignals(False)

    @staticmethod
    def _date(pair: tuple[QCheckBox, QDateEdit]) -> date | None:
        check, edit = pair
        if not check.isChecked():
            return None
        d = edit.date()
        return date(d.year(), d.month(), d.day())

    def build_filter(self) -> q.EventFilter:
        return q.EventFilter(
            date_from=self._date(self.date_from),
            date_to=self._date(self.date_to),
            username=self.user.currentData(),
            entity_type=self.entity.currentData(),
            action=self.action.currentData(),
            text=self.search.text() or None,
        )

    def open_event(self, event: EventRow) -> None:
        """Double-clicking a journal entry (or Enter on it) opens what it is about: a batch's page, an order…"""
        if event.entity_id is None:
            return
        if event.subject is None:
            self.host.say(self.tr("That record no longer exists."), 6000)
            return
        self.host.open_requested.emit(event.entity_type, event.subject)
