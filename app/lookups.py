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
    """Codes for the pickers (archived ones are not offered) with the names people know them by, each
    material's unit and shelf life, each warehouse's kind, and the plant's settings."""

    warehouses: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    customers: tuple[str, ...] = ()
    units: dict[str, str] = field(default_factory=dict)  # material code -> unit
    warehouse_kinds: dict[str, str] = field(default_factory=dict)  # warehouse code -> kind
    shelf_lives: dict[str, int] = field(default_factory=dict)  # material code -> days, where it has one
    settings: PlantSettings = field(default_factory=PlantSettings)
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # "materials" -> code -> name, in code order
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

    def codes(self, table: str) -> tuple[str, ...]:
        """The codes a picker of `table` offers ("warehouses", "materials", "suppliers", "lines", "customers")."""
        return tuple(getattr(self, table))

    def name(self, table: str, code: str) -> str:
        return self.names.get(table, {}).get(code, "")


def lookups(uow: UnitOfWork) -> Lookups:
    require(uow.actor, "read")
    with uow:
        s = uow.session
        materials = s.execute(
            select(
                Material.code.label("code"),
                Material.name.label("name"),
                Material.unit.label("unit"),
                Material.shelf_life_days.label("days"),
            )
            .where(Material.archived.is_(False))
            .order_by(Material.code)
        ).all()
        stores = s.execute(
            select(Warehouse.code.label("code"), Warehouse.name.label("name"), Warehouse.kind.label("kind"))
            .where(Warehouse.archived.is_(False))
            .order_by(Warehouse.code)
        ).all()

        def in_use(model: Any) -> dict[str, str]:
            rows = s.execute(select(model.code, model.name).where(model.archived.is_(False)).order_by(model.code))
            return {code: name for code, name in rows}

        line_stages = {
            row.code: row.stage
            for row in s.execute(
                select(ProductionLine.code.label("code"), ProductionLine.stage.label("stage"))
                .where(ProductionLine.archived.is_(False))
                .order_by(ProductionLine.code)
            )
        }
        products = s.execute(
            select(
                Product.code.label("code"),
                Product.name.label("name"),
                Product.unit.label("unit"),
                Product.stage.label("stage"),
            )
            .where(Product.archived.is_(False))
            .order_by(Product.code)
        ).all()
        names = {
            "materials": {r.code: r.name for r in materials},
            "warehouses": {r.code: r.name for r in stores},
            "suppliers": in_use(Supplier),
            "lines": in_use(ProductionLine),
            "customers": in_use(Customer),
            "products": {r.code: r.name for r in products},
        }
        return Lookups(
            warehouses=tuple(names["warehouses"]),
            materials=tuple(names["materials"]),
            suppliers=tuple(names["suppliers"]),
            lines=tuple(line_stages),
            customers=tuple(names["customers"]),
            units={r.code: r.unit for r in materials},
            warehouse_kinds={r.code: r.kind for r in stores},
            shelf_lives={r.code: r.days for r in materials if r.days is not None},
            settings=read_settings(uow),
            names=names,
            products=tuple(names["products"]),
            product_units={r.code: r.unit for r in products},
            product_stages={r.code: r.stage for r in products},
            stop_reasons=tuple(
                (row.code, row.name)
                for row in s.execute(
                    select(StopReason.code.label("code"), StopReason.name.label("name"))
                    .where(StopReason.archived.is_(False))
                    .order_by(StopReason.name)
                )
            ),
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
