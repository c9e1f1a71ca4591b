"""The topic catalogue: names, partitions, retention and which model each carries."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from schemas.models import Alert, AnalyzedArticle, DeadLetter, EnrichedArticle, RawArticle

__all__ = ["LARGE_MESSAGE_BYTES", "TOPICS", "TopicSpec", "topic_specs"]

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
            {"retention.ms": str(365 * _DAY_MS)},
        ),
        TopicSpec(
            "articles.dlq",
            1,
            DeadLetter,
            "What could not be parsed or validated, with the reason and original bytes.",
            {"retention.ms": str(30 * _DAY_MS), "max.message.bytes": str(LARGE_MESSAGE_BYTES)},
        ),
    ]


TOPICS = {spec.name: spec for spec in topic_specs()}
