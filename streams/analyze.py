"""The analyze stage as a pure function: raw bytes in, an analyzed article or a rejection out.

The Faust agent and the offline `axiswatch analyze` command both call `analyze_bytes` /
`analyze_article`, so the stream and the batch produce the same records.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from pydantic import ValidationError

from schemas.models import ActorRef, AnalyzedArticle, RawArticle, Signal
from streams.actors import ActorMatcher, default_matcher
from streams.fingerprints import (
    band_keys,
    encode_signature,
    shingle_hashes,
    signature,
    strip_boilerplate,
)
from streams.phrases import tokenize, words
from streams.signals import CueBook, default_cuebook, detect_signals, signal_id, signal_key
from streams.text import canonical_url, content_hash, normalise_text, split_sentences

__all__ = ["Rejected", "analyze_article", "analyze_bytes", "parse_raw"]


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why a message could not be used: a dead-letter reason and a readable error."""

    reason: str
    error: str


def parse_raw(value: bytes | None) -> RawArticle | Rejected:
    """Decode and validate one `articles.raw` value."""
    if value is None:
        return Rejected("invalid_json", "empty message (tombstone or null value)")
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejected("invalid_utf8", f"value is not UTF-8: {exc}")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        return Rejected("invalid_json", f"value is not JSON: {exc}"[:500])
    if not isinstance(data, dict):
        return Rejected("invalid_article", f"expected a JSON object, got {type(data).__name__}")
    try:
        return RawArticle.model_validate(data)
    except ValidationError as exc:
        return Rejected("invalid_article", _short_errors(exc))


def _short_errors(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "article"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def analyze_article(
    raw: RawArticle,
    matcher: ActorMatcher | None = None,
    cuebook: CueBook | None = None,
) -> AnalyzedArticle:
    """Normalise, find actors and signals; the article's full analysis."""
    matcher = matcher or default_matcher()
    cuebook = cuebook or default_cuebook()
    title = normalise_text(raw.title)
    body = normalise_text(raw.body)
    # The title is the first line: headlines carry signals too, and spans index this text.
    text = f"{title}\n{body}" if title and body else title or body
    sentences = split_sentences(text)
    tokens = tokenize(text)
    mentions = matcher.find(text, tokens)

    counts = Counter(m.actor_id for m in mentions)
    spans: dict[str, list[tuple[int, int]]] = {}
    for mention in mentions:
        spans.setdefault(mention.actor_id, []).append((mention.start, mention.end))
    actors = []
    for actor_id in counts:
        actor = matcher.actors[actor_id]
        actors.append(
            ActorRef(
                id=actor.id,
                name=actor.name,
                type=actor.type,
                side=actor.side,  # type: ignore[arg-type]
                country=actor.country,
                count=counts[actor_id],
                spans=spans[actor_id][:20],
            )
        )

    signals = []
    for candidate in detect_signals(text, mentions, sentences, matcher, cuebook, tokens):
        key = signal_key(candidate, matcher)
        signals.append(
            Signal(
                category=candidate.category,  # type: ignore[arg-type]
                evidence=candidate.evidence,
                evidence_span=(candidate.start, candidate.end),
                actors=list(candidate.actors),
                russia_actors=list(candidate.russia_actors),
                dprk_actors=list(candidate.dprk_actors),
                cues=list(candidate.cues),
                basis=candidate.basis,  # type: ignore[arg-type]
                hedged=candidate.hedged,
                denied=candidate.denied,
                confidence=candidate.confidence,
                signal_key=key,
                signal_id=signal_id(key),
            )
        )

    # The body is normalised already; footers and datelines do not make two texts alike.
    sig = signature(shingle_hashes(words(strip_boilerplate(body))))
    return AnalyzedArticle(
        article_id=raw.article_id,
        title=title,
        text=text,
        url=raw.url,
        canonical_url=canonical_url(raw.url),
        content_hash=content_hash(title, body),
        source=raw.source,
        published_at=raw.published_at,
        fetched_at=raw.fetched_at,
        lang=raw.lang,
        external_id=raw.external_id,
        feed=raw.feed,
        minhash=encode_signature(sig) if sig is not None else None,
        lsh_bands=band_keys(sig) if sig is not None else [],
        actors=actors,
        signals=signals,
        cooperation=any(not s.denied for s in signals),
    )


def analyze_bytes(value: bytes | None) -> AnalyzedArticle | Rejected:
    """Parse, validate and analyze one raw message."""
    raw = parse_raw(value)
    if isinstance(raw, Rejected):
        return raw
    return analyze_article(raw)
