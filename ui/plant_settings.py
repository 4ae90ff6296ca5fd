"""Administration → Plant settings…: the plant's name, its expiry warning window, its label defaults, and
when a stopped line or a batch waiting for release raises an alert on the dashboard.

Saved in the database for every workstation; a workstation's MPSYSTEM_PLANT_NAME still overrides the
name its reports print, and the dialog says so.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QSpinBox, QWidget

from app import services as s
from app import settings as plant
from app.context import Context
from app.errors import ValidationError
from app.settings import PlantSettings
from domain.vocabulary import (
    MAX_EXPIRY_WARNING_DAYS,
    MAX_LINE_STOP_ALERT_MINUTES,
    MAX_PENDING_ALERT_HOURS,
    LabelLayout,
    LabelPrinter,
)
from ui.forms import line
from ui.ops import Ops
from ui.widgets import FormDialog
from ui.words import choose, term_box


class PlantSettingsDialog(FormDialog):
    def __init__(self, ctx: Context, ops: Ops, current: PlantSettings, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Plant settings"), ops, parent)
        self.setObjectName("plantSettings")
        self.ctx, self.current = ctx, current
        self.ok.setText(self.tr("Save"))
        # Filled before they join the form: the form checks itself on every change of a field it holds.
        self.warning_days = QSpinBox(self)
        self.warning_days.setRange(1, MAX_EXPIRY_WARNING_DAYS)
        self.warning_days.setSuffix(self.tr(" days"))
        self.warning_days.setValue(current.expiry_warning_days)
        self.warning_days.setToolTip(self.tr("Batches that expire this soon are highlighted and can be filtered"))
        self.layout_box = term_box(LabelLayout, parent=self)
        choose(self.layout_box, current.label_layout)
        self.printer = term_box(LabelPrinter, parent=self)
        choose(self.printer, current.label_printer)
        self.stop_minutes = QSpinBox(self)
        self.stop_minutes.setRange(1, MAX_LINE_STOP_ALERT_MINUTES)
        self.stop_minutes.setSuffix(self.tr(" minutes"))
        self.stop_minutes.setValue(current.line_stop_alert_minutes)
        self.stop_minutes.setToolTip(self.tr("A line stopped longer than this raises an alert on the dashboard"))
        self.release_hours = QSpinBox(self)
        self.release_hours.setRange(1, MAX_PENDING_ALERT_HOURS)
        self.release_hours.setSuffix(self.tr(" hours"))
        self.release_hours.setValue(current.release_alert_hours)
        self.release_hours.setToolTip(self.tr("A batch waiting longer than this for release raises an alert"))
        self.plant_name = self.add("plant_name", self.tr("Plant name"), line(current.plant_name))
        self.plant_name.setToolTip(self.tr("Printed at the top of every report"))
        self.add("expiry_warning_days", self.tr("Flag expiry within"), self.warning_days)
        self.add("label_layout", self.tr("Labels on a PDF printer"), self.layout_box)
        self.add("label_printer", self.tr("Label printer takes"), self.printer)
        self.add("line_stop_alert_minutes", self.tr("Alert when a line stands over"), self.stop_minutes)
        self.add("release_alert_hours", self.tr("Alert when a batch waits for release over"), self.release_hours)
        override = os.environ.get(plant.PLANT_ENV, "").strip()
        if override:
            note = QLabel(
                self.tr("This workstation prints “{0}” on its reports: {1} is set here.").format(
                    override, plant.PLANT_ENV
                ),
                self,
            )
            note.setWordWrap(True)
            self.form.addRow("", note)
        self.revalidate()

    def _values(self) -> dict[str, Any]:
        return {
            "plant_name": self.plant_name.text(),
            "expiry_warning_days": self.warning_days.value(),
            "label_layout": self.layout_box.currentData(),
            "label_printer": self.printer.currentData(),
            "line_stop_alert_minutes": self.stop_minutes.value(),
            "release_alert_hours": self.release_hours.value(),
        }

    def check(self) -> str | None:
        try:
            wanted = plant.checked(**self._values())
        except ValidationError as exc:
            return str(exc)
        return self.tr("Nothing has changed yet.") if wanted == self.current else None

    def action(self) -> Callable[[], Any]:
        values, expected = self._values(), self.current
        return lambda: s.save_settings(self.ctx.uow(), expected=expected, **values)
