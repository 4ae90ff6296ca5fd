"""Warehouses, materials, suppliers and lines: the administrator's master data."""

from __future__ import annotations

from typing import Any

from app import formatting
from app import validation as v
from app.errors import ValidationError
from app.permissions import require
from data.models import (
    Material,
    ProductionLine,
    Supplier,
    Warehouse,
)
from data.uow import Repository, UnitOfWork
from domain.vocabulary import CODE_LEN, NAME_LEN, PHONE_LEN, LineStage, MaterialKind, Unit, WarehouseKind


def _unique(repo: Repository[Any], code: str) -> None:
    if repo.find(code) is not None:
        raise ValidationError(f"A {repo.noun} with the code {code} already exists.", "code")


def create_warehouse(uow: UnitOfWork, *, code: str, name: str, kind: str) -> int:
    require(uow.actor, "masterdata.manage")
    code = v.code(code, "code", CODE_LEN).upper()
    name = v.required_text(name, "name", NAME_LEN)
    kind = v.choice(kind, "kind", WarehouseKind.values())
    with uow:
        _unique(uow.warehouses, code)
        wh = uow.warehouses.add(Warehouse(code=code, name=name, kind=kind))
        uow.session.flush()
        uow.record_event("warehouse", wh.id, "created", f"Created warehouse {code} ({name}, {kind})", {"kind": kind})
        uow.commit()
        return wh.id


def create_material(uow: UnitOfWork, *, code: str, name: str, kind: str, unit: str, reorder_level: Any = 0) -> int:
    require(uow.actor, "masterdata.manage")
    code = v.code(code, "code", CODE_LEN).upper()
    name = v.required_text(name, "name", NAME_LEN)
    kind = v.choice(kind, "kind", MaterialKind.values())
    unit = v.choice(unit, "unit", Unit.values())
    level = v.quantity(reorder_level, unit, "reorder_level") if reorder_level not in (0, "0", None, "") else None
    with uow:
        _unique(uow.materials, code)
        mat = uow.materials.add(Material(code=code, name=name, kind=kind, unit=unit, reorder_level=level or 0))
        uow.session.flush()
        uow.record_event(
            "material",
            mat.id,
            "created",
            f"Created material {code} ({name}, {unit})",
            {"kind": kind, "unit": unit, "reorder_level": str(level or 0)},
        )
        uow.commit()
        return mat.id


def create_supplier(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    contact: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> int:
    require(uow.actor, "masterdata.manage")
    code = v.code(code, "code", CODE_LEN).upper()
    fields = {
        "name": v.required_text(name, "name", NAME_LEN),
        "contact": v.text(contact, "contact", NAME_LEN, required=False),
        "email": v.email(email),
        "phone": v.text(phone, "phone", PHONE_LEN, required=False),
    }
    with uow:
        _unique(uow.suppliers, code)
        sup = uow.suppliers.add(Supplier(code=code, **fields))
        uow.session.flush()
        uow.record_event("supplier", sup.id, "created", f"Created supplier {code} ({fields['name']})", {})
        uow.commit()
        return sup.id


def create_line(uow: UnitOfWork, *, code: str, name: str, stage: str, rate_per_hour: Any, rate_unit: str) -> int:
    require(uow.actor, "masterdata.manage")
    code = v.code(code, "code", CODE_LEN).upper()
    name = v.required_text(name, "name", NAME_LEN)
    stage = v.choice(stage, "stage", LineStage.values())
    unit = v.choice(rate_unit, "rate_unit", Unit.values())
    rate = v.quantity(rate_per_hour, unit, "rate_per_hour")
    with uow:
        _unique(uow.lines, code)
        line = uow.lines.add(ProductionLine(code=code, name=name, stage=stage, rate_per_hour=rate, rate_unit=unit))
        uow.session.flush()
        uow.record_event(
            "line", line.id, "created", f"Created line {code} ({name}, {formatting.rate(rate, unit)})", {"stage": stage}
        )
        uow.commit()
        return line.id
