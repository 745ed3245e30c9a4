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
    window.resize(1280, 800)
    window.show()
    window.question.faces[2].click()
    window.activateWindow()

    def touch_comment_box() -> None:
        # A tap, as a patient would: Qt asks for the software keyboard on a click.
        QTest.mouseClick(window.followup.comment.viewport(), Qt.MouseButton.LeftButton)

    result = {"visible": False}

    def poll() -> None:
        if QGuiApplication.inputMethod().isVisible():
            result["visible"] = True
            app.quit()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(100)
    QTimer.singleShot(20_000, app.quit)
    QTimer.singleShot(500, touch_comment_box)
    app.exec()
    window.store.close()
    print("keyboard visible" if result["visible"] else "keyboard not visible")
    return 0 if result["visible"] else 1


if __name__ == "__main__":
    sys.exit(main())
