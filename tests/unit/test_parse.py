import json

from schemas.models import MAX_BODY_CHARS
from streams.analyze import Rejected, analyze_bytes, parse_raw


def good(**extra) -> bytes:
    return json.dumps({"article_id": "c1", "title": "t", "body": "b", **extra}).encode()


def test_valid_message_parses():
    raw = parse_raw(good(source="x", published_at="2026-01-02T03:04:05"))
    assert not isinstance(raw, Rejected)
    assert raw.published_at.tzinfo is not None


def test_not_utf8_not_json_not_an_object_and_invalid_fields_are_rejected_with_reasons():
    cases = {
        b"\xff\xfe\x00garbage": "invalid_utf8",
        b"{not json": "invalid_json",
        b"[1, 2]": "invalid_article",
        json.dumps({"title": "no id"}).encode(): "invalid_article",
        json.dumps({"article_id": "x", "title": "", "body": "  "}).encode(): "invalid_article",
        good(published_at="yesterday-ish"): "invalid_article",
        None: "invalid_json",
    }
    for value, reason in cases.items():
        result = parse_raw(value)
        assert isinstance(result, Rejected), value
        assert result.reason == reason, (value, result)
        assert result.error


def test_huge_body_and_deep_json_are_rejected_not_raised():
    huge = good(body="x" * (MAX_BODY_CHARS + 1))
    assert parse_raw(huge).reason == "invalid_article"
    deep = b"[" * 100_000 + b"]" * 100_000
    assert parse_raw(deep).reason in ("invalid_json", "invalid_article")


def test_analyze_bytes_returns_an_analyzed_article(seed_text):
    title, _, body = seed_text.partition("\n")
    value = json.dumps({"article_id": "c2", "title": title, "body": body}).encode()
    result = analyze_bytes(value)
    assert result.cooperation
    assert {s.category for s in result.signals} == {"military", "cyber", "labour", "diplomatic"}
    for signal in result.signals:
        start, end = signal.evidence_span
        assert result.text[start:end] == signal.evidence
