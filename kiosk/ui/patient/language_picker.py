"""The language picker: every language the kiosk offers as a grid of big buttons over the whole
patient screen, for a ward with more languages than fit along the top bar. "Language" in the
top bar opens it (``kiosk.ui.patient.language_button``)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from PySide6.QtCore import QLocale, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.flow import PatientFlow
from kiosk.survey import Survey
from kiosk.ui.fonts import language_font
from kiosk.ui.patient.navigation import Navigation
from kiosk.ui.patient.topbar import TopBar
from kiosk.ui.widgets.labels import make_button, make_label, set_words

MARGIN = 32
GAP = 16


def grid_columns(count: int, width: int, height: int) -> int:
    """How many columns *count* buttons take on a *width* x *height* screen: about twice as
    wide as tall (room for the longest name), so 4 x 4 across a tablet, 2 x 8 on one upright."""
    if count <= 1 or width <= 0 or height <= 0:
        return 1
    return max(1, min(count, round(math.sqrt(count * width / height / 2))))


class LanguagePicker(QWidget):
    """A screen of its own in the window's stack: a heading and one button per language.

    Each button is named, drawn (its own font) and tagged (its own locale) in its language,
    whatever the screen's language, so a patient finds their own script among the others. The
    language on screen is shown chosen. Choosing any language, the one on screen included,
    closes it; so does Escape. It is a screen like the others for Tab, the switch and screen
    readers: its buttons alone are on screen while it is up.

    Attributes:
        heading: "Language", in the language on screen; focus goes to it when it opens.
        buttons: language code to its button, in the survey's order.

    Signals:
        chosen(str): a language was pressed (its code).
        dismissed(): Escape: back to the screen it was opened from, nothing changed.
    """

    chosen = Signal(str)
    dismissed = Signal()

    def __init__(self, survey: Survey, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("language-picker")
        self.setProperty("screen", True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN, 24, MARGIN, MARGIN)
        layout.setSpacing(24)
        self.heading = make_label("heading")
        self.heading.setObjectName("language-picker-heading")
        layout.addWidget(self.heading)
        self._grid = QGridLayout()
        self._grid.setSpacing(GAP)
        layout.addLayout(self._grid, 1)
        self.buttons: dict[str, QPushButton] = {}
        for language in survey.languages:
            button = make_button("chip", checkable=True)
            button.setObjectName(f"language-{language.code}")
            set_words(button, language.name)
            button.setLocale(QLocale(language.code))
            button.setFont(language_font(language.font))
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.clicked.connect(lambda _=False, c=language.code: self._choose(c))
            self.buttons[language.code] = button
        self._columns = 0
        self.arrange(4)

    def arrange(self, columns: int) -> None:
        """Lay the buttons out in *columns*, row by row in the survey's order (mirrored for a
        right-to-left language by the layout itself)."""
        if columns == self._columns:
            return
        self._columns = columns
        for index, button in enumerate(self.buttons.values()):
            self._grid.removeWidget(button)
            self._grid.addWidget(button, index // columns, index % columns)
        for column in range(self._grid.columnCount()):
            self._grid.setColumnStretch(column, 1 if column < columns else 0)

    def fit(self, width: int, height: int, base_px: int) -> None:
        """Lay the grid out for a *width* x *height* window whose body text is *base_px*: each
        name as large as a heading where its button has the room (a name is the one thing on
        it), never smaller than body text."""
        columns = grid_columns(len(self.buttons), width, height)
        self.arrange(columns)
        rows = math.ceil(len(self.buttons) / columns)
        cell = (height - 2 * MARGIN - 3 * base_px - (rows - 1) * GAP) // max(1, rows)
        size = max(base_px, min(round(base_px * 1.6), round(cell * 0.3)))
        # The window's stylesheet sizes every button's words; this one is the picker's own.
        style = f"QPushButton {{ font-size: {size}px; }}"
        if self.styleSheet() != style:
            self.setStyleSheet(style)

    def show_text(self, survey: Survey, language: str) -> None:
        set_words(self.heading, survey.text("choose_language", language))
        for code, button in self.buttons.items():
            button.setChecked(code == language)

    def _choose(self, code: str) -> None:
        for language, button in self.buttons.items():
            button.setChecked(language == code)
        self.chosen.emit(code)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.dismissed.emit()
        else:
            super().keyPressEvent(event)


class PickerScreen(QObject):
    """Puts the picker up as a screen of the window's stack, the top bar hidden, and takes it
    down again: back to the screen it was opened from, unless the flow has moved on.

    Attributes:
        before: the screen the picker was opened from while it is up, else None.
    """

    def __init__(
        self,
        picker: LanguagePicker,
        topbar: TopBar,
        stack: QStackedWidget,
        navigation: Navigation,
        headings: Iterable[QLabel],
        flow: PatientFlow,
    ) -> None:
        """:param headings: each patient screen's heading (a child of it), which takes the
        focus when the picker goes.
        :param flow: told of the language chosen; whether the ward is paused (no top bar).
        """
        super().__init__(picker)
        self._picker, self._topbar, self._stack = picker, topbar, stack
        self._navigation, self._flow = navigation, flow
        self._headings = {self._screen_of(heading): heading for heading in headings}
        self.before: QWidget | None = None
        topbar.languages_wanted.connect(self.open)
        picker.chosen.connect(self._chosen)
        picker.dismissed.connect(self.close)

    def _screen_of(self, widget: QWidget) -> QWidget:
        while (parent := widget.parentWidget()) is not None and parent is not self._stack:
            widget = parent
        return widget

    def open(self) -> None:
        if self.before is not None:
            return
        self.before = self._stack.currentWidget()
        self._topbar.hide()
        self._stack.setCurrentWidget(self._picker)
        self._navigation.enter_screen(self._picker.heading)

    def close(self, focus: bool = True) -> None:
        """Back to the screen it was opened from; *focus* that screen's heading and announce
        it (not when the flow is putting up a screen of its own)."""
        before, self.before = self.before, None
        if before is None:
            return
        self._stack.setCurrentWidget(before)
        self._topbar.setVisible(not self._flow.paused)
        if focus:
            self._enter_current()

    def _chosen(self, code: str) -> None:
        self.close(focus=False)  # first, so that the screen is announced in its language
        self._flow.choose_language(code)
        self._enter_current()

    def _enter_current(self) -> None:
        heading = self._headings.get(self._stack.currentWidget() or self._picker)
        if heading is not None:
            self._navigation.enter_screen(heading)
