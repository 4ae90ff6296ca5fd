"""The dashboard's charts, drawn by Qt's own charts module (QtCharts), updated in place."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QCoreApplication, QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QWidget,
)

from app import dashboard as d
from app.formatting import percent, quantity

BAR = QColor("#4a7ab5")
FULL = QColor("#a15c00")


def _tr(text: str) -> str:
    return QCoreApplication.translate("Dashboard", text)


class ChartView(QChartView):
    """A chart that opens the rows behind it when clicked."""

    clicked = Signal()

    def __init__(self, chart: QChart, parent: QWidget | None = None) -> None:
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A click anywhere on the chart opens what is behind it."""
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


def _quiet_chart(title: str = "") -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().hide()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(2, 2, 2, 2))
    chart.setBackgroundRoundness(4)
    font = QFont(chart.titleFont())
    font.setPointSizeF(8.5)
    font.setBold(True)
    chart.setTitleFont(font)
    return chart


def _small(axis: Any, size: float = 7.0) -> None:
    font = QFont(axis.labelsFont())
    font.setPointSizeF(size)
    axis.setLabelsFont(font)


class OutputChart(ChartView):
    """A line's output per day as a share of a full day at its nominal rate; the dashed line is 100%."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        chart = _quiet_chart(code)
        super().__init__(chart, parent)
        self.code = code
        self.setMinimumSize(140, 140)
        self.bars = QBarSet(code)
        self.bars.setColor(BAR)
        self.bars.setBorderColor(BAR)
        series = QBarSeries()
        series.setBarWidth(0.7)
        series.append(self.bars)
        chart.addSeries(series)
        self.days = QBarCategoryAxis()
        self.days.setLabelsVisible(False)  # fourteen days do not fit; the panel's title names them
        self.value_axis = QValueAxis()
        self.value_axis.setLabelFormat("%.0f")
        self.value_axis.setTickCount(3)
        _small(self.value_axis, 6.5)
        chart.addAxis(self.days, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.value_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(self.days)
        series.attachAxis(self.value_axis)
        self.full = QLineSeries()
        pen = QPen(FULL)
        pen.setStyle(Qt.PenStyle.DashLine)
        pen.setWidthF(1.2)
        self.full.setPen(pen)
        chart.addSeries(self.full)
        self.full.attachAxis(self.days)
        self.full.attachAxis(self.value_axis)
        self.shown: tuple[Any, ...] = ()

    def show_line(self, line: d.LineOutput, days: Sequence[Any]) -> None:
        shares = [float(v / line.capacity_per_day * 100) if line.capacity_per_day else 0.0 for v in line.output]
        key = (tuple(days), tuple(shares))
        if key == self.shown:
            return
        labels = [x.isoformat() for x in days]
        if [self.days.at(i) for i in range(self.days.count())] != labels:
            self.days.setCategories(labels)
        if self.bars.count() != len(shares):
            self.bars.remove(0, self.bars.count())
            self.bars.append(shares)
        else:
            for i, value in enumerate(shares):
                if self.bars.at(i) != value:
                    self.bars.replace(i, value)
        top = max(100.0, *shares) if shares else 100.0
        self.value_axis.setRange(0, 100.0 if top <= 100 else math.ceil(top / 50) * 50)
        self.full.replace([QPointF(-0.5, 100.0), QPointF(len(shares) - 0.5, 100.0)])
        self.chart().setTitle(f"{line.code} · {percent(line.share)}")
        self.setToolTip(
            _tr("{0}: {1} made in {2} days, {3} of what it could make at {4}/h").format(
                line.code,
                quantity(line.total, line.unit),
                len(days),
                percent(line.share),
                quantity(line.capacity_per_day / 24, line.unit),
            )
        )
        self.shown = key


class LineBars(ChartView):
    """One horizontal bar per line; a click on a bar opens that line's rows."""

    line_clicked = Signal(str)

    def __init__(self, title: str, unit_format: str, top: float, parent: QWidget | None = None) -> None:
        chart = _quiet_chart(title)
        super().__init__(chart, parent)
        self.top = top
        self.setMinimumSize(200, 250)
        self.bars = QBarSet(title)
        self.bars.setColor(BAR)
        self.bars.setBorderColor(BAR)
        self.series = QHorizontalBarSeries()
        self.series.setBarWidth(0.65)
        self.series.append(self.bars)
        self.series.setLabelsVisible(True)
        self.series.setLabelsFormat(unit_format)
        inside = top == 100
        self.series.setLabelsPosition(
            QHorizontalBarSeries.LabelsPosition.LabelsInsideEnd
            if inside
            else QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd
        )
        self.bars.setLabelColor(QColor("#ffffff") if inside else QColor("#111111"))
        chart.addSeries(self.series)
        self.names = QBarCategoryAxis()
        _small(self.names, 7.5)
        self.value_axis = QValueAxis()
        self.value_axis.setLabelFormat("%.0f")
        _small(self.value_axis, 7)
        chart.addAxis(self.names, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.value_axis, Qt.AlignmentFlag.AlignBottom)
        self.series.attachAxis(self.names)
        self.series.attachAxis(self.value_axis)
        self.codes: list[str] = []
        self.bars.clicked.connect(self._bar_clicked)
        self.shown: tuple[Any, ...] = ()

    def show_values(self, codes: list[str], values: list[float]) -> None:
        # The first line at the top, as in every list of lines: a horizontal axis counts from the bottom.
        codes, values = list(reversed(codes)), [round(v) for v in reversed(values)]
        if (tuple(codes), tuple(values)) == self.shown:
            return
        if codes != self.codes:
            self.names.setCategories(codes)
            self.codes = codes
        if self.bars.count() != len(values):
            self.bars.remove(0, self.bars.count())
            self.bars.append(values)
        else:
            for i, value in enumerate(values):
                if self.bars.at(i) != value:
                    self.bars.replace(i, value)
        if self.top == 100:  # shares: the whole scale, the figure inside the bar
            self.value_axis.setRange(0, 100)
        else:
            self.value_axis.setRange(0, max(self.top, *values) * 1.15 if values else self.top)
            self.value_axis.applyNiceNumbers()
        self.shown = (tuple(codes), tuple(values))

    def _bar_clicked(self, index: int) -> None:
        if 0 <= index < len(self.codes):
            self.line_clicked.emit(self.codes[index])
