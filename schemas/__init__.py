"""axiswatch message contracts and topic catalogue."""

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
    "export_json_schemas",
    "topic_specs",
]


def export_json_schemas(directory: str) -> list[str]:
    """Write one JSON Schema file per topic model into `directory`; returns the paths."""
    import json
    from pathlib import Path

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in topic_specs():
        path = out / f"{spec.name}.schema.json"
        schema = spec.model.model_json_schema()
        schema["$id"] = (
            f"axiswatch:{spec.name}:v{spec.model.model_fields['schema_version'].default}"
        )
        schema["description"] = f"{spec.description} {schema.get('description', '')}".strip()
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(str(path))
    return written
