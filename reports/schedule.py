"""The production plan's schedule page: every line as a row along the week ahead, as the board shows it.

Each queued order is a bar from its estimated start to its estimated end (domain/schedule.py); a running
order past its estimate carries its overrun as a red hatched tail up to the time of printing; late
orders are red; the line's stops are grey; under each row a strip weighs the work due each day against
the hours the line can run, red where it is more. The page shows SCHEDULE_DAYS from the start of the
day the plan is printed; what lies beyond is counted at the row's end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from app.dto import LineQueue, ScheduledOrder
from app.formatting import hours as hours_text
from app.formatting import span
from domain.vocabulary import OrderStatus
from reports import fonts

SCHEDULE_DAYS = 7
LABEL_W = 118.0  # the line's name and hours at the left of its row
AXIS_H = 22.0
LEGEND_H = 16.0
LOAD_H = 7.0
PLANNED, PLANNED_EDGE = colors.HexColor("#d4e4f7"), colors.HexColor("#5b8fc7")
RUNNING, RUNNING_EDGE = colors.HexColor("#ffe8a3"), colors.HexColor("#c99a06")
LATE, LATE_EDGE = colors.HexColor("#f8d3d0"), colors.HexColor("#b3261e")
OVERRUN = colors.HexColor("#d93025")
STOPPED = colors.HexColor("#c9c9c9")
LOAD_OK, LOAD_OVER, LOAD_FREE = colors.HexColor("#a8d5b5"), colors.HexColor("#e8786f"), colors.HexColor("#f1f3f4")
GRID = colors.HexColor("#d0d4da")
INK = colors.HexColor("#202124")
QUIET = colors.HexColor("#5f6368")


class _Frame:
    """Where moments and rows fall on the page."""

    def __init__(self, start: datetime, left: float, right: float, top: float, bottom: float, rows: int) -> None:
        self.start, self.end = start, start + timedelta(days=SCHEDULE_DAYS)
        self.left, self.right, self.top, self.bottom = left, right, top, bottom
        self.per_hour = (right - left) / (SCHEDULE_DAYS * 24)
        self.row_h = (top - AXIS_H - bottom) / max(1, rows)

    def x(self, moment: datetime) -> float:
        hours = (moment - self.start).total_seconds() / 3600
        return self.left + max(0.0, min(hours * self.per_hour, self.right - self.left))

    def row_top(self, i: int) -> float:
        return self.top - AXIS_H - i * self.row_h


def draw_schedule(
    canvas: Canvas, queues: tuple[LineQueue, ...], now: datetime, page: tuple[float, float, float, float]
) -> None:
    """Draw the lines × time view inside `page` (left, bottom, right, top) of the current page."""
    left, bottom, right, top = page
    local_now = now.astimezone()
    start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    frame = _Frame(start, left + LABEL_W, right, top, bottom + LEGEND_H + 6, len(queues))
    _axis(canvas, frame)
    for i, queue in enumerate(queues):
        _row(canvas, frame, i, queue, now)
    canvas.setStrokeColor(OVERRUN)
    canvas.setLineWidth(1.2)
    x = frame.x(now)
    canvas.line(x, frame.bottom, x, frame.top - 4)
    canvas.setFillColor(OVERRUN)
    canvas.setFont(fonts.BOLD, 6.5)
    canvas.drawString(x + 2, frame.bottom - 7, f"now {local_now:%H:%M}")
    _legend(canvas, left, bottom)


def _axis(canvas: Canvas, frame: _Frame) -> None:
    canvas.setFont(fonts.REGULAR, 6)
    for hour in range(0, SCHEDULE_DAYS * 24 + 1, 6):
        moment = frame.start + timedelta(hours=hour)
        x = frame.x(moment)
        day_start = hour % 24 == 0
        canvas.setStrokeColor(QUIET if day_start else GRID)
        canvas.setLineWidth(0.8 if day_start else 0.3)
        canvas.line(x, frame.bottom, x, frame.top - (4 if day_start else AXIS_H * 0.55))
        if hour == SCHEDULE_DAYS * 24:
            continue
        canvas.setFillColor(INK if day_start else QUIET)
        if day_start:
            canvas.setFont(fonts.BOLD, 7.5)
            canvas.drawString(x + 3, frame.top - 10, moment.strftime("%a %d.%m"))
            canvas.setFont(fonts.REGULAR, 6)
        else:
            canvas.drawString(x + 2, frame.top - AXIS_H + 4, moment.strftime("%H:%M"))


def _row(canvas: Canvas, frame: _Frame, i: int, queue: LineQueue, now: datetime) -> None:
    top = frame.row_top(i)
    bottom = top - frame.row_h
    canvas.setStrokeColor(GRID)
    canvas.setLineWidth(0.4)
    canvas.line(frame.left - LABEL_W, bottom, frame.right, bottom)
    late = sum(1 for o in queue.orders if o.late)
    canvas.setFillColor(INK)
    canvas.setFont(fonts.BOLD, 8)
    canvas.drawString(frame.left - LABEL_W + 2, top - 10, queue.line_code)
    canvas.setFont(fonts.REGULAR, 6.5)
    canvas.setFillColor(LATE_EDGE if late else QUIET)
    summary = f"{len(queue.orders)} queued · {hours_text(queue.hours_queued)}" + (f" · {late} late" if late else "")
    canvas.drawString(frame.left - LABEL_W + 2, top - 19, fonts.fit(summary, fonts.REGULAR, 6.5, LABEL_W - 6))
    notes = [f"stopped: {queue.stopped.reason_name}"] if queue.stopped is not None else []
    notes += [f"{o.order.number} +{span(o.overrun)} over" for o in queue.orders[:1] if o.overrun]
    canvas.setFillColor(LATE_EDGE)
    for n, note in enumerate(notes):
        y = top - 27 - n * 7.5
        if y > bottom + 2:
            canvas.drawString(frame.left - LABEL_W + 2, y, fonts.fit(note, fonts.REGULAR, 6.5, LABEL_W - 6))
    bar_top, bar_bottom = top - 2, bottom + LOAD_H + 3
    for stop in queue.stops:
        end = stop.ended_at or now
        if end <= frame.start or stop.started_at >= frame.end:
            continue
        x0, x1 = frame.x(stop.started_at), frame.x(end)
        canvas.setFillColor(STOPPED)
        canvas.rect(x0, bar_bottom, max(0.8, x1 - x0), bar_top - bar_bottom, stroke=0, fill=1)
    beyond = 0
    for order in queue.orders:
        if order.estimated_start >= frame.end:
            beyond += 1
            continue
        if order.estimated_end <= frame.start:
            continue
        _bar(canvas, frame, order, bar_bottom, bar_top)
    if beyond:
        canvas.setFillColor(QUIET)
        canvas.setFont(fonts.REGULAR, 6)
        canvas.drawRightString(frame.right - 2, bottom + LOAD_H + 3 - 7, f"+{beyond} later →")
    for load in queue.loads:
        day_start = datetime.combine(load.day, datetime.min.time()).astimezone()
        if day_start >= frame.end:
            break
        x0, x1 = frame.x(day_start), frame.x(day_start + timedelta(days=1))
        canvas.setFillColor(LOAD_FREE)
        canvas.rect(x0 + 0.5, bottom + 1.5, x1 - x0 - 1, LOAD_H, stroke=0, fill=1)
        if load.planned_hours > 0:
            share = 1.0 if load.overloaded or load.available_hours <= 0 else load.planned_hours / load.available_hours
            canvas.setFillColor(LOAD_OVER if load.overloaded else LOAD_OK)
            canvas.rect(x0 + 0.5, bottom + 1.5, (x1 - x0 - 1) * share, LOAD_H, stroke=0, fill=1)
        canvas.setFillColor(LATE_EDGE if load.overloaded else QUIET)
        canvas.setFont(fonts.REGULAR, 5.5)
        mark = " overloaded" if load.overloaded else ""
        text = f"{load.planned_hours:.0f}/{load.available_hours:.0f} h{mark}"
        canvas.drawCentredString((x0 + x1) / 2, bottom + 3, text)


def _bar(canvas: Canvas, frame: _Frame, item: ScheduledOrder, bottom: float, top: float) -> None:
    running = OrderStatus(item.order.status).is_running
    fill, edge = (RUNNING, RUNNING_EDGE) if running else (PLANNED, PLANNED_EDGE)
    if item.late:
        fill, edge = LATE, LATE_EDGE
    x0, x1 = frame.x(item.estimated_start), frame.x(item.estimated_end)
    width = max(0.8, x1 - x0)
    canvas.setFillColor(fill)
    canvas.setStrokeColor(edge)
    canvas.setLineWidth(0.4)
    canvas.rect(x0, bottom, width, top - bottom, stroke=1, fill=1)
    text_right = x0 + width
    if item.overrun:
        tail = frame.x(item.planned_end)
        _hatched(canvas, tail, bottom, x1 - tail, top - bottom)
        over = f"+{span(item.overrun)} over"
        canvas.setFillColor(OVERRUN)
        canvas.setFont(fonts.BOLD, 6)
        if fonts.width(over, fonts.BOLD, 6) < x1 - x0 - 4:
            canvas.drawRightString(x1 - 2, bottom + 2, over)
        text_right = tail
    label = fonts.fit(item.order.number, fonts.REGULAR, 6, text_right - x0 - 3)
    if label and text_right - x0 > 14:
        canvas.setFillColor(LATE_EDGE if item.late else INK)
        canvas.setFont(fonts.REGULAR, 6)
        canvas.drawString(x0 + 1.5, top - 7, label)


def _hatched(canvas: Canvas, x: float, y: float, width: float, height: float) -> None:
    """A red, diagonally hatched rectangle: time an order has run past its estimate."""
    if width <= 0:
        return
    canvas.saveState()
    path = canvas.beginPath()
    path.rect(x, y, width, height)
    canvas.clipPath(path, stroke=0, fill=0)
    canvas.setStrokeColor(OVERRUN)
    canvas.setLineWidth(0.5)
    step = 4.0
    offset = -height
    while offset < width:
        canvas.line(x + offset, y, x + offset + height, y + height)
        offset += step
    canvas.restoreState()


def _legend(canvas: Canvas, left: float, bottom: float) -> None:
    entries: list[tuple[str, Callable[[float, float], None]]] = [
        ("planned", lambda x, y: _swatch(canvas, x, y, PLANNED, PLANNED_EDGE)),
        ("running", lambda x, y: _swatch(canvas, x, y, RUNNING, RUNNING_EDGE)),
        ("late", lambda x, y: _swatch(canvas, x, y, LATE, LATE_EDGE)),
        ("running past its estimate", lambda x, y: _hatched(canvas, x, y, 14, 7)),
        ("line stopped", lambda x, y: _swatch(canvas, x, y, STOPPED, STOPPED)),
        ("work due per day / hours the line can run", lambda x, y: _swatch(canvas, x, y, LOAD_OK, LOAD_OK)),
        ("overloaded day", lambda x, y: _swatch(canvas, x, y, LOAD_OVER, LOAD_OVER)),
    ]
    x = left
    canvas.setFont(fonts.REGULAR, 6.5)
    for text, swatch in entries:
        swatch(x, bottom + 2)
        canvas.setFillColor(INK)
        canvas.drawString(x + 17, bottom + 3, text)
        x += 17 + fonts.width(text, fonts.REGULAR, 6.5) + 12


def _swatch(canvas: Canvas, x: float, y: float, fill: colors.Color, edge: colors.Color) -> None:
    canvas.setFillColor(fill)
    canvas.setStrokeColor(edge)
    canvas.setLineWidth(0.4)
    canvas.rect(x, y, 14, 7, stroke=1, fill=1)
