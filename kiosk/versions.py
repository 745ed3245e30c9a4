"""The versions of the FFT a kiosk can switch between, without Qt: the ward's own survey
(``[survey] id``), the easy-read version anyone may choose, and the standard question for a
grown-up on a children's or easy-read ward.

Every version stores the same six codes; a response carries the ``survey_id`` and
``survey_version`` of the version whose question was answered. A version is offered in each of
the kiosk's languages it has complete, and only there: a patient reading Polish is never
switched to English because the easy-read version has no Polish yet.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.survey import Survey, SurveyError, load_survey
from kiosk.survey_files import read_languages, read_survey_file

log = logging.getLogger(__name__)

#: The shipped versions a ward's survey switches to, when its own folder has no other.
EASY_READ_ID = "fft-easy-read"
STANDARD_ID = "fft-inpatient"
STANDARD, EASY_READ, CHILDREN = "standard", "easy-read", "children"


def speaks(survey: Survey | None, language: str) -> bool:
    """Whether *survey* is there and has *language*."""
    return survey is not None and any(lang.code == language for lang in survey.languages)


@dataclass(frozen=True)
class SurveyVersions:
    """The ward's survey and the ones the top bar switches to.

    Attributes:
        default: the ward's own survey (``[survey] id``); every new person starts on it.
        easy_read: the easy-read version ("Easy read" in the top bar), None if not offered.
        standard: the standard question ("For grown-ups" on a children's ward, and "Easy read"
            switched off on an easy-read ward), None if not offered.
    """

    default: Survey
    easy_read: Survey | None = None
    standard: Survey | None = None

    def offers_easy_read(self, language: str) -> bool:
        """ "Easy read" is in the top bar for *language*: the easy-read version has it, and
        so does the way back (the standard question, on an easy-read ward)."""
        back = self.standard if self.default.kind == EASY_READ else self.default
        return speaks(self.easy_read, language) and speaks(back, language)

    def offers_grown_ups(self, language: str) -> bool:
        """ "For grown-ups" is in the top bar: a children's ward, the standard question in
        *language*."""
        return self.default.kind == CHILDREN and speaks(self.standard, language)

    def easy_read_choice(self, on: bool) -> Survey:
        """The version "Easy read" switched *on* or off shows: off goes back to the ward's own
        survey, or to the standard question where the ward's own is the easy-read one."""
        if on:
            return self.easy_read or self.default
        if self.default.kind == EASY_READ:
            return self.standard or self.default
        return self.default

    def grown_ups_choice(self, on: bool) -> Survey:
        """The version "For grown-ups" switched *on* or off shows."""
        return (self.standard or self.default) if on else self.default


def load_versions(
    default: Survey, languages: Iterable[str] | None, directory: Path | None
) -> SurveyVersions:
    """The ward's survey *default* with the versions it switches to, from *directory* (None:
    the shipped surveys), each in those of the kiosk's *languages* (``[survey] languages``;
    None: the ward survey's) it has complete. One with none of them is not offered (logged).
    """
    codes = list(languages) if languages else [lang.code for lang in default.languages]
    easy_read = default if default.kind == EASY_READ else None
    standard = default if default.kind == STANDARD else None
    if easy_read is None:
        easy_read = _load(EASY_READ_ID, codes, directory)
    if standard is None:
        standard = _load(default.based_on or STANDARD_ID, codes, directory)
    return SurveyVersions(default, easy_read, standard)


def _load(survey_id: str, languages: list[str], directory: Path | None) -> Survey | None:
    problems: list[str] = []
    for folder in dict.fromkeys((directory, None)):  # a trust's own folder, then the shipped one
        try:
            structure = read_survey_file(survey_id, folder)
            offered = [code for code in languages if code in structure.languages]
            if not offered:
                problems.append(f"{structure.path} has none of the languages {languages}")
                continue
            try:
                return load_survey(survey_id, offered, folder)  # read once, as a rule
            except SurveyError:
                pass  # some language is incomplete: offer the version in the others
            files = read_languages(structure, offered, folder)
            complete = [code for code in offered if files[code].complete]
            for code in offered:
                if not files[code].complete:
                    log.warning(
                        "%s is not offered in '%s': %s", survey_id, code, files[code].problems[0]
                    )
            if complete:
                return load_survey(survey_id, complete, folder)
            problems.append(f"{structure.path} has no language complete")
        except SurveyError as exc:
            problems.append(str(exc))
    log.warning("%s is not offered: %s", survey_id, "; ".join(problems))
    return None
