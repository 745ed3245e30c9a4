"""The Results page: the six counts, total, % positive and negative, repeat taps left out and
themes chosen, beside a stacked bar chart of responses each day (``kiosk.staff_figures``).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QLabel, QVBoxLayout, QWidget

from kiosk.staff_figures import DailySeries, daily_series, results
from kiosk.store import LocalStore
from kiosk.survey import Survey
from kiosk.ui.staff.pages.page import StaffPage
from kiosk.ui.widgets.face_button import FACE_COLOURS
from kiosk.ui.widgets.labels import make_label
from sync import fft


class ResultsPage(StaffPage):
    """The period's figures and chart.

    Attributes:
        count_labels: each FFT code's count, by code.
        total, positive, negative, excluded, themes: the figures under the counts.
        chart: responses each day, one stacked bar a day coloured as the faces are.
    """

    title = "Results"
    uses_period = True

    def __init__(self, store: LocalStore, survey: Survey, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.survey = survey
        self.results_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        figures = QGridLayout()
        figures.setVerticalSpacing(6)
        self.count_labels: dict[int, QLabel] = {}
        for row, (code, words) in enumerate(fft.CODES.items()):
            name = make_label("body")
            name.setText(words)
            value = make_label("body")
            value.setObjectName(f"count-{code}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight)
            figures.addWidget(name, row, 0)
            figures.addWidget(value, row, 1)
            self.count_labels[code] = value
        self.total = make_label("lead")
        self.total.setObjectName("total")
        self.positive = make_label("lead")
        self.positive.setObjectName("percent-positive")
        self.negative = make_label("lead")
        self.negative.setObjectName("percent-negative")
        self.excluded = make_label("hint")
        self.excluded.setObjectName("repeat-taps")
        self.themes = make_label("hint")
        self.themes.setObjectName("theme-counts")
        column = QVBoxLayout()
        column.addLayout(figures)
        for label in (self.total, self.positive, self.negative, self.excluded, self.themes):
            column.addWidget(label)
        column.addStretch(1)
        self.results_layout.addLayout(column, 2)
        self.chart = QChart()
        self.chart.setTitle("Responses each day")
        self.axis_x = QBarCategoryAxis()
        self.axis_y = QValueAxis()
        self.axis_y.setLabelFormat("%d")
        self.chart.addAxis(self.axis_x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.axis_y, Qt.AlignmentFlag.AlignLeft)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("daily-chart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumSize(360, 320)
        self.results_layout.addWidget(self.chart_view, 3)

    def arrange(self, portrait: bool) -> None:
        # On a tall screen the chart goes under the figures, full width.
        self.results_layout.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )

    def refresh(self, first: date, last: date) -> None:
        shown = results(self.store, self.survey, first, last)
        for code, label in self.count_labels.items():
            label.setText(shown.counts[code])
        self.total.setText(shown.total)
        self.positive.setText(shown.positive)
        self.negative.setText(shown.negative)
        self.excluded.setText(shown.excluded)
        self.themes.setText(shown.themes)
        self._draw(daily_series(self.store, first, last))

    def _draw(self, daily: DailySeries) -> None:
        self.chart.removeAllSeries()
        series = QStackedBarSeries()
        for code, words in fft.CODES.items():
            bars = QBarSet(words)
            bars.setColor(QColor(FACE_COLOURS[code]))
            bars.append(daily.by_code[code])
            series.append(bars)
        self.chart.addSeries(series)
        self.axis_x.clear()
        self.axis_x.append(daily.labels)
        self.axis_y.setRange(0, daily.most)
        self.axis_y.applyNiceNumbers()
        series.attachAxis(self.axis_x)
        series.attachAxis(self.axis_y)
