"""The topic catalogue: names, partitions, retention and which model each carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.models import Alert, AnalyzedArticle, DeadLetter, EnrichedArticle, RawArticle

__all__ = [
    "LARGE_MESSAGE_BYTES",
    "TOPICS",
    "FeedStateRecord",
    "NotifyStateRecord",
    "TopicSpec",
    "topic_specs",
]

_DAY_MS = 24 * 3600 * 1000
# Analyzed and enriched articles carry the normalised text and its annotations, and dead
# letters the original bytes in base64: each can be a few times a raw article (4 MiB at most).
LARGE_MESSAGE_BYTES = 12 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    model: type[BaseModel]
    description: str
    config: dict[str, str] = field(default_factory=dict)


# --- feed poller state (producers/poller.py): added with `axiswatch poll` -------------------
class FeedStateRecord(BaseModel):
    """The feed poller's memory (`feeds.state`, compacted). Key `entry|<feed>|<key hash>`: an
    entry that was published (its article id and content digest); a null value forgets it.
    Key `feed|<feed>`: the feed's fetch state (validators, last success and error, counts)."""

    model_config = ConfigDict(extra="ignore")

    schema_version: Literal[1] = 1
    kind: Literal["entry", "feed"]
    feed: str
    recorded_at: datetime
    # entry records
    entry_key: str | None = None
    article_id: str | None = None
    digest: str | None = None
    # feed records
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    last_warning: str | None = None
    consecutive_failures: int = 0
    not_before: datetime | None = None
    items_published: int = 0
    entries_in_feed: int = 0


# --- end of feed poller state ---------------------------------------------------------------


# --- notifier state (axiswatch/notify.py): added with `axiswatch notify` --------------------
class NotifyStateRecord(BaseModel):
    """What `axiswatch notify` sent (`notify.state`, compacted). Key
    `sent|<route>|<alert_id>|<kind>|<article_id>`: the route delivered that alert. An event's
    alerts share the alert id; the kind and the article that raised the alert tell them apart."""

    model_config = ConfigDict(extra="ignore")

    schema_version: Literal[1] = 1
    route: str
    alert_id: str
    kind: str
    article_id: str
    sent_at: datetime
    topic: str = "alerts"
    partition: int | None = None
    offset: int | None = None


# --- end of notifier state ------------------------------------------------------------------


def topic_specs(raw_partitions: int = 6, enriched_partitions: int = 6) -> list[TopicSpec]:
    """The project's topics. `articles.analyzed` has one partition: the stories stage needs
    one ordered view of every article to decide what is new."""
    return [
        TopicSpec(
            "articles.raw",
            raw_partitions,
            RawArticle,
            "Articles as producers saw them; key article_id.",
            {"retention.ms": str(7 * _DAY_MS), "max.message.bytes": "4194304"},
        ),
        TopicSpec(
            "articles.analyzed",
            1,
            AnalyzedArticle,
            "Internal: analyzed articles on their way to the stories stage.",
            {"retention.ms": str(3 * _DAY_MS), "max.message.bytes": str(LARGE_MESSAGE_BYTES)},
        ),
        TopicSpec(
            "articles.enriched",
            enriched_partitions,
            EnrichedArticle,
            "Articles with actors, signals and story; key article_id.",
            {"retention.ms": str(30 * _DAY_MS), "max.message.bytes": str(LARGE_MESSAGE_BYTES)},
        ),
        TopicSpec(
            "alerts",
            1,
            Alert,
            "New and corroborated cooperation signals; key alert_id.",
            # The worker's producers allow LARGE_MESSAGE_BYTES: so does the topic (an alert
            # carries a whole evidence sentence, and it is written in one transaction with the
            # enriched record, which may be that large too).
            {"retention.ms": str(365 * _DAY_MS), "max.message.bytes": str(LARGE_MESSAGE_BYTES)},
        ),
        TopicSpec(
            "articles.dlq",
            1,
            DeadLetter,
            "What could not be parsed or validated, with the reason and original bytes.",
            {"retention.ms": str(30 * _DAY_MS), "max.message.bytes": str(LARGE_MESSAGE_BYTES)},
        ),
        # feed poller state (added with `axiswatch poll`)
        TopicSpec(
            "feeds.state",
            1,
            FeedStateRecord,
            "Feed poller memory: published entries and feed fetch state; compacted.",
            {"cleanup.policy": "compact", "segment.ms": str(_DAY_MS)},
        ),
        # notifier state (added with `axiswatch notify`)
        TopicSpec(
            "notify.state",
            1,
            NotifyStateRecord,
            "Notifier memory: which alert each route delivered; compacted.",
            {"cleanup.policy": "compact", "segment.ms": str(_DAY_MS)},
        ),
    ]


TOPICS = {spec.name: spec for spec in topic_specs()}
