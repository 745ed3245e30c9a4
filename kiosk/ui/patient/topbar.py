"""The bar along the top of every patient screen: language, easy read (and "For grown-ups" on a
children's ward), larger text, high contrast and read-aloud; in one row, or two (languages and
versions above the rest) when one is too narrow for them.

A ward offering a few languages has a button for each along the bar; one offering more has a
single "Language" button that opens the picker (``kiosk.ui.patient.language_picker``).
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QPushButton, QWidget

from kiosk.survey import Survey
from kiosk.ui.fonts import language_font
from kiosk.ui.patient.language_button import LanguageButton
from kiosk.ui.widgets.labels import make_button, set_words
from kiosk.versions import CHILDREN, EASY_READ, STANDARD, SurveyVersions

#: Up to this many languages, each has its own button along the bar (one tap to switch);
#: beyond, they do not fit beside the other controls and the picker offers them.
INLINE_LANGUAGES = 3


class TopBar(QWidget):
    """Language switcher, survey versions and accessibility toggles.

    Each language button is a Tab stop of its own, pressed like any other button (Space,
    Return, Enter); an arrow key only moves focus. It is named, drawn and tagged (its locale)
    in its own language, whatever the screen's language.

    "Easy read" (on: the easy-read version) is offered to anyone; "For grown-ups" (on: the
    standard question) only on a children's ward. "Read aloud" shows only for a language with
    a voice installed.

    Attributes:
        language_buttons: one per language along the bar, by code; empty where the ward offers
            more than ``INLINE_LANGUAGES`` and ``languages`` opens the picker instead.
        languages: "Language", hidden unless the picker offers the languages.
        easy_read, grown_ups: the version toggles, each hidden where not offered in the
            language on screen.

    Signals:
        language_chosen(str): a language button was pressed (its code).
        languages_wanted(): "Language" was pressed: open the picker.
        easy_read_toggled(bool), grown_ups_toggled(bool), large_text_toggled(bool),
            high_contrast_toggled(bool), read_aloud_toggled(bool): a toggle changed.
    """

    language_chosen = Signal(str)
    languages_wanted = Signal()
    easy_read_toggled = Signal(bool)
    grown_ups_toggled = Signal(bool)
    large_text_toggled = Signal(bool)
    high_contrast_toggled = Signal(bool)
    read_aloud_toggled = Signal(bool)

    def __init__(
        self,
        survey: Survey,
        versions: SurveyVersions | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("TopBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._rows = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._rows.setContentsMargins(16, 10, 16, 10)
        self._rows.setSpacing(12)
        layout = QHBoxLayout()
        layout.setSpacing(12)
        self._rows.addLayout(layout)
        # Not a QButtonGroup: an exclusive group is one Tab stop whose arrow keys switch the
        # language at once, under a patient who only meant to move on.
        self.language_buttons: dict[str, QPushButton] = {}
        inline = len(survey.languages) <= INLINE_LANGUAGES
        for language in survey.languages if inline else ():
            button = make_button("bar", checkable=True)
            set_words(button, language.name)
            button.setObjectName(f"language-{language.code}")
            button.setLocale(QLocale(language.code))
            button.setFont(language_font(language.font))
            self.language_buttons[language.code] = button
            button.clicked.connect(lambda _=False, c=language.code: self._choose(c))
            layout.addWidget(button)
        if len(survey.languages) < 2:
            for button in self.language_buttons.values():
                button.hide()
        self.languages = LanguageButton()
        self.languages.setObjectName("languages")
        self.languages.clicked.connect(self.languages_wanted)
        self.languages.setVisible(not inline)
        layout.addWidget(self.languages)
        self._versions = versions or SurveyVersions(survey)
        self.easy_read = make_button("bar", checkable=True)
        self.easy_read.setObjectName("easy-read")
        self.easy_read.toggled.connect(self.easy_read_toggled)
        self.grown_ups = make_button("bar", checkable=True)
        self.grown_ups.setObjectName("for-grown-ups")
        self.grown_ups.toggled.connect(self.grown_ups_toggled)
        for toggle in (self.easy_read, self.grown_ups):
            layout.addWidget(toggle)
        layout.addStretch(1)
        toggles = QHBoxLayout()
        toggles.setSpacing(12)
        toggles.addStretch(1)
        self._rows.addLayout(toggles)
        self.large_text = make_button("bar", checkable=True)
        self.large_text.setObjectName("large-text")
        self.large_text.toggled.connect(self.large_text_toggled)
        self.high_contrast = make_button("bar", checkable=True)
        self.high_contrast.setObjectName("high-contrast")
        self.high_contrast.toggled.connect(self.high_contrast_toggled)
        self.read_aloud = make_button("bar", checkable=True)
        self.read_aloud.setObjectName("read-aloud")
        self.read_aloud.toggled.connect(self.read_aloud_toggled)
        # Hidden until a voice for the language on screen is known, but its room kept: the
        # voices load after the first frame, and nothing may move under a finger when they do.
        policy = self.read_aloud.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.read_aloud.setSizePolicy(policy)
        self.read_aloud.hide()
        for toggle in (self.large_text, self.high_contrast, self.read_aloud):
            toggles.addWidget(toggle)

    def fit(self, width: int) -> None:
        """One row if everything fits across *width*, else the languages and versions above the
        rest. "Read aloud" counts even while hidden, so the bar is the same with a voice or
        without."""
        first = [*self.language_buttons.values(), self.languages, self.easy_read, self.grown_ups]
        shown = [b for b in first if not b.isHidden()]
        buttons = [*shown, self.large_text, self.high_contrast, self.read_aloud]
        spacing = self._rows.spacing()
        margins = self._rows.contentsMargins()
        needed = sum(b.sizeHint().width() + spacing for b in buttons) + spacing
        needed += margins.left() + margins.right()
        two_rows = needed > width
        self._rows.setDirection(
            QBoxLayout.Direction.TopToBottom if two_rows else QBoxLayout.Direction.LeftToRight
        )

    def set_colours(self, text: str, side: int) -> None:
        """Draw the globe in the bar's *text* colour, *side* pixels square."""
        self.languages.set_globe(text, side)

    def show_read_aloud(self, available: bool, on: bool) -> None:
        """Offer read-aloud if *available* (a voice speaks the language), on or off."""
        self.read_aloud.blockSignals(True)
        self.read_aloud.setChecked(on and available)
        self.read_aloud.blockSignals(False)
        self.read_aloud.setVisible(available)

    def _choose(self, code: str) -> None:
        self._check_language(code)  # pressing the current language again leaves it chosen
        self.language_chosen.emit(code)

    def _check_language(self, code: str) -> None:
        for language, button in self.language_buttons.items():
            button.setChecked(language == code)

    def show_state(
        self, survey: Survey, language: str, large_text: bool, high_contrast: bool
    ) -> None:
        """Reflect the current choices without emitting signals: *survey* is the version on
        screen, whose words the bar shows too."""
        self._check_language(language)
        versions = self._versions
        self.easy_read.setVisible(versions.offers_easy_read(language))
        self.grown_ups.setVisible(versions.offers_grown_ups(language))
        grown_ups = versions.default.kind == CHILDREN and survey.kind == STANDARD
        for toggle, on in (
            (self.large_text, large_text),
            (self.high_contrast, high_contrast),
            (self.easy_read, survey.kind == EASY_READ),
            (self.grown_ups, grown_ups),
        ):
            toggle.blockSignals(True)
            toggle.setChecked(on)
            toggle.blockSignals(False)
        set_words(self.languages, survey.text("choose_language", language))
        set_words(self.easy_read, survey.text("easy_read", language))
        set_words(self.grown_ups, survey.text("for_grown_ups", language))
        set_words(self.large_text, survey.text("large_text", language))
        set_words(self.high_contrast, survey.text("high_contrast", language))
        set_words(self.read_aloud, survey.text("read_aloud", language))
