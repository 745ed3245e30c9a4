"""A survey's folder: finding it, and reading and checking its ``survey.json`` (the survey's
structure: id, version, kind, base survey, languages offered and themes, without any words).
Each language's words are in ``kiosk.survey_files``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.resources import surveys_dir
from sync import fft

SURVEY_FILE = "survey.json"
KINDS = ("standard", "easy-read", "children")
_SURVEY_ID = re.compile(r"[a-z0-9][a-z0-9\-]*")
# BCP 47 as the kiosk uses it: a language, then optional script or region ("zh-Hans").
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


class SurveyError(Exception):
    """A survey file is missing, unreadable or incomplete. The message says which and how to fix."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file: the key, and what is wrong with it and what to do."""

    path: Path
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.key} {self.message}"


@dataclass(frozen=True)
class SurveyFile:
    """A checked ``survey.json``: the survey's structure, without any words."""

    id: str
    version: int
    title: str
    kind: str
    based_on: str | None
    languages: tuple[str, ...]
    themes: tuple[str, ...]
    pictures: dict[int, str]
    path: Path

    @property
    def folder(self) -> Path:
        return self.path.parent

    def language_path(self, code: str) -> Path:
        return self.folder / f"{code}.json"


def available_surveys(directory: Path | None = None) -> list[str]:
    """The ids of the surveys in *directory* (default: the shipped ones): its folders that hold
    a ``survey.json``."""
    folder = directory or surveys_dir()
    if not folder.is_dir():
        return []
    return sorted(p.parent.name for p in folder.glob(f"*/{SURVEY_FILE}"))


def read_json(path: Path) -> Any:
    """The JSON in *path*; SurveyError saying where the file is wrong and what to do."""
    value, problem = json_or_problem(path)
    if problem is not None:
        raise SurveyError(f"{path}: the file {problem}")
    return value


def json_or_problem(path: Path) -> tuple[Any, str | None]:
    """The JSON in *path*, or None and what is wrong with the file and what to do."""
    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except FileNotFoundError:
        return None, "is missing"
    except UnicodeDecodeError:
        return None, (
            "is not UTF-8 text; save it again as UTF-8 (most editors offer this under Save As)"
        )
    except json.JSONDecodeError as exc:
        return None, (
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); a missing "
            "comma or quote is the usual cause: fix it there"
        )
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror}); check it is there and readable"


def read_survey_file(survey_id: str, directory: Path | None = None) -> SurveyFile:
    """Find and check ``<directory>/<survey_id>/survey.json``.

    :raises SurveyError: the survey is unknown (listing the known ones) or its file is wrong.
    """
    directory = directory or surveys_dir()
    path = directory / survey_id / SURVEY_FILE
    if not _SURVEY_ID.fullmatch(survey_id) or not path.is_file():
        old = directory / f"{survey_id}.json"
        if _SURVEY_ID.fullmatch(survey_id) and old.is_file():
            raise SurveyError(
                f"{old} is a survey in the old one-file layout; split it into "
                f"{directory / survey_id / SURVEY_FILE} and one <language>.json per language "
                '(see README, "Translations")'
            )
        known = ", ".join(available_surveys(directory)) or "none"
        raise SurveyError(
            f"survey '{survey_id}' was not found in {directory}; set [survey] id to one of: {known}"
        )
    raw = read_json(path)

    def fail(key: str, problem: str) -> SurveyError:
        return SurveyError(str(Problem(path, key, problem)))

    if not isinstance(raw, dict):
        raise fail("the file", "must hold a JSON object")
    if raw.get("id") != survey_id:
        raise fail("id", f"must be '{survey_id}', the name of its folder")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail("version", "must be a whole number of 1 or more")
    title = raw.get("title", survey_id)
    if not isinstance(title, str) or not title.strip():
        raise fail("title", "must be the survey's name, as text")
    kind = raw.get("kind", "standard")
    if kind not in KINDS:
        raise fail("kind", f"must be one of {', '.join(KINDS)}")
    based_on = raw.get("based_on")
    if based_on is not None and (not isinstance(based_on, str) or based_on == survey_id):
        raise fail("based_on", 'must name another survey, e.g. "fft-inpatient"')
    languages = raw.get("languages")
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(c, str) and _LANGUAGE_CODE.fullmatch(c) for c in languages)
        or len(set(languages)) != len(languages)
    ):
        raise fail(
            "languages",
            'must list language codes without repeats, default first, e.g. ["en", "cy", "ur"]',
        )
    themes = raw.get("themes", [])
    if (
        not isinstance(themes, list)
        or not all(isinstance(t, str) and t.strip() for t in themes)
        or len(set(themes)) != len(themes)
    ):
        raise fail("themes", 'must list theme ids without repeats, e.g. ["staff", "food"]')
    pictures = raw.get("pictures", {})
    codes = {str(code) for code in fft.CODES}
    if not isinstance(pictures, dict) or not all(
        key in codes and isinstance(name, str) and name.strip() for key, name in pictures.items()
    ):
        raise fail("pictures", 'must map answer codes "1" to "6" to picture names')
    return SurveyFile(
        id=survey_id,
        version=version,
        title=title,
        kind=kind,
        based_on=based_on,
        languages=tuple(languages),
        themes=tuple(themes),
        pictures={int(key): name for key, name in pictures.items()},
        path=path,
    )
