"""How quantities, days and moments read: one rule for screens, paper and the journal."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from app import journal
from app.formatting import day, moment, quantity, rate
from domain.vocabulary import Unit


def test_a_quantity_shows_its_units_fixed_decimals_grouped() -> None:
    assert quantity(Decimal("1250.5"), "kg") == "1,250.500 kg"
    assert quantity(Decimal("180"), "kg") == "180.000 kg"
    assert quantity(Decimal("12.5"), "m") == "12.50 m"
    assert quantity(Decimal("1234.5"), "m2") == "1,234.50 m2"
    assert quantity(Decimal("40.000"), "pcs") == "40 pcs"
    assert quantity(Decimal("0.5"), "l") == "0.500 l"
    for unit in Unit:
        text = quantity(Decimal("1234.5678"), unit.value).removesuffix(f" {unit.value}")
        assert len(text.partition(".")[2]) == unit.decimals


def test_decimals_line_up_in_a_column_of_one_unit() -> None:
    column = [quantity(Decimal(v), "kg") for v in ("3628.176", "2906.85", "180")]
    assert column == ["3,628.176 kg", "2,906.850 kg", "180.000 kg"]
    assert len({len(text) - text.index(".") for text in column}) == 1


def test_without_a_unit_only_the_decimals_it_has_and_rates_likewise() -> None:
    assert quantity(Decimal("2000.000")) == "2,000"
    assert quantity(Decimal("0.250")) == "0.25"
    assert rate(Decimal("500.000"), "kg") == "500 kg/h"


def test_the_journal_writes_quantities_as_the_screens_do() -> None:
    entry = journal.issued("R2611-00685", "MAG-1", Decimal("2255.311"), "kg", None)
    assert "2,255.311 kg" in entry.summary


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
