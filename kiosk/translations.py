"""``python -m kiosk translations [--survey ID]``: for each survey, every language's status
(reviewed or draft, and by whom), how many of its strings are there, which are missing, and
where its wording came from, as a table a translation service can read. No Qt here: it runs
on any machine with Python, with no display.

Exit status: 0 when every language a survey offers is complete, 1 when any string is missing
(or a file is wrong), 2 for an unknown survey.
"""

from __future__ import annotations

import os
import sys
import textwrap
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kiosk.resources import surveys_dir
from kiosk.survey_files import REFERENCE, LanguageFile, read_languages, required_keys
from kiosk.survey_folder import (
    SURVEY_FILE,
    SurveyError,
    SurveyFile,
    available_surveys,
    read_survey_file,
)

WIDTH = 100
# More missing keys than this are counted in the table, and all named below it.
SHOWN_IN_TABLE = 3


@dataclass(frozen=True)
class LanguageRow:
    """One language file of a survey, as the report shows it.

    Attributes:
        offered: listed in the survey's ``survey.json`` (a file that is not is never shown).
        other_problems: problems other than missing strings (placeholders, a bad field...).
        inherited: how many strings were taken from each file of the base survey.
    """

    file: LanguageFile
    offered: bool
    required: int
    other_problems: tuple[str, ...]
    inherited: dict[str, int]

    @property
    def present(self) -> int:
        return self.required - len(self.file.missing)

    @property
    def status(self) -> str:
        return "draft" if self.file.draft else "reviewed"


@dataclass(frozen=True)
class SurveyReport:
    survey: SurveyFile
    rows: tuple[LanguageRow, ...]

    @property
    def incomplete(self) -> list[LanguageRow]:
        """Offered languages a kiosk would refuse: a string missing, or a file wrong."""
        return [row for row in self.rows if row.offered and row.file.problems]


def survey_report(survey_id: str, directory: Path | None = None) -> SurveyReport:
    """Every language file of *survey_id*: those ``survey.json`` offers, in its order, then
    any others in the folder. Raises SurveyError for an unknown survey or a bad survey.json."""
    survey = read_survey_file(survey_id, directory)
    spare = sorted(
        path.stem
        for path in survey.folder.glob("*.json")
        if path.name != SURVEY_FILE and path.stem not in survey.languages
    )
    codes = [*survey.languages, *spare]
    files = read_languages(survey, codes, directory)
    required = len(required_keys(survey))
    rows = []
    for code in codes:
        file = files[code]
        missing = set(file.missing)
        others = tuple(
            f"{problem.key} {problem.message}"
            for problem in file.problems
            if problem.key not in missing
        )
        taken = Counter(f"{path.parent.name}/{path.name}" for path in file.inherited.values())
        rows.append(LanguageRow(file, code in survey.languages, required, others, dict(taken)))
    return SurveyReport(survey, tuple(rows))


def unoffered_problems(survey_id: str, offered: Sequence[str], directory: Path | None) -> list[str]:
    """For ``--check``: the first problem of each language the survey lists that this kiosk
    does not offer (staff may switch one on in Settings, and the kiosk would then refuse it)."""
    survey = read_survey_file(survey_id, directory)
    others = [code for code in survey.languages if code not in offered]
    return [
        f"{file.problems[0]} (not offered on this kiosk, but staff may switch it on)"
        for file in read_languages(survey, others, directory).values()
        if file.problems
    ]


def version_problems(survey_id: str, directory: Path | None) -> list[str]:
    """For ``--check``: the first problem of each language that the version *survey_id* (the
    easy-read or standard survey a kiosk switches to) lists, from *directory*, else the shipped
    surveys, as the kiosk finds it; none when there is no such survey."""
    for folder in dict.fromkeys((directory, None)):
        if survey_id in available_surveys(folder):
            survey = read_survey_file(survey_id, folder)
            files = read_languages(survey, list(survey.languages), folder)
            return [
                f"{file.problems[0]} (the {survey_id} version is not offered in '{code}' "
                "until it is fixed)"
                for code, file in files.items()
                if file.problems
            ]
    return []


def _width(text: str) -> int:
    """Columns *text* takes in a terminal: marks that combine take none, wide CJK two."""
    return sum(
        0
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf")
        else 2
        if unicodedata.east_asian_width(ch) in ("W", "F")
        else 1
        for ch in text
    )


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  "
        + "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]


def _missing_cell(row: LanguageRow) -> str:
    missing = row.file.missing
    if not row.file.exists:
        return "the whole file"
    others = len(row.other_problems)
    also = f"; {others} other problem{'s' if others > 1 else ''} below" if others else ""
    if not missing:
        return also[2:] if others else "none"
    if len(missing) > SHOWN_IN_TABLE:
        shown = f"{', '.join(missing[:SHOWN_IN_TABLE])} and {len(missing) - SHOWN_IN_TABLE} more"
        return shown + also
    return ", ".join(missing) + also


def _wrapped(label: str, text: str) -> list[str]:
    return textwrap.wrap(
        f"{label}: {text}",
        WIDTH,
        initial_indent="      ",
        subsequent_indent="        ",
        break_on_hyphens=False,
        break_long_words=False,  # a web address stays whole, to be copied
    )


def format_report(report: SurveyReport) -> list[str]:
    """The report as lines a person reads: a table, then each language's details."""
    survey = report.survey
    based = f", based on {survey.based_on}" if survey.based_on else ""
    lines = [
        f"{survey.id}: {survey.title} (version {survey.version}, {survey.kind}{based})",
        f"  files: {survey.folder}",
        "",
    ]
    table = [["code", "language", "status", "strings", "missing"]]
    for row in report.rows:
        status = row.status if row.offered else f"{row.status}, not offered"
        name = row.file.name or "(unknown)"
        table.append(
            [row.file.code, name, status, f"{row.present}/{row.required}", _missing_cell(row)]
        )
    lines += _table(table)
    lines.append("")
    for row in report.rows:
        lines.append(f"  {row.file.code} ({row.file.path.name})")
        if not row.offered:
            lines += _wrapped(
                "not offered",
                f"add '{row.file.code}' to languages in {SURVEY_FILE} to offer it",
            )
        if not row.file.draft:
            lines += _wrapped("reviewed by", row.file.reviewed_by or "(not said)")
        elif row.file.status == "reviewed":
            lines += _wrapped(
                "draft", "its own file is reviewed, but strings it takes from the base are drafts"
            )
        if row.file.missing and row.file.exists:
            lines += _wrapped("missing", ", ".join(row.file.missing))
        for problem in row.other_problems:
            lines += _wrapped("problem", problem)
        if row.inherited:
            taken = ", ".join(f"{count} from {name}" for name, count in row.inherited.items())
            lines += _wrapped("taken from the base survey", taken)
        if row.file.exists:
            source = row.file.source or "(not said: add where the wording came from)"
            lines += _wrapped("source", source)
    lines.append("")
    lines += textwrap.wrap(_summary(report), WIDTH)
    return lines


def _summary(report: SurveyReport) -> str:
    survey = report.survey
    offered = [row for row in report.rows if row.offered]
    drafts = [row.file.code for row in offered if row.file.draft]
    incomplete = report.incomplete
    if incomplete:
        names = ", ".join(f"{row.file.code} ({row.file.path.name})" for row in incomplete)
        base = (
            f", or to the same language's file of {survey.based_on}, which this survey is based on"
            if survey.based_on
            else ""
        )
        return (
            f"Not ready: {len(incomplete)} of {len(offered)} languages offered have strings "
            f"missing or wrong: {names}. Add each missing key to that language's file, "
            f"translated from the same key in {REFERENCE}.json{base}, fix each problem, and run "
            "this command again. Until then a kiosk offering that language will not start, "
            "and `python -m kiosk --check` fails."
        )
    are = "is a draft" if len(drafts) == 1 else "are drafts"
    draft_words = (
        f" {len(drafts)} {are}, not yet reviewed by a native speaker: {', '.join(drafts)}. "
        'To mark one reviewed, see README, "Translations".'
        if drafts
        else " Every one has been reviewed."
    )
    return f"Complete: all {len(offered)} languages offered have every string.{draft_words}"


def run(survey_id: str | None, directory: Path | None = None, out: TextIO = sys.stdout) -> int:
    """``translations``: print the report for *survey_id* (every survey when None) in
    *directory* (None: the shipped surveys); the exit status."""
    folder = directory or surveys_dir()
    known = available_surveys(folder)
    if survey_id is not None and survey_id not in known:
        print(
            f"There is no survey '{survey_id}' in {folder}. Known surveys: "
            f"{', '.join(known) or 'none'}. Run `python -m kiosk translations --survey ID` "
            "with one of them, or without --survey for all.",
            file=sys.stderr,
        )
        return 2
    status = 0
    for index, name in enumerate([survey_id] if survey_id else known):
        if index:
            print("", file=out)
        try:
            report = survey_report(name, directory)
        except SurveyError as exc:
            print(f"{name}: cannot be read: {exc}", file=out)
            status = 1
            continue
        print("\n".join(format_report(report)), file=out)
        if report.incomplete:
            status = 1
    return status


def command(survey_id: str | None, config_path: Path | None) -> int:
    """``python -m kiosk translations``: the surveys in kiosk.toml's ``[survey] directory`` when
    it sets one (a trust's own translations), else the shipped ones; the exit status."""
    from kiosk.config import ConfigError, load_config

    directory = None
    try:
        directory = load_config(config_path).survey.folder
    except ConfigError as exc:
        print(
            f"{exc}\n(kiosk.toml cannot be used, so these are the shipped surveys, not any "
            "[survey] directory it sets.)\n",
            file=sys.stderr,
        )
    try:
        return run(survey_id, directory)
    except BrokenPipeError:
        # Piped into `head` or `more` and closed early: what was wanted was read. Point stdout
        # at nothing so Python's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
