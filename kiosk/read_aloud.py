"""What "Read aloud" says on each patient screen, in the survey's own words, and which speech
engine and which of its voices' locales speak each language. Plain Python: the Qt voice is
``kiosk.ui.speech``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from kiosk.survey import RLM, Survey
from sync import fft

#: ``[accessibility] speech_engine``: Qt's engine names, and "auto" for the system's own.
ENGINES = ("auto", "speechd", "sapi", "winrt", "mock")

#: For "auto": the engines that speak with each platform's own voices, best first. Qt's mock
#: engine is for tests, never chosen by itself.
PLATFORM_ENGINES: dict[str, tuple[str, ...]] = {
    "linux": ("speechd", "flite"),
    "win32": ("winrt", "sapi"),
    "darwin": ("darwin", "macos"),
}

#: A kiosk in the NHS speaks British English and Welsh as spoken in Wales before any other.
PREFERRED_TERRITORY = "GB"


def choose_engine(setting: str, available: Iterable[str], platform: str = sys.platform) -> str:
    """The engine to load for *setting*, or "" if none of those *available* will do."""
    engines = list(available)
    if setting != "auto":
        return setting if setting in engines else ""
    for name in PLATFORM_ENGINES.get(platform, ()):
        if name in engines:
            return name
    return next((name for name in engines if name != "mock"), "")


def choose_locale(language: str, locales: Iterable[str]) -> str:
    """The locale (``en_GB``) whose voices speak *language* (``en``), or "" if none does.

    :param locales: the engine's locale names, as ``QLocale.name()`` gives them.
    """
    wanted = language.replace("-", "_").split("_")[0].lower()
    same = sorted(name for name in locales if name.split("_")[0].lower() == wanted)
    preferred = f"{wanted}_{PREFERRED_TERRITORY}"
    return preferred if preferred in same else (same[0] if same else "")


def _plain(text: str) -> str:
    # The mark that keeps an Urdu line right to left on screen means nothing to a voice.
    return text.replace(RLM, "")


#: Marks that already end a spoken sentence (Latin, Urdu, and the ellipsis of a lead-in).
_ENDS = (".", "?", "!", "…", "\u06d4", "\u061f")


def _sentences(survey: Survey, language: str, *parts: str) -> str:
    """*parts* as sentences, so that a voice pauses between them: "Skip" becomes "Skip."."""
    stop = "\u06d4" if survey.language(language).rtl else "."  # Urdu's full stop
    said = (_plain(part).strip() for part in parts)
    return " ".join(part if part.endswith(_ENDS) else part + stop for part in said if part)


def face(survey: Survey, language: str, code: int) -> str:
    """A face heard before it is chosen: "3, Neither good nor poor. Press again to choose it."."""
    answer = _plain(survey.answer(code, language))
    return _sentences(
        survey,
        language,
        survey.text("numbered", language, number=code, answer=answer),
        survey.text("press_again", language),
    )


def question(survey: Survey, language: str) -> str:
    """The question, then each answer with its number, then how to answer by ear."""
    answers = [
        survey.text("numbered", language, number=code, answer=_plain(survey.answer(code, language)))
        for code in fft.CODES
    ]
    return _sentences(
        survey,
        language,
        survey.text("question", language),
        *answers,
        survey.text("hear_then_choose", language),
    )


def followup(survey: Survey, language: str, rating: int) -> str:
    """The prompt that fits *rating*, the theme choices, the comment box, and the way out."""
    prompt = "followup_positive" if rating in fft.POSITIVE else "followup_negative"
    themes = [survey.theme_text(theme.id, language) for theme in survey.themes]
    return _sentences(
        survey,
        language,
        survey.text(prompt, language),
        survey.text("themes_hint", language),
        *themes,
        survey.text("comment_label", language),
        survey.text("skip", language),
        survey.text("send", language),
    )


def thanks(survey: Survey, language: str) -> str:
    titles = ("thanks_title", "thanks_body")
    return _sentences(survey, language, *(survey.text(key, language) for key in titles))


def more_time(survey: Survey, language: str) -> str:
    keys = ("more_time", "more_time_button")
    return _sentences(survey, language, *(survey.text(key, language) for key in keys))
