"""Evaluation of the cooperation flag and the signal categories against a labelled corpus.

The corpus is JSON Lines with `title`, `body`, `labels: {cooperation, categories}` and
optional `evidence` (see seeds/eval/README.md). The articles go through exactly the code the
stream runs (`streams.analyze.analyze_article`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from schemas.models import RawArticle
from streams.analyze import analyze_article
from streams.articles import BadRecord, read_articles
from streams.signals import CATEGORIES, default_cuebook

__all__ = [
    "Score", "EvalReport", "TUNING_FILES", "evaluate", "format_report", "labelled_articles",
]  # fmt: skip

# The tuning corpus: the files `axiswatch eval` scores by default (seeds/eval/README.md). The
# blind test split (signals_test.jsonl) is apart and never tuned on.
TUNING_FILES = (
    "corpus.jsonl",
    "corpus_reserve.jsonl",
    "corpus_tune2.jsonl",
    "corpus_tune3.jsonl",
    "corpus_tune4.jsonl",
    "corpus_tune5.jsonl",
    "corpus_tune6.jsonl",
    "corpus_tune7.jsonl",
    "corpus_tune8.jsonl",
    "corpus_tune9.jsonl",
    "corpus_tune10.jsonl",
    "corpus_tune11.jsonl",
    "corpus_tune12.jsonl",
    "corpus_tune13.jsonl",
    "corpus_tune14.jsonl",
    "corpus_tune15.jsonl",
    "corpus_tune16.jsonl",
    "corpus_tune17.jsonl",
    "corpus_tune18.jsonl",
    "corpus_tune19.jsonl",
    "corpus_tune20.jsonl",
    "corpus_tune21.jsonl",
    "corpus_tune22.jsonl",
    "corpus_tune23.jsonl",
    "corpus_tune24.jsonl",
    "corpus_tune25.jsonl",
    "corpus_tune26.jsonl",
    "corpus_tune27.jsonl",
    "corpus_tune28.jsonl",
    "corpus_tune29.jsonl",
    "corpus_tune30.jsonl",
    "corpus_tune31.jsonl",
    "corpus_tune32.jsonl",
    "corpus_tune33.jsonl",
    "corpus_tune34.jsonl",
    "corpus_tune35.jsonl",
    "corpus_tune36.jsonl",
    "corpus_tune37.jsonl",
    "corpus_tune38.jsonl",
    "corpus_tune39.jsonl",
    "corpus_tune40.jsonl",
    "corpus_tune41.jsonl",
    "corpus_tune42.jsonl",
    "corpus_tune43.jsonl",
    "corpus_tune44.jsonl",
    "corpus_tune45.jsonl",
    "corpus_tune46.jsonl",
    "corpus_tune47.jsonl",
    "corpus_tune48.jsonl",
    "corpus_tune49.jsonl",
    "corpus_tune50.jsonl",
    "corpus_tune51.jsonl",
    "corpus_tune52.jsonl",
    "corpus_tune53.jsonl",
    "corpus_tune54.jsonl",
    "corpus_tune55.jsonl",
    "corpus_tune56.jsonl",
    "corpus_tune57.jsonl",
    "corpus_tune58.jsonl",
    "corpus_tune59.jsonl",
    "corpus_tune60.jsonl",
    "corpus_tune61.jsonl",
    "corpus_tune62.jsonl",
    "corpus_tune63.jsonl",
    "corpus_tune64.jsonl",
    "corpus_tune65.jsonl",
    "corpus_tune66.jsonl",
    "corpus_tune67.jsonl",
    "corpus_tune68.jsonl",
    "corpus_tune69.jsonl",
    "corpus_tune70.jsonl",
    "corpus_tune71.jsonl",
    "corpus_tune72.jsonl",
    "corpus_tune73.jsonl",
    "corpus_tune74.jsonl",
    "corpus_tune75.jsonl",
    "corpus_tune76.jsonl",
    "corpus_tune77.jsonl",
    "corpus_tune78.jsonl",
    "corpus_tune79.jsonl",
    "corpus_tune80.jsonl",
    "corpus_tune81.jsonl",
    "corpus_tune82.jsonl",
    "corpus_tune83.jsonl",
    "corpus_tune84.jsonl",
    "corpus_tune85.jsonl",
    "corpus_tune86.jsonl",
    "corpus_tune87.jsonl",
    "corpus_tune88.jsonl",
    "corpus_tune89.jsonl",
    "corpus_tune90.jsonl",
    "corpus_tune91.jsonl",
    "corpus_tune92.jsonl",
    "corpus_tune93.jsonl",
    "corpus_tune94.jsonl",
    "corpus_tune95.jsonl",
    "corpus_tune96.jsonl",
    "corpus_tune97.jsonl",
    "corpus_tune98.jsonl",
    "corpus_tune99.jsonl",
    "corpus_tune100.jsonl",
    "corpus_tune101.jsonl",
    "corpus_tune102.jsonl",
    "corpus_tune103.jsonl",
    "corpus_tune104.jsonl",
    "corpus_tune105.jsonl",
    "corpus_tune106.jsonl",
    "corpus_tune107.jsonl",
)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1

    def add_sets(self, predicted: set, actual: set) -> None:
        """Count each item of either set (an article's categories, found and labelled)."""
        self.tp += len(predicted & actual)
        self.fp += len(predicted - actual)
        self.fn += len(actual - predicted)


@dataclass
class EvalReport:
    articles: int = 0
    cooperation: Score = field(default_factory=Score)
    categories: dict[str, Score] = field(default_factory=lambda: {c: Score() for c in CATEGORIES})
    by_lang: dict[str, Score] = field(default_factory=dict)
    # Per language, the six categories together (micro): issue 12's parity figure.
    categories_by_lang: dict[str, Score] = field(default_factory=dict)
    misses: list[dict] = field(default_factory=list)
    false_alarms: list[dict] = field(default_factory=list)
    # Baselines measured on the same articles: the flag as "both sides are named", the
    # categories as "a cue of the category occurs anywhere in such an article".
    comention: Score = field(default_factory=Score)
    cue_only: Score = field(default_factory=Score)

    @property
    def micro(self) -> Score:
        total = Score()
        for score in self.categories.values():
            total.tp += score.tp
            total.fp += score.fp
            total.fn += score.fn
        return total


def labelled_articles(paths: Sequence[Path]) -> Iterator[tuple[RawArticle, dict]]:
    """Each article of labelled corpus files, as a producer would read it, with its labelled
    item (matched by id); a record that is no article is an error."""
    labels: dict[str, dict] = {}
    for one in paths:
        with one.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    item = json.loads(line)
                    labels[str(item["id"])] = item
    for raw in read_articles(paths):
        if isinstance(raw, BadRecord):
            raise ValueError(f"{raw.where}: {raw.reason}")
        yield raw, labels[raw.external_id or ""]


def evaluate(path: Path | list[Path]) -> EvalReport:
    """Score the analysis of every article in `path` (one file or several, scored together)
    against its labels."""
    paths = [path] if isinstance(path, Path) else list(path)
    report = EvalReport()
    cuebook = default_cuebook()
    for raw, item in labelled_articles(paths):
        analyzed = analyze_article(raw)
        report.articles += 1
        expected = set(item["labels"]["categories"])
        # A denied signal is kept in the record but claims nothing.
        found = {s.category: s for s in analyzed.signals if not s.denied}
        actual = bool(item["labels"]["cooperation"])
        report.cooperation.add(analyzed.cooperation, actual)
        both = {"russia", "dprk"} <= {a.side for a in analyzed.actors}
        report.comention.add(both, actual)
        cue_categories = {c.category for c in cuebook.cues_in(analyzed.text)} if both else set()
        for category in CATEGORIES:
            report.cue_only.add(category in cue_categories, category in expected)
        lang_score = report.by_lang.setdefault(item.get("lang") or "?", Score())
        lang_score.add(analyzed.cooperation, actual)
        gold = {e["category"]: e["sentence"] for e in item.get("evidence", [])}
        lang_categories = report.categories_by_lang.setdefault(item.get("lang") or "?", Score())
        for category in CATEGORIES:
            report.categories[category].add(category in found, category in expected)
            lang_categories.add(category in found, category in expected)
            if category in expected and category not in found:
                report.misses.append(
                    {"id": item["id"], "category": category, "sentence": gold.get(category, "")}
                )
            elif category in found and category not in expected:
                report.false_alarms.append(
                    {"id": item["id"], "category": category, "sentence": found[category].evidence}
                )
    return report


def format_report(report: EvalReport, details: bool = True) -> str:
    """The figures as a table, then the misses and false alarms with their sentences."""

    def row(name: str, s: Score) -> str:
        return (
            f"{name:<14} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>7.3f}"
            f"   tp={s.tp} fp={s.fp} fn={s.fn}"
        )

    lines = [
        f"{report.articles} articles",
        f"{'':<14} {'precision':>9} {'recall':>7} {'F1':>7}",
        row("cooperation", report.cooperation),
    ]
    for lang, score in sorted(report.by_lang.items()):
        lines.append(row(f"  lang {lang}", score))
    for category in CATEGORIES:
        lines.append(row(category, report.categories[category]))
    lines.append(row("micro (all 6)", report.micro))
    for lang, score in sorted(report.categories_by_lang.items()):
        lines.append(row(f"  micro {lang}", score))
    lines.append("baselines on the same articles:")
    lines.append(row("  co-mention", report.comention))
    lines.append(row("  cues only", report.cue_only))
    if details:
        lines.append(f"\nmisses ({len(report.misses)}):")
        for m in report.misses:
            lines.append(f"  {m['id']:<12} {m['category']:<11} {m['sentence'][:160]}")
        lines.append(f"\nfalse alarms ({len(report.false_alarms)}):")
        for f in report.false_alarms:
            lines.append(f"  {f['id']:<12} {f['category']:<11} {f['sentence'][:160]}")
    return "\n".join(lines)
