"""Read-aloud through QtTextToSpeech: the "Read aloud" button reads each screen in its language
(the question, then each answer with its number); with it on, a face is heard on its first
press or on focus and chosen on the next; a language without a voice has no button (what
``--check`` says of the voices is in ``tests/kiosk/test_cli.py``). Heard through Qt's ``mock``
engine (its words, as it says them), and once through a real one: espeak-ng by
speech-dispatcher, where the machine has it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.helpers import activate, box_in, choose_language, find, press, rows, tab_to, tap

MOCK = '[accessibility]\nspeech_engine = "mock"\nspeech_rate = 1.0\n'


class Heard:
    """The words the engine says, in order, as it says them (``QTextToSpeech.sayingWord``)."""

    def __init__(self, window) -> None:
        self.words: list[str] = []
        self.checked = 0  # how far ``wait_for`` has found them
        tts = window.speech.tts
        assert tts is not None
        tts.sayingWord.connect(lambda word, *_: self.words.append(word))

    def wait_for(self, qtbot, *words: str, timeout: int = 8000) -> None:
        """Until the engine has said *words*, one after another, after what it was last
        found saying."""

        def said() -> bool:
            for at in range(self.checked, len(self.words) - len(words) + 1):
                if tuple(self.words[at : at + len(words)]) == words:
                    self.checked = at + len(words)
                    return True
            return False

        qtbot.waitUntil(said, timeout=timeout)


def _ready(qtbot, window) -> Heard:
    """Once the voices have loaded (after the first frame): what the engine says."""
    qtbot.waitUntil(lambda: window.topbar.read_aloud.isVisible(), timeout=5000)
    return Heard(window)


def test_read_aloud_waits_for_a_voice_and_hides_for_a_language_without_one(qtbot, make_kiosk):
    window = make_kiosk(MOCK)
    _ready(qtbot, window)
    button = find(window, "Read aloud")
    assert button.isVisible() and not button.isChecked()
    choose_language(qtbot, window, "Cymraeg")  # Qt's mock engine speaks no Welsh
    assert not window.topbar.read_aloud.isVisible()
    choose_language(qtbot, window, "English")
    assert find(window, "Read aloud").isVisible()


def test_the_screen_is_the_same_with_a_voice_or_without(qtbot, make_kiosk):
    """The voices load after the first frame, and "Read aloud" comes up in the room kept for
    it: nothing on screen moves when it does."""
    voiced = make_kiosk(MOCK)
    _ready(qtbot, voiced)
    silent = make_kiosk('[accessibility]\nspeech_engine = "sapi"\n')  # none on this machine
    qtbot.waitUntil(lambda: silent.speech.known, timeout=2000)
    assert silent.speech.engine == "" and not silent.topbar.read_aloud.isVisible()
    for window in (voiced, silent):
        window.stack.currentWidget().layout().activate()

    def boxes(window) -> list:
        return [box_in(window, face) for face in window.question.faces.values()]

    assert boxes(voiced) == boxes(silent)
    assert voiced.topbar.height() == silent.topbar.height()


def test_it_reads_the_question_then_each_answer_with_its_number(qtbot, make_kiosk):
    window = make_kiosk(MOCK)
    heard = _ready(qtbot, window)
    tap(qtbot, window, "Read aloud")
    assert window.speech.state == "speaking"
    heard.wait_for(qtbot, "Overall", "how", "was", "your", "experience", "of", "our", "service")
    heard.wait_for(qtbot, "1", "Very", "good", "2", "Good", "3", "Neither", "good", "nor", "poor")
    heard.wait_for(qtbot, "4", "Poor", "5", "Very", "poor", "6", "Don", "t", "know")
    heard.wait_for(qtbot, "Press", "an", "answer", "once", "to", "hear", "it")


def test_with_read_aloud_a_face_is_heard_first_and_chosen_by_a_second_press(
    qtbot, make_kiosk, data_dir
):
    window = make_kiosk(MOCK)
    heard = _ready(qtbot, window)
    tap(qtbot, window, "Read aloud")
    tap(qtbot, window, "Poor")
    heard.wait_for(qtbot, "4", "Poor", "Press", "again", "to", "choose", "it")
    assert rows(data_dir) == [] and window.stack.currentWidget() is window.question
    tap(qtbot, window, "Poor")
    assert [row["rating"] for row in rows(data_dir)] == [4]
    assert window.stack.currentWidget() is window.followup
    heard.wait_for(qtbot, "What", "could", "we", "do", "better")


def test_a_face_reached_by_tab_is_heard_and_return_chooses_it(qtbot, make_kiosk, data_dir):
    window = make_kiosk(MOCK)
    activate(qtbot, window)
    heard = _ready(qtbot, window)
    tap(qtbot, window, "Read aloud")
    tab_to(window, "Good")
    heard.wait_for(qtbot, "2", "Good", "Press", "again")
    assert rows(data_dir) == []
    press(window, Qt.Key.Key_Return)
    assert [row["rating"] for row in rows(data_dir)] == [2]


def test_without_read_aloud_a_face_is_chosen_at_once_in_silence(qtbot, make_kiosk, data_dir):
    window = make_kiosk(MOCK)
    heard = _ready(qtbot, window)
    tap(qtbot, window, "Good")
    assert [row["rating"] for row in rows(data_dir)] == [2]
    assert heard.words == [] and window.speech.state != "speaking"


def test_read_aloud_is_off_and_silent_for_the_next_person(qtbot, make_kiosk):
    window = make_kiosk(MOCK)
    _ready(qtbot, window)
    tap(qtbot, window, "Read aloud")
    assert window.speech.state == "speaking"
    window.reset_for_next_person()
    qtbot.waitUntil(lambda: window.speech.state == "ready", timeout=2000)
    assert not find(window, "Read aloud").isChecked()


def test_speech_starts_within_300_ms_of_the_press(qtbot, make_kiosk):
    window = make_kiosk(MOCK)
    _ready(qtbot, window)
    button = find(window, "Read aloud")
    started = time.perf_counter()
    with qtbot.wait_signal(window.speech.state_changed, timeout=300) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["speaking"]
    assert time.perf_counter() - started < 0.3


# -- a real voice ---------------------------------------------------------------------------


@pytest.fixture
def speech_dispatcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A speech-dispatcher of this test's own, with espeak-ng, playing into libao's null
    output (a machine without a sound card, as in CI, plays nothing, but the speech is made);
    its log, which names every block of samples sent to audio."""
    server = shutil.which("speech-dispatcher")
    if server is None or not Path("/etc/speech-dispatcher/speechd.conf").exists():
        _no_voice("speech-dispatcher is not installed (./dev installs it with espeak-ng)")
    config = tmp_path / "speechd"
    shutil.copytree("/etc/speech-dispatcher", config)
    with (config / "speechd.conf").open("a", encoding="utf-8") as conf:
        conf.write('\nAudioOutputMethod "libao"\nDefaultModule espeak-ng\n')
    home = tmp_path / "home"
    home.mkdir()
    (home / ".libao").write_text("default_driver=null\n", encoding="utf-8")
    socket, logs = tmp_path / "speechd.sock", tmp_path / "logs"
    logs.mkdir()
    env = {**os.environ, "HOME": str(home)}
    # In the foreground (-s), logging all it does (-l 5), until this test ends it.
    command = [server, "-s", "-l", "5", "-t", "0", "-c", "unix_socket", "-S", str(socket)]
    command += ["-C", str(config), "-L", str(logs)]
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not socket.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # a process outside Qt: nothing to wait on but its socket
        if not socket.exists():
            _no_voice("speech-dispatcher did not start")
        monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{socket}")
        yield logs / "speech-dispatcher.log"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _no_voice(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; in CI, ./dev installs speech-dispatcher and espeak-ng")
    pytest.skip(reason)


def test_a_real_voice_reads_the_screen_aloud(qtbot, make_kiosk, speech_dispatcher):
    from PySide6.QtTextToSpeech import QTextToSpeech

    if "speechd" not in QTextToSpeech.availableEngines():
        _no_voice("Qt has no speechd engine here")
    window = make_kiosk('[accessibility]\nspeech_engine = "speechd"\n')
    qtbot.waitUntil(
        lambda: window.speech.engine != "" or window.speech.state == "error", timeout=20000
    )
    if not window.speech.has_voice("cy"):
        _no_voice(f"speech-dispatcher has no Welsh voice ({window.speech.locales})")
    choose_language(qtbot, window, "Cymraeg")
    states: list[str] = []
    window.speech.state_changed.connect(states.append)
    tap(qtbot, window, "Darllen yn uchel")
    qtbot.waitUntil(lambda: "speaking" in states and window.speech.state == "ready", timeout=20000)
    log = speech_dispatcher.read_text(encoding="utf-8", errors="replace")
    assert "Sending" in log and "samples to audio" in log  # espeak-ng made the speech
    assert "yn gyffredinol" in log.lower()  # the Welsh question, as it was handed to the voice
