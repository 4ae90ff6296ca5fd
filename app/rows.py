"""SQL rows become DTOs by column name, never by position.

A query labels each column with the name of the DTO field it fills
(`Material.code.label("material_code")`), or builds its select with `labelled()`,
which refuses a column the DTO has no field for and a field no column fills. Rows
are read with `dto_from_row()`, which reads `row._mapping` by the DTO's field
names and refuses a row whose labels disagree with the fields. Inserting a
column in the middle of a select therefore changes nothing, and a misspelt
label fails at once, in every test that runs the query.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Row
from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")


class LabelMismatch(TypeError):
    """A query's column labels and its DTO's fields disagree: a programming error, never the user's."""


_fields: dict[type[Any], tuple[str, ...]] = {}


def field_names(dto: type[Any]) -> tuple[str, ...]:
    """The fields a DTO is built from, in declaration order."""
    names = _fields.get(dto)
    if names is None:
        names = _fields[dto] = tuple(f.name for f in dataclasses.fields(dto) if f.init)
    return names


def check_labels(
    dto: type[Any], labels: Iterable[str], computed: Iterable[str] = (), extra: Iterable[str] = ()
) -> None:
    """Raise LabelMismatch unless every field has a label or a computed value, and every label a field.

    `extra`: labels the query selects for its own use (to schedule, to group), which fill no field.
    """
    fields = set(field_names(dto))
    given = set(labels)
    missing = fields - given - set(computed)
    unread = given - fields - set(extra)
    if missing or unread:
        parts = []
        if missing:
            parts.append("no column for " + ", ".join(sorted(missing)))
        if unread:
            parts.append("columns no field takes: " + ", ".join(sorted(unread)))
        raise LabelMismatch(f"{dto.__name__}: " + "; ".join(parts))


_checked: set[tuple[Any, ...]] = set()


def dto_from_row(dto: type[T], row: Row[Any], /, *, extra: Iterable[str] = (), **computed: Any) -> T:
    """Build `dto` from a labelled row by field name; `computed` fills (or converts) fields by name."""
    labels = row._fields
    key = (dto, labels, frozenset(computed), frozenset(extra))
    if key not in _checked:
        check_labels(dto, labels, computed, extra)
        _checked.add(key)
    mapping = row._mapping
    return dto(**{name: computed[name] if name in computed else mapping[name] for name in field_names(dto)})


def labelled(
    dto: type[Any], /, *, computed: Iterable[str] = (), extra: Iterable[str] = (), **columns: Any
) -> list[ColumnElement[Any]]:
    """The select list for `dto`: each column labelled with the field it fills, every field filled once.

    `computed`: fields the reader fills itself; `extra`: columns selected for the query's own use.
    """
    check_labels(dto, columns, computed, extra)
    return [column.label(name) for name, column in columns.items()]
