"""Comment tagging speed: comments tagged per second on one core, and the model's load time.

    python bench/tagging.py [--count 5000] [--data PATH]

Tags real FFT comments (the labelled file when it is there, else a mix of typical comments)
with the shipped model in batches of 200, median of 5 runs. Baseline, in the same run: the
TF-IDF transform alone, the part of tagging that no model choice can avoid. Targets: at least
1,000 comments a second on one core; the model loads in under a second.
"""

from __future__ import annotations

import os

# One core, as the target says: numpy's BLAS would otherwise spread the scoring.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

from sync.analysis import dataset, tagger  # noqa: E402
from sync.analysis.train import DEFAULT_DATA  # noqa: E402

BATCH = 200  # as tag-comments does: one progress step per batch
TYPICAL = [
    "The nurses were lovely and kind",
    "Waited 6 hours in pain before anyone saw me",
    "Food was cold and the ward was noisy at night, could not sleep",
    "Doctors explained everything clearly and listened to my worries",
    "Nothing, everything was great, thank you all",
    "Parking is impossible and the signs to the ward are confusing",
]


def comments(count: int, path: Path) -> tuple[list[str], str]:
    try:
        texts = dataset.read(path).texts
        where = f"labelled comments from {path.name}"
    except dataset.DataError:
        texts, where = TYPICAL, "typical comments (the labelled file is absent)"
    return [texts[i % len(texts)] for i in range(count)], where


def timed(run: Callable[[], object], repeat: int = 5) -> float:
    """Median seconds of *repeat* runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    texts, where = comments(args.count, args.data)
    load = timed(tagger.load)
    model = tagger.load()
    print(f"{args.count} {where}; model {model.version}, {len(model.themes)} themes")

    batches = [texts[i : i + BATCH] for i in range(0, len(texts), BATCH)]

    def transform() -> None:
        for batch in batches:
            for vectorizer in model.vectorizers:
                vectorizer.transform(batch)

    def tag() -> None:
        for batch in batches:
            model.tag_all(batch, [1] * len(batch))

    baseline = args.count / timed(transform)
    rate = args.count / timed(tag)
    print(f"baseline: TF-IDF transform alone   {baseline:8.0f} comments/s")
    print(
        f"tagging (themes and sentiment)      {rate:8.0f} comments/s "
        f"({rate / baseline:.2f} x the transform; target: at least 1,000/s on one core)"
    )
    print(f"model load                          {load * 1000:8.0f} ms (target: under 1,000 ms)")


if __name__ == "__main__":
    main()
