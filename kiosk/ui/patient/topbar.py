"""The bar along the top of every patient screen: language, larger text, high contrast."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QWidget

from kiosk.survey import Survey
from kiosk.ui.widgets.labels import make_button, set_words


class TopBar(QWidget):
    """Language switcher and accessibility toggles.

    Signals:
        language_chosen(str): a language button was pressed (its code).
        large_text_toggled(bool), high_contrast_toggled(bool): a toggle changed.
    """

    language_chosen = Signal(str)
    large_text_toggled = Signal(bool)
    high_contrast_toggled = Signal(bool)

    def __init__(self, survey: Survey, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TopBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(12)
        self.languages = QButtonGroup(self)
        self.language_buttons: dict[str, QPushButton] = {}
        for language in survey.languages:
            button = make_button("bar", checkable=True)
            set_words(button, language.name)
            button.setObjectName(f"language-{language.code}")
            self.languages.addButton(button)
            self.language_buttons[language.code] = button
            button.clicked.connect(lambda _=False, c=language.code: self.language_chosen.emit(c))
            layout.addWidget(button)
        if len(survey.languages) < 2:
            for button in self.language_buttons.values():
                button.hide()
        layout.addStretch(1)
        self.large_text = make_button("bar", checkable=True)
        self.large_text.setObjectName("large-text")
        self.large_text.toggled.connect(self.large_text_toggled)
        self.high_contrast = make_button("bar", checkable=True)
        self.high_contrast.setObjectName("high-contrast")
        self.high_contrast.toggled.connect(self.high_contrast_toggled)
        layout.addWidget(self.large_text)
        layout.addWidget(self.high_contrast)

    def show_state(
        self, survey: Survey, language: str, large_text: bool, high_contrast: bool
    ) -> None:
        """Reflect the current choices without emitting signals."""
        self.language_buttons[language].setChecked(True)
        for toggle, on in ((self.large_text, large_text), (self.high_contrast, high_contrast)):
            toggle.blockSignals(True)
            toggle.setChecked(on)
            toggle.blockSignals(False)
        set_words(self.large_text, survey.text("large_text", language))
        set_words(self.high_contrast, survey.text("high_contrast", language))
