"""Story assignment and signal novelty over key-value state.

`StoryBook` works on any mutable mappings: plain dicts offline, Faust tables (changelogged to
Kafka) in the worker. Values are plain JSON-able dicts and every change is written back with
`state[key] = value`, which is what makes a Faust table record it.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime
from typing import Any

from schemas.models import ActorRef, Alert, AnalyzedArticle, EnrichedArticle, utcnow

__all__ = ["StoryBook"]

_MAX_LISTED = 50  # sources / articles kept per story or signal: bounded memory per entry


class StoryBook:
    """Places analyzed articles into stories and decides which signals are new.

    - `fingerprints`: "url:<canonical url>" / "hash:<content hash>" -> {story_id, article_id}
    - `stories`: story_id -> {first_seen_at, sources, articles}
    - `signals`: signal_id -> {story_id, article_id, first_seen_at, sources, stories, articles}
    """

    def __init__(
        self,
        fingerprints: MutableMapping[str, Any],
        stories: MutableMapping[str, Any],
        signals: MutableMapping[str, Any],
    ) -> None:
        self.fingerprints = fingerprints
        self.stories = stories
        self.signals = signals

    def place(
        self, article: AnalyzedArticle, now: datetime | None = None
    ) -> tuple[EnrichedArticle, list[Alert]]:
        """The enriched article and the alerts (new or corroborated) it gives rise to."""
        now = now or utcnow()
        keys = [f"hash:{article.content_hash}"]
        if article.canonical_url:
            keys.insert(0, f"url:{article.canonical_url}")
        match = next((self.fingerprints[k] for k in keys if self.fingerprints.get(k)), None)
        if match:
            story_id, duplicate_of = match["story_id"], match["article_id"]
        else:
            story_id, duplicate_of = f"st{article.article_id[1:]}", None
        for key in keys:
            if not self.fingerprints.get(key):
                self.fingerprints[key] = {"story_id": story_id, "article_id": article.article_id}

        story = self.stories.get(story_id) or {
            "first_seen_at": now.isoformat(),
            "sources": [],
            "articles": [],
        }
        story = {
            **story,
            "sources": _add(story["sources"], article.source),
            "articles": _add(story["articles"], article.article_id),
        }
        self.stories[story_id] = story

        alerts = [
            alert
            for signal in article.signals
            if not signal.denied and (alert := self._signal(article, signal, story_id, now))
        ]
        enriched = EnrichedArticle(
            **article.model_dump(),
            story_id=story_id,
            duplicate_of=duplicate_of,
            first_seen_at=datetime.fromisoformat(story["first_seen_at"]),
            story_sources=story["sources"],
            enriched_at=now,
        )
        return enriched, alerts

    def _signal(self, article: AnalyzedArticle, signal, story_id: str, now: datetime):
        seen = self.signals.get(signal.signal_id)
        if seen is None:
            record = {
                "story_id": story_id,
                "article_id": article.article_id,
                "first_seen_at": now.isoformat(),
                "sources": [article.source],
                "source_count": 1,
                "stories": [story_id],
                "articles": [article.article_id],
            }
            kind = "new"
        elif article.article_id in seen["articles"]:
            return None  # the same article again: nothing new to say
        else:
            new_source = article.source not in seen["sources"]
            new_story = story_id not in seen["stories"]
            record = {**seen, "articles": _add(seen["articles"], article.article_id)}
            if not (new_source or new_story):
                self.signals[signal.signal_id] = record
                return None
            record["sources"] = _add(seen["sources"], article.source)
            record["source_count"] = seen["source_count"] + int(new_source)
            record["stories"] = _add(seen["stories"], story_id)
            kind = "corroborated"
        self.signals[signal.signal_id] = record
        by_id = {a.id: a for a in article.actors}
        return Alert(
            alert_id=signal.signal_id,
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
