"""What the forms' pickers and the screens' filters offer: the plant's codes, read fresh from the database.

The client reads these again whenever the change listener reports a write to one of
LOOKUP_TABLES, so a material or customer created on another workstation is offered
without signing in again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.permissions import require
from data.models import Batch, Customer, Material, ProductionLine, Supplier, Warehouse
from data.uow import UnitOfWork

# The tables whose writes change what `lookups` returns.
LOOKUP_TABLES = frozenset({"warehouses", "materials", "suppliers", "production_lines", "customers"})


@dataclass(frozen=True)
class Lookups:
    """Codes for the pickers with the names people know them by, each material's unit and shelf life,
    and each warehouse's kind."""

    warehouses: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    customers: tuple[str, ...] = ()
    units: dict[str, str] = field(default_factory=dict)  # material code -> unit
    warehouse_kinds: dict[str, str] = field(default_factory=dict)  # warehouse code -> kind
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # "materials" -> code -> name, in code order
    shelf_life: dict[str, int] = field(default_factory=dict)  # material code -> days, where the plant set one

    def warehouses_of(self, *kinds: str) -> tuple[str, ...]:
        """The warehouses of these kinds, the first kind's first; in code order within a kind."""
        return tuple(code for kind in kinds for code in self.warehouses if self.warehouse_kinds.get(code) == kind)

    def codes(self, table: str) -> tuple[str, ...]:
        """The codes a picker of `table` offers ("warehouses", "materials", "suppliers", "lines", "customers")."""
        return tuple(getattr(self, table))

    def name(self, table: str, code: str) -> str:
        return self.names.get(table, {}).get(code, "")


PICKED_TABLES = ("warehouses", "materials", "suppliers", "lines", "customers")


def _shelf_life_column() -> Any:
    # The materials' shelf life comes with the master-data screens' schema; until a database has the
    # column, receipts simply propose no expiry.
    return getattr(Material, "shelf_life_days", None)


def lookups(uow: UnitOfWork) -> Lookups:
    require(uow.actor, "read")
    with uow:
        s = uow.session
        shelf_life = _shelf_life_column()
        extra = [shelf_life.label("shelf_life")] if shelf_life is not None else []
        materials = s.execute(
            select(
                Material.code.label("code"), Material.name.label("name"), Material.unit.label("unit"), *extra
            ).order_by(Material.code)
        ).all()
        stores = s.execute(
            select(Warehouse.code.label("code"), Warehouse.name.label("name"), Warehouse.kind.label("kind")).order_by(
                Warehouse.code
            )
        ).all()
        suppliers = s.execute(select(Supplier.code, Supplier.name).order_by(Supplier.code)).all()
        lines = s.execute(select(ProductionLine.code, ProductionLine.name).order_by(ProductionLine.code)).all()
        customers = s.execute(
            select(Customer.code, Customer.name).where(Customer.archived.is_(False)).order_by(Customer.code)
        ).all()
        names = {
            "materials": {r.code: r.name for r in materials},
            "warehouses": {r.code: r.name for r in stores},
            "suppliers": {r.code: r.name for r in suppliers},
            "lines": {r.code: r.name for r in lines},
            "customers": {r.code: r.name for r in customers},
        }
        return Lookups(
            warehouses=tuple(names["warehouses"]),
            materials=tuple(names["materials"]),
            suppliers=tuple(names["suppliers"]),
            lines=tuple(names["lines"]),
            customers=tuple(names["customers"]),
            units={r.code: r.unit for r in materials},
            warehouse_kinds={r.code: r.kind for r in stores},
            names=names,
            shelf_life={r.code: int(r.shelf_life) for r in materials if extra and r.shelf_life},
        )


def batch_unit(uow: UnitOfWork, number: str) -> str | None:
    """The unit a batch is counted in (its material's), or None when there is no such batch."""
    require(uow.actor, "read")
    with uow:
        return uow.session.scalar(
            select(Material.unit).join(Batch, Batch.material_id == Material.id).where(Batch.number == number.strip())
        )
