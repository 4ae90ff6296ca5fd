"""What the forms' pickers and the screens' filters offer: the plant's codes in use, and its settings,
read fresh from the database.

The client reads these again whenever the change listener reports a write to one of
LOOKUP_TABLES, so a material or customer created on another workstation is offered
without signing in again, and one archived there is no longer offered for new work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.permissions import require
from app.settings import PlantSettings
from app.settings import read as read_settings
from data.models import Batch, Customer, Material, Product, ProductionLine, StopReason, Supplier, Warehouse
from data.uow import UnitOfWork

# The tables whose writes change what `lookups` returns.
LOOKUP_TABLES = frozenset(
    {
        "warehouses",
        "materials",
        "suppliers",
        "production_lines",
        "customers",
        "products",
        "settings",
        "stop_reasons",
    }
)


@dataclass(frozen=True)
class Lookups:
    """Codes for the pickers (archived ones are not offered), each material's unit and shelf life, each
    warehouse's kind, and the plant's settings."""

    warehouses: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    customers: tuple[str, ...] = ()
    units: dict[str, str] = field(default_factory=dict)  # material code -> unit
    warehouse_kinds: dict[str, str] = field(default_factory=dict)  # warehouse code -> kind
    shelf_lives: dict[str, int] = field(default_factory=dict)  # material code -> days, where it has one
    settings: PlantSettings = field(default_factory=PlantSettings)
    products: tuple[str, ...] = ()  # in the catalogue, not archived
    product_units: dict[str, str] = field(default_factory=dict)  # product code -> unit it is ordered in
    product_stages: dict[str, str] = field(default_factory=dict)  # product code -> stage it is made on
    line_stages: dict[str, str] = field(default_factory=dict)  # line code -> stage
    stop_reasons: tuple[tuple[str, str], ...] = ()  # (code, name) of the reasons in use, by name

    def lines_for(self, product: str) -> tuple[str, ...]:
        """The lines an order for `product` may run on: those of its stage."""
        stage = self.product_stages.get(product.strip())
        return tuple(code for code in self.lines if self.line_stages.get(code) == stage)

    def warehouses_of(self, *kinds: str) -> tuple[str, ...]:
        """The warehouses of these kinds, the first kind's first; in code order within a kind."""
        return tuple(code for kind in kinds for code in self.warehouses if self.warehouse_kinds.get(code) == kind)


def lookups(uow: UnitOfWork) -> Lookups:
    require(uow.actor, "read")
    with uow:
        s = uow.session
        materials = s.execute(
            select(Material.code.label("code"), Material.unit.label("unit"), Material.shelf_life_days.label("days"))
            .where(Material.archived.is_(False))
            .order_by(Material.code)
        ).all()
        stores = s.execute(
            select(Warehouse.code.label("code"), Warehouse.kind.label("kind"))
            .where(Warehouse.archived.is_(False))
            .order_by(Warehouse.code)
        )
        kinds = {row.code: row.kind for row in stores}

        def in_use(model: Any) -> tuple[str, ...]:
            return tuple(s.scalars(select(model.code).where(model.archived.is_(False)).order_by(model.code)))

        line_stages = {
            row.code: row.stage
            for row in s.execute(
                select(ProductionLine.code.label("code"), ProductionLine.stage.label("stage"))
                .where(ProductionLine.archived.is_(False))
                .order_by(ProductionLine.code)
            )
        }
        products = s.execute(
            select(Product.code.label("code"), Product.unit.label("unit"), Product.stage.label("stage"))
            .where(Product.archived.is_(False))
            .order_by(Product.code)
        ).all()
        return Lookups(
            warehouses=tuple(kinds),
            materials=tuple(row.code for row in materials),
            suppliers=in_use(Supplier),
            lines=tuple(line_stages),
            customers=in_use(Customer),
            units={row.code: row.unit for row in materials},
            warehouse_kinds=kinds,
            shelf_lives={row.code: row.days for row in materials if row.days is not None},
            settings=read_settings(uow),
            stop_reasons=tuple(
                (row.code, row.name)
                for row in s.execute(
                    select(StopReason.code.label("code"), StopReason.name.label("name"))
                    .where(StopReason.archived.is_(False))
                    .order_by(StopReason.name)
                )
            ),
            products=tuple(row.code for row in products),
            product_units={row.code: row.unit for row in products},
            product_stages={row.code: row.stage for row in products},
            line_stages=line_stages,
        )


def shelf_life(uow: UnitOfWork, material: str) -> int | None:
    """The material's shelf life in days (None: it keeps, or there is no such material)."""
    require(uow.actor, "read")
    with uow:
        return uow.session.scalar(select(Material.shelf_life_days).where(Material.code == material.strip()))


def batch_unit(uow: UnitOfWork, number: str) -> str | None:
    """The unit a batch is counted in (its material's), or None when there is no such batch."""
    require(uow.actor, "read")
    with uow:
        return uow.session.scalar(
            select(Material.unit).join(Batch, Batch.material_id == Material.id).where(Batch.number == number.strip())
        )
