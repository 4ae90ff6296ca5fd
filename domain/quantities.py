"""How a quantity is written: the unit's fixed decimals (Unit.decimals), grouped, the unit after it.

One rule for every layer: the client's tables and forms, the journal's sentences, the services' and the
database's messages, labels, reports and CSV files all write '1,250.500 kg', '12.50 m', '40 pcs'.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from domain.vocabulary import Unit


def decimals(unit: str | None) -> int | None:
    """How many decimals a quantity in `unit` shows (the vocabulary's count); None for a unit it does not know."""
    return Unit(unit).decimals if unit in Unit.values() else None


def number(value: Decimal, places: int | None = None) -> str:
    """'1,250.500' with `places` decimals; without them, as few as the value needs ('2,000', '0.25')."""
    if places is not None:
        return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,f}".rstrip("0").rstrip(".")


def written(value: Decimal, unit: str | None = None) -> str:
    """A quantity with its unit, to the unit's fixed decimals: '1,250.500 kg', '12.50 m', '40 pcs'."""
    text = number(value, decimals(unit))
    return f"{text} {unit}" if unit else text


_PLAIN = re.compile(r"(?<![\w.,\-])(\d+(?:\.\d+)?) (" + "|".join(re.escape(u.value) for u in Unit) + r")\b")


def rewritten(message: str) -> str:
    """A message written elsewhere (by the database) with its plain quantities ('1000 kg') written the plant's way."""
    return _PLAIN.sub(lambda m: written(Decimal(m.group(1)), m.group(2)), message)
