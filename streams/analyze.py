"""The analyze stage as a pure function: raw bytes in, an analyzed article or a rejection out.

The Faust agent and the offline `axiswatch analyze` command both call `analyze_bytes` /
`analyze_article`, so the stream and the batch produce the same records.
"""

from __future__ import annotations

import json
import time
from bisect import bisect_left
from dataclasses import dataclass

from pydantic import ValidationError

from schemas.models import AnalyzedArticle, RawArticle, dated
from streams.actors import ActorMatcher, default_matcher
from streams.fingerprints import (
    band_keys,
    encode_signature,
    signature,
    strip_boilerplate,
    vocabulary_shingle_hashes,
    word_shingle_hashes,
)
from streams.frames import FrameBook, default_framebook
from streams.learned import SignalFilter, default_filter
from streams.phrases import Tokens, words
from streams.signals import (
    SOVIET_END,
    CueBook,
    default_cuebook,
    find_signals,
    signal_id,
    signal_key,
)
from streams.text import canonical_url, content_hash, normalise_text, sentence_spans

__all__ = [
    "DEFAULT_BUDGET_SECONDS",
    "Analyzed",
    "BudgetExceeded",
    "Rejected",
    "analyze_article",
    "analyze_bytes",
    "analyze_values",
    "load",
    "parse_raw",
]

# The time one record may take in analysis before it is given up (dead-lettered as
# `too_slow`): every step is linear in the text, which is capped, so a record that gets here
# is pathological or the machine is starved. Checked between the steps.
DEFAULT_BUDGET_SECONDS = 5.0


class BudgetExceeded(Exception):
    """The analysis of one record took longer than its budget."""


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
    framebook: FrameBook | None = None,
    budget: float | None = None,
    signal_filter: SignalFilter | bool = True,
    every_out: list | None = None,
) -> AnalyzedArticle:
    """Normalise, find actors, signals and event frames; the article's full analysis. With a
    `budget` (seconds), raises `BudgetExceeded` once a step ends past it. The learned filter
    (`streams/learned.py`: `True`, the committed one; `False`, none) drops the categories it
    does not keep; `every_out` receives every signal candidate before it does."""
    matcher = matcher or default_matcher()
    cuebook = cuebook or default_cuebook()
    framebook = framebook or default_framebook()
    if signal_filter is True:
        signal_filter = default_filter() or False
    started = time.perf_counter()

    def check(step: str) -> None:
        if budget is not None and (spent := time.perf_counter() - started) > budget:
            raise BudgetExceeded(f"{spent:.1f} s after {step}, over the {budget:g} s budget")

    title = normalise_text(raw.title)
    body = normalise_text(raw.body)
    check("normalising")
    # The title is the first line: headlines carry signals too, and spans index this text.
    text = f"{title}\n{body}" if title and body else title or body
    # The text is tokenized once; actors, cues, context words and the fingerprint share it.
    sentences = sentence_spans(text)
    tokens = Tokens.of(text)
    published = raw.published_at or raw.fetched_at
    if raw.published_at and not (dated(raw.published_at) and raw.published_at <= raw.fetched_at):
        # A date in the future, a zero date (0001-01-01) or the epoch is not a publication date.
        published = raw.fetched_at
    # An office named ("Russia's defence minister") is its holder on the article's date.
    mentions = matcher.on(matcher.spans(text, tokens), published.date(), text)
    check("finding actors")

    spans: dict[str, list[tuple[int, int]]] = {}
    for actor_id, start, end in mentions:
        spans.setdefault(actor_id, []).append((start, end))
    actors = []
    for actor_id, found in spans.items():
        actor = matcher.actors[actor_id]
        actors.append(
            {
                "id": actor.id,
                "name": actor.name,
                "type": actor.type,
                "side": actor.side,
                "country": actor.country,
                "count": len(found),
                "spans": found[:20],
            }
        )

    signals = []
    every: list = []
    signal_ids: dict[tuple[str, int], str] = {}
    found_signals = (
        find_signals(text, mentions, sentences, matcher, cuebook, tokens, every)
        if published.date() >= SOVIET_END
        else []  # an article of the Soviet era: history, no signal
    )
    if every_out is not None:
        every_out.extend(every)
    if signal_filter and every:
        rejected = signal_filter.rejected(every, len(title), text, tokens)
        if rejected:
            found_signals = [c for c in found_signals if c.category not in rejected]
            every = [c for c in every if c.category not in rejected]
    for candidate in found_signals:
        key = signal_key(candidate, matcher)
        sid = signal_ids[(candidate.category, candidate.start)] = signal_id(key)
        signals.append(
            {
                "category": candidate.category,
                "evidence": candidate.evidence,
                "evidence_span": (candidate.start, candidate.end),
                "actors": list(candidate.actors),
                "russia_actors": list(candidate.russia_actors),
                "dprk_actors": list(candidate.dprk_actors),
                "cues": list(candidate.cues),
                "basis": candidate.basis,
                "hedged": candidate.hedged,
                "denied": candidate.denied,
                "confidence": candidate.confidence,
                "signal_key": key,
                "signal_id": sid,
            }
        )

    check("finding signals")
    events = []
    if every:
        every.sort(key=lambda c: (c.denied, -c.confidence, -c.score, c.start))
        frames = framebook.frames(text, every, mentions, matcher, published, signal_ids, tokens)
        events = [frame.as_dict() for frame in frames]

    check("reading event frames")
    # The body's words are the text's last tokens (the body ends the text, after the title
    # and a line break).
    first = bisect_left(tokens.starts, len(text) - len(body))
    body_words = tokens.words[first:] if body else []
    # The body is normalised already; footers and datelines do not make two texts alike.
    sig = None
    if body:
        stripped_words = _stripped_words(body)
        if stripped_words is None:
            sig = signature(vocabulary_shingle_hashes(tokens.ids()[first:], distinct=False))
        else:
            sig = signature(word_shingle_hashes(stripped_words, distinct=False))
    # One validation of the whole record (nested models as dicts) is the fastest way to build it.
    return AnalyzedArticle.model_validate(
        {
            "article_id": raw.article_id,
            "title": title,
            "text": text,
            "url": raw.url,
            "canonical_url": canonical_url(raw.url),
            "content_hash": content_hash(title, body, body_words),
            "source": raw.source,
            "published_at": raw.published_at,
            "fetched_at": raw.fetched_at,
            "lang": raw.lang,
            "external_id": raw.external_id,
            "feed": raw.feed,
            "minhash": encode_signature(sig) if sig is not None else None,
            "lsh_bands": band_keys(sig) if sig is not None else [],
            "actors": actors,
            "signals": signals,
            "cooperation": any(not s["denied"] for s in signals),
            "events": events,
        }
    )


def _stripped_words(body: str) -> list[str] | None:
    """`words(strip_boilerplate(body))`, or None when those are the body's tokens.

    They are when nothing is stripped and the body holds neither of the two characters for
    which lowercasing the whole body and lowercasing word by word differ: Σ (its lowercase
    depends on the letters around it) and İ (lowercased to two characters, the second not a
    word character). tests/unit/test_fast_paths.py checks this for every code point.
    """
    stripped = strip_boilerplate(body)
    if stripped != body or "Σ" in body or "İ" in body:
        return words(stripped)
    return None


def analyze_bytes(
    value: bytes | None, budget: float | None = DEFAULT_BUDGET_SECONDS
) -> AnalyzedArticle | Rejected:
    """Parse, validate and analyze one raw message; one that takes longer than `budget`
    seconds is rejected as `too_slow`."""
    raw = parse_raw(value)
    if isinstance(raw, Rejected):
        return raw
    try:
        return analyze_article(raw, budget=budget)
    except BudgetExceeded as exc:
        return Rejected("too_slow", f"analysis given up: {exc}")


@dataclass(frozen=True, slots=True)
class Analyzed:
    """One raw value analyzed, as the worker writes it: the analyzed article's JSON (or why
    the value was rejected) and the seconds the analysis took. Small and picklable, so it can
    be made in another process."""

    result: tuple[str, str, bytes] | Rejected  # (article id, source, JSON) or the rejection
    seconds: float


def analyze_values(values: list[bytes | None]) -> list[Analyzed]:
    """`analyze_bytes` for each value, encoded; an unexpected failure is a `processing_error`
    rejection, never an exception (the worker runs this in its analysis processes)."""
    out = []
    for value in values:
        started = time.perf_counter()
        result: tuple[str, str, bytes] | Rejected
        try:
            article = analyze_bytes(value)
            if isinstance(article, Rejected):
                result = article
            else:
                result = (article.article_id, article.source, article.to_bytes())
        except Exception as exc:  # noqa: BLE001 - a bad article must not stop the worker
            result = Rejected("processing_error", f"{type(exc).__name__}: {exc}"[:1000])
        out.append(Analyzed(result, time.perf_counter() - started))
    return out


def load() -> None:
    """Load the catalogues and cue books now (an analysis process does, before its first
    record, so the first batch is not slow)."""
    default_matcher()
    default_cuebook()
    default_framebook()
