"""The planning board's schedule: one row per line, its queue as bars along a time axis.

A bar is as long as the order's estimated run (domain/schedule.py: the line's nominal rate, around
its stops); a running order past its estimate carries its overrun as a red hatched tail up to now,
and the bars behind it start from now. Under each row a strip weighs the work due per day against
the hours the line can run. The rows always fit the view's height, so every line is in sight; the
time axis scrolls sideways over the whole horizon, from a shift to a week per view's width.

Dragging bars (one, or several selected with Ctrl) along a row or onto another row, or dropping a
backlog card on a row, asks the board for a queue move at the position the drop points to; nothing
moves here until the board has written it and reads the queues again. While dragging, the rows that
can take the order are lit and the others dimmed; a refused drop is explained on its row.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QToolTip,
    QWidget,
)

from app.dto import LineQueue, OrderRow, ScheduledOrder
from app.formatting import hours as hours_text
from app.formatting import span
from domain.vocabulary import QT_TRANSLATE_NOOP, LateCause, OrderStatus
from ui.words import of, term

MIME = "application/x-mpsystem-order"
ZOOMS: tuple[tuple[str, int], ...] = (
    (QT_TRANSLATE_NOOP("Schedule", "Shift"), 8),
    (QT_TRANSLATE_NOOP("Schedule", "Day"), 24),
    (QT_TRANSLATE_NOOP("Schedule", "3 days"), 72),
    (QT_TRANSLATE_NOOP("Schedule", "Week"), 168),
)
HEADER_W = 230.0  # the line's header, pinned at the left edge
AXIS_H = 34.0  # the time axis, pinned at the top
LOAD_H = 16.0  # the day-load strip under each row's bars
MIN_ROW = 44.0
NOTE_MS = 10_000  # how long a refusal stays on its row

PLANNED_FILL, PLANNED_EDGE = QColor("#d4e4f7"), QColor("#5b8fc7")
RUNNING_FILL, RUNNING_EDGE = QColor("#ffe8a3"), QColor("#c99a06")
LATE_FILL, LATE_EDGE = QColor("#f8d3d0"), QColor("#b3261e")
OVERRUN = QColor("#d93025")
SELECTED_EDGE = QColor("#1a73e8")
STOP_FILL = QColor("#c9c9c9")
ACCEPT_FILL = QColor("#dff3e4")
DIM_FILL = QColor(235, 235, 235, 190)
NOW_PEN = QColor("#d93025")
LOAD_OK, LOAD_OVER, LOAD_FREE = QColor("#a8d5b5"), QColor("#e8786f"), QColor("#f3f3f3")


_STATUS_RULES = {s.value: (s.is_running, s.may_move) for s in OrderStatus}  # running?, movable? per status


REDRAW_AFTER = timedelta(minutes=1)


def tr(text: str) -> str:
    return QCoreApplication.translate("Schedule", text)


def _signature(queue: LineQueue) -> tuple[object, ...]:
    """What a line's drawing depends on besides the clock: its orders (and their versions) and its stops."""
    orders = tuple((o.order.number, o.order.version) for o in queue.orders)
    stops = tuple((st.id, st.version) for st in queue.stops)
    return orders, stops, queue.rate_per_hour


@dataclass
class Axis:
    """Where moments and rows are in the scene."""

    origin: datetime  # the horizon's left edge
    end: datetime
    px_per_hour: float
    row_h: float

    def x(self, moment: datetime) -> float:
        return HEADER_W + (moment - self.origin).total_seconds() / 3600 * self.px_per_hour

    def moment(self, x: float) -> datetime:
        return self.origin + timedelta(hours=(x - HEADER_W) / self.px_per_hour)

    def row_top(self, row: int) -> float:
        return AXIS_H + row * self.row_h

    def row_at(self, y: float) -> int:
        return int((y - AXIS_H) // self.row_h) if y >= AXIS_H else -1

    @property
    def width(self) -> float:
        return self.x(self.end) + 20


class Bar:
    """A queued order on its line's lane: its estimated run, and a running order's overrun as a hatched tail.

    Not an item of its own: ten thousand items take long to build, so each line's lane paints its bars.
    """

    __slots__ = ("item", "order", "line_code", "rect", "overrun_from", "running", "movable", "view")
    visible_left = 0.0  # the scene's x at the right edge of the pinned headers (one view shows the bars)

    def __init__(
        self, view: ScheduleView, item: ScheduledOrder, line_code: str, rect: QRectF, overrun_from: float | None
    ) -> None:
        self.view, self.item, self.order, self.line_code = view, item, item.order, line_code
        self.rect, self.overrun_from = rect, overrun_from
        self.running, self.movable = _STATUS_RULES[item.order.status]

    def isSelected(self) -> bool:  # noqa: N802 - the name a graphics item has for it
        """Is the bar picked (a click, or Ctrl+click for several)?"""
        return self.view.picked.get(self.order.number) is self

    def setSelected(self, on: bool) -> None:  # noqa: N802 - the name a graphics item has for it
        """Pick the bar, or let it go."""
        self.view.pick(self, on)

    def tip(self) -> str:
        """What the bar's tooltip says, written when asked: ten thousand bars are built at once."""
        o, it = self.order, self.item
        lines = [
            f"{o.number} · {o.customer_name}",
            f"{o.product_code} {o.product_name} · {o.quantity} {o.unit}",
            tr("{0} → {1}, due {2}").format(
                it.estimated_start.astimezone().strftime("%d.%m %H:%M"),
                it.estimated_end.astimezone().strftime("%d.%m %H:%M"),
                o.due_date.strftime("%d.%m"),
            ),
        ]
        if it.overrun:
            lines.append(tr("Running {0} past its estimate").format(span(it.overrun)))
        if it.late_cause:
            lines.append(late_reason(it))
        if it.shortage and it.late_cause not in (LateCause.MATERIAL, LateCause.EARLIER_STAGE):
            lines.append(tr("Short of material: {0}").format(it.shortage))
        return "\n".join(lines)

    def paint(self, painter: QPainter) -> None:
        """The bar, its overrun tail, and as much of its number and product as fits."""
        fill, edge = (RUNNING_FILL, RUNNING_EDGE) if self.running else (PLANNED_FILL, PLANNED_EDGE)
        if self.item.late:
            fill, edge = LATE_FILL, LATE_EDGE
        painter.setPen(QPen(SELECTED_EDGE, 2.5) if self.isSelected() else QPen(edge, 1))
        painter.setBrush(fill)
        painter.drawRect(self.rect)
        tail = None
        if self.overrun_from is not None:
            tail = QRectF(self.rect)
            tail.setLeft(max(self.rect.left(), self.overrun_from))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(OVERRUN, Qt.BrushStyle.BDiagPattern))
            painter.drawRect(tail)
        if self.rect.width() < 18:
            return
        metrics = QFontMetricsF(painter.font())
        # the text starts where the bar comes into view: a long bar scrolled half away still says what it is
        text_rect = self.rect.adjusted(4, 2, -3, -2)
        text_rect.setLeft(max(text_rect.left(), Bar.visible_left + 4))
        if tail is not None and tail.width() > 40:
            over = tr("+{0} over").format(span(self.item.overrun))
            box = tail.adjusted(2, 2, -4, -2)
            box.setLeft(max(box.left(), Bar.visible_left + 4))
            painter.setPen(OVERRUN)
            bold = QFont(painter.font())
            bold.setBold(True)
            painter.setFont(bold)
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                             metrics.elidedText(over, Qt.TextElideMode.ElideLeft, box.width()))  # fmt: skip
            painter.setFont(QFont(bold.family(), bold.pointSize()))
            text_rect.setRight(min(text_rect.right(), tail.left() - 2))
        if text_rect.width() < 14:
            return
        painter.setPen(LATE_EDGE if self.item.late else QColor("#202124"))
        first = self.order.number
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         metrics.elidedText(first, Qt.TextElideMode.ElideRight, text_rect.width()))  # fmt: skip
        if text_rect.height() > metrics.lineSpacing() * 2:
            second = f"{self.order.product_name} · {self.order.customer_name}"
            painter.setPen(QColor("#5f6368"))
            painter.drawText(text_rect.adjusted(0, metrics.lineSpacing(), 0, 0), Qt.AlignmentFlag.AlignLeft,
                             metrics.elidedText(second, Qt.TextElideMode.ElideRight, text_rect.width()))  # fmt: skip


class LaneItem(QGraphicsItem):
    """A line's bars, painted as the view exposes them: only those in sight are drawn."""

    def __init__(self, rect: QRectF, bars: list[Bar]) -> None:
        super().__init__()
        self.rect, self.bars = rect, bars
        self.ends = [b.rect.right() for b in bars]  # bars follow one another: their ends ascend
        self.faded: set[str] = set()  # bars being dragged away: drawn faint where they were
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def boundingRect(self) -> QRectF:
        """The row, with room for a picked bar's edge."""
        return self.rect.adjusted(0, -2, 0, 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """The bars in the exposed part of the row."""
        exposed = option.exposedRect
        for bar in self.bars[bisect_left(self.ends, exposed.left() - 2) :]:
            if bar.rect.left() > exposed.right() + 2:
                break
            if bar.order.number in self.faded:
                painter.setOpacity(0.3)
                bar.paint(painter)
                painter.setOpacity(1.0)
            else:
                bar.paint(painter)

    def at(self, x: float) -> Bar | None:
        i = bisect_left(self.ends, x)
        if i < len(self.bars) and self.bars[i].rect.left() <= x:
            return self.bars[i]
        return None

    def refresh(self, bar: Bar) -> None:
        self.update(bar.rect.adjusted(-3, -3, 3, 3))


class GhostItem(QGraphicsItem):
    """The bars being dragged, following the mouse."""

    def __init__(self, bars: list[Bar]) -> None:
        super().__init__()
        self.bars = bars
        bounds = QRectF(bars[0].rect)
        for bar in bars[1:]:
            bounds = bounds.united(bar.rect)
        self.bounds = bounds.adjusted(-3, -3, 3, 3)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setZValue(8)

    def boundingRect(self) -> QRectF:
        """Every dragged bar, where it was picked up (the item's position moves it)."""
        return self.bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """The dragged bars."""
        exposed = option.exposedRect
        for bar in self.bars:
            if bar.rect.intersects(exposed):
                bar.paint(painter)


class LoadItem(QGraphicsRectItem):
    """One day of a line: the work due that day against the hours the line can run."""

    def __init__(self, rect: QRectF, planned: float, available: float) -> None:
        super().__init__(rect)
        self.planned, self.available = planned, available
        self.overloaded = planned > available + 1e-9
        self.setPen(QPen(QColor("#ffffff"), 1))
        self.setBrush(LOAD_FREE)
        self.setToolTip(self.text())
        self.setZValue(1)

    def text(self) -> str:
        words = tr("{0} due of {1} available").format(hours_text(self.planned), hours_text(self.available))
        return words + (" — " + tr("overloaded") if self.overloaded else "")

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """A bar filled to the share of the day's hours the due work takes; red and full past them."""
        rect = self.rect()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(LOAD_FREE)
        painter.drawRect(rect)
        if self.planned > 0:
            share = 1.0 if self.overloaded or self.available <= 0 else self.planned / self.available
            filled = QRectF(rect)
            filled.setWidth(rect.width() * share)
            painter.setBrush(LOAD_OVER if self.overloaded else LOAD_OK)
            painter.drawRect(filled)
        if rect.width() > 70:
            short = f"{self.planned:.0f}/{self.available:.0f} h" + (" ⚠" if self.overloaded else "")
            painter.setPen(QColor("#7a1d16") if self.overloaded else QColor("#3c4043"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, short)


class HeaderItem(QGraphicsRectItem):
    """A line's header, pinned at the view's left edge: what it is and how much work it holds."""

    def __init__(self, queue: LineQueue, rect: QRectF) -> None:
        super().__init__(rect)
        self.queue = queue
        self.setPen(QPen(QColor("#c4c7c5"), 1))
        self.setBrush(QColor("#f8f9fa"))
        self.setZValue(10)

    def summary(self) -> str:
        """How many orders wait, their hours of work at the nominal rate, and how many are late."""
        q = self.queue
        late = sum(1 for o in q.orders if o.late)
        text = tr("{0} queued · {1}").format(len(q.orders), hours_text(q.hours_queued))
        return text + (" · " + tr("{0} late").format(late) if late else "")

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """The line's code, its queued hours, its late orders and its stop."""
        super().paint(painter, option, widget)
        q = self.queue
        rect = self.rect().adjusted(8, 3, -6, -3)
        metrics = QFontMetricsF(painter.font())
        bold = QFont(painter.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor("#202124"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, q.line_code)
        painter.setFont(QFont(painter.font().family(), painter.font().pointSize()))
        second = self.summary()
        painter.setPen(LATE_EDGE if any(o.late for o in q.orders) else QColor("#3c4043"))
        y = metrics.lineSpacing()
        painter.drawText(rect.adjusted(0, y, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         metrics.elidedText(second, Qt.TextElideMode.ElideRight, rect.width()))  # fmt: skip
        if q.stopped is not None and rect.height() > metrics.lineSpacing() * 3:
            painter.setPen(LATE_EDGE)
            stop = "⚠ " + tr("STOPPED: {0}").format(q.stopped.reason_name)
            painter.drawText(rect.adjusted(0, 2 * y, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             metrics.elidedText(stop, Qt.TextElideMode.ElideRight, rect.width()))  # fmt: skip


class AxisItem(QGraphicsRectItem):
    """The time axis, pinned at the view's top: days, and hours at the zoom's step."""

    def __init__(self, axis: Axis, step_hours: int) -> None:
        super().__init__(QRectF(0, 0, axis.width, AXIS_H))
        self.axis, self.step = axis, step_hours
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)  # paint the exposed part only
        self.setPen(Qt.PenStyle.NoPen)
        self.setBrush(QColor("#eef1f5"))
        self.setZValue(11)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Only the exposed part: the horizon may be weeks wide at a shift's zoom."""
        exposed = option.exposedRect
        painter.fillRect(exposed, self.brush())
        axis = self.axis
        first = axis.moment(max(exposed.left(), HEADER_W)).astimezone()
        moment = first.replace(minute=0, second=0, microsecond=0)
        moment -= timedelta(hours=moment.hour % self.step)
        last = axis.moment(exposed.right())
        while moment <= last:
            x = axis.x(moment)
            day_start = moment.hour == 0
            painter.setPen(QPen(QColor("#5f6368"), 1.5 if day_start else 0.6))
            painter.drawLine(QPointF(x, AXIS_H * (0.0 if day_start else 0.55)), QPointF(x, AXIS_H))
            label = moment.strftime("%a %d.%m") if day_start else moment.strftime("%H:%M")
            painter.setPen(QColor("#202124") if day_start else QColor("#5f6368"))
            painter.drawText(QRectF(x + 3, 1 if day_start else AXIS_H * 0.45, 120, AXIS_H / 2),
                             Qt.AlignmentFlag.AlignLeft, label)  # fmt: skip
            moment = (moment + timedelta(hours=self.step)).astimezone()
        self._corner(painter)

    def _corner(self, painter: QPainter) -> None:
        """Above the line headers, the day at the left edge of the bars, always in sight."""
        left = Bar.visible_left
        painter.fillRect(QRectF(left - HEADER_W, 0, HEADER_W, AXIS_H), self.brush())
        day = self.axis.moment(left).astimezone()
        painter.setPen(QColor("#202124"))
        bold = QFont(painter.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.drawText(QRectF(left - HEADER_W + 8, 1, HEADER_W - 12, AXIS_H / 2), Qt.AlignmentFlag.AlignLeft,
                         day.strftime("%a %d.%m.%Y"))  # fmt: skip


def late_reason(item: ScheduledOrder) -> str:
    """Why the order is late, in words, with what the cause turns on: the stops' time, the material."""
    if not item.late_cause:
        return tr("Late")
    cause = of(LateCause, item.late_cause)
    text = tr("Late: {0}").format(term(cause))
    if cause is LateCause.STOPS:
        text += f" ({span(item.delayed_by)})"
    if cause in (LateCause.MATERIAL, LateCause.EARLIER_STAGE) and item.shortage:
        text += f" ({item.shortage})"
    return text


class ScheduleView(QGraphicsView):
    """The lines × time view of the queues; asks for moves, never makes them."""

    move_requested = Signal(object, str, int)  # order numbers, line code, position among the line's other orders
    selection_changed = Signal(object, object)  # the order picked (or None) and its line
    zoomed = Signal(int)  # the zoom's index in ZOOMS

    def __init__(
        self,
        accepts: Callable[[OrderRow, str], bool],
        dragged_orders: Callable[[dict[str, Any]], list[OrderRow]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.accepts = accepts  # may this line take this order (its stage and unit)?
        self.dragged_orders = dragged_orders  # the orders a backlog card's drag carries
        self.setScene(QGraphicsScene(self))
        self.setObjectName("schedule")
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setAcceptDrops(True)
        # the horizon is always wider than the view; a bar that came and went would change the rows' height
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self.queues: tuple[LineQueue, ...] = ()
        self.codes: list[str] = []
        self.bars: dict[str, Bar] = {}
        self.row_bars: dict[str, list[Bar]] = {}
        self.lanes: dict[str, LaneItem] = {}
        self.picked: dict[str, Bar] = {}  # the bars picked, by order number
        self.ghost: GhostItem | None = None
        self.headers: dict[str, HeaderItem] = {}
        self.dims: dict[str, QGraphicsRectItem] = {}
        self.lit: dict[str, QGraphicsRectItem] = {}
        self.notes: dict[str, QGraphicsRectItem] = {}
        self.row_items: dict[str, list[QGraphicsItem]] = {}  # everything drawn for a line, to draw it again
        self.drawn_at: dict[str, datetime] = {}  # when each line's estimates were drawn
        self.note_texts: dict[str, str] = {}
        self.axis_item: AxisItem | None = None
        self.now_line: QGraphicsRectItem | None = None
        self.zoom = 1
        self.now = self.built_now = datetime.now(UTC)
        self.axis = Axis(self.now, self.now + timedelta(days=7), 10.0, MIN_ROW)
        self._press: QPointF | None = None
        self._dragged: list[Bar] = []
        self.dragging = False
        self._placed_once = False

    # ---------------------------------------------------------------- building

    def set_queues(self, queues: Sequence[LineQueue], now: datetime) -> None:
        """Draw the queues as read; the view keeps its place on the time axis and the selection."""
        keep = self.axis.moment(self.mapToScene(self.viewport().rect().topLeft()).x() + HEADER_W)
        selected = {b.order.number for b in self.selected_bars()}
        self.queues, self.now = tuple(queues), now
        self._build(selected)
        if self._placed_once:
            self.scroll_to(keep)
        else:
            self._placed_once = True
            self.scroll_to(now - timedelta(hours=ZOOMS[self.zoom][1] / 8))

    def set_zoom(self, index: int) -> None:
        """Show a shift, a day, three days or a week across the view; the left edge keeps its moment."""
        keep = self.left_moment()
        self.zoom = max(0, min(index, len(ZOOMS) - 1))
        self._build({b.order.number for b in self.selected_bars()})
        self.scroll_to(keep)
        self.zoomed.emit(self.zoom)

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Ctrl+wheel zooms between a shift and a week; the wheel alone scrolls along the time axis."""
        steps = event.angleDelta().y()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier and steps:
            self.set_zoom(self.zoom + (-1 if steps > 0 else 1))
            event.accept()
            return
        if steps and not event.angleDelta().x():
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - steps)
            event.accept()
            return
        super().wheelEvent(event)

    def left_moment(self) -> datetime:
        """The moment at the left edge of the bars' part of the view."""
        return self.axis.moment(self.mapToScene(self.viewport().rect().topLeft()).x() + HEADER_W)

    def scroll_to(self, moment: datetime) -> None:
        self.horizontalScrollBar().setValue(int(self.axis.x(moment) - HEADER_W))
        self._pin()

    def _horizon(self) -> tuple[datetime, datetime]:
        starts = [o.estimated_start for q in self.queues for o in q.orders[:1]]
        ends = [q.orders[-1].estimated_end for q in self.queues if q.orders]
        first = min([self.now - timedelta(hours=12), *starts]).astimezone()
        last = max([self.now + timedelta(days=7), *ends]).astimezone()
        origin = first.replace(hour=0, minute=0, second=0, microsecond=0)
        end = (last + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return origin, end

    def _build(self, selected: set[str]) -> None:
        scene = self.scene()
        scene.blockSignals(True)
        scene.clear()
        self.bars, self.row_bars, self.headers, self.dims, self.lit, self.notes = {}, {}, {}, {}, {}, {}
        self.row_items = {}
        self.axis_item, self.now_line, self.ghost = None, None, None  # gone with the scene's items
        self.lanes = {}
        self.picked = {}
        self.codes = [q.line_code for q in self.queues]
        origin, end = self._horizon()
        width = max(200.0, self.viewport().width() - HEADER_W)
        rows = max(1, len(self.queues))
        row_h = max(MIN_ROW, (self.viewport().height() - AXIS_H) / rows)
        self.axis = axis = Axis(origin, end, width / ZOOMS[self.zoom][1], row_h)
        full = axis.width
        scene.setSceneRect(QRectF(0, 0, full, axis.row_top(rows)))
        self.setSceneRect(scene.sceneRect())
        for i, queue in enumerate(self.queues):
            self._add_row(i, queue, selected)
        self.axis_item = AxisItem(axis, self._step())
        scene.addItem(self.axis_item)
        self.built_now = self.now
        self.now_line = scene.addRect(QRectF(axis.x(self.now) - 1, AXIS_H * 0.4, 2, axis.row_top(rows)),
                                      QPen(Qt.PenStyle.NoPen), NOW_PEN)  # fmt: skip
        self.now_line.setZValue(12)
        self.now_line.setToolTip(tr("Now"))
        scene.blockSignals(False)
        self._pin()

    def _step(self) -> int:
        return {8: 1, 24: 2, 72: 6, 168: 12}[ZOOMS[self.zoom][1]]

    def _add_row(self, i: int, queue: LineQueue, selected: set[str]) -> None:
        scene, axis = self.scene(), self.axis
        top, code = axis.row_top(i), queue.line_code
        made: list[QGraphicsItem] = []

        def put(item: QGraphicsItem, z: float) -> Any:
            item.setZValue(z)
            scene.addItem(item)
            made.append(item)
            return item

        row = QRectF(0, top, axis.width, axis.row_h)
        band = put(QGraphicsRectItem(row), 0)
        band.setPen(QPen(QColor("#dadce0"), 0.5))
        band.setBrush(QColor("#ffffff") if i % 2 else QColor("#fafbfc"))
        lit = put(QGraphicsRectItem(row), 0.5)
        lit.setPen(QPen(Qt.PenStyle.NoPen))
        lit.setBrush(ACCEPT_FILL)
        lit.setVisible(False)
        bar_top, bar_h = top + 3, axis.row_h - LOAD_H - 7
        for stop in queue.stops:
            stop_end = stop.ended_at or self.now
            if stop_end <= axis.origin:
                continue
            r = QRectF(axis.x(stop.started_at), bar_top, max(2.0, axis.x(stop_end) - axis.x(stop.started_at)), bar_h)
            item = put(QGraphicsRectItem(r), 1)
            item.setPen(QPen(Qt.PenStyle.NoPen))
            item.setBrush(QBrush(STOP_FILL, Qt.BrushStyle.Dense5Pattern))
            item.setToolTip(tr("Stopped: {0}").format(stop.reason_name))
        bars: list[Bar] = []
        for scheduled in queue.orders:
            x0, x1 = axis.x(scheduled.estimated_start), axis.x(scheduled.estimated_end)
            tail = axis.x(scheduled.planned_end) if scheduled.overrun else None
            bar = Bar(self, scheduled, code, QRectF(x0, bar_top, max(3.0, x1 - x0), bar_h), tail)
            if scheduled.order.number in selected:
                self.picked[scheduled.order.number] = bar
            bars.append(bar)
            self.bars[scheduled.order.number] = bar
        self.row_bars[code] = bars
        self.lanes[code] = put(LaneItem(QRectF(0, bar_top, axis.width, bar_h), bars), 2)
        for load in queue.loads:
            day_start = datetime.combine(load.day, datetime.min.time()).astimezone()
            x0, x1 = axis.x(day_start), axis.x(day_start + timedelta(days=1))
            strip = QRectF(x0, top + axis.row_h - LOAD_H - 2, x1 - x0, LOAD_H)
            put(LoadItem(strip, load.planned_hours, load.available_hours), 1)
        dim = put(QGraphicsRectItem(row), 5)
        dim.setPen(QPen(Qt.PenStyle.NoPen))
        dim.setBrush(DIM_FILL)
        dim.setVisible(False)
        header = put(HeaderItem(queue, QRectF(0, top, HEADER_W, axis.row_h)), 10)
        self.headers[code], self.dims[code], self.lit[code] = header, dim, lit
        self.row_items[code] = made
        self.drawn_at[code] = self.now
        if code in self.note_texts:
            self._note(code, self.note_texts[code])

    def update_queues(self, queues: Sequence[LineQueue], now: datetime) -> None:
        """The queues read again: draw again the lines whose orders or stops changed, or that were drawn over a
        minute ago (their estimates follow the clock); the rest stay as they are."""
        if [q.line_code for q in queues] != self.codes:
            self.set_queues(queues, now)
            return
        old = {q.line_code: q for q in self.queues}
        stale = [
            q
            for q in queues
            if _signature(q) != _signature(old[q.line_code]) or now - self.drawn_at.get(q.line_code, now) > REDRAW_AFTER
        ]
        self.queues = tuple(queues)
        self.replace_rows(stale, now)

    def replace_rows(self, changed: Sequence[LineQueue], now: datetime) -> None:
        """Draw again only the lines a move touched; the whole scene when their work leaves the horizon."""
        queues = {q.line_code: q for q in changed}
        fresh = tuple(queues.get(q.line_code, q) for q in self.queues)
        self.move_now(now)
        origin, end = self.axis.origin, self.axis.end
        self.queues = fresh
        if self._horizon() != (origin, end) or set(queues) - set(self.codes):
            self.set_queues(fresh, now)
            return
        selected = {b.order.number for b in self.selected_bars()}
        scene = self.scene()
        for code, queue in queues.items():
            for bar in self.row_bars.get(code, []):
                self.bars.pop(bar.order.number, None)
                self.picked.pop(bar.order.number, None)
            for item in self.row_items.pop(code, []):
                scene.removeItem(item)
            self._add_row(self.codes.index(code), queue, selected)
        self._pin()

    # ---------------------------------------------------------------- pinned parts

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        """Scroll the bars; the headers and the axis stay where they are."""
        super().scrollContentsBy(dx, dy)
        self._pin()
        self.viewport().update()  # bars draw their text from the visible left edge: no stale copies

    def _pin(self) -> None:
        corner = self.mapToScene(0, 0)
        Bar.visible_left = corner.x() + HEADER_W
        for header in self.headers.values():
            header.setPos(corner.x(), 0)
        for note in self.notes.values():
            note.setPos(corner.x(), 0)
        if self.axis_item is not None:
            self.axis_item.setPos(0, corner.y())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Rows fit the height and the zoom's span the width: rebuild at the new size."""
        super().resizeEvent(event)
        if self.queues:
            keep = self.left_moment()
            self._build({b.order.number for b in self.selected_bars()})
            self.scroll_to(keep)

    def move_now(self, now: datetime) -> None:
        """The clock moved: the now marker follows (the queues move at the next read)."""
        self.now = now
        if self.now_line is not None:
            self.now_line.setX(self.axis.x(now) - self.axis.x(self.built_now))

    def viewportEvent(self, event: QEvent) -> bool:
        """A bar's tooltip, written when it is asked for."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            bar = self.bar_at(QPointF(event.pos()))
            if bar is not None:
                QToolTip.showText(event.globalPos(), bar.tip(), self.viewport())
                return True
        return super().viewportEvent(event)

    # ---------------------------------------------------------------- what is where

    def selected_bars(self) -> list[Bar]:
        return list(self.picked.values())

    def pick(self, bar: Bar, on: bool) -> None:
        """Pick a bar or let it go; the board hears of the last one picked."""
        if on:
            self.picked[bar.order.number] = bar
        else:
            self.picked.pop(bar.order.number, None)
        lane = self.lanes.get(bar.line_code)
        if lane is not None:
            lane.refresh(bar)
        self._selection_changed()

    def clear_picks(self) -> None:
        for bar in list(self.picked.values()):
            lane = self.lanes.get(bar.line_code)
            if lane is not None:
                lane.refresh(bar)
        self.picked = {}

    def bar_at(self, pos: QPointF) -> Bar | None:
        """The bar under a point of the viewport (none under the pinned headers and axis)."""
        if pos.x() < HEADER_W or pos.y() < AXIS_H:
            return None
        here = self.mapToScene(pos.toPoint())
        code = self.line_at(here.y())
        lane = self.lanes.get(code or "")
        if lane is None or not lane.rect.contains(here):
            return None
        return lane.at(here.x())

    def line_at(self, scene_y: float) -> str | None:
        row = self.axis.row_at(scene_y)
        return self.codes[row] if 0 <= row < len(self.codes) else None

    def position_at(self, code: str, scene_x: float, moving: set[str]) -> int:
        """The 1-based place among the line's orders but `moving` that a drop at `scene_x` points to."""
        others = [b for b in self.row_bars.get(code, []) if b.order.number not in moving]
        return 1 + sum(1 for b in others if b.rect.center().x() < scene_x)

    def row_rect(self, code: str) -> QRectF:
        i = self.codes.index(code)
        corner = self.mapToScene(0, 0)
        return QRectF(corner.x() + HEADER_W, self.axis.row_top(i), self.viewport().width() - HEADER_W,
                      self.axis.row_h)  # fmt: skip

    def show_order(self, number: str) -> bool:
        bar = self.bars.get(number)
        if bar is None:
            return False
        self.clear_picks()
        bar.setSelected(True)
        self.scroll_to(bar.item.estimated_start - timedelta(hours=ZOOMS[self.zoom][1] / 8))
        return True

    def show_line(self, code: str) -> None:
        bars = self.row_bars.get(code) or []
        if bars:
            self.scroll_to(bars[0].item.estimated_start - timedelta(hours=ZOOMS[self.zoom][1] / 8))

    # ---------------------------------------------------------------- refusals at the line

    def show_refusal(self, code: str, text: str) -> None:
        """Say on the line's own row why it did not take the order."""
        if code not in self.codes:
            return
        self.note_texts[code] = text
        self._note(code, text)
        QTimer.singleShot(NOTE_MS, self, lambda: self._clear_note(code, text))

    def _note(self, code: str, text: str) -> None:
        old = self.notes.pop(code, None)
        if old is not None:
            self.scene().removeItem(old)
        i = self.codes.index(code)
        top, height = self.axis.row_top(i), self.axis.row_h - LOAD_H - 4
        width = min(max(300.0, self.viewport().width() - HEADER_W - 20), 1000.0)
        box = self.scene().addRect(QRectF(HEADER_W + 4, top + 2, width, height), QPen(LATE_EDGE, 1.5),
                                   QColor("#fdecea"))  # fmt: skip
        box.setZValue(9)
        label = self.scene().addText("⚠ " + text)
        label.setParentItem(box)
        label.setDefaultTextColor(LATE_EDGE)
        label.setTextWidth(width - 8)
        label.setPos(HEADER_W + 8, top + 2)
        box.setToolTip(text)
        self.notes[code] = box
        self._pin()

    def _clear_note(self, code: str, text: str) -> None:
        if self.note_texts.get(code) != text:
            return  # a newer refusal took its place
        del self.note_texts[code]
        box = self.notes.pop(code, None)
        if box is not None:
            self.scene().removeItem(box)

    # ---------------------------------------------------------------- dragging bars

    def highlight(self, orders: Sequence[OrderRow] | None) -> None:
        """Light the rows that can take every one of `orders` and dim the others; None clears."""
        for code in self.codes:
            takes = orders is not None and all(self.accepts(o, code) for o in orders)
            self.lit[code].setVisible(orders is not None and takes)
            self.dims[code].setVisible(orders is not None and not takes)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Pick a bar (Ctrl adds to the picked ones); a drag starts once the mouse moves."""
        bar = self.bar_at(event.position()) if event.button() == Qt.MouseButton.LeftButton else None
        if bar is None:
            if event.button() == Qt.MouseButton.LeftButton and not event.modifiers():
                self.clear_picks()  # a click beside the bars lets them go
            super().mousePressEvent(event)
            return
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            bar.setSelected(not bar.isSelected())
        elif not bar.isSelected():
            self.clear_picks()
            bar.setSelected(True)
        self._press = self.mapToScene(event.position().toPoint())
        self._dragged = [b for b in self.selected_bars() if b.movable] if bar.isSelected() else []
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """The picked bars follow the mouse; the rows that can take them light up."""
        if self._press is None or not self._dragged:
            super().mouseMoveEvent(event)
            return
        here = self.mapToScene(event.position().toPoint())
        delta = here - self._press
        if not self.dragging:
            if delta.manhattanLength() < QApplication.startDragDistance():
                return
            self.dragging = True
            self.highlight([b.order for b in self._dragged])
            self.ghost = GhostItem(self._dragged)
            self.scene().addItem(self.ghost)
            for bar in self._dragged:
                self.lanes[bar.line_code].faded.add(bar.order.number)
                self.lanes[bar.line_code].refresh(bar)
        if self.ghost is not None:
            self.ghost.setPos(delta)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A drop asks for the move; the bars go back until the queues are read again."""
        if not self.dragging:
            self._press, self._dragged = None, []
            super().mouseReleaseEvent(event)
            return
        here = self.mapToScene(event.position().toPoint())
        dragged = sorted(self._dragged, key=lambda b: (b.line_code, b.order.position or 0))
        for bar in dragged:
            self.lanes[bar.line_code].faded.discard(bar.order.number)
            self.lanes[bar.line_code].refresh(bar)
        if self.ghost is not None:
            self.scene().removeItem(self.ghost)
            self.ghost = None
        self.highlight(None)
        self.dragging, self._press, self._dragged = False, None, []
        code = self.line_at(here.y())
        if code is None:
            return
        numbers = [b.order.number for b in dragged]
        # the first goes where the drop points, each next one behind it (ui/board_moves.py)
        position = self.position_at(code, here.x(), {numbers[0]})
        if len(dragged) == 1 and dragged[0].line_code == code and dragged[0].order.position == position:
            return  # dropped where it already is
        self.move_requested.emit(numbers, code, position)

    def _selection_changed(self) -> None:
        bars = self.selected_bars()
        last = bars[-1] if bars else None
        self.selection_changed.emit(last.order if last else None, last.line_code if last else None)

    # ---------------------------------------------------------------- cards dropped from the backlog

    def _payload(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> dict[str, Any] | None:
        data = event.mimeData()
        if not data.hasFormat(MIME):
            return None
        payload: dict[str, Any] = json.loads(bytes(data.data(MIME).data()).decode())
        return payload

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """A card from the backlog: light the rows that can take it."""
        payload = self._payload(event)
        if payload is None:
            event.ignore()
            return
        self.highlight(self.dragged_orders(payload))
        event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        """Any row takes the drop; the board's service says whether the line may."""
        if self._payload(event) is None:
            event.ignore()
            return
        event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        """The card left the schedule: the rows are as before."""
        self.highlight(None)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        """Plan the card's orders where it was dropped."""
        payload = self._payload(event)
        self.highlight(None)
        if payload is None:
            event.ignore()
            return
        here = self.mapToScene(event.position().toPoint())
        code = self.line_at(here.y())
        if code is None:
            event.ignore()
            return
        numbers = list(payload.get("numbers") or [payload["number"]])
        event.acceptProposedAction()
        self.move_requested.emit(numbers, code, self.position_at(code, here.x(), {numbers[0]}))
