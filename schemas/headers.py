"""Record headers: what every record axiswatch writes says about itself.

- `content-type`: `application/json` (every value is a JSON document);
- `schema-version`: the `schema_version` of the value's model (`1`, `2`), so a reader can pick
  a decoder without parsing the value;
- `trace-id`: 32 lowercase hex digits (the W3C trace-context format), given to an article
  where it enters (replay, poll) and carried by every record derived from it: its analyzed and
  enriched records, its alerts, its dead letters, and notify's record of an alert delivered.

Header values are UTF-8 bytes, as Kafka carries them. A record written by another producer
without a trace id gets one derived from where it was read (topic, partition, offset), so that
reprocessing it gives its outputs the same id.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable

from pydantic import BaseModel

__all__ = [
    "CONTENT_TYPE",
    "JSON",
    "SCHEMA_VERSION",
    "TRACE_ID",
    "Headers",
    "derived_trace_id",
    "header",
    "new_trace_id",
    "record_headers",
    "schema_version",
    "trace_id",
]

CONTENT_TYPE = "content-type"
SCHEMA_VERSION = "schema-version"
TRACE_ID = "trace-id"
JSON = "application/json"

# Kafka clients give and take headers as (name, bytes) pairs.
Headers = list[tuple[str, bytes]]

_TRACE_RE = re.compile(r"^[0-9a-f]{32}$")


def new_trace_id() -> str:
    """A fresh trace id, for an article entering the pipeline."""
    return uuid.uuid4().hex


def derived_trace_id(topic: str, partition: int, offset: int) -> str:
    """The trace id of a record that came without one: the same for the same record."""
    return hashlib.sha256(f"{topic}\0{partition}\0{offset}".encode()).hexdigest()[:32]


def schema_version(model: type[BaseModel] | BaseModel) -> int | None:
    """The model's `schema_version` (None for a model without one)."""
    cls = type(model) if isinstance(model, BaseModel) else model
    field = cls.model_fields.get("schema_version")
    return field.default if field is not None else None


def record_headers(
    model: type[BaseModel] | BaseModel | None = None, trace: str | None = None
) -> Headers:
    """The headers of a JSON record whose value is `model` (its class or an instance)."""
    headers: Headers = [(CONTENT_TYPE, JSON.encode())]
    version = schema_version(model) if model is not None else None
    if version is not None:
        headers.append((SCHEMA_VERSION, str(version).encode()))
    if trace:
        headers.append((TRACE_ID, trace.encode()))
    return headers


def header(headers: Iterable[tuple[str, bytes | None]] | None, name: str) -> str | None:
    """The value of the header `name` (the last one, if repeated), or None."""
    found = None
    for key, value in headers or ():
        if key == name and value is not None:
            found = bytes(value).decode("utf-8", "replace")
    return found


def trace_id(headers: Iterable[tuple[str, bytes | None]] | None) -> str | None:
    """The record's trace id, if it carries a well-formed one."""
    value = header(headers, TRACE_ID)
    return value if value is not None and _TRACE_RE.match(value) else None
