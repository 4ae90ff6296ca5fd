"""The first run: a plant with no warehouses, materials or production lines cannot work yet.

An administrator is told what is missing and led to the screens that set it up, or to the import
of CSV files; anyone else is told plainly that the plant is not set up yet and who can do it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.dto import PlantSetup


class FirstRunDialog(QDialog):
    """What is missing, and a button for each way to set it up."""

    chosen = Signal(str)  # "warehouses", "materials", "suppliers", "lines", "customers", "import", "settings"

    def __init__(self, setup: PlantSetup, admin: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRun")
        self.setWindowTitle(self.tr("This plant is not set up yet"))
        self.setMinimumWidth(560)
        missing = {
            "warehouses": self.tr("warehouses"),
            "materials": self.tr("materials"),
            "lines": self.tr("production lines"),
        }
        names = [missing[m] for m in setup.missing]
        self.message = QLabel(self)
        self.message.setObjectName("firstRunMessage")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        self.buttons: dict[str, QPushButton] = {}
        if admin:
            self.message.setText(
                self.tr(
                    "This plant has no {0} yet, so nothing can be received, planned or made. Set it up here, "
                    "one record at a time, or import your lists from CSV files (warehouses, materials, "
                    "suppliers, customers, lines, then the opening stock)."
                ).format(", ".join(names))
            )
            grid = QGridLayout()
            for i, (key, text) in enumerate(
                (
                    ("warehouses", self.tr("&Warehouses")),
                    ("materials", self.tr("&Materials")),
                    ("suppliers", self.tr("S&uppliers")),
                    ("lines", self.tr("Production &lines")),
                    ("customers", self.tr("&Customers")),
                    ("settings", self.tr("Plant &settings…")),
                )
            ):
                button = QPushButton(text, self)
                button.setObjectName(f"setup_{key}")
                button.clicked.connect(lambda _c=False, k=key: self._choose(k))
                grid.addWidget(button, i // 3, i % 3)
                self.buttons[key] = button
            layout.addLayout(grid)
            self.import_button = QPushButton(self.tr("&Import from CSV files…"), self)
            self.import_button.setObjectName("setup_import")
            self.import_button.clicked.connect(lambda: self._choose("import"))
            self.buttons["import"] = self.import_button
            layout.addWidget(self.import_button)
        else:
            self.message.setText(
                self.tr(
                    "This plant is not set up yet: it has no {0}. An administrator sets it up first; until then "
                    "there is nothing to receive, plan or make here."
                ).format(", ".join(names))
            )
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("&Later") if admin else self.tr("OK"))
        close.rejected.connect(self.reject)
        layout.addWidget(close)

    def _choose(self, key: str) -> None:
        self.chosen.emit(key)
        self.accept()
