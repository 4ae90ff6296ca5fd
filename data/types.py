"""Column types that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from domain.vocabulary import RATIO_SCALE

QUANTITY_SCALE = 3


class Quantity(TypeDecorator[Decimal]):
    """An exact quantity: NUMERIC(14, 3) on PostgreSQL, integer thousandths on SQLite.

    SQLite has no decimal type; it would keep NUMERIC as a binary float, and
    0.3 - 0.1 - 0.2 would then break the `quantity >= 0` check. Integers in
    thousandths keep sums, comparisons and CHECK constraints exact.
    """

    SCALE = QUANTITY_SCALE
    impl = Numeric(14, QUANTITY_SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(14, self.SCALE, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = Decimal(value)
        if dialect.name == "sqlite":
            return int((value * Decimal(10) ** self.SCALE).to_integral_value())
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        step = Decimal(1).scaleb(-self.SCALE)
        if dialect.name == "sqlite":
            return (Decimal(int(value)) * step).quantize(step)
        return Decimal(value).quantize(step)


class Ratio(Quantity):
    """An exact amount per unit of something (a recipe's kilograms per metre): NUMERIC(14, 6) on
    PostgreSQL, integer millionths on SQLite, for the same reasons as `Quantity`."""

    SCALE = RATIO_SCALE
    impl = Numeric(14, RATIO_SCALE)
    cache_ok = True


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both backends (SQLite stores naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for the journal.
BigId = BigInteger().with_variant(Integer(), "sqlite")
