"""Tables leaving the client as files a spreadsheet opens."""

from __future__ import annotations

import re

# A spreadsheet runs a cell that starts with these as a formula (tab and carriage return too, after
# its own trimming): a customer named "=HYPERLINK(…)" must arrive as the text it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?")


def spreadsheet_cell(text: str) -> str:
    """The text of a cell as a spreadsheet must show it: a leading apostrophe keeps a formula-like
    text a text; plain numbers, negative ones included, stay numbers."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
