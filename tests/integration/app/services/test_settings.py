"""The plant's settings (app/settings.py, app/services/settings.py), on both backends."""

from __future__ import annotations

import pytest

from app import reporting
from app import services as s
from app.context import Context
from app.errors import ConflictError, PermissionDenied, ValidationError
from app.permissions import Role
from app.settings import PlantSettings, plant_settings
from domain.vocabulary import EXPIRY_WARNING_DAYS
from tests.conftest import snapshot


def save(ctx: Context, **changes: object) -> PlantSettings:
    values = {**plant_settings(ctx.reader()).stored(), **changes}
    return s.save_settings(ctx.uow(), **values)  # type: ignore[arg-type]


def test_defaults_then_saved_values_for_every_workstation(admin: Context, people: dict[Role, Context]) -> None:
    assert plant_settings(people[Role.VIEWER].reader()) == PlantSettings()
    assert PlantSettings().expiry_warning_days == EXPIRY_WARNING_DAYS
    saved = save(admin, plant_name="Folie Nowak Sp. z o.o.", expiry_warning_days="14", label_printer="zpl")
    assert saved == PlantSettings("Folie Nowak Sp. z o.o.", 14, "single", "zpl")
    assert plant_settings(people[Role.CLERK].reader()) == saved
    save(admin, label_layout="sheet")
    from app import queries as q

    entries = q.events(admin.reader(), q.EventFilter(entity_type="settings"), descending=False).rows
    assert [e.summary for e in entries] == [
        "Changed the plant settings: plant name Folie Nowak Sp. z o.o., expiry warning window 14, label printer zpl",
        "Changed the plant settings: label layout sheet",
    ]


def test_bad_values_stale_copies_and_other_roles_are_refused(admin: Context, people: dict[Role, Context]) -> None:
    before = snapshot(admin.database)
    for changes, message in (
        ({"plant_name": "  "}, "plant name is required"),
        ({"expiry_warning_days": 0}, "between 1 and 365"),
        ({"expiry_warning_days": "two weeks"}, "whole number"),
        ({"label_layout": "roll"}, "is not one of"),
        ({}, "Nothing to save"),
    ):
        with pytest.raises(ValidationError, match=message):
            save(admin, **changes)
    with pytest.raises(PermissionDenied, match="Only an admin may change settings"):
        save(people[Role.MANAGER], plant_name="Mine")
    assert snapshot(admin.database) == before
    seen = plant_settings(admin.reader())
    save(people[Role.ADMIN], plant_name="First")
    with pytest.raises(ConflictError, match="changed by admin1"):
        s.save_settings(admin.uow(), **{**seen.stored(), "plant_name": "Second"}, expected=seen)  # type: ignore[arg-type]
    assert plant_settings(admin.reader()).plant_name == "First"


def test_reports_print_the_plants_name_unless_the_workstation_overrides_it(
    admin: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MPSYSTEM_PLANT_NAME", raising=False)
    assert reporting.make_header(admin, "Inventory", []).plant == "MPSYSTEM film plant"
    save(admin, plant_name="Folie Nowak")
    assert reporting.make_header(admin, "Inventory", []).plant == "Folie Nowak"
    monkeypatch.setenv("MPSYSTEM_PLANT_NAME", "Nowak, hall 2")
    assert reporting.make_header(admin, "Inventory", []).plant == "Nowak, hall 2"


def test_a_value_written_by_hand_that_breaks_the_rules_reads_as_its_default(admin: Context) -> None:
    save(admin, plant_name="Folie Nowak", expiry_warning_days=20)
    with admin.database.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE settings SET value = 'soon' WHERE key = 'expiry_warning_days'")
    assert plant_settings(admin.reader()) == PlantSettings(plant_name="Folie Nowak")
