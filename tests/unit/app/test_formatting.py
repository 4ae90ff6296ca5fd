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
