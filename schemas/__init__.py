"""axiswatch message contracts and topic catalogue."""

from schemas.export import breaking_changes, export_json_schemas, schema_documents
from schemas.models import (
    ActorRef,
    Alert,
    AnalyzedArticle,
    DeadLetter,
    EnrichedArticle,
    RawArticle,
    Signal,
)
from schemas.topics import TOPICS, TopicSpec, topic_specs

__all__ = [
    "TOPICS",
    "ActorRef",
    "Alert",
    "AnalyzedArticle",
    "DeadLetter",
    "EnrichedArticle",
    "RawArticle",
    "Signal",
    "TopicSpec",
    "breaking_changes",
    "export_json_schemas",
    "schema_documents",
    "topic_specs",
]
