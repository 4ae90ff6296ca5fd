"""Warehouses, materials, suppliers and lines: the administrator's master data.

Each is created, edited on a current copy (its `version`), and archived or restored rather than
deleted: batches, movements and orders keep pointing at it, and history shows it. An archived
record is no longer chosen for new work. The `*_fields` functions check a record's values with
the same rules for a form, a service call and a CSV import.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from app import journal
from app import validation as v
from app.errors import ValidationError
from app.journal import Entry
from app.permissions import require
from data.models import Batch, Material, ProductionLine, ProductionOrder, StockBalance, Supplier, Warehouse
from data.uow import Repository, UnitOfWork
from domain.vocabulary import (
    ADDRESS_LEN,
    CODE_LEN,
    MAX_SHELF_LIFE_DAYS,
    NAME_LEN,
    PHONE_LEN,
    REASON_LEN,
    LineStage,
    MaterialKind,
    Unit,
    WarehouseKind,
)

ZERO = Decimal("0.000")


# ---------------------------------------------------------------- the rules for each record's values


def new_code(value: Any) -> str:
    """A new record's code, as people type it: codes are kept in capitals."""
    return v.code(value, "code", CODE_LEN).upper()


def flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationError(f"The {field.replace('_', ' ')} must be yes or no.", field)


def warehouse_fields(name: Any, kind: Any, adr: Any = False) -> dict[str, Any]:
    kind = v.choice(kind, "kind", WarehouseKind.values())
    # An ADR store holds dangerous goods by definition; any other store may be approved for them too.
    return {
        "name": v.required_text(name, "name", NAME_LEN),
        "kind": kind,
        "adr": flag(adr, "adr_flag") or kind == WarehouseKind.ADR,
    }


def reorder_level(value: Any, unit: str) -> Decimal:
    """A reorder level in the material's unit; none (or zero) means the material is never flagged."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    try:
        if Decimal(str(value).strip().replace(",", ".")) == 0:
            return ZERO
    except InvalidOperation:
        pass  # the quantity check below says what is wrong with it
    return v.quantity(value, unit, "reorder_level")


def shelf_life(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return v.integer(value, "shelf_life_days", 1, MAX_SHELF_LIFE_DAYS)


def material_fields(name: Any, kind: Any, unit: Any, level: Any = None, shelf_life_days: Any = None) -> dict[str, Any]:
    unit = v.choice(unit, "unit", Unit.values())
    return {
        "name": v.required_text(name, "name", NAME_LEN),
        "kind": v.choice(kind, "kind", MaterialKind.values()),
        "unit": unit,
        "reorder_level": reorder_level(level, unit),
        "shelf_life_days": shelf_life(shelf_life_days),
    }


def supplier_fields(
    name: Any, contact: Any = None, email: Any = None, phone: Any = None, address: Any = None, tax_id: Any = None
) -> dict[str, Any]:
    return {
        "name": v.required_text(name, "name", NAME_LEN),
        "contact": v.text(contact, "contact", NAME_LEN, required=False),
        "email": v.email(email),
        "phone": v.text(phone, "phone", PHONE_LEN, required=False),
        "address": v.text(address, "address", ADDRESS_LEN, required=False),
        "tax_id": v.text(tax_id, "tax_id", CODE_LEN, required=False),
    }


def line_fields(name: Any, stage: Any, rate_per_hour: Any, rate_unit: Any) -> dict[str, Any]:
    unit = v.choice(rate_unit, "rate_unit", Unit.values())
    return {
        "name": v.required_text(name, "name", NAME_LEN),
        "stage": v.choice(stage, "stage", LineStage.values()),
        "rate_per_hour": v.quantity(rate_per_hour, unit, "rate_per_hour"),
        "rate_unit": unit,
    }


# ---------------------------------------------------------------- what may change, given what the record has done


def warehouse_stock(uow: UnitOfWork, warehouse_id: int) -> int:
    """How many batches have stock in the warehouse."""
    count = select(func.count()).where(StockBalance.warehouse_id == warehouse_id, StockBalance.quantity > 0)
    return uow.session.scalar(count) or 0


def material_batches(uow: UnitOfWork, material_id: int) -> int:
    return uow.session.scalar(select(func.count()).where(Batch.material_id == material_id)) or 0


def queued_orders(uow: UnitOfWork, line_id: int, other_unit: str | None = None) -> int:
    """How many orders are planned or running on the line (only those in another unit, if given)."""
    stmt = select(func.count()).where(ProductionOrder.line_id == line_id, ProductionOrder.queue_rank.is_not(None))
    if other_unit is not None:
        stmt = stmt.where(ProductionOrder.unit != other_unit)
    return uow.session.scalar(stmt) or 0


def check_warehouse_archive(uow: UnitOfWork, wh: Warehouse) -> None:
    held = warehouse_stock(uow, wh.id)
    if held:
        raise ValidationError(
            f"Warehouse {wh.code} still holds stock of {held} batch{'es' if held != 1 else ''}; "
            "move it out before archiving the warehouse.",
            "code",
        )


def check_material_edit(uow: UnitOfWork, mat: Material, fields: dict[str, Any]) -> None:
    if fields["unit"] != mat.unit and material_batches(uow, mat.id):
        raise ValidationError(
            f"Material {mat.code} has batches counted in {mat.unit}; its unit stays {mat.unit}.", "unit"
        )


def check_line_edit(uow: UnitOfWork, line: ProductionLine, fields: dict[str, Any]) -> None:
    if fields["rate_unit"] != line.rate_unit and queued_orders(uow, line.id, fields["rate_unit"]):
        raise ValidationError(
            f"Line {line.code} has orders planned in {line.rate_unit}; plan them elsewhere before rating it "
            f"in {fields['rate_unit']}.",
            "rate_unit",
        )


def check_line_archive(uow: UnitOfWork, line: ProductionLine) -> None:
    queued = queued_orders(uow, line.id)
    if queued:
        raise ValidationError(
            f"Line {line.code} has {queued} order{'s' if queued != 1 else ''} planned or running; "
            "move them to another line before archiving it.",
            "code",
        )


# ---------------------------------------------------------------- the services


def _unique(repo: Repository[Any], code: str) -> None:
    if repo.find(code) is not None:
        raise ValidationError(f"A {repo.noun} with the code {code} already exists.", "code")


def _create(
    uow: UnitOfWork, repo: Callable[[UnitOfWork], Repository[Any]], entity: str, record: Any, entry: Entry
) -> int:
    with uow:
        _unique(repo(uow), record.code)
        repo(uow).add(record)
        uow.session.flush()
        uow.record_event(entity, record.id, entry.action, entry.summary, entry.details)
        uow.commit()
        return int(record.id)


def _edit(
    uow: UnitOfWork,
    repo: Callable[[UnitOfWork], Repository[Any]],
    entity: str,
    code: Any,
    fields: dict[str, Any],
    expected_version: int | None,
    check: Callable[[UnitOfWork, Any, dict[str, Any]], None] | None = None,
) -> None:
    code = v.code(code, "code", CODE_LEN)
    with uow:
        record = repo(uow).by_key(code, for_update=True)
        label = f"{repo(uow).noun.capitalize()} {record.code}"
        uow.check_version(entity, record, expected_version, label)
        changed = {k: val for k, val in fields.items() if getattr(record, k) != val}
        if not changed:
            raise ValidationError(f"Nothing to save: {repo(uow).noun} {record.code} is unchanged.", "code")
        if check is not None:
            check(uow, record, fields)
        for key, value in changed.items():
            setattr(record, key, value)
        entry = journal.edited(entity, record.code, changed)
        uow.record_event(entity, record.id, entry.action, entry.summary, entry.details)
        uow.commit()


def _set_archived(
    uow: UnitOfWork,
    repo: Callable[[UnitOfWork], Repository[Any]],
    entity: str,
    code: Any,
    archive: bool,
    reason: Any,
    expected_version: int | None,
    check: Callable[[UnitOfWork, Any], None] | None = None,
) -> None:
    code = v.code(code, "code", CODE_LEN)
    why = v.text(reason, "reason", REASON_LEN, required=False)
    with uow:
        record = repo(uow).by_key(code, for_update=True)
        noun = repo(uow).noun
        uow.check_version(entity, record, expected_version, f"{noun.capitalize()} {record.code}")
        if record.archived == archive:
            raise ValidationError(
                f"{noun.capitalize()} {record.code} is already {'archived' if archive else 'in use'}.", "code"
            )
        if archive and check is not None:
            check(uow, record)
        record.archived = archive
        entry = journal.archived(entity, record.code, record.name, archive, why)
        uow.record_event(entity, record.id, entry.action, entry.summary, entry.details)
        uow.commit()


def _warehouses(uow: UnitOfWork) -> Repository[Warehouse]:
    return uow.warehouses


def _materials(uow: UnitOfWork) -> Repository[Material]:
    return uow.materials


def _suppliers(uow: UnitOfWork) -> Repository[Supplier]:
    return uow.suppliers


def _lines(uow: UnitOfWork) -> Repository[ProductionLine]:
    return uow.lines


# warehouses


def create_warehouse(uow: UnitOfWork, *, code: str, name: str, kind: str, adr: bool = False) -> int:
    require(uow.actor, "masterdata.manage")
    code = new_code(code)
    f = warehouse_fields(name, kind, adr)
    entry = journal.warehouse_created(code, f["name"], f["kind"], f["adr"])
    return _create(uow, _warehouses, journal.WAREHOUSE, Warehouse(code=code, archived=False, **f), entry)


def edit_warehouse(
    uow: UnitOfWork, *, code: str, name: str, kind: str, adr: bool = False, expected_version: int | None = None
) -> None:
    require(uow.actor, "masterdata.manage")
    _edit(uow, _warehouses, journal.WAREHOUSE, code, warehouse_fields(name, kind, adr), expected_version)


def set_warehouse_archived(
    uow: UnitOfWork, *, code: str, archived: bool, reason: str | None = None, expected_version: int | None = None
) -> None:
    """Archive an empty warehouse (its history stays), or bring it back into use."""
    require(uow.actor, "masterdata.manage")
    _set_archived(
        uow, _warehouses, journal.WAREHOUSE, code, archived, reason, expected_version, check_warehouse_archive
    )


# materials


def create_material(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    kind: str,
    unit: str,
    reorder_level: Any = 0,
    shelf_life_days: Any = None,
) -> int:
    require(uow.actor, "masterdata.manage")
    code = new_code(code)
    f = material_fields(name, kind, unit, reorder_level, shelf_life_days)
    entry = journal.material_created(code, f["name"], f["kind"], f["unit"], f["reorder_level"], f["shelf_life_days"])
    return _create(uow, _materials, journal.MATERIAL, Material(code=code, archived=False, **f), entry)


def edit_material(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    kind: str,
    unit: str,
    reorder_level: Any = 0,
    shelf_life_days: Any = None,
    expected_version: int | None = None,
) -> None:
    require(uow.actor, "masterdata.manage")
    f = material_fields(name, kind, unit, reorder_level, shelf_life_days)
    _edit(uow, _materials, journal.MATERIAL, code, f, expected_version, check_material_edit)


def set_material_archived(
    uow: UnitOfWork, *, code: str, archived: bool, reason: str | None = None, expected_version: int | None = None
) -> None:
    """Archive a material no longer bought or made (its batches stay usable), or bring it back."""
    require(uow.actor, "masterdata.manage")
    _set_archived(uow, _materials, journal.MATERIAL, code, archived, reason, expected_version)


# suppliers


def create_supplier(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    contact: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    tax_id: str | None = None,
) -> int:
    require(uow.actor, "masterdata.manage")
    code = new_code(code)
    f = supplier_fields(name, contact, email, phone, address, tax_id)
    entry = journal.supplier_created(code, f["name"])
    return _create(uow, _suppliers, journal.SUPPLIER, Supplier(code=code, archived=False, **f), entry)


def edit_supplier(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    contact: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    tax_id: str | None = None,
    expected_version: int | None = None,
) -> None:
    require(uow.actor, "masterdata.manage")
    f = supplier_fields(name, contact, email, phone, address, tax_id)
    _edit(uow, _suppliers, journal.SUPPLIER, code, f, expected_version)


def set_supplier_archived(
    uow: UnitOfWork, *, code: str, archived: bool, reason: str | None = None, expected_version: int | None = None
) -> None:
    require(uow.actor, "masterdata.manage")
    _set_archived(uow, _suppliers, journal.SUPPLIER, code, archived, reason, expected_version)


# production lines


def create_line(uow: UnitOfWork, *, code: str, name: str, stage: str, rate_per_hour: Any, rate_unit: str) -> int:
    require(uow.actor, "masterdata.manage")
    code = new_code(code)
    f = line_fields(name, stage, rate_per_hour, rate_unit)
    entry = journal.line_created(code, f["name"], f["stage"], f["rate_per_hour"], f["rate_unit"])
    return _create(uow, _lines, journal.LINE, ProductionLine(code=code, archived=False, **f), entry)


def edit_line(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    stage: str,
    rate_per_hour: Any,
    rate_unit: str,
    expected_version: int | None = None,
) -> None:
    require(uow.actor, "masterdata.manage")
    f = line_fields(name, stage, rate_per_hour, rate_unit)
    _edit(uow, _lines, journal.LINE, code, f, expected_version, check_line_edit)


def set_line_archived(
    uow: UnitOfWork, *, code: str, archived: bool, reason: str | None = None, expected_version: int | None = None
) -> None:
    """Archive a line taken out of service (its orders' history stays), or bring it back."""
    require(uow.actor, "masterdata.manage")
    _set_archived(uow, _lines, journal.LINE, code, archived, reason, expected_version, check_line_archive)
