"""A report page writer: header, a table whose heading repeats on every page, "Page X of Y".

Rows stream in and are drawn as they come, never held all at once; rows have a
fixed height, so a first pass over the same rows counts the pages for the
footer and a second pass draws them. Text too long for its column is shortened
with an ellipsis rather than spilling into the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.dto import ReportHeader
from app.formatting import WIDEST_FRACTION, WIDEST_UNIT, moment, quantity_parts
from reports import fonts

ROW_HEIGHT = 13.0
FONT_SIZE = 8.0
MARGIN = 14 * mm
HEADER_HEIGHT = 30 * mm
FOOTER_HEIGHT = 10 * mm
GRID = colors.HexColor("#d0d4da")
SHADE = colors.HexColor("#eef1f4")
SECTION = colors.HexColor("#dfe6ee")
ALERT = colors.HexColor("#b3261e")
ALERT_FILL = colors.HexColor("#fde2e1")


@dataclass(frozen=True)
class Column:
    title: str
    weight: float  # share of the page width
    align: str = "left"


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    kind: str = "normal"  # normal, section (spans the table), subtotal, total, alert, note
    indent: int = 0


@dataclass
class Report:
    header: ReportHeader
    columns: list[Column]
    rows: Callable[[], Iterable[Row]]  # called once per pass
    wide: bool = False
    empty_message: str = "Nothing matches these filters."
    progress: Callable[[int], None] | None = None
    _widths: list[float] = field(default_factory=list)


def _page_size(report: Report) -> tuple[float, float]:
    return landscape(A4) if report.wide else A4


def _table_top(report: Report) -> float:
    extra = max(0, len(report.header.filters) - 3) // 3 * 10
    return _page_size(report)[1] - MARGIN - HEADER_HEIGHT - extra


def _rows_per_page(report: Report) -> int:
    usable = _table_top(report) - ROW_HEIGHT - (MARGIN + FOOTER_HEIGHT)
    return int(usable // ROW_HEIGHT)


def _paginate(report: Report) -> Iterator[list[Row]]:
    """Pages of rows; a section heading never ends a page."""
    per_page = _rows_per_page(report)
    page: list[Row] = []
    for row in report.rows():
        if len(page) == per_page or (len(page) == per_page - 1 and row.kind == "section"):
            yield page
            page = []
        page.append(row)
    if page:
        yield page


def write(report: Report, out: str | BinaryIO) -> int:
    """Write the report as PDF; returns the number of pages."""
    fonts.register()
    pages = sum(1 for _ in _paginate(report))  # first pass: count only
    width, _height = _page_size(report)
    usable = width - 2 * MARGIN
    total_weight = sum(c.weight for c in report.columns)
    report._widths = [usable * c.weight / total_weight for c in report.columns]
    canvas = Canvas(out, pagesize=_page_size(report), pageCompression=1, initialFontName=fonts.REGULAR)
    canvas.setTitle(report.header.title)
    canvas.setAuthor(report.header.printed_by)
    canvas.setCreator("MPSYSTEM")
    if pages == 0:
        _draw_header(canvas, report, 1, 1)
        canvas.setFont(fonts.BOLD, 11)
        canvas.drawString(MARGIN, _table_top(report) - 20, report.empty_message)
        canvas.showPage()
        canvas.save()
        return 1
    drawn = 0
    for number, rows in enumerate(_paginate(report), start=1):
        _draw_header(canvas, report, number, pages)
        y = _draw_table_heading(canvas, report)
        for row in rows:
            y = _draw_row(canvas, report, row, y)
        drawn += len(rows)
        if report.progress is not None:
            report.progress(drawn)
        canvas.showPage()
    canvas.save()
    return pages


def _draw_header(canvas: Canvas, report: Report, page: int, pages: int) -> None:
    width, height = _page_size(report)
    h = report.header
    top = height - MARGIN
    canvas.setFillColor(colors.HexColor("#1a3d6d"))
    canvas.setFont(fonts.BOLD, 9)
    canvas.drawString(MARGIN, top - 8, h.plant)
    canvas.setFillColor(colors.black)
    canvas.setFont(fonts.BOLD, 15)
    canvas.drawString(MARGIN, top - 27, fonts.fit(h.title, fonts.BOLD, 15, width - 2 * MARGIN - 200))
    canvas.setFont(fonts.REGULAR, 8)
    printed = f"Printed by {h.printed_by}"
    at = f"at {moment(h.printed_at)}"
    canvas.drawRightString(width - MARGIN, top - 8, printed)
    canvas.drawRightString(width - MARGIN, top - 19, at)
    filters = [f"{label}: {value}" for label, value in h.filters]
    line_y = top - 42
    for start in range(0, len(filters), 3):
        text = "    ".join(filters[start : start + 3])
        canvas.drawString(MARGIN, line_y, fonts.fit(text, fonts.REGULAR, 8, width - 2 * MARGIN))
        line_y -= 10
    canvas.setStrokeColor(colors.HexColor("#1a3d6d"))
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, line_y + 2, width - MARGIN, line_y + 2)
    canvas.setFont(fonts.REGULAR, 7.5)
    canvas.setFillColor(colors.HexColor("#5f6368"))
    canvas.drawString(MARGIN, MARGIN, fonts.fit(f"{h.plant} · {h.title}", fonts.REGULAR, 7.5, width / 2))
    canvas.drawRightString(width - MARGIN, MARGIN, f"Page {page} of {pages}")
    canvas.setFillColor(colors.black)


def _draw_table_heading(canvas: Canvas, report: Report) -> float:
    y = _table_top(report)
    canvas.setFillColor(SHADE)
    canvas.rect(MARGIN, y - ROW_HEIGHT, sum(report._widths), ROW_HEIGHT, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setFont(fonts.CONDENSED_BOLD, FONT_SIZE)
    x = MARGIN
    for column, width in zip(report.columns, report._widths, strict=True):
        _cell(canvas, column.title, x, y - ROW_HEIGHT + 3.8, width, column.align, fonts.CONDENSED_BOLD)
        x += width
    canvas.setStrokeColor(colors.HexColor("#9aa0a6"))
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, y - ROW_HEIGHT, MARGIN + sum(report._widths), y - ROW_HEIGHT)
    return y - ROW_HEIGHT


def _cell(
    canvas: Canvas, text: str, x: float, y: float, width: float, align: str, font: str, indent: float = 0.0
) -> None:
    room = width - 6 - indent
    parts = quantity_parts(text) if align == "right" else None
    if parts is not None and _quantity(canvas, parts, x + width - 3, y, room, font):
        return
    text = fonts.fit(text, font, FONT_SIZE, room)
    if align == "right":
        canvas.drawRightString(x + width - 3, y, text)
    else:
        canvas.drawString(x + 3 + indent, y, text)


def _quantity(canvas: Canvas, parts: tuple[str, str, str], right: float, y: float, room: float, font: str) -> bool:
    """A quantity with its decimal point where every other quantity in the column has it, whatever its unit
    (room is kept for the longest fraction and unit). Written in one piece, so it is read back whole.
    False if it does not fit."""
    whole, fraction, unit = parts

    def width(text: str) -> float:
        return float(canvas.stringWidth(text, font, FONT_SIZE))

    point_at = right - width(f"{WIDEST_FRACTION} {WIDEST_UNIT}")
    if right - point_at + width(whole) > room:
        return False
    canvas.drawString(point_at - width(whole), y, f"{whole}{fraction} {unit}")
    return True


def _draw_row(canvas: Canvas, report: Report, row: Row, y: float) -> float:
    bottom = y - ROW_HEIGHT
    total_width = sum(report._widths)
    font = fonts.CONDENSED
    if row.kind == "section":
        canvas.setFillColor(SECTION)
        canvas.rect(MARGIN, bottom, total_width, ROW_HEIGHT, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.setFont(fonts.BOLD, FONT_SIZE + 0.5)
        canvas.drawString(
            MARGIN + 3, bottom + 3.8, fonts.fit(row.cells[0], fonts.BOLD, FONT_SIZE + 0.5, total_width - 6)
        )
        return bottom
    if row.kind == "alert":
        canvas.setFillColor(ALERT_FILL)
        canvas.rect(MARGIN, bottom, total_width, ROW_HEIGHT, stroke=0, fill=1)
    if row.kind in ("subtotal", "total"):
        font = fonts.CONDENSED_BOLD
    canvas.setFillColor(ALERT if row.kind == "alert" else colors.black)
    canvas.setFont(font, FONT_SIZE)
    x = MARGIN
    for i, (column, width) in enumerate(zip(report.columns, report._widths, strict=True)):
        if i >= len(row.cells):
            break
        # A row with fewer cells than columns lets its last cell run on to the end of the table.
        spans = i == len(row.cells) - 1 and len(row.cells) < len(report.columns)
        room = sum(report._widths[i:]) if spans else width
        align = "left" if spans else column.align
        _cell(canvas, row.cells[i], x, bottom + 3.8, room, align, font, indent=row.indent * 9 if i == 0 else 0)
        x += width
    canvas.setFillColor(colors.black)
    canvas.setStrokeColor(GRID if row.kind != "total" else colors.black)
    canvas.setLineWidth(0.3 if row.kind != "total" else 0.8)
    line_y = bottom if row.kind != "total" else y
    canvas.line(MARGIN, line_y, MARGIN + total_width, line_y)
    return bottom
