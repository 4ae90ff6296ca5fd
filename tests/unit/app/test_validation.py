from __future__ import annotations

from decimal import Decimal

import pytest

from app import validation as v
from app.errors import ValidationError
from app.services._common import fmt_qty


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("12,5", "kg", Decimal("12.500")),
        (3, "pcs", Decimal("3.000")),
        (Decimal("0.001"), "kg", Decimal("0.001")),
        (" 7 ", "m", Decimal("7.000")),
        (0.1, "kg", Decimal("0.100")),
        ("1E+2", "kg", Decimal("100.000")),
        ("1,250.5 kg", "kg", Decimal("1250.500")),  # as the screens print it, unit and all
        ("1.250,5", "kg", Decimal("1250.500")),
        ("1 250,5kg", "kg", Decimal("1250.500")),
        ("30 m²", "m2", Decimal("30.000")),
        ("12 PCS", "pcs", Decimal("12.000")),
    ],
)
def test_quantities_accepted(value: object, unit: str, expected: Decimal) -> None:
    assert v.quantity(value, unit) == expected


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        (None, "kg", "Enter a quantity"),
        (True, "kg", "Enter a quantity"),
        ("", "kg", "not a number"),
        ("1.5", "pcs", "whole numbers"),
        ("0.005", "m", "at most 2"),
        ("-inf", "kg", "real number"),
        ("100000000.001", "kg", "too large"),
        ("0", "kg", "must not be zero"),
        ("12 m", "kg", "This is counted in kg, not in m: enter the quantity in kg."),
        ("5 kg", "pcs", "This is counted in pcs, not in kg"),
        ("12 bags", "kg", "“12 bags” is not a number"),
        # the inputs: a decimal overflow, and a number that rounded to a zero nobody typed
        ("1e999999999", "kg", "too large"),
        ("-1e999999999", "kg", "greater than zero"),
        ("1e-999999999", "kg", "at most 3 decimal places"),
        ("1e-4", "kg", "at most 3 decimal places"),
        ("-0.0", "kg", "must not be zero"),
    ],
)
def test_quantities_refused(value: object, unit: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        v.quantity(value, unit)


def test_signed_quantity_for_adjustments() -> None:
    assert v.quantity("-2.5", "kg", allow_negative=True) == Decimal("-2.500")


def test_text_rules() -> None:
    assert v.text("  Łódź  ", "city", 10) == "Łódź"
    assert v.text("   ", "note", 10, required=False) is None
    with pytest.raises(ValidationError, match="too long: 11 characters, at most 10"):
        v.text("x" * 11, "note", 10)
    with pytest.raises(ValidationError, match="control characters"):
        v.text("a\x07b", "note", 10)
    assert v.code("ПАРТІЯ-1/2", "batch", 40) == "ПАРТІЯ-1/2"
    with pytest.raises(ValidationError, match="may contain only"):
        v.code("B;1", "batch", 40)
    with pytest.raises(ValidationError, match="not a date"):
        v.a_date("2026-13-01", "due_date")


def test_fmt_qty() -> None:
    assert fmt_qty(Decimal("1200.000"), "kg") == "1,200.000 kg"
    assert fmt_qty(Decimal("0.250"), "kg") == "0.250 kg"


def test_absurd_signed_quantities_are_refused_without_arithmetic() -> None:
    with pytest.raises(ValidationError, match="too large"):
        v.quantity("-1e999999999", "kg", allow_negative=True)
    with pytest.raises(ValidationError, match="decimal places"):
        v.quantity("-1e-999999999", "kg", allow_negative=True)
    assert v.quantity("1.500", "m") == Decimal("1.500")  # trailing zeros are not decimals


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
def test_days_out_of_the_plants_calendar_are_refused(day: str) -> None:
    """Hole: `report events --to 9999-12-31` overflowed when the filter added the day after."""
    with pytest.raises(ValidationError, match="out of range: choose a day between 1900-01-01 and 2999-12-31"):
        v.a_date(day, "to")


@pytest.mark.parametrize(
    "name", ["public", "none", "current_user", "current_role", "session_user", "pg_x", "mpsystem_x"]
)
def test_user_names_the_database_keeps_are_refused(name: str) -> None:
    from app.services.users import clean_username

    with pytest.raises(ValidationError, match="reserved for the database's own roles"):
        clean_username(name)
    assert clean_username("publican") == "publican" and clean_username("nonesuch") == "nonesuch"
