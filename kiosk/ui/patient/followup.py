"""The follow-up screen: a prompt that fits the answer, theme chips and an optional comment,
with Skip and Send always in view and a "More below" bar whenever the rest is out of sight."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QIcon,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QShowEvent,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.store import COMMENT_LIMIT
from kiosk.survey import Survey
from kiosk.ui.widgets.chip_rows import ChipRows
from kiosk.ui.widgets.labels import make_button, make_label, set_words
from sync import fft

MARGIN = 32


def chevron(colour: str, side: int) -> QIcon:
    """A downward chevron, the "More below" bar's arrow."""
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(colour), max(3, side // 7))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    top, middle = side * 0.35, side * 0.7
    painter.drawPolyline(
        [QPointF(side * 0.2, top), QPointF(side / 2, middle), QPointF(side * 0.8, top)]
    )
    painter.end()
    return QIcon(pixmap)


class FollowUpScreen(QWidget):
    """Asks what was good, or what could be better.

    Attributes:
        chips: theme id to its checkable button.
        comment: the free-text box (at most ``COMMENT_LIMIT`` characters).
        more_below: shown while part of the screen is below the fold; pressed, it scrolls.

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
        outer.setContentsMargins(0, 0, 0, 16)
        outer.setSpacing(8)
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
        layout.setContentsMargins(MARGIN, 12, MARGIN, 4)
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
        self.chip_rows = ChipRows(list(self.chips.values()))
        layout.addLayout(self.chip_rows)

        self.comment_label = make_label("body")
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("comment")
        self.comment.setTabChangesFocus(True)
        self.comment.textChanged.connect(self._on_text_changed)
        self.comment_label.setBuddy(self.comment)
        self.counter = make_label("hint")
        self.counter.setObjectName("comment-counter")
        self.counter.setWordWrap(False)  # "0 of 1000 characters" on one line, beside the hint
        self.comment_hint = make_label("hint")
        layout.addWidget(self.comment_label)
        layout.addWidget(self.comment)
        below = QHBoxLayout()
        below.addWidget(self.comment_hint, 1)
        below.addWidget(self.counter)
        layout.addLayout(below)
        layout.addStretch(1)  # on a tall screen, the room to spare goes below, not between

        # Not a scroll bar only: a bar with words that says there is more, and scrolls to it.
        # Its row is kept while the screen overflows, so that it going at the bottom and
        # coming back moves nothing under the patient's finger.
        self.more_below = make_button("cue")
        self.more_below.setObjectName("more-below")
        self.more_below.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.more_below.clicked.connect(self._scroll_on)
        policy = self.more_below.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.more_below.setSizePolicy(policy)
        self.cue_row = QWidget()
        self.cue_row.setObjectName("more-below-row")
        cue = QHBoxLayout(self.cue_row)
        cue.setContentsMargins(MARGIN, 0, MARGIN, 0)
        cue.addWidget(self.more_below)
        self.cue_row.hide()
        outer.addWidget(self.cue_row)
        self.overflows = False
        bar = self.body_scroll.verticalScrollBar()
        bar.rangeChanged.connect(self._show_cue)
        bar.valueChanged.connect(self._show_cue)
        body.installEventFilter(self)  # its words or their size changed: ``_reflow`` again

        buttons = QHBoxLayout()
        buttons.setContentsMargins(MARGIN, 0, MARGIN, 0)
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

    def fit(self, arrow: str = "#005EB8") -> None:
        """Fit the current text size: three lines of comment, and the chips and "More below"
        for the screen's width; *arrow* is the colour of the "More below" bar's chevron."""
        # A fixed height, so the screen scrolls only when it must (large text): three lines
        # of text, and the box's border, padding and margins around them.
        box = self.comment
        frame = 2 * box.frameWidth() + 2 * round(box.document().documentMargin())
        box.setFixedHeight(box.fontMetrics().lineSpacing() * 3 + frame)
        self._resize_buttons()
        side = self.more_below.fontMetrics().height()
        self.more_below.setIcon(chevron(arrow, side))
        self.more_below.setIconSize(QSize(side, side))
        self._reflow()

    def _resize_buttons(self) -> None:
        # A new text size reaches the buttons through the stylesheet (on a hidden screen, only
        # once it shows), which leaves the sizes their layouts hold from before: ask again.
        for button in (*self.chips.values(), self.skip, self.send, self.more_below):
            button.updateGeometry()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._resize_buttons()
        self._reflow()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow()
        if self.comment.hasFocus():
            # Squeezed by an on-screen keyboard: once laid out, bring the typing back into view.
            QTimer.singleShot(0, self.show_comment)

    def _reflow(self) -> None:
        """Chips in as many rows as the width needs, and whether the screen overflows: worked
        out here and now from the words' sizes, not from a layout still settling."""
        body = self.body_scroll.widget()
        layout = body.layout() if body is not None else None
        outer = self.layout()
        if body is None or layout is None or outer is None:
            return
        margins = outer.contentsMargins()
        buttons = max(self.send.sizeHint().height(), self.skip.sizeHint().height())
        room = self.height() - margins.top() - margins.bottom() - outer.spacing() - buttons
        width = self.width()
        self.chip_rows.fit(width - 2 * MARGIN)
        overflows = layout.totalHeightForWidth(width) > room
        if overflows:  # the scroll bar takes its width from the chips and words
            width -= self.body_scroll.verticalScrollBar().sizeHint().width()
            self.chip_rows.fit(width - 2 * MARGIN)
        # The scroll area sizes its content by the least size, which knows nothing of words
        # that wrap: without this, a tall script is squeezed instead of scrolled to.
        body.setMinimumHeight(layout.totalHeightForWidth(width))
        self.overflows = overflows
        self.cue_row.setVisible(overflows)
        self._show_cue()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and watched is self.body_scroll.widget():
            self._reflow()
        return False

    def _show_cue(self) -> None:
        """Show "More below" while the screen overflows and its bottom is out of sight."""
        bar = self.body_scroll.verticalScrollBar()
        self.more_below.setVisible(self.overflows and bar.value() < bar.maximum())

    def _scroll_on(self) -> None:
        bar = self.body_scroll.verticalScrollBar()
        bar.setValue(bar.value() + bar.pageStep())

    def show_comment(self) -> None:
        """Scroll the comment box into view (the keyboard has taken the lower screen)."""
        top = self.comment_label.mapTo(self._body, QPoint(0, 0)).y()
        self.body_scroll.verticalScrollBar().setValue(top)

    def keep_in_view(self, old: QWidget | None, new: QWidget | None) -> None:
        """Scroll a newly focused chip or comment box into view (``QApplication.focusChanged``):
        Tab does this by itself, a switch's highlight and code do not."""
        if new is not None and self._body.isAncestorOf(new):
            self.body_scroll.ensureWidgetVisible(new, 24, 24)

    def begin(self, rating: int) -> None:
        """Start afresh for a respondent who gave *rating*."""
        self.rating = rating
        for chip in self.chips.values():
            chip.setChecked(False)
        self.comment.clear()
        self.body_scroll.verticalScrollBar().setValue(0)
        self._show_prompt()
        self._reflow()

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
        set_words(self.more_below, survey.text("more_below", language))
        self._show_count()
        self._reflow()

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
