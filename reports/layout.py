"""A report page writer: header, a table whose heading repeats on every page, "Page X of Y".

Rows stream in and are drawn as they come, never held all at once. No text is ever cut: a cell
too long for its column wraps onto more lines and its row grows; a first pass over the same rows
measures them to count the pages for the footer, and a second pass draws them.
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

ROW_HEIGHT = 13.0  # a row of one line
LINE_HEIGHT = 9.5  # each further line of a wrapped cell
FONT_SIZE = 8.0
MARGIN = 14 * mm
HEADER_HEIGHT = 30 * mm
FOOTER_HEIGHT = 10 * mm
TITLE_SIZE = 15.0
SMALLEST_TITLE = 9.0
FILTER_LINE = 10.0
PRINTED_BLOCK = 200.0  # the header's right side: who printed it and when
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
    kind: str = "normal"  # normal, section (spans the table), remark (spans it, unshaded), subtotal, total, alert, note
    indent: int = 0


@dataclass
class Report:
    header: ReportHeader
    columns: list[Column]
    rows: Callable[[], Iterable[Row]]  # called once per pass
    wide: bool = False
    empty_message: str = "Nothing matches these filters."
    progress: Callable[[int], None] | None = None
    # pages drawn before the table (a chart, a schedule): lead(canvas, header) draws `lead_pages` pages, calling
    # header(page) on each for the report's header and footer; header returns the height where content may start
    lead: Callable[[Canvas, Callable[[int], float]], None] | None = None
    lead_pages: int = 0
    _widths: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class _Laid:
    """A row with each cell's lines, and the height they take."""

    row: Row
    lines: tuple[tuple[str, ...], ...]
    height: float


def _page_size(report: Report) -> tuple[float, float]:
    return landscape(A4) if report.wide else A4


def _usable_width(report: Report) -> float:
    return _page_size(report)[0] - 2 * MARGIN


def _title(report: Report) -> tuple[float, list[str]]:
    """The title's size and lines: full size if it fits beside the printed-by block, smaller if it must,
    and wrapped at the smallest size as a last resort."""
    room = _usable_width(report) - PRINTED_BLOCK
    title = report.header.title
    size = fonts.largest_size(title, fonts.BOLD, TITLE_SIZE, room, SMALLEST_TITLE)
    if size is not None:
        return size, [title]
    return SMALLEST_TITLE, fonts.wrap(title, fonts.BOLD, SMALLEST_TITLE, room)


def _filter_lines(report: Report) -> list[str]:
    text = "    ".join(f"{label}: {value}" for label, value in report.header.filters)
    return fonts.wrap(text, fonts.REGULAR, 8, _usable_width(report)) if text else []


def _table_top(report: Report) -> float:
    _size, title_lines = _title(report)
    extra = max(0, len(_filter_lines(report)) - 1) * FILTER_LINE + max(0, len(title_lines) - 2) * 11
    return _page_size(report)[1] - MARGIN - HEADER_HEIGHT - extra


def _lay_out(report: Report, row: Row) -> _Laid:
    if row.kind in ("section", "remark"):
        font = fonts.BOLD if row.kind == "section" else fonts.REGULAR
        lines = fonts.wrap(row.cells[0], font, FONT_SIZE + 0.5, sum(report._widths) - 6)
        return _Laid(row, (tuple(lines),), ROW_HEIGHT + (len(lines) - 1) * LINE_HEIGHT)
    font = fonts.CONDENSED_BOLD if row.kind in ("subtotal", "total") else fonts.CONDENSED
    cells = []
    for i, width in enumerate(report._widths):
        text = row.cells[i] if i < len(row.cells) else ""
        indent = row.indent * 9 if i == 0 else 0
        cells.append(tuple(fonts.wrap(text, font, FONT_SIZE, width - 6 - indent)))
    tallest = max(len(c) for c in cells)
    return _Laid(row, tuple(cells), ROW_HEIGHT + (tallest - 1) * LINE_HEIGHT)


KEEP_WITH_HEADING = 8  # rows a section heading keeps on its page: a short section (the totals) is never split


def _blocks(report: Report) -> Iterator[list[_Laid]]:
    """The rows laid out, in blocks a page break does not split: a section heading with the first rows below it."""
    block: list[_Laid] = []
    for row in report.rows():
        laid = _lay_out(report, row)
        if row.kind != "section" and block and block[0].row.kind == "section" and len(block) <= KEEP_WITH_HEADING:
            block.append(laid)
            continue
        if block:
            yield block
        block = [laid]
    if block:
        yield block


def _paginate(report: Report) -> Iterator[list[_Laid]]:
    """Pages of laid-out rows; a section heading never ends a page, and a short section stays on one page."""
    room = _table_top(report) - ROW_HEIGHT - (MARGIN + FOOTER_HEIGHT)
    page: list[_Laid] = []
    used = 0.0
    for block in _blocks(report):
        needed = sum(laid.height for laid in block)
        if page and used + needed > room and needed <= room:
            yield page
            page, used = [], 0.0
        for laid in block:  # a block taller than a page is split where it must be
            if page and used + laid.height > room:
                yield page
                page, used = [], 0.0
            page.append(laid)
            used += laid.height
    if page:
        yield page


def write(report: Report, out: str | BinaryIO) -> int:
    """Write the report as PDF; returns the number of pages."""
    fonts.register()
    usable = _usable_width(report)
    total_weight = sum(c.weight for c in report.columns)
    report._widths = [usable * c.weight / total_weight for c in report.columns]
    table_pages = sum(1 for _ in _paginate(report))  # first pass: measure and count only
    lead = report.lead_pages if report.lead is not None and table_pages else 0
    pages = table_pages + lead
    canvas = Canvas(out, pagesize=_page_size(report), pageCompression=1, initialFontName=fonts.REGULAR)
    canvas.setTitle(report.header.title)
    canvas.setAuthor(report.header.printed_by)
    canvas.setCreator("MPSYSTEM")
    if pages == 0:
        _draw_header(canvas, report, 1, 1)
        canvas.setFont(fonts.BOLD, 11)
        for i, line in enumerate(fonts.wrap(report.empty_message, fonts.BOLD, 11, usable)):
            canvas.drawString(MARGIN, _table_top(report) - 20 - i * 14, line)
        canvas.showPage()
        canvas.save()
        return 1
    if lead and report.lead is not None:

        def header(page: int) -> float:
            _draw_header(canvas, report, page, pages)
            return _table_top(report)

        report.lead(canvas, header)
    drawn = 0
    for number, rows in enumerate(_paginate(report), start=lead + 1):
        _draw_header(canvas, report, number, pages)
        y = _draw_table_heading(canvas, report)
        for laid in rows:
            y = _draw_row(canvas, report, laid, y)
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
    size = fonts.largest_size(h.plant, fonts.BOLD, 9, width - 2 * MARGIN - PRINTED_BLOCK, 6) or 6
    canvas.setFont(fonts.BOLD, size)
    canvas.drawString(MARGIN, top - 8, h.plant)
    canvas.setFillColor(colors.black)
    title_size, title_lines = _title(report)
    canvas.setFont(fonts.BOLD, title_size)
    for i, line in enumerate(title_lines):
        canvas.drawString(MARGIN, top - 27 + (len(title_lines) > 1) * 3 - i * (title_size + 2), line)
    canvas.setFont(fonts.REGULAR, 8)
    canvas.drawRightString(width - MARGIN, top - 8, f"Printed by {h.printed_by}")
    canvas.drawRightString(width - MARGIN, top - 19, f"at {moment(h.printed_at)}")
    line_y = top - 42 - max(0, len(title_lines) - 2) * 11
    for text in _filter_lines(report):
        canvas.drawString(MARGIN, line_y, text)
        line_y -= FILTER_LINE
    canvas.setStrokeColor(colors.HexColor("#1a3d6d"))
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, line_y + 2, width - MARGIN, line_y + 2)
    canvas.setFillColor(colors.HexColor("#5f6368"))
    page_text = f"Page {page} of {pages}"
    canvas.setFont(fonts.REGULAR, 7.5)
    canvas.drawRightString(width - MARGIN, MARGIN, page_text)
    room = width - 2 * MARGIN - fonts.width(page_text, fonts.REGULAR, 7.5) - 24
    footer = f"{h.plant} · {h.title}"
    footer_size = fonts.largest_size(footer, fonts.REGULAR, 7.5, room, 5.5)
    if footer_size is None:  # the title is on top of the page already; the footer names the plant
        footer = h.plant
        footer_size = fonts.largest_size(footer, fonts.REGULAR, 7.5, room, 4) or 4
    canvas.setFont(fonts.REGULAR, footer_size)
    canvas.drawString(MARGIN, MARGIN, footer)
    canvas.setFillColor(colors.black)


def _draw_table_heading(canvas: Canvas, report: Report) -> float:
    y = _table_top(report)
    canvas.setFillColor(SHADE)
    canvas.rect(MARGIN, y - ROW_HEIGHT, sum(report._widths), ROW_HEIGHT, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    x = MARGIN
    for column, width in zip(report.columns, report._widths, strict=True):
        size = fonts.largest_size(column.title, fonts.CONDENSED_BOLD, FONT_SIZE, width - 6, 5) or 5
        canvas.setFont(fonts.CONDENSED_BOLD, size)
        _text(canvas, column.title, x, y - ROW_HEIGHT + 3.8, width, column.align)
        x += width
    canvas.setStrokeColor(colors.HexColor("#9aa0a6"))
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, y - ROW_HEIGHT, MARGIN + sum(report._widths), y - ROW_HEIGHT)
    return y - ROW_HEIGHT


def _text(canvas: Canvas, text: str, x: float, y: float, width: float, align: str, indent: float = 0.0) -> None:
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


def _draw_row(canvas: Canvas, report: Report, laid: _Laid, y: float) -> float:
    row = laid.row
    bottom = y - laid.height
    first_line = y - ROW_HEIGHT + 3.8
    total_width = sum(report._widths)
    if row.kind in ("section", "remark"):
        if row.kind == "section":
            canvas.setFillColor(SECTION)
            canvas.rect(MARGIN, bottom, total_width, laid.height, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.setFont(fonts.BOLD if row.kind == "section" else fonts.REGULAR, FONT_SIZE + 0.5)
        for i, line in enumerate(laid.lines[0]):
            canvas.drawString(MARGIN + 3, first_line - i * LINE_HEIGHT, line)
        return bottom
    if row.kind == "alert":
        canvas.setFillColor(ALERT_FILL)
        canvas.rect(MARGIN, bottom, total_width, laid.height, stroke=0, fill=1)
    font = fonts.CONDENSED_BOLD if row.kind in ("subtotal", "total") else fonts.CONDENSED
    canvas.setFillColor(ALERT if row.kind == "alert" else colors.black)
    canvas.setFont(font, FONT_SIZE)
    x = MARGIN
    for i, (column, width) in enumerate(zip(report.columns, report._widths, strict=True)):
        lines = laid.lines[i]
        parts = quantity_parts(lines[0]) if column.align == "right" and len(lines) == 1 else None
        if parts is None or not _quantity(canvas, parts, x + width - 3, first_line, width - 6, font):
            for j, line in enumerate(lines):
                indent = row.indent * 9 if i == 0 else 0
                _text(canvas, line, x, first_line - j * LINE_HEIGHT, width, column.align, indent)
        x += width
    canvas.setFillColor(colors.black)
    canvas.setStrokeColor(GRID if row.kind != "total" else colors.black)
    canvas.setLineWidth(0.3 if row.kind != "total" else 0.8)
    line_y = bottom if row.kind != "total" else y
    canvas.line(MARGIN, line_y, MARGIN + total_width, line_y)
    return bottom
