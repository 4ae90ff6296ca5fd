"""How quantities, days and moments read, on screens, on paper and in the journal: one place, one rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
