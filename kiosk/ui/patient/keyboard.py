"""The on-screen keyboard: room for it, and its layout in the patient's language.

The keyboard (Qt Virtual Keyboard, or the system's own) covers the lower screen; the window's
content is lifted clear of it and the top bar gives way while someone types. Qt Virtual
Keyboard types in the language on screen where it has a layout for it (``keyboard_layout``),
and in British English elsewhere; what it learnt from one patient's typing is forgotten when it
closes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QLocale, QMetaObject, QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from kiosk.ui.patient.followup import FollowUpScreen

#: The layout for a language with more than one, where Qt's default for the language is not
#: the one its speakers in the UK use: British English, and Portugal's Portuguese.
PREFERRED_LAYOUTS: dict[QLocale.Language, str] = {
    QLocale.Language.English: "en_GB",
    QLocale.Language.Portuguese: "pt_PT",
}
#: What a language with no layout of its own types on.
FALLBACK_LAYOUT = "en_GB"
#: The class of the window Qt Virtual Keyboard draws itself in, on a desktop.
INPUT_VIEW = "QtVirtualKeyboard::InputView"


def keyboard_layout(locale: QLocale, available: Iterable[str]) -> str:
    """The Qt Virtual Keyboard layout (a locale name such as ``pl_PL``) for text in *locale*,
    chosen from the *available* ones: the language's preferred layout, else the layout of
    the locale's own name (``zh_CN`` for Simplified Chinese), else any for its language,
    else ``FALLBACK_LAYOUT``."""
    layouts = sorted(available)
    preferred = PREFERRED_LAYOUTS.get(locale.language())
    if preferred in layouts:
        return preferred
    if locale.name() in layouts:
        return locale.name()
    language = locale.name().split("_")[0]
    same = [layout for layout in layouts if layout.split("_")[0] == language]
    return same[0] if same else FALLBACK_LAYOUT


class KeyboardRoom(QObject):
    """Follows the input method's keyboard and refits *window* around it, and keeps Qt
    Virtual Keyboard's layout in the comment box's language (its locale, set with the
    screen's language)."""

    def __init__(self, window: QWidget, topbar: QWidget, followup: FollowUpScreen) -> None:
        super().__init__(window)
        self._window = window
        self._topbar = topbar
        self._followup = followup
        # Only Qt's own keyboard takes a layout from here; QtQuick loads only where it runs.
        self._virtual = os.environ.get("QT_IM_MODULE") == "qtvirtualkeyboard"
        keyboard = QGuiApplication.inputMethod()
        keyboard.visibleChanged.connect(self.fit)
        keyboard.keyboardRectangleChanged.connect(self.fit)
        if self._virtual:
            keyboard.visibleChanged.connect(self.match_language)
            keyboard.visibleChanged.connect(self._forget_typing)
            followup.comment.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.LocaleChange, QEvent.Type.FocusIn):
            self.match_language()
        return False

    def match_language(self) -> None:
        """Put Qt Virtual Keyboard on the layout for the comment box's language. Its settings
        exist once it has first been shown: until then there is nothing to set, and showing
        it calls this again."""
        settings = _virtual_keyboard_settings()
        if settings is None:
            return
        available = settings.property("availableLocales") or []
        layout = keyboard_layout(self._followup.comment.locale(), available)
        if settings.property("locale") != layout:
            settings.setProperty("locale", layout)

    def _forget_typing(self) -> None:
        # Pinyin learns the words typed and offers them again: what one patient wrote must not
        # be suggested to the next. Its learnt words are dropped whenever the keyboard closes.
        if QGuiApplication.inputMethod().isVisible():
            return
        settings = _virtual_keyboard_settings()
        if settings is not None:
            QMetaObject.invokeMethod(settings, "userDataReset")

    def fit(self) -> None:
        keyboard = QGuiApplication.inputMethod()
        window = self._window
        covered = 0
        if keyboard.isVisible():
            # Qt reports the keyboard in the focused window's coordinates: this window's.
            covered = max(0, window.height() - int(keyboard.keyboardRectangle().top()))
            covered = min(covered, window.height() // 2)
        layout = window.layout()
        if layout is not None and layout.contentsMargins().bottom() != covered:
            layout.setContentsMargins(0, 0, 0, covered)
        # While typing, the words being typed need the room more than the language buttons.
        self._topbar.setVisible(not covered)
        if covered:
            QTimer.singleShot(0, self._followup.show_comment)


def _virtual_keyboard_settings() -> QObject | None:
    """Qt Virtual Keyboard's ``VirtualKeyboardSettings``, from the QML engine of the window
    it draws in; None before that window exists."""
    # Imported before the windows are wrapped, so that the keyboard's is wrapped as a view.
    from PySide6.QtQuick import QQuickView

    for window in QGuiApplication.allWindows():
        if window.metaObject().className() == INPUT_VIEW and isinstance(window, QQuickView):
            engine = window.engine()
            if engine is not None:
                settings = engine.singletonInstance(
                    "QtQuick.VirtualKeyboard.Settings", "VirtualKeyboardSettings"
                )
                return settings if isinstance(settings, QObject) else None
    return None
