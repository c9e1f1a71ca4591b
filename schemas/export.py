"""The message contracts as JSON Schema documents, and what makes a change breaking.

Schema Registry's JSON support validates with draft-07, so the export is draft-07: pydantic's
`$defs` become `definitions`, tuple `prefixItems` become an `items` list (with
`additionalItems: false`), and `$schema` says which draft. `$id` is the file's own name
(`alerts.schema.json`), relative, so it resolves wherever the folder is published (or under
`base_url`, given one).

`schemas/json/` holds the current export of every topic (a test checks it equals the models)
and, frozen, the first export of each schema version (`<topic>.v<N>.schema.json`): a change
to a model must not break the frozen shape of its version (`breaking_changes`), or it must
bump `schema_version`.

JSON Schema describes the value only; each document's description also names the record
headers that go with it (`schemas.headers`), for readers that see only the schema.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

__all__ = ["DRAFT", "breaking_changes", "export_json_schemas", "schema_documents"]

DRAFT = "http://json-schema.org/draft-07/schema#"
SNAPSHOTS = Path(__file__).resolve().parent / "json"


def _to_draft7(node: Any) -> Any:
    """pydantic's 2020-12 output rewritten with draft-07 keywords only."""
    if isinstance(node, list):
        return [_to_draft7(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$defs":
            out["definitions"] = _to_draft7(value)
        elif key == "$ref" and isinstance(value, str):
            out["$ref"] = value.replace("#/$defs/", "#/definitions/")
        elif key == "prefixItems":
            out["items"] = _to_draft7(value)
            out["additionalItems"] = False
        else:
            out[key] = _to_draft7(value)
    if "prefixItems" in node and "items" in node and node["items"] is not False:
        out["additionalItems"] = _to_draft7(node["items"])
    return out


def schema_documents(base_url: str = "") -> dict[str, dict]:
    """Topic name -> its message's JSON Schema (draft-07)."""
    from schemas.topics import topic_specs

    documents = {}
    for spec in topic_specs():
        schema = _to_draft7(copy.deepcopy(spec.model.model_json_schema()))
        version = spec.model.model_fields["schema_version"].default
        description = f"{spec.description} {schema.get('description', '')}".strip()
        document = {
            "$schema": DRAFT,
            "$id": f"{base_url}{spec.name}.schema.json",
            "title": schema.pop("title", spec.model.__name__),
            "description": f"{description} (schema_version {version}) {_headers(version)}",
        }
        schema.pop("description", None)
        document.update(schema)
        documents[spec.name] = document
    return documents


def _headers(version: int) -> str:
    from schemas.headers import CONTENT_TYPE, JSON, SCHEMA_VERSION, TRACE_ID

    return (
        f"Kafka record headers: {CONTENT_TYPE} {JSON}, {SCHEMA_VERSION} {version}, and on "
        f"records derived from an article {TRACE_ID} (32 hex digits, given where the article "
        "entered the pipeline)."
    )


def export_json_schemas(directory: str, base_url: str = "") -> list[str]:
    """Write `<topic>.schema.json` for every topic into `directory`; returns the paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in schema_documents(base_url).items():
        path = out / f"{name}.schema.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        written.append(str(path))
    return written


def _resolve(schema: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema.get("definitions", {}).get(name, {})
    return node


def _types(node: dict) -> set[str]:
    if "type" in node:
        kind = node["type"]
        return set(kind) if isinstance(kind, list) else {kind}
    kinds: set[str] = set()
    for option in node.get("anyOf", []) + node.get("oneOf", []):
        kinds |= _types(option)
    return kinds


def breaking_changes(old: dict, new: dict) -> list[str]:
    """How `new` breaks readers or writers of `old`: a property removed, its type narrowed, a
    property newly required, an enum value or const changed. Adding optional properties is
    not breaking."""
    problems: list[str] = []

    def walk(old_node: dict, new_node: dict, where: str) -> None:
        old_node, new_node = _resolve(old, old_node), _resolve(new, new_node)
        old_types, new_types = _types(old_node), _types(new_node)
        if old_types and new_types and not old_types <= new_types:
            problems.append(f"{where}: type {sorted(old_types)} became {sorted(new_types)}")
        if "enum" in old_node:
            lost = set(map(str, old_node["enum"])) - set(map(str, new_node.get("enum", [])))
            if "enum" in new_node and lost:
                problems.append(f"{where}: enum values removed {sorted(lost)}")
        if "const" in old_node and new_node.get("const", old_node["const"]) != old_node["const"]:
            problems.append(f"{where}: const {old_node['const']!r} became {new_node['const']!r}")
        old_props, new_props = old_node.get("properties", {}), new_node.get("properties", {})
        for name in old_props:
            if name not in new_props:
                problems.append(f"{where}.{name}: removed")
            else:
                walk(old_props[name], new_props[name], f"{where}.{name}")
        added_required = set(new_node.get("required", [])) - set(old_node.get("required", []))
        for name in sorted(added_required):
            problems.append(f"{where}.{name}: newly required")
        if isinstance(old_node.get("items"), dict) and isinstance(new_node.get("items"), dict):
            walk(old_node["items"], new_node["items"], f"{where}[]")
        for option in old_node.get("anyOf", []):
            target = _resolve(old, option)
            if "properties" in target:
                match = next(
                    (o for o in new_node.get("anyOf", []) if "properties" in _resolve(new, o)),
                    None,
                )
                if match is not None:
                    walk(option, match, where)

    walk(old, new, "$")
    return problems
