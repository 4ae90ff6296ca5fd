"""The dashboard: the plant at a glance, live; each figure and alert a click away from what is behind it.

The figures come from the feed (ui/dashboard_feed.py); widgets are updated in place, and only
those whose section changed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import dashboard as d
from app import queries as q
from app.dto import EventRow, LineStopRow
from app.formatting import day, hours, moment, percent, quantity, short_moment, span
from domain.alerts import Alert
from domain.vocabulary import AlertKind, BatchStatus, LineState, Severity
from ui import panels
from ui.charts import LineBars, OutputChart
from ui.dashboard_feed import DashboardFeed, alert_text, severity_name
from ui.panels import RowsDialog, Tile
from ui.screen import Host, Menu
from ui.stops import StopActions
from ui.tables import ALERT, ALERT_TEXT, QUIET_TEXT
from ui.words import term

GOOD = QColor("#1b7a2f")
STATE_COLOURS = {LineState.RUNNING: GOOD, LineState.IDLE: QUIET_TEXT, LineState.STOPPED: ALERT_TEXT}


# ---------------------------------------------------------------- the screen


TILES = (
    ("lines", QCoreApplication.translate("Dashboard", "Lines running")),
    ("availability", QCoreApplication.translate("Dashboard", "Availability, 7 days")),
    ("late", QCoreApplication.translate("Dashboard", "Orders late now")),
    ("on_time", QCoreApplication.translate("Dashboard", "On time, 30 days")),
    ("queued", QCoreApplication.translate("Dashboard", "Work queued")),
    ("below", QCoreApplication.translate("Dashboard", "Below reorder level")),
    ("expiring", QCoreApplication.translate("Dashboard", "Expiring soon")),
    ("release", QCoreApplication.translate("Dashboard", "Waiting for release")),
    ("on_hold", QCoreApplication.translate("Dashboard", "Blocked stock")),
)


class DashboardScreen(QWidget):
    """The plant at a glance: figures, lines now, alerts, charts, stock and quality, recent activity."""

    WATCHES: ClassVar[frozenset[str]] = frozenset()  # the feed follows the plant itself, also when hidden
    SHOWS: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, host: Host, feed: DashboardFeed, stops: StopActions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host, self.feed, self.stops = host, feed, stops
        self.loaded_once = False
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addActions([stops.record_action, stops.end_action])
        self.as_of = QLabel(self)
        self.as_of.setObjectName("rowCount")
        top = QHBoxLayout()
        top.addWidget(self.toolbar, 1)
        top.addWidget(self.as_of)

        self.content = QWidget(self)
        self.content.setObjectName("dashboardContent")
        grid = QGridLayout(self.content)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(10)
        grid.addLayout(self._tiles(), 0, 0, 1, 2)
        grid.addWidget(self._lines_panel(), 1, 0)
        grid.addWidget(self._alerts_panel(), 1, 1)
        grid.addWidget(self._output_panel(), 2, 0)
        grid.addWidget(self._bars_panel(), 2, 1)
        grid.addLayout(self._stock_row(), 3, 0)
        grid.addWidget(self._journal_panel(), 3, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.content)
        self.scroller = scroll
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        self.lines_now: tuple[d.LineNow, ...] = ()
        self.alert_items: list[Alert | AlertKind] = []
        feed.changed.connect(self.show_sections)
        feed.alerts_changed.connect(self.show_alerts)
        feed.failed.connect(lambda text: self.as_of.setText(text))

    # ---------------------------------------------------------------- building

    def _tiles(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.tiles: dict[str, Tile] = {}
        for name, title in TILES:
            tile = Tile(name, title, self.content)
            tile.clicked.connect(lambda _checked=False, n=name: self.open_tile(n))
            self.tiles[name] = tile
            row.addWidget(tile)
        return row

    def _lines_panel(self) -> QFrame:
        headers = [
            self.tr("Line"),
            self.tr("State"),
            self.tr("Order or reason"),
            self.tr("Since"),
            self.tr("Expected end"),
            self.tr("Queued"),
            self.tr("Work"),
            self.tr("Late"),
        ]
        self.lines_table = panels.table(headers, self.content, stretch=2)
        self.lines_table.setObjectName("linesNow")
        self.lines_table.setMinimumHeight(24 * 10 + 30)
        self.lines_table.doubleClicked.connect(lambda index: self.open_line(index.row()))
        self.lines_table.activated.connect(lambda index: self.open_line(index.row()))
        self.lines_table.itemSelectionChanged.connect(self.update_actions)
        return panels.panel(self.tr("Lines now"), self.lines_table, self.content)

    def _alerts_panel(self) -> QFrame:
        self.alert_list = QListWidget(self.content)
        self.alert_list.setObjectName("alertList")
        self.alert_list.setWordWrap(True)
        self.alert_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.alert_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.alert_list.setMinimumHeight(24 * 10 + 30)
        self.alert_list.setCursor(Qt.CursorShape.PointingHandCursor)
        self.alert_list.itemClicked.connect(lambda item: self.open_alert(self.alert_list.row(item)))
        self.alert_list.itemActivated.connect(lambda item: self.open_alert(self.alert_list.row(item)))
        frame = panels.panel(self.tr("Alerts"), self.alert_list, self.content)
        heading = frame.findChild(QLabel, "panelTitle")
        assert heading is not None
        self.alerts_heading = heading
        return frame

    def _output_panel(self) -> QFrame:
        body = QWidget(self.content)
        self.output_grid = QGridLayout(body)
        self.output_grid.setContentsMargins(0, 0, 0, 0)
        self.output_grid.setSpacing(6)
        self.output_charts: dict[str, OutputChart] = {}
        return panels.panel(
            self.tr("Output per day against capacity at the nominal rate (% of a full day)"), body, self.content
        )

    def _bars_panel(self) -> QFrame:
        body = QWidget(self.content)
        box = QHBoxLayout(body)
        box.setContentsMargins(0, 0, 0, 0)
        self.availability_chart = LineBars(self.tr("Availability, last 7 days (%)"), "@value", 100, body)
        self.availability_chart.setObjectName("availabilityChart")
        self.availability_chart.line_clicked.connect(
            lambda code: self.host.view_requested.emit("line_stops", {"line": code, "days": 7})
        )
        self.queued_chart = LineBars(self.tr("Work queued (hours)"), "@value", 1, body)
        self.queued_chart.setObjectName("queuedChart")
        self.queued_chart.line_clicked.connect(lambda code: self.host.open_requested.emit("line", code))
        box.addWidget(self.availability_chart)
        box.addWidget(self.queued_chart)
        return panels.panel(self.tr("Availability and queued work per line"), body, self.content)

    def _stock_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(10)
        self.below_table = panels.table(
            [self.tr("Material"), self.tr("Name"), self.tr("On hand"), self.tr("Reorder at")], self.content, 1
        )
        self.below_table.setObjectName("belowReorder")
        self.below_table.doubleClicked.connect(lambda index: self.open_material(index.row()))
        self.blocked_table = panels.table(
            [self.tr("Material"), self.tr("Name"), self.tr("Quantity"), self.tr("Batches")], self.content, 1
        )
        self.blocked_table.setObjectName("blockedStock")
        self.blocked_table.doubleClicked.connect(lambda index: self.open_blocked(index.row()))
        for shown in (self.below_table, self.blocked_table):
            shown.setMinimumHeight(24 * 8 + 30)
        self.below_panel = panels.panel(self.tr("Below reorder level"), self.below_table, self.content)
        self.blocked_panel = panels.panel(self.tr("Blocked stock by material"), self.blocked_table, self.content)
        row.addWidget(self.below_panel)
        row.addWidget(self.blocked_panel)
        return row

    def _journal_panel(self) -> QFrame:
        self.journal_table = panels.table([self.tr("When"), self.tr("Who"), self.tr("What")], self.content, 2)
        self.journal_table.setObjectName("recentActivity")
        self.journal_table.setMinimumHeight(24 * 8 + 30)
        self.journal_table.doubleClicked.connect(lambda index: self.open_entry(index.row()))
        link = QPushButton(self.tr("The whole journal…"), self.content)
        link.setFlat(True)
        link.clicked.connect(lambda: self.host.view_requested.emit("events", {}))
        return panels.panel(self.tr("Recent activity"), self.journal_table, self.content, link)

    # ---------------------------------------------------------------- the Screen protocol

    def title(self) -> str:
        return self.tr("Dashboard")  # no mnemonic: Alt+D opens the Orders menu, and its other letters are taken

    def menus(self) -> list[Menu]:
        return []

    def reload(self) -> None:
        """Read every figure again."""
        self.feed.request(d.SECTION_NAMES)

    def refresh_in_place(self) -> None:
        """The feed keeps the figures current by itself; asked anyway, it reads them all."""
        self.reload()

    def focus_search(self) -> None:
        self.alert_list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def ask_export(self) -> None:
        self.host.say(self.tr("The dashboard prints: Reports → Dashboard."))

    def update_actions(self) -> None:
        """ "Line running again" for the stopped line selected in "Lines now"."""
        if self.host.is_current(self):
            self.host.enable({"end_stop": self.current_stop() is not None})

    def save_layout(self) -> None:
        """The dashboard has no layout of its own to keep."""

    def restore_layout(self) -> None:
        """The dashboard has no layout of its own to keep."""

    def selected_key(self, entity: str) -> str | None:
        row = self.lines_table.currentRow()
        if entity == "line" and 0 <= row < len(self.lines_now):
            return self.lines_now[row].code
        return None

    def show_record(self, entity: str, key: str) -> None:
        """The dashboard shows no single record."""

    def current_stop(self) -> LineStopRow | None:
        """The stop of the line selected in "Lines now", if it stands."""
        row = self.lines_table.currentRow()
        return self.lines_now[row].stop if 0 <= row < len(self.lines_now) else None

    # ---------------------------------------------------------------- showing

    def showEvent(self, event: Any) -> None:
        """In front: every section is kept current again."""
        self.feed.set_visible(True)
        super().showEvent(event)

    def hideEvent(self, event: Any) -> None:
        """Behind another screen: only the alerts' sections are kept current."""
        self.feed.set_visible(False)
        super().hideEvent(event)

    def show_sections(self, names: frozenset[str]) -> None:
        parts = self.feed.parts
        at = self.feed.read_at
        if "lines" in names:
            self._show_lines(parts["lines"], at)
        if "output" in names:
            self._show_output(parts["output"])
        if "availability" in names:
            av: d.Availability = parts["availability"]
            self.availability_chart.show_values([x.code for x in av.lines], [x.availability * 100 for x in av.lines])
        if "materials" in names:
            self._show_materials(parts["materials"])
        if "batches" in names:
            self._show_batches(parts["batches"], at)
        if "journal" in names:
            self._show_journal(parts["journal"])
        self._show_tiles()
        self.as_of.setText(self.tr("As of {0}").format(moment(at)))
        if self.feed.complete:
            self.loaded_once = True

    def _show_tiles(self) -> None:
        board = self.feed.dashboard()
        if board is None:
            return
        lines, batches = board.lines, board.batches
        running, stopped = lines.count(LineState.RUNNING), lines.count(LineState.STOPPED)
        oldest = batches.oldest_pending
        figures = {
            "lines": (
                self.tr("{0} of {1}").format(running, len(lines.lines)),
                self.tr("{0} idle · {1} stopped").format(lines.count(LineState.IDLE), stopped),
                stopped > 0,
            ),
            "availability": (percent(board.availability.overall), self.tr("time not stopped, all lines"), False),
            "late": (str(len(lines.late)), self.tr("by the queue's estimate"), bool(lines.late)),
            "on_time": (
                percent(board.on_time.rate),
                self.tr("{0} of {1} finished orders").format(board.on_time.on_time, board.on_time.finished),
                False,
            ),
            "queued": (hours(lines.hours_queued), self.tr("on {0} lines").format(len(lines.lines)), False),
            "below": (
                str(len(board.materials.below)),
                self.tr("{0} out of stock").format(board.materials.out_of_stock),
                board.materials.out_of_stock > 0,
            ),
            "expiring": (
                str(len(batches.expiring)),
                self.tr("within {0} days · {1} expired in stock").format(batches.expiry_days, len(batches.expired)),
                bool(batches.expired),
            ),
            "release": (
                str(len(batches.pending)),
                self.tr("the oldest for {0}").format(span(board.at - oldest)) if oldest else self.tr("none waiting"),
                batches.pending_too_long > 0,
            ),
            "on_hold": (
                str(len(batches.blocked)),
                self.tr("materials · {0} batches on hold").format(sum(b.batches for b in batches.blocked)),
                False,
            ),
        }
        for name, (figure, detail, alarming) in figures.items():
            self.tiles[name].show_figure(figure, detail, alarming)

    def _show_lines(self, lines: d.Lines, at: datetime) -> None:
        self.lines_now = lines.lines
        rows = []
        for ln in lines.lines:
            if ln.state is LineState.STOPPED:
                lasted = f" ({span(at - ln.stopped_since)})" if ln.stopped_since else ""
                what = (ln.reason or "") + lasted + (f" — {ln.stop_note}" if ln.stop_note else "")
                if ln.order_number:
                    what += self.tr("; {0} waits").format(ln.order_number)
                since = ln.stopped_since
            elif ln.state is LineState.RUNNING:
                what, since = f"{ln.order_number} · {ln.customer_name}", ln.order_since
            else:
                what, since = self.tr("nothing running"), None
            stopped = ln.state is LineState.STOPPED
            rows.append(
                (
                    [
                        ln.code,
                        term(ln.state),
                        what,
                        short_moment(since),
                        short_moment(ln.expected_end),
                        str(ln.queued),
                        hours(ln.hours_queued),
                        str(ln.late) if ln.late else "",
                    ],
                    ALERT if stopped else None,
                    QBrush(STATE_COLOURS[ln.state]) if stopped else None,
                )
            )
        panels.fill(self.lines_table, rows, {5, 6, 7})
        for r, ln in enumerate(lines.lines):
            item = self.lines_table.item(r, 1)
            if item is not None:
                item.setForeground(QBrush(STATE_COLOURS[ln.state]))
        self.queued_chart.show_values([ln.code for ln in lines.lines], [ln.hours_queued for ln in lines.lines])
        self.update_actions()

    def _show_output(self, output: d.Output) -> None:
        codes = [ln.code for ln in output.lines]
        if codes != list(self.output_charts):
            for chart in self.output_charts.values():
                chart.deleteLater()
            self.output_charts = {}
            for i, code in enumerate(codes):
                chart = OutputChart(code, self.content)
                chart.setObjectName(f"output-{code}")
                chart.clicked.connect(lambda c=code: self.open_output(c))
                self.output_grid.addWidget(chart, i // 5, i % 5)
                self.output_charts[code] = chart
        for line in output.lines:
            self.output_charts[line.code].show_line(line, output.days)

    def _show_materials(self, materials: d.Materials) -> None:
        self.below_materials = materials.below
        rows = [
            (
                [m.code, m.name, quantity(m.on_hand, m.unit), quantity(m.reorder_level, m.unit)],
                ALERT if m.on_hand <= 0 else None,
                QBrush(ALERT_TEXT) if m.on_hand <= 0 else None,
            )
            for m in materials.below
        ]
        panels.fill(self.below_table, rows, {2, 3})
        self._heading(self.below_panel, self.tr("Below reorder level ({0})").format(len(materials.below)))

    def _show_batches(self, batches: d.Batches, at: datetime) -> None:
        self.blocked_stock = batches.blocked
        rows = [
            ([b.material_code, b.material_name, quantity(b.quantity, b.unit), str(b.batches)], None, None)
            for b in batches.blocked
        ]
        panels.fill(self.blocked_table, rows, {2, 3})
        self._heading(self.blocked_panel, self.tr("Blocked stock by material ({0})").format(len(batches.blocked)))

    def _show_journal(self, journal: d.Journal) -> None:
        self.entries: tuple[EventRow, ...] = journal.entries
        rows = [([moment(e.occurred_at), e.username, e.summary], None, None) for e in journal.entries]
        panels.fill(self.journal_table, rows, set())

    @staticmethod
    def _heading(panel: QFrame, text: str) -> None:
        label = panel.findChild(QLabel, "panelTitle")
        if label is not None and label.text() != text:
            label.setText(text)

    def show_alerts(self) -> None:
        found = self.feed.alerts
        at = self.feed.read_at
        self.alert_list.setUpdatesEnabled(False)
        try:
            self.alert_list.clear()
            self.alert_items = []
            for alert in found.alerts:
                item = QListWidgetItem(f"{severity_name(alert.severity)} · {alert_text(alert, at)}")
                item.setToolTip(term(alert.kind))
                if alert.severity is Severity.CRITICAL:
                    item.setForeground(QBrush(ALERT_TEXT))
                    item.setBackground(ALERT)
                self.alert_list.addItem(item)
                self.alert_items.append(alert)
            for kind, more in found.more.items():
                item = QListWidgetItem(self.tr("… and {0} more: {1}").format(more, term(kind)))
                item.setForeground(QBrush(QUIET_TEXT))
                self.alert_list.addItem(item)
                self.alert_items.append(kind)
            if not found.total:
                item = QListWidgetItem(self.tr("Nothing needs attention now."))
                item.setForeground(QBrush(QUIET_TEXT))
                self.alert_list.addItem(item)
        finally:
            self.alert_list.setUpdatesEnabled(True)
        self.alerts_heading.setText(self.tr("Alerts ({0})").format(found.total))

    # ---------------------------------------------------------------- one click: the rows behind, or the subject

    def open_alert(self, row: int) -> None:
        if not 0 <= row < len(self.alert_items):
            return
        item = self.alert_items[row]
        if isinstance(item, AlertKind):
            self.open_kind(item)
        else:
            self.open_subject(item.subject, item.key)

    def open_subject(self, entity: str, key: str) -> None:
        """What an alert or a row is about; a material's, on the dashboard, is its stock."""
        if entity == "material":
            self.host.view_requested.emit("inventory", {"material": key})
        else:
            self.host.open_requested.emit(entity, key)

    def open_kind(self, kind: AlertKind) -> None:
        """The rows behind alerts of one rule that the list leaves out."""
        views = {
            AlertKind.EXPIRED_IN_STOCK: ("batches", {"expired": True}),
            AlertKind.PENDING_TOO_LONG: ("batches", {"status": BatchStatus.PENDING.value}),
            AlertKind.LINE_STOPPED: ("line_stops", {"open_only": True}),
        }
        if kind in views:
            self.host.view_requested.emit(*views[kind])
        elif kind in (AlertKind.ORDER_LATE, AlertKind.ORDER_OVERDUE):
            self.open_tile("late")
        else:
            self.open_tile("below")

    def open_tile(self, name: str) -> None:
        board = self.feed.dashboard()
        if board is None:
            return
        batches = board.batches
        if name in ("lines", "queued"):
            self.host.view_requested.emit("queue", {})
        elif name == "availability":
            self.host.view_requested.emit("line_stops", {"days": 7})
        elif name == "late":
            self._late_orders(board)
        elif name == "on_time":
            self._finished_orders()
        elif name == "below":
            self._below_reorder(board)
        elif name == "expiring":
            self.host.view_requested.emit("batches", {"expiring_within": batches.expiry_days})
        elif name == "release":
            self.host.view_requested.emit("batches", {"status": BatchStatus.PENDING.value})
        elif name == "on_hold":
            self.host.view_requested.emit("batches", {"status": BatchStatus.BLOCKED.value, "in_stock": True})

    def open_line(self, row: int) -> None:
        if not 0 <= row < len(self.lines_now):
            return
        line = self.lines_now[row]
        if line.stop is not None:
            self.host.open_requested.emit("line_stop", str(line.stop.id))
        elif line.order_number:
            self.host.open_requested.emit("order", line.order_number)
        else:
            self.host.open_requested.emit("line", line.code)

    def open_material(self, row: int) -> None:
        materials = getattr(self, "below_materials", ())
        if 0 <= row < len(materials):
            self.open_subject("material", materials[row].code)

    def open_blocked(self, row: int) -> None:
        blocked = getattr(self, "blocked_stock", ())
        if 0 <= row < len(blocked):
            self.host.view_requested.emit(
                "batches",
                {"status": BatchStatus.BLOCKED.value, "material": blocked[row].material_code, "in_stock": True},
            )

    def open_entry(self, row: int) -> None:
        entries = getattr(self, "entries", ())
        if not 0 <= row < len(entries) or entries[row].entity_id is None:
            return
        entry = entries[row]
        ctx = self.host.ctx
        entity, entity_id = entry.entity_type, entry.entity_id
        assert entity_id is not None

        def go(key: str | None) -> None:
            if key is None:
                self.host.say(self.tr("That record no longer exists."), 6000)
            else:
                self.host.open_requested.emit(entity, key)

        self.host.ops.run(lambda: q.entity_key(ctx.reader(), entity, entity_id), go)

    def open_output(self, code: str) -> None:
        ctx = self.host.ctx
        self.host.ops.run(lambda: d.output_behind(ctx, code), lambda rows: self._show_output_rows(code, rows))

    def _show_output_rows(self, code: str, rows: tuple[d.OutputBatch, ...]) -> None:
        self._rows(
            self.tr("Output of {0}, last {1} days").format(code, d.OUTPUT_DAYS),
            [self.tr("Made at"), self.tr("Batch"), self.tr("Order"), self.tr("Material"), self.tr("Quantity")],
            [
                (
                    [moment(b.made_at), b.batch_number, b.order_number, b.material_name, quantity(b.quantity, b.unit)],
                    ("batch", b.batch_number),
                    False,
                )
                for b in rows
            ],
        )

    def _late_orders(self, board: d.Dashboard) -> None:
        self._rows(
            self.tr("Orders late now, by the queue's estimate"),
            [self.tr("Order"), self.tr("Customer"), self.tr("Line"), self.tr("Due"), self.tr("Estimated end")],
            [
                (
                    [o.number, o.customer_name, o.line_code, day(o.due_date), moment(o.estimated_end)],
                    ("order", o.number),
                    o.due_date < board.at.astimezone().date(),
                )
                for o in board.lines.late
            ],
        )

    def _finished_orders(self) -> None:
        ctx = self.host.ctx

        def show(rows: tuple[d.FinishedOrder, ...]) -> None:
            self._rows(
                self.tr("Orders finished in the last {0} days").format(d.ON_TIME_DAYS),
                [self.tr("Order"), self.tr("Customer"), self.tr("Line"), self.tr("Due"), self.tr("Finished")],
                [
                    (
                        [o.number, o.customer_name, o.line_code or "", day(o.due_date), moment(o.finished_at)],
                        ("order", o.number),
                        not o.on_time,
                    )
                    for o in rows
                ],
            )

        self.host.ops.run(lambda: d.finished_behind(ctx), show)

    def _below_reorder(self, board: d.Dashboard) -> None:
        self._rows(
            self.tr("Materials below their reorder level"),
            [self.tr("Material"), self.tr("Name"), self.tr("On hand"), self.tr("Reorder at")],
            [
                (
                    [m.code, m.name, quantity(m.on_hand, m.unit), quantity(m.reorder_level, m.unit)],
                    ("material", m.code),
                    m.on_hand <= Decimal(0),
                )
                for m in board.materials.below
            ],
        )

    def _rows(self, title: str, headers: list[str], rows: list[tuple[list[str], tuple[str, str] | None, bool]]) -> None:
        self.rows_dialog = RowsDialog(title, headers, rows, self.open_subject, self)
        self.rows_dialog.open()
