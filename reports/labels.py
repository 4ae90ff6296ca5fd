"""Batch labels, 100 x 50 mm: Code128 and QR of the batch, what it is, how much, where from, its status.

PDF for office printers (one label a page, or ten to an A4 sheet) and ZPL for
thermal printers; both carry the same fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import BinaryIO

from reportlab.graphics.barcode import code128, qrencoder
from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.dto import BatchLabel, LabelOrigin
from app.formatting import day, quantity
from domain.vocabulary import BatchStatus
from reports import fonts

WIDTH, HEIGHT = 100 * mm, 50 * mm
SHEET_COLUMNS, SHEET_ROWS = 2, 5
STATUS_MARK: dict[str, tuple[str, Color]] = {
    BatchStatus.APPROVED: ("APPROVED", colors.HexColor("#1b7a2f")),
    BatchStatus.PENDING: ("PENDING — DO NOT USE", colors.HexColor("#c26a00")),
    BatchStatus.BLOCKED: ("BLOCKED — DO NOT USE", colors.HexColor("#b3261e")),
}


# reportlab's QR encoder builds the Reed-Solomon generator polynomial again for every code, though it
# depends only on the number of error-correction codewords (a handful of values): a sixth of a label's
# time. Built once per count instead; the encoder only reads it, so every code comes out the same.
qrencoder.QRUtil.getErrorCorrectPolynomial = staticmethod(cache(qrencoder.QRUtil.getErrorCorrectPolynomial))


def qr_payload(label: BatchLabel) -> str:
    """What the QR code carries: the batch number and the material code."""
    return f"MPS1|{label.number}|{label.material_code}"


def _draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """The QR code as filled runs of dark modules, with the four-module quiet zone inside `size`."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    # Every mask pattern gives a valid code; scoring all eight (what make() does) is most of
    # the cost of a label in this pure-Python encoder, so one fixed mask is used.
    if code.version is None:
        code.version = code.calculate_version()
    code.makeImpl(False, 0)
    count = code.getModuleCount()
    module = size / (count + 8)
    path = canvas.beginPath()
    for row in range(count):
        column = 0
        while column < count:
            if code.isDark(row, column):
                start = column
                while column < count and code.isDark(row, column):
                    column += 1
                path.rect(x + (start + 4) * module, y + size - (row + 5) * module, (column - start) * module, module)
            else:
                column += 1
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def draw_label(canvas: Canvas, x: float, y: float, label: BatchLabel) -> None:
    """One label with its lower-left corner at (x, y)."""
    fonts.register()
    pad = 3 * mm
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor("#9aa0a6"))
    canvas.setLineWidth(0.4)
    canvas.rect(x, y, WIDTH, HEIGHT)
    text_room = WIDTH - 2 * pad - 24 * mm
    top = y + HEIGHT - pad
    canvas.setFillColor(colors.black)
    canvas.setFont(fonts.BOLD, 10)
    canvas.drawString(x + pad, top - 9, fonts.fit(label.material_name, fonts.BOLD, 10, text_room))
    canvas.setFont(fonts.REGULAR, 7)
    canvas.drawString(x + pad, top - 18, fonts.fit(label.material_code, fonts.REGULAR, 7, text_room))
    canvas.setFont(fonts.BOLD, 13)
    canvas.drawString(x + pad, top - 32, fonts.fit(label.number, fonts.BOLD, 13, text_room))

    barcode = code128.Code128(
        label.number, barHeight=10 * mm, barWidth=0.32 * mm, humanReadable=False, quiet=False, fontName=fonts.REGULAR
    )
    scale = min(1.0, text_room / barcode.width)
    canvas.saveState()
    canvas.translate(x + pad, y + 19 * mm)
    canvas.scale(scale, 1)
    barcode.drawOn(canvas, 0, 0)
    canvas.restoreState()

    _draw_qr(canvas, qr_payload(label), x + WIDTH - pad - 22 * mm, y + HEIGHT - pad - 22 * mm, 22 * mm)

    canvas.setFont(fonts.REGULAR, 7.5)
    origin = ("Supplier: " if label.origin_kind is LabelOrigin.SUPPLIER else "Order: ") + label.origin
    received = "Received" if label.origin_kind is LabelOrigin.SUPPLIER else "Produced"
    rows = [
        (f"Qty: {quantity(label.quantity, label.unit)}", f"{received}: {day(label.received_at.date(), '—')}"),
        (fonts.fit(origin, fonts.REGULAR, 7.5, WIDTH / 2 - pad), f"Expiry: {day(label.expiry_date, '—')}"),
    ]
    for i, (left_text, right_text) in enumerate(rows):
        line_y = y + 13 * mm - i * 9.5
        canvas.drawString(x + pad, line_y, left_text)
        canvas.drawString(x + WIDTH / 2 + 4 * mm, line_y, right_text)

    mark, colour = STATUS_MARK.get(label.status, (label.status.upper(), colors.black))
    band = 6 * mm
    canvas.setFillColor(colour)
    canvas.rect(x, y, WIDTH, band, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(fonts.BOLD, 9)
    text = mark if label.status == BatchStatus.APPROVED or not label.status_reason else f"{mark}: {label.status_reason}"
    canvas.drawCentredString(x + WIDTH / 2, y + 1.9 * mm, fonts.fit(text, fonts.BOLD, 9, WIDTH - 2 * pad))
    if label.status != BatchStatus.APPROVED:
        # a second, unmistakable mark across the label for anything that must not be used
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(1.6)
        canvas.rect(x + 0.8, y + 0.8, WIDTH - 1.6, HEIGHT - 1.6)
    canvas.restoreState()


def labels_pdf(labels: Iterable[BatchLabel], out: str | BinaryIO, *, sheet: bool = False) -> int:
    """Write the labels; one 100 x 50 mm page each, or ten to an A4 sheet. Returns the page count."""
    fonts.register()
    size = A4 if sheet else (WIDTH, HEIGHT)
    canvas = Canvas(out, pagesize=size, pageCompression=1, initialFontName=fonts.REGULAR)
    canvas.setTitle("Batch labels")
    canvas.setCreator("MPSYSTEM")
    per_page = SHEET_COLUMNS * SHEET_ROWS if sheet else 1
    margin_x = (A4[0] - SHEET_COLUMNS * WIDTH) / 2
    margin_y = (A4[1] - SHEET_ROWS * HEIGHT) / 2
    pages = 0
    count = 0
    for count, label in enumerate(labels, start=1):
        slot = (count - 1) % per_page
        if sheet:
            column, row = slot % SHEET_COLUMNS, slot // SHEET_COLUMNS
            draw_label(canvas, margin_x + column * WIDTH, A4[1] - margin_y - (row + 1) * HEIGHT, label)
        else:
            draw_label(canvas, 0, 0, label)
        if slot == per_page - 1:
            canvas.showPage()
            pages += 1
    if count % per_page:
        canvas.showPage()
        pages += 1
    canvas.save()
    return pages


def _zpl_text(text: str) -> str:
    # ^FH_ lets _XX stand for a byte; ^ and ~ would end the field, so they (and _) go as hex.
    out = []
    for ch in text:
        if ch in "^~_\\":
            out.append("".join(f"_{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def label_zpl(label: BatchLabel) -> str:
    """The same label for a 203 dpi thermal printer (800 x 400 dots), UTF-8 text."""
    mark, _colour = STATUS_MARK.get(label.status, (label.status.upper(), None))
    if label.status != BatchStatus.APPROVED and label.status_reason:
        mark = f"{mark}: {label.status_reason}"
    origin = ("Supplier: " if label.origin_kind is LabelOrigin.SUPPLIER else "Order: ") + label.origin
    received = "Received" if label.origin_kind is LabelOrigin.SUPPLIER else "Produced"

    def field(x: int, y: int, height: int, text: str, width: int = 600) -> str:
        return f"^FO{x},{y}^A0N,{height},{height}^FB{width},1,0,L^FH_^FD{_zpl_text(text)}^FS"

    parts = [
        "^XA",
        "^CI28",
        "^PW800",
        "^LL400",
        "^LH0,0",
        field(24, 20, 30, label.material_name, 560),
        field(24, 56, 20, label.material_code, 560),
        field(24, 82, 40, label.number, 560),
        f"^FO24,130^BY2^BCN,80,N,N,N^FH_^FD{_zpl_text(label.number)}^FS",
        f"^FO600,20^BQN,2,5^FH_^FDMA,{_zpl_text(qr_payload(label))}^FS",
        field(24, 225, 24, f"Qty: {quantity(label.quantity, label.unit)}", 380),
        field(420, 225, 24, f"{received}: {day(label.received_at.date(), '—')}", 360),
        field(24, 260, 24, origin, 380),
        field(420, 260, 24, f"Expiry: {day(label.expiry_date, '—')}", 360),
        "^FO0,340^GB800,60,60^FS",  # a black band; the status prints reversed in it
        f"^FO0,352^A0N,36,36^FB800,1,0,C^FR^FH_^FD{_zpl_text(mark)}^FS",
    ]
    if label.status != BatchStatus.APPROVED:
        parts.append("^FO4,4^GB792,332,8^FS")  # a heavy frame: do not use
    parts.append("^XZ")
    return "\n".join(parts) + "\n"


def labels_zpl(labels: Iterable[BatchLabel]) -> str:
    return "".join(label_zpl(label) for label in labels)
