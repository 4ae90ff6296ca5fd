"""The plant's vocabulary on screen: each stored value shown by its label, through Qt's translator.

domain/vocabulary.py spells every status, kind, unit and role once and marks its label for
translation; this is the one place the client turns those labels into the words it shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QWidget

from domain.vocabulary import Role, Term

T = TypeVar("T", bound=Term)


def of(kind: type[T], value: str) -> T:
    """The member of `kind` stored as `value` (ValueError for a value the vocabulary does not know)."""
    try:
        return kind(value)  # the enum's own lookup by value: one per cell a table paints
    except ValueError:
        raise ValueError(f"{value!r} is not a {kind.__name__}") from None


def term(member: Term) -> str:
    """A vocabulary value in the user's language."""
    return QCoreApplication.translate(type(member).context(), member.label)


def term_of(kind: type[Term], value: str) -> str:
    """The words for a value as stored in the database."""
    return term(of(kind, value))


def role_name(role: Role) -> str:
    return QCoreApplication.translate("Role", role.label)


def term_box(members: Iterable[Term], blank: str | None = None, parent: QWidget | None = None) -> QComboBox:
    """A choice among vocabulary values, shown by their words, each carrying its stored value.

    `blank` first (with no value) when the choice may be left open, as in a filter's "all kinds".
    """
    box = QComboBox(parent)
    if blank is not None:
        box.addItem(blank, None)
    for member in members:
        box.addItem(term(member), member.value)
    return box


def choose(box: QComboBox, value: str | None) -> None:
    """Select the entry that carries `value` (the blank one for None)."""
    index = box.findData(value)
    if index >= 0:
        box.setCurrentIndex(index)


def journal_words(value: str) -> str:
    """A journal entry's action or subject as words ("password_changed" → "password changed").

    Unlike statuses and kinds, these are open-ended: each service names what it did when it writes
    its entry, and the journal keeps them as written; they have no vocabulary entry to take a label from.
    """
    return value.replace("_", " ")
