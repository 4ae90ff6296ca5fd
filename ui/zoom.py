"""How large the whole client is drawn: Ctrl+plus and Ctrl+minus step through the sizes, Ctrl+0 goes back to
normal, and "large" is the shop floor's preset (text of 13 pt, every button, field, tick box, tab and table
row at least 44 pixels high: for gloves, standing, at arm's length). The size belongs to the workstation and
comes back when the client starts there again.

The style sheet (resources/style.qss) is written for normal size; each size scales its point sizes and adds
the minimum heights of what people press, so every window, dialog and page follows at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtWidgets import QApplication, QListView, QTableView, QToolBar

from ui.workstation import save_zoom_level, zoom_level

BASE_POINTS = 10.0  # the style sheet's text size at normal size


@dataclass(frozen=True)
class Size:
    percent: int
    target: int  # the least height, in pixels, of anything pressed or typed into
    row: int  # a table row's height
    icon: int  # toolbar icons

    @property
    def points(self) -> float:
        return BASE_POINTS * self.percent / 100


SIZES = (
    Size(90, 0, 24, 20),
    Size(100, 0, 26, 22),  # normal: the style's own sizes
    Size(115, 36, 34, 26),
    Size(130, 44, 44, 32),  # large: the shop floor
    Size(150, 52, 52, 36),
)
NORMAL = 100
LARGE = 130


def size_of(percent: int) -> Size:
    """The size nearest `percent` (a workstation's saved size may come from another version)."""
    return min(SIZES, key=lambda s: abs(s.percent - percent))


def _scaled(sheet: str, factor: float) -> str:
    return re.sub(r"(\d+(?:\.\d+)?)pt", lambda m: f"{float(m.group(1)) * factor:.1f}pt", sheet)


def style_sheet(size: Size) -> str:
    """The client's style sheet at this size."""
    base = resources.files("resources").joinpath("style.qss").read_text(encoding="utf-8")
    sheet = _scaled(base, size.percent / 100)
    if not size.target:
        return sheet
    t, tick = size.target, max(16, size.target // 2)
    return sheet + (
        f"\n/* {size.percent} %: what people press is at least {t} px high */\n"
        f"QPushButton, QToolButton, QComboBox, QLineEdit, QAbstractSpinBox, QDateEdit {{ min-height: {t - 4}px; }}\n"
        f"QPushButton {{ padding: 3px 14px; }}\n"
        f"QPushButton#tile {{ padding: 0; }}\n"  # a dashboard tile lays out its own lines
        f"QCheckBox, QRadioButton {{ min-height: {t}px; spacing: 10px; }}\n"
        f"QCheckBox::indicator, QRadioButton::indicator {{ width: {tick}px; height: {tick}px; }}\n"
        f"QTabBar::tab {{ min-height: {t - 14}px; }}\n"
        f"QMenuBar::item {{ padding: {(t - size.row // 2) // 2}px 10px; }}\n"
        f"QMenu::item {{ padding: {(t - 20) // 2}px 28px {(t - 20) // 2}px 20px; }}\n"
        f"QHeaderView::section {{ min-height: {t - 14}px; }}\n"
        f"QTreeView::item {{ min-height: {size.row}px; }}\n"
    )


class Zoom(QObject):
    """The client's size now; `changed` tells the windows that size rows and icons themselves."""

    changed = Signal(object)  # the new Size

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.size = size_of(zoom_level())

    def restore(self) -> Size:
        """The workstation's own size (at start-up, or for a new user's window on the same application)."""
        return self.apply(size_of(zoom_level()), remember=False)

    def apply(self, size: Size | None = None, *, remember: bool = True) -> Size:
        self.size = size or self.size
        font = self.app.font()
        font.setPointSizeF(self.size.points)
        self.app.setFont(font)
        self.app.setStyleSheet(style_sheet(self.size))
        for widget in self.app.allWidgets():
            fit(widget, self.size)
        if remember:
            save_zoom_level(self.size.percent)
        self.changed.emit(self.size)
        return self.size

    def step(self, steps: int) -> Size:
        index = SIZES.index(self.size) + steps
        return self.apply(SIZES[max(0, min(len(SIZES) - 1, index))])

    def set_percent(self, percent: int) -> Size:
        return self.apply(size_of(percent))


def fit(widget: object, size: Size | None = None) -> None:
    """Sizes a style sheet does not set: a table's rows, a toolbar's icons (at the size now, unless given)."""
    size = size or current()
    if isinstance(widget, QTableView):
        widget.verticalHeader().setDefaultSectionSize(size.row)
    if isinstance(widget, QToolBar):
        widget.setIconSize(QSize(size.icon, size.icon))
    if isinstance(widget, QListView):
        widget.doItemsLayout()  # its items' heights follow the new text size


_zoom: Zoom | None = None


def zoom() -> Zoom:
    """The application's one Zoom, made (at the workstation's size) the first time it is asked for."""
    global _zoom
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    if _zoom is None or _zoom.app is not app:
        _zoom = Zoom(app)
    return _zoom


def current() -> Size:
    return zoom().size
