"""Message contracts: one pydantic model per topic, JSON on the wire.

Evolution is additive: a new optional field keeps `schema_version`; renaming or removing a
field is a new version.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "MAX_BODY_CHARS",
    "MAX_DEAD_LETTER_BYTES",
    "ActorRef",
    "Alert",
    "AnalyzedArticle",
    "DeadLetter",
    "EnrichedArticle",
    "EventFrame",
    "Quantity",
    "RawArticle",
    "Signal",
    "utcnow",
]

# Larger bodies are not news articles; they go to the dead-letter topic.
MAX_BODY_CHARS = 1_000_000
# A dead letter keeps at most this much of the original value.
MAX_DEAD_LETTER_BYTES = 4 * 1024 * 1024

Category = Literal["military", "cyber", "labour", "diplomatic", "economic", "technology"]
Side = Literal["russia", "dprk", "other"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def dated(when: datetime) -> bool:
    """Whether a publication time can be one: not a zero date (year 1 and the like, before
    1900) and not the Unix epoch's first day, which a missing time stamp written as 0 gives
    (in any time zone). Archive reports of Soviet-era history (1961, 1984) keep their dates:
    their office holders and relative dates are read on them, and they do not stand for today."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.year >= 1900 and abs(when.timestamp()) >= _EPOCH_DAY


# A day and the widest time-zone offset (14 hours) either side of 1970-01-01T00:00Z.
_EPOCH_DAY = 86_400 + 14 * 3_600


class _Contract(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=False)

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=False).encode("utf-8")

    @classmethod
    def trusted(cls, **values: Any) -> Self:
        """The model of values that are valid already (taken from validated models): what
        `model_construct` gives, without its per-field walk, for the stream's hot path. Fields
        not given take their defaults; a name that is no field raises TypeError (the contracts
        keep no extras, and a misspelt field must not vanish silently)."""
        fields = cls.__pydantic_fields__
        if values.keys() != fields.keys():
            unknown = values.keys() - fields.keys()
            if unknown:
                raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
            for name in fields.keys() - values.keys():
                field = fields[name]
                if field.is_required():
                    raise TypeError(f"{cls.__name__} needs a value for {name}")
                values[name] = field.get_default(call_default_factory=True)
        model = cls.__new__(cls)
        _set(model, "__dict__", values)
        _set(model, "__pydantic_fields_set__", set(values))
        _set(model, "__pydantic_extra__", None)
        _set(model, "__pydantic_private__", None)
        return model


_set = object.__setattr__


def _as_utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class RawArticle(_Contract):
    """An article as a producer saw it (`articles.raw`, key: `article_id`)."""

    schema_version: Literal[1] = 1
    article_id: Annotated[str, Field(min_length=1, max_length=64)]
    title: Annotated[str, Field(max_length=2_000)] = ""
    body: Annotated[str, Field(max_length=MAX_BODY_CHARS)] = ""
    url: str | None = None
    source: Annotated[str, Field(min_length=1, max_length=200)] = "unknown"
    published_at: datetime | None = None
    fetched_at: datetime = Field(default_factory=utcnow)
    lang: str | None = None
    external_id: str | None = Field(default=None, description="The id the input carried, kept.")
    feed: str | None = None

    _utc = field_validator("published_at", "fetched_at")(_as_utc)

    @field_validator("body")
    @classmethod
    def _has_text(cls, body: str, info) -> str:  # noqa: ANN001
        if not body.strip() and not (info.data.get("title") or "").strip():
            raise ValueError("an article needs a title or a body")
        return body


class ActorRef(_Contract):
    """An actor found in an article: catalogue id, display name, side, and how often it occurs."""

    id: str
    name: str
    type: str
    side: Side
    country: str
    count: int = 1
    spans: list[tuple[int, int]] = Field(default_factory=list)


class Signal(_Contract):
    """A cooperation signal in one article, with the sentence that carries it."""

    category: Category
    evidence: str
    evidence_span: tuple[int, int]
    actors: list[str]
    russia_actors: list[str]
    dprk_actors: list[str]
    cues: list[str]
    basis: Literal["sentence", "pair_phrase", "previous_sentence"]
    hedged: bool = Field(default=False, description="Reported with a hedge (allegedly, ...).")
    denied: bool = Field(
        default=False,
        description="The sentence denies it. Kept for the record; raises no alert and does not "
        "set `cooperation`.",
    )
    confidence: float
    signal_key: str
    signal_id: str


class Quantity(_Contract):
    """A number of something in an evidence sentence: 12,000 workers; "thousands" of troops."""

    unit: str = Field(description="troops, workers, engineers, shells, missiles, tourists, ...")
    value: int | None = Field(default=None, description="None for a vague amount (thousands).")
    text: str = Field(description="The words of the sentence that state it.")


EventBasis = Literal["report", "background"]


class EventFrame(_Contract):
    """One development an article states: what was done, by whom, with what, where, when.

    The analyze stage builds a frame per development of each action family from the article's
    signal sentences (the one reported, earlier ones restated beside it);
    the stories stage joins frames of one development (across outlets and languages) into one
    event and fills `event_id`."""

    event_id: str | None = Field(
        default=None, description="The event this frame joined or started (enriched articles)."
    )
    category: Category = Field(description="The primary category.")
    categories: list[Category] = Field(description="Every category the development belongs to.")
    action: str = Field(description="deploy_troops, supply_arms, send_workers, summit, ...")
    family: str = Field(description="The action's family: frames join only within a family.")
    evidence: str
    evidence_span: tuple[int, int]
    russia_actors: list[str] = Field(
        description="The most specific Russia-side actors (states only when nothing more "
        "specific is named)."
    )
    dprk_actors: list[str]
    objects: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    quantities: list[Quantity] = Field(default_factory=list)
    event_date: date | None = Field(
        default=None,
        description="When it happened: an explicit or relative date resolved against the "
        "publication date; for a report without one, the publication date.",
    )
    date_precision: Literal["day", "month", "year", "published"] | None = None
    basis: EventBasis = Field(
        description="`report`: the article reports the development; `background`: it restates "
        "an earlier one."
    )
    hedged: bool = False
    speculative: bool = Field(
        default=False,
        description="The sentence speculates (could, cannot rule out): such a frame joins a "
        "known event but starts none.",
    )
    confidence: float = 0.0
    signal_ids: list[str] = Field(
        default_factory=list, description="The signals (one per category) behind this frame."
    )
    claimants: list[str] = Field(
        default_factory=list,
        description="Who the sentence attributes the development to (`united_states`, "
        "`ukraine`, `rok_intelligence`, `rok_military`, `open_sources`: seeds/events.toml).",
    )
    sender: Literal["russia", "dprk"] | None = Field(
        default=None,
        description="Which side sends a message or a gift (Putin's greetings to Kim: "
        "`russia`), when the sentence tells; None for other developments.",
    )


class AnalyzedArticle(_Contract):
    """Output of the stateless analyze stage (`articles.analyzed`, internal)."""

    schema_version: Literal[2] = 2
    article_id: str
    title: str
    text: str = Field(description="Normalised title and body; signal spans index into it.")
    url: str | None = None
    canonical_url: str | None = None
    content_hash: str
    source: str
    published_at: datetime | None = None
    fetched_at: datetime
    analyzed_at: datetime = Field(default_factory=utcnow)
    lang: str | None = None
    external_id: str | None = None
    feed: str | None = None
    minhash: str | None = Field(
        default=None,
        description="MinHash signature of the body's word 3-shingles (64 little-endian uint32, "
        "base64); None for an empty body.",
    )
    lsh_bands: list[int] = Field(
        default_factory=list, description="LSH band keys of the signature (near-duplicate index)."
    )
    actors: list[ActorRef] = Field(default_factory=list)
    signals: list[Signal] = Field(default_factory=list)
    cooperation: bool = Field(
        default=False, description="True when any signal that is not denied was found."
    )
    events: list[EventFrame] = Field(
        default_factory=list, description="The developments the article states, one per frame."
    )


class EnrichedArticle(AnalyzedArticle):
    """An analyzed article placed in its story (`articles.enriched`, key: `article_id`)."""

    story_id: str
    duplicate_of: str | None = Field(
        default=None, description="The article this one repeats (same URL or same text), if any."
    )
    first_seen_at: datetime
    story_sources: list[str] = Field(default_factory=list)
    enriched_at: datetime = Field(default_factory=utcnow)


class Alert(_Contract):
    """A new Russia–DPRK cooperation development or a later report of it (`alerts`, key
    `alert_id`, which is the event id)."""

    schema_version: Literal[2] = 2
    alert_id: str = Field(description="The event id: every alert of one event has the same id.")
    kind: Literal["new", "updated", "corroborated"] = Field(
        description="`new`: a development not known before; `updated`: a report adds a fact "
        "(see `changes`); `corroborated`: another source or story reports it."
    )
    category: Category = Field(description="The primary category.")
    evidence: str
    evidence_span: tuple[int, int]
    actors: list[ActorRef]
    cues: list[str]
    confidence: float
    hedged: bool = False
    signal_key: str
    story_id: str
    article_id: str
    title: str
    source: str
    url: str | None = None
    published_at: datetime | None = None
    detected_at: datetime = Field(default_factory=utcnow)
    source_count: int = 1
    sources: list[str] = Field(default_factory=list)
    event_id: str = Field(description="Same as `alert_id`.")
    categories: list[Category] = Field(description="Every category the event belongs to.")
    action: str
    objects: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    quantities: list[Quantity] = Field(default_factory=list)
    claimants: list[str] = Field(
        default_factory=list,
        description="Who this alert's report attributes the development to (an intelligence "
        "service, a government, open sources), when it says.",
    )
    sender: Literal["russia", "dprk"] | None = Field(
        default=None,
        description="Which side sent the message or gift the event is, as its first report "
        "told (None: not a message or gift, or not told).",
    )
    event_date: date | None = None
    basis: EventBasis = Field(
        description="How the article that raised this alert states the event: `background` on "
        "a `new` alert means the event was first heard of as a restatement."
    )
    changes: list[str] = Field(
        default_factory=list,
        description="What an `updated` alert adds: `quantity: 12000 "
        "workers`, `place: kursk`, `object: drones`, `category: labour`.",
    )
    languages: list[str] = Field(default_factory=list)
    first_reported_at: datetime | None = Field(
        default=None, description="Event time of the event's first report."
    )
    latest_reported_at: datetime | None = None


DeadLetterReason = Literal[
    "invalid_utf8", "invalid_json", "invalid_article", "too_large", "too_slow", "processing_error"
]


class DeadLetter(_Contract):
    """A message that could not be used, with why and its original bytes (`articles.dlq`)."""

    schema_version: Literal[1] = 1
    reason: DeadLetterReason
    error: str
    topic: str
    partition: int | None = None
    offset: int | None = None
    key_b64: str | None = None
    original_b64: str = Field(description="The original value, base64-encoded, byte for byte.")
    original_size: int
    original_truncated: bool = Field(
        default=False,
        description="True when only the first MAX_DEAD_LETTER_BYTES of the value are kept; "
        "the whole value stays at topic/partition/offset for the topic's retention.",
    )
    stage: str
    output_topic: str | None = Field(
        default=None,
        description="Set when what could not be written is the stage's output for this topic "
        "(larger than the topic accepts): `original_b64` then holds that output, and "
        "topic/partition/offset name the input it came from.",
    )
    received_at: datetime = Field(default_factory=utcnow)
