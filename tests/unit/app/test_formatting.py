"""How quantities, days and moments read: one rule for screens, paper and the journal."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from app.formatting import day, moment, quantity


def test_quantities_group_on_paper_and_not_in_the_journal() -> None:
    assert quantity(Decimal("1250.500"), "kg") == "1,250.5 kg"
    assert quantity(Decimal("1250.500"), "kg", grouped=False) == "1250.5 kg"
    assert quantity(Decimal("2000.000")) == "2,000"


def test_a_day_reads_year_first_and_may_be_missing() -> None:
    assert day(date(2026, 3, 4)) == "2026-03-04"
    assert day(None) == ""
    assert day(None, "—") == "—"


def test_a_moment_reads_in_local_time_to_the_minute() -> None:
    instant = datetime(2026, 3, 4, 9, 5, 59, tzinfo=timezone(timedelta(hours=2)))
    assert moment(instant) == instant.astimezone().strftime("%Y-%m-%d %H:%M")
    assert len(moment(instant)) == 16
    assert moment(None) == ""


def test_shares_hours_and_spans_read_short() -> None:
    from app.formatting import hours, percent, span

    assert percent(0.934) == "93%" and percent(None) == "—"
    assert hours(74.2) == "74 h" and hours(7.46) == "7.5 h" and hours(0) == "0 h"
    assert span(timedelta(minutes=25)) == "25 min"
    assert span(timedelta(hours=3, minutes=5)) == "3 h 05 min"
    assert span(timedelta(days=4, hours=6, minutes=59)) == "4 d 6 h"
