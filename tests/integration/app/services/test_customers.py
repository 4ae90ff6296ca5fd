"""Customers: created and edited by planners, archived by managers, bad input refused whole."""

from __future__ import annotations

import pytest

from app import queries as q
from app import services as s
from app.context import Context
from app.errors import ConflictError, PermissionDenied, ValidationError
from app.permissions import Role
from tests.conftest import in_days, snapshot


def test_customer_lifecycle(plant: Context, people: dict[Role, Context]) -> None:
    planner, manager = people[Role.PLANNER], people[Role.MANAGER]
    s.create_customer(
        planner.uow(),
        code="c-100",
        name="Piekarnia Żabka",
        email="biuro@zabka.example",
        tax_id="PL1234567890",
        notes="Dostawy tylko rano",
    )
    page = q.customers(plant.reader(), q.CustomerFilter(text="żabka"))
    assert [(r.code, r.email, r.open_orders) for r in page.rows] == [("C-100", "biuro@zabka.example", 0)]
    version = page.rows[0].version
    s.edit_customer(
        planner.uow(),
        code="C-100",
        name="Piekarnia Żabka S.A.",
        email="biuro@zabka.example",
        tax_id="PL1234567890",
        notes="Dostawy tylko rano",
        expected_version=version,
    )
    with pytest.raises(ConflictError, match="changed by planner1"):
        s.edit_customer(planner.uow(), code="C-100", name="Other", expected_version=version)
    s.create_order(planner.uow(), customer="C-100", product="BAGS", quantity=1000, unit="pcs", due_date=in_days(9))
    with pytest.raises(PermissionDenied, match="Only a manager"):
        s.set_customer_archived(planner.uow(), code="C-100", archived=True)
    s.set_customer_archived(manager.uow(), code="C-100", archived=True, reason="Closed down")
    assert q.customers(plant.reader(), q.CustomerFilter(text="C-100")).total == 0
    archived = q.customers(plant.reader(), q.CustomerFilter(text="C-100", archived=True)).rows[0]
    assert archived.archived and archived.total_orders == 1
    with pytest.raises(ValidationError, match="archived; restore it"):
        s.create_order(planner.uow(), customer="C-100", product="BAGS", quantity=1, unit="pcs", due_date=in_days(9))
    s.set_customer_archived(manager.uow(), code="C-100", archived=False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "", "required"),
        ("code", "C'1", "may contain only"),
        ("name", "", "required"),
        ("name", "N" * 121, "too long"),
        ("email", "not-an-email", "not an e-mail"),
        ("notes", "x" * 2001, "too long"),
        ("name", "bad\x00name", "control characters"),
    ],
)
def test_bad_customer_input_changes_nothing(plant: Context, field: str, value: str, message: str) -> None:
    before = snapshot(plant.database)
    args = {"code": "C-200", "name": "Valid", field: value}
    with pytest.raises(ValidationError, match=message):
        s.create_customer(plant.uow(), **args)
    with pytest.raises(ValidationError, match="already exists"):
        s.create_customer(plant.uow(), code="c-001", name="Duplicate")
    assert snapshot(plant.database) == before
