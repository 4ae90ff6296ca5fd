"""CSV files as spreadsheets write them (app/csvfiles.py): encodings, separators, numbers, days, formulas."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app import csvfiles
from app.errors import ValidationError


def test_utf8_with_or_without_bom_comma_or_semicolon_and_quoted_fields() -> None:
    plain = csvfiles.read('code,name\r\nA-1,"Folia, 50 µm"\r\n\r\n,\r\nB-2,"two\nlines"\r\n'.encode())
    assert plain.delimiter == "," and not plain.decimal_comma
    assert plain.header == ("code", "name")
    assert plain.rows == ((2, ("A-1", "Folia, 50 µm")), (5, ("B-2", "two\nlines")))  # blank rows skipped
    excel = csvfiles.read('\ufeffcode;name\nŁ-1;Łódź; "quoted;semicolon"\n'.encode())
    assert excel.delimiter == ";" and excel.decimal_comma
    assert excel.header == ("code", "name") and excel.rows[0][1][:2] == ("Ł-1", "Łódź")
    with pytest.raises(ValidationError, match="not UTF-8 text \\(line 2\\)"):
        csvfiles.read("code\nŁódź\n".encode("cp1250"))
    with pytest.raises(ValidationError, match="empty"):
        csvfiles.read(b"\xef\xbb\xbf \n")


@pytest.mark.parametrize(
    ("text", "comma", "plain"),
    [
        ("1250.5", False, "1250.5"),
        ("1,250.5", False, "1250.5"),
        ("1,250,000", False, "1250000"),
        ("-3", False, "-3"),
        ("1250,5", True, "1250.5"),
        ("1 250,5", True, "1250.5"),
        ("1\u00a0250,5", True, "1250.5"),
        ("1.250,5", True, "1250.5"),
        ("12.5", True, "12.5"),
    ],
)
def test_numbers_as_the_locales_spreadsheet_writes_them(text: str, comma: bool, plain: str) -> None:
    assert csvfiles.number(text, comma) == plain


@pytest.mark.parametrize(("text", "comma"), [("1250,5", False), ("1,2,3", True), ("12 kg", False), ("", False)])
def test_what_is_no_number(text: str, comma: bool) -> None:
    with pytest.raises(ValueError):
        csvfiles.number(text, comma)


def test_days_and_moments() -> None:
    assert csvfiles.a_day("2026-03-14") == csvfiles.a_day("14.03.2026") == date(2026, 3, 14)
    moment = csvfiles.a_moment("14.03.2026 09:05")
    assert (moment.hour, moment.minute, moment.tzinfo is not None) == (9, 5, True)
    assert csvfiles.a_moment("2026-03-14").hour == 0
    for bad in ("2026-13-01", "14/03/2026", "yesterday"):
        with pytest.raises(ValueError):
            csvfiles.a_day(bad)


def test_what_is_written_reads_back_and_formulas_stay_text() -> None:
    rows = [['=HYPERLINK("x")', "-20 °C store", "-5", 'Folia; "special"'], ["+48 22", "@home", "1250.5", ""]]
    data = csvfiles.write(["a", "b", "c", "d"], rows)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'-20 °C store" in text and ",-5," in text
    back = csvfiles.read(data)
    assert [list(cells) for _line, cells in back.rows] == rows
    assert csvfiles.plain(Decimal("1250.500")) == "1250.5" and csvfiles.plain(Decimal("1000.000")) == "1000"
