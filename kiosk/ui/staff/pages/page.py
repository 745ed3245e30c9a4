"""What every staff page is: a widget under a button that shows a period's figures on refresh.

Pages that do not depend on the period (ward controls, settings...) take it and ignore it.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from PySide6.QtWidgets import QWidget


class StaffPage(QWidget):
    """One page of the staff screen.

    Attributes:
        title: the words on its button, which also name it.
        uses_period: the period buttons apply to it, so they are shown with it.
    """

    title: ClassVar[str] = ""
    uses_period: ClassVar[bool] = False

    def refresh(self, first: date, last: date) -> None:
        """Show the latest figures for ward dates *first* to *last* (by default, nothing to do)."""

    def arrange(self, portrait: bool) -> None:
        """Lay out for a tall screen (*portrait*) or a wide one (by default, either will do)."""
