"""What the worker's stages write for each record (streams.handlers; no Kafka)."""

from __future__ import annotations

import base64
import json

from schemas.headers import CONTENT_TYPE, SCHEMA_VERSION, header, new_trace_id, trace_id
from schemas.models import DeadLetter, RawArticle
from schemas.topics import Names
from streams.catalogue import seeds_dir
from streams.delivery import Record
from streams.handlers import Handlers
from streams.stage import Output
from streams.stories import StoryBook

NAMES = Names("desk.")


def raw_record(value: bytes, trace: str | None = None, offset: int = 7) -> Record:
    headers = (("trace-id", trace.encode()),) if trace else ()
    return Record(NAMES.raw, 2, offset, b"key", value, headers)


def seed_value() -> bytes:
    title, body = (seeds_dir() / "000_7bc7d1cde3bf7f1e.txt").read_text("utf-8").split("\n", 1)
    return RawArticle(article_id="seed", title=title, body=body).to_bytes()


def test_an_article_becomes_its_analyzed_record_with_the_raw_records_trace_id():
    trace = new_trace_id()
    [out] = Handlers(NAMES).analyze(raw_record(seed_value(), trace))
    assert out.topic == "desk.articles.analyzed" and out.key == b"seed"
    assert json.loads(out.value)["cooperation"] is True
    assert trace_id(out.headers) == trace
    assert header(out.headers, CONTENT_TYPE) == "application/json"
    assert header(out.headers, SCHEMA_VERSION) is not None


def test_bytes_that_are_no_article_become_a_dead_letter_keeping_them():
    [out] = Handlers(NAMES).analyze(raw_record(b"\xff not json"))
    assert out.topic == "desk.articles.dlq"
    dead = DeadLetter.model_validate_json(out.value)
    assert dead.stage == "analyze" and dead.offset == 7 and dead.partition == 2
    assert base64.b64decode(dead.original_b64) == b"\xff not json"
    # Without a trace id of its own, the record's place gives one, the same every time.
    assert trace_id(out.headers) == raw_record(b"x").trace_id


def test_placing_gives_the_enriched_record_and_the_alerts_under_one_trace_id():
    handlers, book = Handlers(NAMES), StoryBook.in_memory()
    trace = new_trace_id()
    [analyzed] = handlers.analyze(raw_record(seed_value(), trace))
    record = Record(NAMES.analyzed, 0, 0, analyzed.key, analyzed.value, analyzed.headers)
    outputs = handlers.place(book, record)
    topics = [o.topic for o in outputs]
    assert topics[0] == "desk.articles.enriched"
    assert topics[1:] == ["desk.alerts"] * 4  # the seed's four developments, each new
    assert {trace_id(o.headers) for o in outputs} == {trace}
    assert handlers.place(book, record)[1:] == []  # the same article again says nothing


def test_an_output_over_its_topics_limit_is_dead_lettered_naming_the_topic():
    record = raw_record(b"{}")
    big = Output(NAMES.enriched, b"k", b"x" * 100)
    out = Handlers(NAMES).oversize(record, big, limit=50)
    dead = DeadLetter.model_validate_json(out.value)
    assert out.topic == "desk.articles.dlq"
    assert dead.reason == "too_large" and dead.output_topic == "desk.articles.enriched"
    assert "over the topic's limit of 50 bytes" in dead.error
