"""Does the learned filter detect better than the rules alone on news it has never seen?

    python benchmarks/learned_filter_cv.py [--c 1.0] [--threshold 0.3]

The filter (`streams/learned.py`): the rules propose every (article, category) they find; a
logistic regression keeps or drops each one, from the rule features and the stemmed words of
its evidence sentences (hashed). It learns which cues and contexts the rules trust too much; it
cannot add what the rules miss.

Measured as a new batch of news would meet it: leave one batch out. Each tuning file
(`streams.evaluate.TUNING_FILES`) is held out in turn, the filter trained on the others (the
same trainer as `python -m streams.train_filter`), and the held-out file scored with the rules
alone and with the filter, on the same articles. The rules were written against most of these
files, so their figures are in-sample and flatter them; the filter's never are. The frozen test
split is not read.

Deterministic (L-BFGS on fixed data, CRC32 feature hashing): the same figures on every run.
The last lines pool every held-out article of every fold: micro-F1 and flag precision / recall
per language, and F1 per category, for the rules and for the filter.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streams.catalogue import seeds_dir  # noqa: E402
from streams.evaluate import TUNING_FILES, Score, labelled_articles  # noqa: E402
from streams.learned import THRESHOLD, train  # noqa: E402
from streams.signals import CATEGORIES  # noqa: E402
from streams.train_filter import examples_of, tuning_examples  # noqa: E402


def figures(articles, kept) -> tuple[float, float, float]:  # noqa: ANN001
    """Six-category micro-F1, cooperation flag precision and recall."""
    micro, flag = Score(), Score()
    for (_, _, gold, cooperation), found in zip(articles, kept, strict=True):
        micro.add_sets(found, gold)
        flag.add(bool(found), cooperation)
    return micro.f1, flag.precision, flag.recall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength (default 1)")
    parser.add_argument(
        "--threshold", type=float, default=THRESHOLD, help="keep at this probability"
    )
    args = parser.parse_args()
    everything = tuning_examples(TUNING_FILES)
    print(f"leave one batch out; C {args.c}, threshold {args.threshold}")
    print(f"{'held out':24} {'articles':>8}   rules: micro  flag P  flag R"
          "   filter: micro  flag P  flag R")  # fmt: skip
    languages = [
        item.get("lang") or raw.lang
        for name in TUNING_FILES
        for raw, item in labelled_articles([seeds_dir() / "eval" / name])
    ]
    pooled: dict[str, dict[str, Score]] = {"rules": {}, "filter": {}}
    results = []
    for held in TUNING_FILES:
        articles = [a for a in everything if a[0] == held]
        model = train(examples_of(a for a in everything if a[0] != held), c=args.c)
        rules = [set(found) for _, found, _, _ in articles]
        learned = [
            {c for c, f in found.items() if model.probability(f) >= args.threshold}
            for _, found, _, _ in articles
        ]
        langs = [lang for a, lang in zip(everything, languages, strict=True) if a[0] == held]
        for name, found in (("rules", rules), ("filter", learned)):
            pool(pooled[name], articles, found, langs)
        before, after = figures(articles, rules), figures(articles, learned)
        results.append((before, after))
        print(f"{held:24} {len(articles):8}   {before[0]:11.3f} {before[1]:7.3f} {before[2]:7.3f}"
              f"   {after[0]:14.3f} {after[1]:7.3f} {after[2]:7.3f}")  # fmt: skip
    for label, index in (("micro-F1", 0), ("flag precision", 1), ("flag recall", 2)):
        before = statistics.median(r[0][index] for r in results)
        after = statistics.median(r[1][index] for r in results)
        print(f"median {label}: rules {before:.3f}, filter {after:.3f}")
    print("pooled over the held-out files:")
    for name, scores in pooled.items():
        print(
            f"  {name:6} micro-F1 "
            + " / ".join(f"{k} {scores['micro ' + k].f1:.3f}" for k in ("all", "en", "ru", "ko"))
            + f"; flag P / R {scores['flag all'].precision:.3f} / {scores['flag all'].recall:.3f}"
            + "; F1 "
            + " ".join(f"{c} {scores[c].f1:.3f}" for c in CATEGORIES)
        )
    return 0


def pool(scores: dict[str, Score], articles, kept, langs) -> None:  # noqa: ANN001
    """Add held-out articles to the pooled scores: micro and flag, all and per language, and
    each category."""
    for (_, _, gold, cooperation), found, lang in zip(articles, kept, langs, strict=True):
        for key in ("all", lang):
            scores.setdefault(f"micro {key}", Score()).add_sets(found, gold)
            scores.setdefault(f"flag {key}", Score()).add(bool(found), cooperation)
        for category in CATEGORIES:
            scores.setdefault(category, Score()).add(category in found, category in gold)


if __name__ == "__main__":
    raise SystemExit(main())
