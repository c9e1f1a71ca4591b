"""Story assignment and signal novelty over key-value state.

`StoryBook` works on any mutable mappings: plain dicts offline, Faust tables (changelogged to
Kafka) in the worker. Values are plain JSON-able values and every change is written back with
`state[key] = value`, which is what makes a Faust table record it.

An article joins a story when its canonical URL or its text hash is known (an exact copy), or
when a story shares one of its LSH band keys and the two MinHash signatures estimate a Jaccard
similarity of at least `near_threshold` (a lightly edited copy). Otherwise it starts a story.
A signal is new when no story in the window carries it; a copy joining a story reuses the
story's signal of the same category, so however a copy was edited it never raises a second
`new` alert. State older than the window is swept away, and the number of stories is capped.
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from schemas.models import ActorRef, Alert, AnalyzedArticle, EnrichedArticle, Signal, utcnow
from streams.fingerprints import band_keys, decode_signature, estimate_jaccard

__all__ = ["Placement", "StoryBook", "StoryConfig"]

_MAX_LISTED = 50  # sources / articles kept per story or signal: bounded memory per entry
# A copy that differs this much from every version the story knows is indexed as a version
# too, so later copies close to it (a write-through, a longer excerpt) find the story.
_NEW_VERSION_BELOW = 0.7
_MAX_VERSIONS = 4


@dataclass(frozen=True)
class StoryConfig:
    """How long and how much the story index remembers, and how alike copies must be."""

    window: timedelta = timedelta(days=14)
    max_stories: int = 200_000
    near_threshold: float = 0.4
    sweep_interval: timedelta = timedelta(minutes=10)


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
    - `bands`: LSH band key -> story_id (the index of each story's first article)
    - `stories`: story_id -> {first, seen, rep, sigs (up to four versions' signatures),
      sources, articles, signals}
    - `signals`: signal_id -> {story_id, article_id, first_seen_at, seen, sources,
      source_count, stories, articles}
    """

    def __init__(
        self,
        exact: MutableMapping[str, Any],
        bands: MutableMapping[str, Any],
        stories: MutableMapping[str, Any],
        signals: MutableMapping[str, Any],
        config: StoryConfig | None = None,
        ledger: MutableMapping[str, Any] | None = None,
    ) -> None:
        self.exact = exact
        self.bands = bands
        self.stories = stories
        self.signals = signals
        self.config = config or StoryConfig()
        # What the alerts topic already says (axiswatch.ledger): consulted when the signals
        # table has no record, kept up to date with every alert this book raises.
        self.ledger = ledger
        self._last_sweep: float | None = None

    @classmethod
    def in_memory(cls, config: StoryConfig | None = None) -> StoryBook:
        return cls({}, {}, {}, {}, config)

    # ------------------------------------------------------------------ placing
    def place(
        self, article: AnalyzedArticle, now: datetime | None = None
    ) -> tuple[EnrichedArticle, list[Alert], Placement]:
        """The enriched article, the alerts (new or corroborated) it gives rise to, and how it
        was placed."""
        now = now or utcnow()
        ts = now.timestamp()
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
                "first": now.isoformat(), "seen": ts, "rep": article.article_id,
                "sigs": [], "sources": [], "articles": [], "signals": {},
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
                self.bands[key] = story_id
        for _kind, key in _exact_keys(article):
            if self.exact.get(key) is None:
                self.exact[key] = [story_id, article.article_id]

        story_signals: dict[str, str] = dict(story["signals"])
        alerts = []
        for signal in article.signals:
            if signal.denied:
                continue
            # A copy carries the story's signal of this category, whatever its own wording.
            signal_id = story_signals.setdefault(signal.category, signal.signal_id)
            alert = self._signal(article, signal, signal_id, story_id, now, cutoff)
            if alert:
                alerts.append(alert)
        story = {
            **story,
            "seen": ts,
            "sources": _add(story["sources"], article.source),
            "articles": _add(story["articles"], article.article_id),
            "signals": story_signals,
            "sigs": sigs,
        }
        self.stories[story_id] = story
        # The article is valid already: construct without validating again (hot path).
        enriched = EnrichedArticle.model_construct(
            **dict(article),
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
            for story_id in dict.fromkeys(self.bands.get(k) for k in article.lsh_bands):
                story = self._live_story(story_id, cutoff) if story_id else None
                if not story or not story["sigs"]:
                    continue
                similarity = max(
                    estimate_jaccard(mine, decode_signature(sig)) for sig in story["sigs"]
                )
                if similarity >= self.config.near_threshold and (
                    best is None or similarity > best[0]
                ):
                    best = (similarity, story_id)
            if best:
                story = self.stories[best[1]]
                return Placement(best[1], story["rep"], "near", round(best[0], 3))
        return Placement(f"st{article.article_id[1:]}", None, None)

    def _signal(
        self,
        article: AnalyzedArticle,
        signal: Signal,
        signal_id: str,
        story_id: str,
        now: datetime,
        cutoff: float,
    ) -> Alert | None:
        ts = now.timestamp()
        seen = self.signals.get(signal_id)
        if (seen is None or seen["seen"] < cutoff) and self.ledger is not None:
            seen = self.ledger.get(signal_id)
        if seen is None or seen["seen"] < cutoff:
            record = {
                "story_id": story_id, "article_id": article.article_id,
                "first_seen_at": now.isoformat(), "seen": ts, "sources": [article.source],
                "source_count": 1, "stories": [story_id], "articles": [article.article_id],
            }  # fmt: skip
            kind = "new"
        elif article.article_id in seen["articles"]:
            return None  # the same article again: nothing new to say
        else:
            new_source = article.source not in seen["sources"]
            new_story = story_id not in seen["stories"]
            record = {**seen, "seen": ts, "articles": _add(seen["articles"], article.article_id)}
            if not (new_source or new_story):
                self.signals[signal_id] = record
                return None
            record["sources"] = _add(seen["sources"], article.source)
            record["source_count"] = seen["source_count"] + int(new_source)
            record["stories"] = _add(seen["stories"], story_id)
            kind = "corroborated"
        self.signals[signal_id] = record
        if self.ledger is not None:
            self.ledger[signal_id] = record
        by_id = {a.id: a for a in article.actors}
        # Every field comes from validated models: construct without validating again.
        return Alert.model_construct(
            schema_version=1,
            alert_id=signal_id,
            kind=kind,
            category=signal.category,
            evidence=signal.evidence,
            evidence_span=signal.evidence_span,
            actors=[by_id[a] if a in by_id else _bare_ref(a) for a in signal.actors],
            cues=signal.cues,
            confidence=signal.confidence,
            hedged=signal.hedged,
            signal_key=signal.signal_key,
            story_id=story_id,
            article_id=article.article_id,
            title=article.title,
            source=article.source,
            url=article.url,
            published_at=article.published_at,
            detected_at=now,
            source_count=record["source_count"],
            sources=record["sources"],
        )

    # ------------------------------------------------------------------ forgetting
    def maybe_sweep(self, ts: float) -> bool:
        """Sweep when `sweep_interval` has passed since the last sweep (event time)."""
        if self._last_sweep is None:
            self._last_sweep = ts
            return False
        if ts - self._last_sweep < self.config.sweep_interval.total_seconds():
            return False
        self.sweep(ts)
        return True

    def sweep(self, ts: float) -> dict[str, int]:
        """Forget stories and signals not seen within the window, the oldest stories beyond
        `max_stories`, and index entries that point at forgotten stories. Returns counts."""
        self._last_sweep = ts
        cutoff = ts - self.config.window.total_seconds()
        expired = [sid for sid, story in list(self.stories.items()) if story["seen"] < cutoff]
        overflow = len(self.stories) - len(expired) - self.config.max_stories
        if overflow > 0:
            alive = sorted(
                (story["seen"], sid)
                for sid, story in list(self.stories.items())
                if story["seen"] >= cutoff
            )
            # Down to 90% of the cap, so the next sweeps are not all evictions.
            expired.extend(sid for _, sid in alive[: overflow + self.config.max_stories // 10])
        for sid in expired:
            del self.stories[sid]
        gone = {"stories": len(expired), "exact": 0, "bands": 0, "signals": 0}
        for key, value in list(self.exact.items()):
            if value[0] not in self.stories:
                del self.exact[key]
                gone["exact"] += 1
        for key, story_id in list(self.bands.items()):
            if story_id not in self.stories:
                del self.bands[key]
                gone["bands"] += 1
        for key, record in list(self.signals.items()):
            if record["seen"] < cutoff:
                del self.signals[key]
                gone["signals"] += 1
        return gone

    def rebuild_bands(self) -> int:
        """Recompute the LSH index from the stories' signatures; returns its size.

        The worker keeps the index in memory only: it is derived state, and rebuilding it on
        takeover spares the changelog 32 writes per new story."""
        self.bands.clear()
        for story_id, story in list(self.stories.items()):
            for sig in story.get("sigs") or ():
                for key in band_keys(decode_signature(sig)):
                    self.bands[key] = story_id
        return len(self.bands)

    def sizes(self) -> dict[str, int]:
        return {
            "stories": len(self.stories),
            "exact": len(self.exact),
            "bands": len(self.bands),
            "signals": len(self.signals),
        }


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
