"""The patient flow's rules through ``PatientFlow``, with a fake view and a fake clock: no Qt.
Answering, idling, asking for more time, the thank-you countdown, and reading aloud.

What is stored is read back from the SQLite file itself, as the sync worker would see it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk import read_aloud
from kiosk.flow import MORE_TIME_SECONDS, PatientFlow, Screen
from kiosk.session import FeedbackSession
from kiosk.store import LocalStore, Origin
from kiosk.survey import Survey, load_survey

REPEAT_TAP_SECONDS = 10
THANKS_SECONDS = 6


class Clock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeView:
    """Records every intent the flow sends, as (name, argument) pairs, and answers its questions.

    Attributes:
        answers: what the follow-up screen holds (themes, comment as typed).
        staff: whether staff mode or the public board is up.
        idle_running: whether the idle countdown would be running now.
        more_time_after: when it would ask "Do you need more time?", in seconds.
        look: whether the patient turned on larger text or high contrast.
        voices: the languages a voice is installed for.
    """

    def __init__(self) -> None:
        self.intents: list[tuple[str, Any]] = []
        self.answers: tuple[list[str], str] = ([], "")
        self.staff = False
        self.idle_running = False
        self.more_time_after: float | None = None
        self.look = False
        self.voices = {"en", "cy"}

    def names(self) -> list[str]:
        return [name for name, _ in self.intents]

    def show_question(self) -> None:
        self.intents.append(("question", None))

    def show_followup(self, rating: int) -> None:
        self.intents.append(("followup", rating))

    def show_thanks(self, seconds: int) -> None:
        self.intents.append(("thanks", seconds))

    def restart_thanks(self, seconds: int) -> None:
        self.intents.append(("thanks again", seconds))

    def show_alert(self, text: str) -> None:
        self.intents.append(("alert", text))

    def show_language(self, code: str) -> None:
        self.intents.append(("language", code))

    def restore_defaults(self, language: str) -> None:
        self.intents.append(("defaults", language))

    def followup_answers(self) -> tuple[list[str], str]:
        return self.answers

    def start_idle_timer(self, more_time_after: float) -> None:
        self.idle_running = True
        self.more_time_after = more_time_after

    def stop_idle_timer(self) -> None:
        self.idle_running = False
        self.more_time_after = None

    def show_more_time(self, seconds: int) -> None:
        self.intents.append(("more time?", seconds))

    def hide_more_time(self) -> None:
        self.intents.append(("more time gone", None))

    def look_chosen(self) -> bool:
        return self.look

    def can_read_aloud(self, language: str) -> bool:
        return language in self.voices

    def show_read_aloud(self, on: bool) -> None:
        self.intents.append(("read aloud", on))

    def speak(self, text: str) -> None:
        self.intents.append(("say", text))

    def show_heard_face(self, code: int | None) -> None:
        self.intents.append(("heard", code))

    def respondent_finished(self) -> None:
        self.intents.append(("finished", None))

    def alert_staff(self, text: str) -> None:
        self.intents.append(("staff alert", text))

    def staff_has_screen(self) -> bool:
        return self.staff


@pytest.fixture(scope="module")
def survey() -> Survey:
    return load_survey("fft-inpatient")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "kiosk.db"


@pytest.fixture
def store(db_path: Path) -> Any:
    store = LocalStore(db_path)
    yield store
    store.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def view() -> FakeView:
    return FakeView()


@pytest.fixture
def flow(store: LocalStore, survey: Survey, clock: Clock, view: FakeView) -> PatientFlow:
    origin = Origin(
        survey_id=survey.id,
        survey_version=survey.version,
        org_code="RWD",
        site_code="RWDLA",
        ward_name="Ward 7 Acute Medicine",
        mode="Other",
        timezone=ZoneInfo("Europe/London"),
    )
    session = FeedbackSession(store, origin, REPEAT_TAP_SECONDS, clock=clock)
    return PatientFlow(view, session, survey, thanks_seconds=THANKS_SECONDS)


def stored(db_path: Path) -> list[dict[str, Any]]:
    """Every response on disk, through a connection of its own, oldest first."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        found = [dict(row) for row in conn.execute("SELECT * FROM responses ORDER BY rowid")]
    finally:
        conn.close()
    for row in found:
        row["flags"] = json.loads(row["flags"])
        row["answers"] = json.loads(row["answers"])
    return found


def next_person(flow: PatientFlow, clock: Clock, rating: int, seconds_later: float) -> None:
    """One respondent: taps *rating*, skips the follow-up, sees thanks to the end."""
    clock.now += seconds_later
    flow.rate(rating)
    flow.skip()
    flow.thanks_over()


def test_a_tap_is_stored_before_the_follow_up_is_shown(flow, view, db_path):
    view.intents.clear()
    seen_when_shown: list[int] = []
    show = view.show_followup

    def show_followup(rating: int) -> None:
        seen_when_shown.append(len(stored(db_path)))
        show(rating)

    view.show_followup = show_followup  # type: ignore[method-assign]
    flow.rate(4)

    (row,) = stored(db_path)
    assert row["rating"] == 4 and row["language"] == "en" and row["finished_at"] is None
    assert seen_when_shown == [1]
    assert view.intents == [("alert", ""), ("followup", 4)]
    assert flow.screen is Screen.FOLLOWUP and view.idle_running


def test_send_keeps_the_follow_up_and_thanks(flow, view, db_path):
    flow.rate(2)
    flow.send(["food", "noise"], "Tea was cold")

    (row,) = stored(db_path)
    assert row["answers"] == {"themes": ["food", "noise"]}
    assert row["comment"] == "Tea was cold" and row["finished_at"] is not None
    assert view.intents[-2:] == [("finished", None), ("thanks", THANKS_SECONDS)]
    assert flow.screen is Screen.THANKS


def test_thanks_timeout_returns_to_the_question_for_the_next_person(flow, view, db_path):
    flow.choose_language("cy")
    flow.rate(1)
    flow.skip()
    view.intents.clear()

    flow.thanks_over()

    assert flow.screen is Screen.QUESTION and flow.language == "en"
    assert view.intents == [("defaults", "en"), ("question", None)]  # finished once, at Skip
    assert not view.idle_running
    (row,) = stored(db_path)
    assert row["language"] == "cy" and row["answers"] == {} and row["comment"] is None


def test_a_tap_soon_after_someone_finished_is_flagged_repeat_tap(flow, clock, db_path):
    next_person(flow, clock, 1, seconds_later=0)
    next_person(flow, clock, 1, seconds_later=REPEAT_TAP_SECONDS - 1)
    next_person(flow, clock, 1, seconds_later=REPEAT_TAP_SECONDS + 1)

    assert [row["flags"] for row in stored(db_path)] == [[], ["repeat-tap"], []]


def test_while_paused_taps_are_ignored_and_nothing_is_stored(flow, view, db_path):
    flow.paused = True
    view.intents.clear()

    flow.rate(1)

    assert stored(db_path) == []
    assert view.intents == [] and flow.screen is Screen.QUESTION
    flow.paused = False
    flow.rate(1)
    assert len(stored(db_path)) == 1


def test_a_double_tap_makes_one_response(flow, view, db_path):
    flow.rate(1)
    flow.rate(1)  # the second tap of a double tap, while the first response is open
    flow.rate(5)

    assert [row["rating"] for row in stored(db_path)] == [1]
    assert [intent for intent in view.intents if intent[0] == "followup"] == [("followup", 1)]


def test_idle_reset_keeps_half_typed_follow_up_and_restores_the_defaults(
    flow, view, clock, db_path
):
    flow.choose_language("ur")
    flow.rate(5)
    view.answers = (["waiting"], "Waited six hours for a bed and no one sa")
    clock.now += 2
    flow.user_input()  # their last touch
    last_touch = clock.now
    clock.now += 60  # the idle timer's time
    view.intents.clear()

    flow.idle_timeout()

    assert flow.screen is Screen.QUESTION and flow.language == "en"
    assert view.intents == [("finished", None), ("defaults", "en"), ("question", None)]
    assert not view.idle_running
    (row,) = stored(db_path)
    assert row["rating"] == 5 and row["language"] == "ur"
    assert row["answers"] == {"themes": ["waiting"]}
    assert row["comment"] == "Waited six hours for a bed and no one sa"
    assert row["finished_at"] is not None
    # They walked away at their last touch, so the repeat-tap window has long closed for the
    # next person, though the reset itself was only a moment ago.
    assert clock.now - last_touch > REPEAT_TAP_SECONDS
    clock.now += 1
    flow.rate(2)
    assert stored(db_path)[1]["flags"] == []


def test_idle_reset_on_the_question_screen_only_restores_the_defaults(flow, view, db_path):
    flow.choose_language("cy")
    view.intents.clear()

    flow.idle_timeout()

    assert view.intents == [("defaults", "en"), ("question", None)]
    assert stored(db_path) == []


def test_user_input_restarts_the_idle_countdown(flow, view):
    assert not view.idle_running
    flow.user_input()
    assert view.idle_running


def test_a_failed_save_tells_the_patient_and_staff_and_shows_nothing_as_saved(
    flow, view, store, survey, db_path
):
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 1}")  # the disk is as good as full
    saved = 0
    for _ in range(500):
        view.intents.clear()
        flow.rate(1)
        if flow.screen is Screen.QUESTION:
            break
        saved += 1
        flow.reset_for_next_person()

    sorry = survey.text("save_failed", "en")
    assert view.intents[0] == ("alert", sorry)
    assert view.intents[1][0] == "staff alert"
    assert view.intents[1][1].startswith("Feedback could not be saved:")
    assert len(view.intents) == 2  # no follow-up, no thanks
    assert flow.session.current is None
    assert saved > 0 and len(stored(db_path)) == saved  # what was stored before is kept

    store.db.execute("PRAGMA max_page_count = 1073741823")
    view.intents.clear()
    flow.rate(1)
    assert view.intents == [("alert", ""), ("followup", 1)]  # the apology goes
    assert len(stored(db_path)) == saved + 1


def test_staff_mode_or_the_board_keeps_the_patient_flow_out(flow, view, db_path):
    flow.rate(3)
    view.answers = (["staff"], "half a thought")
    view.staff = True
    view.idle_running = False
    view.intents.clear()

    flow.idle_timeout()
    flow.thanks_over()
    flow.reset_for_next_person()
    flow.user_input()  # staff mode has its own lock timer

    assert view.intents == [] and not view.idle_running
    assert flow.screen is Screen.FOLLOWUP
    (row,) = stored(db_path)
    assert row["finished_at"] is None and row["comment"] is None

    view.staff = False  # staff locked: the next reset finishes the respondent as it stood
    flow.reset_for_next_person()
    (row,) = stored(db_path)
    assert row["finished_at"] is not None and row["comment"] == "half a thought"


def test_a_tap_while_staff_have_the_screen_is_ignored(flow, view, db_path):
    view.staff = True
    flow.rate(1)
    assert stored(db_path) == [] and view.intents == []


def test_send_or_skip_off_the_follow_up_screen_does_nothing(flow, view, db_path):
    flow.send(["food"], "stray")
    flow.skip()
    assert view.intents == [] and stored(db_path) == []
    flow.rate(2)
    flow.skip()
    flow.skip()  # a second tap on Skip, after thanks is up
    assert view.names().count("finished") == 1 and view.names().count("thanks") == 1


# -- more time (WCAG 2.2.1) ----------------------------------------------------------------


def test_more_time_is_asked_20_seconds_before_the_idle_reset_and_any_touch_answers(
    flow, view, clock
):
    flow.rate(3)
    assert view.more_time_after == 60 - MORE_TIME_SECONDS  # 40 s after the last touch
    view.intents.clear()

    flow.more_time_due()
    assert view.intents == [("more time?", MORE_TIME_SECONDS)]
    assert flow.screen is Screen.FOLLOWUP

    clock.now += 5
    view.idle_running = False
    flow.user_input()  # a touch anywhere, or a key
    assert view.intents[-1] == ("more time gone", None)
    assert view.idle_running and view.more_time_after == 40  # the whole idle time again
    assert flow.screen is Screen.FOLLOWUP and flow.last_activity == clock.now


def test_nobody_answering_more_time_resets_as_before_keeping_the_follow_up(flow, view, db_path):
    flow.rate(4)
    view.answers = (["noise"], "Too loud at ni")
    flow.more_time_due()
    view.intents.clear()

    flow.idle_timeout()

    assert view.intents[0] == ("more time gone", None)
    assert view.intents[-2:] == [("defaults", "en"), ("question", None)]
    assert flow.screen is Screen.QUESTION and not flow.asking_more_time
    (row,) = stored(db_path)
    assert row["answers"] == {"themes": ["noise"]} and row["comment"] == "Too loud at ni"
    assert row["finished_at"] is not None


def test_the_question_screen_asks_only_when_a_choice_would_be_lost(flow, view):
    flow.user_input()  # a passer-by touched the screen and left it as it was
    flow.more_time_due()
    assert view.intents == []

    view.look = True  # larger text
    flow.more_time_due()
    assert view.intents == [("more time?", 20)]
    flow.user_input()

    view.look = False
    flow.choose_language("cy")
    view.intents.clear()
    flow.more_time_due()
    assert view.intents == [("more time?", 20)]


def test_thanks_is_never_interrupted_and_a_touch_starts_its_countdown_again(flow, view):
    flow.rate(1)
    flow.skip()
    view.intents.clear()

    flow.more_time_due()  # the thank-you screen ends by itself; nothing is left to lose
    assert view.intents == []
    flow.user_input()
    assert view.intents == [("thanks again", THANKS_SECONDS)]
    assert flow.screen is Screen.THANKS


def test_a_short_idle_time_asks_halfway(flow, view):
    flow.idle_seconds = 30
    flow.rate(2)
    assert view.more_time_after == 15
    flow.more_time_due()
    assert ("more time?", 15) in view.intents


def test_staff_mode_is_never_asked_about_more_time(flow, view):
    flow.rate(2)
    view.staff = True
    view.intents.clear()
    flow.more_time_due()
    assert view.intents == []


# -- read-aloud --------------------------------------------------------------------------


def test_read_aloud_reads_the_question_then_each_answer_with_its_number(flow, view, survey):
    flow.set_read_aloud(True)
    assert view.intents[0] == ("read aloud", True)
    (said,) = [text for name, text in view.intents if name == "say"]
    assert said.startswith("Overall, how was your experience of our service? 1, Very good. ")
    assert "3, Neither good nor poor. 4, Poor. 5, Very poor. 6, Don't know." in said
    assert said == read_aloud.question(survey, "en")


def test_with_read_aloud_a_face_is_heard_first_and_chosen_by_a_second_press(flow, view, db_path):
    flow.set_read_aloud(True)
    view.intents.clear()

    flow.press_face(3)
    assert view.intents == [
        ("heard", 3),
        ("say", "3, Neither good nor poor. Press again to choose it."),
    ]
    assert stored(db_path) == [] and flow.screen is Screen.QUESTION

    flow.press_face(5)  # another face is heard, not chosen
    assert view.intents[-1] == ("say", "5, Very poor. Press again to choose it.")
    assert stored(db_path) == []

    view.intents.clear()
    flow.press_face(5)
    assert [row["rating"] for row in stored(db_path)] == [5]
    assert view.intents[:3] == [("alert", ""), ("heard", None), ("followup", 5)]
    said = view.intents[3]
    assert said[0] == "say" and said[1].startswith("What could we do better? Tap any that apply.")


def test_a_face_reached_by_keyboard_or_switch_is_heard_and_then_one_press_chooses(
    flow, view, db_path
):
    flow.hear_face(2)  # read-aloud off: focus says nothing
    assert view.intents == []
    flow.set_read_aloud(True)
    flow.hear_face(2)
    assert view.intents[-1] == ("say", "2, Good. Press again to choose it.")
    flow.press_face(2)
    assert [row["rating"] for row in stored(db_path)] == [2]


def test_without_read_aloud_one_tap_chooses_as_before(flow, view, db_path):
    flow.press_face(1)
    assert [row["rating"] for row in stored(db_path)] == [1]
    assert "say" not in view.names()


def test_read_aloud_follows_the_patient_through_each_screen_and_language(flow, view, survey):
    flow.set_read_aloud(True)
    flow.choose_language("cy")
    assert view.intents[-1] == ("say", read_aloud.question(survey, "cy"))
    flow.press_face(1)
    flow.press_face(1)
    flow.skip()
    thanks = "Diolch. Mae eich adborth yn ein helpu i wella gofal ar y ward hon."
    assert view.intents[-1] == ("say", thanks)


def test_a_language_without_a_voice_turns_read_aloud_off(flow, view):
    flow.set_read_aloud(True)
    view.intents.clear()
    flow.choose_language("ur")  # no Urdu voice installed in this fake
    assert view.intents == [("language", "ur"), ("read aloud", False)]
    assert not flow.read_aloud


def test_read_aloud_asks_about_more_time_out_loud(flow, view):
    flow.set_read_aloud(True)
    flow.rate(4)
    flow.more_time_due()
    assert view.intents[-2:] == [
        ("more time?", 20),
        ("say", "Do you need more time? Yes, I need more time."),
    ]


def test_read_aloud_is_off_again_for_the_next_person(flow, view):
    flow.set_read_aloud(True)
    flow.press_face(6)
    view.intents.clear()
    flow.idle_timeout()
    assert view.intents == [
        ("heard", None),
        ("read aloud", False),
        ("defaults", "en"),
        ("question", None),
    ]
    assert not flow.read_aloud and flow.heard is None
