"""The dashboard on paper: the screen's figures, tiles, tables and charts on two A4 pages.

The charts are drawn with reportlab's own chart library (reportlab.graphics.charts). Page one:
the figures as tiles, the lines now and the alerts. Page two: output against capacity per line,
availability and queued work per line, stock and quality, and the journal's newest entries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import BinaryIO

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.dashboard import Dashboard, LineNow
from app.formatting import day, hours, moment, percent, quantity, short_moment, span
from app.reporting import DashboardReport
from domain.alerts import Alert
from domain.vocabulary import AlertKind, LineState, Severity
from reports import fonts
from reports.layout import ALERT, ALERT_FILL, GRID, SECTION, SHADE

Out = str | BinaryIO
Progress = Callable[[int], None] | None

WIDTH, HEIGHT = A4
MARGIN = 14 * mm
INK = colors.HexColor("#1a3d6d")
QUIET = colors.HexColor("#5f6368")
GOOD = colors.HexColor("#1b7a2f")
WARN = colors.HexColor("#a15c00")
BAR = colors.HexColor("#4a7ab5")
STATE_COLOURS = {LineState.RUNNING: GOOD, LineState.IDLE: QUIET, LineState.STOPPED: ALERT}
PAGES = 2


# ---------------------------------------------------------------- words


def alert_text(alert: Alert, now: datetime) -> str:
    """An alert in a sentence, as the printed list and the command line say it."""
    kind = alert.kind
    if kind is AlertKind.LINE_STOPPED:
        assert alert.since is not None
        return f"{alert.key} stopped for {span(now - alert.since)} ({alert.name})"
    if kind is AlertKind.OUT_OF_STOCK:
        return f"{alert.key} {alert.name}: none in stock (reorder at {_qty(alert.limit, alert.unit)})"
    if kind is AlertKind.BELOW_REORDER:
        return f"{alert.key} {alert.name}: {_qty(alert.quantity, alert.unit)}, below {_qty(alert.limit, alert.unit)}"
    if kind is AlertKind.EXPIRED_IN_STOCK:
        return f"Batch {alert.key} ({alert.name}) expired on {day(alert.day)} and is still in stock"
    if kind is AlertKind.PENDING_TOO_LONG:
        return f"Batch {alert.key} ({alert.name}) waiting for release for {_lasted(alert.since, now)}"
    due = day(alert.day)
    if kind is AlertKind.ORDER_OVERDUE:
        return f"Order {alert.key} ({alert.name}) was due {due} and is not finished"
    return f"Order {alert.key} ({alert.name}) will miss its due date {due}"


def _qty(value: Decimal | None, unit: str) -> str:
    return quantity(value, unit) if value is not None else ""


def _lasted(since: datetime | None, now: datetime) -> str:
    return span(now - since) if since is not None else ""


def line_detail(line: LineNow, now: datetime) -> str:
    """What a line does: the order it runs, or why it stands (and how long it has)."""
    if line.state is LineState.STOPPED:
        lasted = f" ({span(now - line.stopped_since)})" if line.stopped_since else ""
        with_order = f"; {line.order_number} waits" if line.order_number else ""
        return f"{line.reason}{lasted}{' — ' + line.stop_note if line.stop_note else ''}{with_order}"
    if line.state is LineState.RUNNING:
        return f"{line.order_number} · {line.customer_name}"
    return "nothing running"


def line_since(line: LineNow) -> datetime | None:
    return line.stopped_since if line.state is LineState.STOPPED else line.order_since


def tiles(board: Dashboard) -> list[tuple[str, str, str, bool]]:
    """(title, figure, detail, alarming) for each tile, in the screen's order."""
    lines, batches = board.lines, board.batches
    running = lines.count(LineState.RUNNING)
    stopped = lines.count(LineState.STOPPED)
    oldest = batches.oldest_pending
    blocked = sum(b.batches for b in batches.blocked)
    return [
        (
            "Lines running",
            f"{running} of {len(lines.lines)}",
            f"{lines.count(LineState.IDLE)} idle · {stopped} stopped",
            stopped > 0,
        ),
        (
            "Availability, 7 days",
            percent(board.availability.overall),
            "time not stopped, all lines",
            False,
        ),
        ("Orders late now", str(len(lines.late)), "by the queue's estimate", bool(lines.late)),
        (
            "On time, 30 days",
            percent(board.on_time.rate),
            f"{board.on_time.on_time} of {board.on_time.finished} finished orders",
            False,
        ),
        ("Work queued", hours(lines.hours_queued), f"on {len(lines.lines)} lines", False),
        (
            "Below reorder level",
            str(len(board.materials.below)),
            f"{board.materials.out_of_stock} out of stock",
            board.materials.out_of_stock > 0,
        ),
        (
            "Expiring soon",
            str(len(batches.expiring)),
            f"within {batches.expiry_days} days · {len(batches.expired)} expired in stock",
            bool(batches.expired),
        ),
        (
            "Waiting for release",
            str(len(batches.pending)),
            f"the oldest for {span(board.at - oldest)}" if oldest else "none waiting",
            batches.pending_too_long > 0,
        ),
        ("Blocked stock", str(len(batches.blocked)), f"materials · {blocked} batches on hold", False),
    ]


# ---------------------------------------------------------------- drawing


def dashboard(data: DashboardReport, out: Out, progress: Progress = None) -> int:
    """Write the dashboard as two A4 pages; returns the number of pages."""
    fonts.register()
    canvas = Canvas(out, pagesize=A4, pageCompression=1, initialFontName=fonts.REGULAR)
    canvas.setTitle(data.header.title)
    canvas.setAuthor(data.header.printed_by)
    canvas.setCreator("MPSYSTEM")
    board = data.dashboard
    y = _header(canvas, data, 1)
    y = _tiles(canvas, board, y)
    y = _lines_now(canvas, board, y - 6)
    _alerts(canvas, board, y - 6)
    canvas.showPage()
    if progress is not None:
        progress(1)
    y = _header(canvas, data, 2)
    y = _output(canvas, board, y)
    y = _bars_side_by_side(canvas, board, y - 4)
    y = _stock(canvas, board, y - 4)
    _journal(canvas, board, y - 4)
    canvas.showPage()
    canvas.save()
    if progress is not None:
        progress(2)
    return PAGES


def _header(canvas: Canvas, data: DashboardReport, page: int) -> float:
    h = data.header
    top = HEIGHT - MARGIN
    canvas.setFillColor(INK)
    canvas.setFont(fonts.BOLD, 9)
    canvas.drawString(MARGIN, top - 8, h.plant)
    canvas.setFillColor(colors.black)
    canvas.setFont(fonts.BOLD, 15)
    canvas.drawString(MARGIN, top - 27, h.title)
    canvas.setFont(fonts.REGULAR, 8)
    canvas.drawRightString(WIDTH - MARGIN, top - 8, f"Printed by {h.printed_by}")
    canvas.drawRightString(WIDTH - MARGIN, top - 19, f"at {moment(h.printed_at)}")
    filters = "    ".join(f"{label}: {value}" for label, value in h.filters)
    canvas.drawString(MARGIN, top - 40, filters)
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, top - 45, WIDTH - MARGIN, top - 45)
    canvas.setFont(fonts.REGULAR, 7.5)
    canvas.setFillColor(QUIET)
    canvas.drawString(MARGIN, MARGIN - 4, f"{h.plant} · {h.title}")
    canvas.drawRightString(WIDTH - MARGIN, MARGIN - 4, f"Page {page} of {PAGES}")
    canvas.setFillColor(colors.black)
    return top - 52


def _heading(canvas: Canvas, text: str, y: float, x: float = MARGIN, width: float = WIDTH - 2 * MARGIN) -> float:
    canvas.setFillColor(SECTION)
    canvas.rect(x, y - 13, width, 13, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setFont(fonts.BOLD, 8.5)
    canvas.drawString(x + 3, y - 9.5, fonts.fit(text, fonts.BOLD, 8.5, width - 6))
    return y - 15


def _tiles(canvas: Canvas, board: Dashboard, y: float) -> float:
    columns, gap, height = 3, 6, 44
    width = (WIDTH - 2 * MARGIN - gap * (columns - 1)) / columns
    for i, (title, figure, detail, alarming) in enumerate(tiles(board)):
        row, column = divmod(i, columns)
        x = MARGIN + column * (width + gap)
        top = y - row * (height + gap)
        canvas.setFillColor(ALERT_FILL if alarming else SHADE)
        canvas.setStrokeColor(GRID)
        canvas.roundRect(x, top - height, width, height, 4, stroke=1, fill=1)
        canvas.setFillColor(QUIET)
        canvas.setFont(fonts.REGULAR, 7.5)
        canvas.drawString(x + 6, top - 11, fonts.fit(title, fonts.REGULAR, 7.5, width - 12))
        canvas.setFillColor(ALERT if alarming else colors.black)
        canvas.setFont(fonts.BOLD, 14)
        canvas.drawString(x + 6, top - 28, fonts.fit(figure, fonts.BOLD, 14, width - 12))
        canvas.setFillColor(QUIET)
        canvas.setFont(fonts.REGULAR, 7)
        canvas.drawString(x + 6, top - 39, fonts.fit(detail, fonts.REGULAR, 7, width - 12))
    canvas.setFillColor(colors.black)
    rows = (len(tiles(board)) + columns - 1) // columns
    return y - rows * (height + gap)


def _table(
    canvas: Canvas,
    y: float,
    columns: Sequence[tuple[str, float, str]],
    rows: Sequence[tuple[Sequence[str], str]],
    x: float = MARGIN,
    width: float = WIDTH - 2 * MARGIN,
    size: float = 7.5,
    height: float = 11.5,
    empty: str = "",
) -> float:
    """Columns: (title, weight, align); rows: (cells, kind) where kind is normal or alert; `empty` when none."""
    total = sum(w for _t, w, _a in columns)
    widths = [width * w / total for _t, w, _a in columns]
    canvas.setFont(fonts.CONDENSED_BOLD, size)
    cx = x
    for (title, _w, align), w in zip(columns, widths, strict=True):
        _cell(canvas, title, cx, y - height + 3.2, w, align, fonts.CONDENSED_BOLD, size)
        cx += w
    canvas.setStrokeColor(colors.HexColor("#9aa0a6"))
    canvas.setLineWidth(0.5)
    canvas.line(x, y - height, x + width, y - height)
    y -= height
    if not rows and empty:
        canvas.setFont(fonts.REGULAR, size)
        canvas.setFillColor(QUIET)
        canvas.drawString(x + 2.5, y - height + 3.2, fonts.fit(empty, fonts.REGULAR, size, width - 5))
        canvas.setFillColor(colors.black)
        return y - height
    for cells, kind in rows:
        if kind == "alert":
            canvas.setFillColor(ALERT_FILL)
            canvas.rect(x, y - height, width, height, stroke=0, fill=1)
        canvas.setFillColor(ALERT if kind == "alert" else colors.black)
        cx = x
        for (_t, _w, align), w, text in zip(columns, widths, cells, strict=True):
            _cell(canvas, text, cx, y - height + 3.2, w, align, fonts.CONDENSED, size)
            cx += w
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.3)
        canvas.line(x, y - height, x + width, y - height)
        y -= height
    canvas.setFillColor(colors.black)
    return y


def _cell(canvas: Canvas, text: str, x: float, y: float, width: float, align: str, font: str, size: float) -> None:
    canvas.setFont(font, size)
    text = fonts.fit(text, font, size, width - 5)
    if align == "right":
        canvas.drawRightString(x + width - 2.5, y, text)
    else:
        canvas.drawString(x + 2.5, y, text)


def _lines_now(canvas: Canvas, board: Dashboard, y: float) -> float:
    y = _heading(canvas, "Lines now", y)
    columns = [
        ("Line", 1.5, "left"),
        ("State", 0.9, "left"),
        ("Order or reason", 4.6, "left"),
        ("Since", 1.35, "left"),
        ("Expected end", 1.35, "left"),
        ("Queued", 0.8, "right"),
        ("Work", 0.8, "right"),
        ("Late", 0.6, "right"),
    ]
    rows = [
        (
            (
                ln.code,
                ln.state.label,
                line_detail(ln, board.at),
                short_moment(line_since(ln)),
                short_moment(ln.expected_end),
                str(ln.queued),
                hours(ln.hours_queued),
                str(ln.late) if ln.late else "",
            ),
            "alert" if ln.state is LineState.STOPPED else "normal",
        )
        for ln in board.lines.lines
    ]
    return _table(canvas, y, columns, rows)


def _alerts(canvas: Canvas, board: Dashboard, y: float) -> float:
    found = board.alerts()
    y = _heading(canvas, f"Alerts ({found.total})", y)
    room = int((y - MARGIN - 14) // 11.5) - 1
    listed = found.alerts[:room]
    rows = [
        (
            (a.severity.label, a.kind.label, alert_text(a, board.at)),
            "alert" if a.severity is Severity.CRITICAL else "normal",
        )
        for a in listed
    ]
    columns = [("Severity", 1.0, "left"), ("Rule", 2.3, "left"), ("What", 8.0, "left")]
    y = _table(canvas, y, columns, rows, empty="Nothing needs attention now.")
    if found.total > len(listed):
        canvas.setFont(fonts.REGULAR, 7.5)
        canvas.setFillColor(QUIET)
        canvas.drawString(
            MARGIN + 3, y - 10, f"… and {found.total - len(listed)} more (see the alert list on the Dashboard)"
        )
        canvas.setFillColor(colors.black)
        y -= 12
    return y


def _output(canvas: Canvas, board: Dashboard, y: float) -> float:
    days = board.output.days
    y = _heading(
        canvas,
        f"Output per day against capacity at the nominal rate, {day(days[0])} to {day(days[-1])} (% of a full day)",
        y,
    )
    columns, gap, height = 5, 6, 92
    width = (WIDTH - 2 * MARGIN - gap * (columns - 1)) / columns
    for i, line in enumerate(board.output.lines):
        row, column = divmod(i, columns)
        x = MARGIN + column * (width + gap)
        top = y - row * (height + gap)
        shares = [float(v / line.capacity_per_day * 100) if line.capacity_per_day else 0.0 for v in line.output]
        drawing = Drawing(width, height)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 20, 14, width - 24, height - 38
        chart.data = [shares]
        chart.bars[0].fillColor = BAR
        chart.bars.strokeColor = None
        chart.barSpacing = 0.6
        chart.valueAxis.valueMin = 0
        chart.valueAxis.valueMax = max(100.0, *shares)
        chart.valueAxis.valueStep = 50 if chart.valueAxis.valueMax <= 150 else 100
        chart.valueAxis.labels.fontName = fonts.CONDENSED
        chart.valueAxis.labels.fontSize = 5.5
        chart.valueAxis.strokeColor = GRID
        chart.categoryAxis.categoryNames = [d.strftime("%d") if k % 2 == 1 else "" for k, d in enumerate(days)]
        chart.categoryAxis.labels.fontName = fonts.CONDENSED
        chart.categoryAxis.labels.fontSize = 5.5
        chart.categoryAxis.strokeColor = GRID
        drawing.add(chart)
        full = chart.y + chart.height * 100 / chart.valueAxis.valueMax
        drawing.add(Line(chart.x, full, chart.x + chart.width, full, strokeColor=WARN, strokeDashArray=[2, 2]))
        title = f"{line.code} · {percent(line.share)}"
        drawing.add(String(2, height - 9, title, fontName=fonts.BOLD, fontSize=7))
        drawing.add(
            String(2, height - 17, f"{quantity(line.total, line.unit)} made", fontName=fonts.REGULAR, fontSize=5.8)
        )
        renderPDF.draw(drawing, canvas, x, top - height)
    rows = (len(board.output.lines) + columns - 1) // columns
    return y - rows * (height + gap)


def _bars(title: str, names: list[str], values: list[float], top: float, width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 62, 12, width - 70, height - 26
    chart.data = [values]
    chart.bars[0].fillColor = BAR
    chart.bars.strokeColor = None
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(top, *values) if values else top
    chart.valueAxis.labels.fontName = fonts.CONDENSED
    chart.valueAxis.labels.fontSize = 6
    chart.valueAxis.strokeColor = GRID
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.reverseDirection = True  # the first line at the top, as on the screen
    chart.categoryAxis.labels.fontName = fonts.CONDENSED
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.strokeColor = GRID
    chart.barLabelFormat = "%.0f"
    chart.barLabels.fontName = fonts.CONDENSED
    chart.barLabels.fontSize = 6
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    drawing.add(String(2, height - 9, title, fontName=fonts.BOLD, fontSize=7.5))
    return drawing


def _bars_side_by_side(canvas: Canvas, board: Dashboard, y: float) -> float:
    height, gap = 150, 10
    width = (WIDTH - 2 * MARGIN - gap) / 2
    availability = board.availability.lines
    left = _bars(
        "Availability, last 7 days (% of the time not stopped)",
        [ln.code for ln in availability],
        [ln.availability * 100 for ln in availability],
        100,
        width,
        height,
    )
    queued = board.lines.lines
    right = _bars(
        "Work queued per line (hours at the nominal rate)",
        [ln.code for ln in queued],
        [ln.hours_queued for ln in queued],
        1,
        width,
        height,
    )
    renderPDF.draw(left, canvas, MARGIN, y - height)
    renderPDF.draw(right, canvas, MARGIN + width + gap, y - height)
    return y - height


def _stock(canvas: Canvas, board: Dashboard, y: float) -> float:
    gap = 10
    width = (WIDTH - 2 * MARGIN - gap) / 2
    batches = board.batches
    left_y = _heading(canvas, f"Below reorder level ({len(board.materials.below)})", y, MARGIN, width)
    below = [
        (
            (m.code, m.name, quantity(m.on_hand, m.unit), quantity(m.reorder_level, m.unit)),
            "alert" if m.on_hand <= 0 else "normal",
        )
        for m in board.materials.below[:8]
    ]
    left_y = _table(
        canvas,
        left_y,
        [("Material", 1.7, "left"), ("Name", 2.2, "left"), ("On hand", 1.2, "right"), ("Reorder at", 1.2, "right")],
        below,
        MARGIN,
        width,
        empty="Every material is at or above its reorder level.",
    )
    x = MARGIN + width + gap
    right_y = _heading(canvas, f"Blocked stock by material ({len(batches.blocked)})", y, x, width)
    blocked = [
        ((b.material_code, b.material_name, quantity(b.quantity, b.unit), str(b.batches)), "normal")
        for b in batches.blocked[:8]
    ]
    right_y = _table(
        canvas,
        right_y,
        [("Material", 1.7, "left"), ("Name", 2.2, "left"), ("Quantity", 1.2, "right"), ("Batches", 1.0, "right")],
        blocked,
        x,
        width,
        empty="No stock is blocked.",
    )
    return min(left_y, right_y)


def _journal(canvas: Canvas, board: Dashboard, y: float) -> float:
    y = _heading(canvas, "Recent activity", y)
    room = max(0, int((y - MARGIN - 12) // 11.5) - 1)
    rows = [((moment(e.occurred_at), e.username, e.summary), "normal") for e in board.journal.entries[:room]]
    columns = [("When", 1.3, "left"), ("Who", 1.0, "left"), ("What", 7.7, "left")]
    return _table(canvas, y, columns, rows, empty="The journal is empty.")
