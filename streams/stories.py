"""Story assignment and signal novelty over key-value state.

`StoryBook` works on any mutable mappings: plain dicts offline, Faust tables (changelogged to
Kafka) in the worker. Values are plain JSON-able values and every change is written back with
`state[key] = value`, which is what makes a Faust table record it.

An article joins a story when its canonical URL or its text hash is known (an exact copy), or
when a story shares one of its LSH band keys and the two MinHash signatures estimate a Jaccard
similarity of at least `near_threshold` (a lightly edited copy). Otherwise it starts a story.

Novelty is per event (`streams.events`): each of the article's event frames joins a known
event or starts one; a copy joining a story reuses the story's event of the same action family,
so however a copy was edited it never raises a second `new` alert. One alert per event an
article touches: `new`, `updated` or `corroborated`.

Windows, expiry and sweeps run on event time (the article's `published_at`, else its
`fetched_at`), never the worker's clock: a replay of an archive in publication order raises
the alerts that watching it live would have raised. State older than the window is swept away,
and the number of stories and events is capped.
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from schemas.models import (
    ActorRef,
    Alert,
    AnalyzedArticle,
    EnrichedArticle,
    EventFrame,
    dated,
    utcnow,
)
from streams.events import EventBook, EventConfig, EventDecision
from streams.expiry import stale_keys
from streams.fingerprints import band_keys, decode_signature, estimate_jaccard

__all__ = ["Placement", "StoryBook", "StoryConfig", "event_time"]

_MAX_LISTED = 50  # sources / articles kept per story or signal: bounded memory per entry
# A copy that differs this much from every version the story knows is indexed as a version
# too, so later copies close to it (a write-through, a longer excerpt) find the story.
_NEW_VERSION_BELOW = 0.7
_MAX_VERSIONS = 4
# Stories kept per LSH band key, the most recently indexed last. Distinct stories share band
# keys often (768 times in the timeline corpus's 2,244 articles): keeping only the last writer
# made a look-up depend on the order the index was built in, which a worker that rebuilt it on
# takeover does not share.
_BAND_KEPT = 8


@dataclass(frozen=True)
class StoryConfig:
    """How long and how much the story index remembers, and how alike copies must be."""

    window: timedelta = timedelta(days=14)
    max_stories: int = 200_000
    near_threshold: float = 0.4
    sweep_interval: timedelta = timedelta(minutes=10)
    event_window: timedelta = timedelta(days=365)
    max_events: int = 200_000


@dataclass(frozen=True)
class Placement:
    """Where an article went: its story, what it repeats, and how that was found."""

    story_id: str
    duplicate_of: str | None
    # "url", "text", "near"; "repeat" for the same article again (re-sent, or a message
    # processed twice); None for a new story
    match: str | None
    similarity: float | None = None


class StoryBook:
    """Places analyzed articles into stories and decides which signals are new.

    - `exact`: hash of the canonical URL or of the text -> [story_id, article_id]
    - `bands`: LSH band key -> the story id, or a tuple of the ids (up to `_BAND_KEPT`) of the
      stories indexed under it (in memory only: rebuilt from the stories on takeover)
    - `stories`: story_id -> {first, seen, rep, sigs (up to four versions' signatures),
      sources, articles, signals}
    - `events`: event_id -> the event's record (`streams.events`)

    Times in the state are event times (seconds since the epoch).
    """

    def __init__(
        self,
        exact: MutableMapping[str, Any],
        bands: MutableMapping[str, Any],
        stories: MutableMapping[str, Any],
        events: MutableMapping[str, Any],
        config: StoryConfig | None = None,
    ) -> None:
        self.exact = exact
        self.bands = bands
        self.stories = stories
        self.config = config or StoryConfig()
        self.events = EventBook(
            events, EventConfig(self.config.event_window, self.config.max_events)
        )
        self._last_sweep: float | None = None
        self._watermark: float | None = None  # the latest event time seen

    @classmethod
    def in_memory(cls, config: StoryConfig | None = None) -> StoryBook:
        return cls({}, {}, {}, {}, config)

    # ------------------------------------------------------------------ placing
    def place(
        self, article: AnalyzedArticle, now: datetime | None = None
    ) -> tuple[EnrichedArticle, list[Alert], Placement]:
        """The enriched article, the alerts (new, updated or corroborated) it gives rise to,
        and how it was placed. `now` is the detection time stamped on the outputs; windows use
        the article's event time."""
        now = now or utcnow()
        # Not later than a day after the worker's clock: one article with a wrong date must not
        # carry the window a year ahead and sweep what is known.
        ts = min(event_time(article), now.timestamp() + _FUTURE_SLACK)
        cutoff = ts - self.config.window.total_seconds()
        self.maybe_sweep(ts)

        placement = self._find_story(article, cutoff)
        if placement.duplicate_of == article.article_id:
            # Its own exact key: the article is here again (at-least-once). It keeps its
            # story; it duplicates the story's first article unless it is that article.
            story = self.stories.get(placement.story_id) or {}
            rep = story.get("rep")
            duplicate_of = rep if rep != article.article_id else None
            placement = Placement(placement.story_id, duplicate_of, "repeat")
        story_id = placement.story_id
        story = self.stories.get(story_id)
        if story is None or story["seen"] < cutoff:
            story = {
                "first": datetime.fromtimestamp(ts, UTC).isoformat(), "seen": ts,
                "rep": article.article_id, "sigs": [], "sources": [], "articles": [],
                "events": {},
            }  # fmt: skip
        sigs = story["sigs"]
        if (
            article.minhash
            and len(sigs) < _MAX_VERSIONS
            and (
                placement.match is None
                or (placement.match == "near" and placement.similarity < _NEW_VERSION_BELOW)
            )
        ):
            sigs = [*sigs, article.minhash]
            for key in article.lsh_bands:
                self._index_band(key, story_id)
        for _kind, key in _exact_keys(article):
            if self.exact.get(key) is None:
                self.exact[key] = [story_id, article.article_id]

        # A copy carries the story's events, whatever its own wording.
        story_events: dict[str, str] = dict(story.get("events") or {})
        frames: list[EventFrame] = []
        decisions: dict[str, tuple[EventDecision, EventFrame]] = {}
        slots: dict[str, int] = {}
        developed: str | None = None
        reported: list[str] = []  # the events the article's report frames went to
        for frame in article.events:
            # An article may frame several developments of a family (one reported, others
            # restated): the story's events are kept per family and place in the article.
            nth = slots[frame.family] = slots.get(frame.family, 0) + 1
            slot = frame.family if nth == 1 else f"{frame.family}#{nth}"
            fields = frame.model_dump()
            decision = self.events.decide(
                fields,
                article_id=article.article_id,
                source=article.source,
                story_id=story_id,
                lang=article.lang,
                ts=ts,
                known_event=story_events.get(slot),
                article_event=developed,
                reported=reported,
            )
            if developed is None and decision.kind == "new" and frame.basis == "report":
                developed = decision.event_id
            if frame.basis == "report" and decision.event_id and decision.event_id not in reported:
                reported.append(decision.event_id)
            frames.append(frame.model_copy(update={"event_id": decision.event_id}))
            if decision.event_id is None:
                continue  # too weak to start an event, and no known one fits
            story_events.setdefault(slot, decision.event_id)
            earlier = decisions.get(decision.event_id)
            if earlier is None or _KIND_RANK[decision.kind] > _KIND_RANK[earlier[0].kind]:
                decisions[decision.event_id] = (decision, frame)
        alerts = [
            self._alert(article, frame, decision, story_id, now)
            for decision, frame in decisions.values()
            if decision.kind is not None
        ]
        story = {
            **story,
            "seen": max(ts, story["seen"]),
            "sources": _add(story["sources"], article.source),
            "articles": _add(story["articles"], article.article_id),
            "events": story_events,
            "sigs": sigs,
        }
        self.stories[story_id] = story
        # The article is valid already: construct without validating again (hot path; its
        # fields are its __dict__, the contracts keep no extras).
        enriched = EnrichedArticle.trusted(
            **{**vars(article), "events": frames},
            story_id=story_id,
            duplicate_of=placement.duplicate_of,
            first_seen_at=datetime.fromisoformat(story["first"]),
            story_sources=story["sources"],
            enriched_at=now,
        )
        return enriched, alerts, placement

    def _live_story(self, story_id: str, cutoff: float) -> dict | None:
        story = self.stories.get(story_id)
        return story if story is not None and story["seen"] >= cutoff else None

    def _find_story(self, article: AnalyzedArticle, cutoff: float) -> Placement:
        for kind, key in _exact_keys(article):
            found = self.exact.get(key)
            if found and self._live_story(found[0], cutoff):
                return Placement(found[0], found[1], kind)
        if article.minhash:
            mine = decode_signature(article.minhash)
            best: tuple[float, str] | None = None
            found: dict[str, None] = {}
            for key in article.lsh_bands:
                held = self.bands.get(key)
                if held is None:
                    continue
                if isinstance(held, str):
                    found[held] = None
                else:
                    found.update(dict.fromkeys(held))
            for story_id in found:
                story = self._live_story(story_id, cutoff)
                if not story or not story["sigs"]:
                    continue
                similarity = max(
                    estimate_jaccard(mine, decode_signature(sig)) for sig in story["sigs"]
                )
                # Ties go to the larger id: the choice does not depend on the index's order.
                if similarity >= self.config.near_threshold and (
                    best is None or (similarity, story_id) > best
                ):
                    best = (similarity, story_id)
            if best:
                story = self.stories[best[1]]
                return Placement(best[1], story["rep"], "near", round(best[0], 3))
        return Placement(f"st{article.article_id[1:]}", None, None)

    def _alert(
        self,
        article: AnalyzedArticle,
        frame: EventFrame,
        decision: EventDecision,
        story_id: str,
        now: datetime,
    ) -> Alert:
        record = self.events.events.get(decision.event_id) or decision.record
        by_id = {a.id: a for a in article.actors}
        signals = [s for s in article.signals if s.signal_id in frame.signal_ids]
        named = [*frame.russia_actors, *frame.dprk_actors]
        for signal in signals:
            named.extend(signal.actors)
        actors = [by_id[a] if a in by_id else _bare_ref(a) for a in dict.fromkeys(named)]
        cues = list(dict.fromkeys(c for s in signals for c in s.cues))
        key = signals[0].signal_key if signals else f"{frame.category}|{frame.action}"
        # Every field comes from validated models or the event's record: construct directly.
        return Alert.trusted(
            schema_version=2,
            alert_id=decision.event_id,
            kind=decision.kind,
            category=record["category"],
            evidence=frame.evidence,
            evidence_span=frame.evidence_span,
            actors=actors,
            cues=cues,
            confidence=frame.confidence,
            hedged=frame.hedged,
            signal_key=key,
            story_id=story_id,
            article_id=article.article_id,
            title=article.title,
            source=article.source,
            url=article.url,
            published_at=article.published_at,
            detected_at=now,
            source_count=record["source_count"],
            sources=record["sources"],
            event_id=decision.event_id,
            categories=record["categories"],
            action=record["action"],
            objects=record["objects"],
            places=record["places"],
            quantities=frame.quantities,
            claimants=frame.claimants,
            sender=record.get("sender"),
            event_date=date.fromordinal(record["date"]) if record.get("dated", True) else None,
            basis=frame.basis,
            changes=list(decision.changes),
            languages=record["languages"],
            first_reported_at=datetime.fromtimestamp(record["first"], UTC),
            latest_reported_at=datetime.fromtimestamp(record["last"], UTC),
        )

    # ------------------------------------------------------------------ forgetting
    def maybe_sweep(self, ts: float) -> bool:
        """Sweep when the latest event time seen enters a new `sweep_interval` of event time:
        a late article of an older time sweeps nothing."""
        self._watermark = ts if self._watermark is None else max(self._watermark, ts)
        if self._last_sweep is None:
            self._last_sweep = self._watermark
            return False
        # The caps hold even while event time stands still (a backfill of older articles
        # behind a live stream does not advance it).
        over = (
            len(self.stories) > self.config.max_stories * _OVER_CAP
            or len(self.events.events) > self.config.max_events * _OVER_CAP
        )
        # Sweeps run when event time enters a new `sweep_interval` (on a grid from the epoch),
        # not `sweep_interval` after the last sweep: a worker that rebuilt the state from Kafka
        # sweeps where the worker before it would have, so both decide alike.
        interval = self.config.sweep_interval.total_seconds()
        if not over and self._watermark // interval <= self._last_sweep // interval:
            return False
        self.sweep(self._watermark)
        return True

    def sweep(self, ts: float) -> dict[str, int]:
        """Forget stories and events not seen within their windows, the oldest beyond the caps,
        and index entries that point at forgotten stories. Returns counts."""
        self._last_sweep = ts
        cutoff = ts - self.config.window.total_seconds()
        expired = stale_keys(self.stories, cutoff, self.config.max_stories)
        for sid in expired:
            del self.stories[sid]
        gone = {"stories": len(expired), "exact": 0, "bands": 0, "events": self.events.sweep(ts)}
        for key, value in list(self.exact.items()):
            if value[0] not in self.stories:
                del self.exact[key]
                gone["exact"] += 1
        for key, held in list(self.bands.items()):
            if isinstance(held, str):
                if held not in self.stories:
                    del self.bands[key]
                    gone["bands"] += 1
                continue
            kept = tuple(sid for sid in held if sid in self.stories)
            if len(kept) != len(held):
                if not kept:
                    del self.bands[key]
                    gone["bands"] += 1
                else:
                    self.bands[key] = kept if len(kept) > 1 else kept[0]
        return gone

    def _index_band(self, key: str, story_id: str) -> None:
        held = self.bands.get(key)
        if held is None:
            self.bands[key] = story_id
        elif isinstance(held, str):
            if held != story_id:
                self.bands[key] = (held, story_id)
        elif story_id not in held:
            self.bands[key] = (*held, story_id)[-_BAND_KEPT:]

    def rebuild_bands(self) -> int:
        """Recompute the LSH index from the stories' signatures; returns its size.

        The worker keeps the index in memory only: it is derived state, and rebuilding it on
        takeover spares the changelog 32 writes per new story."""
        self.bands.clear()
        for story_id, story in list(self.stories.items()):
            for sig in story.get("sigs") or ():
                for key in band_keys(decode_signature(sig)):
                    self._index_band(key, story_id)
        return len(self.bands)

    def restore_watermark(self) -> float | None:
        """The latest event time the state holds (after a takeover: the tables as the
        changelog rebuilt them), so late articles are told from the start."""
        times = [story["seen"] for story in list(self.stories.values())]
        times += [record["seen"] for record in list(self.events.events.values())]
        if times:
            self._watermark = max(times)
            self._last_sweep = self._last_sweep or self._watermark
        return self._watermark

    def sizes(self) -> dict[str, int]:
        return {
            "stories": len(self.stories),
            "exact": len(self.exact),
            "bands": len(self.bands),
            "events": len(self.events.events),
        }


_KIND_RANK = {None: 0, "corroborated": 1, "updated": 2, "new": 3}
# An article's publication time counts as its event time unless it is later than this after
# the article was fetched (a wrong date must not push the window forward).
_FUTURE_SLACK = 86_400.0
_OVER_CAP = 1.1  # a sweep runs as soon as the stories or events exceed their cap by this much


def event_time(article: AnalyzedArticle) -> float:
    """The article's event time: `published_at`, else `fetched_at` (seconds since the epoch);
    a zero date or the epoch (`dated`) is not believed, one more than a day after fetching is
    taken as that day."""
    fetched = article.fetched_at.timestamp()
    if article.published_at is None or not dated(article.published_at):
        return fetched
    return min(article.published_at.timestamp(), fetched + _FUTURE_SLACK)


def _exact_keys(article: AnalyzedArticle) -> list[tuple[str, int]]:
    """The exact-copy keys of an article: 60-bit hashes of its canonical URL and its text hash
    (integers: a fraction of the memory of the strings they stand for)."""
    keys = [("text", int(article.content_hash[:15], 16))]
    if article.canonical_url:
        digest = hashlib.blake2b(article.canonical_url.encode("utf-8"), digest_size=8).digest()
        keys.insert(0, ("url", int.from_bytes(digest, "big") >> 4))
    return keys


def _add(items: list[str], item: str) -> list[str]:
    if item in items:
        return items
    return (items + [item])[-_MAX_LISTED:]


def _bare_ref(actor_id: str) -> ActorRef:
    from streams.actors import default_matcher

    actor = default_matcher().actors[actor_id]
    return ActorRef(
        id=actor.id,
        name=actor.name,
        type=actor.type,
        side=actor.side,  # type: ignore[arg-type]
        country=actor.country,
        count=0,
    )
