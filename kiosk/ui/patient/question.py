"""The question screen: the FFT question in its exact words and the six faces."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.survey import Survey
from kiosk.ui.widgets.face_button import FaceButton
from kiosk.ui.widgets.labels import make_label, set_words
from sync import fft

QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"


class QuestionScreen(QWidget):
    """The screen a kiosk rests on.

    Signals:
        rated(int): a face was pressed; the FFT code.
    """

    rated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("question-screen")
        self.setProperty("screen", True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 16)
        layout.setSpacing(12)
        self._layout = layout
        layout.addStretch(1)
        self.lead_in = make_label("lead")
        self.question = make_label("question")
        self.question.setObjectName("question")
        self.alert = make_label("alert")
        self.alert.hide()
        self.paused_notice = make_label("question")
        self.paused_notice.setObjectName("paused-notice")
        self.paused_notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.paused_notice.hide()
        layout.addWidget(self.lead_in)
        layout.addWidget(self.question)
        layout.addWidget(self.alert)
        layout.addWidget(self.paused_notice)

        self.faces_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.faces_layout.setSpacing(16)
        self.faces: dict[int, FaceButton] = {}
        for code in fft.CODES:
            face = FaceButton(code)
            face.clicked.connect(lambda _=False, c=code: self.rated.emit(c))
            self.faces[code] = face
            self.faces_layout.addWidget(face)
        layout.addLayout(self.faces_layout, 4)
        layout.addStretch(1)

        footer = QHBoxLayout()
        self.ward = make_label("footer")
        self.ward.setObjectName("ward-name")
        self.demo = make_label("footer")
        self.demo.setObjectName("demo-notice")
        self.demo.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
        footer.addWidget(self.ward)
        footer.addWidget(self.demo)
        layout.addLayout(footer)

    def set_portrait(self, portrait: bool, width: int) -> None:
        """Faces in a column (each face beside its words) on a tall screen, else in a row.

        In a row, a face card is kept to about 1.4 times as tall as it is wide, so a tall
        landscape screen does not stretch the cards into empty columns.
        """
        self.faces_layout.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        tallest = QWIDGETSIZE_MAX if portrait else int(width / len(self.faces) * 1.4)
        for face in self.faces.values():
            face.setMaximumHeight(tallest)
        # Landscape centres the question and faces; portrait gives every spare pixel to faces.
        spare = 0 if portrait else 1
        self._layout.setStretch(0, spare)
        self._layout.setStretch(self._layout.indexOf(self.faces_layout) + 1, spare)

    def fit_words(self) -> None:
        """Give every face the same room for words: as many lines as the longest answer takes
        in the present language, size and width."""
        lines = max(face.lines_needed() for face in self.faces.values())
        for face in self.faces.values():
            if face.text_lines != lines:
                face.text_lines = lines
                face.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)  # the layout has already placed the faces
        self.fit_words()

    def show_text(
        self, survey: Survey, language: str, ward: str, lead_in: bool, demo: bool
    ) -> None:
        self.lead_in.setProperty("wanted", lead_in)
        self.lead_in.setVisible(lead_in and not self.paused_notice.isVisibleTo(self))
        self.lead_in.setText(survey.text("lead_in", language, ward=ward))
        self.question.setText(survey.text("question", language))
        for code, face in self.faces.items():
            set_words(face, survey.answer(code, language))
        self.paused_notice.setText(survey.text("paused", language))
        self.ward.setText(ward)
        self.demo.setText(survey.text("demo_ward", language) if demo else "")
        self.demo.setVisible(demo)

    def show_paused(self, paused: bool) -> None:
        """Hide the question and faces behind a calm notice while the ward has paused."""
        self.paused_notice.setVisible(paused)
        for widget in (self.lead_in, self.question, *self.faces.values()):
            widget.setVisible(not paused)
        if not paused:
            self.lead_in.setVisible(bool(self.lead_in.property("wanted")))

    def show_alert(self, text: str) -> None:
        self.alert.setText(text)
        self.alert.setVisible(bool(text))
