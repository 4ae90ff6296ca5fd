"""The report registry: each entry's permission, parameters and wiring, as the menu, dialog and CLI read them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from app import cli
from app import services as s
from app.context import Context
from app.errors import PermissionDenied
from app.permissions import PERMISSIONS, Role, allowed
from app.security import CurrentUser
from reports.registry import REPORTS, Kind, by_key
from tests.conftest import in_days


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the registry's wiring, not the backends: app.reporting's own tests cover those


@pytest.fixture
def stocked(plant: Context) -> Context:
    s.receive_batch(plant.uow(), number="REG-1", material="LDPE", supplier="BASELL", quantity=100, warehouse="MAG-1")
    s.receive_batch(
        plant.uow(), number="REG-F", material="FILM-PE-50", supplier="BASELL", quantity=50, warehouse="MAG-6"
    )
    s.approve_batch(plant.uow(), batch="REG-F")
    s.create_order(plant.uow(), number="REG-O", customer="C-001", product="PE-50", quantity=50, due_date=in_days(3))
    s.plan_order(plant.uow(), number="REG-O", line="EXTRUDER-1")
    s.start_order(plant.uow(), number="REG-O")
    s.deliver(plant.uow(), order="REG-O", lines=[s.DeliveryItem("REG-F", "MAG-6", "20")], number="D-REG-1")
    s.create_purchase_order(
        plant.uow(), supplier="BASELL", lines=[s.PurchaseItem("LDPE", "5000", "1.32", in_days(10))], note="Reg"
    )
    return plant


def as_role(ctx: Context, role: Role) -> Context:
    return Context(ctx.database, CurrentUser(None, role.label, role.label.title(), role))


GOOD_VALUES: dict[str, Any] = {
    "batch": "REG-1",
    "customer": "C-001",
    "delivery": "D-REG-1",
    "purchase_order": f"PUR-{date.today().year}-00001",
}


def test_keys_are_unique_and_every_permission_is_known() -> None:
    assert len({r.key for r in REPORTS}) == len(REPORTS)
    for report in REPORTS:
        assert report.permission in PERMISSIONS, report.key
        assert by_key(report.key) is report
        names = [p.name for p in report.parameters]
        assert len(set(names)) == len(names), report.key


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK, Role.MANAGER])
def test_each_report_asks_for_the_permission_its_data_checks(stocked: Context, role: Role) -> None:
    """The menu disables what the registry's permission forbids; the data itself refuses the same people."""
    ctx = as_role(stocked, role)
    for report in REPORTS:
        values = {p.name: GOOD_VALUES.get(p.name) for p in report.parameters}
        if allowed(role, report.permission):
            assert report.gather(ctx, values) is not None, report.key
        else:
            with pytest.raises(PermissionDenied):
                report.gather(ctx, values)


@pytest.mark.parametrize("key", [r.key for r in REPORTS])
def test_each_report_gathers_and_writes_a_pdf(stocked: Context, key: str, tmp_path: Path) -> None:
    report = by_key(key)
    values = {p.name: GOOD_VALUES.get(p.name) for p in report.parameters}
    assert report.missing(values) is None
    out = tmp_path / f"{key}.pdf"
    pages = report.write(report.gather(stocked, values), str(out))
    assert pages == len(PdfReader(str(out)).pages) >= 1


def test_a_required_parameter_left_out_is_named() -> None:
    trace = by_key("trace")
    assert trace.missing({"batch": None}) is trace.parameters[0]
    assert trace.missing({"batch": "B-1"}) is None
    assert by_key("inventory").missing({"warehouse": None}) is None


def test_the_command_line_offers_every_report_and_parameter() -> None:
    parser = cli.build_parser()
    for report in REPORTS:
        argv = ["report", report.key, "--out", "x.pdf"]
        for param in report.parameters:
            if param.positional:
                argv.insert(2, "X")  # `report delivery NUMBER`
            for option in param.options():
                argv += [option, "2024-01-31" if param.kind is Kind.DATE_RANGE else "X"]
        args = parser.parse_args(argv)
        assert args.kind == report.key
        for param in report.parameters:
            for dest in param.dests():
                assert getattr(args, dest) is not None, (report.key, dest)
    with pytest.raises(SystemExit):
        parser.parse_args(["report", "nonsense", "--out", "x.pdf"])
