"""CSV files as spreadsheets write them, and as the plant's export writes them back.

Read: UTF-8 with or without a byte-order mark; comma or semicolon between fields (Excel uses the
semicolon where the decimal separator is a comma, and then numbers come as "1 250,5"); quoted
fields, also across lines; blank rows skipped. Every row keeps the line it starts on, so a
message can point at it.

Written: UTF-8 with a byte-order mark (spreadsheets then detect the encoding), commas, numbers with
a decimal point and no grouping, days as YYYY-MM-DD; a cell a spreadsheet would run as a formula
is kept text (app/export.py), and reads back as written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.errors import ValidationError
from app.export import FORMULA_STARTS, spreadsheet_cell

BOM = "\ufeff"
DELIMITERS = (",", ";")
_SPACES = re.compile(r"[\s\u00a0\u202f]")  # grouping spaces, the narrow no-break one too
_SIGN = r"[+-]?"
_PLAIN = re.compile(_SIGN + r"\d+(\.\d+)?")
_COMMA_DECIMAL = re.compile(_SIGN + r"\d+(,\d+)?")
_COMMA_GROUPED = re.compile(_SIGN + r"\d{1,3}(,\d{3})+(\.\d+)?")
_DOT_GROUPED = re.compile(_SIGN + r"\d{1,3}(\.\d{3})+(,\d+)?")
_DOTTED_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


@dataclass(frozen=True)
class Table:
    """A CSV file's header (names as written) and its rows, each with the line it starts on."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    delimiter: str

    @property
    def decimal_comma(self) -> bool:
        """Semicolon-separated: written where a comma is the decimal separator."""
        return self.delimiter == ";"


def decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            f"The file is not UTF-8 text (line {line}). Save it as “CSV UTF-8” and import it again.", "file"
        ) from None
    return text[1:] if text.startswith(BOM) else text


def _delimiter(first_line: str) -> str:
    """Whichever of comma and semicolon separates more fields of the header (outside quotes)."""
    outside = re.sub(r'"[^"]*"', "", first_line)
    return ";" if outside.count(";") > outside.count(",") else ","


def read(data: bytes) -> Table:
    """Parse a CSV file; ValidationError when it is not one."""
    text = decode(data)
    if not text.strip():
        raise ValidationError("The file is empty.", "file")
    delimiter = _delimiter(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, tuple[str, ...]]] = []
    header: tuple[str, ...] | None = None
    try:
        start = 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                cleaned = tuple(_unneutralised(cell.strip()) for cell in cells)
                if header is None:
                    header = cleaned
                else:
                    rows.append((start, cleaned))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationError(f"Line {reader.line_num}: the file is not valid CSV ({exc}).", "file") from None
    assert header is not None
    return Table(header, tuple(rows), delimiter)


def _unneutralised(cell: str) -> str:
    """A cell this export kept text with a leading apostrophe, as it was typed."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def number(text: str, decimal_comma: bool) -> str:
    """A number as the file writes it, in plain form ("1 250,5" → "1250.5"); ValueError if it is none."""
    t = _SPACES.sub("", text)
    if _PLAIN.fullmatch(t):
        return t
    if decimal_comma:
        if _COMMA_DECIMAL.fullmatch(t):
            return t.replace(",", ".")
        if _DOT_GROUPED.fullmatch(t):
            return t.replace(".", "").replace(",", ".")
    elif _COMMA_GROUPED.fullmatch(t):
        return t.replace(",", "")
    raise ValueError(text)


def a_day(text: str) -> date:
    """YYYY-MM-DD, or DD.MM.YYYY as European spreadsheets write it; ValueError otherwise."""
    t = text.strip()
    dotted = _DOTTED_DAY.fullmatch(t)
    if dotted:
        return date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
    return date.fromisoformat(t)


def a_moment(text: str) -> datetime:
    """A day, or a day and a time (this workstation's local time); ValueError otherwise."""
    t = text.strip().replace("T", " ")
    day_part, _, time_part = t.partition(" ")
    day = a_day(day_part)
    if not time_part.strip():
        return datetime(day.year, day.month, day.day).astimezone()
    hours, minutes, *seconds = (int(p) for p in time_part.strip().split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, seconds[0] if seconds else 0).astimezone()


def plain(value: Decimal) -> str:
    """A quantity as this export writes it: "1250.5", "1000"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def write(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A CSV file that spreadsheets open as it is and this import reads back."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return (BOM + out.getvalue()).encode("utf-8")
