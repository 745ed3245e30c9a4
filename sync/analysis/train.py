"""``python -m sync.analysis.train``: rebuild the shipped tagger from the labelled comments with
a fixed seed, after scoring it and a plain TF-IDF + linear SVC baseline by 5-fold cross-validation.

    python -m sync.analysis.train [--data PATH] [--out FOLDER] [--folds 5] [--no-cv]

Needs the ``analysis-train`` extra (scikit-learn). Uses one CPU core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from sync.analysis import dataset, tagger

SEED = 13
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "fft-comments" / "comments.csv"
NOTICE = "LICENSE-data"
ATTRIBUTION = (
    "Trained on NHS England's labelled Friends and Family Test comments (pxtextmining, "
    "framework v6), MIT licence, copyright (c) 2021 NHS England: see LICENSE-data."
)


@dataclass(frozen=True)
class Scores:
    """Cross-validated quality of one approach.

    :ivar micro_f1: themes, over every comment and theme.
    :ivar accuracy: sentiment, over the comments that were given one.
    :ivar per_theme: F1 of each theme by name.
    """

    micro_f1: float
    accuracy: float
    per_theme: dict[str, float]


def micro_f1(truth: npt.NDArray[Any], guess: npt.NDArray[Any]) -> float:
    hits = int(np.sum((truth == 1) & (guess == 1)))
    return 2 * hits / (int(truth.sum()) + int(guess.sum()) or 1)


def _scores(
    data: dataset.Dataset, labels: npt.NDArray[Any], sentiments: npt.NDArray[Any]
) -> Scores:
    judged = data.sentiments > 0
    return Scores(
        micro_f1=micro_f1(data.labels, labels),
        accuracy=float(np.mean(sentiments[judged] == data.sentiments[judged])),
        per_theme={
            theme: micro_f1(data.labels[:, j], labels[:, j]) for j, theme in enumerate(data.themes)
        },
    )


def cross_validate(
    data: dataset.Dataset, folds: int, seed: int, say: Any = print, settings: Any = None
) -> tuple[Scores, Scores]:
    """The model's and the baseline's scores, each comment predicted by the fold that left
    it out (the same folds for both)."""
    from sklearn.model_selection import KFold

    from sync.analysis.fitting import Baseline, fit

    n_themes = len(data.themes)
    shape = (len(data.texts), n_themes)
    model_labels, base_labels = np.zeros(shape, np.int8), np.zeros(shape, np.int8)
    model_sent = np.zeros(len(data.texts), np.int64)
    base_sent = np.zeros(len(data.texts), np.int64)
    start = time.monotonic()
    splits = KFold(folds, shuffle=True, random_state=seed).split(np.arange(len(data.texts)))
    for k, (train, test) in enumerate(splits, 1):
        part, held = data.subset(train), data.subset(test)
        fitted = fit(part, seed, settings)
        model_labels[test], model_sent[test] = fitted.predict(held.texts, held.ratings, data.themes)
        baseline = Baseline.fit(part, seed)
        base_labels[test], base_sent[test] = baseline.predict(held.texts, n_themes)
        say(f"  fold {k}/{folds} done ({time.monotonic() - start:.0f} s)")
    return _scores(data, model_labels, model_sent), _scores(data, base_labels, base_sent)


def report(data: dataset.Dataset, model: Scores, baseline: Scores) -> list[str]:
    """The lines printed after cross-validation: both approaches, then the ten most common
    themes."""
    lines = [
        f"{'':<28}{'model':>8}{'baseline':>10}",
        f"{'themes micro-F1':<28}{model.micro_f1:>8.3f}{baseline.micro_f1:>10.3f}",
        f"{'sentiment accuracy':<28}{model.accuracy:>8.3f}{baseline.accuracy:>10.3f}",
        "ten most common themes (F1):",
    ]
    counts = data.labels.sum(0)
    for j in np.argsort(-counts, kind="stable")[:10]:
        theme = data.themes[j]
        lines.append(
            f"  {theme[:46]:<46} n={int(counts[j]):>5}  "
            f"{model.per_theme[theme]:.3f}  baseline {baseline.per_theme[theme]:.3f}"
        )
    return lines


def version(data: dataset.Dataset, today: dt.date) -> str:
    """The model's version: the day it was trained and the start of its data's SHA-256."""
    return f"{today.isoformat()}+data.{data.digest[:12]}"


def build(
    data: dataset.Dataset, out: Path, seed: int, today: dt.date, scores: dict[str, Any]
) -> None:
    """Fit on all of *data* and write the model, with the data's licence, into *out*."""
    from sync.analysis.fitting import Settings, export, fit

    fitted = fit(data, seed)
    metadata = {
        "version": version(data, today),
        "seed": seed,
        "trained_on": {"comments": len(data.texts), "sha256": data.digest},
        "settings": asdict(Settings()),
        "cross_validation": scores,
        "notice": ATTRIBUTION,
    }
    export(fitted, out, metadata)
    licence = Path(__file__).resolve().parent / "model" / NOTICE
    if (out / NOTICE).resolve() != licence and licence.exists():
        shutil.copyfile(licence, out / NOTICE)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m sync.analysis.train", description=__doc__.splitlines()[0]
    )
    top.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"(default: {DEFAULT_DATA})")
    top.add_argument(
        "--out", type=Path, default=tagger.MODEL_DIR, help="(default: the shipped one)"
    )
    top.add_argument("--folds", type=int, default=5)
    top.add_argument("--seed", type=int, default=SEED)
    top.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print(
            "training needs scikit-learn: pip install 'ward-kiosk[analysis-train]'",
            file=sys.stderr,
        )
        return 2
    try:
        data = dataset.read(args.data)
    except dataset.DataError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"{len(data.texts)} comments with text in {args.data}")
    scores: dict[str, Any] = {}
    if not args.no_cv:
        print(f"{args.folds}-fold cross-validation, seed {args.seed}:")
        model, baseline = cross_validate(data, args.folds, args.seed)
        print("\n".join(report(data, model, baseline)))
        scores = {
            "folds": args.folds,
            "model": {"themes_micro_f1": model.micro_f1, "sentiment_accuracy": model.accuracy},
            "baseline": {
                "themes_micro_f1": baseline.micro_f1,
                "sentiment_accuracy": baseline.accuracy,
            },
        }
    build(data, args.out, args.seed, dt.datetime.now(dt.UTC).date(), scores)
    size = sum(f.stat().st_size for f in args.out.iterdir()) / 1e6
    print(f"model written to {args.out} ({size:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
