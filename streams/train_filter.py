"""Train the learned signal filter (`streams/learned.py`) on the signal tuning corpus.

    python -m streams.train_filter            # writes seeds/signal_filter.json

Every article of `streams.evaluate.TUNING_FILES` (never the frozen test split) is analysed
without the filter; each category the rules propose is an example, labelled by whether the
article's labels hold it. The training is deterministic (L-BFGS on fixed data in numpy): the
same files give the same weights, which `tests/unit/test_learned.py` checks against the
committed file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from streams.analyze import analyze_article
from streams.catalogue import seeds_dir
from streams.evaluate import TUNING_FILES, labelled_articles
from streams.learned import FILTER_FILE, THRESHOLD, category_features, train

__all__ = ["examples_of", "file_hashes", "main", "tuning_examples"]


def tuning_examples(
    names: Iterable[str], folder: Path | None = None
) -> list[tuple[str, dict[str, dict[int, float]], set[str], bool]]:
    """(file, features per category the rules find, labelled categories, cooperation) for
    every article of the named tuning files, as the analysis finds them without the filter."""
    folder = folder or seeds_dir() / "eval"
    out = []
    for name in names:
        for raw, item in labelled_articles([folder / name]):
            every: list = []
            analyzed = analyze_article(raw, signal_filter=False, every_out=every)
            found = category_features(every, len(analyzed.title), analyzed.text)
            gold = set(item["labels"]["categories"])
            out.append((name, found, gold, bool(item["labels"]["cooperation"])))
    return out


def examples_of(articles: Iterable[tuple]) -> list[tuple[dict[int, float], bool]]:
    """The (features, kept) examples of `tuning_examples` articles."""
    return [
        (features, category in gold)
        for _, found, gold, _ in articles
        for category, features in found.items()
    ]


def file_hashes(names: Iterable[str]) -> dict[str, str]:
    """The first 16 hex digits of each tuning file's SHA-256: what the filter learned from."""
    folder = seeds_dir() / "eval"
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest()[:16] for n in names}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m streams.train_filter",
        description="Train the signal filter on the tuning corpus (never the test split) and "
        f"write seeds/{FILTER_FILE}.",
    )
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength (default 1)")
    parser.add_argument(
        "--threshold",
        type=float,
        default=THRESHOLD,
        help=f"keep a category at this probability (default {THRESHOLD}: the best median "
        "micro-F1 leaving one tuning file out, benchmarks/learned_filter_cv.py)",
    )
    parser.add_argument("--output", type=Path, default=seeds_dir() / FILTER_FILE)
    args = parser.parse_args(argv)
    articles = tuning_examples(TUNING_FILES)
    examples = examples_of(articles)
    model = train(examples, c=args.c)
    model.threshold = args.threshold
    data = model.to_json(file_hashes(TUNING_FILES), args.c)
    args.output.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    kept = sum(model.probability(f) >= model.threshold for f, _ in examples)
    print(
        f"trained on {len(articles)} articles, {len(examples)} (article, category) proposals "
        f"({sum(label for _, label in examples)} labelled); keeps {kept}; "
        f"{len(data['weights'])} weights -> {args.output}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
