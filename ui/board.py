"""The planning board: the backlog beside every line's queue, planned by drag and drop.

Each drop is one call of the planning service; the board then reloads from the
database, so what it shows is always what was saved.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import queries as q
from app import services as s
from app.dto import LineQueue, LineStopRow, OrderRow, ScheduledOrder
from app.formatting import rate as line_rate
from domain.vocabulary import OrderStatus
from ui.ops import message_for
from ui.production import ProductionActions
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
            payload = {"number": order.number, "version": order.version, "line": order.line_code}
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
                f"priority {order.priority}"
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
            return f"{first}\ndue {day(order.due_date)}  ·  priority {order.priority}"
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
    """New orders waiting for a line; dropping a planned order here unplans it."""


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
        self.backlog_view = _list_view(self.backlog, self)
        self.backlog_title = QLabel("Backlog", self)
        self.backlog_title.setObjectName("panelTitle")
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.backlog_title)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.backlog_view, 1)

        self.queues: dict[str, QueueModel] = {}
        self.queue_views: dict[str, QListView] = {}
        self.queue_titles: dict[str, QLabel] = {}
        self.queue_panels: dict[str, QFrame] = {}
        self.line_units: dict[str, str] = {}  # each line's rate unit: an order must be measured in it
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

        splitter = self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
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
            self.lines_scroll.ensureWidgetVisible(self.queue_panels[key])
            self.queue_views[key].setFocus(Qt.FocusReason.OtherFocusReason)
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
        for code, view in self.queue_views.items():
            model = view.model()
            assert isinstance(model, _OrderListModel)
            for row in range(model.rowCount()):
                if model.order_at(row).number == key:
                    view.setFocus()
                    view.setCurrentIndex(model.index(row))
                    view.scrollTo(model.index(row))
                    self.lines_scroll.ensureWidgetVisible(self.queue_panels[code])
                    return
        if self.search.text() != key:
            self.search.setText(key)  # the backlog shows it, or shows that it is not waiting on the board

    def show_view(self, view: str, filters: dict[str, Any]) -> None:
        """The queues as they stand: every line's work, the stopped ones marked."""

    # ---------------------------------------------------------------- loading

    def reload(self, done: Callable[[], None] | None = None) -> None:
        text = self.search.text().strip() or None
        ctx = self.ctx

        def read() -> tuple[tuple[LineQueue, ...], tuple[OrderRow, ...], int]:
            page = q.backlog(ctx.reader(), text, limit=1000)
            return q.line_queues(ctx.reader()), page.rows, page.total

        def show(result: tuple[tuple[LineQueue, ...], tuple[OrderRow, ...], int]) -> None:
            queues, backlog, total = result
            self._show(queues, list(backlog), total)
            self.loaded_once = True
            if done is not None:
                done()

        self.ops.run(read, show, lambda exc: self.status.setText(message_for(exc)))

    def _show(self, queues: tuple[LineQueue, ...], backlog: list[OrderRow], total: int) -> None:
        self.backlog.set_items(backlog)
        shown = f"{len(backlog)} of {total}" if total > len(backlog) else str(total)
        self.backlog_title.setText(f"Backlog — {shown} new orders")
        for i, queue in enumerate(queues):
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
            self.queue_titles[queue.line_code].setText(
                f"<b>{queue.line_code}</b> · {queue.line_name} · {rate} · {len(queue.orders)} queued{late_text}"
                + stopped
            )
            panel = self.queue_panels[queue.line_code]
            if panel.property("stopped") != (queue.stopped is not None):
                panel.setProperty("stopped", queue.stopped is not None)
                panel.style().unpolish(panel)
                panel.style().polish(panel)
        planned = sum(len(m.items) for m in self.queues.values())
        self.status.setText(f"{planned} orders on {len(queues)} lines, {total} in the backlog")
        self._reselect()
        self._show_wanted()

    def _add_line(self, i: int, code: str) -> None:
        model = QueueModel(code, self)
        model.drop_requested.connect(self.request_move)
        title = QLabel(code, self)
        title.setObjectName("panelTitle")
        title.setWordWrap(True)
        view = _list_view(model, self)
        view.setMinimumHeight(190)
        panel = QFrame(self)
        panel.setObjectName("linePanel")
        panel.setMinimumWidth(300)
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        box = QVBoxLayout(panel)
        box.setContentsMargins(6, 6, 6, 6)
        box.addWidget(title)
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

    def _select(self, order: OrderRow, line_code: str | None, source: QListView) -> None:
        self.selected, self.selected_line = order, line_code
        for view in [self.backlog_view, *self.queue_views.values()]:
            if view is not source:
                view.selectionModel().clearSelection()
        self.order_selected.emit(order)

    def line_is_running(self, code: str | None) -> bool:
        model = self.queues.get(code or "")
        return model is not None and any(
            of(OrderStatus, model.order_at(i).status).is_running for i in range(model.rowCount())
        )

    def _reselect(self) -> None:
        number = self.selected.number if self.selected else None
        self.selected = None
        for code, view in [(None, self.backlog_view), *self.queue_views.items()]:
            model = view.model()
            assert isinstance(model, _OrderListModel)
            for row in range(model.rowCount()):
                if model.order_at(row).number == number:
                    view.setCurrentIndex(model.index(row))
                    self.selected, self.selected_line = model.order_at(row), code
        self.order_selected.emit(self.selected)

    # ---------------------------------------------------------------- planning

    def request_move(self, number: str, version: int, line_code: str | None, position: int) -> None:
        """One drop, one service call; a clash with another planner reloads the board."""
        ctx = self.ctx

        def call() -> Any:
            if line_code is None:
                return s.unplan_order(ctx.uow(), number=number, expected_version=version)
            return s.plan_order(ctx.uow(), number=number, line=line_code, position=position, expected_version=version)

        done_text = f"{number} is back in the backlog" if line_code is None else f"{number} planned on {line_code}"
        self.status.setText(f"Planning {number}…")

        def done(result: Any) -> None:
            where = f" at position {result}" if isinstance(result, int) else ""
            self.message.emit(done_text + where)
            self.reload()

        def failed(exc: Exception) -> None:
            text = message_for(exc)
            self.message.emit(text)
            # after the reload, which rewrites the board's status line with its counts
            self.reload(done=lambda: self.status.setText(text))

        self.ops.run(call, done, failed)
