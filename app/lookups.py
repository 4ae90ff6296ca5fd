"""What the forms' pickers and the screens' filters offer: the plant's codes, read fresh from the database.

The client reads these again whenever the change listener reports a write to one of
LOOKUP_TABLES, so a material or customer created on another workstation is offered
without signing in again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.permissions import require
from data.models import Batch, Customer, Material, ProductionLine, StopReason, Supplier, Warehouse
from data.uow import UnitOfWork

# The tables whose writes change what `lookups` returns.
LOOKUP_TABLES = frozenset({"warehouses", "materials", "suppliers", "production_lines", "customers", "stop_reasons"})


@dataclass(frozen=True)
class Lookups:
    """Codes for the pickers, each material's unit and each warehouse's kind."""

    warehouses: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    customers: tuple[str, ...] = ()
    units: dict[str, str] = field(default_factory=dict)  # material code -> unit
    warehouse_kinds: dict[str, str] = field(default_factory=dict)  # warehouse code -> kind
    stop_reasons: tuple[tuple[str, str], ...] = ()  # (code, name) of the reasons in use, by name

    def warehouses_of(self, *kinds: str) -> tuple[str, ...]:
        """The warehouses of these kinds, the first kind's first; in code order within a kind."""
        return tuple(code for kind in kinds for code in self.warehouses if self.warehouse_kinds.get(code) == kind)


def lookups(uow: UnitOfWork) -> Lookups:
    require(uow.actor, "read")
    with uow:
        s = uow.session
        materials = s.execute(select(Material.code.label("code"), Material.unit.label("unit")).order_by(Material.code))
        units = {row.code: row.unit for row in materials}
        stores = s.execute(select(Warehouse.code.label("code"), Warehouse.kind.label("kind")).order_by(Warehouse.code))
        kinds = {row.code: row.kind for row in stores}
        return Lookups(
            warehouses=tuple(kinds),
            materials=tuple(units),
            suppliers=tuple(s.scalars(select(Supplier.code).order_by(Supplier.code))),
            lines=tuple(s.scalars(select(ProductionLine.code).order_by(ProductionLine.code))),
            customers=tuple(
                s.scalars(select(Customer.code).where(Customer.archived.is_(False)).order_by(Customer.code))
            ),
            units=units,
            warehouse_kinds=kinds,
            stop_reasons=tuple(
                (row.code, row.name)
                for row in s.execute(
                    select(StopReason.code.label("code"), StopReason.name.label("name"))
                    .where(StopReason.archived.is_(False))
                    .order_by(StopReason.name)
                )
            ),
        )


def batch_unit(uow: UnitOfWork, number: str) -> str | None:
    """The unit a batch is counted in (its material's), or None when there is no such batch."""
    require(uow.actor, "read")
    with uow:
        return uow.session.scalar(
            select(Material.unit).join(Batch, Batch.material_id == Material.id).where(Batch.number == number.strip())
        )
