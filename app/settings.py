"""The plant's settings: its name, how soon an expiry is flagged, how labels come out.

They live in the database (`settings`: key, value), so every workstation reads the same ones and
an administrator changes them once for all (app/services/settings.py). A key never written reads
as its default; `MPSYSTEM_PLANT_NAME` on a workstation still overrides the name it prints.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select

from app import validation as v
from app.errors import ValidationError
from app.permissions import require
from data.models import Setting
from data.uow import UnitOfWork
from domain.vocabulary import (
    EXPIRY_WARNING_DAYS,
    LINE_STOP_ALERT_MINUTES,
    MAX_EXPIRY_WARNING_DAYS,
    MAX_LINE_STOP_ALERT_MINUTES,
    MAX_PENDING_ALERT_HOURS,
    NAME_LEN,
    PENDING_ALERT_HOURS,
    LabelLayout,
    LabelPrinter,
)

log = logging.getLogger(__name__)
PLANT_ENV = "MPSYSTEM_PLANT_NAME"
DEFAULT_PLANT_NAME = "MPSYSTEM film plant"


@dataclass(frozen=True)
class PlantSettings:
    """Each field is a key of the `settings` table; its default is what a plant that never set it gets."""

    plant_name: str = DEFAULT_PLANT_NAME
    expiry_warning_days: int = EXPIRY_WARNING_DAYS
    label_layout: str = LabelLayout.SINGLE.value
    label_printer: str = LabelPrinter.PDF.value
    line_stop_alert_minutes: int = LINE_STOP_ALERT_MINUTES  # a line stopped longer raises an alert
    release_alert_hours: int = PENDING_ALERT_HOURS  # a batch waiting longer for release raises an alert

    def stored(self) -> dict[str, str]:
        """The values as the table keeps them: text."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self)}

    def printed_name(self) -> str:
        """The name reports print: this workstation's MPSYSTEM_PLANT_NAME if set, else the plant's own."""
        return os.environ.get(PLANT_ENV, "").strip() or self.plant_name


KEYS = tuple(f.name for f in fields(PlantSettings))


def checked(
    plant_name: Any,
    expiry_warning_days: Any,
    label_layout: Any,
    label_printer: Any,
    line_stop_alert_minutes: Any = LINE_STOP_ALERT_MINUTES,
    release_alert_hours: Any = PENDING_ALERT_HOURS,
) -> PlantSettings:
    """Settings as typed, checked with the rules the service applies; ValidationError names the field."""
    return PlantSettings(
        plant_name=v.required_text(plant_name, "plant_name", NAME_LEN),
        expiry_warning_days=v.integer(expiry_warning_days, "expiry_warning_days", 1, MAX_EXPIRY_WARNING_DAYS),
        label_layout=v.choice(label_layout, "label_layout", LabelLayout.values()),
        label_printer=v.choice(label_printer, "label_printer", LabelPrinter.values()),
        line_stop_alert_minutes=v.integer(
            line_stop_alert_minutes, "line_stop_alert_minutes", 1, MAX_LINE_STOP_ALERT_MINUTES
        ),
        release_alert_hours=v.integer(release_alert_hours, "release_alert_hours", 1, MAX_PENDING_ALERT_HOURS),
    )


def parse(stored: dict[str, str]) -> PlantSettings:
    """Settings from the table's rows; a value written by hand that breaks the rules reads as the default."""
    values: dict[str, Any] = PlantSettings().stored()
    for key in KEYS:
        if key in stored:
            values[key] = stored[key]
    try:
        return checked(**values)
    except ValidationError as exc:
        log.warning("a plant setting in the database is not valid, its default applies: %s", exc)
        good = {}
        for key in KEYS:
            try:
                checked(**{**PlantSettings().stored(), key: values[key]})
            except ValidationError:
                continue
            good[key] = values[key]
        return checked(**{**PlantSettings().stored(), **good})


def read(uow: UnitOfWork) -> PlantSettings:
    """The settings inside an open unit of work."""
    rows = uow.session.execute(select(Setting.key.label("key"), Setting.value.label("value")))
    return parse({row.key: row.value for row in rows})


def plant_settings(uow: UnitOfWork) -> PlantSettings:
    require(uow.actor, "read")
    with uow:
        return read(uow)
