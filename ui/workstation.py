"""This workstation's own settings: where its labels go and how large the client is drawn.

They belong to the place, not to a person: everyone who signs in at the goods-in desk prints to the
goods-in label printer and reads the same large text. They are kept in `workstation.ini` beside the
users' own interface settings (column layouts, last choices), which stay per user.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QSettings

from app import config
from domain.vocabulary import QT_TRANSLATE_NOOP


def workstation_settings() -> QSettings:
    # Made here first, 0600 in a 0700 folder, like the users' interface.ini (Qt keeps an existing file's mode).
    path = config.private_file(config.private_folder(config.user_config_dir()) / "workstation.ini")
    return QSettings(str(path), QSettings.Format.IniFormat)


class LabelDestination(StrEnum):
    """Where a label printed at receipt goes."""

    PREVIEW = "preview"  # shown on screen, printed or saved from there
    PRINTER = "printer"  # straight to this workstation's label printer
    FOLDER = "folder"  # a PDF file per label into a folder (a print server's hot folder, a shared drive)

    @property
    def label(self) -> str:
        return _DESTINATION_LABELS[self]


_DESTINATION_LABELS = {
    LabelDestination.PREVIEW: QT_TRANSLATE_NOOP("LabelDestination", "show a preview to print or save"),
    LabelDestination.PRINTER: QT_TRANSLATE_NOOP("LabelDestination", "print on this workstation's label printer"),
    LabelDestination.FOLDER: QT_TRANSLATE_NOOP("LabelDestination", "save a PDF per label into a folder"),
}


@dataclass(frozen=True)
class LabelOutput:
    destination: LabelDestination = LabelDestination.PREVIEW
    printer: str = ""  # the printer's name, for PRINTER
    folder: str = ""  # for FOLDER


def label_output() -> LabelOutput:
    store = workstation_settings()
    kind = str(store.value("labels/destination", LabelDestination.PREVIEW.value))
    destination = LabelDestination(kind) if kind in LabelDestination.__members__.values() else LabelDestination.PREVIEW
    return LabelOutput(destination, str(store.value("labels/printer", "")), str(store.value("labels/folder", "")))


def save_label_output(output: LabelOutput) -> None:
    store = workstation_settings()
    store.setValue("labels/destination", output.destination.value)
    store.setValue("labels/printer", output.printer)
    store.setValue("labels/folder", output.folder)
    store.sync()


def zoom_level() -> int:
    """How large this workstation draws the client, in percent of normal."""
    value = str(workstation_settings().value("view/zoom", 100))
    return int(value) if value.isdigit() else 100


def save_zoom_level(percent: int) -> None:
    store = workstation_settings()
    store.setValue("view/zoom", percent)
    store.sync()
