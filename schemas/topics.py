"""The topic catalogue: names, partitions, retention and which model each carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.models import Alert, AnalyzedArticle, DeadLetter, EnrichedArticle, RawArticle

__all__ = [
    "ALERTS",
    "ALERTS_RETENTION_DAYS",
    "ANALYZED",
    "DLQ",
    "ENRICHED",
    "FEEDS_STATE",
    "LARGE_MESSAGE_BYTES",
    "MAX_PREFIX_LENGTH",
    "NOTIFY_STATE",
    "RAW",
    "TOPICS",
    "WORKER_GROUP",
    "FeedStateRecord",
    "Names",
    "NotifyStateRecord",
    "TopicSpec",
    "prefix_problem",
    "topic_specs",
]

_DAY_MS = 24 * 3600 * 1000
# How long the alerts topic keeps an alert; the notifier remembers a delivery a day longer.
ALERTS_RETENTION_DAYS = 365
# Analyzed and enriched articles carry the normalised text and its annotations, and dead
# letters the original bytes in base64: each can be a few times a raw article (4 MiB at most).
LARGE_MESSAGE_BYTES = 12 * 1024 * 1024


# The catalogue's names. On a cluster each is behind the prefix (`Names`).
RAW = "articles.raw"
ANALYZED = "articles.analyzed"
ENRICHED = "articles.enriched"
ALERTS = "alerts"
DLQ = "articles.dlq"
FEEDS_STATE = "feeds.state"
NOTIFY_STATE = "notify.state"
WORKER_GROUP = "axiswatch"  # the workers' consumer group and Faust app id
ANALYZE_GROUP = "axiswatch-analyze"  # the workers' analyze stage, reading articles.raw

# Kafka's rules for a topic name: these characters, at most 249 of them. The longest name
# derived from the prefix is the stories stage's changelog (`<prefix>axiswatch-story-exact-
# changelog`, 34 characters after the prefix); Faust's own topics of the worker
# (`<prefix>axiswatch-__assignor-__leader`) are shorter. 200 leaves room for both.
_LEGAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
MAX_PREFIX_LENGTH = 200


def prefix_problem(prefix: str) -> str | None:
    """What makes `prefix` unusable in front of the topic and group names, or None."""
    if not prefix:
        return None
    bad = sorted({c for c in prefix if c not in _LEGAL})
    if bad:
        return (
            f"it contains {', '.join(repr(c) for c in bad)}: Kafka topic names allow only "
            "ASCII letters, digits, '.', '_' and '-'"
        )
    if len(prefix) > MAX_PREFIX_LENGTH:
        return (
            f"it is {len(prefix)} characters long: at most {MAX_PREFIX_LENGTH}, so that every "
            "topic name stays within Kafka's 249"
        )
    if prefix[-1] not in "._-":
        return (
            f"it does not end with '.', '_' or '-': names would run into it "
            f"({prefix}{ALERTS}); write it as {prefix}. or {prefix}-"
        )
    return None


@dataclass(frozen=True, slots=True)
class Names:
    """The names on the cluster: every topic and consumer group of the catalogue behind
    `prefix` (`AXISWATCH_TOPIC_PREFIX`), so several deployments can share one cluster."""

    prefix: str = ""

    def topic(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def group(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def catalogue_name(self, topic: str) -> str | None:
        """The catalogue's name of a topic on the cluster, or None if it is not ours."""
        if not topic.startswith(self.prefix):
            return None
        name = topic[len(self.prefix) :]
        return name if name in TOPICS else None

    @property
    def raw(self) -> str:
        return self.topic(RAW)

    @property
    def analyzed(self) -> str:
        return self.topic(ANALYZED)

    @property
    def enriched(self) -> str:
        return self.topic(ENRICHED)

    @property
    def alerts(self) -> str:
        return self.topic(ALERTS)

    @property
    def dlq(self) -> str:
        return self.topic(DLQ)

    @property
    def feeds_state(self) -> str:
        return self.topic(FEEDS_STATE)

    @property
    def notify_state(self) -> str:
        return self.topic(NOTIFY_STATE)

    @property
    def worker_group(self) -> str:
        return self.group(WORKER_GROUP)

    @property
    def analyze_group(self) -> str:
        return self.group(ANALYZE_GROUP)


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic of the catalogue. `fixed` says why its partition count must never change
    (`axiswatch topics --alter` refuses it), or is None when partitions may be added."""

    name: str
    partitions: int
    model: type[BaseModel]
    description: str
    config: dict[str, str] = field(default_factory=dict)
    fixed: str | None = None


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


_STATE_FIXED = (
    "a compacted state topic keyed by entry: with more partitions a key's next record would "
    "land on another partition than its last one, compaction would keep both, and the reader "
    "could restore the older one"
)


def topic_specs(
    raw_partitions: int = 6, enriched_partitions: int = 6, names: Names | None = None
) -> list[TopicSpec]:
    """The project's topics, named as on the cluster by `names` (the catalogue's own names
    without). `articles.analyzed` has one partition: the stories stage needs one ordered view
    of every article to decide what is new."""
    names = names or Names()
    return [
        TopicSpec(
            names.topic(RAW),
            raw_partitions,
            RawArticle,
            "Articles as producers saw them; key article_id.",
            {"retention.ms": str(7 * _DAY_MS), "max.message.bytes": "4194304"},
        ),
        TopicSpec(
            names.topic(ANALYZED),
            1,
            AnalyzedArticle,
            "Internal: analyzed articles on their way to the stories stage.",
            {"retention.ms": str(3 * _DAY_MS), "max.message.bytes": str(LARGE_MESSAGE_BYTES)},
            fixed="the stories stage reads its one partition, in order, to decide what is new "
            "(streams/stage.py): articles written to another partition would never be placed",
        ),
        TopicSpec(
            names.topic(ENRICHED),
            enriched_partitions,
            EnrichedArticle,
            "Articles with actors, signals and story; key article_id.",
            {"retention.ms": str(30 * _DAY_MS), "max.message.bytes": str(LARGE_MESSAGE_BYTES)},
        ),
        TopicSpec(
            names.topic(ALERTS),
            1,
            Alert,
            "New and corroborated cooperation signals; key alert_id.",
            # The worker's producers allow LARGE_MESSAGE_BYTES: so does the topic (an alert
            # carries a whole evidence sentence, and it is written in one transaction with the
            # enriched record, which may be that large too).
            {
                "retention.ms": str(ALERTS_RETENTION_DAYS * _DAY_MS),
                "max.message.bytes": str(LARGE_MESSAGE_BYTES),
            },  # fmt: skip
            fixed="every reader sees the alerts in the order they were raised; with more "
            "partitions an event's later alerts (keyed by its alert_id) would land on another "
            "partition than its first, and could be read before its `new`",
        ),
        TopicSpec(
            names.topic(DLQ),
            1,
            DeadLetter,
            "What could not be parsed or validated, with the reason and original bytes.",
            {"retention.ms": str(30 * _DAY_MS), "max.message.bytes": str(LARGE_MESSAGE_BYTES)},
        ),
        # feed poller state (added with `axiswatch poll`)
        TopicSpec(
            names.topic(FEEDS_STATE),
            1,
            FeedStateRecord,
            "Feed poller memory: published entries and feed fetch state; compacted.",
            {"cleanup.policy": "compact", "segment.ms": str(_DAY_MS)},
            fixed=_STATE_FIXED,
        ),
        # notifier state (added with `axiswatch notify`)
        TopicSpec(
            names.topic(NOTIFY_STATE),
            1,
            NotifyStateRecord,
            "Notifier memory: which alert each route delivered; compacted, and forgotten a day "
            "after the alerts topic forgets the alert.",
            # A record per alert delivered, each its own key: compaction alone would keep them
            # all forever. An alert gone from `alerts` cannot be read again, so its record can go
            # a day after it (the topic's segments roll daily).
            {
                "cleanup.policy": "compact,delete",
                "retention.ms": str((ALERTS_RETENTION_DAYS + 1) * _DAY_MS),
                "segment.ms": str(_DAY_MS),
            },  # fmt: skip
            fixed=_STATE_FIXED,
        ),
    ]


TOPICS = {spec.name: spec for spec in topic_specs()}
