"""The product catalogue in the client: products and their recipes, kept by planners, read by everyone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import catalogue
from app import services as s
from app import validation as v
from app.context import Context
from app.dto import ProductRow, RecipeLineRow
from app.errors import ValidationError
from app.services.products import ratio, scrap
from domain.vocabulary import CODE_LEN, NAME_LEN, RECIPE_STEPS, LineStage, Unit
from ui.lookups import CodePicker, LiveLookups
from ui.ops import Ops, message_for
from ui.screen import Host
from ui.widgets import FormDialog
from ui.words import choose, term_box, term_of


class ProductDialog(FormDialog):
    """A product: what it is called, the stage it is made on, its unit, and the material its batches are."""

    def __init__(
        self,
        ctx: Context,
        ops: Ops,
        lookups: LiveLookups,
        existing: ProductRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = self.tr("Edit product {0}").format(existing.code) if existing else self.tr("New product")
        super().__init__(title, ops, parent)
        self.setObjectName("productForm")
        self.ctx, self.existing, self.lookups = ctx, existing, lookups
        e = existing
        self.code = self.add("code", self.tr("Code"), QLineEdit(e.code if e else "", self))
        self.code.setPlaceholderText(self.tr("e.g. PRN-DAIRY-LID"))
        self.code.setReadOnly(e is not None)
        self.name = self.add("name", self.tr("Name"), QLineEdit(e.name if e else "", self))
        self.spec = self.add("spec", self.tr("Specification"), QLineEdit(e.spec or "" if e else "", self))
        self.stage = self.add("stage", self.tr("Made on"), term_box(LineStage, parent=self))
        self.unit = self.add("unit", self.tr("Ordered in"), term_box(Unit, parent=self))
        if e:
            choose(self.stage, e.stage)
            choose(self.unit, e.unit)
        output = CodePicker(lookups, lambda found: found.materials, e.output_material_code if e else None, self)
        self.output = self.add("output_material", self.tr("Its batches are"), output)
        self.revalidate()

    def check(self) -> str | None:
        try:
            v.code(self.code.text(), "code", CODE_LEN)
            v.required_text(self.name.text(), "name", NAME_LEN)
        except ValidationError as exc:
            return str(exc)
        material = self.output.currentText().strip()
        if material and material not in self.lookups.current.units:
            return self.tr("There is no material “{0}”.").format(material)
        if material and self.lookups.current.units[material] != self.unit.currentData():
            return self.tr("{0} is counted in {1}; the product's batches must be counted as it is ordered.").format(
                material, self.lookups.current.units[material]
            )
        return None

    def action(self) -> Callable[[], Any]:
        values = {
            "code": self.code.text(),
            "name": self.name.text(),
            "spec": self.spec.text(),
            "stage": self.stage.currentData(),
            "unit": self.unit.currentData(),
            "output_material": self.output.currentText().strip() or None,
        }
        if self.existing is None:
            return lambda: s.create_product(self.ctx.uow(), **values)
        version = self.existing.version
        return lambda: s.edit_product(self.ctx.uow(), expected_version=version, **values)


class RecipeDialog(FormDialog):
    """A product's recipe, step by step: each step's stage, and per material how much per unit of the product,
    with the scrap allowed on top. Saving writes the next revision; the old ones stay."""

    COLUMNS = ("step", "stage", "material", "quantity", "scrap_percent")

    def __init__(
        self,
        ctx: Context,
        ops: Ops,
        lookups: LiveLookups,
        product: ProductRow,
        lines: tuple[RecipeLineRow, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Recipe of {0} — {1}").format(product.code, product.name), ops, parent)
        self.setObjectName("recipeForm")
        self.setMinimumWidth(820)
        self.ctx, self.lookups, self.product = ctx, lookups, product
        intro = QLabel(
            self.tr(
                "Per {0} of {1}. The last step runs on {2}, where the product's own orders run; "
                "earlier steps make what it is made of."
            ).format(term_of(Unit, product.unit), product.code, term_of(LineStage, product.stage)),
            self,
        )
        intro.setWordWrap(True)
        self.form.addRow(intro)
        headers = [self.tr("Step"), self.tr("Stage"), self.tr("Material"), self.tr("Per unit"), self.tr("Scrap %")]
        self.table = QTableWidget(0, len(headers), self)
        self.table.setObjectName("recipeLines")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(260)
        self.fields["lines"] = self.table
        self.form.addRow(self.table)
        add = QPushButton(self.tr("&Add line"), self)
        add.clicked.connect(lambda: self.add_line())
        remove = QPushButton(self.tr("&Remove line"), self)
        remove.clicked.connect(self.remove_line)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        self.form.addRow(row)
        for line in lines:
            self.add_line(line)
        if not lines:
            self.add_line()
        self.ok.setText(self.tr("Save as a new revision"))
        self.revalidate()

    def add_line(self, line: RecipeLineRow | None = None) -> int:
        last = self._last_step()
        r = self.table.rowCount()
        self.table.insertRow(r)
        step = QSpinBox(self.table)
        step.setRange(RECIPE_STEPS.start, RECIPE_STEPS.stop - 1)
        stage = term_box(LineStage, parent=self.table)
        material = CodePicker(self.lookups, lambda found: found.materials, line.material_code if line else None, self)
        quantity, waste = QLineEdit(self.table), QLineEdit(self.table)
        quantity.setAlignment(Qt.AlignmentFlag.AlignRight)
        waste.setAlignment(Qt.AlignmentFlag.AlignRight)
        if line is not None:
            step.setValue(line.step)
            choose(stage, line.stage)
            quantity.setText(f"{line.quantity.normalize():f}")
            waste.setText(f"{line.scrap_percent.normalize():f}")
        else:
            step.setValue(last)
            choose(stage, self.product.stage)
            waste.setText("0")
        for c, widget in enumerate((step, stage, material, quantity, waste)):
            self.table.setCellWidget(r, c, widget)
            for signal_name in ("valueChanged", "currentIndexChanged", "currentTextChanged", "textChanged"):
                signal = getattr(widget, signal_name, None)
                if signal is not None:
                    signal.connect(lambda *_a: self.revalidate())
        self.table.setColumnWidth(2, 260)
        self.revalidate()
        return r

    def _last_step(self) -> int:
        steps = [self._widget(r, 0, QSpinBox).value() for r in range(self.table.rowCount())]
        return max(steps, default=1)

    def remove_line(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()}, reverse=True)
        for r in rows or [self.table.rowCount() - 1]:
            if r >= 0:
                self.table.removeRow(r)
        self.revalidate()

    def _widget(self, row: int, column: int, kind: type[Any]) -> Any:
        widget = self.table.cellWidget(row, column)
        assert isinstance(widget, kind)
        return widget

    def items(self) -> list[s.RecipeItem]:
        return [
            s.RecipeItem(
                self._widget(r, 0, QSpinBox).value(),
                self._widget(r, 1, QComboBox).currentData(),
                self._widget(r, 2, CodePicker).currentText().strip(),
                self._widget(r, 3, QLineEdit).text(),
                self._widget(r, 4, QLineEdit).text(),
            )
            for r in range(self.table.rowCount())
        ]

    def check(self) -> str | None:
        for n, item in enumerate(self.items(), start=1):
            if not item.material:
                return self.tr("Line {0}: choose the material.").format(n)
            if item.material not in self.lookups.current.units:
                return self.tr("Line {0}: there is no material “{1}”.").format(n, item.material)
            try:
                ratio(item.quantity)
                scrap(item.scrap_percent)
            except ValidationError as exc:
                return self.tr("Line {0}: {1}").format(n, str(exc))
        return None

    def action(self) -> Callable[[], Any]:
        ctx, code, items, version = self.ctx, self.product.code, self.items(), self.product.version
        return lambda: s.set_recipe(ctx.uow(), product=code, lines=items, expected_version=version)


class ProductsDialog(QDialog):
    """The catalogue: every product with its stage, unit and output; the selected one's recipe below."""

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.products: tuple[ProductRow, ...] = ()
        self.setObjectName("products")
        self.setWindowTitle(self.tr("Products and recipes"))
        self.resize(1000, 680)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search code, name or specification…"))
        self.search.textChanged.connect(lambda _t: self.reload())
        self.archived = QCheckBox(self.tr("Show archived"), self)
        self.archived.toggled.connect(lambda _on: self.reload())
        headers = [self.tr("Code"), self.tr("Name"), self.tr("Made on"), self.tr("Unit"), self.tr("Its batches are"),
                   self.tr("Recipe")]  # fmt: skip
        self.table = QTableWidget(0, len(headers), self)
        self.table.setObjectName("productList")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self.show_recipe)
        self.table.doubleClicked.connect(lambda _i: self.edit_recipe())
        self.recipe = QTableWidget(0, 6, self)
        self.recipe.setObjectName("productRecipe")
        self.recipe.setHorizontalHeaderLabels(
            [
                self.tr("Step"),
                self.tr("Stage"),
                self.tr("Material"),
                self.tr("Name"),
                self.tr("Per unit"),
                self.tr("Scrap %"),
            ]  # fmt: skip
        )
        self.recipe.verticalHeader().setVisible(False)
        self.recipe.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.recipe_title = QLabel(self)
        may = host.may("product.edit")
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for name, text, handler in (
            ("create", self.tr("&New product…"), self.new_product),
            ("edit", self.tr("&Edit product…"), self.edit_product),
            ("recipe", self.tr("Edit &recipe…"), self.edit_recipe),
            ("archive", self.tr("&Archive / restore"), self.archive),
        ):
            button = QPushButton(text, self)
            button.setObjectName(f"product_{name}")
            button.setEnabled(may)
            if not may:
                button.setToolTip(self.tr("Only a planner or above may keep products and their recipes."))
            button.clicked.connect(handler)
            self.buttons[name] = button
            bar.addWidget(button)
        bar.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        bar.addWidget(close)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.archived)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.recipe_title)
        layout.addWidget(self.recipe, 2)
        layout.addLayout(bar)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        ctx, text = self.host.ctx, self.search.text().strip() or None
        archived = None if self.archived.isChecked() else False
        flt = catalogue.ProductFilter(text=text, archived=archived)
        current = self.selected()
        chosen = select or (current.code if current is not None else None)
        self.host.ops.run(
            lambda: catalogue.products(ctx.reader(), flt, limit=1000).rows,
            lambda rows: self._show(rows, chosen),
            lambda exc: self.recipe_title.setText(message_for(exc)),
        )

    def _show(self, rows: tuple[ProductRow, ...], chosen: str | None) -> None:
        self.products = rows
        self.table.setRowCount(len(rows))
        for r, p in enumerate(rows):
            recipe = (
                self.tr("{0} step(s), revision {1}").format(p.recipe_steps, p.recipe_revision)
                if p.recipe_revision
                else ""
            )
            values = (
                p.code,
                p.name + (self.tr(" (archived)") if p.archived else ""),
                term_of(LineStage, p.stage),
                term_of(Unit, p.unit),
                p.output_material_code or "",
                recipe,
            )
            for c, text in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(text))
            if p.code == chosen:
                self.table.selectRow(r)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        if self.selected() is None and rows:
            self.table.selectRow(0)

    def selected(self) -> ProductRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.products[rows[0].row()] if rows and rows[0].row() < len(self.products) else None

    def show_recipe(self) -> None:
        product, ctx = self.selected(), self.host.ctx
        if product is None:
            self.recipe.setRowCount(0)
            return
        self.recipe_title.setText(self.tr("Recipe of {0}, per {1}:").format(product.code, term_of(Unit, product.unit)))
        self.host.ops.run(lambda: catalogue.recipe(ctx.reader(), product.code), self._show_recipe)

    def _show_recipe(self, lines: tuple[RecipeLineRow, ...]) -> None:
        self.recipe.setRowCount(len(lines))
        for r, line in enumerate(lines):
            values = (
                str(line.step),
                term_of(LineStage, line.stage),
                line.material_code,
                line.material_name,
                f"{line.quantity.normalize():f} {line.material_unit}",
                f"{line.scrap_percent.normalize():f}",
            )
            for c, text in enumerate(values):
                self.recipe.setItem(r, c, QTableWidgetItem(text))
        self.recipe.resizeColumnsToContents()
        self.recipe.horizontalHeader().setStretchLastSection(True)

    def _open(self, dialog: FormDialog, done: str, select: str | None = None) -> FormDialog:
        def succeeded(_result: Any) -> None:
            self.host.say(done)
            self.host.wrote.emit()
            code = getattr(dialog, "code", None)  # a new product: show it, selected
            self.reload(select or (code.text().strip().upper() if isinstance(code, QLineEdit) else None))

        dialog.succeeded.connect(succeeded)
        dialog.conflicted.connect(lambda: self.reload(select))
        dialog.open()
        self.form = dialog
        return dialog

    def new_product(self) -> FormDialog:
        host = self.host
        return self._open(ProductDialog(host.ctx, host.ops, host.lookups, None, self), self.tr("Product created"))

    def edit_product(self) -> FormDialog | None:
        product = self.selected()
        if product is None:
            return None
        host = self.host
        dialog = ProductDialog(host.ctx, host.ops, host.lookups, product, self)
        return self._open(dialog, self.tr("Product {0} saved").format(product.code), product.code)

    def edit_recipe(self) -> None:
        product, ctx = self.selected(), self.host.ctx
        if product is None or not self.host.may("product.edit"):
            return
        self.host.ops.run(
            lambda: catalogue.recipe(ctx.reader(), product.code), lambda lines: self._recipe(product, lines)
        )

    def _recipe(self, product: ProductRow, lines: tuple[RecipeLineRow, ...]) -> None:
        host = self.host
        dialog = RecipeDialog(host.ctx, host.ops, host.lookups, product, lines, self)
        self._open(dialog, self.tr("Recipe of {0} saved").format(product.code), product.code)

    def archive(self) -> None:
        product, ctx = self.selected(), self.host.ctx
        if product is None:
            return
        done = self.tr("Product {0} restored") if product.archived else self.tr("Product {0} archived")

        def archived(_result: Any) -> None:
            self.host.say(done.format(product.code))
            self.host.wrote.emit()
            self.reload(product.code)

        self.host.ops.run(
            lambda: s.set_product_archived(
                ctx.uow(), code=product.code, archived=not product.archived, expected_version=product.version
            ),
            archived,
            lambda exc: self.recipe_title.setText(message_for(exc)),
        )
