"""The dashboard's building blocks: a figure's tile, its tables and panels, and the rows behind a figure."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.tables import ALERT, ALERT_TEXT


def _tr(text: str) -> str:
    return QCoreApplication.translate("Dashboard", text)


class Tile(QPushButton):
    """One figure: a title, the figure, a line of detail; a click opens the rows behind it."""

    def __init__(self, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tile")
        self.setProperty("tile", name)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumSize(112, 88)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.title = QLabel(title, self)
        self.title.setObjectName("tileTitle")
        self.figure = QLabel("…", self)
        self.figure.setObjectName("tileFigure")
        self.detail = QLabel("", self)
        self.detail.setObjectName("tileDetail")
        self.detail.setWordWrap(True)
        box = QVBoxLayout(self)
        box.setContentsMargins(9, 5, 9, 5)
        box.setSpacing(0)
        for label in (self.title, self.figure, self.detail):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            box.addWidget(label)

    def sizeHint(self) -> QSize:
        """As tall as its three lines at the client's size now (a push button's own hint knows no layout)."""
        layout = self.layout()
        wanted = layout.sizeHint() if layout is not None else QSize(112, 88)
        return wanted.expandedTo(QSize(112, 88))

    def minimumSizeHint(self) -> QSize:
        """Never shorter than its lines."""
        return self.sizeHint()

    def show_figure(self, figure: str, detail: str, alarming: bool) -> None:
        if (self.figure.text(), self.detail.text(), self.property("alarming")) == (figure, detail, alarming):
            return
        self.figure.setText(figure)
        self.detail.setText(detail)
        self.setToolTip(f"{self.title.text()}: {figure} — {detail}")
        self.setProperty("alarming", alarming)
        self.style().unpolish(self)
        self.style().polish(self)


def table(headers: list[str], parent: QWidget, stretch: int | None = None) -> QTableWidget:
    """A small read-only table; `stretch` takes the spare width, the others fit their contents when filled.

    Not Qt's ResizeToContents mode: that measures a whole column again at every cell's change, and a
    refresh changes many cells.
    """
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.horizontalHeader().setHighlightSections(False)
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    if stretch is not None:
        table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.setProperty("stretch", stretch)
    return table


def fill(table: QTableWidget, rows: Sequence[tuple[list[str], QBrush | None, QBrush | None]], right: set[int]) -> None:
    """Rows of (cells, background, foreground), written in place: unchanged cells are left alone, and the
    columns fit their contents again only when some text changed."""
    changed = table.rowCount() != len(rows)
    if changed:
        table.setRowCount(len(rows))
    for r, (cells, background, foreground) in enumerate(rows):
        for c, text in enumerate(cells):
            item = table.item(r, c)
            if item is None:
                item = QTableWidgetItem()
                if c in right:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
            if item.text() != text:
                item.setText(text)
                item.setToolTip(text)
                changed = True
            item.setBackground(background if background is not None else QBrush())
            item.setForeground(foreground if foreground is not None else QBrush())
    if changed:
        stretch = table.property("stretch")
        for column in range(table.columnCount()):
            if column != stretch:
                table.resizeColumnToContents(column)


def panel(title: str, body: QWidget, parent: QWidget, link: QPushButton | None = None) -> QFrame:
    frame = QFrame(parent)
    frame.setObjectName("dashboardPanel")
    heading = QLabel(title, frame)
    heading.setObjectName("panelTitle")
    top = QHBoxLayout()
    top.addWidget(heading, 1)
    if link is not None:
        top.addWidget(link)
    box = QVBoxLayout(frame)
    box.setContentsMargins(8, 6, 8, 8)
    box.setSpacing(4)
    box.addLayout(top)
    box.addWidget(body, 1)
    return frame


class RowsDialog(QDialog):
    """The rows behind a figure; double-click (or Enter) opens a row's subject on its screen."""

    def __init__(
        self,
        title: str,
        headers: list[str],
        rows: list[tuple[list[str], tuple[str, str] | None, bool]],
        open_subject: Callable[[str, str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 460)
        self.table = table(headers, self, stretch=len(headers) - 1)
        self.table.setObjectName("rowsBehind")
        self.subjects = [subject for _cells, subject, _alarm in rows]
        fill(
            self.table,
            [(cells, ALERT if alarm else None, QBrush(ALERT_TEXT) if alarm else None) for cells, _s, alarm in rows],
            set(),
        )
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.activated.connect(lambda index: self._open(index.row()))
        self.open_subject = open_subject
        count = QLabel(_tr("{0} rows").format(len(rows)) if rows else _tr("Nothing behind this figure now."), self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(count)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def _open(self, row: int) -> None:
        subject = self.subjects[row] if 0 <= row < len(self.subjects) else None
        if subject is not None:
            self.accept()
            self.open_subject(*subject)
