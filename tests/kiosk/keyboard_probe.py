"""Run under Xvfb: focus the comment box and report whether Qt Virtual Keyboard showed.

Used by test_app.py; prints "keyboard visible" and exits 0 when it did.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ["QT_IM_MODULE"] = "qtvirtualkeyboard"

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk.app import create_kiosk


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = create_kiosk(Path(sys.argv[1]), Path(sys.argv[2]))
    window.allow_close = True  # this probe quits the application itself
    window.resize(1280, 800)
    window.show()
    window.question.faces[2].click()
    window.activateWindow()

    def touch_comment_box() -> None:
        # A tap, as a patient would: Qt asks for the software keyboard on a click.
        QTest.mouseClick(window.followup.comment.viewport(), Qt.MouseButton.LeftButton)

    result = {"visible": False}

    def poll() -> None:
        keyboard = QGuiApplication.inputMethod()
        if keyboard.isVisible() and not result["visible"]:
            result["visible"] = True
            QTimer.singleShot(500, check_room)

    def check_room() -> None:
        # What is being typed, and Send, must sit above the keyboard, not under it.
        top = QGuiApplication.inputMethod().keyboardRectangle().top()
        for name, widget in (("comment", window.followup.comment), ("send", window.followup.send)):
            bottom = widget.mapTo(window, widget.rect().bottomLeft()).y()
            print(f"{name} bottom {bottom} keyboard top {top:.0f}")
            result[f"{name} above"] = widget.isVisible() and bottom <= top
        app.quit()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(100)
    QTimer.singleShot(20_000, app.quit)
    QTimer.singleShot(500, touch_comment_box)
    app.exec()
    window.store.close()
    print("keyboard visible" if result["visible"] else "keyboard not visible")
    return 0 if all(result.values()) and len(result) == 3 else 1


if __name__ == "__main__":
    sys.exit(main())
