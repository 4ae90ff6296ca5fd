"""DejaVu, embedded in every PDF, so Polish and Cyrillic text prints on any machine."""

from __future__ import annotations

from functools import cache
from importlib import resources

from reportlab.graphics import shapes
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
CONDENSED = "DejaVuSansCondensed"
CONDENSED_BOLD = "DejaVuSansCondensed-Bold"


@cache
def register() -> None:
    folder = resources.files("resources").joinpath("fonts")
    for name in (REGULAR, BOLD, CONDENSED, CONDENSED_BOLD):
        with resources.as_file(folder.joinpath(f"{name}.ttf")) as path:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    # A chart (reportlab.graphics) starts each drawing in this font; Helvetica would not be embedded.
    shapes.STATE_DEFAULTS["fontName"] = REGULAR


def width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


def fit(text: str, font: str, size: float, room: float) -> str:
    """The text, shortened with an ellipsis to fit `room` points."""
    if width(text, font, size) <= room:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        mid = (low + high + 1) // 2
        if width(text[:mid] + "…", font, size) <= room:
            low = mid
        else:
            high = mid - 1
    return text[:low] + "…"
