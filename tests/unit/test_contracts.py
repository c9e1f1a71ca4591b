"""The exported contracts: draft-07 only (what Schema Registry validates JSON with), the
committed export current, and no breaking change within a schema version."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from jsonschema import Draft7Validator, FormatChecker

from schemas import breaking_changes, schema_documents
from schemas.export import SNAPSHOTS
from schemas.models import RawArticle
from streams.analyze import analyze_article
from streams.stories import StoryBook

DOCUMENTS = schema_documents()
# Every keyword draft-07 defines, validation and annotation alike: nothing a draft-07
# validator would silently ignore.
DRAFT7 = set(Draft7Validator.VALIDATORS) | {
    "$schema", "$id", "$comment", "title", "description", "default", "examples", "readOnly",
    "writeOnly", "definitions", "contentMediaType", "contentEncoding",
}  # fmt: skip


def keywords(node, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("properties", "definitions", "patternProperties"):
                for child in value.values():
                    keywords(child, out)
                out.add(key)
            else:
                out.add(key)
                keywords(value, out)
    elif isinstance(node, list):
        for item in node:
            keywords(item, out)
    return out


@pytest.mark.parametrize("topic", sorted(DOCUMENTS))
def test_each_schema_is_valid_draft7_with_no_keyword_it_would_ignore(topic):
    document = DOCUMENTS[topic]
    Draft7Validator.check_schema(document)
    assert document["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert document["$id"] == f"{topic}.schema.json"
    assert keywords(document, set()) <= DRAFT7, keywords(document, set()) - DRAFT7


@pytest.mark.parametrize("topic", sorted(DOCUMENTS))
def test_the_committed_export_is_current(topic):
    committed = json.loads((SNAPSHOTS / f"{topic}.schema.json").read_text(encoding="utf-8"))
    assert committed == DOCUMENTS[topic], (
        f"the {topic} contract changed: run `axiswatch schemas export schemas/json` and commit it"
    )


@pytest.mark.parametrize("topic", sorted(DOCUMENTS))
def test_no_breaking_change_within_a_schema_version(topic):
    version = DOCUMENTS[topic]["properties"]["schema_version"]["const"]
    frozen = SNAPSHOTS / f"{topic}.v{version}.schema.json"
    assert frozen.exists(), (
        f"schema_version {version} of {topic} has no frozen snapshot: copy its export to "
        f"{frozen.name} (the first shape of a version is kept for good)"
    )
    old = json.loads(frozen.read_text(encoding="utf-8"))
    assert breaking_changes(old, DOCUMENTS[topic]) == []


def test_breaking_changes_are_found_and_additions_are_not():
    old = DOCUMENTS["alerts"]
    added = json.loads(json.dumps(old))
    added["properties"]["note"] = {"type": "string", "default": ""}
    assert breaking_changes(old, added) == []
    removed = json.loads(json.dumps(old))
    del removed["properties"]["evidence"]
    assert "$.evidence: removed" in breaking_changes(old, removed)
    required = json.loads(json.dumps(old))
    required["required"].append("url")
    assert "$.url: newly required" in breaking_changes(old, required)
    retyped = json.loads(json.dumps(old))
    retyped["properties"]["confidence"] = {"type": "string"}
    assert any("confidence: type" in p for p in breaking_changes(old, retyped))
    narrowed = json.loads(json.dumps(old))
    narrowed["properties"]["kind"]["enum"] = ["new"]
    assert any("kind: enum values removed" in p for p in breaking_changes(old, narrowed))


def test_real_messages_validate_against_their_schemas(seed_path):
    title, _, body = seed_path.read_text(encoding="utf-8").partition("\n")
    raw = RawArticle(
        article_id="seed0000000000000000000a", title=title, body=body, source="seeds",
        published_at=datetime(2026, 11, 30, tzinfo=UTC),
    )  # fmt: skip
    analyzed = analyze_article(raw)
    enriched, alerts, _ = StoryBook.in_memory().place(analyzed)
    checker = FormatChecker()
    for topic, message in [
        ("articles.raw", raw),
        ("articles.analyzed", analyzed),
        ("articles.enriched", enriched),
        *(("alerts", alert) for alert in alerts),
    ]:
        instance = json.loads(message.model_dump_json())
        errors = list(
            Draft7Validator(DOCUMENTS[topic], format_checker=checker).iter_errors(instance)
        )
        assert errors == [], (topic, [e.message for e in errors[:3]])
    assert len(alerts) == 4


def test_trusted_builds_what_model_construct_builds_and_refuses_unknown_fields(seed_path):
    """`trusted` (the stories stage's hot-path constructor) gives the model `model_construct`
    gives, from every field or from some with the rest defaulted; a name that is no field, or
    a required field left out, raises rather than vanishing."""
    title, _, body = seed_path.read_text(encoding="utf-8").partition("\n")
    raw = RawArticle(
        article_id="seed0000000000000000000a", title=title, body=body, source="seeds",
        published_at=datetime(2026, 11, 30, tzinfo=UTC),
    )  # fmt: skip
    enriched, alerts, _ = StoryBook.in_memory().place(analyze_article(raw))
    assert alerts
    for model in (enriched, alerts[0]):
        cls, values = type(model), dict(vars(model))
        built = cls.trusted(**values)
        assert built == cls.model_construct(**values) == model
        assert built.to_bytes() == model.to_bytes()
        some = {k: v for k, v in values.items() if k not in ("sources", "languages")}
        assert cls.trusted(**some) == cls.model_construct(**some)
        with pytest.raises(TypeError, match="no field evidnce"):
            cls.trusted(**values, evidnce="x")
        with pytest.raises(TypeError, match="needs a value for article_id"):
            cls.trusted(**{k: v for k, v in values.items() if k != "article_id"})


def test_no_contract_has_what_trusted_would_skip():
    """`trusted` sets a model's fields and nothing else: no contract may have private
    attributes, a post-init hook, aliases or extras kept, which `model_construct` would honour."""
    from schemas import models

    contracts = [
        c for c in vars(models).values()
        if isinstance(c, type) and issubclass(c, models._Contract)
    ]  # fmt: skip
    assert models.Alert in contracts and models.EnrichedArticle in contracts
    for cls in contracts:
        assert not cls.__private_attributes__, cls
        assert cls.__pydantic_post_init__ is None, cls
        assert cls.model_config.get("extra") != "allow", cls
        for name, field in cls.__pydantic_fields__.items():
            assert field.alias is None and field.validation_alias is None, (cls, name)
