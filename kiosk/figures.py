"""The queries behind what staff see and export: FFT counts, daily counts, comments, theme
counts and the raw responses of a period, all by the ward's calendar date.

``FigureQueries`` is mixed into ``LocalStore``; ``kiosk/staff_figures.py`` words the results.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlite_utils

from sync.fft import FFTCounts


class FigureQueries:
    """LocalStore's read side for staff screens and exports; never writes.

    Attributes (provided by ``LocalStore``):
        db: the open kiosk.db.
    """

    db: sqlite_utils.Database

    def counts(self, first: date, last: date) -> FFTCounts:
        """FFT counts for ward dates *first* to *last* inclusive.

        Flagged responses (e.g. ``repeat-tap``) are left out of the six counts and counted
        in ``excluded``.
        """
        by_code: dict[int, int] = {}
        excluded = 0
        rows = self.db.query(
            "SELECT rating, flags = '[]' AS clean, count(*) AS n FROM responses"
            " WHERE local_date BETWEEN ? AND ? GROUP BY rating, clean",
            [first.isoformat(), last.isoformat()],
        )
        for row in rows:
            if row["clean"]:
                by_code[row["rating"]] = row["n"]
            else:
                excluded += row["n"]
        return FFTCounts.from_mapping(by_code, excluded)

    def daily_counts(self, first: date, last: date) -> dict[date, dict[int, int]]:
        """Responses per ward date and FFT code (flagged ones left out), dates with none absent."""
        days: dict[date, dict[int, int]] = {}
        rows = self.db.execute(
            "SELECT local_date, rating, count(*) FROM responses"
            " WHERE local_date BETWEEN ? AND ? AND flags = '[]' GROUP BY local_date, rating",
            [first.isoformat(), last.isoformat()],
        )
        for day, rating, n in rows:
            days.setdefault(date.fromisoformat(day), {})[rating] = n
        return days

    def comments(
        self,
        first: date,
        last: date,
        codes: Sequence[int] = (1, 2, 3, 4, 5, 6),
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """The newest *limit* comments given on ward dates *first* to *last*, with their rating
        and themes; *codes* narrows them (e.g. to the positive answers)."""
        marks = ", ".join("?" for _ in codes)
        rows = self.db.execute(
            "SELECT answered_at, local_date, rating, answers, comment, flags FROM responses"
            f" WHERE local_date BETWEEN ? AND ? AND comment IS NOT NULL AND rating IN ({marks})"
            " ORDER BY answered_at DESC LIMIT ?",
            [first.isoformat(), last.isoformat(), *codes, limit],
        )
        return [
            {
                "answered_at": answered_at,
                "local_date": local_date,
                "rating": rating,
                "themes": json.loads(answers).get("themes", []),
                "comment": comment,
                "flags": json.loads(flags),
            }
            for answered_at, local_date, rating, answers, comment, flags in rows
        ]

    def responses_between(self, first: date, last: date) -> list[dict[str, Any]]:
        """Every response given on ward dates *first* to *last* inclusive, oldest first.

        Each is a dict of ``id``, ``answered_at``, ``local_date``, ``rating``, ``themes``
        (list), ``comment`` (or None), ``language``, ``mode``, ``flags`` (list) and
        ``sync_state``: what a staff export shows.
        """
        rows = self.db.query(
            "SELECT id, answered_at, local_date, rating, answers, comment, language, mode,"
            " flags, sync_state FROM responses WHERE local_date BETWEEN ? AND ?"
            " ORDER BY answered_at, rowid",
            [first.isoformat(), last.isoformat()],
        )
        found = []
        for row in rows:
            answers = json.loads(row.pop("answers"))
            found.append(
                {**row, "themes": answers.get("themes", []), "flags": json.loads(row["flags"])}
            )
        return found

    def theme_counts(self, first: date, last: date) -> dict[str, int]:
        """How often each theme chip was chosen on ward dates *first* to *last*."""
        rows = self.db.execute(
            "SELECT theme.value, count(*) FROM responses,"
            " json_each(responses.answers, '$.themes') AS theme"
            " WHERE local_date BETWEEN ? AND ? AND answers != '{}' AND flags = '[]'"
            " GROUP BY theme.value ORDER BY count(*) DESC, theme.value",
            [first.isoformat(), last.isoformat()],
        )
        return {theme: n for theme, n in rows}
