"""Evaluation of novelty per event on the labelled timeline corpus (`seeds/eval/timeline_*.jsonl`).

Each item is a real news excerpt with its publication date and the events it states (event key,
categories, `report` or `background`, evidence sentences); negatives state none. The items are
replayed in publication order through the analyze code and `StoryBook` (the stories stage's
code, event time from `published_at`), and every alert is traced to the labelled event it is
about: the labelled event whose evidence sentence is the alert's evidence, else the article's
one labelled event of the alert's category.

Figures:
- event-category recall: labelled (event, category) pairs with a `new` (or an `updated` that
  adds the category) alert whose categories hold it;
- second `new`: labelled events that got more than one `new` alert;
- false `new` on negatives: negative articles that raised a `new` alert;
- clustering: pairs of (article, labelled event) reports in different stories (independent
  writing), together when the system gave both the same event id; pairwise precision and recall.

`score_alerts` computes them from alerts however they were made, so the integration test scores
what the alert topic says with the same code.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from schemas.models import Alert, EnrichedArticle, RawArticle
from streams.analyze import analyze_article
from streams.evaluate import Score
from streams.stories import StoryBook, StoryConfig
from streams.text import article_id_for

__all__ = [
    "EventEvalReport",
    "evaluate_events",
    "format_event_report",
    "load_timeline",
    "raw_article",
    "replay_timeline",
    "reported_in",
    "score_alerts",
]


def load_timeline(paths: Sequence[Path]) -> list[dict]:
    """The items of the timeline files, in publication order (then id)."""
    items = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not JSON: {exc}") from exc
    return sorted(items, key=lambda i: (i["published_at"], i["id"]))


def reported_in(items: Iterable[dict], events: Iterable[str]) -> set[str]:
    """Those of `events` that one of `items` reports (basis `report`): for the test part, the
    developments that tuning articles report too, whose figures are therefore not blind."""
    wanted = set(events)
    return {
        e["event"]
        for item in items
        for e in item.get("events") or []
        if e["event"] in wanted and e.get("basis") == "report"
    }


def raw_article(item: dict) -> RawArticle:
    """The item as a producer would publish it (the article id from its URL)."""
    published = datetime.fromisoformat(item["published_at"]).replace(tzinfo=UTC)
    return RawArticle(
        article_id=article_id_for(item.get("url"), item["title"], item["body"]),
        title=item["title"],
        body=item["body"],
        url=item.get("url"),
        source=item.get("source") or "unknown",
        published_at=published,
        lang=item.get("lang"),
        external_id=item["id"],
    )


@dataclass
class LanguageFigures:
    """The figures of one language: events by the language of their first report, negatives
    by their own, clustering over the pairs of reports that involve the language."""

    pairs: int = 0
    recalled: int = 0
    events: int = 0
    second_new: int = 0
    negatives: int = 0
    false_new: int = 0
    clustering: Score = field(default_factory=Score)


@dataclass
class EventEvalReport:
    articles: int = 0
    negatives: int = 0
    events: int = 0
    pairs: int = 0  # labelled (event, category)
    recalled: int = 0
    second_new: list[tuple[str, int]] = field(default_factory=list)
    false_new: list[tuple[str, str]] = field(default_factory=list)  # (item id, evidence)
    # Negatives whose frames joined a known event (a `corroborated` or `updated` alert): no
    # false alarm, but a source the event's count should not have.
    joined_negatives: set[str] = field(default_factory=set)
    missed: list[tuple[str, str, list[str]]] = field(default_factory=list)  # event, category, ids
    # Why each missed (event, category) pair was missed (`MISS_CAUSES`), and the missed pairs
    # an `updated` alert on an older event told of.
    miss_causes: dict[tuple[str, str], str] = field(default_factory=dict)
    told_as_update: set[tuple[str, str]] = field(default_factory=set)
    unmatched_new: list[tuple[str, str]] = field(default_factory=list)
    clustering: Score = field(default_factory=Score)
    clustering_found: Score = field(default_factory=Score)  # both reports found by the detector
    # Labelled reports (article, event) by their basis: all of them, and those whose article
    # gave the event no frame with an event id (they join no pair in clustering).
    reports_by_basis: Counter = field(default_factory=Counter)
    unfound_by_basis: Counter = field(default_factory=Counter)
    merged: list[tuple[str, str, str, str]] = field(default_factory=list)
    split: list[tuple[str, str, str]] = field(default_factory=list)
    by_language: dict[str, LanguageFigures] = field(default_factory=dict)
    kinds: Counter = field(default_factory=Counter)
    excluded: list[str] = field(default_factory=list)  # labelled events left out of the figures

    @property
    def recall(self) -> float:
        return self.recalled / self.pairs if self.pairs else 1.0

    def language(self, item: dict) -> LanguageFigures:
        return self.by_language.setdefault(item.get("lang") or "?", LanguageFigures())

    @property
    def second_new_share(self) -> float:
        return len(self.second_new) / self.events if self.events else 0.0

    @property
    def false_new_share(self) -> float:
        return len({i for i, _ in self.false_new}) / self.negatives if self.negatives else 0.0


# Why a labelled (event, category) pair raised no `new`: no frame of its reports (traced to
# it) has the category; frames have it but none got an event (a restatement, history, too thin
# to start one); or they joined an event already known, whose `new` was another report's.
MISS_CAUSES = {
    "no frame": "no report framed with the category",
    "no event": "framed, no event started",
    "joined": "joined an event already known",
}

_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def _quotes(event: dict, said: str) -> bool:
    """Whether the normalised sentence `said` is (in, or holds) one of the labelled event's
    evidence sentences."""
    for sentence in event.get("evidence", []):
        mine = _norm(sentence)
        if mine and (mine in said or said in mine):
            return True
    return False


def _label_of(
    item: dict,
    category: str | None,
    categories: Iterable[str],
    evidence: str,
    basis: str | None = None,
    when: date | str | None = None,
) -> str | None:
    """The labelled event of `item` an alert or frame (of these categories, with this
    evidence, basis and event date) is about, or None."""
    events = item.get("events") or []
    said = _norm(evidence)
    quoted = [e for e in events if _quotes(e, said)]
    if quoted:
        # A sentence that is the evidence of several labelled events (Shoigu's July visit,
        # during which he proposed drills) is about the one of the frame's category, then of
        # its basis, then the first.
        for keep in (
            lambda e: category in e["categories"],
            lambda e: (e.get("basis") or "report") == basis,
        ):
            quoted = [e for e in quoted if keep(e)] or quoted
        return quoted[0]["event"]
    # Else the article's one labelled event of the alert's category (or of its categories);
    # when several fit, the alert cannot be traced and counts for none. The headline is the
    # article's news: an alert on it is about one of the events the article reports.
    cats = set(categories)
    title = _norm(item.get("title") or "")
    headline = bool(said and title and (said in title or title in said))
    for wanted in ([category] if category else []) + [None]:
        fitting = [
            e for e in events
            if (wanted in e["categories"] if wanted else cats & set(e["categories"]))
            and (not headline or e.get("basis") == "report")
        ]  # fmt: skip
        if len(fitting) == 1:
            return fitting[0]["event"]
        # Of several, the one the article tells on the same basis, when only one is: a frame
        # reporting news is about the development the article reports, not the one it recalls.
        same = [e for e in fitting if basis and (e.get("basis") or "report") == basis]
        if len(same) == 1:
            return same[0]["event"]
        # Of those still several, the one of the month the frame dates it to (a key ends
        # with its development's month): the recalled visit of March, not the one of June.
        month = str(when)[:7] if when else None
        dated = [e for e in same or fitting if month and e["event"].endswith(month)]
        if len(dated) == 1:
            return dated[0]["event"]
        if fitting:
            return None
    return None


def score_alerts(
    items: Sequence[dict],
    alerts: Iterable[Alert | dict],
    enriched: Iterable[EnrichedArticle | dict] = (),
    exclude: Iterable[str] = (),
) -> EventEvalReport:
    """The figures for `items` (the replayed timeline) from the alerts (and enriched articles,
    for clustering) the replay produced. Labelled events in `exclude` count nowhere: not in
    recall or second `new`, not in clustering pairs (alerts traced to them are dropped)."""
    report = EventEvalReport(excluded=sorted(set(exclude)))
    skip = set(report.excluded)
    by_article = {raw_article(item).article_id: item for item in items}
    report.articles = len(items)
    report.negatives = sum(1 for i in items if not i.get("events"))
    for item in items:
        if not item.get("events"):
            report.language(item).negatives += 1
    labelled_categories: dict[str, set[str]] = defaultdict(set)
    mentions: dict[str, list[str]] = defaultdict(list)
    first_lang: dict[str, str] = {}  # an event's language: its first report's (items in order)
    for item in items:
        for event in item.get("events") or []:
            if event["event"] in skip:
                continue
            labelled_categories[event["event"]].update(event["categories"])
            mentions[event["event"]].append(item["id"])
            first_lang.setdefault(event["event"], item.get("lang") or "?")
    report.events = len(labelled_categories)

    covered: dict[str, set[str]] = defaultdict(set)
    told: dict[str, set[str]] = defaultdict(set)  # categories of `updated` alerts, per label
    new_count: Counter = Counter()
    for alert in alerts:
        data = alert if isinstance(alert, dict) else alert.model_dump(mode="json")
        report.kinds[data["kind"]] += 1
        item = by_article.get(data["article_id"])
        if item is None:
            continue
        if data["kind"] == "new" and not item.get("events"):
            if item["id"] not in {i for i, _ in report.false_new}:
                report.language(item).false_new += 1
            report.false_new.append((item["id"], data["evidence"]))
            continue
        if not item.get("events"):
            report.joined_negatives.add(item["id"])
            continue
        label = _label_of(
            item, data["category"], data["categories"], data["evidence"], data.get("basis"),
            data.get("event_date"),
        )  # fmt: skip
        if label in skip:
            continue
        if label is None:
            if data["kind"] == "new":
                report.unmatched_new.append((item["id"], data["evidence"]))
            continue
        if data["kind"] == "new":
            new_count[label] += 1
            covered[label].update(data["categories"])
        elif data["kind"] == "updated":
            told[label].update(data["categories"])
            covered[label].update(
                c.split(": ", 1)[1] for c in data.get("changes", []) if c.startswith("category: ")
            )
    for event, categories in sorted(labelled_categories.items()):
        figures = report.by_language.setdefault(first_lang[event], LanguageFigures())
        figures.events += 1
        figures.second_new += int(new_count[event] > 1)
        for category in sorted(categories):
            report.pairs += 1
            figures.pairs += 1
            if category in covered[event]:
                report.recalled += 1
                figures.recalled += 1
            else:
                report.missed.append((event, category, mentions[event]))
    report.second_new = sorted((e, n) for e, n in new_count.items() if n > 1)

    # Per label and category, whether a frame traced to it had the category, and whether one
    # of those got an event: why a pair was missed.
    framed: dict[tuple[str, str], bool] = {}
    # Clustering: every labelled (article, event) report with the system event its frame got.
    reports: list[tuple[str, str, str, str | None, str]] = []  # item, label, lang, event, story
    for record in enriched:
        data = record if isinstance(record, dict) else record.model_dump(mode="json")
        item = by_article.get(data["article_id"])
        if item is None or not item.get("events"):
            continue
        # The event of each labelled report: of the frames traced to it, the first on one of
        # its evidence sentences, then the first whose primary category is one of the label's
        # and whose basis is the label's.
        labels = {e["event"]: e for e in item["events"]}
        got: dict[str, str] = {}
        fit: dict[str, int] = {}
        for frame in data.get("events") or []:
            label = _label_of(
                item, frame["category"], frame["categories"], frame["evidence"], frame["basis"],
                frame.get("event_date"),
            )  # fmt: skip
            if not label:
                continue
            for category in frame["categories"]:
                framed[label, category] = framed.get((label, category), False) or bool(
                    frame.get("event_id")
                )
            if not frame.get("event_id"):
                continue
            wanted = labels[label]
            quoted = _quotes(wanted, _norm(frame["evidence"]))
            rank = (
                quoted * 4
                + (frame["category"] in wanted["categories"]) * 2
                + (frame.get("basis") == wanted.get("basis"))
            )
            if label not in got or rank > fit[label]:
                got[label], fit[label] = frame["event_id"], rank
        for event in item["events"]:
            if event["event"] in skip:
                continue
            basis = event.get("basis") or "report"
            report.reports_by_basis[basis] += 1
            report.unfound_by_basis[basis] += event["event"] not in got
            reports.append((item["id"], event["event"], item.get("lang") or "?",
                            got.get(event["event"]), data["story_id"]))  # fmt: skip
    for event, category, _ in report.missed:
        got_event = framed.get((event, category))
        cause = "no frame" if got_event is None else "joined" if got_event else "no event"
        report.miss_causes[event, category] = cause
        if category in told[event]:
            report.told_as_update.add((event, category))
    for a, b in itertools.combinations(reports, 2):
        if a[0] == b[0] or a[4] == b[4]:
            continue  # one article, or copies of one text: not independent reports
        same_label = a[1] == b[1]
        same_event = a[3] is not None and a[3] == b[3]
        for lang in {a[2], b[2]}:
            report.by_language.setdefault(lang, LanguageFigures()).clustering.add(
                same_event, same_label
            )
        report.clustering.add(same_event, same_label)
        if a[3] is not None and b[3] is not None:
            report.clustering_found.add(same_event, same_label)
        if same_event and not same_label:
            report.merged.append((a[0], a[1], b[0], b[1]))
        elif same_label and not same_event:
            report.split.append((a[1], a[0], b[0]))
    return report


def replay_timeline(
    items: Sequence[dict], config: StoryConfig | None = None
) -> tuple[list[Alert], list[EnrichedArticle]]:
    """The alerts and enriched articles of `items` (in publication order) replayed through the
    analyze and stories code."""
    book = StoryBook.in_memory(config)
    alerts: list[Alert] = []
    enriched: list[EnrichedArticle] = []
    for item in items:
        article = analyze_article(raw_article(item))
        out, raised, _ = book.place(article)
        enriched.append(out)
        alerts.extend(raised)
    return alerts, enriched


def explain_replay(
    items: Sequence[dict], wanted: Iterable[str], config: StoryConfig | None = None
) -> str:
    """How the stories stage decided each frame of the `wanted` items (ids) in the replay of
    `items`: the frame, every known event it was compared with (its score, or the rule that
    ruled it out), the path taken and the alert raised. Events are named by their first
    report: its item id and the labelled event it was traced to."""
    wanted = set(wanted)
    unknown = wanted - {item["id"] for item in items}
    if unknown:
        raise ValueError(f"not in the replayed items: {', '.join(sorted(unknown))}")
    book = StoryBook.in_memory(config)
    first: dict[str, str] = {}  # event id -> "item id, label; action date"
    out: list[str] = []
    for item in items:
        article = analyze_article(raw_article(item))
        watched = item["id"] in wanted
        book.events.trace = [] if watched else None
        enriched, raised, _ = book.place(article)
        trace, book.events.trace = book.events.trace, None
        for frame in enriched.events:
            if frame.event_id and frame.event_id not in first:
                label = _label_of(
                    item, frame.category, frame.categories, frame.evidence, frame.basis,
                    frame.event_date,
                )  # fmt: skip
                first[frame.event_id] = (
                    f"{item['id']}, {label or 'no label'}; {frame.action} "
                    f"{frame.event_date or item['published_at']}"
                )
        if watched:
            out += _explained(item, trace or [], raised, first)
    return "\n".join(out)


def _explained(item: dict, trace: list[dict], raised: list[Alert], first: dict[str, str]) -> list:
    lines = [f"== {item['id']} {item['published_at']} {item.get('lang')}: {item['title'][:100]}"]
    for event in item.get("events") or []:
        lines.append(f"   labelled: {event['event']} {event['categories']} {event['basis']}")
    if not trace:
        lines.append("   no frame (no signal, or none read as a development)")
    for n, step in enumerate(trace, 1):
        f = step["frame"]
        lines += [
            f"   frame {n}: {f['action']} ({f['basis']}, {f.get('event_date')} "
            f"{f.get('date_precision')}) russia {f['russia_actors']} dprk {f['dprk_actors']} "
            f"objects {f['objects']} places {f['places']}",
            f"      {f['evidence'][:160]!r}",
        ]
        for event_id, score, why in step["candidates"]:
            verdict = f"score {score:.2f}" if score is not None else f"ruled out: {why}"
            lines.append(f"      {event_id} ({first.get(event_id, '?')}): {verdict}")
        lines.append(f"      path: {'; '.join(step['path'])}")
    for alert in raised:
        lines.append(f"   alert: {alert.kind} {alert.event_id} ({alert.action}) "
                     f"{first.get(alert.event_id, '?')}")  # fmt: skip
    return lines


def evaluate_events(paths: Sequence[Path], config: StoryConfig | None = None) -> EventEvalReport:
    """Replay the timeline files in publication order through the analyze and stories code."""
    items = load_timeline(paths)
    return score_alerts(items, *replay_timeline(items, config))


def _share(count: int, total: int) -> str:
    return f"{count / total:.3f} ({count}/{total})" if total else "-"


def format_event_report(report: EventEvalReport, details: bool = True) -> str:
    c = report.clustering
    causes = Counter(report.miss_causes.values())
    lines = [
        f"timeline: {report.articles} articles ({report.negatives} negative), "
        f"{report.events} labelled events, {report.pairs} (event, category) pairs",
        f"alerts: {dict(sorted(report.kinds.items()))}",
        *(
            [f"left out: {len(report.excluded)} labelled events ({', '.join(report.excluded)})"]
            if report.excluded
            else []
        ),
        "",
        "| figure | value | target |",
        "| --- | --- | --- |",
        f"| event-category recall | {report.recall:.3f} "
        f"({report.recalled}/{report.pairs}) | ≥ 0.90 |",
        f"| events with a second `new` | {report.second_new_share:.3f} "
        f"({len(report.second_new)}/{report.events}) | ≤ 0.03 |",
        f"| negatives with a false `new` | {report.false_new_share:.3f} "
        f"({len({i for i, _ in report.false_new})}/{report.negatives}) | ≤ 0.02 |",
        f"| — negatives joined to a known event (`corroborated` or `updated`) | "
        f"{_share(len(report.joined_negatives), report.negatives)} | |",
        f"| clustering precision (independent reports) | {c.precision:.3f} | ≥ 0.95 |",
        f"| clustering recall (independent reports) | {c.recall:.3f} | ≥ 0.85 |",
        f"| — of reports both found by the detector: precision / recall | "
        f"{report.clustering_found.precision:.3f} / {report.clustering_found.recall:.3f} | |",
        f"| — labelled reports given no event: told as news / restated as background | "
        f"{_share(report.unfound_by_basis['report'], report.reports_by_basis['report'])} / "
        f"{_share(report.unfound_by_basis['background'], report.reports_by_basis['background'])}"
        " | |",
        f"| `new` alerts matching no labelled event | {len(report.unmatched_new)} | |",
        *(f"| — missed pairs: {text} | {causes[cause]} | |" for cause, text in MISS_CAUSES.items()),
        f"| — missed pairs an `updated` alert on a known event told of | "
        f"{len(report.told_as_update)} | |",
        "",
        "per language (events by the language of their first report; clustering over the pairs",
        "of reports that involve the language):",
        "",
        "| language | recall | second `new` | false `new` | clustering P / R |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {lang} | {_share(f.recalled, f.pairs)} | {_share(f.second_new, f.events)} | "
            f"{_share(f.false_new, f.negatives)} | "
            f"{f.clustering.precision:.3f} / {f.clustering.recall:.3f} |"
            for lang, f in sorted(report.by_language.items())
        ),
    ]
    if details:
        lines.append("")
        lines += [
            f"MISSED {e} [{c}] ({report.miss_causes.get((e, c), '?')}"
            f"{'; told as `updated`' if (e, c) in report.told_as_update else ''}) "
            f"in {', '.join(ids)}"
            for e, c, ids in report.missed
        ]
        lines += [f"SECOND NEW {e}: {n} new alerts" for e, n in report.second_new]
        lines += [f"FALSE NEW {i}: {ev[:160]}" for i, ev in report.false_new]
        lines += [f"UNMATCHED NEW {i}: {ev[:160]}" for i, ev in report.unmatched_new]
        lines += [f"MERGED {a} ({la}) with {b} ({lb})" for a, la, b, lb in report.merged[:60]]
        lines += [f"SPLIT {label}: {a} / {b}" for label, a, b in report.split[:80]]
    return "\n".join(lines)
