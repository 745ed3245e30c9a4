"""The Comments page: the period's comments, safeguarding ones pinned first in yellow, with
All / Positive / Negative filters (``kiosk.staff_comments`` picks and words them).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import KioskConfig
from kiosk.staff_comments import staff_comments
from kiosk.store import LocalStore
from kiosk.survey import Survey
from kiosk.ui.staff.pages.page import StaffPage
from kiosk.ui.widgets.labels import make_button, set_words
from sync import fft

FILTERS = {"All": tuple(fft.CODES), "Positive": fft.POSITIVE, "Negative": fft.NEGATIVE}
# The focus yellow and dark text of the NHS palette: a safeguarding comment cannot be missed.
PINNED_BACKGROUND = "#FFEB3B"
PINNED_TEXT = "#212B32"


class CommentsPage(StaffPage):
    """The period's comments.

    Attributes:
        comment_list: one item per comment, its heading line then its words.
        filter_buttons: All, Positive and Negative, by their words.
        codes: the answers whose comments are shown (the filter chosen).
    """

    title = "Comments"
    uses_period = True

    def __init__(
        self,
        store: LocalStore,
        config: KioskConfig,
        survey: Survey,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.config = config
        self.survey = survey
        self.codes: tuple[int, ...] = FILTERS["All"]
        self.period: tuple[date, date] | None = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        group = QButtonGroup(self)
        self.filter_buttons: dict[str, QPushButton] = {}
        for words, codes in FILTERS.items():
            button = make_button("chip", checkable=True)
            set_words(button, words)
            group.addButton(button)
            button.clicked.connect(lambda _=False, c=codes: self.set_filter(c))
            self.filter_buttons[words] = button
            row.addWidget(button)
        row.addStretch(1)
        self.filter_buttons["All"].setChecked(True)
        layout.addLayout(row)
        self.comment_list = QListWidget()
        self.comment_list.setObjectName("comment-list")
        self.comment_list.setWordWrap(True)
        layout.addWidget(self.comment_list, 1)

    def set_filter(self, codes: tuple[int, ...]) -> None:
        """Show only comments given with these answers, for the period last shown."""
        self.codes = codes
        if self.period is not None:
            self.refresh(*self.period)

    def refresh(self, first: date, last: date) -> None:
        self.period = (first, last)
        comments = staff_comments(
            self.store,
            self.survey,
            self.config.location.zone,
            self.config.staff.safeguarding_words,
            first,
            last,
            self.codes,
        )
        self.comment_list.clear()
        for comment in comments:
            item = QListWidgetItem(comment.text)
            if comment.safeguarding:
                item.setBackground(QColor(PINNED_BACKGROUND))
                item.setForeground(QColor(PINNED_TEXT))
            self.comment_list.addItem(item)
        if not comments:
            self.comment_list.addItem("No comments in this period.")
