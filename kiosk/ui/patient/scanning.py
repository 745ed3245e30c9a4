"""One-switch scanning (``[accessibility] switch_scanning``): the focus ring steps through the
controls on screen on a timer, in ``kiosk.reading_order``'s cycle, and one key, the switch,
presses the ringed control. It waits while read-aloud reads a screen out."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from kiosk.reading_order import scan_next, scan_start
from kiosk.ui.timers import Timer

#: ``[accessibility] scan_key`` to the keys a switch interface may send for it.
SCAN_KEYS = {
    "space": (Qt.Key.Key_Space,),
    "return": (Qt.Key.Key_Return, Qt.Key.Key_Enter),
}


class SwitchScanner(QObject):
    """Steps the focus through *controls* and presses the focused one when the switch is hit.

    Attributes:
        timer: the repeating ``switch-scan`` timer; each timeout moves the highlight on.
        keys: the keys that count as the switch.
    """

    def __init__(
        self,
        parent: QObject,
        controls: Callable[[], tuple[Sequence[QWidget], Sequence[bool]]],
        seconds: float,
        key: str,
        hold: Callable[[], bool] = lambda: False,
    ) -> None:
        """:param controls: the controls on screen in reading order, and for each whether it
        belongs to the screen itself (not the top bar); none while staff have the screen.
        :param hold: whether the highlight should wait where it is (a screen is being read).
        """
        super().__init__(parent)
        self._controls = controls
        self._hold = hold
        self.keys = SCAN_KEYS[key]
        self.timer = Timer("switch-scan", round(seconds * 1000), parent=self)
        self.timer.timeout.connect(self.step)

    def watch(self) -> None:
        """Start hearing the switch (the application must exist by now)."""
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def restart(self) -> None:
        """A new screen: highlight its first control (the answers, before the top bar)."""
        controls, own = self._controls()
        if controls:
            controls[scan_start(own)].setFocus(Qt.FocusReason.OtherFocusReason)
            self.timer.start()
        else:
            self.timer.stop()

    def step(self) -> None:
        """Move the highlight to the next control, round to the first after the last."""
        focus = QApplication.focusWidget()
        if focus is not None and focus.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled):
            return  # someone tapped into the comment box and is typing: leave them be
        if self._hold():
            return
        controls, _ = self._controls()
        current = controls.index(focus) if focus in controls else None
        following = scan_next(current, len(controls))
        if following is not None:
            # As Tab would: with read-aloud on, a face the highlight reaches is read out.
            controls[following].setFocus(Qt.FocusReason.TabFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() not in self.keys or event.isAutoRepeat():
            return False
        focus = QApplication.focusWidget()
        controls, _ = self._controls()
        if not isinstance(focus, QAbstractButton) or focus not in controls:
            return False
        # The highlight rests a whole step on whatever the press brought up.
        self.timer.start()
        focus.click()
        return True
