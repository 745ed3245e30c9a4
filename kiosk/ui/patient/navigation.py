"""Getting round the patient screens without touching them: the focus ring, focus and an
announcement for each new screen or prompt, one-switch scanning, which controls are on screen
in reading order (``kiosk.reading_order``, mirrored for right-to-left), and each control
reached by Tab or the switch, for read-aloud to name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QStackedWidget, QWidget

from kiosk.config import AccessibilitySettings
from kiosk.ui.widgets.focus_ring import FocusRing

if TYPE_CHECKING:  # scanning loads only on a kiosk that has it switched on: start-up is short
    from kiosk.ui.patient.scanning import SwitchScanner


class Navigation(QObject):
    """Keyboard, switch and screen-reader access for the window's patient screens.

    Attributes:
        ring: the one focus indicator, drawn around whatever control has focus.
        scanner: one-switch scanning, None unless ``[accessibility] switch_scanning``.
        prompt: a layer over the screens (more time?) whose controls alone count while up.
        reached: called with each control of the window that Tab or the switch reaches.
    """

    def __init__(
        self,
        window: QWidget,
        topbar: QWidget,
        stack: QStackedWidget,
        settings: AccessibilitySettings,
        staff_has_screen: Callable[[], bool],
        radius_of: Callable[[QWidget], float],
        hold: Callable[[], bool] = lambda: False,
    ) -> None:
        """:param staff_has_screen: whether staff mode is up; the patient controls stand aside.
        :param radius_of: how round a control's corners are, for the ring to follow.
        :param hold: whether a switch's highlight should wait (read-aloud is reading).
        """
        super().__init__(window)
        self._window = window
        self._topbar = topbar
        self._stack = stack
        self._staff_has_screen = staff_has_screen
        self.prompt: QWidget | None = None
        self.reached: Callable[[QWidget], None] | None = None
        self.scanner: SwitchScanner | None = None
        if settings.switch_scanning:
            from kiosk.ui.patient.scanning import SwitchScanner

            self.scanner = SwitchScanner(
                self, self.controls_on_screen, settings.scan_seconds, settings.scan_key, hold
            )
        # Made last of the window's children, so that it is drawn over all the others.
        self.ring = FocusRing(window, radius_of)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self.ring.follow)

    def watch(self) -> None:
        """Start hearing the switch, once the application runs."""
        if self.scanner is not None:
            self.scanner.watch()
            self.scanner.restart()

    def follow_tab(self, on: bool) -> None:
        """Tell ``reached`` of each control Tab or the switch reaches, or stop (an event filter
        on the whole application costs every event something: only while read-aloud is on)."""
        app = QApplication.instance()
        if app is None:
            return
        app.removeEventFilter(self)
        if on:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.FocusIn
            and isinstance(event, QFocusEvent)
            and event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason)
            and isinstance(watched, QWidget)
            and watched.window() is self._window
            and self.reached is not None
        ):
            self.reached(watched)
        return False

    def enter_prompt(self, prompt: QWidget, first: QWidget, words: str) -> None:
        """A prompt over the screen: its first control takes the focus (a keyboard or switch
        user is on it at once) and screen readers are told its *words*."""
        from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

        self.prompt = prompt
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(first, words))
        if self.scanner is not None:
            self.scanner.restart()

    def enter_screen(self, heading: QLabel) -> None:
        """A new screen: its heading takes the focus, so nothing the last person focused stays
        focused and Tab starts from the top; screen readers are told; a switch starts on the
        screen's first control."""
        # Here, not at the top: QAccessible is a large type to load, and start-up is short.
        from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

        heading.setFocus(Qt.FocusReason.OtherFocusReason)
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(heading, heading.text()))
        if self.scanner is not None:
            self.scanner.restart()

    def staff_screen(self, screen: QWidget) -> None:
        """Staff have the window: their screen takes focus (the PIN pad hears typed digits),
        and a patient's switch has no say there."""
        if self.scanner is not None:
            self.scanner.timer.stop()
        screen.setFocus(Qt.FocusReason.OtherFocusReason)

    def controls_on_screen(self) -> tuple[list[QWidget], list[bool]]:
        """The controls a switch steps through, in reading order, and for each whether it is
        the screen's own rather than the top bar's; none while staff have the window."""
        from kiosk.reading_order import Box, reading_order

        if self._staff_has_screen():
            return [], []
        roots: tuple[QWidget, ...] = (self._topbar, self._stack.currentWidget() or self._stack)
        if self.prompt is not None and self.prompt.isVisible():
            roots = (self.prompt,)
        found: list[tuple[QWidget, bool]] = []
        for root in roots:
            found.extend(
                (button, root is not self._topbar)
                for button in root.findChildren(QAbstractButton)
                if button.isVisible() and button.isEnabled()
            )
        boxes = []
        for button, _ in found:
            corner = button.mapTo(self._window, QPoint(0, 0))
            boxes.append(Box(corner.x(), corner.y(), button.width(), button.height()))
        rtl = self._window.layoutDirection() == Qt.LayoutDirection.RightToLeft
        order = reading_order(boxes, rtl)
        return [found[i][0] for i in order], [found[i][1] for i in order]
