"""One timer type for the whole UI: every QTimer has a name, as qutebrowser's ``usertypes.Timer``.

The name is the timer's object name, so tests find it with ``findChild`` and a log line or a
``repr`` says which timer it was ("idle-reset", not "<QTimer at 0x7f...>").
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer


class Timer(QTimer):
    """A QTimer with a name.

    Attributes:
        name: the object name, e.g. ``idle-reset``; shown by ``repr``.
    """

    def __init__(
        self,
        name: str,
        interval_ms: int = 0,
        *,
        single_shot: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setInterval(interval_ms)
        self.setSingleShot(single_shot)

    @property
    def name(self) -> str:
        return self.objectName()

    def __repr__(self) -> str:
        shot = "single-shot" if self.isSingleShot() else "repeating"
        state = "active" if self.isActive() else "stopped"
        return f"<Timer {self.name!r} {self.interval()} ms {shot} {state}>"
