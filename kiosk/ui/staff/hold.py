"""Press and hold: a gesture a patient will not make by chance, on a widget that looks inert."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QWidget

from kiosk.ui.timers import Timer

HOLD_MS = 3_000


class HoldToOpen(QObject):
    """Watches *target*; emits ``held`` once a press has lasted ``HOLD_MS`` without release.

    Attributes:
        timer: the single-shot ``staff-hold`` timer.
    """

    held = Signal()

    def __init__(self, target: QWidget, hold_ms: int = HOLD_MS) -> None:
        super().__init__(target)
        self.timer = Timer("staff-hold", hold_ms, single_shot=True, parent=self)
        self.timer.timeout.connect(self.held)
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self.timer.start()
        elif kind in (
            QEvent.Type.MouseButtonRelease,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
            QEvent.Type.Leave,
            QEvent.Type.Hide,
        ):
            self.timer.stop()
        return False
