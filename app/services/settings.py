"""The plant's settings, changed by administrators for every workstation at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app import settings as plant
from app.errors import ConflictError, ValidationError
from app.permissions import require
from app.settings import PlantSettings
from data.models import Event, Setting, User
from data.uow import UnitOfWork

ENTITY = "settings"
WORDS = {
    "plant_name": "plant name",
    "expiry_warning_days": "expiry warning window",
    "label_layout": "label layout",
    "label_printer": "label printer",
    "line_stop_alert_minutes": "line stop alert after (minutes)",
    "release_alert_hours": "release alert after (hours)",
}


def save_settings(
    uow: UnitOfWork,
    *,
    plant_name: Any,
    expiry_warning_days: Any,
    label_layout: Any,
    label_printer: Any,
    line_stop_alert_minutes: Any = None,
    release_alert_hours: Any = None,
    expected: PlantSettings | None = None,
) -> PlantSettings:
    """Save the settings; `expected`: those the form was filled with, refused if someone changed them since.

    The alert thresholds left out (None) keep what the plant has.
    """
    require(uow.actor, "settings.manage")
    typed = {
        "plant_name": plant_name,
        "expiry_warning_days": expiry_warning_days,
        "label_layout": label_layout,
        "label_printer": label_printer,
    }
    thresholds = {
        key: value
        for key, value in (
            ("line_stop_alert_minutes", line_stop_alert_minutes),
            ("release_alert_hours", release_alert_hours),
        )
        if value is not None
    }
    plant.checked(**typed, **thresholds)  # bad input is refused before the database is asked anything
    with uow:
        rows = {row.key: row for row in uow.session.scalars(select(Setting).with_for_update())}
        current = plant.parse({key: row.value for key, row in rows.items()})
        kept = {
            "line_stop_alert_minutes": current.line_stop_alert_minutes,
            "release_alert_hours": current.release_alert_hours,
        }
        wanted = plant.checked(**typed, **{**kept, **thresholds})
        if expected is not None and current != expected:
            raise ConflictError(_changed_meanwhile(uow))
        old, new = current.stored(), wanted.stored()
        changed = [key for key in plant.KEYS if old[key] != new[key]]
        if not changed:
            raise ValidationError("Nothing to save: the settings are unchanged.", "plant_name")
        for key in changed:
            if key in rows:
                rows[key].value = new[key]
            else:
                uow.session.add(Setting(key=key, value=new[key]))
        uow.record_event(
            ENTITY,
            None,
            "changed",
            "Changed the plant settings: " + ", ".join(f"{WORDS[k]} {new[k]}" for k in changed),
            {k: {"from": old[k], "to": new[k]} for k in changed},
        )
        uow.commit()
        return wanted


def _changed_meanwhile(uow: UnitOfWork) -> str:
    row = uow.session.execute(
        select(User.username.label("who"), Event.occurred_at.label("at"))
        .select_from(Event)
        .outerjoin(User, User.id == Event.user_id)
        .where(Event.entity_type == ENTITY)
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(1)
    ).first()
    who = f" by {row.who or 'system'} at {row.at.astimezone():%Y-%m-%d %H:%M}" if row is not None else ""
    return f"The plant settings were changed{who}. The dialog will reload; nothing was overwritten."
