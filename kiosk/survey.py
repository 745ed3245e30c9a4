"""Survey definitions: the FFT question, six answers, follow-ups and UI strings, per language.

A survey is a JSON file in ``resources/surveys``. It is validated when loaded, so a missing
translation or a changed FFT wording is caught by ``--check`` rather than seen by a patient.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.resources import surveys_dir
from sync import fft

#: UI strings every survey must provide in every language it offers.
REQUIRED_TEXT = (
    "question",
    "lead_in",
    "followup_positive",
    "followup_negative",
    "themes_hint",
    "comment_label",
    "comment_hint",
    "characters",
    "send",
    "skip",
    "thanks_title",
    "thanks_body",
    "returning",
    "phone_prompt",
    "phone_qr_name",
    "large_text",
    "high_contrast",
    "save_failed",
    "paused",
    "demo_ward",
    "board_hint",
    "read_aloud",
    "numbered",
    "hear_then_choose",
    "press_again",
    "more_time",
    "more_time_button",
    "more_below",
)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: The bundled font a language is drawn in when its file names none (Latin, Greek, Cyrillic).
DEFAULT_FONT = "Noto Sans"
RLM = "\u200f"


class SurveyError(Exception):
    """A survey file is missing, unreadable or incomplete. The message says which and how to fix."""


@dataclass(frozen=True)
class Language:
    """One language a survey is written in.

    Attributes:
        code: BCP 47 code, e.g. ``ur``.
        name: the language's own name for itself, shown on the switcher.
        rtl: whether the script runs right to left (the whole screen mirrors).
        draft: True until a native speaker has reviewed the translation.
        font: the family of the bundled font that draws it (``--check`` proves it does).
    """

    code: str
    name: str
    rtl: bool
    draft: bool
    font: str = DEFAULT_FONT


@dataclass(frozen=True)
class Theme:
    id: str
    text: Mapping[str, str]


@dataclass(frozen=True)
class Survey:
    """A validated survey definition.

    Attributes:
        id: file stem, stored with every response.
        version: bumped when wording changes, stored with every response.
        languages: the languages offered on this kiosk, in switcher order.
        path: the file it was loaded from.
    """

    id: str
    version: int
    languages: tuple[Language, ...]
    answers: Mapping[int, Mapping[str, str]]
    themes: tuple[Theme, ...]
    strings: Mapping[str, Mapping[str, str]]
    path: Path

    @property
    def default_language(self) -> str:
        return self.languages[0].code

    def language(self, code: str) -> Language:
        for language in self.languages:
            if language.code == code:
                return language
        raise KeyError(code)

    def text(self, key: str, language: str, **values: object) -> str:
        """The UI string *key* in *language*, with ``{placeholders}`` filled from *values*."""
        template = self.strings[key][language]
        return self._directed(template.format(**values) if values else template, language)

    def answer(self, code: int, language: str) -> str:
        return self._directed(self.answers[code][language], language)

    def theme_text(self, theme_id: str, language: str) -> str:
        for theme in self.themes:
            if theme.id == theme_id:
                return self._directed(theme.text[language], language)
        raise KeyError(theme_id)

    def _directed(self, text: str, language: str) -> str:
        # A right-to-left sentence that starts with a Latin word ("Ward 7 ...") would be laid
        # out left to right; a leading RIGHT-TO-LEFT MARK fixes the paragraph's direction.
        return RLM + text if self.language(language).rtl else text

    def all_text(self, language: str) -> Iterable[str]:
        """Every string a patient may see in *language* (used to check font coverage)."""
        yield from (self.strings[key][language] for key in self.strings)
        yield from (self.answers[code][language] for code in self.answers)
        yield from (theme.text[language] for theme in self.themes)
        yield self.language(language).name


def available_surveys(directory: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (directory or surveys_dir()).glob("*.json"))


def load_survey(
    survey_id: str, languages: Iterable[str] | None = None, directory: Path | None = None
) -> Survey:
    """Load and validate ``<directory>/<survey_id>.json`` for the offered *languages*.

    :param languages: language codes to offer, in order; all the file has when None.
    :raises SurveyError: naming the file and the key that is wrong.
    """
    directory = directory or surveys_dir()
    path = directory / f"{survey_id}.json"
    if not re.fullmatch(r"[\w\-]+", survey_id) or not path.is_file():
        known = ", ".join(available_surveys(directory)) or "none"
        raise SurveyError(
            f"survey '{survey_id}' was not found in {directory}; set [survey] id to one of: {known}"
        )
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SurveyError(f"{path}: cannot be read as JSON ({exc}); restore the file") from exc
    return _parse(raw, path, list(languages) if languages is not None else None)


def _parse(raw: Any, path: Path, wanted: list[str] | None) -> Survey:
    def fail(key: str, problem: str) -> SurveyError:
        return SurveyError(f"{path}: {key} {problem}")

    if not isinstance(raw, dict):
        raise fail("the file", "must hold a JSON object")
    if raw.get("id") != path.stem:
        raise fail("id", f"must be '{path.stem}', the file's name")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail("version", "must be a whole number of 1 or more")

    declared = raw.get("languages")
    if not isinstance(declared, dict) or not declared:
        raise fail("languages", "must list at least one language")
    codes = wanted if wanted is not None else list(declared)
    if not codes:
        raise fail("languages", "has none offered; list at least one in [survey] languages")
    languages = []
    for code in codes:
        meta = declared.get(code)
        if not isinstance(meta, dict):
            offered = ", ".join(declared)
            raise fail(
                "languages", f"has no '{code}'; offer only languages the survey has ({offered})"
            )
        name = meta.get("name")
        if not isinstance(name, str) or not name:
            raise fail(f"languages.{code}.name", "is missing")
        direction = meta.get("direction", "ltr")
        if direction not in ("ltr", "rtl"):
            raise fail(f"languages.{code}.direction", "must be 'ltr' or 'rtl'")
        font = meta.get("font", DEFAULT_FONT)
        if not isinstance(font, str) or not font.strip():
            raise fail(f"languages.{code}.font", "must name the bundled font that draws it")
        draft = meta.get("status") != "reviewed"
        languages.append(Language(code, name, direction == "rtl", draft, font))

    def translations(key: str, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise fail(key, "must map language codes to text")
        out = {}
        for code in codes:
            text = value.get(code)
            if not isinstance(text, str) or not text.strip():
                raise fail(
                    key,
                    f"has no '{code}' text; add it, or stop offering '{code}' "
                    "in [survey] languages",
                )
            out[code] = text
        reference = set(_PLACEHOLDER.findall(out[codes[0]]))
        for code, text in out.items():
            if set(_PLACEHOLDER.findall(text)) != reference:
                raise fail(key, f"'{code}' text must use the placeholders {sorted(reference)}")
        return out

    answers_raw = raw.get("answers")
    if not isinstance(answers_raw, dict) or sorted(answers_raw) != [str(c) for c in fft.CODES]:
        raise fail("answers", "must have exactly the six FFT codes 1 to 6")
    answers = {c: translations(f"answers.{c}", answers_raw[str(c)]) for c in fft.CODES}

    themes_raw = raw.get("themes", [])
    if not isinstance(themes_raw, list):
        raise fail("themes", "must be a list")
    themes = []
    for i, theme in enumerate(themes_raw):
        if not isinstance(theme, dict) or not isinstance(theme.get("id"), str):
            raise fail(f"themes[{i}]", "must have an id")
        themes.append(Theme(theme["id"], translations(f"themes[{i}].text", theme.get("text"))))

    text_raw = raw.get("text")
    if not isinstance(text_raw, dict):
        raise fail("text", "must be an object of UI strings")
    strings = {}
    for key in REQUIRED_TEXT:
        if key not in text_raw:
            raise fail(f"text.{key}", "is missing")
        strings[key] = translations(f"text.{key}", text_raw[key])

    if "en" in codes:
        # The FFT question and answers keep NHS England's words exactly.
        if strings["question"]["en"] != fft.QUESTION:
            raise fail("text.question.en", f'must be exactly "{fft.QUESTION}"')
        for code, label in fft.CODES.items():
            if answers[code]["en"] != label:
                raise fail(f"answers.{code}.en", f'must be exactly "{label}"')

    return Survey(
        id=raw["id"],
        version=version,
        languages=tuple(languages),
        answers=answers,
        themes=tuple(themes),
        strings=strings,
        path=path,
    )
