"""Render the question and the follow-up in Polish, Arabic, Bengali, Chinese and Tamil, and in
the easy-read and children's versions, at 1280x800 and 800x1280; and the language picker.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/render_languages.py [OUT_DIR]

Into docs/screenshots/languages/ unless OUT_DIR is given. The pictures are for a patient who
reads that script to look at: every word whole, no empty boxes for a missing letter, Arabic
laid out from the right, the answers big.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from kiosk.app import create_kiosk
from kiosk.ui.window import KioskWindow

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render import wait_for_voices  # docs/screenshots/render.py, beside this one

SIZES = [(1280, 800), (800, 1280)]
SIXTEEN = ["en", "cy", "pl", "ro", "pa", "ur", "pt", "es", "ar", "bn", "gu", "zh-Hans", "lt"]
SIXTEEN += ["ta", "tr", "so"]
#: (picture name, survey id, language): the standard question in five scripts, then the
#: easy-read and children's versions.
SHOTS = [
    ("pl", "fft-inpatient", "pl"),
    ("ar", "fft-inpatient", "ar"),
    ("bn", "fft-inpatient", "bn"),
    ("zh-Hans", "fft-inpatient", "zh-Hans"),
    ("ta", "fft-inpatient", "ta"),
    ("easy-read", "fft-easy-read", "en"),
    ("children", "fft-children", "en"),
]
CONFIG = """
[location]
org_code = "RWD"
site_code = "RWDLA"
ward_name = "Ward 7 Acute Medicine"
display_name = "Ward 7"

[survey]
id = "{survey}"
languages = {languages}
phone_link = "https://example.nhs.uk/feedback/ward7"
"""


def _shot(app: QApplication, window: KioskWindow, path: Path) -> Path:
    for _ in range(3):
        app.processEvents()
    window.grab().save(str(path))
    return path


def render(app: QApplication, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with tempfile.TemporaryDirectory() as tmp:
        for survey in dict.fromkeys(survey for _, survey, _ in SHOTS):
            config = Path(tmp) / f"{survey}.toml"
            text = CONFIG.format(survey=survey, languages=json.dumps(SIXTEEN))
            config.write_text(text, encoding="utf-8")
            window = create_kiosk(config, Path(tmp) / survey)
            window.show()
            wait_for_voices(app, window)  # "Read aloud" shows where a voice speaks the language
            for width, height in SIZES:
                window.resize(width, height)
                for name, survey_id, language in SHOTS:
                    if survey_id != survey:
                        continue
                    window.reset_for_next_person()
                    window.set_language(language)
                    size = f"{width}x{height}"
                    saved.append(_shot(app, window, out / f"question-{name}-{size}.png"))
                    window.question.faces[4].click()  # "What could we do better?"
                    window.followup.chips["food"].setChecked(True)
                    saved.append(_shot(app, window, out / f"followup-{name}-{size}.png"))
                if survey == "fft-inpatient":
                    window.reset_for_next_person()
                    window.set_language("ar")
                    window.picker_screen.open()
                    saved.append(_shot(app, window, out / f"picker-ar-{width}x{height}.png"))
                    window.reset_for_next_person()
            window.shutdown()
            window.close()
    return saved


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "languages"
    application = QApplication(sys.argv[:1])
    for path in render(application, target):
        print(path)
    application.shutdown()  # tear Qt down before Python's final garbage collection
