"""The question screen: the FFT question in its exact words, the six faces, and (when the ward
has an online form) the QR code to answer on one's own phone instead."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.survey import Survey
from kiosk.ui.widgets.face_button import FaceButton
from kiosk.ui.widgets.face_grid import QWIDGETSIZE_MAX, TALLEST, FaceGrid
from kiosk.ui.widgets.labels import make_label, set_words
from kiosk.ui.widgets.qr import QrCode
from sync import fft

MARGIN = 32


class QuestionScreen(QWidget):
    """The screen a kiosk rests on.

    Attributes:
        faces: FFT code to its face button; ``grid`` places them.
        qr: the phone link as a QR code, with ``qr_caption``; hidden without a link.

    Signals:
        rated(int): a face was pressed; the FFT code.
        face_focused(int): a face gained focus from the keyboard or a switch.
    """

    rated = Signal(int)
    face_focused = Signal(int)

    def __init__(self, phone_link: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("question-screen")
        self.setProperty("screen", True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN, 24, MARGIN, 16)
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
        words = QVBoxLayout()
        words.setSpacing(12)
        for label in (self.lead_in, self.question, self.alert, self.paused_notice):
            words.addWidget(label)
        # The phone's QR code beside the question, where it costs the faces no height.
        header = QHBoxLayout()
        header.setSpacing(24)
        header.addLayout(words, 1)
        self.phone = QWidget()
        self.phone.setObjectName("question-phone")
        phone = QVBoxLayout(self.phone)
        phone.setContentsMargins(0, 0, 0, 0)
        phone.setSpacing(4)
        self.qr = QrCode(phone_link)
        self.qr_caption = make_label("footer")
        self.qr_caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        phone.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        phone.addWidget(self.qr_caption)
        self.phone.setVisible(bool(phone_link))
        header.addWidget(self.phone, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(header)

        self.faces: dict[int, FaceButton] = {}
        for code in fft.CODES:
            face = FaceButton(code)
            face.clicked.connect(lambda _=False, c=code: self.rated.emit(c))
            face.focused.connect(lambda c=code: self.face_focused.emit(c))
            self.faces[code] = face
        self.grid = FaceGrid(list(self.faces.values()))
        layout.addWidget(self.grid, 4)
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

    def set_mode(self, portrait: bool, large_text: bool, width: int, qr_side: int) -> None:
        """Lay the screen out for its shape and text size.

        A wide screen at normal size centres the question and a row of faces kept in
        proportion; a tall screen, or larger text, gives every spare pixel to the faces.
        """
        roomy = portrait or large_text
        spare = 0 if roomy else 1
        self._layout.setStretch(0, spare)
        self._layout.setStretch(self._layout.indexOf(self.grid) + 1, spare)
        tallest = int(width / len(self.faces) * TALLEST)
        self.grid.setMaximumHeight(QWIDGETSIZE_MAX if roomy else tallest)
        self.qr.setFixedSize(qr_side, qr_side)
        self.qr_caption.setFixedWidth(round(qr_side * 1.5))
        self.grid.set_mode(portrait, large_text)

    def arrange(self) -> None:
        """Place the faces again (the words' size or language changed)."""
        self.grid.arrange()

    def show_heard(self, code: int | None) -> None:
        for face_code, face in self.faces.items():
            face.set_heard(face_code == code)

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
        self.qr_caption.setText(survey.text("phone_prompt", language))
        # Named for what it is for, with the link itself for anyone who cannot scan it.
        self.qr.setAccessibleName(survey.text("phone_qr_name", language))
        self.qr.setAccessibleDescription(self.qr.data)

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
