"""The known-events index: frames of one development joined into one event, novelty per event.

`EventBook` works over any mutable mapping (plain dicts offline, a Faust table in the worker):
`events[event_id]` is a plain JSON-able record, written back with `events[id] = record` so a
Faust table changelogs it. The look-up index (blocking keys -> event ids) is derived state kept
in memory and rebuilt from the records on takeover.

A frame joins a known event when (all on event time, the article's publication time):
- their action families are the same or declared joinable (a summit and the treaty signed at
  it), and the categories overlap;
- their dates are compatible: within the action's `window_days` of the event's date (a frame
  with no date of its own, a background restatement, is compatible with any date);
- nothing contradicts: different objects of one kind (shells versus missiles), different
  specific actors where the family is about who (a Lavrov visit is not a Shoigu visit);
and among the compatible events the one sharing the most actors, objects, places and
quantities, and the nearest in time, wins. Otherwise the frame starts an event, unless its
article has started one of the same category already: an article reports one development
(several sentences telling it as a deployment, builders and a shipment) and restates others.

Novelty: the frame that starts an event raises `new` (`basis: background` when it was a
restatement; a restatement of history, dated over a year before its article, starts none); a
later report of it from another source or story raises `corroborated`; a report that adds a
fact (a higher count, a new place, object or category) raises `updated` naming the change; a
background restatement never raises `new` or `updated` for a known event.
"""

from __future__ import annotations

import itertools
from collections.abc import ItemsView, Iterable, MutableMapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from streams.actors import PERSON_TYPES, ActorMatcher, default_matcher
from streams.expiry import stale_keys
from streams.frames import SAME_DEVELOPMENT_DAYS, FrameBook, default_framebook, frame_event_id

__all__ = ["EventBook", "EventConfig", "EventDecision", "read_alert"]

_MAX_LISTED = 50
_DAY = 86_400.0
# Families where different specific actors make different developments (visits, letters).
_WHO_MATTERS = frozenset({"meeting", "message", "agreement", "call"})
# Families whose developments are hosted by one side: one on the other side's ground is another.
_HOSTED = frozenset({"sports"})
# What a visitor hands over (a letter, a gift): told undated in the report of a visit, it is
# that visit's (`_VISIT`, the family of visits and talks).
_HANDED = frozenset({"message", "gift"})
_VISIT = "meeting"
# Families whose developments are told apart by where on the North's side they are, days apart:
# a ferry to Wonsan is not the train to Rason, nor the children's camp at Songdowon the youth
# delegation in Pyongyang weeks before.
_PLACE_TELLS = frozenset({"transport", "exchange"})
# ... and those told apart by where on Russia's side they are (the Moscow train is not the
# Vladivostok one of weeks before; exchanges were measured too: +2 recall pairs, +2 second
# `new` on the timeline's tuning part, not kept).
_RUSSIA_PLACE_TELLS = frozenset({"transport"})
# Places that hold others without the catalogue saying so (`within` is one level deep).
_MACRO_REGIONS = frozenset({"far_east"})
_OFFICIAL = frozenset({"official"})
_PLACE = frozenset({"place"})
_STATES = frozenset({"rus", "prk"})
# Object kinds whose first mention is no news: a report naming the field of a visit (sports,
# education) or the occasion of a message tells it in other words.
_NOT_NEWS_KINDS = frozenset({"sector", "occasion"})
# A frame starts an event only when its signal's confidence, hedge aside, is at least this:
# the two sides named in the sentence (0.9 x cue strength, 0.79 and up); a pair phrase
# (0.75 x ...) or a side found in the sentence before (0.6 x ...) only joins known events.
_START_CONFIDENCE = 0.75
_HEDGE_FACTOR = 0.6  # streams.signals lowers a hedged signal's confidence by this factor
_SAID_KEPT = 4  # event ids remembered as alerted, per event the index may hold
_KEPT_PER_KEY = 4  # index entries kept per key, in multiples of its look-up limit
# Most recent events compared per look-up key: of the family and category here, of the family
# and a specific actor, object or place `_SAME` below (8 and 4 rather than 16 and 8: the same
# timeline figures with up to 20 unrelated developments a day crowding the window,
# benchmarks/crowded_replay.py, and 1.2-1.35x the stories stage's rate; docs/stories.md)
_RECENT = 8
# Prepared views of event records kept for scoring (`_View`), in two generations of at most
# this many each: a view used since the younger one began stays; the others go when it fills.
_VIEWS_KEPT = 8_192
_THIN_DAYS = 3
_STRIKE = "strike"
_TECHNOLOGY = "technology"
# A frame of a family no known event has, dated within this many days of an event that names
# the same person, tells that occasion: the missiles shown to a visiting minister, the message
# he brought and the gifts exchanged are his visit, not three developments. A frame naming no
# one but the two states joins, the same way, an event of its primary category naming no one
# either ("5,000 more servicemen sent" the day military builders were reported sent), unless
# it tells an incident (soldiers captured are not the day's fighting: `incident` in events.toml).
# A report matching an event of its own family days older (`_THIN_DAYS`) joins the occasion of
# its own day instead, when there is one: "troops sent" the day engineers were reported sent
# is that sending, not the deployment of weeks before.
_OCCASION_DAYS = 1
# An occasion lasts the days its reports date it to, up to this many after its first: a
# three-day visit's weapons display on its third day is part of it (`until` in the record).
_OCCASION_SPAN = 5
_SAME = 4  # most recent events compared per (family, specific) key and per person's occasions
# A shipment is told by its weight: reports of different tonnages (more than this share apart),
# on different days, are of different shipments (a count of people grows as a development goes
# on; a consignment's weight does not).
# So is an assessment of the families told by their claimants (`joining.claimed_families`): a
# figure days from the event's figure of the same measure, other by more than that share, is
# another assessment (1.5 million shells in February are not January's million).
_CONSIGNMENT = "tonnes"
_HEAD = "animals"  # livestock traded by the head: a consignment's count too
_TRADE = "trade"  # the family of goods traded
_SAME_AMOUNT = 0.1
# A casualty toll is an assessment of its day: a toll days from a fighting event's, other than
# its own (or where it gave none), is another assessment (Zelensky's 3,000 killed and wounded
# in December are not the six officers killed in October; 2,000 dead in September not 101 in
# August).
_TOLL = "casualties"
# A background restatement of a development dated more than this before its article is
# history: it joins a known event, but starts none (no alert says a year-old act is new).
_HISTORY_DAYS = 365
# A claimed assessment this many days from an event its reports attributed to nobody is
# another assessment (seeds/events.toml, `joining.claimed_families`).
_UNCLAIMED_DAYS = 14
# An incident's news (`incident` in events.toml) dated more than this many days from the
# event's date is another incident.
_INCIDENT_DAYS = 7
# A candidate at its window's edge loses this much of its score (four objects, places or
# named actors in common; each is worth 0.5): of a report's candidates, the nearer in time is
# the likelier (1.5 to 2.0 gave the timeline tuning part's best clustering; 0.5, 1.0, 3.0, 4.0
# less).
_DATE_WEIGHT = 2.0
# A restatement of no date is likelier of a recent development than of one long past: a
# candidate loses this much of its score per year between its date and the frame's article
# (a year weighs as half of one thing in common; 0.5 and 1.0 gave the timeline tuning part's
# clustering precision 0.725 and 0.727 from 0.721, 1.0 with a missed pair more).
_RECENCY = 0.5


@dataclass(frozen=True)
class EventConfig:
    """How long the index remembers an event not reported again (event time)."""

    window: timedelta = timedelta(days=365)
    max_events: int = 200_000


class _Report(NamedTuple):
    """Who reports a frame, and when (event time)."""

    article_id: str
    source: str
    story_id: str
    lang: str | None
    ts: float


@dataclass(frozen=True, slots=True)
class EventDecision:
    """What a frame did: its event, and the alert kind it raises (None: nothing to say)."""

    event_id: str | None  # None: the frame joined nothing and may not start an event
    kind: str | None
    changes: tuple[str, ...]
    record: dict


def _day_of(ts: float) -> int:
    """The day (ordinal) of an event time."""
    return datetime.fromtimestamp(ts, UTC).date().toordinal()


def _day(value: date | str | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.toordinal()


class EventBook:
    """Joins event frames into known events and decides what each report says."""

    def __init__(
        self,
        events: MutableMapping[str, Any],
        config: EventConfig | None = None,
        framebook: FrameBook | None = None,
    ) -> None:
        self.events = events
        self.config = config or EventConfig()
        self.framebook = framebook or default_framebook()
        self._index: dict[tuple, list[str]] = {}
        # Ids of the events alerts were raised for (in order; bounded): a frame that would
        # start an event of one of these ids is its own article again, after the event was
        # forgotten (an archive article re-sent a year of event time later): not `new` again.
        self.said: dict[str, None] = {}
        self._seq = 0
        self._views: dict[str, _View] = {}  # the younger generation
        self._older_views: dict[str, _View] = {}
        # When a list: each frame decided appends how (its candidate events, each with its
        # score or the rule that ruled it out, and the path taken): `axiswatch eval --events
        # --explain`. None in the worker.
        self.trace: list[dict] | None = None

    # ------------------------------------------------------------------ deciding
    def decide(
        self,
        frame: dict,
        *,
        article_id: str,
        source: str,
        story_id: str,
        lang: str | None,
        ts: float,
        known_event: str | None = None,
        article_event: str | None = None,
        reported: Sequence[str] = (),
    ) -> EventDecision:
        """Join `frame` (an `EventFrame` as a dict) to a known event or start one; `ts` is the
        article's event time. `known_event`: the event the article's story already gave this
        frame's family (a copy of a story reuses its events). `article_event`: the event the
        article's first reported development started; a report of the same category that
        matches no known event tells that development in other words (an article reports one
        development and restates others), unless it is dated weeks apart. `reported`: the
        events the article's report frames went to so far; a background frame of no date that
        names one of such an event's people and matches no known event tells that occasion
        ("Volodin thanked Kim for ...", in the report of his visit); a letter or a gift so
        told is the visit's whatever older event of its family it matches ("Shoigu handed Kim
        Putin's letter")."""
        report = _Report(article_id, source, story_id, lang, ts)
        cutoff = ts - self.config.window.total_seconds()
        path = None
        if self.trace is not None:
            path = []
            self.trace.append({"frame": frame, "article_id": article_id, "candidates": [],
                               "path": path})  # fmt: skip
        event_id = None
        if known_event:
            record = self.events.get(known_event)
            if record is not None and record["seen"] >= cutoff:
                event_id = known_event
                if path is not None:
                    path.append(f"the event its story gave the family: {event_id}")
        if (
            event_id is None
            and reported
            and frame["basis"] == "background"
            and frame["family"] in _HANDED
        ):
            # A letter or a gift, undated, naming one of the people of a visit its article
            # reports is handed at that visit ("Shoigu handed Kim Putin's letter", in the report
            # of his visit), before any older event of its family (last year's letters).
            event_id = self._occasion_reported(frame, reported, _VISIT)
            if path is not None and event_id is not None:
                path.append(f"handed at the visit its article reports: {event_id}")
        if event_id is None:
            event_id = self.match(frame, ts, cutoff)
            if path is not None:
                path.append(f"best match: {event_id}")
            if event_id is not None and frame["basis"] == "report" and _can_start(frame):
                # An event of the family days older, or one of another family of the same day
                # this frame's report is part of: the same day's.
                day = _frame_day(frame, ts)
                if day is not None and abs(day - self.events[event_id]["date"]) > _THIN_DAYS:
                    event_id = self.occasion(frame, ts, cutoff) or event_id
                    if path is not None:
                        path.append(f"days from it: the occasion of its own day, {event_id}")
        if event_id is None and article_event and frame["basis"] == "report":
            record = self.events.get(article_event)
            if record is not None and _tells_article_development(record, frame, self.framebook):
                if path is not None:
                    path.append(f"the development its article started: {article_event}")
                return self._report(article_event, record, frame, report)
        if event_id is None and reported and frame["basis"] == "background":
            event_id = self._occasion_reported(frame, reported)
            if path is not None and event_id is not None:
                path.append(f"the occasion its article reports: {event_id}")
        if event_id is None and _can_start(frame):
            event_id = self.occasion(frame, ts, cutoff)
            if path is not None:
                path.append(f"an occasion of another family that day: {event_id}")
        if event_id is None and _can_start(frame):
            event_id = self.occasion_of_what(frame, ts, cutoff)
            if path is not None:
                path.append(f"an event of another family that day naming its object: {event_id}")
        if event_id is None:
            if not _can_start(frame) or _history(frame, ts):
                if path is not None:
                    path.append(
                        "history: a restatement over a year old starts none"
                        if _can_start(frame)
                        else f"may not start an event: {_why_not_start(frame)}"
                    )
                return EventDecision(None, None, (), {})
            event_id = frame_event_id(article_id, frame["family"], frame["evidence_span"][0])
            if path is not None:
                path.append(f"starts an event: {event_id}")
            existing = self.events.get(event_id)
            if existing is not None and existing["seen"] >= cutoff:
                # The same article again (re-processed): the event it started.
                return self._report(event_id, existing, frame, report)
            record = _new_record(event_id, frame, article_id, source, story_id, lang, ts)
            if existing is not None and "keys" in existing:
                # Its own expired event, not swept yet: it keeps its place in the index.
                record["seq"], record["keys"] = existing["seq"], existing["keys"]
                self.events[event_id] = record
            else:
                self._stamp(record)
                self.events[event_id] = record
                self._add_to_index(event_id, record)
            if event_id in self.said:
                return EventDecision(event_id, None, (), record)
            self.remember_said([event_id])
            return EventDecision(event_id, "new", (), record)
        return self._report(event_id, self.events[event_id], frame, report)

    def _report(self, event_id: str, record: dict, frame: dict, report: _Report) -> EventDecision:
        article_id, source, story_id, lang, ts = report
        if article_id in record["articles"]:
            # Another frame of the same article (or the article again): its facts join the
            # event silently, so the article's one alert for the event carries them.
            merged = dict(record)
            _absorb(merged, frame, [])
            if merged != record:
                self.events[event_id] = merged
                self._carry_view(event_id, record, merged)
            return EventDecision(event_id, None, (), merged)
        new_source = source not in record["sources"]
        new_story = story_id not in record["stories"]
        changes = _changes(record, frame, self.framebook) if frame["basis"] == "report" else []
        updated = {
            **record,
            "seen": max(record["seen"], ts),
            "last": max(record["last"], ts),
            "articles": _add(record["articles"], article_id),
            "sources": _add(record["sources"], source),
            "source_count": record["source_count"] + int(new_source),
            "stories": _add(record["stories"], story_id),
            "languages": _add(record["languages"], lang) if lang else record["languages"],
        }
        _absorb(updated, frame, changes)
        self.events[event_id] = updated
        self._carry_view(event_id, record, updated)
        if changes and (new_source or new_story):
            return EventDecision(event_id, "updated", tuple(changes), updated)
        if new_source or new_story:
            return EventDecision(event_id, "corroborated", (), updated)
        return EventDecision(event_id, None, (), updated)

    # ------------------------------------------------------------------ matching
    def match(self, frame: dict, ts: float, cutoff: float) -> str | None:
        """The known event `frame` reports, or None."""
        probe = _Probe(frame, self.framebook, ts)
        candidates = self._candidates(_keys(frame, sorted(probe.families)), cutoff)
        if self.trace:
            return self._traced_match(probe, candidates, self.trace[-1]["candidates"])
        # A candidate's rules are read only when its fit (its score unless a rule rules it
        # out) would make it the best so far: the event the scores of every candidate choose.
        # Ties go to the most recently reported event, then the larger id: the choice does
        # not depend on the order of the index (rebuilt on takeover).
        best: tuple[float, float, str] | None = None
        views = self._views
        for event_id, record in candidates:
            view = views.get(event_id)
            if view is None or view.record is not record:
                view = self._view(event_id, record)
            fit = probe.fit(view)
            if fit is None or (best is not None and fit[0] < best[0]):
                continue
            rank = (fit[0], record["last"], event_id)
            if (best is None or rank > best) and probe.ruled_out(view, fit[1], fit[2]) is None:
                best = rank
        return best[2] if best else None

    def _traced_match(
        self, probe: _Probe, candidates: ItemsView[str, dict], noted: list[tuple]
    ) -> str | None:
        """`match`, noting each candidate's score or the rule that ruled it out."""
        best: tuple[float, float, str] | None = None
        for event_id, record in candidates:
            why: list[str] = []
            score = probe.score(self._view(event_id, record), why)
            noted.append((event_id, score, why[0] if why else None))
            if score is not None and (best is None or (score, record["last"], event_id) > best):
                best = (score, record["last"], event_id)
        return best[2] if best else None

    def _view(self, event_id: str, record: dict) -> _View:
        """The prepared view of an event's record (kept while the record is the same object:
        a report joining an event writes a new record, `_carry_view` aside)."""
        view = self._views.get(event_id)
        if view is None:
            view = self._older_views.pop(event_id, None)
        if view is None or view.record is not record:
            view = _View(record, self.framebook)
        if len(self._views) >= _VIEWS_KEPT:
            self._older_views, self._views = self._views, {}
        self._views[event_id] = view
        return view

    def _carry_view(self, event_id: str, old: dict, new: dict) -> None:
        """Let the view of `old` serve `new`, its successor, when nothing it reads changed (a
        report that only corroborates)."""
        view = self._views.get(event_id) or self._older_views.get(event_id)
        if (
            view is not None
            and view.record is old
            and all(old.get(key) == new.get(key) for key in _VIEWED)
        ):
            view.record = new

    def _candidates(self, keys: list[tuple[tuple, int]], cutoff: float) -> ItemsView[str, dict]:
        """The events to compare for these look-up keys (id and record), each once: per key,
        its `limit` most recent events still in the window (what a sweep has removed or would
        remove does not count)."""
        found: dict[str, dict] = {}
        get_ids, get_record = self._index.get, self.events.get
        for key, limit in keys:
            ids = get_ids(key)
            if not ids:
                continue
            live = 0
            for event_id in reversed(ids):
                if live >= limit:
                    break
                if event_id in found:
                    continue
                record = get_record(event_id)
                if record is None or record["seen"] < cutoff:
                    continue
                live += 1
                found[event_id] = record
        return found.items()

    def _occasion_reported(
        self, frame: dict, reported: Sequence[str], family: str | None = None
    ) -> str | None:
        """Of the events the frame's article reports (of `family`, when given), the first
        naming one of the frame's people, for a background frame of no date."""
        if frame.get("event_date") is not None:
            return None
        persons = _persons(_specific_actors(frame))
        if not persons:
            return None
        for event_id in reported:
            record = self.events.get(event_id)
            if (
                record is not None
                and (family is None or family in record["families"])
                and persons & _persons(_specific_actors(record))
            ):
                return event_id
        return None

    def occasion(self, frame: dict, ts: float, cutoff: float) -> str | None:
        """The known event of another family that `frame` is part of, or None: one of the
        same days (`_OCCASION_DAYS` from the days its reports date it to) naming one of the
        frame's people, or, for a frame naming
        no one but the two states, one of its primary category naming no one either. Of
        several, the one sharing the most people, then the nearest in days, then the most
        recent."""
        named = _specific_actors(frame)
        persons = _persons(named)
        if persons:
            keys = [("@", p) for p in sorted(persons)]
        elif named:
            return None  # an institution's act (Roscosmos, the KPA): no occasion to tell it by
        else:
            keys = [("@c", frame["category"])]
        day = _frame_day(frame, ts)
        if day is None:
            return None  # a restatement of no day of its own: of no occasion
        action = self.framebook.families.get(frame["family"])
        if not persons and action is not None and action.incident:
            return None
        # An event is looked up under its first family only: one that took this frame's family
        # in later (a visit's meeting, first reported as the rail link it agreed) is an
        # occasion too.
        joinable = self.framebook.joinable_families(frame["family"])
        fields = _sectors(frame, self.framebook)
        best: tuple[int, int, float, str] | None = None
        for event_id, record in self._candidates([(key, _SAME) for key in keys], cutoff):
            # Someone's occasion lasts its days; naming no one, only the event's own day.
            distance = _days_from(record, day, lasting=bool(persons))
            if distance > _OCCASION_DAYS or record["families"][0] in joinable:
                continue  # an event of the family: `match` has weighed it
            if not self.framebook.is_occasion(record["families"][0]):
                continue  # a law ratified gathers no one: Putin's gift the next day is its own
            if _another_field(fields, self._view(event_id, record).sectors):
                continue  # another field's (a sports camp is not the news agencies' deal)
            named = _specific_actors(record)
            if not persons and (named or record["category"] != frame["category"]):
                continue  # someone's occasion, or another category's: not this one
            if not persons and _other_goods(frame, record, self.framebook):
                continue  # naming no one, of other goods: beer imports are not a rail link
            shared = len(persons & _persons(named))
            rank = (shared, -distance, record["last"], event_id)
            if best is None or rank > best:
                best = rank
        return best[3] if best else None

    def occasion_of_what(self, frame: dict, ts: float, cutoff: float) -> str | None:
        """The known event of another family, of the frame's day (`_OCCASION_DAYS`), that names
        one of the frame's objects (not a field or an occasion), or None: the flights proposed
        at the day's talks, reported as a link opened by one outlet and as the talks by
        another, are one development. Not an event naming other people than the frame. Of
        several, the one sharing the most objects, then the nearest, then the most recent."""
        book = self.framebook
        objects = _what(frame["objects"], book)
        day = _frame_day(frame, ts)
        if not objects or day is None:
            return None
        joinable = book.joinable_families(frame["family"])
        keys = [((f, "=", o), _SAME) for f in book.families if f not in joinable for o in objects]
        persons = _persons(_specific_actors(frame)) - book.envoys
        best: tuple[int, int, float, str] | None = None
        for event_id, record in self._candidates(keys, cutoff):
            distance = _days_from(record, day)
            if distance > _OCCASION_DAYS:
                continue
            theirs = _persons(_specific_actors(record)) - book.envoys
            if persons and theirs and persons.isdisjoint(theirs):
                continue  # someone else's occasion
            rank = (len(set(objects).intersection(record["objects"])), -distance,
                    record["last"], event_id)  # fmt: skip
            if best is None or rank > best:
                best = rank
        return best[3] if best else None

    # ------------------------------------------------------------------ index
    def _stamp(self, record: dict) -> None:
        """Give a new event its place in the index: a sequence number and its look-up keys
        as they are at its start. The index holds events in that order under those keys, so
        rebuilding it from the records gives the same index, and a look-up the same answer."""
        self._seq += 1
        record["seq"] = self._seq
        named = _specific_actors(record)
        keys = _keys(record) + [(("@", p), _SAME) for p in sorted(_persons(named))]
        if not named:  # only events naming no one are occasions of frames naming no one
            keys.append((("@c", record["category"]), _SAME))
        record["keys"] = [[list(key), limit] for key, limit in keys]

    def _add_to_index(self, event_id: str, record: dict) -> None:
        for key, limit in record["keys"]:
            ids = self._index.setdefault(tuple(key), [])
            ids.append(event_id)
            if len(ids) > _KEPT_PER_KEY * limit:
                del ids[: len(ids) - _KEPT_PER_KEY * limit // 2]

    def rebuild_index(self) -> int:
        """Recompute the look-up index from the event records; returns the number of keys."""
        self._index.clear()
        ordered = sorted(self.events.items(), key=lambda kv: kv[1].get("seq", 0))
        for event_id, record in ordered:
            if "keys" not in record:
                self._stamp(record)
                self.events[event_id] = record
            self._add_to_index(event_id, record)
        self._seq = max((r["seq"] for _, r in ordered), default=self._seq)
        return len(self._index)

    def adopt(self, records: Iterable[tuple[str, dict]], since: float | None = None) -> int:
        """Events known elsewhere (the alerts topic, read back) that the table lacks; with
        `since`, only those seen at or after it (an older one was swept: it stays forgotten)."""
        added = 0
        for event_id, record in records:
            if since is not None and record["seen"] < since:
                continue
            if self.events.get(event_id) is None:
                self._stamp(record)
                self.events[event_id] = record
                self._add_to_index(event_id, record)
                added += 1
        return added

    def remember_said(self, event_ids: Iterable[str]) -> None:
        """Event ids already alerted (the alerts topic, read back on takeover)."""
        for event_id in event_ids:
            self.said[event_id] = None
        excess = len(self.said) - _SAID_KEPT * self.config.max_events
        if excess > 0:
            for event_id in list(itertools.islice(self.said, excess)):
                del self.said[event_id]

    def sweep(self, ts: float) -> int:
        """Forget events not reported within the window of event time, and the oldest beyond
        `max_events`; returns how many were forgotten."""
        cutoff = ts - self.config.window.total_seconds()
        expired = stale_keys(self.events, cutoff, self.config.max_events)
        for event_id in expired:
            del self.events[event_id]
        if expired:
            self.rebuild_index()
        return len(expired)


def _no(why: list[str] | None, reason: str) -> None:
    """A candidate ruled out: `reason` noted when the caller asks why (`EventBook.trace`)."""
    if why is not None:
        why.append(reason)


def _history(frame: dict, ts: float) -> bool:
    """Whether a background frame restates a development dated more than `_HISTORY_DAYS` before
    its article (flights "suspended since January 2020" in a 2024 report). A month or a year
    stands for its last day: "last year" may be two months ago."""
    when = frame.get("event_date")
    if frame["basis"] != "background" or when is None:
        return False
    if isinstance(when, str):
        when = date.fromisoformat(when[:10])
    precision = frame.get("date_precision")
    if precision == "year":
        when = date(when.year, 12, 31)
    elif precision == "month":
        when = date(when.year + when.month // 12, when.month % 12 + 1, 1) - timedelta(days=1)
    return _day_of(ts) - when.toordinal() > _HISTORY_DAYS


def _days_from(record: dict, day: int, lasting: bool = True) -> int:
    """Days from `day` to an event: to the days its reports date it to (`until`), or, not
    `lasting`, to its first day."""
    first = record["date"]
    until = record.get("until", first) if lasting else first
    return 0 if first <= day <= until else min(abs(day - first), abs(day - until))


def _frame_day(frame: dict, ts: float) -> int | None:
    """The day a report frame tells of: its own date to the day, else its article's."""
    day = _day(frame.get("event_date"))
    if day is None or frame.get("date_precision") not in ("day", "published"):
        return _day_of(ts) if frame["basis"] == "report" else None
    return day


def _tells_article_development(record: dict, frame: dict, book: FrameBook) -> bool:
    """Whether a report frame may tell the development its article already started: a shared
    category, no field of its own apart from the development's (the IT minister's delegation
    is not the fisheries committee's, though one dispatch reports both) and no date of its own
    weeks away from the development's."""
    if set(record["categories"]).isdisjoint(frame["categories"]):
        return False
    if _another_field(_sectors(frame, book), _sectors(record, book)):
        return False
    sender = frame.get("sender")
    if sender and sender == record.get("sender") and frame["family"] == "message":
        # nor another sender's message of the same side (Medvedev's telegram below Putin's)
        side = "russia_actors" if sender == "russia" else "dprk_actors"
        ours = _persons(set(frame[side]) - book.envoys)
        theirs = _persons(set(record[side]) - book.envoys)
        if ours and theirs and ours.isdisjoint(theirs):
            return False
    day = _day(frame.get("event_date"))
    if day is None or not record.get("dated", True):
        return True
    return abs(day - record["date"]) <= SAME_DEVELOPMENT_DAYS


def _can_start(frame: dict) -> bool:
    """Whether a frame may start an event, rather than only join a known one
    (`_why_not_start`)."""
    return _why_not_start(frame) is None


def _why_not_start(frame: dict) -> str | None:
    """Why a frame may not start an event, in words (for `EventBook.trace`), or None when it
    may: it names an action of its own, and its sentence names both sides itself (not through
    "the two countries" or the sentence before). A hedge does not count against it: a first
    report is often attributed ("reportedly", "Ukraine claims"), and its alert says `hedged`;
    but speculation ("cannot rule out", "could carry") reports no development."""
    if frame["family"].endswith("_other"):
        return f"a frame that only joins (family {frame['family']})"
    if frame.get("speculative"):
        return "speculation"
    if _vague(frame):
        return "vague background (no date, object, place or specific actor)"
    confidence = frame.get("confidence", 1.0)
    if frame.get("hedged"):
        confidence /= _HEDGE_FACTOR
    if confidence >= _START_CONFIDENCE:
        return None
    hedge = ", its hedge set aside," if frame.get("hedged") else ""
    return f"confidence {confidence:.2f}{hedge} below {_START_CONFIDENCE}"


def _what(objects: Iterable[str], book: FrameBook) -> list[str]:
    """The objects that tell what a development is about: not fields or occasions."""
    return [o for o in objects if book.object_kind(o) not in _NOT_NEWS_KINDS]


def _other_goods(frame: dict, record: dict, book: FrameBook) -> bool:
    """Whether a frame and an event both name objects (not fields or occasions) and share
    none."""
    ours, theirs = set(_what(frame["objects"], book)), set(_what(record["objects"], book))
    return bool(ours) and bool(theirs) and ours.isdisjoint(theirs)


def _vague(frame: dict) -> bool:
    """Whether a frame restates a development without telling which: background, of no date,
    naming no object, place or actor but the two states ("they took part in the friendship
    festival in the DPRK"). It may join the event of its family last reported; it starts
    none (its `new` alert would tell nothing a team could act on)."""
    return (
        frame["basis"] == "background"
        and frame.get("event_date") is None
        and not frame["objects"]
        and not frame["places"]
        and not _specific_actors(frame)
    )


class _Catalogue(NamedTuple):
    """The catalogue's ids by what the join rules ask of them (set operations, not a look-up
    per id: the rules ask for every frame and every event view)."""

    not_persons: frozenset[str]  # catalogued actors that are no person
    officials: frozenset[str]
    regions: frozenset[str]  # Russia's places, the capital aside


@lru_cache(maxsize=4)
def _catalogue(matcher: ActorMatcher) -> _Catalogue:
    actors = matcher.actors.values()
    return _Catalogue(
        frozenset(a.id for a in actors if a.type not in PERSON_TYPES),
        frozenset(a.id for a in actors if a.type in _OFFICIAL),
        frozenset(a.id for a in actors if a.type in _PLACE and a.side == "russia") - {"moscow"},
    )


def _persons(ids: AbstractSet[str]) -> set[str]:
    """The people among actor ids (leaders, officials; an id the catalogue lacks counts)."""
    return set(ids) - _catalogue(default_matcher()).not_persons


def _officials(ids: AbstractSet[str]) -> set[str]:
    """The officials among actor ids (ministers, envoys; not the leaders)."""
    return _catalogue(default_matcher()).officials & set(ids)


def _regions(ids: AbstractSet[str]) -> set[str]:
    """Russia's places among actor ids, the capital aside (named as the government's seat)."""
    return _catalogue(default_matcher()).regions & set(ids)


def _host(places: Iterable[str]) -> str | None:
    """The side all the places lie on ("russia", "dprk"), or None (none, or both sides')."""
    actors = default_matcher().actors
    sides = {actors[p].side for p in places if p in actors}
    return sides.pop() if len(sides) == 1 else None


def _side_areas(areas: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The North's and Russia's places (and the regions they lie in) among `areas`, in one
    pass, macro-regions aside (the Far East holds Vladivostok: it tells no link or exchange
    apart from one there)."""
    actors = default_matcher().actors
    sides: dict[str, set[str]] = {"dprk": set(), "russia": set()}
    for area in areas:
        actor = actors.get(area)
        if actor is not None and actor.side in sides and area not in _MACRO_REGIONS:
            sides[actor.side].add(area)
    return _frozen(sides["dprk"]), _frozen(sides["russia"])


def _areas(places: Iterable[str]) -> set[str]:
    """Places with the regions they lie in (`within` in actors.toml)."""
    within = default_matcher().within
    return {area for place in places for area in (place, within.get(place)) if area}


def _specific_actors(frame: dict) -> set[str]:
    """The actors of both sides a frame or event names, the two states aside."""
    return _specific(set(frame["russia_actors"]) | set(frame["dprk_actors"]))


def _occasion_persons(frame: dict) -> set[str]:
    """The people a frame or event names, both sides (an occasion is told by who was there)."""
    return _persons(_specific_actors(frame))


def _sectors(frame: dict, book: FrameBook) -> set[str]:
    """The fields a frame or event is of (`FrameBook.sectors`)."""
    return set(book.sectors(frame["objects"], (*frame["russia_actors"], *frame["dprk_actors"])))


def _another_field(ours: AbstractSet[str], theirs: AbstractSet[str]) -> bool:
    """Whether both name fields (`_sectors`) and none in common: another development (a sports
    delegation is not the party's)."""
    return bool(ours) and bool(theirs) and ours.isdisjoint(theirs)


def _specific(ids: set[str]) -> set[str]:
    # States are the only general actors a frame keeps (see frames._principal).
    return ids - _STATES


def _keys(frame: dict, families: list[str] | None = None) -> list[tuple[tuple, int]]:
    """Look-up keys and how many of each key's most recent events to compare: the family with
    each category (the most recent events), and the family with each specific actor, object
    and place (older events that name the same ones). An event is indexed under its families;
    a frame looks up every family it may join (`families`)."""
    if families is None:
        families = list(frame["families"])
    specifics = [
        *(a for a in frame["russia_actors"] if a != "rus"),
        *(a for a in frame["dprk_actors"] if a != "prk"),
        *frame["objects"],
        *frame["places"],
    ]
    keys = [((f, c), _RECENT) for f in dict.fromkeys(families) for c in frame["categories"]]
    keys += [((f, "=", x), _SAME) for f in dict.fromkeys(families) for x in specifics]
    return keys


class _Probe:
    """A frame prepared for comparison with many event records."""

    __slots__ = ("book", "categories", "day", "families", "generic", "objects", "places",
                 "precision", "primary", "primary_kind", "regions", "report", "russia", "dprk",
                 "kinds", "windows", "persons", "officials", "sectors", "past_year", "family",
                 "own_window", "areas", "host", "consignment", "toll", "claimants", "sender",
                 "sent_by", "official_fields", "dated_news", "goods_unnamed", "anyone",
                 "figures", "named", "dprk_areas", "russia_areas", "today")  # fmt: skip

    def __init__(self, frame: dict, book: FrameBook, ts: float) -> None:
        self.book = book
        self.windows: dict[str, int] = {}
        self.day = _day(frame.get("event_date"))
        # an undated restatement: its article's day, for `_RECENCY`
        self.today = _day_of(ts) if self.day is None and frame["basis"] == "background" else None
        self.precision = frame.get("date_precision")
        # A report of an earlier year (last year's figure): of that year's figures only.
        self.past_year = (
            self.precision == "year"
            and frame["basis"] == "report"
            and self.day is not None
            and date.fromordinal(self.day).year < date.fromordinal(_day_of(ts)).year
        )
        self.generic = frame["family"].endswith("_other")
        self.family = frame["family"]
        self.own_window = book.family_window(frame["family"])
        self.families = set(book.joinable_families(frame["family"]))
        # A frame with no action of its own (thin) may be any development of its categories;
        # a frame with one may be the development a thin frame started.
        categories = frame["categories"]
        if self.generic:
            self.families |= {
                f for f, a in book.families.items() if set(a.categories) & set(categories)
            }
        else:
            self.families |= {f"{c}_other" for c in categories}
        self.categories = set(frame["categories"])
        self.objects = set(frame["objects"])
        # The kinds of what the frame names, fields aside (a medal proposed through the defence
        # ministry is still a medal, not a monument).
        self.kinds = {book.object_kind(o) for o in self.objects} - {"sector"}
        primary = frame["objects"][0] if frame["objects"] else None
        self.primary = primary if book.object_kind(primary or "") in book.distinct_kinds else None
        self.primary_kind = book.object_kind(primary) if self.primary else None
        self.report = frame["basis"] == "report"
        self.places = set(frame["places"])
        self.regions = _regions(self.places)
        self.areas = _areas(frame["places"])
        self.dprk_areas, self.russia_areas = _side_areas(self.areas)
        self.host = _host(self.places)
        self.russia = set(frame["russia_actors"])
        self.dprk = set(frame["dprk_actors"])
        self.named = (_specific(self.russia), _specific(self.dprk))
        # Resident envoys greet every visitor: they tell no visits apart.
        visitors = (self.russia - book.envoys, self.dprk - book.envoys)
        self.persons = (_persons(visitors[0]), _persons(visitors[1]))
        self.sectors = _sectors(frame, book)
        self.officials = (_officials(visitors[0]), _officials(visitors[1]))
        # the fields the Russian officials stand for (the deputy defence minister: defence)
        self.official_fields = set(book.sectors((), self.officials[0]))
        largest = _largest(frame["quantities"])
        self.figures = largest if self.report else {}
        self.consignment = _consignment(largest, self.family)
        self.toll = largest.get(_TOLL) if frame["family"] == "combat" else None
        # Who the report is attributed to, where that tells assessments apart.
        self.claimants = (
            frozenset(frame.get("claimants") or ())
            if frame["family"] in book.claimed_families
            else frozenset()
        )
        self.sender = frame.get("sender")  # of a message or gift
        self.anyone = bool(self.persons[0] or self.persons[1])
        # news of a day (an event known only as background before it is another one) ...
        self.dated_news = (
            self.report and self.day is not None and self.precision in ("day", "published")
        )
        # ... and news naming no goods (not a shipment days before)
        self.goods_unnamed = not self.objects and self.report and self.day is not None
        # who of the sending side is named (its people, parties, bodies; not a resident envoy,
        # who conveys any sender's message)
        self.sent_by = (
            _specific(self.russia if self.sender == "russia" else self.dprk) - book.envoys
            if self.sender
            else frozenset()
        )

    def _named_nobody_shared(self, view: _View) -> bool:
        """Whether the frame names nobody of either side the event names (states aside)."""
        return self.named[0].isdisjoint(view.russia) and self.named[1].isdisjoint(view.dprk)

    def _shares_what(self, view: _View) -> bool:
        """Whether the event names one of the frame's objects or places."""
        return not (
            self.objects.isdisjoint(view.object_set) and self.places.isdisjoint(view.place_set)
        )

    def score(self, view: _View, why: list[str] | None = None) -> float | None:
        """How well the frame fits the event (`view` of its record; higher is better), None
        when it cannot be it (and, given `why`, the reason appended to it)."""
        fit = self.fit(view)
        if fit is None:
            return _no(why, "beyond the window")
        reason = self.ruled_out(view, fit[1], fit[2])
        if reason is not None:
            return _no(why, reason)
        return fit[0]

    def fit(self, view: _View) -> tuple[float, int, int] | None:
        """The score the frame has against the event unless a rule (`ruled_out`) says it cannot
        be it, with the distance in days between their dates (a month or a year counting as
        its days) and the plain distance; None beyond the window. Every term of the score is
        here, so a candidate whose fit cannot beat the best one so far needs no rules read."""
        score = 1.0
        day = self.day
        distance = apart = 0
        if day is not None:
            distance = apart = abs(day - view.date)
            if self.precision == "month":
                distance = max(0, distance - 30)
            elif self.precision == "year":
                # A year is its days: a date in it is no distance from it, one in the year
                # before is (last year's figure is not this year's).
                distance = max(0, day - view.date, view.date - day - 364)
            window = self.windows.get(view.family)
            if window is None:
                window = self._window(view.family)
            if distance > window:
                return None
            if distance:  # (so within a window of a day or more)
                score -= _DATE_WEIGHT * distance / window
        elif self.today is not None:
            score -= _RECENCY * max(0, self.today - view.date) / 365
        if self.objects and not self.objects.isdisjoint(view.object_set):
            score += 0.5 * len(self.objects & view.object_set)
        # A person, unit or body of a side in common speaks for one development; the two
        # states, which nearly every frame names, do not.
        if self.named[0] and not self.named[0].isdisjoint(view.russia):
            score += 0.5
        if self.named[1] and not self.named[1].isdisjoint(view.dprk):
            score += 0.5
        if self.places and not self.places.isdisjoint(view.place_set):
            score += 0.5 * len(self.places & view.place_set)
        return score, distance, apart

    def _window(self, family: str) -> int:
        """The days an event of `family` may be from the frame (kept in `windows`)."""
        window = self.book.family_window(family)
        if family != self.family:
            # Joining an event of another family: within the nearer of the two windows (a
            # strike weeks after a supply was reported is another strike).
            window = min(window, self.own_window)
        self.windows[family] = window
        return window

    def ruled_out(self, view: _View, distance: int, apart: int) -> str | None:
        """Why the frame cannot report the event (`distance` and `apart` as `fit` gives them),
        or None."""
        family = view.family
        day = self.day
        same_day = days_apart = False  # a frame without a date is of no day
        if day is not None:
            if self.past_year and view.date != day and (distance or not self._shares_what(view)):
                # last year's figure is another year's, or another development's
                return "last year's figure of another year or development"
            same_day = distance <= 1
            days_apart = apart > _THIN_DAYS
        if self.families.isdisjoint(view.families) or self.categories.isdisjoint(view.categories):
            return "no family or category in common"
        if self.sender and view.sender:
            if self.sender != view.sender:
                if not same_day:
                    # Putin's greetings to Kim are not Kim's to Putin of days later
                    return "a message the other way, days apart"
            elif self.sent_by and family == "message":
                # nor the KPRF's telegram Medvedev's of the same day: another sender of the
                # same side, none of its people, parties or bodies shared
                theirs = view.sent_by[0 if self.sender == "russia" else 1]
                if theirs and self.sent_by.isdisjoint(theirs):
                    return "another sender of the same side"
        if (
            self.claimants
            and self.report
            and day is not None
            and family in self.book.claimed_families
            and distance > (_THIN_DAYS if view.claimants else _UNCLAIMED_DAYS)
            and self.claimants.isdisjoint(view.claimants)
        ):
            # Another claimant's assessment days from the event's (or weeks from an event
            # nobody was said to claim): another development (Budanov's "40% of the
            # ammunition" is not the White House's missiles of May).
            return "another claimant's assessment, days apart"
        if (
            self.family == _STRIKE
            and family != _STRIKE
            and not same_day
            and not self._shares_what(view)
        ):
            # A strike with the North's missiles joins the report of their supply of its own
            # days, not one of days before that named none of its weapons (the Kyiv strike
            # is not the launchers filmed in Russian service three days earlier).
            return "a strike, days from a supply it shares nothing with"
        if self.dated_news and self.book.families[family].incident and apart > _INCIDENT_DAYS:
            # An incident is of its day: soldiers captured, told as the day's news more than a
            # week from the event's date, are another capture (two soldiers taken in January
            # are not the one who died in December).
            return "another incident, days apart"
        if self.dated_news and view.background and day - view.first_day > _THIN_DAYS:
            # Restated as earlier news days before, and now reported as news: another one.
            return "known only as background, reported as news days later"
        # Contradictions: different objects of one kind; other people where who matters.
        if (
            self.primary
            and view.objects
            and view.objects[0] != self.primary
            and view.first_kind == self.primary_kind
        ):
            return "another first object of the same kind"
        if (
            self.kinds
            and self.report
            and days_apart
            and family == _TECHNOLOGY
            and not view.objects
            and self._named_nobody_shared(view)
        ):
            # A transfer of something named (reactors, an engine) is not, days later, a
            # technology transfer that named nothing (a general's "technology for troops").
            return "a technology named, days from a transfer naming none"
        if (
            self.primary_kind == "good"
            and self.report
            and days_apart
            and family == _TRADE
            and not view.goods
        ):
            # and a trade report naming goods is not, days later, trade news that named none
            # (oil exports resumed are not the ruble settlements agreed weeks before)
            return "goods named, days from trade news naming none"
        if self.goods_unnamed and view.first_good and days_apart:
            # A report naming no goods, days from a shipment of some: another development (a
            # trademark registered is not the oil shipped weeks before).
            return "no goods named, days from a shipment"
        if (
            self.kinds
            and self.kinds == view.kinds
            and view.objects
            and self.objects.isdisjoint(view.object_set)
        ):
            return "other objects of the same kinds"
        if self.consignment and day is not None and day != view.date:
            theirs = view.consignment
            if theirs and not _same_amount(theirs, self.consignment):
                # 1,080 tonnes of flour in June are not May's 1,276 tonnes
                return "a consignment of another weight, another day"
        if self.figures and days_apart and family in self.book.claimed_families:
            theirs = view.figures
            if any(u in theirs and not _same_amount(theirs[u], v) for u, v in self.figures.items()):
                # An assessment's figure days from another of the same measure is another
                # assessment: 1.5 million shells in February are not 1 million in January.
                return "another figure of the same measure, days apart"
        if self.toll and self.report and family == "combat" and days_apart:
            theirs = view.toll
            if not theirs or not _same_amount(theirs, self.toll):
                return "a casualty toll of another assessment"
        who_matters = family in _WHO_MATTERS
        if (
            who_matters
            and _another_field(self.sectors, view.sectors)
            and self._named_nobody_shared(view)
        ):
            # a sports delegation is not the party's (but a summit whose reports name the
            # foreign minister in one, the defence minister in another, is one: its people)
            return "another field"
        # Who matters, unless one side's official is the same: Choe's visit to Moscow is one
        # whether she met Lavrov or Putin (leaders host every visit: they tell none apart).
        officials = self.officials
        who = (
            who_matters
            and officials[0].isdisjoint(view.russia)
            and officials[1].isdisjoint(view.dprk)
        )
        shared = 0
        if not self.russia.isdisjoint(view.russia):
            shared += len(self.russia.intersection(view.russia).difference(_STATES))
        elif who and self.persons[0]:
            if view.persons[0]:
                # Lavrov's visit is not Shoigu's
                return "other people where who matters"
            if (
                self.report
                and not same_day
                and officials[0]
                and self.official_fields.isdisjoint(view.russia_fields)
            ):
                # nor, days later, a visit by nobody named (a leader receiving visitors
                # names no visit: Putin receives the delegation that left days before),
                # unless by the official's own institution (the defence ministry's
                # delegation is its deputy minister's)
                return "a visit by a named official days after one by nobody named"
        if not self.dprk.isdisjoint(view.dprk):
            shared += len(self.dprk.intersection(view.dprk).difference(_STATES))
        elif who and self.persons[1] and view.persons[1]:
            return "other people where who matters"
        if (
            who
            and self.report
            and days_apart
            and not self.anyone
            and not shared
            and view.occasion_persons
        ):
            # nor is a visit by nobody named, days after one by named people (unless it names
            # the same institution: the ministry's delegation whose minister was named before)
            return "a visit by nobody named, days after one by named people"
        if (
            who_matters
            and days_apart
            and not shared
            and (
                (self.sectors and not view.sectors)
                or (
                    (self.objects or self.places)
                    and (view.objects or view.places)
                    and not self._shares_what(view)
                )
            )
        ):
            # A visit days from the event, sharing no one with it and nothing of what, where
            # or which field: another visit (a sports minister's trip is not the week's talks).
            return "a visit days apart sharing no one and nothing"
        if (
            who_matters
            and self.report
            and not shared
            and view.regional
            and self.sectors
            and not view.sectors
            and self.areas.isdisjoint(view.areas)
        ):
            # A delegation of a field (the army's political directorate) is not, even the
            # same days, a Russian region's visit it shares no one and no place with.
            return "a field's delegation, not a region's visit"
        # Thin frames join on who, or on the same days.
        if (self.generic or view.thin) and not shared and (day is None or days_apart):
            return "a thin frame, no one shared, days apart"
        if self.places:
            if (
                who
                and self.report
                and days_apart
                and view.places
                and self.places.isdisjoint(view.place_set)
            ):
                # a visit days later in other cities: another visit
                return "a visit days later in other cities"
            # Workers for Novosibirsk are not the Far East's, nor tourists via Vladivostok
            # Khasan's; a visit, though, takes in several cities.
            if (
                self.regions
                and not who_matters
                and view.regional
                and self.areas.isdisjoint(view.areas)
            ):
                # (a plant in Alabuga is Tatarstan's: places within regions)
                return "another region"
            if self.report and days_apart:
                # a ferry to Wonsan is not, weeks later, the train to Rason; nor the Moscow
                # train the one from Vladivostok
                for families, ours, theirs, side in (
                    (_PLACE_TELLS, self.dprk_areas, view.dprk_areas, "the North's side"),
                    (_RUSSIA_PLACE_TELLS, self.russia_areas, view.russia_areas, "Russia's side"),
                ):
                    if family in families and ours and theirs and ours.isdisjoint(theirs):
                        return f"another place on {side}, days apart"
            if family in _HOSTED and self.host and view.host and self.host != view.host:
                # a camp in Pyongyang is not the one in Vladivostok
                return "the other side's ground"
        return None


class _View:
    """What `_Probe.score` reads of an event record, prepared once per version of the record
    (records are replaced, never changed in place, when a report joins them): the sets and
    kinds a comparison needs, so that scoring ~50 candidates per frame rebuilds none (most of
    the sets are empty: one empty set serves them all)."""

    __slots__ = ("record", "families", "family", "categories", "date", "first_day",
                 "background", "sender", "claimants", "objects", "object_set", "first_kind",
                 "first_good", "goods", "kinds", "places", "place_set", "areas", "host", "regional",
                 "sectors", "russia", "dprk", "persons", "russia_fields", "occasion_persons",
                 "sent_by", "consignment", "toll", "thin", "figures", "dprk_areas",
                 "russia_areas")  # fmt: skip

    def __init__(self, record: dict, book: FrameBook) -> None:
        self.record = record
        self.families = record["families"]
        self.family = self.families[0]
        self.thin = self.family.endswith("_other")
        self.categories = record["categories"]
        self.date = record["date"]
        self.first_day = _day_of(record["first"])
        self.background = record.get("basis") == "background"
        self.sender = record.get("sender")
        self.claimants = record.get("claimants") or ()
        self.objects = record["objects"]
        self.object_set = _frozen(self.objects)
        self.first_kind = book.object_kind(self.objects[0]) if self.objects else None
        self.first_good = self.first_kind == "good"
        self.kinds = _frozen({book.object_kind(o) for o in self.objects} - {"sector"})
        self.goods = "good" in self.kinds
        self.places = record["places"]
        self.place_set = _frozen(self.places)
        self.areas = _frozen(_areas(self.places))
        self.dprk_areas, self.russia_areas = _side_areas(self.areas)
        self.host = _host(self.places)
        self.regional = bool(_regions(self.place_set))
        self.sectors = _frozen(_sectors(record, book))
        self.russia = record["russia_actors"]
        self.dprk = record["dprk_actors"]
        russia, dprk = set(self.russia), set(self.dprk)
        # per side: its people (resident envoys aside), and who of it may send a message
        self.persons = (
            _frozen(_persons(russia - book.envoys)),
            _frozen(_persons(dprk - book.envoys)),
        )
        self.sent_by = (
            _frozen(_specific(russia) - book.envoys),
            _frozen(_specific(dprk) - book.envoys),
        )
        self.russia_fields = _frozen(book.sectors((), self.russia))
        self.occasion_persons = _frozen(_occasion_persons(record) - book.envoys)
        quantities = record["quantities"]
        self.figures = quantities
        self.consignment = _consignment(quantities, self.family)
        self.toll = quantities.get(_TOLL)


_EMPTY: frozenset[str] = frozenset()
# The fields of a record a `_View` reads.
_VIEWED = ("families", "categories", "date", "first", "basis", "sender", "claimants",
           "objects", "places", "russia_actors", "dprk_actors", "quantities")  # fmt: skip


def _frozen(items: Iterable[str]) -> frozenset[str]:
    return frozenset(items) or _EMPTY


def _new_record(
    event_id: str, frame: dict, article_id: str, source: str, story_id: str,
    lang: str | None, ts: float,
) -> dict:  # fmt: skip
    day = _day(frame.get("event_date"))
    dated = day is not None
    if day is None:
        day = _day_of(ts)
    return {
        "id": event_id,
        "families": [frame["family"]],
        "action": frame["action"],
        "category": frame["category"],
        "categories": list(frame["categories"]),
        "russia_actors": list(frame["russia_actors"]),
        "dprk_actors": list(frame["dprk_actors"]),
        "objects": list(frame["objects"]),
        "places": list(frame["places"]),
        "quantities": _largest(frame["quantities"]),
        "claimants": list(frame.get("claimants") or ()),  # its first report's
        "sender": frame.get("sender"),  # likewise
        "date": day,  # for matching: the publication day when the frame gave no date
        "until": day,  # the last day its reports date it to (an occasion of several days)
        "dated": dated,
        "basis": frame["basis"],
        "first": ts,
        "last": ts,
        "seen": ts,
        "articles": [article_id],
        "sources": [source],
        "source_count": 1,
        "stories": [story_id],
        "languages": [lang] if lang else [],
    }


def _same_amount(a: int, b: int) -> bool:
    """Whether two amounts are one within `_SAME_AMOUNT` of the larger."""
    return abs(a - b) <= _SAME_AMOUNT * max(a, b)


def _consignment(largest: dict[str, int], family: str) -> int | None:
    """A shipment's count among the largest quantities of each unit: its weight, or in trade
    the head of livestock."""
    return largest.get(_CONSIGNMENT) or (largest.get(_HEAD) if family == _TRADE else None)


def _largest(quantities: list[dict]) -> dict[str, int]:
    """Per unit, the largest value stated."""
    out: dict[str, int] = {}
    for quantity in quantities:
        if quantity["value"]:
            out[quantity["unit"]] = max(out.get(quantity["unit"], 0), quantity["value"])
    return out


def _changes(record: dict, frame: dict, book: FrameBook) -> list[str]:
    """The facts a report adds to a known event."""
    changes = []
    for quantity in frame["quantities"]:
        value, unit = quantity["value"], quantity["unit"]
        known = record["quantities"].get(unit)
        if value and (known is None or value > known * 1.1):
            changes.append(f"quantity: {value} {unit}")
    # A new place is not a change: frames gather the places of several sentences, and most
    # reports name one more city or region. A new object is one of a kind not yet known.
    kinds = {book.object_kind(o) for o in record["objects"]} | _NOT_NEWS_KINDS
    changes.extend(
        f"object: {o}" for o in frame["objects"] if o not in record["objects"]
        and book.object_kind(o) not in kinds
    )  # fmt: skip
    changes.extend(f"category: {c}" for c in frame["categories"] if c not in record["categories"])
    return changes


def _absorb(record: dict, frame: dict, changes: list[str]) -> None:
    """Fold a report's facts into the event's record (new lists: the caller writes it back)."""
    if frame["family"] not in record["families"]:
        record["families"] = [*record["families"], frame["family"]]
    if frame["basis"] == "report":
        record["basis"] = "report"
    for name in ("categories", "objects", "places", "russia_actors", "dprk_actors"):
        extra = [x for x in frame[name] if x not in record[name]]
        if extra:
            record[name] = (record[name] + extra)[:_MAX_LISTED]
    if not record.get("dated") and frame.get("event_date") is not None:
        record["date"], record["dated"] = _day(frame["event_date"]), True
    # The days it lasts: reports dated to a day after its first, a few days at most.
    if (
        frame["basis"] == "report"
        and frame.get("date_precision") == "day"
        and frame.get("event_date") is not None
    ):
        day = _day(frame["event_date"])
        if record["date"] < day <= record["date"] + _OCCASION_SPAN:
            record["until"] = max(record.get("until", record["date"]), day)
    quantities = dict(record["quantities"])
    for quantity in frame["quantities"]:
        if quantity["value"]:
            quantities[quantity["unit"]] = max(
                quantities.get(quantity["unit"], 0), quantity["value"]
            )
    record["quantities"] = quantities


def _add(items: list[str], item: str) -> list[str]:
    if item in items:
        return items
    return (items + [item])[-_MAX_LISTED:]


def record_from_alerts(
    alerts: Iterable[dict], framebook: FrameBook | None = None
) -> dict[str, dict]:
    """Event records rebuilt from alerts as the `alerts` topic holds them (JSON dicts, in topic
    order): what a worker taking the stories stage over knows for certain was said, even when
    the events table's changelog missed the write. Alerts without an event (schema 1) are
    left out."""
    book = framebook or default_framebook()
    records: dict[str, dict] = {}
    for alert in alerts:
        try:
            read_alert(records, alert, book)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
            continue  # not an alert of this schema: nothing to learn from it
    return records


def read_alert(records: dict[str, dict], alert: dict, book: FrameBook) -> None:
    """Fold one alert read back from the `alerts` topic into the event records `records`."""
    event_id = str(alert["event_id"])
    action = book.actions.get(alert["action"])
    detected = _timestamp(alert["detected_at"])
    published = _timestamp(alert["published_at"]) if alert.get("published_at") else detected
    ts = min(published, detected)  # event time, never later than it was said
    frame = {
        "family": action.family if action else str(alert["action"]),
        "action": alert["action"],
        "category": alert["category"],
        "categories": list(alert.get("categories") or [alert["category"]]),
        "russia_actors": [a["id"] for a in alert["actors"] if a.get("side") == "russia"],
        "dprk_actors": [a["id"] for a in alert["actors"] if a.get("side") == "dprk"],
        "objects": list(alert.get("objects") or []),
        "places": list(alert.get("places") or []),
        "quantities": [q for q in alert.get("quantities") or [] if isinstance(q, dict)],
        "claimants": [str(c) for c in alert.get("claimants") or []],
        "sender": alert.get("sender"),
        "event_date": alert.get("event_date"),
        "basis": alert.get("basis") or "report",
    }
    _day(frame["event_date"])  # a date this code cannot read is not this schema's
    article_id = str(alert["article_id"])
    record = records.get(event_id)
    if record is None:
        record = _new_record(
            event_id, frame, article_id, alert.get("source") or "unknown",
            alert.get("story_id") or "", None, ts,
        )  # fmt: skip
        record["languages"] = list(alert.get("languages") or [])
    else:
        record = {**record, "seen": max(record["seen"], ts), "last": max(record["last"], ts),
                  "articles": _add(record["articles"], article_id)}  # fmt: skip
        _absorb(record, frame, [])
    record["sources"] = list(alert.get("sources") or record["sources"])[-_MAX_LISTED:]
    record["source_count"] = max(record["source_count"], int(alert.get("source_count") or 1))
    record["stories"] = _add(record["stories"], alert.get("story_id") or "")
    records[event_id] = record


def _timestamp(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
