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


def wrap(text: str, font: str, size: float, room: float) -> list[str]:
    """The text in lines no wider than `room` points: broken between words, a word too long for a
    line broken between its characters. Nothing is left out."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if width(candidate, font, size) <= room:
                line = candidate
                continue
            if line:
                lines.append(line)
            while width(word, font, size) > room and len(word) > 1:
                cut = _longest_prefix(word, font, size, room)
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def _longest_prefix(word: str, font: str, size: float, room: float) -> int:
    low, high = 1, len(word)
    while low < high:
        mid = (low + high + 1) // 2
        if width(word[:mid], font, size) <= room:
            low = mid
        else:
            high = mid - 1
    return low


def largest_size(text: str, font: str, size: float, room: float, smallest: float) -> float | None:
    """The largest size from `size` down to `smallest` (by half points) at which the text fits, if any."""
    while size >= smallest:
        if width(text, font, size) <= room:
            return size
        size -= 0.5
    return None
