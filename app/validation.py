"""Input checks with messages a clerk understands. Every service validates before it writes."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.errors import ValidationError
from domain.vocabulary import EMAIL_LEN, QUANTITY_SCALE, Unit

# Days people type (due, expiry, report ranges): anything outside is a slip, and days at the very
# end of the calendar cannot have a day added to them (a filter "up to" a day ends the day after).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
# One movement or order above this is a typing slip (a scanner pasting a barcode into a quantity).
MAX_QUANTITY = Decimal("100000000")

# Users are login roles on PostgreSQL, which keeps these names (and every pg_ name) for itself;
# mpsystem_ names are the schema's own group and owner roles.
RESERVED_LOGINS = frozenset({"public", "none", "current_user", "current_role", "session_user"})
RESERVED_LOGIN_PREFIXES = ("pg_", "mpsystem_")

# Any script's letters and digits (Polish and Cyrillic labels exist), never quotes or semicolons.
_CODE_RE = re.compile(r"^[^\W_][\w./\- ]*$")


# A quantity typed with its unit: "12 kg", "1,250.5kg", "30 m²". The unit must be the one counted in.
_WITH_UNIT_RE = re.compile(r"^(?P<number>.*?\d\.?)\s*(?P<unit>[^\W\d_]+[²2]?)\.?$")
_UNIT_SPELLINGS = {"m²": "m2", "szt": "pcs", "pc": "pcs", "ltr": "l"}


def _unit_typed(text: str) -> tuple[str, str | None]:
    """Split '12,5 kg' into ('12,5', 'kg'); a text without a trailing word has no unit."""
    found = _WITH_UNIT_RE.match(text)
    if found is None:
        return text, None
    typed = found["unit"].lower()
    return found["number"], _UNIT_SPELLINGS.get(typed, typed)


def _plain_number(text: str) -> str:
    """'1,250.5', '1.250,5' and '1 250,5' as Decimal reads them: with both marks the last is the decimal one,
    and a lone comma is a decimal comma."""
    digits = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("−", "-")
    if "," in digits and "." in digits:
        grouping = "." if digits.rfind(",") > digits.rfind(".") else ","
        digits = digits.replace(grouping, "")
    return digits.replace(",", ".")


def _number_in(text: str, unit: str, label: str, field: str) -> Decimal:
    """The number typed, with or without its unit; another unit is refused in plain words."""
    try:
        return Decimal(_plain_number(text))
    except (InvalidOperation, ValueError):
        pass
    digits, typed_unit = _unit_typed(text)
    if typed_unit is not None and typed_unit != unit and typed_unit in Unit.values():
        raise ValidationError(f"This is counted in {unit}, not in {typed_unit}: enter the {label} in {unit}.", field)
    try:
        if typed_unit == unit:
            return Decimal(_plain_number(digits))
    except (InvalidOperation, ValueError):
        pass
    raise ValidationError(f"The {label} “{text}” is not a number.", field)


def quantity(value: Any, unit: str, field: str = "quantity", *, allow_negative: bool = False) -> Decimal:
    """A quantity counted in `unit`, to the unit's decimals; typed with a unit, that unit must be `unit`."""
    label = field.replace("_", " ")
    if isinstance(value, bool) or value is None:
        raise ValidationError(f"Enter a {label}.", field)
    if isinstance(value, float):
        value = repr(value)
    number = value if isinstance(value, Decimal) else _number_in(str(value).strip(), unit, label, field)
    if not number.is_finite():
        raise ValidationError(f"The {label} must be a real number.", field)
    # Only exact operations until the size is known: arithmetic on 1e999999999 overflows the
    # decimal context, and rounding 1e-999999999 would turn it into a zero nobody typed.
    if number.is_zero():
        raise ValidationError(f"The {label} must not be zero.", field)
    if number.is_signed() and not allow_negative:
        raise ValidationError(f"The {label} must be greater than zero.", field)
    if number.copy_abs() > MAX_QUANTITY:
        raise ValidationError(f"The {label} {value} is too large (at most {MAX_QUANTITY:,} {unit}).", field)
    # Each unit is counted as finely as the vocabulary says; an unknown one to the database's scale.
    decimals = Unit(unit).decimals if unit in Unit.values() else QUANTITY_SCALE
    if _decimal_places(number) > decimals:
        allowed = "whole numbers" if decimals == 0 else f"at most {decimals} decimal places"
        raise ValidationError(f"Quantities in {unit} take {allowed}; “{value}” has more.", field)
    return number.quantize(Decimal(1).scaleb(-QUANTITY_SCALE))


def _decimal_places(number: Decimal) -> int:
    """Significant digits after the point, counted without any decimal arithmetic (1.500 has one)."""
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing))


def text(value: Any, field: str, max_len: int, *, required: bool = True) -> str | None:
    label = field.replace("_", " ")
    if value is None:
        cleaned = ""
    elif isinstance(value, str):
        cleaned = value.strip()
    else:
        raise ValidationError(f"The {label} must be text.", field)
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in cleaned):
        raise ValidationError(f"The {label} contains control characters.", field)
    if not cleaned:
        if required:
            raise ValidationError(f"The {label} is required.", field)
        return None
    if len(cleaned) > max_len:
        raise ValidationError(f"The {label} is too long: {len(cleaned)} characters, at most {max_len}.", field)
    return cleaned


def required_text(value: Any, field: str, max_len: int) -> str:
    result = text(value, field, max_len, required=True)
    assert result is not None
    return result


def code(value: Any, field: str, max_len: int) -> str:
    """Codes and numbers people type and scan: letters, digits and . _ / - only."""
    cleaned = required_text(value, field, max_len)
    if not _CODE_RE.match(cleaned):
        raise ValidationError(
            f"The {field.replace('_', ' ')} “{cleaned}” may contain only letters, digits, spaces and . _ / -", field
        )
    return cleaned


def choice(value: Any, field: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise ValidationError(f"The {field.replace('_', ' ')} “{value}” is not one of: {', '.join(options)}.", field)
    return str(value)


def a_date(value: Any, field: str, *, required: bool = True) -> date | None:
    label = field.replace("_", " ")
    if value is None or value == "":
        if required:
            raise ValidationError(f"The {label} is required.", field)
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(f"The {label} “{value}” is not a date (YYYY-MM-DD).", field) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            f"The {label} {day.isoformat()} is out of range: choose a day between "
            f"{EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}.",
            field,
        )
    return day


def email(value: Any, field: str = "email") -> str | None:
    cleaned = text(value, field, EMAIL_LEN, required=False)
    if cleaned is not None and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", cleaned):
        raise ValidationError(f"“{cleaned}” is not an e-mail address.", field)
    return cleaned


def integer(value: Any, field: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"The {field.replace('_', ' ')} must be a whole number.", field) from None
    if isinstance(value, float) and value != number:
        raise ValidationError(f"The {field.replace('_', ' ')} must be a whole number.", field)
    if not low <= number <= high:
        raise ValidationError(f"The {field.replace('_', ' ')} must be between {low} and {high}.", field)
    return number


def not_reserved_login(name: str, field: str) -> str:
    """Refuse a user name PostgreSQL or MPSYSTEM keeps for a role of its own, on both backends alike."""
    if name in RESERVED_LOGINS or name.startswith(RESERVED_LOGIN_PREFIXES):
        raise ValidationError(
            f"The user name “{name}” is reserved for the database's own roles; choose another.", field
        )
    return name


def a_moment(value: Any, field: str, *, required: bool = True) -> datetime | None:
    """A point in time: an aware datetime, a naive one or "YYYY-MM-DD HH:MM" read as this workstation's local time."""
    label = field.replace("_", " ")
    if value is None or value == "":
        if required:
            raise ValidationError(f"The {label} is required.", field)
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        raise ValidationError(f"The {label} needs a time of day as well as a date.", field)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(f"The {label} “{value}” is not a moment (YYYY-MM-DD HH:MM).", field) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # as this workstation's clock reads it
    return moment.astimezone(UTC)
