import json

from schemas.models import MAX_BODY_CHARS, RawArticle
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


def test_a_record_past_its_time_budget_is_rejected_as_too_slow(seed_text):
    value = json.dumps(
        {"article_id": "a" * 24, "title": "t", "body": seed_text, "source": "s"}
    ).encode()
    result = analyze_bytes(value, budget=0.0)
    assert isinstance(result, Rejected) and result.reason == "too_slow"
    assert "budget" in result.error
    assert not isinstance(analyze_bytes(value), Rejected)  # the default budget: plenty


def test_a_huge_article_of_signal_sentences_frames_only_its_strongest(monkeypatch):
    from streams import frames as frames_module
    from streams.analyze import analyze_article

    calls = []
    original = frames_module.FrameBook.read_sentence

    def counting(self, sentence, categories, published, tokens=None):
        calls.append(len(sentence))
        return original(self, sentence, categories, published, tokens)

    monkeypatch.setattr(frames_module.FrameBook, "read_sentence", counting)
    body = "North Korea sent 10,000 troops to Russia, Putin and Kim Jong Un said. " * 2000
    article = analyze_article(
        RawArticle(article_id="b" * 24, title="Troops", body=body, source="s")
    )
    assert article.events and len(calls) <= frames_module.MAX_SENTENCES
    # A run-on "sentence" of 165,000 characters: its dates are read from its start only.
    read = []
    dates = frames_module._DateReader.read
    monkeypatch.setattr(
        frames_module._DateReader,
        "read",
        lambda self, s, p: read.append(len(s)) or dates(self, s, p),
    )
    one_run_on = "Russia North Korea troops shells " * 5000
    analyze_article(RawArticle(article_id="c" * 24, title="t", body=one_run_on, source="s"))
    assert read and max(read) <= frames_module.MAX_SENTENCE_CHARS
