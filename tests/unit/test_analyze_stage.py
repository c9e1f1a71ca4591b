"""The analyze stage's batch: written, acknowledged, then committed; never past a record not done
(fake consumer and producer; the real broker runs in tests/integration/test_faults.py)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from aiokafka.errors import MessageSizeTooLargeError, RecordTooLargeError
from aiokafka.structs import TopicPartition

from axiswatch.settings import Settings
from streams.analyze_stage import AnalyzeStage
from streams.delivery import Record
from streams.stage import Output

RAW = TopicPartition("articles.raw", 0)
OTHER = TopicPartition("articles.raw", 1)


class FakeConsumer:
    def __init__(self, assigned: set[TopicPartition]) -> None:
        self.assigned = assigned
        self.seeks: list[tuple[TopicPartition, int]] = []
        self.commits: list[dict[TopicPartition, int]] = []

    def assignment(self) -> set[TopicPartition]:
        return self.assigned

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks.append((tp, offset))

    async def commit(self, offsets: dict) -> None:
        self.commits.append({tp: meta.offset for tp, meta in offsets.items()})


class FakeProducer:
    """Acknowledges every send, but refuses (at once, or on delivery) what `refuse` names."""

    def __init__(self, refuse_now: bytes = b"", refuse_later: bytes = b"") -> None:
        self.refuse_now, self.refuse_later = refuse_now, refuse_later
        self.sent: list[tuple[str, bytes]] = []

    async def send(
        self, topic: str, value: bytes, key: bytes | None, headers: list
    ) -> asyncio.Future:
        if self.refuse_now and self.refuse_now in value:
            raise MessageSizeTooLargeError("too big for a request")
        future = asyncio.get_running_loop().create_future()
        if self.refuse_later and self.refuse_later in value:
            future.set_exception(RecordTooLargeError("the topic refused it"))
        else:
            self.sent.append((topic, value))
            future.set_result(None)
        return future


def message(tp: TopicPartition, offset: int, value: bytes = b"article") -> SimpleNamespace:
    return SimpleNamespace(
        topic=tp.topic, partition=tp.partition, offset=offset, key=b"k", value=value, headers=[]
    )


def stage(drop_offsets: set[int] = frozenset()) -> AnalyzeStage:
    def handle(record: Record) -> list[Output]:
        return [Output("articles.analyzed", record.key, record.value + b"!")]

    def too_large(record: Record, output: Output, error: str) -> Output:
        return Output("articles.dlq", output.key, b"dead letter of %d" % record.offset)

    return AnalyzeStage(
        Settings(),
        group="g",
        topic="articles.raw",
        handle=handle,
        too_large=too_large,
        max_request_size=1 << 20,
        drop=lambda record: record.offset in drop_offsets,
    )


def run(stage_: AnalyzeStage, consumer: FakeConsumer, producer: FakeProducer, batches) -> None:
    asyncio.run(stage_._process(consumer, producer, batches))


def test_a_batch_is_written_then_committed_after_its_last_record():
    consumer, producer = FakeConsumer({RAW, OTHER}), FakeProducer()
    batches = {RAW: [message(RAW, n) for n in range(5, 8)], OTHER: [message(OTHER, 0)]}
    run(stage(), consumer, producer, batches)
    assert len(producer.sent) == 4
    assert consumer.commits == [{RAW: 8, OTHER: 1}]


def test_a_record_left_undone_holds_the_commit_and_is_read_again():
    consumer, producer = FakeConsumer({RAW}), FakeProducer()
    run(stage(drop_offsets={7}), consumer, producer, {RAW: [message(RAW, n) for n in range(5, 10)]})
    assert len(producer.sent) == 2  # offsets 5 and 6; 7 was not done, 8 and 9 wait for it
    assert consumer.commits == [{RAW: 7}]
    assert consumer.seeks == [(RAW, 7)]


def test_a_first_record_left_undone_commits_nothing():
    consumer, producer = FakeConsumer({RAW}), FakeProducer()
    run(stage(drop_offsets={5}), consumer, producer, {RAW: [message(RAW, 5), message(RAW, 6)]})
    assert consumer.commits == []
    assert consumer.seeks == [(RAW, 5)]


def test_outputs_refused_as_too_large_are_dead_lettered_and_the_batch_commits():
    consumer = FakeConsumer({RAW})
    producer = FakeProducer(refuse_now=b"huge", refuse_later=b"large")
    batch = [message(RAW, 1, b"huge"), message(RAW, 2, b"large"), message(RAW, 3)]
    run(stage(), consumer, producer, {RAW: batch})
    assert producer.sent == [
        ("articles.dlq", b"dead letter of 1"),
        ("articles.analyzed", b"article!"),
        ("articles.dlq", b"dead letter of 2"),
    ]
    assert consumer.commits == [{RAW: 4}]


def test_records_of_a_partition_revoked_since_the_fetch_are_left_to_its_new_owner():
    consumer, producer = FakeConsumer({OTHER}), FakeProducer()
    run(stage(), consumer, producer, {RAW: [message(RAW, 1)], OTHER: [message(OTHER, 4)]})
    assert producer.sent == [("articles.analyzed", b"article!")]
    assert consumer.commits == [{OTHER: 5}]
