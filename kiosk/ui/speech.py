"""The voice of "Read aloud": Qt's text-to-speech engine, loaded only after the first frame,
and which installed voice speaks each of the survey's languages.

A system engine can take seconds to list its voices (speech-dispatcher with espeak-ng lists
thousands), holding Python's lock all the while; so it is built by Qt in a thread of its own,
and only Qt's instant ``mock`` engine (for tests) is built on the UI thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    Q_ARG,
    QCoreApplication,
    QMetaObject,
    QObject,
    Qt,
    QThread,
    Signal,
    Slot,
)

from kiosk.config import AccessibilitySettings
from kiosk.read_aloud import choose_engine, choose_locale

if TYPE_CHECKING:
    from PySide6.QtTextToSpeech import QTextToSpeech

log = logging.getLogger(__name__)

#: How long ending waits for an engine still loading its voices.
SHUTDOWN_MS = 5000

#: The engine the voice starts on while the real one loads: instant, and silent.
_PLACEHOLDER = "mock"


class _Voice(QObject):
    """The QTextToSpeech itself: loaded in the speech thread (``mock`` in the UI thread), then
    brought home to the UI thread, where saying and stopping are quick calls.

    Signals:
        loaded(str, list): the engine's name ("" if it failed) and its voices' locale names.
        state_changed(str): the engine's state: ``ready``, ``speaking``, ``paused``, ``error``.
    """

    loaded = Signal(str, list)
    state_changed = Signal(str)

    def __init__(self, first: str, rate: float, volume: float) -> None:
        super().__init__()
        from PySide6.QtTextToSpeech import QTextToSpeech

        self.rate, self.volume = rate, volume
        self.home = QThread.currentThread()
        self.tts = QTextToSpeech(first, self)
        self.tts.engineChanged.connect(self._engine_changed)
        self.tts.stateChanged.connect(self._state_changed)

    @Slot(str)
    def _engine_changed(self, name: str) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        if self.tts.state() == QTextToSpeech.State.Error:
            log.warning("the %s speech engine did not start: %s", name, self.tts.errorString())
            name, locales = "", []
        else:
            self.tts.setRate(self.rate)
            self.tts.setVolume(self.volume)
            locales = [locale.name() for locale in self.tts.availableLocales()]
        if self.thread() is not self.home:
            self.moveToThread(self.home)  # the slow part is over; the speech thread can end
        self.loaded.emit(name, locales)

    @Slot(object)
    def _state_changed(self, state: QTextToSpeech.State) -> None:
        self.state_changed.emit(state.name.lower())

    @Slot(str, str)
    def say(self, text: str, locale: str) -> None:
        from PySide6.QtCore import QLocale

        if self.tts.locale().name() != locale:
            self.tts.setLocale(QLocale(locale))
        self.tts.say(text)

    @Slot()
    def stop(self) -> None:
        self.tts.stop()


class Speech(QObject):
    """Speaks the patient screens in the language on them, once ``start`` has loaded an engine.

    Attributes:
        engine: the engine speaking ("" until one has loaded, or if none could).
        known: the voices are known (``voices_found`` was emitted).
        locales: for each survey language with an installed voice, that voice's locale name.
        state: the engine's state (``ready``, ``speaking``, ...; ``off`` until loaded).
        said: the last text handed to the engine.

    Signals:
        voices_found(): ``locales`` is known (empty if no engine could start).
        state_changed(str): the engine's state changed.
    """

    voices_found = Signal()
    state_changed = Signal(str)
    _say = Signal(str, str)
    _stop = Signal()

    def __init__(
        self, settings: AccessibilitySettings, languages: list[str], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.languages = languages
        self.engine = ""
        self.known = False
        self.locales: dict[str, str] = {}
        self.state = "off"
        self.said = ""
        self._voice: _Voice | None = None
        self._thread: QThread | None = None

    def start(self) -> None:
        """Load the configured engine; ``voices_found`` says when its voices are known."""
        from PySide6.QtTextToSpeech import QTextToSpeech

        available = QTextToSpeech.availableEngines()
        name = choose_engine(self.settings.speech_engine, available)
        if not name:
            log.info("read-aloud is off: no %s speech engine here", self.settings.speech_engine)
            self.known = True
            self.voices_found.emit()
            return
        threaded = name != "mock"
        first = _PLACEHOLDER if threaded and _PLACEHOLDER in available else name
        voice = _Voice(first, self.settings.speech_rate, self.settings.speech_volume)
        self._voice = voice
        voice.loaded.connect(self._loaded)
        voice.state_changed.connect(self._state_changed)
        self._say.connect(voice.say)
        self._stop.connect(voice.stop)
        if not threaded:
            voice._engine_changed(name)
            return
        thread = QThread(self)
        thread.setObjectName("speech")
        voice.moveToThread(thread)
        thread.start()
        self._thread = thread
        app = QCoreApplication.instance()
        if app is not None:  # however the application ends, the thread ends first
            app.aboutToQuit.connect(self.shutdown)
        # Queued, and called by Qt in the speech thread: the slow part runs without Python.
        QMetaObject.invokeMethod(
            voice.tts, "setEngine", Qt.ConnectionType.QueuedConnection, Q_ARG(str, name)
        )

    @property
    def tts(self) -> QTextToSpeech | None:
        """The engine itself (in the speech thread while it loads)."""
        return self._voice.tts if self._voice is not None else None

    def has_voice(self, language: str) -> bool:
        return language in self.locales

    def say(self, text: str, language: str) -> None:
        """Say *text* in *language*'s voice, in place of whatever was being said."""
        locale = self.locales.get(language)
        if locale:
            self.said = text
            self._say.emit(text, locale)

    def stop(self) -> None:
        if self._voice is not None:
            self._stop.emit()

    def shutdown(self) -> None:
        """Stop speaking, and end the speech thread if an engine is still loading (waiting for
        it a while)."""
        self.stop()
        self._end_thread()

    def _end_thread(self) -> None:
        if self._thread is not None:
            thread, self._thread = self._thread, None
            thread.quit()
            if not thread.wait(SHUTDOWN_MS):
                log.warning("the speech engine did not stop within %d ms", SHUTDOWN_MS)

    def _loaded(self, engine: str, locales: list[str]) -> None:
        if self._voice is not None:
            self._voice.setParent(self)
        self._end_thread()
        self.engine = engine
        self.locales = {
            code: locale for code in self.languages if (locale := choose_locale(code, locales))
        }
        if engine:
            log.info("read-aloud speaks through %s: %s", engine, self.locales or "no voices")
        self.known = True
        self.voices_found.emit()

    def _state_changed(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)


def list_voices(setting: str, languages: list[str]) -> tuple[str, dict[str, tuple[str, list[str]]]]:
    """For ``--check``: the engine *setting* chooses, and for each language with a voice its
    locale and voice names. Loads the engine here and now (seconds, for some engines)."""
    from PySide6.QtCore import QLocale
    from PySide6.QtTextToSpeech import QTextToSpeech

    name = choose_engine(setting, QTextToSpeech.availableEngines())
    if not name:
        return "", {}
    tts = QTextToSpeech(name)
    if tts.state() == QTextToSpeech.State.Error:
        return "", {}
    locales = [locale.name() for locale in tts.availableLocales()]
    found = {}
    for code in languages:
        locale = choose_locale(code, locales)
        if locale:
            tts.setLocale(QLocale(locale))
            found[code] = (locale, [voice.name() for voice in tts.availableVoices()])
    return name, found
