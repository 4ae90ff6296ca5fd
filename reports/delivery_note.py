"""The delivery note that travels with the goods: who receives them, for which order, every batch on the
lorry with its quantity, and the delivery number as Code128 for the receiving warehouse's scanner."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import BinaryIO

from reportlab.graphics.barcode import code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.dto import DeliveryLineRow
from app.formatting import day, moment, quantity
from app.reporting import DeliveryNote
from reports import fonts

WIDTH, HEIGHT = A4
MARGIN = 16 * mm
ROW = 15.0
LINES_FIRST_PAGE = 24
LINES_NEXT_PAGES = 40
BLUE = colors.HexColor("#1a3d6d")
GREY = colors.HexColor("#5f6368")
GRID = colors.HexColor("#d0d4da")
SHADE = colors.HexColor("#eef1f4")
# (title, share of the width, alignment)
COLUMNS = (
    ("#", 0.04, "right"),
    ("Batch", 0.19, "left"),
    ("Material", 0.34, "left"),
    ("Made by order", 0.16, "left"),
    ("Expiry", 0.12, "left"),
    ("Quantity", 0.15, "right"),
)


def _pages(lines: tuple[DeliveryLineRow, ...]) -> list[tuple[int, tuple[DeliveryLineRow, ...]]]:
    """(number of the first line, lines) per page; the first page has the addresses, so fewer lines."""
    pages = [(1, lines[:LINES_FIRST_PAGE])]
    start = LINES_FIRST_PAGE
    while start < len(lines):
        pages.append((start + 1, lines[start : start + LINES_NEXT_PAGES]))
        start += LINES_NEXT_PAGES
    return pages


def barcode_of(number: str) -> code128.Code128:
    return code128.Code128(number, barHeight=13 * mm, barWidth=0.38 * mm, humanReadable=False, quiet=True)


def write(data: DeliveryNote, out: str | BinaryIO, progress: Callable[[int], None] | None = None) -> int:
    """Write the delivery note as PDF; returns the number of pages."""
    fonts.register()
    canvas = Canvas(out, pagesize=A4, pageCompression=1, initialFontName=fonts.REGULAR)
    canvas.setTitle(data.header.title)
    canvas.setAuthor(data.header.printed_by)
    canvas.setCreator("MPSYSTEM")
    pages = _pages(data.lines)
    for page, (first, lines) in enumerate(pages, start=1):
        top = _heading(canvas, data, page, len(pages))
        if page == 1:
            top = _parties(canvas, data, top)
        top = _table(canvas, first, lines, top)
        if page == len(pages):
            _totals_and_signatures(canvas, data, top)
        _footer(canvas, data, page, len(pages))
        canvas.showPage()
        if progress is not None:
            progress(first + len(lines) - 1)
    canvas.save()
    return len(pages)


def _heading(canvas: Canvas, data: DeliveryNote, page: int, pages: int) -> float:
    when = f"Delivered {moment(data.delivery.delivered_at)}"
    return heading(canvas, data.header.plant, "Delivery note", data.delivery.number, when, page, pages)


def heading(canvas: Canvas, plant: str, title: str, number: str, when: str, page: int, pages: int) -> float:
    """A business document's top: the plant, what it is, its number in words and as Code128 for the
    receiving side's scanner, when, and the page where there are several; returns where the body starts."""
    top = HEIGHT - MARGIN
    canvas.setFillColor(BLUE)
    canvas.setFont(fonts.BOLD, 10)
    canvas.drawString(MARGIN, top - 10, plant)
    canvas.setFillColor(colors.black)
    canvas.setFont(fonts.BOLD, 20)
    canvas.drawString(MARGIN, top - 36, title)
    canvas.setFont(fonts.BOLD, 15)
    canvas.drawString(MARGIN, top - 56, number)
    canvas.setFont(fonts.REGULAR, 9)
    canvas.drawString(MARGIN, top - 70, when + (f"  ·  page {page} of {pages}" if pages > 1 else ""))
    code = barcode_of(number)
    scale = min(1.0, 80 * mm / code.width)
    canvas.saveState()
    canvas.translate(WIDTH - MARGIN - code.width * scale, top - 48)
    canvas.scale(scale, 1)
    code.drawOn(canvas, 0, 0)
    canvas.restoreState()
    canvas.setFont(fonts.REGULAR, 9)
    canvas.drawRightString(WIDTH - MARGIN, top - 60, number)
    canvas.setStrokeColor(BLUE)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, top - 80, WIDTH - MARGIN, top - 80)
    return top - 92


def party(canvas: Canvas, x: float, y: float, width: float, title: str, lines: list[str]) -> float:
    """One party of a document (consignee, supplier, buyer, order): a small title, the name, its lines."""
    canvas.setFillColor(GREY)
    canvas.setFont(fonts.BOLD, 8)
    canvas.drawString(x, y, title.upper())
    canvas.setFillColor(colors.black)
    y -= 14
    for i, text in enumerate(lines):
        font, size = (fonts.BOLD, 11) if i == 0 else (fonts.REGULAR, 9.5)
        canvas.setFont(font, size)
        canvas.drawString(x, y, fonts.fit(text, font, size, width))
        y -= 14 if i == 0 else 12
    return y


def _parties(canvas: Canvas, data: DeliveryNote, top: float) -> float:
    c, o = data.customer, data.order
    half = (WIDTH - 2 * MARGIN) / 2
    consignee = [c.name, *(x for x in (c.address,) if x)]
    if c.tax_id:
        consignee.append(f"Tax id: {c.tax_id}")
    if c.contact or c.phone:
        consignee.append(" · ".join(x for x in (c.contact, c.phone) if x))
    consignee.append(f"Customer code: {c.code}")
    left = party(canvas, MARGIN, top, half - 8 * mm, "Consignee", consignee)
    order = [
        f"Order {o.number}",
        f"{o.product_code} — {o.product_name}",
        f"Ordered: {quantity(o.quantity, o.unit)}",
        f"Delivered to date: {quantity(o.delivered, o.unit)}",
        f"Issued by: {data.delivered_by}",
    ]
    right = party(canvas, MARGIN + half, top, half, "Order", order)
    y = min(left, right) - 6
    if data.delivery.note:
        canvas.setFont(fonts.REGULAR, 9.5)
        canvas.drawString(MARGIN, y, fonts.fit(f"Note: {data.delivery.note}", fonts.REGULAR, 9.5, WIDTH - 2 * MARGIN))
        y -= 16
    return y - 4


def _table(canvas: Canvas, first: int, lines: tuple[DeliveryLineRow, ...], top: float) -> float:
    usable = WIDTH - 2 * MARGIN
    widths = [usable * share for _title, share, _align in COLUMNS]
    canvas.setFillColor(SHADE)
    canvas.rect(MARGIN, top - ROW, usable, ROW, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    y = top - ROW
    cells(canvas, [title for title, _s, _a in COLUMNS], widths, COLUMNS, y, fonts.CONDENSED_BOLD)
    for n, line in enumerate(lines, start=first):
        y -= ROW
        texts = [
            str(n),
            line.batch_number,
            f"{line.material_name} · {line.material_code}",
            line.made_by_order or "",
            day(line.expiry_date, "—"),
            quantity(line.quantity, line.unit),
        ]
        cells(canvas, texts, widths, COLUMNS, y, fonts.CONDENSED)
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.3)
        canvas.line(MARGIN, y, MARGIN + usable, y)
    return y


def cells(
    canvas: Canvas,
    texts: list[str],
    widths: list[float],
    columns: tuple[tuple[str, float, str], ...],
    y: float,
    font: str,
) -> None:
    """One row of a document's table: each text fitted to its column, aligned as the column says."""
    canvas.setFont(font, 9)
    x = MARGIN
    for text, width, (_title, _share, align) in zip(texts, widths, columns, strict=True):
        shown = fonts.fit(text, font, 9, width - 6)
        if align == "right":
            canvas.drawRightString(x + width - 3, y + 4.5, shown)
        else:
            canvas.drawString(x + 3, y + 4.5, shown)
        x += width


def _totals_and_signatures(canvas: Canvas, data: DeliveryNote, top: float) -> None:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in data.lines:
        totals[line.unit] += line.quantity
    batches = len({line.batch_number for line in data.lines})
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, top, WIDTH - MARGIN, top)
    canvas.setFont(fonts.BOLD, 10)
    canvas.drawString(MARGIN + 3, top - 14, f"Total: {batches} batch{'es' if batches != 1 else ''}")
    canvas.drawRightString(
        WIDTH - MARGIN - 3, top - 14, ", ".join(quantity(q, unit) for unit, q in sorted(totals.items()))
    )
    y = max(top - 80, MARGIN + 40 * mm)
    half = (WIDTH - 2 * MARGIN) / 2
    for i, (title, name) in enumerate((("Issued by", data.delivered_by), ("Received by", "name, signature, date"))):
        x = MARGIN + i * half
        canvas.setStrokeColor(GREY)
        canvas.setLineWidth(0.5)
        canvas.line(x, y, x + half - 10 * mm, y)
        canvas.setFillColor(GREY)
        canvas.setFont(fonts.REGULAR, 8)
        canvas.drawString(x, y - 11, f"{title}: {name}")
        canvas.setFillColor(colors.black)


def _footer(canvas: Canvas, data: DeliveryNote, page: int, pages: int) -> None:
    canvas.setFont(fonts.REGULAR, 7.5)
    canvas.setFillColor(GREY)
    canvas.drawString(
        MARGIN,
        MARGIN - 4,
        f"{data.header.plant} · printed by {data.header.printed_by} at {moment(data.header.printed_at)}",
    )
    canvas.drawRightString(WIDTH - MARGIN, MARGIN - 4, f"Page {page} of {pages}")
    canvas.setFillColor(colors.black)
