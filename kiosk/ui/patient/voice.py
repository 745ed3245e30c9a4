"""Read-aloud on the patient screens: the voice loaded once the first frame is up, "Read aloud"
in the top bar only for a language a voice speaks, and each control Tab or a switch reaches
named aloud. What is read, and when, is the flow's (``kiosk.flow``, ``kiosk.read_aloud``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from kiosk.config import AccessibilitySettings
from kiosk.flow import PatientFlow
from kiosk.ui.patient.topbar import TopBar
from kiosk.ui.speech import Speech


class ReadAloud(QObject):
    """Ties the voice (``speech``) to the window's top bar and the flow's language.

    Attributes:
        speech: the text-to-speech engine and the voices it has for the survey's languages.
    """

    def __init__(
        self,
        window: QWidget,
        flow: PatientFlow,
        topbar: TopBar,
        first_screen: QWidget,
        settings: AccessibilitySettings,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._flow = flow
        self._topbar = topbar
        languages = [language.code for language in flow.survey.languages]
        self.speech = Speech(settings, languages, self)
        self.speech.voices_found.connect(self.show_button)
        topbar.read_aloud_toggled.connect(flow.set_read_aloud)
        # Not on the start-up path: the engine loads once the question has been painted.
        self._first_screen = first_screen
        first_screen.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._first_screen and event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.speech.start)
        return False

    def show_button(self) -> None:
        """Offer "Read aloud" for a language with a voice, on or off as the flow has it."""
        language = self._flow.language
        self._topbar.show_read_aloud(self.speech.has_voice(language), self._flow.read_aloud)
        self._topbar.fit(self._window.width())

    def speak(self, text: str) -> None:
        self.speech.say(text, self._flow.language)

    def reading(self) -> bool:
        """Whether read-aloud is on and the voice is speaking (a switch's highlight waits)."""
        return self._flow.read_aloud and self.speech.state == "speaking"

    def name_aloud(self, control: QWidget) -> None:
        """With read-aloud on, say the name of a control Tab or the switch reaches (a face
        says its number and words itself, through the flow)."""
        if self._flow.read_aloud and control.property("kind") != "face":
            self.speak(control.accessibleName())
