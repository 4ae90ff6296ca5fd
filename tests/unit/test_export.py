from __future__ import annotations

import pytest

from app.export import spreadsheet_cell


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('=HYPERLINK("http://evil.example","Click")', '\'=HYPERLINK("http://evil.example","Click")'),
        ("+48 22 123 45 67", "'+48 22 123 45 67"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-12.5", "-12.5"),
        ("-1,250.5", "-1,250.5"),
        ("+7", "+7"),
        ("Mleczarnia Łódź", "Mleczarnia Łódź"),
        ("1,250.5 kg", "1,250.5 kg"),
        ("", ""),
    ],
)
def test_formula_like_cells_stay_text_and_numbers_stay_numbers(text: str, shown: str) -> None:
    """Hole: a customer named =HYPERLINK(…) was exported to CSV verbatim (formula injection)."""
    assert spreadsheet_cell(text) == shown
