"""The forms for warehouses, materials, suppliers and lines. Each checks what is typed with the
rules the service applies (app/services/masterdata.py) and edits the copy it was opened on: if
someone else saved the record meanwhile, the service refuses and the form keeps what was typed."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QSpinBox, QWidget

from app import services as s
from app.context import Context
from app.dto import LineRow, MaterialRow, SupplierRow, WarehouseRow
from app.errors import ValidationError
from app.services import masterdata as md
from domain.vocabulary import MAX_SHELF_LIFE_DAYS, LineStage, MaterialKind, Unit, WarehouseKind
from ui.forms import line
from ui.ops import Ops
from ui.widgets import FormDialog
from ui.words import choose, term_box

CONTEXT = "MasterForms"


def _t(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def _plain(value: Decimal) -> str:
    """A quantity as typed into a field: "1250.5"; nothing for zero."""
    return f"{value.normalize():f}" if value else ""


class _MasterForm(FormDialog):
    """A record's form: a new one, or an existing one (its code then stays as it is)."""

    def __init__(self, title: str, ctx: Context, ops: Ops, existing: Any, parent: QWidget | None) -> None:
        super().__init__(title, ops, parent)
        self.ctx, self.existing = ctx, existing
        self.ok.setText(_t("Create") if existing is None else _t("Save"))
        self.code = self.add("code", _t("Code"), line(existing.code if existing else "", self.code_hint()))
        self.code.setReadOnly(existing is not None)
        self.name = self.add("name", _t("Name"), line(existing.name if existing else ""))

    def code_hint(self) -> str:
        return ""

    def problem(self, check: Callable[[], object]) -> str | None:
        try:
            if self.existing is None:
                md.new_code(self.code.text())
            check()
        except ValidationError as exc:
            return str(exc)
        return None

    def version(self) -> int | None:
        return self.existing.version if self.existing is not None else None


class WarehouseDialog(_MasterForm):
    def __init__(
        self, ctx: Context, ops: Ops, existing: WarehouseRow | None = None, parent: QWidget | None = None
    ) -> None:
        title = _t("Edit warehouse {0}").format(existing.code) if existing else _t("New warehouse")
        super().__init__(title, ctx, ops, existing, parent)
        self.kind = self.add("kind", _t("Kind"), term_box(WarehouseKind, parent=self))
        self.adr = self.add(
            "adr_flag", _t("Dangerous goods"), QCheckBox(_t("ADR store: may hold dangerous goods"), self)
        )
        if existing is not None:
            choose(self.kind, existing.kind)
            self.adr.setChecked(existing.adr)
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self._kind_chosen()
        self.revalidate()

    def code_hint(self) -> str:
        return _t("e.g. MAG-10")

    def _kind_chosen(self) -> None:
        # An ADR store holds dangerous goods by definition; any other kind of store may be approved for them.
        adr_store = self.kind.currentData() == WarehouseKind.ADR
        if adr_store:
            self.adr.setChecked(True)
        self.adr.setEnabled(not adr_store)

    def check(self) -> str | None:
        return self.problem(
            lambda: md.warehouse_fields(self.name.text(), self.kind.currentData(), self.adr.isChecked())
        )

    def action(self) -> Callable[[], Any]:
        values = dict(
            code=self.code.text(), name=self.name.text(), kind=self.kind.currentData(), adr=self.adr.isChecked()
        )
        if self.existing is None:
            return lambda: s.create_warehouse(self.ctx.uow(), **values)
        version = self.version()
        return lambda: s.edit_warehouse(self.ctx.uow(), expected_version=version, **values)


class MaterialDialog(_MasterForm):
    def __init__(
        self, ctx: Context, ops: Ops, existing: MaterialRow | None = None, parent: QWidget | None = None
    ) -> None:
        title = _t("Edit material {0}").format(existing.code) if existing else _t("New material")
        super().__init__(title, ctx, ops, existing, parent)
        self.kind = self.add("kind", _t("Kind"), term_box(MaterialKind, parent=self))
        self.unit = self.add("unit", _t("Counted in"), term_box(Unit, parent=self))
        self.reorder = self.add("reorder_level", _t("Reorder level"), line(placeholder=_t("none")))
        self.shelf_life = self.add("shelf_life_days", _t("Shelf life"), QSpinBox(self))
        self.shelf_life.setRange(0, MAX_SHELF_LIFE_DAYS)
        self.shelf_life.setSpecialValueText(_t("keeps (no expiry proposed)"))
        self.shelf_life.setSuffix(_t(" days"))
        if existing is not None:
            choose(self.kind, existing.kind)
            choose(self.unit, existing.unit)
            self.reorder.setText(_plain(existing.reorder_level))
            self.shelf_life.setValue(existing.shelf_life_days or 0)
        self.unit.currentIndexChanged.connect(self._unit_chosen)
        self._unit_chosen()
        self.revalidate()

    def code_hint(self) -> str:
        return _t("e.g. GR-LDPE-FT5230")

    def _unit_chosen(self) -> None:
        label = self.form.labelForField(self.reorder)
        if isinstance(label, QLabel):
            label.setText(_t("Reorder level ({0})").format(self.unit.currentText()))

    def _values(self) -> dict[str, Any]:
        return {
            "name": self.name.text(),
            "kind": self.kind.currentData(),
            "unit": self.unit.currentData(),
            "reorder_level": self.reorder.text(),
            "shelf_life_days": self.shelf_life.value() or None,
        }

    def check(self) -> str | None:
        values = self._values()
        return self.problem(
            lambda: md.material_fields(
                values["name"], values["kind"], values["unit"], values["reorder_level"], values["shelf_life_days"]
            )
        )

    def action(self) -> Callable[[], Any]:
        values = {"code": self.code.text(), **self._values()}
        if self.existing is None:
            return lambda: s.create_material(self.ctx.uow(), **values)
        version = self.version()
        return lambda: s.edit_material(self.ctx.uow(), expected_version=version, **values)


class SupplierDialog(_MasterForm):
    FIELDS = ("contact", "email", "phone", "address", "tax_id")

    def __init__(
        self, ctx: Context, ops: Ops, existing: SupplierRow | None = None, parent: QWidget | None = None
    ) -> None:
        title = _t("Edit supplier {0}").format(existing.code) if existing else _t("New supplier")
        super().__init__(title, ctx, ops, existing, parent)
        labels = {
            "contact": _t("Contact person"),
            "email": _t("E-mail"),
            "phone": _t("Phone"),
            "address": _t("Address"),
            "tax_id": _t("Tax id"),
        }
        self.edits: dict[str, QLineEdit] = {}
        for name in self.FIELDS:
            value = getattr(existing, name) if existing is not None else None
            self.edits[name] = self.add(name, labels[name], line(value or ""))
        self.revalidate()

    def code_hint(self) -> str:
        return _t("e.g. BASELL")

    def _values(self) -> dict[str, Any]:
        return {"name": self.name.text(), **{name: edit.text() for name, edit in self.edits.items()}}

    def check(self) -> str | None:
        values = self._values()
        return self.problem(lambda: md.supplier_fields(**values))

    def action(self) -> Callable[[], Any]:
        values = {"code": self.code.text(), **self._values()}
        if self.existing is None:
            return lambda: s.create_supplier(self.ctx.uow(), **values)
        version = self.version()
        return lambda: s.edit_supplier(self.ctx.uow(), expected_version=version, **values)


class LineDialog(_MasterForm):
    def __init__(self, ctx: Context, ops: Ops, existing: LineRow | None = None, parent: QWidget | None = None) -> None:
        title = _t("Edit line {0}").format(existing.code) if existing else _t("New production line")
        super().__init__(title, ctx, ops, existing, parent)
        self.stage = self.add("stage", _t("Stage"), term_box(LineStage, parent=self))
        self.rate = self.add("rate_per_hour", _t("Nominal rate per hour"), line(placeholder=_t("e.g. 450")))
        self.rate_unit: QComboBox = self.add("rate_unit", _t("Rate counted in"), term_box(Unit, parent=self))
        if existing is not None:
            choose(self.stage, existing.stage)
            choose(self.rate_unit, existing.rate_unit)
            self.rate.setText(_plain(existing.rate_per_hour))
        self.revalidate()

    def code_hint(self) -> str:
        return _t("e.g. EXTRUDER-3")

    def _values(self) -> dict[str, Any]:
        return {
            "name": self.name.text(),
            "stage": self.stage.currentData(),
            "rate_per_hour": self.rate.text(),
            "rate_unit": self.rate_unit.currentData(),
        }

    def check(self) -> str | None:
        values = self._values()
        if not values["rate_per_hour"].strip():
            return _t("Enter the line's nominal rate per hour.")
        return self.problem(lambda: md.line_fields(**values))

    def action(self) -> Callable[[], Any]:
        values = {"code": self.code.text(), **self._values()}
        if self.existing is None:
            return lambda: s.create_line(self.ctx.uow(), **values)
        version = self.version()
        return lambda: s.edit_line(self.ctx.uow(), expected_version=version, **values)
