"""The follow-up screen: a prompt that fits the answer, theme chips and an optional comment."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from kiosk.store import COMMENT_LIMIT
from kiosk.survey import Survey
from kiosk.ui.widgets.button_rows import ButtonRows
from kiosk.ui.widgets.labels import make_button, make_label, set_words
from sync import fft


class FollowUpScreen(QWidget):
    """Asks what was good, or what could be better.

    Attributes:
        chips: theme id to its checkable button.
        comment: the free-text box (at most ``COMMENT_LIMIT`` characters).

    Signals:
        sent(list, str): "Send" with the chosen theme ids and the comment.
        skipped(): "Skip".
    """

    sent = Signal(list, str)
    skipped = Signal()

    def __init__(self, survey: Survey, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("followup-screen")
        self.setProperty("screen", True)
        self.rating: int | None = None
        self._language = survey.default_language
        self._survey = survey
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 24)
        # Large text, or a tall script such as Nastaliq, may not fit the screen: the questions
        # scroll (by finger too) while Send and Skip stay in place below them.
        self.body_scroll = QScrollArea()
        self.body_scroll.setObjectName("followup-scroll")
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Not a Tab stop of its own (an unnamed stop between the answer and the chips); it
        # still scrolls whatever gains focus into view (``keep_in_view``).
        self.body_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.body_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        touch = QScroller.ScrollerGestureType.TouchGesture
        QScroller.grabGesture(self.body_scroll.viewport(), touch)
        body = QWidget()
        body.setProperty("screen", True)
        self._body = body
        self.body_scroll.setWidget(body)
        outer.addWidget(self.body_scroll, 1)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(32, 16, 32, 8)
        layout.setSpacing(8)
        self.prompt = make_label("heading")
        self.prompt.setObjectName("followup-prompt")
        self.themes_hint = make_label("hint")
        layout.addWidget(self.prompt)
        layout.addWidget(self.themes_hint)

        self.chips: dict[str, QPushButton] = {}
        for theme in survey.themes:
            chip = make_button("chip", checkable=True)
            chip.setObjectName(f"theme-{theme.id}")
            self.chips[theme.id] = chip
        self.chips_grid = ButtonRows(list(self.chips.values()))
        self.chips_grid.set_columns(4)
        layout.addLayout(self.chips_grid)

        self.comment_label = make_label("body")
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("comment")
        self.comment.setTabChangesFocus(True)
        self.comment.textChanged.connect(self._on_text_changed)
        self.comment_label.setBuddy(self.comment)
        self.counter = make_label("hint")
        self.counter.setObjectName("comment-counter")
        self.comment_hint = make_label("hint")
        layout.addWidget(self.comment_label)
        layout.addWidget(self.comment)
        below = QHBoxLayout()
        below.addWidget(self.comment_hint, 1)
        below.addWidget(self.counter)
        layout.addLayout(below)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(32, 0, 32, 0)
        self.skip = make_button("secondary")
        self.skip.setObjectName("skip")
        self.send = make_button("primary")
        self.send.setObjectName("send")
        self.skip.clicked.connect(self.skipped)
        self.send.clicked.connect(lambda: self.sent.emit(*self.answers()))
        buttons.addWidget(self.skip)
        buttons.addStretch(1)
        buttons.addWidget(self.send)
        outer.addLayout(buttons)

    def fit(self, width: int) -> None:
        """Fit the current text size: three lines of comment, as many chips to a row as fit
        across *width* (at most four)."""
        # A fixed height, so the screen scrolls only when it must (large text, Nastaliq).
        # Four lines' height: three lines of text plus the box's padding and border.
        self.comment.setFixedHeight(self.comment.fontMetrics().lineSpacing() * 4)
        self.chips_grid.fit(width - 2 * 32, most=4)  # less the body's margins

    def show_comment(self) -> None:
        """Scroll the comment box into view (the keyboard has taken the lower screen)."""
        top = self.comment_label.mapTo(self._body, QPoint(0, 0)).y()
        self.body_scroll.verticalScrollBar().setValue(top)

    def keep_in_view(self, old: QWidget | None, new: QWidget | None) -> None:
        """Scroll a newly focused chip or comment box into view (``QApplication.focusChanged``):
        Tab does this by itself, a switch's highlight and code do not."""
        if new is not None and self._body.isAncestorOf(new):
            self.body_scroll.ensureWidgetVisible(new, 24, 24)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.comment.hasFocus():
            # Squeezed by an on-screen keyboard: once laid out, bring the typing back into view.
            QTimer.singleShot(0, self.show_comment)

    def begin(self, rating: int) -> None:
        """Start afresh for a respondent who gave *rating*."""
        self.rating = rating
        for chip in self.chips.values():
            chip.setChecked(False)
        self.comment.clear()
        self.body_scroll.verticalScrollBar().setValue(0)
        self._show_prompt()

    def answers(self) -> tuple[list[str], str]:
        """What has been given so far: chosen theme ids and the comment as typed."""
        themes = [theme for theme, chip in self.chips.items() if chip.isChecked()]
        return themes, self.comment.toPlainText()

    def show_text(self, survey: Survey, language: str) -> None:
        self._survey, self._language = survey, language
        self._show_prompt()
        self.themes_hint.setText(survey.text("themes_hint", language))
        for theme_id, chip in self.chips.items():
            set_words(chip, survey.theme_text(theme_id, language))
        set_words(self.comment_label, survey.text("comment_label", language))
        self.comment.setAccessibleName(survey.text("comment_label", language))
        self.comment_hint.setText(survey.text("comment_hint", language))
        set_words(self.send, survey.text("send", language))
        set_words(self.skip, survey.text("skip", language))
        self._show_count()

    def _show_prompt(self) -> None:
        key = "followup_positive" if self.rating in fft.POSITIVE else "followup_negative"
        self.prompt.setText(self._survey.text(key, self._language))

    def _on_text_changed(self) -> None:
        text = self.comment.toPlainText()
        if len(text) > COMMENT_LIMIT:
            # Typed or pasted past the limit: keep the first COMMENT_LIMIT characters.
            self.comment.blockSignals(True)
            self.comment.setPlainText(text[:COMMENT_LIMIT])
            self.comment.moveCursor(QTextCursor.MoveOperation.End)
            self.comment.blockSignals(False)
        self._show_count()

    def _show_count(self) -> None:
        self.counter.setText(
            self._survey.text(
                "characters",
                self._language,
                count=len(self.comment.toPlainText()),
                limit=COMMENT_LIMIT,
            )
        )
        # A screen reader in the box hears the privacy request and the count, not only the
        # label: they are words beside the box, which it would otherwise never reach.
        self.comment.setAccessibleDescription(f"{self.comment_hint.text()} {self.counter.text()}")
