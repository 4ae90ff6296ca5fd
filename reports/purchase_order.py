"""The purchase order sent to a supplier: who buys from whom, every line with its quantity, price, due day
and amount, the total, and the order's number as Code128 for the supplier's and the plant's scanners."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.formatting import day, moment, quantity
from app.purchase_book import PurchaseLine
from app.reporting import PurchaseOrderDocument
from domain.vocabulary import PurchaseOrderStatus
from reports import fonts
from reports.delivery_note import GREY, GRID, MARGIN, ROW, SHADE, WIDTH, cells, heading, party

LINES_FIRST_PAGE = 22
LINES_NEXT_PAGES = 40
# (title, share of the width, alignment)
COLUMNS = (
    ("#", 0.05, "right"),
    ("Material", 0.37, "left"),
    ("Quantity", 0.16, "right"),
    ("Price a unit", 0.14, "right"),
    ("Due", 0.12, "left"),
    ("Amount", 0.16, "right"),
)


def money(value: object, currency: str) -> str:
    return f"{value:,.2f} {currency}"


def _pages(lines: tuple[PurchaseLine, ...]) -> list[tuple[PurchaseLine, ...]]:
    pages = [lines[:LINES_FIRST_PAGE]]
    start = LINES_FIRST_PAGE
    while start < len(lines):
        pages.append(lines[start : start + LINES_NEXT_PAGES])
        start += LINES_NEXT_PAGES
    return pages


def write(data: PurchaseOrderDocument, out: str | BinaryIO, progress: Callable[[int], None] | None = None) -> int:
    """Write the purchase order as PDF; returns the number of pages."""
    fonts.register()
    canvas = Canvas(out, pagesize=A4, pageCompression=1, initialFontName=fonts.REGULAR)
    canvas.setTitle(data.header.title)
    canvas.setAuthor(data.header.printed_by)
    canvas.setCreator("MPSYSTEM")
    pages = _pages(data.order.lines)
    done = 0
    for page, lines in enumerate(pages, start=1):
        top = _heading(canvas, data, page, len(pages))
        if page == 1:
            top = _parties(canvas, data, top)
        top = _table(canvas, data, lines, top)
        if page == len(pages):
            _total_and_signature(canvas, data, top)
        _footer(canvas, data, page, len(pages))
        canvas.showPage()
        done += len(lines)
        if progress is not None:
            progress(done)
    canvas.save()
    return len(pages)


def _heading(canvas: Canvas, data: PurchaseOrderDocument, page: int, pages: int) -> float:
    o = data.order
    status = PurchaseOrderStatus(o.status)
    when = f"Sent {moment(o.sent_at)}" if o.sent_at else f"Drawn up {moment(o.created_at)}"
    if status is not PurchaseOrderStatus.SENT:
        when += f"  ·  {status.label.upper()}"
    return heading(canvas, data.header.plant, "Purchase order", o.number, when, page, pages)


def _parties(canvas: Canvas, data: PurchaseOrderDocument, top: float) -> float:
    o = data.order
    half = (WIDTH - 2 * MARGIN) / 2
    supplier = [o.supplier_name, *(x for x in (o.supplier_address,) if x)]
    if o.supplier_tax_id:
        supplier.append(f"Tax id: {o.supplier_tax_id}")
    contact = " · ".join(x for x in (o.supplier_contact, o.supplier_phone, o.supplier_email) if x)
    if contact:
        supplier.append(contact)
    supplier.append(f"Supplier code: {o.supplier_code}")
    left = party(canvas, MARGIN, top, half - 8 * mm, "Supplier", supplier)
    buyer = [data.header.plant, f"Drawn up by: {o.drawn_up_by or '—'}", f"Prices in {o.currency}, per unit"]
    right = party(canvas, MARGIN + half, top, half, "Buyer", buyer)
    y = min(left, right) - 6
    if o.note:
        canvas.setFont(fonts.REGULAR, 9.5)
        canvas.drawString(MARGIN, y, fonts.fit(f"Note: {o.note}", fonts.REGULAR, 9.5, WIDTH - 2 * MARGIN))
        y -= 16
    if o.status_reason:
        canvas.setFont(fonts.REGULAR, 9.5)
        text = f"{PurchaseOrderStatus(o.status).label.capitalize()}: {o.status_reason}"
        canvas.drawString(MARGIN, y, fonts.fit(text, fonts.REGULAR, 9.5, WIDTH - 2 * MARGIN))
        y -= 16
    return y - 4


def _table(canvas: Canvas, data: PurchaseOrderDocument, lines: tuple[PurchaseLine, ...], top: float) -> float:
    usable = WIDTH - 2 * MARGIN
    widths = [usable * share for _title, share, _align in COLUMNS]
    canvas.setFillColor(SHADE)
    canvas.rect(MARGIN, top - ROW, usable, ROW, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    y = top - ROW
    cells(canvas, [title for title, _s, _a in COLUMNS], widths, COLUMNS, y, fonts.CONDENSED_BOLD)
    currency = data.order.currency
    for line in lines:
        y -= ROW
        texts = [
            str(line.line_no),
            f"{line.material_name} · {line.material_code}",
            quantity(line.quantity, line.unit),
            f"{line.price:,.4f}",
            day(line.due_date),
            money(line.amount, currency),
        ]
        cells(canvas, texts, widths, COLUMNS, y, fonts.CONDENSED)
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.3)
        canvas.line(MARGIN, y, MARGIN + usable, y)
    return y


def _total_and_signature(canvas: Canvas, data: PurchaseOrderDocument, top: float) -> None:
    o = data.order
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, top, WIDTH - MARGIN, top)
    canvas.setFont(fonts.BOLD, 10)
    count = len(o.lines)
    canvas.drawString(MARGIN + 3, top - 14, f"Total: {count} line{'s' if count != 1 else ''}")
    canvas.drawRightString(WIDTH - MARGIN - 3, top - 14, money(o.total, o.currency))
    canvas.setFont(fonts.REGULAR, 8.5)
    canvas.setFillColor(GREY)
    canvas.drawString(
        MARGIN + 3,
        top - 30,
        "Please quote the purchase order number and line on the delivery note and on every pallet's label.",
    )
    canvas.setFillColor(colors.black)
    y = max(top - 90, MARGIN + 40 * mm)
    half = (WIDTH - 2 * MARGIN) / 2
    for i, (title, name) in enumerate((("For the buyer", o.drawn_up_by or ""), ("Confirmed by the supplier", ""))):
        x = MARGIN + i * half
        canvas.setStrokeColor(GREY)
        canvas.setLineWidth(0.5)
        canvas.line(x, y, x + half - 10 * mm, y)
        canvas.setFillColor(GREY)
        canvas.setFont(fonts.REGULAR, 8)
        canvas.drawString(x, y - 11, f"{title}: {name or 'name, signature, date'}")
        canvas.setFillColor(colors.black)


def _footer(canvas: Canvas, data: PurchaseOrderDocument, page: int, pages: int) -> None:
    canvas.setFont(fonts.REGULAR, 7.5)
    canvas.setFillColor(GREY)
    canvas.drawString(
        MARGIN,
        MARGIN - 4,
        f"{data.header.plant} · printed by {data.header.printed_by} at {moment(data.header.printed_at)}",
    )
    canvas.drawRightString(WIDTH - MARGIN, MARGIN - 4, f"Page {page} of {pages}")
    canvas.setFillColor(colors.black)
