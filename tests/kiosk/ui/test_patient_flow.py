"""The patient flow through create_kiosk, pressing controls by their accessible names."""

from __future__ import annotations

import json
from datetime import date

import pytest
from PySide6.QtCore import Qt

from kiosk.ui.widgets.face_button import FaceButton, millimetres_to_pixels
from sync import fft
from tests.helpers import choose_language, find, rows, tap

QUICK = """
[kiosk]
thanks_seconds = 2
"""


@pytest.mark.parametrize("code", list(fft.CODES))
def test_each_face_stores_its_code_once(qtbot, make_kiosk, data_dir, code):
    window = make_kiosk()
    tap(qtbot, window, fft.CODES[code])

    stored = rows(data_dir)
    assert [row["rating"] for row in stored] == [code]
    assert stored[0]["org_code"] == "RWD" and stored[0]["ward_name"] == "Ward 7 Acute Medicine"
    assert window.stack.currentWidget() is window.followup


def test_the_rating_is_on_disk_before_the_screen_changes(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    seen = []
    window.stack.currentChanged.connect(lambda _: seen.append(len(rows(data_dir))))
    tap(qtbot, window, "Good")
    assert seen == [1]


def test_double_tap_makes_one_response(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    face = find(window, "Very good")
    qtbot.mouseDClick(face, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(face, Qt.MouseButton.LeftButton)
    assert len(rows(data_dir)) == 1


def test_followup_is_stored_on_the_same_record(qtbot, make_kiosk, data_dir):
    window = make_kiosk(QUICK)
    tap(qtbot, window, "Poor")
    assert window.followup.prompt.text() == "What could we do better?"
    tap(qtbot, window, "Food and drink")
    tap(qtbot, window, "Noise")
    qtbot.keyClicks(window.followup.comment, "Tea was cold. Ring me on 07700 900123")
    tap(qtbot, window, "Send")

    (row,) = rows(data_dir)
    assert row["rating"] == 4
    assert json.loads(row["answers"]) == {"themes": ["food", "noise"]}
    assert row["comment"] == "Tea was cold. Ring me on [number removed]"
    assert row["finished_at"] is not None
    assert window.stack.currentWidget() is window.thanks


def test_positive_answer_gets_the_positive_prompt(qtbot, make_kiosk):
    window = make_kiosk()
    tap(qtbot, window, "Very good")
    assert window.followup.prompt.text() == "What was good?"


def test_skip_stores_no_followup(qtbot, make_kiosk, data_dir):
    window = make_kiosk(QUICK)
    tap(qtbot, window, "Neither good nor poor")
    tap(qtbot, window, "Staff")
    tap(qtbot, window, "Skip")

    (row,) = rows(data_dir)
    assert row["rating"] == 3
    assert json.loads(row["answers"]) == {}
    assert row["comment"] is None
    assert window.stack.currentWidget() is window.thanks


def test_comment_is_limited_to_1000_characters_with_a_counter(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    tap(qtbot, window, "Good")
    window.followup.comment.setPlainText("a" * 1200)
    assert len(window.followup.comment.toPlainText()) == 1000
    assert window.followup.counter.text() == "1000 of 1000 characters"
    tap(qtbot, window, "Send")
    assert len(rows(data_dir)[0]["comment"]) == 1000


def test_thanks_counts_down_back_to_the_question(qtbot, make_kiosk):
    window = make_kiosk(QUICK)
    tap(qtbot, window, "Good")
    tap(qtbot, window, "Skip")
    assert window.thanks.countdown.text() == "Starting again in 2"
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.question, timeout=4000)


def test_idle_reset_keeps_what_was_answered(qtbot, make_kiosk, data_dir):
    window = make_kiosk("[kiosk]\nidle_reset_seconds = 45\n")
    assert window.idle_timer.interval() == 45_000
    window.idle_timer.setInterval(300)  # the same timer, shortened so the test is quick

    choose_language(qtbot, window, "اردو")
    tap(qtbot, window, window.survey.answer(5, "ur"))
    tap(qtbot, window, window.survey.theme_text("waiting", "ur"))
    qtbot.keyClicks(window.followup.comment, "Waited six hours for a bed and no one sa")
    with qtbot.waitSignal(window.idle_timer.timeout, timeout=3000):
        pass

    assert window.stack.currentWidget() is window.question
    (row,) = rows(data_dir)
    assert row["rating"] == 5 and row["language"] == "ur"
    assert json.loads(row["answers"]) == {"themes": ["waiting"]}
    assert row["comment"] == "Waited six hours for a bed and no one sa"
    assert row["finished_at"] is not None
    # The next person starts in the kiosk's own language.
    assert window.language == "en"
    assert window.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert find(window, "Very good").isVisible()


def test_repeat_tap_soon_after_someone_finished_is_flagged(qtbot, make_kiosk, data_dir):
    window = make_kiosk(QUICK + "repeat_tap_seconds = 30\n")
    tap(qtbot, window, "Good")
    tap(qtbot, window, "Skip")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.question, timeout=4000)
    tap(qtbot, window, "Very poor")

    first, second = rows(data_dir)
    assert json.loads(first["flags"]) == []
    assert json.loads(second["flags"]) == ["repeat-tap"]
    day = date.fromisoformat(first["local_date"])
    counts = window.store.counts(day, day)
    assert counts.total == 1 and counts.excluded == 1


def test_no_repeat_tap_flag_when_the_rule_is_off(qtbot, make_kiosk, data_dir):
    window = make_kiosk(QUICK + "repeat_tap_seconds = 0\n")
    tap(qtbot, window, "Good")
    tap(qtbot, window, "Skip")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.question, timeout=4000)
    tap(qtbot, window, "Good")
    assert [json.loads(row["flags"]) for row in rows(data_dir)] == [[], []]


def test_a_full_disk_tells_the_patient_kindly_and_keeps_what_was_stored(
    qtbot, make_kiosk, data_dir
):
    window = make_kiosk()
    pages = window.store.db.execute("PRAGMA page_count").fetchone()[0]
    # The database may not grow: once its pages are full, the "disk" is full.
    window.store.db.execute(f"PRAGMA max_page_count = {pages + 1}")
    saved = 0
    for _ in range(500):
        tap(qtbot, window, "Very good")
        if window.stack.currentWidget() is window.question:
            break
        saved += 1
        window.reset_for_next_person()

    assert window.stack.currentWidget() is window.question
    assert window.question.alert.isVisible()
    assert window.question.alert.text().startswith("Sorry, we can't save feedback right now")
    assert saved > 0 and len(rows(data_dir)) == saved  # everything stored before is kept

    window.store.db.execute("PRAGMA max_page_count = 1073741823")
    tap(qtbot, window, "Very good")
    assert window.stack.currentWidget() is window.followup
    assert not window.question.alert.isVisible()
    assert len(rows(data_dir)) == saved + 1


@pytest.mark.parametrize("size", [(1280, 800), (800, 1280), (1920, 1080)])
def test_every_face_is_at_least_15mm_across(qtbot, make_kiosk, size):
    window = make_kiosk(size=size)
    least = millimetres_to_pixels(window, FaceButton.MIN_TARGET_MM)
    for face in window.question.faces.values():
        assert face.width() >= least and face.height() >= least, face.text()


def test_every_control_is_named_by_its_words(qtbot, make_kiosk):
    from PySide6.QtWidgets import QAbstractButton

    window = make_kiosk('[survey]\nphone_link = "https://example.nhs.uk/ffT"\n')
    for language in ("en", "cy", "ur"):
        window.set_language(language)
        buttons = window.findChildren(QAbstractButton)
        assert len(buttons) >= 6 + 7 + 2 + 3 + 2
        for button in buttons:
            assert button.text() and button.accessibleName() == button.text()


def test_the_window_only_draws_what_the_flow_decides(qtbot, make_kiosk, data_dir):
    from kiosk.flow import Screen

    window = make_kiosk(QUICK)
    tap(qtbot, window, "Poor")
    assert window.flow.screen is Screen.FOLLOWUP and window.stack.currentWidget() is window.followup
    tap(qtbot, window, "Skip")
    assert window.flow.screen is Screen.THANKS and window.stack.currentWidget() is window.thanks
    with qtbot.waitSignal(window.thanks.finished, timeout=4000):
        pass
    assert window.flow.screen is Screen.QUESTION and window.stack.currentWidget() is window.question


def test_every_patient_timer_is_named(qtbot, make_kiosk):
    from PySide6.QtCore import QTimer

    window = make_kiosk()
    names = {timer.objectName() for timer in window.findChildren(QTimer)}
    assert {"idle-reset", "thanks-countdown", "staff-hold", "staff-lock", "pin-wait"} <= names
    assert "" not in names
    assert repr(window.idle_timer).startswith("<Timer 'idle-reset' 60000 ms single-shot")
