"""The analyze stage's batch: written, acknowledged, then committed; never past a record not done
(fake consumer and producer; the real broker runs in tests/integration/test_faults.py)."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError, RecordTooLargeError
from aiokafka.structs import TopicPartition

from axiswatch.settings import Settings
from schemas.topics import Names
from streams.analyze import analyze_values
from streams.analyze_stage import CHUNK, AnalyzeStage, Offload
from streams.delivery import Record
from streams.handlers import Handlers
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


async def process(stage_: AnalyzeStage, consumer, producer, batches, pool=None) -> None:
    """One batch taken, written and committed, as the stage's loop does it."""
    taken = stage_._take(consumer, batches, pool)
    await stage_._settle(consumer, producer, await stage_._write(consumer, producer, taken))


def run(stage_: AnalyzeStage, consumer: FakeConsumer, producer: FakeProducer, batches) -> None:
    asyncio.run(process(stage_, consumer, producer, batches))


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


def shout(values: list[bytes]) -> list[bytes]:
    """A chunk's work in an analysis process (module-level: the process imports it)."""
    if b"poison" in values:
        raise RuntimeError("the analysis process failed")
    return [value.upper() for value in values]


def offloaded(processes: int = 1) -> AnalyzeStage:
    def finish(record: Record, result: bytes) -> list[Output]:
        return [Output("articles.analyzed", record.key, result)]

    stage_ = stage()
    stage_.offload = Offload(processes, compute=shout, finish=finish)
    return stage_


def run_in_pool(stage_: AnalyzeStage, consumer: FakeConsumer, producer: FakeProducer, batches):
    assert stage_.offload is not None
    with stage_.offload.pool() as pool:
        asyncio.run(process(stage_, consumer, producer, batches, pool))


def test_an_offloaded_batch_is_analyzed_in_chunks_and_written_in_offset_order():
    consumer, producer = FakeConsumer({RAW, OTHER}), FakeProducer()
    count = 2 * CHUNK + 3
    batches = {
        RAW: [message(RAW, n, b"raw %d" % n) for n in range(count)],
        OTHER: [message(OTHER, 0, b"other")],
    }
    run_in_pool(offloaded(), consumer, producer, batches)
    expected = [b"RAW %d" % n for n in range(count)] + [b"OTHER"]
    assert [value for _, value in producer.sent] == expected
    assert consumer.commits == [{RAW: count, OTHER: 1}]


def test_a_failed_analysis_process_fails_the_batch_and_commits_nothing():
    consumer, producer = FakeConsumer({RAW}), FakeProducer()
    batch = [message(RAW, 0), message(RAW, 1, b"poison")]
    with pytest.raises(RuntimeError, match="analysis process failed"):
        run_in_pool(offloaded(), consumer, producer, {RAW: batch})
    assert consumer.commits == []


def test_the_worker_analysis_in_a_process_writes_what_it_writes_in_the_loop(seed_text):
    raw = {
        "article_id": "a1",
        "title": "T",
        "body": seed_text,
        "fetched_at": "2026-11-30T12:00:00Z",
    }
    value = json.dumps(raw).encode()
    handlers = Handlers(Names())
    record = Record("articles.raw", 0, 7, b"a1", value, ())
    with Offload(1, compute=analyze_values, finish=handlers.analyzed).pool() as pool:
        [analyzed] = pool.submit(analyze_values, [value]).result(timeout=60)
    [in_pool] = handlers.analyzed(record, analyzed)
    [in_loop] = handlers.analyze(record)
    strip = re.compile(rb'"analyzed_at":"[^"]*"')
    assert strip.sub(b"", in_pool.value) == strip.sub(b"", in_loop.value)
    assert (in_pool.topic, in_pool.key, in_pool.headers) == (
        in_loop.topic, in_loop.key, in_loop.headers,
    )  # fmt: skip


POOL_THEN_WAIT = """
import sys, time
sys.path.insert(0, {root!r})
from streams.analyze_stage import Offload
from tests.unit.test_analyze_stage import shout

if __name__ == "__main__":
    pool = Offload(1, compute=shout, finish=None).pool()
    pool.submit(shout, [b"x"]).result(timeout=60)
    print(*pool._processes, flush=True)
    time.sleep(600)
"""


def test_an_analysis_process_ends_when_its_worker_is_killed(tmp_path):
    script = tmp_path / "pool_then_wait.py"
    script.write_text(POOL_THEN_WAIT.format(root=str(Path(__file__).parents[2])))
    worker = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        child = int(worker.stdout.readline())
        assert _alive(child)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        deadline = time.monotonic() + 20
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child)
    finally:
        worker.kill()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


class HeldProducer(FakeProducer):
    """Acknowledges nothing until `release()`; `fail` makes the acknowledgements fail."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[asyncio.Future] = []

    async def send(
        self, topic: str, value: bytes, key: bytes | None, headers: list
    ) -> asyncio.Future:
        self.sent.append((topic, value))
        future = asyncio.get_running_loop().create_future()
        self.held.append(future)
        return future

    def release(self, error: Exception | None = None) -> None:
        for future in self.held:
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)
        self.held.clear()


def test_the_next_batch_is_analyzed_while_the_last_is_acknowledged_and_commits_follow_in_order():
    async def scenario() -> tuple[list, list, list]:
        stage_, consumer, producer = stage(), FakeConsumer({RAW}), HeldProducer()
        await stage_._step(
            consumer, producer, stage_._take(consumer, {RAW: [message(RAW, 0, b"a")]})
        )
        await stage_._step(
            consumer, producer, stage_._take(consumer, {RAW: [message(RAW, 1, b"b")]})
        )
        sent_before_any_ack = list(producer.sent)
        commits_before = list(consumer.commits)
        producer.release()
        await stage_._drain()
        return sent_before_any_ack, commits_before, consumer.commits

    sent, commits_before, commits = asyncio.run(scenario())
    assert [value for _, value in sent] == [b"a!", b"b!"]
    assert commits_before == []
    assert commits == [{RAW: 1}, {RAW: 2}]


def test_at_most_two_batches_wait_for_acknowledgement_before_the_loop_waits_too():
    async def scenario() -> tuple[int, int]:
        stage_, consumer, producer = stage(), FakeConsumer({RAW}), HeldProducer()
        for n in range(2):
            await stage_._step(consumer, producer, stage_._take(consumer, {RAW: [message(RAW, n)]}))
        third = asyncio.ensure_future(
            stage_._step(consumer, producer, stage_._take(consumer, {RAW: [message(RAW, 2)]}))
        )
        await asyncio.sleep(0.05)
        sent_while_waiting = len(producer.sent)
        producer.release()
        await third
        producer.release()
        await stage_._drain()
        return sent_while_waiting, len(consumer.commits)

    sent_while_waiting, commits = asyncio.run(scenario())
    assert sent_while_waiting == 2
    assert commits == 3


def test_a_batch_whose_writes_failed_leaves_every_later_batch_uncommitted():
    async def scenario() -> tuple[list, BaseException | None]:
        stage_, consumer, producer = stage(), FakeConsumer({RAW}), HeldProducer()
        await stage_._step(consumer, producer, stage_._take(consumer, {RAW: [message(RAW, 0)]}))
        first = producer.held[:]
        producer.held.clear()
        await stage_._step(consumer, producer, stage_._take(consumer, {RAW: [message(RAW, 1)]}))
        producer.release()  # the second batch is acknowledged ...
        for future in first:  # ... the first is not
            future.set_exception(KafkaConnectionError("the broker went away"))
        await stage_._drain()
        try:
            stage_._settled()
        except KafkaConnectionError as exc:
            return consumer.commits, exc
        return consumer.commits, None

    commits, error = asyncio.run(scenario())
    assert commits == []
    assert isinstance(error, KafkaConnectionError)


def test_a_partition_revoked_between_taking_a_batch_and_writing_it_is_left_to_its_new_owner():
    async def scenario() -> tuple[list, list]:
        stage_, consumer, producer = stage(), FakeConsumer({RAW, OTHER}), FakeProducer()
        taken = stage_._take(consumer, {RAW: [message(RAW, 3)], OTHER: [message(OTHER, 7)]})
        consumer.assigned = {OTHER}  # a rebalance while the batch was being analyzed
        await stage_._settle(consumer, producer, await stage_._write(consumer, producer, taken))
        return producer.sent, consumer.commits

    sent, commits = asyncio.run(scenario())
    assert sent == [("articles.analyzed", b"article!")]
    assert commits == [{OTHER: 8}]


def test_batches_taken_into_the_pool_one_after_another_are_written_in_the_order_taken():
    async def scenario(stage_: AnalyzeStage, pool) -> list[bytes]:
        consumer, producer = FakeConsumer({RAW}), FakeProducer()
        first = stage_._take(
            consumer, {RAW: [message(RAW, n, b"a%d" % n) for n in range(20)]}, pool
        )
        second = stage_._take(consumer, {RAW: [message(RAW, 20, b"b")]}, pool)
        await stage_._step(consumer, producer, first)
        await stage_._step(consumer, producer, second)
        await stage_._drain()
        assert consumer.commits == [{RAW: 20}, {RAW: 21}]
        return [value for _, value in producer.sent]

    stage_ = offloaded()
    with stage_.offload.pool() as pool:
        written = asyncio.run(scenario(stage_, pool))
    assert written == [b"A%d" % n for n in range(20)] + [b"B"]
