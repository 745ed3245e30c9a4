""" "Do you need more time?": the prompt over the whole window before an idle reset (WCAG
2.2.1), with one big button, and the seconds left. Any touch or key answers it (the window's
``ActivityWatch`` hears it first and keeps it from pressing what is underneath)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QFrame, QVBoxLayout, QWidget

from kiosk.survey import Survey
from kiosk.ui.timers import Timer
from kiosk.ui.widgets.labels import make_button, make_label, set_words

MARGIN = 16
CARD_MARGIN = 32
BORDER = 4  # the card's, in resources/style.qss


class MoreTimePrompt(QWidget):
    """A dimmed layer over the window with the question, a button and a countdown.

    Attributes:
        remaining: seconds until the reset, as the countdown shows them.
        ticker: the one-second ``more-time-countdown`` timer.
        button: "Yes, I need more time"; pressing it, like any touch, answers.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("more-time")
        self.remaining = 0
        self._focus_before: QWidget | None = None
        self._survey: Survey | None = None
        self._language = ""
        self.ticker = Timer("more-time-countdown", 1000, parent=self)
        self.ticker.timeout.connect(self._tick)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        self.card = QFrame()
        self.card.setObjectName("more-time-card")
        self.card.setProperty("screen", True)
        card = QVBoxLayout(self.card)
        card.setContentsMargins(CARD_MARGIN, CARD_MARGIN, CARD_MARGIN, CARD_MARGIN)
        card.setSpacing(24)
        self.title = make_label("question")
        self.title.setObjectName("more-time-title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = make_button("primary")
        self.button.setObjectName("more-time-button")
        self.countdown = make_label("hint")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        card.addWidget(self.title)
        card.addWidget(self.button)
        card.addWidget(self.countdown)
        outer.addWidget(self.card, 0, Qt.AlignmentFlag.AlignCenter)
        self.hide()

    def show_text(self, survey: Survey, language: str) -> None:
        self._survey, self._language = survey, language
        self.title.setText(survey.text("more_time", language))
        set_words(self.button, survey.text("more_time_button", language))
        self._show_count()
        self._fit()

    def answers(self, target: QObject) -> bool:
        """Whether input sent to *target* answers the prompt: any, while it is up, in its
        window (a touch goes to the window first, then to the widget under it)."""
        window = self.window()
        if not self.isVisible():
            return False
        if isinstance(target, QWidget):
            return target.window() is window
        return target is window.windowHandle()

    def open(self, seconds: int) -> None:
        """Cover the window and count *seconds* down (the reset itself is the flow's)."""
        self._focus_before = QApplication.focusWidget()
        self.remaining = seconds
        self._show_count()
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self._fit()
        self.raise_()
        self.show()
        self.ticker.start()

    def close_prompt(self, screen: QWidget) -> None:
        """Uncover the window; focus goes back where it was, or to *screen* (nothing ringed)."""
        self.ticker.stop()
        self.hide()
        before = self._focus_before
        self._focus_before = None
        if before is None or not before.isVisible():
            before = screen
        before.setFocus(Qt.FocusReason.OtherFocusReason)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The card as wide as its button's words need (at least three fifths of the window,
        never wider than it), and as tall as its words wrapped to that width."""
        parent = self.parentWidget()
        layout = self.card.layout()
        if parent is None or layout is None:
            return
        most = parent.width() - 2 * MARGIN
        width = min(
            most,
            max(
                parent.width() * 3 // 5, self.button.sizeHint().width() + 2 * (CARD_MARGIN + BORDER)
            ),
        )
        self.card.setFixedWidth(width)
        self.card.setFixedHeight(layout.totalHeightForWidth(width))

    def paintEvent(self, event: QPaintEvent) -> None:
        # The screen stays in sight behind, dimmed, so the patient sees what is kept.
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 150))
        painter.end()

    def _tick(self) -> None:
        self.remaining = max(0, self.remaining - 1)
        self._show_count()

    def _show_count(self) -> None:
        if self._survey is not None:
            self.countdown.setText(
                self._survey.text("returning", self._language, seconds=self.remaining)
            )
