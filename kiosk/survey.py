"""Survey definitions: the FFT question, six answers, follow-ups and UI strings, per language.

A survey is a folder in ``resources/surveys`` (or a trust's own ``[survey] directory``):
``survey.json`` holds its structure and one ``<lang>.json`` per language holds its words
(``kiosk.survey_files`` reads them). It is validated when loaded, so a missing translation or a
changed FFT wording is caught by ``--check`` rather than seen by a patient: a language with a
missing string is refused, never filled in with English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.survey_files import (
    DEFAULT_FONT,
    REQUIRED_TEXT,
    LanguageFile,
    SurveyError,
    read_languages,
    read_survey_file,
)
from kiosk.survey_files import available_surveys as available_surveys
from sync import fft

__all__ = [
    "DEFAULT_FONT",
    "REQUIRED_TEXT",
    "RLM",
    "Language",
    "Survey",
    "SurveyError",
    "Theme",
    "available_surveys",
    "complete_languages",
    "load_survey",
]

RLM = "\u200f"


@dataclass(frozen=True)
class Language:
    """One language a survey is written in.

    Attributes:
        code: BCP 47 code, e.g. ``ur``.
        name: the language's own name for itself, shown on the switcher.
        rtl: whether the script runs right to left (the whole screen mirrors).
        draft: True until a native speaker has reviewed the translation.
        font: the family of the bundled font that draws it (``--check`` proves it does).
        reviewed_by: who reviewed it and when, as its file says; "" for a draft.
        source: where its wording came from, as its file says.
        path: its ``<lang>.json``.
    """

    code: str
    name: str
    rtl: bool
    draft: bool
    font: str = DEFAULT_FONT
    reviewed_by: str = ""
    source: str = ""
    path: Path | None = None


@dataclass(frozen=True)
class Theme:
    id: str
    text: Mapping[str, str]


@dataclass(frozen=True)
class Survey:
    """A validated survey definition.

    Attributes:
        id: its folder's name, stored with every response.
        version: bumped when wording changes, stored with every response.
        languages: the languages offered on this kiosk, in switcher order.
        path: its ``survey.json``.
        kind: "standard", "easy-read" or "children"; every kind stores the same six codes.
        based_on: the survey whose words fill in what this one's language files leave out.
        pictures: the picture (an icon name) shown with each answer, by FFT code.
    """

    id: str
    version: int
    languages: tuple[Language, ...]
    answers: Mapping[int, Mapping[str, str]]
    themes: tuple[Theme, ...]
    strings: Mapping[str, Mapping[str, str]]
    path: Path
    title: str = ""
    kind: str = "standard"
    based_on: str | None = None
    pictures: Mapping[int, str] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        """The survey's folder: ``survey.json`` and one ``<lang>.json`` per language."""
        return self.path.parent

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


def load_survey(
    survey_id: str, languages: Iterable[str] | None = None, directory: Path | None = None
) -> Survey:
    """Load and validate the survey in ``<directory>/<survey_id>/`` for the offered *languages*.

    :param languages: language codes to offer, in order; None or empty offers every language
        ``survey.json`` lists, in its order (the first is the default).
    :param directory: a folder of survey folders; None for the ones shipped with the kiosk.
    :raises SurveyError: naming the file and the key that is wrong, and what to do.
    """
    survey = read_survey_file(survey_id, directory)
    codes = list(languages or survey.languages)
    for code in codes:
        if code not in survey.languages:
            raise SurveyError(
                f"{survey.path}: languages has no '{code}'; offer only languages the survey "
                f"has ({', '.join(survey.languages)}) in [survey] languages, or add '{code}' "
                f"and its {code}.json to the survey"
            )
    if len(set(codes)) != len(codes):
        raise SurveyError(f"[survey] languages lists a language twice ({', '.join(codes)})")
    files = read_languages(survey, codes, directory)
    for code in codes:
        problems = files[code].problems
        if problems:
            more = len(problems) - 1
            also = (
                f" (and {more} more problem{'s' if more > 1 else ''} in {files[code].path.name}:"
                f" `python -m kiosk translations --survey {survey_id}` lists them all)"
                if more
                else ""
            )
            raise SurveyError(f"{problems[0]}{also}")
    return Survey(
        id=survey.id,
        version=survey.version,
        languages=tuple(_language(files[code]) for code in codes),
        answers={c: {code: files[code].answers[c] for code in codes} for c in fft.CODES},
        themes=tuple(
            Theme(theme, {code: files[code].themes[theme] for code in codes})
            for theme in survey.themes
        ),
        strings={key: {code: files[code].text[key] for code in codes} for key in REQUIRED_TEXT},
        path=survey.path,
        title=survey.title,
        kind=survey.kind,
        based_on=survey.based_on,
        pictures=dict(survey.pictures),
    )


def complete_languages(survey_id: str, directory: Path | None = None) -> tuple[Language, ...]:
    """Every language the survey lists whose file is complete, in its order: what staff may
    switch on in Settings. One with a problem is left out rather than offered to be refused at
    the next start (``--check`` names it). Raises SurveyError only for a bad ``survey.json``."""
    survey = read_survey_file(survey_id, directory)
    files = read_languages(survey, list(survey.languages), directory)
    return tuple(_language(file) for file in files.values() if not file.problems)


def _language(file: LanguageFile) -> Language:
    return Language(
        code=file.code,
        name=file.name,
        rtl=file.direction == "rtl",
        draft=file.draft,
        font=file.font,
        reviewed_by=file.reviewed_by,
        source=file.source,
        path=file.path,
    )
