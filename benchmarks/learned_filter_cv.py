"""Would a learned filter over the rules' signals detect better on news it has never seen?

    pip install -e '.[learn]'   # scikit-learn, for this experiment only
    python benchmarks/learned_filter_cv.py [--no-words] [--c 1.0] [--threshold 0.5]

The candidate the experiment tries (issue: "a learned component where rules plateau"): the rules
propose every (article, category) they find; a logistic regression keeps or drops each one,
from the rule features (the category, its best confidence, how many sentences, their cues and
key cue, hedges, how the two sides were found, the language, whether the title carries it) and,
unless --no-words, the stemmed words of its evidence sentences (hashed). It learns which cues
and contexts the rules trust too much; it cannot add what the rules miss.

Measured as a new batch of news would meet it: leave one batch out. Each tuning file
(seeds/eval/corpus*.jsonl) is held out in turn, the filter trained on the others, and the
held-out file scored with the rules alone and with the filter, on the same articles. The rules
were written against all but the last of these files, so their figures are in-sample and
flatter them; `corpus_tune6.jsonl` was scored blind. The frozen test split is not read.

Deterministic (lbfgs on fixed data, CRC32 feature hashing): the same figures on every run.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import zlib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streams.articles import read_articles  # noqa: E402
from streams.evaluate import TUNING_FILES  # noqa: E402
from streams.signals import detect_signals  # noqa: E402
from streams.text import normalise_text  # noqa: E402

_WORD = re.compile(r"\w+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_CYRILLIC = re.compile(r"[а-яё]")
DIMENSIONS = 1 << 14


def _stem(word: str) -> str:
    """A crude stem, the same for a word's forms: Korean particles and Russian endings off."""
    if _HANGUL.match(word):
        return word[:2]
    if _CYRILLIC.match(word):
        return word[:5]
    return word[:6]


def _slot(name: str) -> int:
    return zlib.crc32(name.encode()) % DIMENSIONS


def candidates(raw, words: bool) -> dict[str, dict[int, float]]:  # noqa: ANN001
    """Per category the rules find in the article (denials aside): its features."""
    title, body = normalise_text(raw.title), normalise_text(raw.body)
    text = f"{title}\n{body}" if title and body else title or body
    every: list = []
    detect_signals(text, every=every)
    by_category: dict[str, list] = defaultdict(list)
    for candidate in every:
        if not candidate.denied:
            by_category[candidate.category].append(candidate)
    out = {}
    for category, found in by_category.items():
        features: dict[int, float] = defaultdict(float)
        best = max(c.confidence for c in found)
        for name, value in (
            ("bias", 1.0),
            (f"category={category}", 1.0),
            (f"lang={raw.lang}", 1.0),
            ("confidence", best),
            (f"{category}:confidence", best),
            (f"{category}:sentences", len(found) ** 0.5),
            ("categories", len(by_category) / 6),
            ("all_hedged", float(all(c.hedged for c in found))),
            ("in_title", float(any(c.start < len(title) for c in found))),
        ):
            features[_slot(name)] += value
        for candidate in found:
            features[_slot(f"basis={candidate.basis}")] += 1 / len(found)
            features[_slot(f"{category}:key={candidate.key_cue}")] = 1.0
            for cue in candidate.cues:
                features[_slot(f"{category}:cue={cue}")] = 1.0
        if words:
            for candidate in found[:5]:
                for word in _WORD.findall(candidate.evidence.lower()):
                    stem = _stem(word)
                    features[_slot(f"w={stem}")] = 1.0
                    features[_slot(f"{category}:w={stem}")] = 1.0
        out[category] = features
    return out


def load(path: Path, words: bool) -> list[tuple[str, set[str], bool, dict]]:
    """(id, labelled categories, cooperation, candidates) per article of a corpus file."""
    labels = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                item = json.loads(line)
                labels[str(item["id"])] = item
    rows = []
    for raw in read_articles([path]):
        item = labels[raw.external_id]
        gold = set(item["labels"]["categories"])
        rows.append((item["id"], gold, bool(item["labels"]["cooperation"]), candidates(raw, words)))
    return rows


def figures(articles, kept) -> tuple[float, float, float]:  # noqa: ANN001
    """Six-category micro-F1, cooperation flag precision and recall."""
    tp = fp = fn = flag_tp = flag_fp = flag_fn = 0
    for (_, gold, cooperation, _), found in zip(articles, kept, strict=True):
        tp += len(found & gold)
        fp += len(found - gold)
        fn += len(gold - found)
        flag_tp += bool(found) and cooperation
        flag_fp += bool(found) and not cooperation
        flag_fn += not found and cooperation
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    micro = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    flag_p = flag_tp / (flag_tp + flag_fp) if flag_tp + flag_fp else 1.0
    flag_r = flag_tp / (flag_tp + flag_fn) if flag_tp + flag_fn else 1.0
    return micro, flag_p, flag_r


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-words", action="store_true", help="rule features only")
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength (default 1)")
    parser.add_argument("--threshold", type=float, default=0.5, help="keep at this probability")
    args = parser.parse_args()
    try:
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        print("needs scikit-learn: pip install -e '.[learn]'", file=sys.stderr)
        return 2

    batches = {
        name: load(ROOT / "seeds" / "eval" / name, not args.no_words) for name in TUNING_FILES
    }

    def matrix(rows: list[dict[int, float]]):  # noqa: ANN202
        indices, values, pointers = [], [], [0]
        for row in rows:
            indices.extend(row)
            values.extend(row.values())
            pointers.append(len(indices))
        return csr_matrix((values, indices, pointers), shape=(len(rows), DIMENSIONS))

    print(f"leave one batch out; words {'off' if args.no_words else 'on'}, C {args.c}, "
          f"threshold {args.threshold}")  # fmt: skip
    print(f"{'held out':24} {'articles':>8}   rules: micro  flag P  flag R"
          "   filter: micro  flag P  flag R")  # fmt: skip
    results = []
    for held, articles in batches.items():
        train = [
            (features, category in gold)
            for name, rows in batches.items() if name != held
            for _, gold, _, found in rows
            for category, features in found.items()
        ]  # fmt: skip
        model = LogisticRegression(C=args.c, max_iter=2000)
        model.fit(matrix([f for f, _ in train]), [label for _, label in train])
        rules, learned = [], []
        for _, _, _, found in articles:
            names = list(found)
            rules.append(set(names))
            if not names:
                learned.append(set())
                continue
            probability = model.predict_proba(matrix([found[n] for n in names]))[:, 1]
            learned.append(
                {n for n, p in zip(names, probability, strict=True) if p >= args.threshold}
            )
        before, after = figures(articles, rules), figures(articles, learned)
        results.append((before, after))
        print(f"{held:24} {len(articles):8}   {before[0]:11.3f} {before[1]:7.3f} {before[2]:7.3f}"
              f"   {after[0]:14.3f} {after[1]:7.3f} {after[2]:7.3f}")  # fmt: skip
    for label, index in (("micro-F1", 0), ("flag precision", 1), ("flag recall", 2)):
        before = statistics.median(r[0][index] for r in results)
        after = statistics.median(r[1][index] for r in results)
        print(f"median {label}: rules {before:.3f}, filter {after:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
