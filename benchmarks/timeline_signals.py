"""The timeline corpus read as a signal corpus: does the detector flag the articles that report a
development, and with its categories?

    python benchmarks/timeline_signals.py [--split tune] [--rules-only] [--misses]

Each article of `seeds/eval/timeline_<split>.jsonl` counts as cooperation when it is labelled
with an event (reported or restated), and its categories are those of its events; negatives have
none. The learned filter never trains on these articles (`streams.train_filter` reads the signal
corpora only), so its figures here are out of sample; the rules' are partly in sample (rules were
written against the tuning part's misses). `--rules-only` scores the rules without the filter,
`--misses` lists the articles with events that got no signal. The labels differ from the signal
corpora's in one way: a mention of cooperation that the collector did not tie to a development
is not labelled, so category precision reads lower here than there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streams.analyze import analyze_article  # noqa: E402
from streams.evaluate import Score  # noqa: E402
from streams.eventeval import load_timeline, raw_article  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="tune", choices=("tune", "test"))
    parser.add_argument("--rules-only", action="store_true", help="no learned filter")
    parser.add_argument("--misses", action="store_true", help="list articles with no signal")
    args = parser.parse_args(argv)
    items = load_timeline([ROOT / "seeds" / "eval" / f"timeline_{args.split}.jsonl"])
    flag, micro = Score(), Score()
    misses = []
    for item in items:
        analyzed = analyze_article(raw_article(item), signal_filter=not args.rules_only)
        found = {s.category for s in analyzed.signals if not s.denied}
        wanted = {c for event in item.get("events") or [] for c in event["categories"]}
        flag.add(bool(found), bool(wanted))
        micro.add_sets(found, wanted)
        if wanted and not found:
            misses.append(f"{item['id']} {item['lang']} {item['title'][:90]}")
    print(f"timeline_{args.split}.jsonl: {len(items)} articles, "
          f"{'rules only' if args.rules_only else 'rules and the learned filter'}")  # fmt: skip
    for name, score in (("cooperation flag", flag), ("categories, micro", micro)):
        print(
            f"{name:18} P {score.precision:.3f}  R {score.recall:.3f}  F1 {score.f1:.3f}  "
            f"tp={score.tp} fp={score.fp} fn={score.fn}"
        )
    if args.misses:
        print("\n".join(["", "articles with events and no signal:", *misses]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
