"""The stories stage's transaction bookkeeping, without Kafka: state changes count only once
the batch's transaction commits; a refused write aborts the batch and leaves the state as it
was; the changelog records carry exactly the batch's changes."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest
from aiokafka.errors import MessageSizeTooLargeError

from axiswatch.ledger import AlertLedger
from axiswatch.settings import Settings
from streams.stage import MAX_ATTEMPTS, Output, Overlay, StateLog, StoriesStage, fits


def test_an_overlay_holds_writes_back_until_applied():
    base = {"a": 1, "b": 2}
    view = Overlay(base)
    view["c"] = 3
    view["a"] = 10
    del view["b"]
    assert dict(view) == {"a": 10, "c": 3} and len(view) == 2 and "b" not in view
    assert base == {"a": 1, "b": 2}, "nothing reaches the base before apply"
    assert sorted(view.changes()) == [("a", 10), ("b", None), ("c", 3)]
    view.discard()
    assert dict(view) == base and len(view) == 2
    view["d"] = 4
    del view["a"]
    view.apply()
    assert base == {"b": 2, "d": 4} and view.changes() == [] and len(view) == 2
    with pytest.raises(KeyError):
        del view["missing"]


def test_a_changelog_record_reads_back_as_the_state_it_wrote():
    log = StateLog("g")
    assert log.topics["events"] == "g-events-changelog"
    for key, value in ((123456789, ["st1", "a1"]), ("ev1", {"seen": 1.5, "x": ["é"]})):
        k, v = StateLog.encode(key, value)
        log.apply("story-exact" if isinstance(key, int) else "events", k, v)
    assert log.tables["story-exact"] == {123456789: ["st1", "a1"]}
    assert log.tables["events"] == {"ev1": {"seen": 1.5, "x": ["é"]}}
    k, v = StateLog.encode("ev1", None)
    assert v is None
    log.apply("events", k, v)
    assert log.tables["events"] == {}


def test_a_record_fits_a_topic_with_its_batch_overhead():
    assert fits(Output("alerts", b"k" * 10, b"v" * 100), 1000)
    assert not fits(Output("alerts", b"k" * 10, b"v" * 990), 1000)


class _Producer:
    """Records what a transaction would write; `refuse` makes sends to that topic fail the
    way the broker refuses a record larger than the topic accepts."""

    def __init__(self, refuse: str | None = None) -> None:
        self.refuse = refuse
        self.open: list | None = None
        self.committed: list[list] = []
        self.aborted = 0
        self.offsets = None
        self.headers: list[tuple[str, list]] = []  # (topic, headers) of every send

    async def begin_transaction(self):
        self.open = []

    async def send(self, topic, value, key=None, headers=None):
        self.headers.append((topic, headers))
        future = asyncio.get_running_loop().create_future()
        if topic == self.refuse:
            future.set_exception(MessageSizeTooLargeError())
        else:
            future.set_result(None)
        self.open.append((topic, key, value))
        return future

    async def send_offsets_to_transaction(self, offsets, group):
        self.offsets = offsets

    async def commit_transaction(self):
        self.committed.append(self.open)
        self.open = None

    async def abort_transaction(self):
        self.aborted += 1
        self.open = None


def _stage() -> StoriesStage:
    def handle(book, record):
        book.stories[record.value.decode()] = {"offset": record.offset}
        return [
            Output("articles.enriched", record.key, record.value),
            Output("alerts", record.key, b"{}", (("trace-id", record.value),)),
        ]

    def dead(record, output, limit):
        return Output("articles.dlq", output.key, b"too large")

    def give_up(record, error):
        return Output("articles.dlq", record.key, error.encode())

    stage = StoriesStage(Settings(), "g", handle, dead, give_up, dict, 10**6)
    stage.ledger = AlertLedger()
    return stage


def _messages(*values: str) -> list:
    return [
        SimpleNamespace(partition=0, offset=n, key=b"k%d" % n, value=v.encode(), headers=())
        for n, v in enumerate(values)
    ]


def test_a_committed_batch_writes_its_outputs_state_and_offset_together():
    stage, producer = _stage(), _Producer()
    asyncio.run(stage._transact(producer, _messages("s1", "s2")))
    [written] = producer.committed
    topics = [t for t, _k, _v in written]
    assert topics.count("articles.enriched") == 2 and topics.count("alerts") == 2
    changelog = [
        (json.loads(k), json.loads(v)) for t, k, v in written if t == "g-stories-changelog"
    ]
    assert changelog == [("s1", {"offset": 0}), ("s2", {"offset": 1})]
    assert list(producer.offsets.values())[0].offset == 2 and stage.position == 2
    assert stage.state.tables["stories"] == {"s1": {"offset": 0}, "s2": {"offset": 1}}


def test_a_refused_write_aborts_the_batch_and_leaves_the_state_as_it_was():
    stage, producer = _stage(), _Producer(refuse="alerts")
    with pytest.raises(MessageSizeTooLargeError):
        asyncio.run(stage._transact(producer, _messages("s1")))
    stage._rollback()
    assert producer.committed == [] and producer.aborted == 1 and producer.offsets is None
    assert stage.state.tables["stories"] == {} and len(stage.book.stories) == 0
    assert stage.position is None


def test_an_output_over_the_topic_limit_is_dead_lettered_in_the_same_transaction():
    stage, producer = _stage(), _Producer()
    stage._limits = {"alerts": 100}
    asyncio.run(stage._transact(producer, _messages("s1")))
    [written] = producer.committed
    assert [t for t, _k, _v in written][:2] == ["articles.enriched", "articles.dlq"]


def test_a_batch_that_failed_is_retried_one_record_at_a_time():
    stage, producer = _stage(), _Producer()
    stage._failures[0] = 1
    asyncio.run(stage._transact(producer, _messages("s1", "s2", "s3")))
    assert stage.position == 1, "only the first record; the loop goes back for the rest"
    assert stage._failures == {}


def test_outputs_are_sent_with_their_headers_and_state_records_as_json():
    stage, producer = _stage(), _Producer()
    asyncio.run(stage._transact(producer, _messages("s1")))
    sent = dict(producer.headers)
    assert sent["alerts"] == [("trace-id", b"s1")]
    assert sent["g-stories-changelog"] == [("content-type", b"application/json")]


def test_a_record_whose_batch_failed_too_often_is_dead_lettered_and_the_stage_goes_on():
    stage, producer = _stage(), _Producer()
    stage._failures[0] = MAX_ATTEMPTS
    asyncio.run(stage._transact(producer, _messages("s1", "s2")))
    [written] = producer.committed
    assert [(t, v) for t, _k, v in written] == [("articles.dlq", b"gave up after 5 attempts")]
    assert stage.position == 1 and stage._failures == {}
    assert stage.state.tables["stories"] == {}, "the record given up on placed nothing"


class _Arriving:
    """A consumer whose records arrive in the pieces given, one piece per getmany."""

    def __init__(self, *pieces: list) -> None:
        self.pieces = list(pieces)
        self.calls = 0

    async def getmany(self, tp, timeout_ms, max_records):
        self.calls += 1
        if not self.pieces:
            await asyncio.sleep(timeout_ms / 1000)
            return {}
        piece = self.pieces.pop(0)[:max_records]
        return {tp: piece} if piece else {}


def test_the_stage_gathers_what_arrives_within_its_linger_into_one_transaction():
    from dataclasses import replace

    stage = _stage()
    stage.position = 0
    pieces = [_messages("a", "b")[:1], _messages("a", "b")[1:]]
    stage.settings = replace(stage.settings, stories_linger_ms=200)
    gathered = asyncio.run(stage._gather(_Arriving(*pieces)))
    assert [m.offset for m in gathered] == [0, 1]

    stage.settings = replace(stage.settings, stories_linger_ms=0)
    pieces = [_messages("a", "b")[:1], _messages("a", "b")[1:]]
    gathered = asyncio.run(stage._gather(_Arriving(*pieces)))
    assert [m.offset for m in gathered] == [0], "no linger: the first piece alone"


def test_a_new_owner_decides_as_the_owner_before_it_did_after_a_sweep():
    """The tables a new owner reads back are its predecessor's (one transaction per batch): an
    event the alerts topic names and the tables lack was swept (no report within the event
    window). A late report of it must then be decided as an uninterrupted worker decides it,
    not joined to the event read back from its alert."""
    from datetime import UTC, datetime

    from streams.stage import StateLog
    from tests.unit.test_stories import TROOPS, article

    reported = datetime(2024, 10, 20, tzinfo=UTC)
    now = datetime(2026, 11, 30, tzinfo=UTC)
    first = article(TROOPS, "outlet-a", published=reported)
    later = article("Russia and North Korea signed a treaty on mutual defence in Pyongyang.",
                    "outlet-b", published=datetime(2026, 11, 28, tzinfo=UTC))  # fmt: skip
    late = article(TROOPS + " More.", "outlet-c", published=reported)

    before = _stage()  # the owner before the takeover, uninterrupted
    said = []
    for a in (first, later):
        said += before.book.place(a, now)[1]
        for overlay in before.overlays.values():
            overlay.apply()  # committed
    assert [a.kind for a in said] == ["new", "new"]
    assert said[0].event_id not in before.state.tables["events"], "the 2024 event was swept"

    after = _stage()  # reads the changelogs and the alerts topic
    for name, table in before.state.tables.items():
        for key, value in table.items():
            after.state.apply(name, *StateLog.encode(key, value))
    after.ledger.fold(a.to_bytes() for a in said)
    after._prepare()

    kept = [(a.kind, a.alert_id) for a in before.book.place(late, now)[1]]
    taken = [(a.kind, a.alert_id) for a in after.book.place(late, now)[1]]
    assert taken == kept


def test_a_new_owner_whose_changelogs_were_lost_adopts_every_alerted_event():
    """Empty tables and alerts on the topic (the changelog topics deleted, or written before the
    stage was transactional): the alerted events come back from the alerts, and a report of
    one of them corroborates it."""
    from datetime import UTC, datetime

    from tests.unit.test_stories import TROOPS, article

    reported = datetime(2024, 10, 20, tzinfo=UTC)
    before = _stage()
    said = before.book.place(article(TROOPS, "outlet-a", published=reported), reported)[1]
    after = _stage()
    after.ledger.fold(a.to_bytes() for a in said)
    after._prepare()
    assert set(after.book.events.events) == {a.event_id for a in said}
    assert after.book._watermark is not None, "the adopted events give the latest event time"
    again = after.book.place(article(TROOPS + " More.", "outlet-b", published=reported), reported)
    assert [(a.kind, a.alert_id) for a in again[1]] == [("corroborated", said[0].alert_id)]
