"""Reading a survey's files: ``<id>/survey.json`` (its structure, no words) and one
``<id>/<lang>.json`` per language (every word a patient sees in that language).

One file per language lets a hospital's translation service edit, review and sign off a
language on its own, in any text editor, without touching the others. A version of a survey
(easy read, children's) names a ``based_on`` survey: a string its ``<lang>.json`` leaves out is
taken from the same language's file of the base survey, never from another language, so no
patient is ever shown English in place of a missing translation.

Nothing here stops at the first bad string in a language file: every problem is collected with
its file, key and what to do, so the loader can refuse a language and ``python -m kiosk
translations`` can list everything a translator has left to do in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.resources import surveys_dir
from kiosk.survey_folder import SURVEY_FILE, Problem, SurveyFile, json_or_problem

# Also read from here: survey.json's reading is beside the language files' in survey_folder.
from kiosk.survey_folder import SurveyError as SurveyError
from kiosk.survey_folder import available_surveys as available_surveys
from kiosk.survey_folder import read_json as read_json
from kiosk.survey_folder import read_survey_file as read_survey_file
from sync import fft

#: UI strings every language of every survey must provide (the ``text`` object of a file).
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
    "choose_language",
    "easy_read",
    "for_grown_ups",
)
STATUSES = ("reviewed", "draft")
#: The bundled font a language is drawn in when its file names none (Latin, Greek, Cyrillic).
DEFAULT_FONT = "Noto Sans"
#: The language whose strings every other language's ``{placeholders}`` must match.
REFERENCE = "en"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class LanguageFile:
    """One ``<lang>.json`` with what its base survey fills in, and everything wrong with it.

    Attributes:
        inherited: each key taken from the base survey, and the file it came from.
        missing: keys (``text.send``, ``answers.3``, ``themes.food``) with no text anywhere.
        problems: every problem, missing keys included, each naming its file and key.
        draft: not reviewed, or some inherited string comes from a draft file.
    """

    code: str
    path: Path
    name: str = ""
    direction: str = "ltr"
    font: str = DEFAULT_FONT
    status: str = "draft"
    reviewed_by: str = ""
    source: str = ""
    answers: dict[int, str] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)
    inherited: dict[str, Path] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    draft: bool = True
    exists: bool = True

    @property
    def complete(self) -> bool:
        return not self.problems

    def strings(self) -> dict[str, str]:
        """Every string the file has (or inherits), by its key as problems name it."""
        out = {f"answers.{code}": text for code, text in self.answers.items()}
        out |= {f"themes.{theme}": text for theme, text in self.themes.items()}
        out |= {f"text.{key}": text for key, text in self.text.items()}
        return out

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, key, message))


def required_keys(survey: SurveyFile) -> list[str]:
    """Every key each language of *survey* must have, in the order a translator meets them."""
    return (
        [f"answers.{code}" for code in fft.CODES]
        + [f"themes.{theme}" for theme in survey.themes]
        + [f"text.{key}" for key in REQUIRED_TEXT]
    )


def read_languages(
    survey: SurveyFile, codes: list[str], directory: Path | None = None
) -> dict[str, LanguageFile]:
    """Each of *codes*' files of *survey*, with what the base survey fills in, checked: every
    key present, the same ``{placeholders}`` as English, and English's FFT wording kept.

    Never raises for a language: its problems are in its ``problems``.
    """
    base = _base_of(survey, directory, (survey.id,))
    reference_code = REFERENCE if REFERENCE in survey.languages else survey.languages[0]
    reference = _read_language(survey, reference_code, base)
    out = {}
    for code in codes:
        language = reference if code == reference_code else _read_language(survey, code, base)
        if code != reference_code:
            _check_placeholders(language, reference)
        if code == REFERENCE and survey.kind == "standard":
            _check_fft_wording(language)
        out[code] = language
    return out


@dataclass(frozen=True)
class _Base:
    """The survey a survey is based on, and the one that one is based on, if any."""

    survey: SurveyFile
    base: _Base | None


def _base_of(survey: SurveyFile, directory: Path | None, seen: tuple[str, ...]) -> _Base | None:
    """The survey *survey* is based on (in the same folder, else the shipped one), with its own
    base, so a string can be looked up along the chain."""
    if survey.based_on is None:
        return None
    if survey.based_on in seen:
        chain = " -> ".join((*seen, survey.based_on))
        raise SurveyError(f"{survey.path}: based_on goes round in a circle ({chain}); break it")
    folders = [survey.folder.parent]
    if directory is not None and directory.resolve() != surveys_dir().resolve():
        folders.append(surveys_dir())
    for folder in folders:
        if (folder / survey.based_on / SURVEY_FILE).is_file():
            base = read_survey_file(survey.based_on, folder)
            return _Base(base, _base_of(base, folder, (*seen, survey.based_on)))
    raise SurveyError(
        f"{survey.path}: based_on names '{survey.based_on}', which was not found in "
        f"{survey.folder.parent}; name one of: {', '.join(available_surveys(survey.folder.parent))}"
    )


def _read_language(survey: SurveyFile, code: str, base: _Base | None) -> LanguageFile:
    path = survey.language_path(code)
    language = LanguageFile(code, path)
    if not path.is_file():
        language.exists = False
        language.fail(
            "the file",
            f"is missing: {survey.path.name} offers '{code}'; add {path.name} (a copy of "
            f'{REFERENCE}.json with every string translated and "language": "{code}"), or '
            f"take '{code}' out of languages in {survey.path.name}",
        )
        language.missing = required_keys(survey)
        return language
    else:
        loaded, problem = json_or_problem(path)
        if problem is not None:
            language.fail("the file", problem)
            loaded = {}
        elif not isinstance(loaded, dict):
            language.fail("the file", "must hold a JSON object")
            loaded = {}
        elif loaded.get("language") != code:
            language.fail("language", f'must be "{code}", the file\'s name')
        raw: dict[str, Any] = loaded
    inherited = _base_language(base, code)
    _read_meta(language, raw, inherited)
    _read_strings(language, raw, survey, inherited)
    return language


def _base_language(base: _Base | None, code: str) -> LanguageFile | None:
    """The same language's file of the base survey, itself filled from its own base."""
    if base is None or not base.survey.language_path(code).is_file():
        return None
    return _read_language(base.survey, code, base.base)


def _read_meta(language: LanguageFile, raw: dict[str, Any], base: LanguageFile | None) -> None:
    def value(key: str, default: str) -> Any:
        if key in raw:
            return raw[key]
        return getattr(base, key) if base is not None else default

    name = value("name", "")
    if not isinstance(name, str) or not name.strip():
        language.fail("name", "is missing: add the language's own name for itself")
    else:
        language.name = name
    direction = value("direction", "ltr")
    if direction not in ("ltr", "rtl"):
        language.fail("direction", 'must be "ltr" or "rtl" (right to left: Arabic, Urdu)')
    else:
        language.direction = direction
    font = value("font", DEFAULT_FONT)
    if not isinstance(font, str) or not font.strip():
        language.fail("font", "must name the bundled font that draws it")
    else:
        language.font = font
    status = raw.get("status", "draft")
    if status not in STATUSES:
        language.fail("status", 'must be "reviewed" or "draft"')
    else:
        language.status = status
    for key in ("reviewed_by", "source"):
        text = raw.get(key, "")
        if not isinstance(text, str):
            language.fail(key, "must be text")
        else:
            setattr(language, key, text.strip())
    language.draft = language.status != "reviewed"


def _read_strings(
    language: LanguageFile, raw: dict[str, Any], survey: SurveyFile, base: LanguageFile | None
) -> None:
    groups = {name: raw.get(name, {}) for name in ("answers", "themes", "text")}
    for name, group in groups.items():
        if not isinstance(group, dict):
            language.fail(name, "must be an object of keys and their text")
            groups[name] = {}
    extra = sorted(set(groups["answers"]) - {str(code) for code in fft.CODES})
    if extra:
        language.fail(
            f"answers.{extra[0]}", "is not an FFT answer: the six codes are 1 to 6; remove it"
        )
    extra = sorted(set(groups["themes"]) - set(survey.themes))
    if extra:
        language.fail(
            f"themes.{extra[0]}",
            f"is not a theme of this survey ({', '.join(survey.themes)}); fix or remove it",
        )
    own = {
        f"{name}.{key}": text
        for name, group in groups.items()
        for key, text in group.items()
        if isinstance(key, str)
    }
    from_base = base.strings() if base is not None else {}
    for key in required_keys(survey):
        text = own.get(key)
        if key not in own and key in from_base:
            text = from_base[key]
            assert base is not None
            language.inherited[key] = base.inherited.get(key, base.path)
            language.draft = language.draft or base.draft
        if not isinstance(text, str) or not text.strip():
            language.missing.append(key)
            where = f"{language.path.name}, translated from the same key in {REFERENCE}.json"
            language.fail(
                key,
                "is missing; add it to "
                + where
                + f", or stop offering '{language.code}' in [survey] languages",
            )
            continue
        group, _, name = key.partition(".")
        if group == "answers":
            language.answers[int(name)] = text
        elif group == "themes":
            language.themes[name] = text
        else:
            language.text[name] = text


def _check_placeholders(language: LanguageFile, reference: LanguageFile) -> None:
    theirs = reference.strings()
    for key, text in language.strings().items():
        if key not in theirs:
            continue
        wanted = set(PLACEHOLDER.findall(theirs[key]))
        if set(PLACEHOLDER.findall(text)) != wanted:
            shown = " ".join(f"{{{name}}}" for name in sorted(wanted)) or "none"
            language.fail(
                key,
                f"must use the same placeholders as {reference.path.name} ({shown}), each "
                "kept untranslated in its braces: the kiosk fills them in",
            )


def _check_fft_wording(language: LanguageFile) -> None:
    # The FFT question and answers keep NHS England's words exactly in the standard survey.
    if language.text.get("question", fft.QUESTION) != fft.QUESTION:
        language.fail("text.question", f'must be exactly "{fft.QUESTION}" (NHS England\'s words)')
    for code, label in fft.CODES.items():
        if language.answers.get(code, label) != label:
            language.fail(f"answers.{code}", f'must be exactly "{label}" (NHS England\'s words)')
