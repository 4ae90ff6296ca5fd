"""Rows become DTOs by name: a label that disagrees with the DTO's fields fails at once."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import column, create_engine, literal, select

from app.rows import LabelMismatch, check_labels, dto_from_row, labelled


@dataclass(frozen=True)
class Pair:
    code: str
    amount: int


def _row(*labelled_values: tuple[str, object]):  # type: ignore[no-untyped-def]
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        return conn.execute(select(*(literal(v).label(k) for k, v in labelled_values))).one()


def test_fields_are_read_by_name_whatever_the_column_order() -> None:
    assert dto_from_row(Pair, _row(("amount", 3), ("code", "A"))) == Pair("A", 3)


def test_a_computed_value_fills_or_converts_a_field() -> None:
    assert dto_from_row(Pair, _row(("code", "A"), ("amount", "7")), amount=7) == Pair("A", 7)


def test_a_missing_or_unknown_label_is_refused() -> None:
    with pytest.raises(LabelMismatch, match="Pair: no column for amount"):
        dto_from_row(Pair, _row(("code", "A")))
    with pytest.raises(LabelMismatch, match="columns no field takes: amunt"):
        dto_from_row(Pair, _row(("code", "A"), ("amount", 1), ("amunt", 1)))
    assert dto_from_row(Pair, _row(("code", "A"), ("amount", 1), ("line", 9)), extra=("line",)) == Pair("A", 1)


def test_a_select_list_must_fill_every_field_once() -> None:
    assert [c.name for c in labelled(Pair, code=column("c"), amount=column("a"))] == ["code", "amount"]
    with pytest.raises(LabelMismatch, match="no column for amount"):
        labelled(Pair, code=column("c"))
    with pytest.raises(LabelMismatch, match="columns no field takes: colour"):
        labelled(Pair, code=column("c"), amount=column("a"), colour=column("x"))
    check_labels(Pair, ["code"], computed=["amount"])
