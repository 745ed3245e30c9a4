"""The thank-you screen: thanks, a countdown back to the question, and the phone QR code."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from kiosk.survey import Survey
from kiosk.ui.timers import Timer
from kiosk.ui.widgets.labels import make_label
from kiosk.ui.widgets.qr import QrCode


class ThanksScreen(QWidget):
    """Thanks the respondent and counts down.

    Attributes:
        ticker: one-second timer driving the countdown (named ``thanks-countdown``).

    Signals:
        finished(): the countdown reached zero.
    """

    finished = Signal()

    def __init__(self, phone_link: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thanks-screen")
        self.setProperty("screen", True)
        self.remaining = 0
        self._survey: Survey | None = None
        self._language = ""
        self.ticker = Timer("thanks-countdown", 1000, parent=self)
        self.ticker.timeout.connect(self._tick)

        layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._layout = layout
        layout.setContentsMargins(48, 32, 48, 32)
        layout.setSpacing(48)
        words = QVBoxLayout()
        words.addStretch(1)
        self.title = make_label("question")
        self.title.setObjectName("thanks-title")
        self.body = make_label("lead")
        self.countdown = make_label("hint")
        self.countdown.setObjectName("countdown")
        words.addWidget(self.title)
        words.addWidget(self.body)
        words.addSpacing(24)
        words.addWidget(self.countdown)
        words.addStretch(1)
        layout.addLayout(words, 3)

        self.phone = QWidget()
        self.phone.setObjectName("phone-panel")
        phone_layout = QVBoxLayout(self.phone)
        phone_layout.addStretch(1)
        self.qr = QrCode(phone_link)
        self.qr.setMaximumSize(400, 400)  # big enough for any phone at arm's length
        self.qr_caption = make_label("body")
        phone_layout.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        phone_layout.addWidget(self.qr_caption)
        phone_layout.addStretch(1)
        layout.addWidget(self.phone, 2)
        self.phone.setVisible(bool(phone_link))

    def set_portrait(self, portrait: bool) -> None:
        """Thanks above the QR code on a tall screen, beside it on a wide one."""
        self._layout.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )

    def start(self, seconds: int) -> None:
        self.remaining = seconds
        self._show_count()
        self.ticker.start()

    def stop(self) -> None:
        self.ticker.stop()

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.ticker.stop()
            self.finished.emit()
        else:
            self._show_count()

    def show_text(self, survey: Survey, language: str) -> None:
        self._survey, self._language = survey, language
        self.title.setText(survey.text("thanks_title", language))
        self.body.setText(survey.text("thanks_body", language))
        self.qr_caption.setText(survey.text("phone_prompt", language))
        # Named for what it is for, not its caption again; the link itself as its description,
        # for anyone who cannot scan it.
        self.qr.setAccessibleName(survey.text("phone_qr_name", language))
        self.qr.setAccessibleDescription(self.qr.data)
        self._show_count()

    def _show_count(self) -> None:
        if self._survey:
            self.countdown.setText(
                self._survey.text("returning", self._language, seconds=max(self.remaining, 0))
            )
