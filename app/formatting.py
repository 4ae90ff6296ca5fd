"""How quantities, days and moments read, on screens, on paper and in the journal: one place, one rule."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal


def quantity(value: Decimal, unit: str | None = None, *, grouped: bool = True) -> str:
    """'1,250.5 kg' (grouped, for screens and paper) or '1250.5 kg' (for the journal's sentences)."""
    whole = value == value.to_integral_value()
    if grouped:
        text = f"{value:,.0f}" if whole else f"{value:,.3f}".rstrip("0").rstrip(".")
    else:
        text = f"{value.normalize():f}" if whole else f"{value:f}".rstrip("0").rstrip(".")
    return f"{text} {unit}" if unit else text


def day(value: date | None, empty: str = "") -> str:
    """A calendar day as the plant writes it: '2026-03-14'; `empty` when there is none."""
    return value.strftime("%Y-%m-%d") if value else empty


def moment(value: datetime | None, empty: str = "") -> str:
    """A point in time in this workstation's time zone, to the minute: '2026-03-14 09:05'."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else empty
