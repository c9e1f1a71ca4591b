"""The timeline's tuning part replayed with synthetic developments crowding the window: what
the event index's look-up limits cost when a stream holds many more events than the corpus.

    python benchmarks/crowded_replay.py [--per-day 0 5 20] [--fillers named|anonymous]
        [--limits 16,8 8,4]

The 3,070 tuning articles hold about one labelled development every two days; a live stream
holds many more, and a frame compares only the most recent events of each look-up key (the
`_RECENT` of a family and category, the `_SAME` of a family and a person, object or place:
streams/events.py). Before each day's articles, this replay starts `--per-day` synthetic
developments of that day (actions drawn as often as the corpus's frames take them; each names
a Russian official of its own and, with `named` fillers, one of the leaders and ministers most
events name, so that they fill the person keys too; with `anonymous` ones, a North Korean
official of its own instead) and then places the day's articles as `axiswatch eval --events`
does. For each pair of limits it prints the timeline's figures: set against each other at one
density, they show what the limits cost; against `--per-day 0`, what the crowding does.
The articles are analysed once and kept in memory for all runs.
"""

from __future__ import annotations

import argparse
import collections
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streams.events as events_module  # noqa: E402
from schemas.models import AnalyzedArticle, EventFrame  # noqa: E402
from streams.analyze import analyze_article  # noqa: E402
from streams.eventeval import load_timeline, raw_article, score_alerts  # noqa: E402
from streams.frames import Action, default_framebook  # noqa: E402
from streams.stories import StoryBook, event_time  # noqa: E402

TIMELINE = Path(__file__).resolve().parents[1] / "seeds" / "eval" / "timeline_tune.jsonl"
_RUSSIA = ["rus", "putin", "lavrov", "shoigu", "belousov", "kozlov", "rus_mod"]
_DPRK = ["prk", "kim_jong_un", "choe_son_hui", "no_kwang_chol", "kpa"]
_GAP_DAYS = 30  # days filled at most between two articles (the window is shorter)


def _filler(number: int, action: Action, day: date, named: bool, rng: np.random.Generator):
    russia = [_RUSSIA[int(rng.integers(len(_RUSSIA)))]] if named else ["rus"]
    dprk = [_DPRK[int(rng.integers(len(_DPRK)))]] if named else ["prk", f"dprk_official_{number}"]
    return EventFrame(
        category=action.categories[0], categories=list(action.categories), action=action.id,
        family=action.family, evidence=f"synthetic development {number}", evidence_span=(0, 1),
        russia_actors=[*russia, f"official_{number}"], dprk_actors=dprk, objects=[], places=[],
        quantities=[], event_date=day, date_precision="day", basis="report", confidence=0.9,
    ).model_dump()  # fmt: skip


def replay(
    items: Sequence[dict],
    articles: Sequence[AnalyzedArticle],
    per_day: int,
    named: bool,
    seed: int = 7,
) -> str:
    """The timeline's figures, replayed with `per_day` synthetic developments a day."""
    book = StoryBook.in_memory(None)
    actions = collections.Counter(
        f.action for a in articles for f in a.events if not f.action.endswith("_other")
    )
    book_actions = default_framebook().actions
    chosen = [book_actions[a] for a in actions]
    weights = np.array([actions[a.id] for a in chosen], dtype=float)
    weights /= weights.sum()
    rng = np.random.default_rng(seed)
    alerts, enriched, number, last_day = [], [], 0, None
    for article in articles:
        day = datetime.fromtimestamp(event_time(article), UTC).date()
        if per_day and day != last_day:
            first = day if last_day is None else last_day + timedelta(days=1)
            current = max(first, day - timedelta(days=_GAP_DAYS))
            while current <= day:
                noon = datetime(current.year, current.month, current.day, 12, tzinfo=UTC)
                for _ in range(per_day):
                    number += 1
                    action = chosen[int(rng.choice(len(chosen), p=weights))]
                    book.events.decide(
                        _filler(number, action, current, named, rng),
                        article_id=f"f{number:023d}", source="synthetic", story_id=f"sf{number}",
                        lang="en", ts=noon.timestamp(),
                    )  # fmt: skip
                current += timedelta(days=1)
        last_day = day
        out, raised, _ = book.place(article)
        enriched.append(out)
        alerts.extend(raised)
    report = score_alerts(items, alerts, enriched)
    clustering = report.clustering
    return (
        f"recall {report.recall:.3f}, second `new` {report.second_new_share:.3f}, "
        f"false `new` {report.false_new_share:.3f}, clustering "
        f"{clustering.precision:.3f} / {clustering.recall:.3f} ({number:,} synthetic)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-day", type=int, nargs="+", default=[0, 5, 20])
    parser.add_argument("--fillers", choices=("named", "anonymous"), default="named")
    own = f"{events_module._RECENT},{events_module._SAME}"
    parser.add_argument(
        "--limits", nargs="+", default=["16,8", "8,4"], metavar="RECENT,SAME",
        help=f"look-up limits to compare (the code's own: {own})",
    )  # fmt: skip
    args = parser.parse_args()
    items = load_timeline([TIMELINE])
    print(f"analysing {len(items):,} timeline articles ...", file=sys.stderr)
    articles = [analyze_article(raw_article(item)) for item in items]
    print(f"{args.fillers} synthetic developments; limits (recent, same) x developments a day")
    for per_day in args.per_day:
        for limits in args.limits:
            recent, same = (int(x) for x in limits.split(","))
            events_module._RECENT, events_module._SAME = recent, same
            figures = replay(items, articles, per_day, args.fillers == "named")
            print(f"  {recent:>2},{same:<2} {per_day:>3} a day: {figures}", flush=True)


if __name__ == "__main__":
    main()
