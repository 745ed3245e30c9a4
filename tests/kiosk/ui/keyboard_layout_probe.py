"""Run under Xvfb: in each language the kiosk offers, open the comment box with a tap and
report the layout Qt Virtual Keyboard then types in.

Used by test_keyboard.py. Prints "<language> <layout>" per language, then "available
<layouts...>" and "forgotten <times the keyboard dropped what it learnt>", and exits 0 when
every language got a keyboard on a layout.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ["QT_IM_MODULE"] = "qtvirtualkeyboard"

from PySide6.QtCore import SIGNAL, QEventLoop, QLocale, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk.app import create_kiosk
from kiosk.ui.patient.keyboard import _virtual_keyboard_settings


def wait_for(condition, timeout_ms: int = 10_000) -> bool:
    """Run the event loop until *condition* holds or *timeout_ms* pass."""
    waited = 0
    while not condition() and waited < timeout_ms:
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()
        waited += 50
    return bool(condition())


def visit_every_language(window, results: dict[str, str]) -> None:
    keyboard = QGuiApplication.inputMethod()
    forgotten = []
    for language in [lang.code for lang in window.survey.languages]:
        window.reset_for_next_person()
        wait_for(lambda: not keyboard.isVisible(), 3000)
        window.set_language(language)
        window.question.faces[2].click()
        QTest.mouseClick(window.followup.comment.viewport(), Qt.MouseButton.LeftButton)
        if not wait_for(keyboard.isVisible):
            results[language] = "none"
            continue
        settings = _virtual_keyboard_settings()
        if settings is not None and not forgotten:
            # Counts the keyboard being told to forget what it learnt, each time it closes.
            QObject.connect(settings, SIGNAL("userDataReset()"), lambda: forgotten.append(1))
            forgotten.append(0)
        layout = settings.property("locale") if settings is not None else ""
        # The keyboard reports the layout it has switched to as the input method's locale.
        wanted = QLocale(layout)
        settled = wait_for(lambda wanted=wanted: keyboard.locale() == wanted, 3000)
        results[language] = layout if settled else f"{layout}, not taken"
    settings = _virtual_keyboard_settings()
    available = settings.property("availableLocales") if settings is not None else []
    results["available"] = " ".join(available or [])
    results["forgotten"] = str(sum(forgotten))


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = create_kiosk(Path(sys.argv[1]), Path(sys.argv[2]))
    window.allow_close = True  # this probe quits the application itself
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    results: dict[str, str] = {}

    def run() -> None:
        visit_every_language(window, results)
        app.quit()

    QTimer.singleShot(500, run)
    app.exec()
    window.store.close()
    for language, layout in results.items():
        print(language, layout, flush=True)
    codes = [lang.code for lang in window.survey.languages]
    done = all(results.get(code, "none").count("_") == 1 for code in codes)
    return 0 if done and results.get("available") else 1


if __name__ == "__main__":
    sys.exit(main())
