"""How quantities, days and moments read, on screens, on paper, in CSV and in the journal: one place, one rule."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.quantities import number, written
from domain.vocabulary import Unit


def quantity(value: Decimal, unit: str | None = None) -> str:
    """A quantity with its unit, to the unit's fixed decimals: '1,250.500 kg', '12.50 m', '40 pcs'.

    The same text everywhere: tables, the journal's sentences, messages, labels, reports and CSV files,
    so a number a clerk reads on paper is found by searching the journal for it (domain/quantities.py).
    """
    return written(value, unit)


_QUANTITY_RE = re.compile(r"^(?P<whole>-?[\d,]+)(?P<fraction>\.\d+)? (?P<unit>\S+)$")
_UNITS = frozenset(Unit.values())  # asked for every quantity a table paints


def quantity_parts(text: str) -> tuple[str, str, str] | None:
    """'1,250.500 kg' as ('1,250', '.500', 'kg'), so that columns can line up the decimal points of different
    units; None for text that is not a quantity with its unit."""
    found = _QUANTITY_RE.match(text)
    if found is None or found["unit"] not in _UNITS:
        return None
    return found["whole"], found["fraction"] or "", found["unit"]


WIDEST_FRACTION = "." + "0" * max(unit.decimals for unit in Unit)  # the room after a decimal point in a column
WIDEST_UNIT = max((unit.value for unit in Unit), key=len)


def rate(value: Decimal, unit: str) -> str:
    """A line's nominal rate, '500 kg/h': a speed, shown with only the decimals it has."""
    return f"{number(value)} {unit}/h"


def day(value: date | None, empty: str = "") -> str:
    """A calendar day as the plant writes it: '2026-03-14'; `empty` when there is none."""
    return value.strftime("%Y-%m-%d") if value else empty


def moment(value: datetime | None, empty: str = "") -> str:
    """A point in time in this workstation's time zone, to the minute: '2026-03-14 09:05'."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else empty


def percent(share: float | None, empty: str = "—") -> str:
    """A share (0–1) as '93%'; `empty` when there is nothing to compare with."""
    return empty if share is None else f"{share * 100:.0f}%"


def hours(value: float) -> str:
    """Hours of work: '74 h', '7.5 h' below ten."""
    return f"{value:,.1f} h" if 0 < value < 10 else f"{value:,.0f} h"


def span(value: timedelta) -> str:
    """How long something has lasted: '25 min', '3 h 05 min', '4 d 6 h'."""
    minutes = max(0, int(value.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours_, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours_} h"
    return f"{hours_} h {minutes:02d} min" if hours_ else f"{minutes} min"


def short_moment(value: datetime | None, empty: str = "") -> str:
    """A moment in a busy table, in this workstation's time zone: '14.03 09:05'."""
    return value.astimezone().strftime("%d.%m %H:%M") if value else empty
