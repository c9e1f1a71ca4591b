"""Would a learned join beat the event matcher's rules? Two-fold cross-validation by batch.

    python benchmarks/learned_join_cv.py                       # thresholds 0.05 0.1 0.2 0.5
    python benchmarks/learned_join_cv.py --tau 0.1 --weights

The timeline tuning corpus (`seeds/eval/timeline_tune.jsonl`; never the test part) is split in
two by batch (the id's prefix, so that the reports of one collector's developments stay
together). For each half: the other half is replayed in publication order through the stories
stage's code with the rules (`EventBook.match`), and every candidate event the rules do not
rule out for a labelled frame becomes an example: the pair's features (below), labelled by
whether the event was started by a frame of the same labelled event. An L2 logistic regression
fitted on those examples then replaces the rules' choice among the candidates: the candidate of
the highest probability, if at least the threshold, else none (the frame goes on to the
occasion, the article's development, or a new event, as with the rules). Both are scored on the
held-out half with `streams.eventeval.score_alerts`.

The rules' vetoes (other objects of one kind, other people where who matters, dates out of the
family's window, ...) stay: the model only chooses among what they leave, or rejects it all.
"""

from __future__ import annotations

import argparse
import math
import sys
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streams import events as ev  # noqa: E402
from streams.analyze import analyze_article  # noqa: E402
from streams.eventeval import _label_of, load_timeline, raw_article, score_alerts  # noqa: E402
from streams.stories import StoryBook  # noqa: E402

Features = dict[str, float]
Model = tuple[dict[str, float], float]


def pair_features(
    probe: ev._Probe,
    frame: dict,
    record: dict,
    score: float,
    ts: float,
    entities: tuple[set[str], set[str]] | None = None,
) -> Features:
    """What a frame and a candidate event share and how far apart they are; with `entities`
    (the frame's article's and the event's first article's actors, objects and places, the
    two states aside), how much the two articles share."""
    book = probe.book
    family, families = frame["family"], record["families"]
    mine, theirs = set(frame["categories"]), set(record["categories"])
    f: Features = {
        "same family": float(family == families[0]),
        "family among the event's": float(family in families),
        "thin frame": float(probe.generic),
        "thin event": float(families[0].endswith("_other")),
        "same primary category": float(frame["category"] == record["category"]),
        "category overlap": len(mine & theirs) / len(mine | theirs),
        "event dated": float(record.get("dated", True)),
        "report": float(probe.report),
        "event told as background": float(record.get("basis") == "background"),
        "event age, log days": math.log1p(max(0.0, ts - record["first"]) / 86_400),
        "event sources, log": math.log1p(record["source_count"]),
        "rules' score": score - 1.0,
        "who matters": float(families[0] in ev._WHO_MATTERS),
        "confidence": frame.get("confidence", 1.0),
        "hedged": float(bool(frame.get("hedged"))),
        f"family {families[0]}": 1.0,
        f"category {record['category']}": 1.0,
    }
    if probe.day is None:
        f["frame undated"] = 1.0
    else:
        days = abs(probe.day - record["date"])
        f["days apart, log"] = math.log1p(days)
        f["share of the window"] = min(2.0, days / max(1, book.family_window(families[0])))
        f["same day"] = float(days <= 1)
        f[f"date precision {probe.precision}"] = 1.0
    russia = ev._specific(probe.russia & set(record["russia_actors"]))
    dprk = ev._specific(probe.dprk & set(record["dprk_actors"]))
    f["shared Russian actors"] = min(3, len(russia))
    f["shared DPRK actors"] = min(3, len(dprk))
    f["shared people"] = min(3, len(ev._persons(russia | dprk)))
    persons = probe.persons[0] | probe.persons[1]
    their_persons = ev._persons(ev._specific_actors(record))
    f["other people"] = float(bool(persons and their_persons) and persons.isdisjoint(their_persons))
    specific = ev._specific(probe.russia | probe.dprk)
    their_specific = ev._specific_actors(record)
    f["other actors"] = float(
        bool(specific and their_specific) and specific.isdisjoint(their_specific)
    )
    objects = len(probe.objects & set(record["objects"]))
    f["shared objects"] = min(3, objects)
    f["other objects"] = float(bool(probe.objects and record["objects"]) and not objects)
    places = len(probe.places & set(record["places"]))
    f["shared places"] = min(3, places)
    f["other places"] = float(bool(probe.places and record["places"]) and not places)
    for unit, value in ev._largest(frame["quantities"]).items():
        known = record["quantities"].get(unit)
        if value and known:
            apart = abs(value - known) / max(value, known)
            f["same amount" if apart <= 0.1 else "other amount"] = 1.0
    if entities and entities[0] and entities[1]:
        shared = len(entities[0] & entities[1])
        f["articles' entities, Jaccard"] = shared / len(entities[0] | entities[1])
        f["articles' shared entities"] = min(6, shared) / 6
        f["articles share no entity"] = float(not shared)
    return f


def article_entities(article) -> set[str]:  # noqa: ANN001
    """The actors an analyzed article names and the objects and places of its frames."""
    found = {a.id for a in article.actors} - {"rus", "prk"}
    for frame in article.events:
        found.update(frame.objects, frame.places)
    return found


class _Replay:
    """The timeline replayed through `StoryBook`, the matcher's choice made by `choose`."""

    def __init__(
        self, model: Model | None = None, threshold: float = 0.5, entities: bool = False
    ) -> None:
        self.model = model
        self.entities = entities
        self.article: set[str] = set()  # the entities of the article being placed
        self.first: dict[str, set[str]] = {}  # event id -> its first article's entities
        self.threshold = threshold
        self.examples: list[tuple[Features, bool]] = []
        self.origin: dict[str, str | None] = {}  # event id -> label of the frame that started it
        self.label: str | None = None
        self.item: dict = {}  # the timeline item being placed

    def probability(self, features: Features) -> float:
        assert self.model is not None
        weights, intercept = self.model
        z = intercept + sum(weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-z))

    def run(self, items: list[dict]):  # noqa: ANN201
        replay = self

        class Book(ev.EventBook):
            def decide(self, frame: dict, **kwargs: object) -> ev.EventDecision:
                replay.label = _label_of(
                    replay.item, frame["category"], frame["categories"], frame["evidence"]
                )
                decision = super().decide(frame, **kwargs)
                if decision.kind == "new":
                    replay.origin[decision.event_id] = replay.label
                    replay.first[decision.event_id] = replay.article
                return decision

            def match(self, frame: dict, ts: float, cutoff: float) -> str | None:
                probe = ev._Probe(frame, self.framebook, ts)
                best = None
                keys = ev._keys(frame, sorted(probe.families))
                for event_id, record in self._candidates(keys, cutoff):
                    score = probe.score(self._view(event_id, record))
                    if score is None:
                        continue
                    both = None
                    if replay.entities:
                        both = (replay.article, replay.first.get(event_id, set()))
                    features = pair_features(probe, frame, record, score, ts, both)
                    if replay.label:
                        same = replay.origin.get(event_id) == replay.label
                        replay.examples.append((features, same))
                    if replay.model is not None:
                        score = replay.probability(features)
                        if score < replay.threshold:
                            continue
                    rank = (score, record["last"], event_id)
                    if best is None or rank > best:
                        best = rank
                return best[2] if best else None

        book = StoryBook.in_memory()
        book.events = Book(book.events.events, book.events.config, book.events.framebook)
        alerts, enriched = [], []
        for item in items:
            self.item = item
            article = analyze_article(raw_article(item))
            self.article = article_entities(article)
            out, raised, _ = book.place(article)
            alerts.extend(raised)
            enriched.append(out)
        return score_alerts(items, alerts, enriched)


def fit(examples: list[tuple[Features, bool]], c: float = 1.0) -> Model:
    """L2 logistic regression (unregularised intercept) by Newton's method."""
    names = sorted({k for f, _ in examples for k in f})
    column = {k: i for i, k in enumerate(names)}
    x = np.zeros((len(examples), len(names) + 1))
    x[:, -1] = 1.0
    for row, (features, _) in enumerate(examples):
        for k, v in features.items():
            x[row, column[k]] = v
    y = np.array([float(label) for _, label in examples])
    w = np.zeros(len(names) + 1)
    ridge = np.eye(len(names) + 1)
    ridge[-1, -1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = c * x.T @ (p - y) + ridge @ w
        hessian = c * x.T @ (x * (p * (1 - p))[:, None]) + ridge + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return {k: float(w[i]) for k, i in column.items()}, float(w[-1])


def figures(report) -> str:  # noqa: ANN001
    negatives = len({i for i, _ in report.false_new})
    return (
        f"recall {report.recall:.3f} ({report.recalled}/{report.pairs}) | "
        f"second new {len(report.second_new)}/{report.events} | "
        f"false new {negatives}/{report.negatives} | clustering P {report.clustering.precision:.3f}"
        f" R {report.clustering.recall:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tau", type=float, nargs="+", default=[0.05, 0.1, 0.2, 0.5])
    parser.add_argument("--weights", action="store_true", help="print each fold's weights")
    parser.add_argument(
        "--article-entities",
        action="store_true",
        help="also compare the two articles' actors, objects and places",
    )
    args = parser.parse_args()
    items = load_timeline([ROOT / "seeds/eval/timeline_tune.jsonl"])

    def fold(item: dict) -> int:
        return zlib.crc32(item["id"].split("-")[0].encode()) % 2

    for half in (0, 1):
        train = [i for i in items if fold(i) != half]
        test = [i for i in items if fold(i) == half]
        collect = _Replay(entities=args.article_entities)
        collect.run(train)
        model = fit(collect.examples)
        same = sum(label for _, label in collect.examples)
        print(
            f"fold {half}: trained on {len(train)} articles ({len(collect.examples)} pairs, "
            f"{same} of the same event), scored on {len(test)}"
        )
        print(f"  rules          {figures(_Replay().run(test))}")
        for tau in args.tau:
            learned = _Replay(model, tau, args.article_entities).run(test)
            print(f"  learned, {tau:<5}  {figures(learned)}")
        if args.weights:
            weights, intercept = model
            print(f"  intercept {intercept:+.2f}")
            for name, weight in sorted(weights.items(), key=lambda kv: -abs(kv[1]))[:25]:
                print(f"  {weight:+.2f} {name}")


if __name__ == "__main__":
    main()
