"""Evaluation of story grouping and of alert novelty.

Two sources of labelled groups:
- real copies: `seeds/eval/stories.jsonl`, where items with the same `story` carry the same
  underlying text (wire copies) and independent same-topic reports have a story of their own;
- generated copies: each article of the labelled signal corpus with syndication-style edits
  (another headline, a byline or dateline, a "Read more" footer, a paragraph cut or added,
  reflowed whitespace, curly or straight quotes, another outlet's URL with tracking parameters,
  a few words changed), made with a fixed seed so every run scores the same corpus.

The articles are replayed through `StoryBook` (the stories stage's code) twice, in shuffled
order; grouping is scored pairwise, and every event must have exactly one `new` alert.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from schemas.models import RawArticle
from streams.analyze import analyze_article
from streams.evaluate import Score
from streams.stories import StoryBook, StoryConfig
from streams.text import article_id_for, canonical_url

__all__ = [
    "StoryEvalReport",
    "evaluate_stories",
    "format_story_report",
    "labelled_items",
    "make_copies",
]

_OUTLETS = ["wire-echo", "daily-courier", "asia-monitor", "the-ledger", "news-digest"]
_DATELINES = ["SEOUL, Nov. 26 (Yonhap) -- ", "MOSCOW, November 26. /TASS/. ", "By Staff Writer\n"]
_FOOTERS = [
    "Read more on {outlet}: the latest on the Korean peninsula.",
    "Subscribe to {outlet} for daily updates.",
    "Copyright {outlet}. All rights reserved.",
]
_ADDED = [
    "This report was produced with the support of the {outlet} foreign desk.",
    "Editor's note: the story has been updated with additional details.",
]
_WORD_EDITS = [("said", "stated"), ("on Monday", "Monday"), ("also", ""), ("about", "around")]


def make_copies(item: dict, rng: random.Random, count: int = 2) -> list[dict]:
    """`count` syndicated copies of `item`, each with a few random edits."""
    copies = []
    for number in range(count):
        outlet = _OUTLETS[(number + rng.randrange(len(_OUTLETS))) % len(_OUTLETS)]
        paragraphs = [p for p in item["body"].split("\n") if p.strip()]
        edits = rng.sample(range(7), k=rng.randint(3, 5))
        title = item["title"]
        if 0 in edits:
            title = f"{title} - {outlet}"
        if 1 in edits and len(paragraphs) >= 4:  # a cut that leaves most of the story
            del paragraphs[rng.randrange(1, len(paragraphs))]
        if 2 in edits:
            paragraphs.insert(rng.randrange(1, len(paragraphs) + 1),
                              rng.choice(_ADDED).format(outlet=outlet))  # fmt: skip
        body = "\n".join(paragraphs)
        if 3 in edits:
            body = body.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
        if 4 in edits:
            for old, new in rng.sample(_WORD_EDITS, k=2):
                body = body.replace(f" {old} ", f" {new} " if new else " ", 1)
        if 5 in edits:
            body = body.replace(". ", ".  ").replace("\n", "\n\n")
        body = rng.choice(_DATELINES) + body + "\n" + rng.choice(_FOOTERS).format(outlet=outlet)
        copies.append({
            **item,
            "id": f"{item['id']}~{number}",
            "title": title,
            "body": body,
            "source": outlet,
            "url": f"https://{outlet}.example/{item['id']}?utm_source=rss&utm_medium=feed",
        })  # fmt: skip
    return copies


@dataclass
class StoryEvalReport:
    articles: int = 0
    stories: int = 0
    pairs: Score = field(default_factory=Score)
    generated_pairs: Score = field(default_factory=Score)  # the signal corpus and its copies
    real_pairs: Score = field(default_factory=Score)  # pairs within the real-copies corpus
    merged_distinct: list[tuple[str, str]] = field(default_factory=list)
    split_copies: list[tuple[str, str]] = field(default_factory=list)
    new_per_signal: Counter = field(default_factory=Counter)
    real_signals: int = 0
    new_alerts: int = 0


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def labelled_items(
    signal_corpus: Path | None, story_corpus: Path | None, rng: random.Random, copies: int = 2
) -> list[tuple[str, dict]]:
    """(true story, item) pairs: each signal-corpus article with its generated copies, and the
    real copies corpus; the same page in both corpora is one story."""
    items: list[tuple[str, dict]] = []  # (true story, item)
    if signal_corpus:
        for item in _load(signal_corpus):
            group = f"gen:{item['id']}"
            items.append((group, item))
            items.extend((group, c) for c in make_copies(item, rng, copies))
    if story_corpus:
        items.extend((f"real:{item['story']}", item) for item in _load(story_corpus))
    # The same page in both corpora is one story, whatever each corpus calls it: merge the
    # two labels everywhere.
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        while parent.get(label, label) != label:
            label = parent[label]
        return label

    by_url: dict[str, str] = {}
    for truth, item in items:
        url = canonical_url(item.get("url"))
        if url:
            other = by_url.setdefault(url, truth)
            if root(other) != root(truth):
                parent[root(truth)] = root(other)
    return [(root(truth), item) for truth, item in items]


def evaluate_stories(
    signal_corpus: Path | None,
    story_corpus: Path | None,
    copies: int = 2,
    seed: int = 7,
    config: StoryConfig | None = None,
) -> StoryEvalReport:
    """Score grouping and novelty on real and generated copies (replayed twice, shuffled)."""
    rng = random.Random(seed)
    items = labelled_items(signal_corpus, story_corpus, rng, copies)
    analyzed = []
    for truth, item in items:
        raw = RawArticle(
            article_id=article_id_for(item.get("url"), item["title"], item["body"]),
            title=item["title"],
            body=item["body"],
            url=item.get("url"),
            source=item.get("source") or "unknown",
            external_id=str(item["id"]),
        )
        analyzed.append((truth, item["id"], analyze_article(raw)))

    report = StoryEvalReport(articles=len(analyzed))
    report.real_signals = len(
        {(truth, s.category) for truth, _, a in analyzed for s in a.signals if not s.denied}
    )
    book = StoryBook.in_memory(config)
    predicted: dict[str, str] = {}
    for _ in range(2):  # replayed twice, each time in another order
        order = analyzed[:]
        rng.shuffle(order)
        for _truth, item_id, article in order:
            enriched, alerts, _ = book.place(article)
            predicted[item_id] = enriched.story_id
            for alert in alerts:
                if alert.kind == "new":
                    report.new_per_signal[alert.alert_id] += 1
    report.new_alerts = sum(report.new_per_signal.values())
    report.stories = len(set(predicted.values()))
    truth_of = {item_id: truth for truth, item_id, _ in analyzed}
    real_ids = {item["id"] for _, item in items if "story" in item}
    for a, b in itertools.combinations(sorted(truth_of), 2):
        same_truth = truth_of[a] == truth_of[b]
        same_story = predicted[a] == predicted[b]
        report.pairs.add(same_story, same_truth)
        if a in real_ids and b in real_ids:
            report.real_pairs.add(same_story, same_truth)
        elif a not in real_ids and b not in real_ids:
            report.generated_pairs.add(same_story, same_truth)
        if same_story and not same_truth:
            report.merged_distinct.append((a, b))
        elif same_truth and not same_story:
            report.split_copies.append((a, b))
    return report


def format_story_report(report: StoryEvalReport) -> str:
    repeated = {k: v for k, v in report.new_per_signal.items() if v > 1}

    def row(name: str, score: Score) -> str:
        return (
            f"{name:<34} precision {score.precision:.3f}  recall {score.recall:.3f}  "
            f"F1 {score.f1:.3f}  (tp={score.tp} fp={score.fp} fn={score.fn})"
        )

    lines = [
        f"{report.articles} articles, {report.stories} stories found; pairwise:",
        row("  all pairs", report.pairs),
        row("  generated copies (signal corpus)", report.generated_pairs),
        row("  real copies (stories corpus)", report.real_pairs),
        f"distinct stories merged: {len(report.merged_distinct)} pair(s)",
        f"copies left apart: {len(report.split_copies)} pair(s)",
        f"new alerts: {report.new_alerts} for {len(report.new_per_signal)} event(s) "
        f"({report.real_signals} real (story, category) signal(s)); events with more than "
        f"one new alert: {len(repeated)}",
    ]
    for a, b in report.merged_distinct[:20]:
        lines.append(f"  merged: {a} + {b}")
    for a, b in report.split_copies[:20]:
        lines.append(f"  apart:  {a} / {b}")
    return "\n".join(lines)
