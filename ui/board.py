"""The planning board: the backlog beside every line's queue, planned by drag and drop.

Each drop is one call of the planning service; the board then reloads from the
database, so what it shows is always what was saved.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Protocol

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import queries as q
from app.dto import LineQueue, LineStopRow, OrderRow, ScheduledOrder
from app.formatting import hours as hours_text
from app.formatting import rate as line_rate
from domain.vocabulary import OrderStatus
from ui.board_cards import CAPTION_ROLE, GROUPINGS, ORDER_ROLE, CardDelegate, arranged, priority_words
from ui.board_moves import Place, UndoMoves, place_in_turn, restore
from ui.ops import message_for
from ui.production import ProductionActions
from ui.schedule import ZOOMS, ScheduleView
from ui.screen import Host, Menu
from ui.tables import ALERT_TEXT, day, qty
from ui.widgets import settings
from ui.words import of
from ui.zoom import fit

MIME = "application/x-mpsystem-order"
Index = QModelIndex | QPersistentModelIndex
LATE = QBrush(QColor("#fde2e1"))
RUNNING = QBrush(QColor("#fff4d6"))
HALTED = QBrush(QColor("#f6c9c6"))  # a running order whose line stands still


def _short(moment: datetime) -> str:
    return moment.astimezone().strftime("%d.%m %H:%M")


class _OrderListModel(QAbstractListModel):
    """Orders in a list that takes drops; a drop asks for a move and changes nothing itself."""

    drop_requested = Signal(str, int, object, int)  # number, version, line code (None: backlog), position
    drops_requested = Signal(object, object, int)  # several orders picked together: numbers, line code, position

    def __init__(self, line_code: str | None, parent: Any = None) -> None:
        super().__init__(parent)
        self.line_code = line_code
        self.items: list[Any] = []
        self.stopped: LineStopRow | None = None  # the stop the line stands in now

    def order_at(self, row: int) -> OrderRow:
        item = self.items[row]
        return item.order if isinstance(item, ScheduledOrder) else item

    def set_items(self, items: list[Any]) -> None:
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """The orders in this list."""
        return 0 if parent.isValid() else len(self.items)

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Orders drag; the list (and each gap in it) takes drops."""
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        flags = base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if of(OrderStatus, self.order_at(index.row()).status).may_plan:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def supportedDropActions(self) -> Qt.DropAction:
        """Orders move; they are never copied."""
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        """Orders move; they are never copied."""
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        """Only orders are dropped here."""
        return [MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The dragged order's number and the version the planner saw."""
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        if rows:
            order = self.order_at(rows[0])
            payload = {
                "number": order.number,
                "version": order.version,
                "line": order.line_code,
                "numbers": [self.order_at(r).number for r in rows],  # several cards picked with Ctrl or Shift
            }
            data.setData(MIME, QByteArray(json.dumps(payload).encode()))
        return data

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        """Accept an order moved here."""
        return data.hasFormat(MIME) and action == Qt.DropAction.MoveAction

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        """Turn the drop into a position and ask the board to plan it there."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        payload = json.loads(bytes(data.data(MIME).data()).decode())
        if row < 0:
            row = parent.row() if parent.isValid() else len(self.items)
        current = next((i for i, _ in enumerate(self.items) if self.order_at(i).number == payload["number"]), None)
        # Positions count the other orders: moving down a list, the order leaves a gap above.
        position = row if current is not None and current < row else row + 1
        if current is not None and position == current + 1:
            return False  # dropped where it already is
        numbers = list(payload.get("numbers") or [payload["number"]])
        if len(numbers) > 1:
            self.drops_requested.emit(numbers, self.line_code, position)
        else:
            self.drop_requested.emit(payload["number"], int(payload["version"]), self.line_code, position)
        return True

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Two lines per order; late orders, the running one and a stopped line's stand out."""
        if not index.isValid() or index.row() >= len(self.items):
            return None
        item = self.items[index.row()]
        order = self.order_at(index.row())
        running = of(OrderStatus, order.status).is_running
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, order, running)
        if role == Qt.ItemDataRole.BackgroundRole and isinstance(item, ScheduledOrder):
            return self._background(item, running)
        if role == Qt.ItemDataRole.ForegroundRole and isinstance(item, ScheduledOrder) and item.late:
            return QBrush(ALERT_TEXT)
        if role == Qt.ItemDataRole.ToolTipRole:
            note = f" ({order.note})" if order.note else ""
            tip = (
                f"{order.number}: {order.product_code} {order.product_name}{note}, due {day(order.due_date)}, "
                f"priority: {priority_words(order.priority)}"
            )
            if running and self.stopped is not None:
                tip += "\n" + QCoreApplication.translate("Board", "The line stopped at {0}: {1}").format(
                    _short(self.stopped.started_at), self.stopped.reason_name
                )
            return tip
        if role == Qt.ItemDataRole.SizeHintRole:  # three lines of text at the client's size now
            return QSize(240, QFontMetrics(QApplication.font()).lineSpacing() * 3 + 10)
        return None

    def _text(self, item: Any, order: OrderRow, running: bool) -> str:
        first = f"{order.number}  ·  {order.customer_name}\n{order.product_name}  ·  {qty(order.quantity, order.unit)}"
        if not isinstance(item, ScheduledOrder):
            return f"{first}\ndue {day(order.due_date)}  ·  priority: {priority_words(order.priority)}"
        timing = f"{_short(item.estimated_start)} → {_short(item.estimated_end)}"
        flag = "  LATE" if item.late else ""
        now = "  RUNNING" if running else ""
        if running and self.stopped is not None:
            now = "  " + QCoreApplication.translate("Board", "LINE STOPPED")
        return f"{item.order.position}. {first}\ndue {day(order.due_date)}  ·  {timing}{flag}{now}"

    def _background(self, item: ScheduledOrder, running: bool) -> QBrush | None:
        if running and self.stopped is not None:
            return HALTED
        if item.late:
            return LATE
        return RUNNING if running else None


class QueueModel(_OrderListModel):
    """One line's queue, in sequence, with estimated times."""


class BacklogModel(_OrderListModel):
    """New orders waiting for a line, as cards in groups; dropping a planned order here unplans it."""

    def __init__(self, line_code: str | None, parent: Any = None) -> None:
        super().__init__(line_code, parent)
        self.captions: dict[int, str] = {}  # the row that starts a group: the group's caption

    def set_cards(self, cards: list[tuple[OrderRow, str | None]]) -> None:
        self.captions = {row: caption for row, (_order, caption) in enumerate(cards) if caption}
        self.set_items([order for order, _caption in cards])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The card's order and its group's caption for the card delegate; the rest as every list."""
        if index.isValid() and index.row() < len(self.items):
            if role == ORDER_ROLE:
                return self.order_at(index.row())
            if role == CAPTION_ROLE:
                return self.captions.get(index.row())
        return super().data(index, role)


def _list_view(model: _OrderListModel, parent: QWidget) -> QListView:
    view = QListView(parent)
    view.setModel(model)
    view.setDragEnabled(True)
    view.setAcceptDrops(True)
    view.setDropIndicatorShown(True)
    view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
    view.setDefaultDropAction(Qt.DropAction.MoveAction)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setSpacing(1)
    view.setWordWrap(True)
    return view


class BoardView(Protocol):
    """The board's part of a screen, as each of its views (the queues as lists, the schedule) does it:
    bring an order or a line into view, and say at a line why it refused a drop."""

    def show_order(self, number: str) -> bool: ...

    def show_line(self, code: str) -> None: ...

    def show_refusal(self, code: str, text: str) -> None: ...


class QueueLists:
    """The queues view: one list per line in a grid of panels that scrolls (the board builds the panels)."""

    def __init__(self, board: PlanningBoard) -> None:
        self.board = board

    def show_order(self, number: str) -> bool:
        b = self.board
        for code, view in b.queue_views.items():
            model = view.model()
            assert isinstance(model, _OrderListModel)
            for row in range(model.rowCount()):
                if model.order_at(row).number == number:
                    view.setFocus()
                    view.setCurrentIndex(model.index(row))
                    view.scrollTo(model.index(row))
                    b.lines_scroll.ensureWidgetVisible(b.queue_panels[code])
                    return True
        return False

    def show_line(self, code: str) -> None:
        b = self.board
        b.lines_scroll.ensureWidgetVisible(b.queue_panels[code])
        b.queue_views[code].setFocus(Qt.FocusReason.OtherFocusReason)

    def show_refusal(self, code: str, text: str) -> None:
        note = self.board.notes.get(code)
        if note is not None:
            note.setText("⚠ " + text)
            note.show()
            QTimer.singleShot(10_000, note, lambda: self._clear(note, text))

    @staticmethod
    def _clear(note: QLabel, text: str) -> None:
        if note.text() == "⚠ " + text:  # a newer refusal keeps its own time
            note.hide()


class PlanningBoard(QWidget):
    """The production queue screen."""

    message = Signal(str)
    order_selected = Signal(object)
    WATCHES: ClassVar[frozenset[str]] = frozenset(
        {"production_orders", "production_lines", "customers", "line_stops", "stop_reasons"}
    )
    SHOWS: ClassVar[frozenset[str]] = frozenset({"order", "line"})
    VIEWS: ClassVar[frozenset[str]] = frozenset({"queue"})

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host, self.ctx, self.ops = host, host.ctx, host.ops
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        fit(self.toolbar)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search the backlog…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self.reload())
        self.backlog = BacklogModel(None, self)
        self.backlog.drop_requested.connect(self.request_move)
        self.backlog.drops_requested.connect(self.move_orders)
        self.backlog_view = _list_view(self.backlog, self)
        self.backlog_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.backlog_view.setItemDelegate(CardDelegate(date.today, self.backlog_view))
        self.backlog_view.setAlternatingRowColors(False)
        self.grouping = QComboBox(self)
        self.grouping.setObjectName("backlog_grouping")
        for key, label in GROUPINGS:
            self.grouping.addItem(QCoreApplication.translate("Backlog", label), key)
        self.grouping.currentIndexChanged.connect(lambda _i: self._arrange_backlog())
        self.backlog_rows: list[OrderRow] = []
        self.backlog_title = QLabel("Backlog", self)
        self.backlog_title.setObjectName("panelTitle")
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.backlog_title)
        left_layout.addWidget(self.search)
        grouped = QHBoxLayout()
        grouped.addWidget(QLabel(self.tr("Grouped by"), self))
        grouped.addWidget(self.grouping, 1)
        left_layout.addLayout(grouped)
        left_layout.addWidget(self.backlog_view, 1)

        self.queues: dict[str, QueueModel] = {}
        self.queue_views: dict[str, QListView] = {}
        self.queue_titles: dict[str, QLabel] = {}
        self.queue_panels: dict[str, QFrame] = {}
        self.line_units: dict[str, str] = {}  # each line's rate unit: an order must be measured in it
        self.line_stages: dict[str, str] = {}  # each line's stage: an order's product must be made on it
        self.line_queues: tuple[LineQueue, ...] = ()  # every line's queue as last read
        self.grid = QGridLayout()
        self.grid.setSpacing(10)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)
        lines_box = QWidget(self)
        lines_box.setLayout(self.grid)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(lines_box)
        self.lines_scroll = scroll

        self.undo_stack = QUndoStack(self)
        self.known: dict[str, OrderRow] = {}  # every order on the board as last read, by number
        self.schedule = ScheduleView(self.line_takes, self._dragged_orders, self)
        self.schedule.move_requested.connect(self.move_orders)
        self.schedule.selection_changed.connect(self._picked_on_schedule)
        self.notes: dict[str, QLabel] = {}  # each queue panel's refusal, said at the line
        self.views: tuple[BoardView, BoardView] = (QueueLists(self), self.schedule)  # in the stack's order
        self.stack = QStackedWidget(self)
        self.stack.addWidget(scroll)
        self.stack.addWidget(self.schedule)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(self._view_bar())
        right_layout.addWidget(self.stack, 1)

        splitter = self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([330, 1000])
        self.status = QLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.toolbar)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        layout.addLayout(bottom)
        self.selected: OrderRow | None = None
        self.selected_line: str | None = None
        self.loaded_once = False
        self.wanted: str | None = None  # an order to show once the board has read its queues
        self._connect_selection(self.backlog_view, None)
        self.production = ProductionActions(host, self)
        for entry in self.production.entries:
            if entry is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(entry)
        self.message.connect(host.say)
        self.order_selected.connect(lambda _order: self.update_actions())
        self.restore_layout()
        self.update_actions()
        self.clock = QTimer(self)
        self.clock.setInterval(60_000)
        self.clock.timeout.connect(self._minute_passed)
        self.clock.start()

    def _minute_passed(self) -> None:
        """Estimates move with the clock (a running order's overrun grows): the board in front reads them again."""
        self.schedule.move_now(datetime.now(UTC))
        if self.host.is_current(self) and self.loaded_once and not self.schedule.dragging and not self.ops.busy:
            self.reload()

    def _view_bar(self) -> QHBoxLayout:
        """Queue or schedule, the schedule's zoom, and undo/redo of the board's moves."""
        bar = QHBoxLayout()
        self.view_buttons = QButtonGroup(self)
        self.view_buttons.setExclusive(True)
        for i, (name, text) in enumerate([("queue", self.tr("&Queues")), ("schedule", self.tr("Sc&hedule"))]):
            button = QToolButton(self)
            button.setObjectName(f"board_{name}_view")
            button.setText(text)
            button.setCheckable(True)
            self.view_buttons.addButton(button, i)
            bar.addWidget(button)
        self.view_buttons.idClicked.connect(self.show_board_view)
        bar.addSpacing(16)
        self.zoom_buttons = QButtonGroup(self)
        self.zoom_buttons.setExclusive(True)
        for i, (label, _hours) in enumerate(ZOOMS):
            button = QToolButton(self)
            button.setObjectName(f"schedule_zoom_{_hours}h")
            button.setText(QCoreApplication.translate("Schedule", label))
            button.setCheckable(True)
            button.setChecked(i == self.schedule.zoom)
            self.zoom_buttons.addButton(button, i)
            bar.addWidget(button)
        self.zoom_buttons.idClicked.connect(self.schedule.set_zoom)
        self.schedule.zoomed.connect(lambda i: self.zoom_buttons.button(i).setChecked(True))
        bar.addStretch(1)
        self.undo_action = self.undo_stack.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.redo_action = self.undo_stack.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Redo))
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
            button = QToolButton(self)
            button.setDefaultAction(action)
            bar.addWidget(button)
        wanted = settings().value(f"{self.host.username}/board/view", "schedule")
        self.show_board_view(0 if wanted == "queue" else 1)
        return bar

    def show_board_view(self, index: int) -> None:
        """The queues as lists (0) or the lines along a time axis (1); the board remembers which."""
        self.stack.setCurrentIndex(index)
        self.view_buttons.button(index).setChecked(True)
        for button in self.zoom_buttons.buttons():
            button.setVisible(index == 1)
        settings().setValue(f"{self.host.username}/board/view", "queue" if index == 0 else "schedule")

    @property
    def on_schedule(self) -> bool:
        return self.stack.currentWidget() is self.schedule

    @property
    def current_view(self) -> BoardView:
        return self.views[1] if self.on_schedule else self.views[0]

    # ---------------------------------------------------------------- the Screen protocol

    def title(self) -> str:
        return self.tr("&Production queue")

    def menus(self) -> list[Menu]:
        return [self.production.menu()]

    def refresh_in_place(self) -> None:
        """The board reads its few hundred orders again; the selected order stays selected."""
        self.reload()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def ask_export(self) -> None:
        self.host.say(
            self.tr("The planning board has no table to export; the Reports menu prints the production plan.")
        )

    def update_actions(self) -> None:
        self.production.update()

    def _layout_key(self) -> str:
        return f"{self.host.username}/board/splitter"

    def save_layout(self) -> None:
        settings().setValue(self._layout_key(), self.splitter.saveState())

    def restore_layout(self) -> None:
        state = settings().value(self._layout_key())
        if state is not None:
            self.splitter.restoreState(state)

    def selected_key(self, entity: str) -> str | None:
        if entity == "line":
            return self.selected_line
        return self.selected.number if entity == "order" and self.selected is not None else None

    def show_record(self, entity: str, key: str) -> None:
        """An order opened from the journal or a scan: selected in its line's queue, or found in the backlog.
        A line: its queue in view."""
        if entity == "line" and key in self.queue_panels:
            self.current_view.show_line(key)
            return
        if entity != "order":
            return
        self.wanted = key
        if self.loaded_once:
            self._show_wanted()

    def _show_wanted(self) -> None:
        key, self.wanted = self.wanted, None
        if key is None:
            return
        if self.current_view.show_order(key):
            return
        if self.search.text() != key:
            self.search.setText(key)  # the backlog shows it, or shows that it is not waiting on the board

    def show_view(self, view: str, filters: dict[str, Any]) -> None:
        """The queues as they stand: every line's work, the stopped ones marked."""

    # ---------------------------------------------------------------- loading

    def reload(self, done: Callable[[], None] | None = None, lines: set[str] | None = None) -> None:
        """Read the backlog and the queues again: every line's, or after a move only the `lines` it touched."""
        text = self.search.text().strip() or None
        ctx = self.ctx
        only = lines if lines and self.loaded_once and lines <= set(self.queues) else None

        def read() -> tuple[tuple[LineQueue, ...], tuple[OrderRow, ...], int]:
            page = q.backlog(ctx.reader(), text, limit=1000)
            if only is not None:
                queues = tuple(q.line_queues(ctx.reader(), line=code)[0] for code in sorted(only))
                return queues, page.rows, page.total
            return q.line_queues(ctx.reader()), page.rows, page.total

        def show(result: tuple[tuple[LineQueue, ...], tuple[OrderRow, ...], int]) -> None:
            queues, backlog, total = result
            self._show(queues, list(backlog), total, only)
            self.loaded_once = True
            if done is not None:
                done()

        self.ops.run(read, show, lambda exc: self.status.setText(message_for(exc)))

    def _arrange_backlog(self) -> None:
        """The backlog's cards sorted by the grouping chosen, due date first within a group."""
        stages = self.host.lookups.current.product_stages
        grouping = self.grouping.currentData() or "due"
        self.backlog.set_cards(arranged(self.backlog_rows, grouping, stages, date.today()))

    def _show(
        self, read: tuple[LineQueue, ...], backlog: list[OrderRow], total: int, changed: set[str] | None = None
    ) -> None:
        fresh = {queue.line_code: queue for queue in read}
        queues = read if changed is None else tuple(fresh.get(lq.line_code, lq) for lq in self.line_queues)
        self.line_queues = queues
        self.backlog_rows = backlog
        self._arrange_backlog()
        self.known = {o.number: o for o in backlog}
        self.known.update((o.order.number, o.order) for queue in queues for o in queue.orders)
        self.line_stages = {queue.line_code: queue.stage for queue in queues}
        shown = f"{len(backlog)} of {total}" if total > len(backlog) else str(total)
        self.backlog_title.setText(f"Backlog — {shown} new orders")
        for i, queue in enumerate(queues):
            if changed is not None and queue.line_code not in changed:
                continue
            if queue.line_code not in self.queues:
                self._add_line(i, queue.line_code)
            model = self.queues[queue.line_code]
            model.stopped = queue.stopped
            model.set_items(list(queue.orders))
            self.line_units[queue.line_code] = queue.rate_unit
            late = sum(1 for o in queue.orders if o.late)
            late_text = f" · {late} late" if late else ""
            rate = line_rate(queue.rate_per_hour, queue.rate_unit)
            stopped = ""
            if queue.stopped is not None:
                mark = QCoreApplication.translate("Board", "STOPPED since {0}: {1}").format(
                    _short(queue.stopped.started_at), queue.stopped.reason_name
                )
                stopped = f'<br><span style="color:#b3261e; font-weight:600">⚠ {mark}</span>'
            work = hours_text(queue.hours_queued)
            self.queue_titles[queue.line_code].setText(
                f"<b>{queue.line_code}</b> · {queue.line_name} · {rate} · {len(queue.orders)} queued, {work}{late_text}"
                + stopped
            )
            panel = self.queue_panels[queue.line_code]
            if panel.property("stopped") != (queue.stopped is not None):
                panel.setProperty("stopped", queue.stopped is not None)
                panel.style().unpolish(panel)
                panel.style().polish(panel)
        if changed is None:
            self.schedule.update_queues(queues, datetime.now(UTC))
        else:
            self.schedule.replace_rows(read, datetime.now(UTC))
        planned = sum(len(m.items) for m in self.queues.values())
        self.status.setText(f"{planned} orders on {len(queues)} lines, {total} in the backlog")
        self._reselect()
        self._show_wanted()

    def _add_line(self, i: int, code: str) -> None:
        model = QueueModel(code, self)
        model.drop_requested.connect(self.request_move)
        model.drops_requested.connect(self.move_orders)
        title = QLabel(code, self)
        title.setObjectName("panelTitle")
        title.setWordWrap(True)
        note = QLabel(self)
        note.setObjectName("lineRefusal")
        note.setWordWrap(True)
        note.setStyleSheet("color:#b3261e; background:#fdecea; border:1px solid #b3261e; padding:3px")
        note.hide()
        self.notes[code] = note
        view = _list_view(model, self)
        view.setMinimumHeight(190)
        panel = QFrame(self)
        panel.setObjectName("linePanel")
        panel.setMinimumWidth(300)
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        box = QVBoxLayout(panel)
        box.setContentsMargins(6, 6, 6, 6)
        box.addWidget(title)
        box.addWidget(note)
        box.addWidget(view, 1)
        self.grid.addWidget(panel, i // 2, i % 2)
        self.queues[code], self.queue_views[code], self.queue_titles[code] = model, view, title
        self.queue_panels[code] = panel
        self._connect_selection(view, code)

    # ---------------------------------------------------------------- selection

    def _connect_selection(self, view: QListView, line_code: str | None) -> None:
        model = view.model()
        assert isinstance(model, _OrderListModel)

        def changed(current: QModelIndex, _previous: QModelIndex) -> None:
            if current.isValid():
                self._select(model.order_at(current.row()), line_code, view)

        view.selectionModel().currentChanged.connect(changed)

    def _select(self, order: OrderRow, line_code: str | None, source: QListView | None) -> None:
        self.selected, self.selected_line = order, line_code
        for view in [self.backlog_view, *self.queue_views.values()]:
            if view is not source:
                view.selectionModel().clearSelection()
        self.order_selected.emit(order)

    def _picked_on_schedule(self, order: OrderRow | None, line_code: str | None) -> None:
        if order is not None:
            self._select(order, line_code, None)

    def line_is_running(self, code: str | None) -> bool:
        model = self.queues.get(code or "")
        return model is not None and any(
            of(OrderStatus, model.order_at(i).status).is_running for i in range(model.rowCount())
        )

    def _reselect(self) -> None:
        number = self.selected.number if self.selected else None
        self.selected = None
        if self.on_schedule and number is not None and number in self.schedule.bars:
            bar = self.schedule.bars[number]
            self.selected, self.selected_line = bar.order, bar.line_code
            self.order_selected.emit(self.selected)
            return
        for code, view in [(None, self.backlog_view), *self.queue_views.items()]:
            model = view.model()
            assert isinstance(model, _OrderListModel)
            for row in range(model.rowCount()):
                if model.order_at(row).number == number:
                    view.setCurrentIndex(model.index(row))
                    self.selected, self.selected_line = model.order_at(row), code
        self.order_selected.emit(self.selected)

    # ---------------------------------------------------------------- planning

    def line_takes(self, order: OrderRow, line_code: str) -> bool:
        """May the line run the order: its product's stage, measured in the line's unit (the service decides)."""
        stage = self.host.lookups.current.product_stages.get(order.product_code)
        return self.line_stages.get(line_code) == stage and self.line_units.get(line_code) == order.unit

    def _dragged_orders(self, payload: dict[str, Any]) -> list[OrderRow]:
        numbers = payload.get("numbers") or [payload.get("number")]
        return [self.known[n] for n in numbers if n in self.known]

    def request_move(self, number: str, version: int, line_code: str | None, position: int) -> None:
        """One order dropped: one queue move (with the version the planner saw)."""
        self.move_orders([number], line_code, position, {number: version})

    def move_orders(
        self, numbers: list[str], line_code: str | None, position: int, versions: dict[str, int] | None = None
    ) -> None:
        """One drop, its queue moves in one worker call; Ctrl+Z takes them back. A clash reloads the board."""
        ctx = self.ctx
        seen = versions or {n: self.known[n].version for n in numbers if n in self.known}
        before = [Place(n, self.known[n].line_code, self.known[n].position) for n in numbers if n in self.known]
        first = numbers[0]
        what = first if len(numbers) == 1 else self.tr("{0} orders").format(len(numbers))
        done_text = f"{what} back in the backlog" if line_code is None else f"{what} planned on {line_code}"
        self.status.setText(f"Planning {what}…")

        def done(outcome: tuple[list[Place], Exception | None]) -> None:
            placed, refusal = outcome
            if placed:
                moved = {p.number for p in placed}
                text = self.tr("move of {0}").format(", ".join(p.number for p in placed))
                self.undo_stack.push(UndoMoves(self, [b for b in before if b.number in moved], placed, text))
            if refusal is None:
                where = f" at position {placed[0].position}" if placed and placed[0].position else ""
                self.message.emit(done_text + where)
                self.reload(lines={c for c in (line_code, *(b.line for b in before)) if c is not None})
            else:
                self._refused(line_code, message_for(refusal))

        self.ops.run(lambda: place_in_turn(ctx, numbers, line_code, position, seen), done, self._failed(line_code))

    def replay(self, places: list[Place], text: str, undone: bool) -> None:
        """An undo or redo: each order back to its place, as queue moves."""
        ctx = self.ctx
        seen = {p.number: self.known[p.number].version for p in places if p.number in self.known}
        now_on = [self.known[p.number].line_code for p in places if p.number in self.known]
        touched = {c for c in (*(p.line for p in places), *now_on) if c is not None}
        self.status.setText((self.tr("Undoing {0}…") if undone else self.tr("Doing {0} again…")).format(text))

        def done(outcome: tuple[list[Place], Exception | None]) -> None:
            placed, refusal = outcome
            if refusal is None:
                said = self.tr("Undone: {0}") if undone else self.tr("Done again: {0}")
                self.message.emit(said.format(text))
                self.reload(lines=touched)
            else:
                self._refused(places[0].line, message_for(refusal))

        self.ops.run(lambda: restore(ctx, places, seen), done, self._failed(None))

    def _failed(self, line_code: str | None) -> Callable[[Exception], None]:
        return lambda exc: self._refused(line_code, message_for(exc))

    def _refused(self, line_code: str | None, text: str) -> None:
        """Say why at the line itself and in the status bar; the board reads the plan again."""
        self.message.emit(text)
        if line_code is not None:
            for view in self.views:  # both say it: the planner may switch views to read it
                view.show_refusal(line_code, text)
        # after the reload, which rewrites the board's status line with its counts
        self.reload(done=lambda: self.status.setText(text))
