"""The stories stage as one Kafka transaction per batch: state, outputs and offsets together.

The stories stage decides what is `new`, so what it has recorded and what it has said must
never disagree. Each batch of `articles.analyzed` records is processed against the state held
in memory, and then, in one Kafka transaction of a producer whose transactional id belongs to
the partition (`<group>-stories-0`; the group, like every topic, behind the settings' prefix):

- the enriched records, the alerts and any dead letters the batch gave,
- the changes the batch made to the state (the compacted changelog topics of the story index,
  the stories and the known events),
- the input offset after the batch (committed for the group, `send_offsets_to_transaction`).

Either all of it is on the broker or none of it counts: a batch that fails (the broker refuses
a record, the broker goes away, the worker is killed) leaves the state as it was before the
batch (its changes are held in an `Overlay` until the commit) and is processed again from its
first record. Records are processed strictly in offset order, always.

Fencing: a worker that takes the partition over starts a producer with the same transactional
id, which aborts whatever the previous owner left open and makes every later write of that
owner fail (`ProducerFenced`): a paused worker (SIGSTOP, a long GC pause) that wakes up after
its partition moved can raise nothing. Only after that does the new owner read the state's
changelogs and the alert ledger (read_committed, from where it last stopped: a rebalance costs
what was written since, not the whole history) and start from the group's committed offset.

Readers of `alerts` and `articles.enriched` must use `isolation.level=read_committed` (kcat and
librdkafka clients do by default; kafka-python and aiokafka do not) to skip records of aborted
batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError, ProducerFenced
from aiokafka.structs import OffsetAndMetadata, TopicPartition

from axiswatch import clients
from axiswatch.ledger import AlertLedger
from axiswatch.settings import Settings
from schemas.headers import record_headers
from streams.delivery import Record
from streams.stories import StoryBook

__all__ = ["Output", "Overlay", "StateLog", "StoriesStage", "fits"]

log = logging.getLogger("axiswatch.stories")

TABLES = ("story-exact", "stories", "events")  # the StoryBook's state, in this order
BATCH = 500  # records per transaction at most
BATCH_BYTES = 1_048_576  # a producer batch at most (Kafka's default max.message.bytes, 1 MiB)
RECORD_OVERHEAD = (
    128  # bytes a one-record batch takes besides its key and value (61 + a record header)
)
MAX_ATTEMPTS = 5  # a record whose transaction failed this often alone is dead-lettered
# How long one batch's transaction may take before the stage starts again (its transaction
# times out on the broker after 60 s, transaction_timeout_ms below).
BATCH_DEADLINE_SECONDS = 90.0
STALL_SECONDS = 60.0  # reading a topic to its end without any progress this long: retried


@dataclass(frozen=True, slots=True)
class Output:
    """One record a handler wants written."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


def fits(output: Output, limit: int) -> bool:
    """Whether `output` is within a topic's `max.message.bytes` (with a record's overhead)."""
    size = len(output.key or b"") + len(output.value) + RECORD_OVERHEAD
    size += sum(len(name) + len(value) for name, value in output.headers)
    return size <= limit


_GONE = object()


class Overlay(MutableMapping):
    """A mapping whose writes are held back from `base` until `apply()`; `discard()` forgets
    them. Reads see the held writes first. `changes()` are the held writes (None: deleted)."""

    def __init__(self, base: MutableMapping[Any, Any]) -> None:
        self.base = base
        self._pending: dict[Any, Any] = {}
        self._delta = 0  # len(self) - len(base)

    def __getitem__(self, key: Any) -> Any:
        if key in self._pending:
            value = self._pending[key]
            if value is _GONE:
                raise KeyError(key)
            return value
        return self.base[key]

    def __contains__(self, key: object) -> bool:
        if key in self._pending:
            return self._pending[key] is not _GONE
        return key in self.base

    def __setitem__(self, key: Any, value: Any) -> None:
        if key not in self:
            self._delta += 1
        self._pending[key] = value

    def __delitem__(self, key: Any) -> None:
        if key not in self:
            raise KeyError(key)
        self._pending[key] = _GONE
        self._delta -= 1

    def __iter__(self) -> Iterator[Any]:
        pending = self._pending
        for key in list(self.base):
            if key not in pending:
                yield key
        for key, value in list(pending.items()):
            if value is not _GONE:
                yield key

    def __len__(self) -> int:
        return len(self.base) + self._delta

    def changes(self) -> list[tuple[Any, Any]]:
        return [(k, None if v is _GONE else v) for k, v in self._pending.items()]

    def apply(self) -> None:
        for key, value in self._pending.items():
            if value is _GONE:
                self.base.pop(key, None)
            else:
                self.base[key] = value
        self.discard()

    def discard(self) -> None:
        self._pending.clear()
        self._delta = 0


class StateLog:
    """The stage's tables as plain dicts, each mirrored by a compacted changelog topic
    (`<group>-<table>-changelog`, one partition; keys and values JSON, a null value deletes).
    `positions` says how far each changelog has been read into the dicts."""

    def __init__(self, group: str, names: tuple[str, ...] = TABLES) -> None:
        self.topics = {name: f"{group}-{name}-changelog" for name in names}
        self.tables: dict[str, dict] = {name: {} for name in names}
        self.positions: dict[str, int] = {name: 0 for name in names}

    def apply(self, name: str, key: bytes | None, value: bytes | None) -> None:
        if key is None:
            return
        decoded = json.loads(key)
        if isinstance(decoded, list):  # a JSON array key stands for a tuple key
            decoded = tuple(decoded)
        table = self.tables[name]
        if value is None:
            table.pop(decoded, None)
        else:
            table[decoded] = json.loads(value)

    @staticmethod
    def encode(key: Any, value: Any) -> tuple[bytes, bytes | None]:
        encoded = json.dumps(key, separators=(",", ":")).encode()
        if value is None:
            return encoded, None
        return encoded, json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class StoriesStage:
    """Runs the stories stage while this worker holds `articles.analyzed`'s partition.

    `handle(book, record)` places one record with `book` and returns what to write;
    `oversize(record, output, limit)` returns what to write instead of an output the topic
    would refuse (a dead letter); `give_up(record, error)` the dead letter of a record whose
    batch failed MAX_ATTEMPTS times on its own; `limits()` gives each output topic's
    `max.message.bytes`."""

    def __init__(
        self,
        settings: Settings,
        group: str,
        handle: Callable[[StoryBook, Record], list[Output]],
        oversize: Callable[[Record, Output, int], Output],
        give_up: Callable[[Record, str], Output],
        limits: Callable[[], dict[str, int]],
        max_request_size: int,
        prepare_topics: Callable[[list[str]], None] = lambda topics: None,
        owned: Callable[[], bool] = lambda: True,
    ) -> None:
        self.settings = settings
        self.group = group
        self.handle = handle
        self.oversize = oversize
        self.give_up = give_up
        self.limits = limits
        self.max_request_size = max_request_size
        self.prepare_topics = prepare_topics
        self.owned = owned
        self.state = StateLog(group)
        self.overlays = {name: Overlay(table) for name, table in self.state.tables.items()}
        self.book = StoryBook(
            self.overlays["story-exact"],
            {},  # the LSH index: derived from the stories, rebuilt on every start
            self.overlays["stories"],
            self.overlays["events"],
            settings.stories,
        )
        self.ledger = AlertLedger()
        self.tp = TopicPartition(settings.names.analyzed, 0)
        self.position: int | None = None  # the next offset to process
        self.batches = 0  # committed transactions (for tests and logs)
        self.fenced = 0
        self._task: asyncio.Task | None = None
        self._limits: dict[str, int] = {}
        self._failures: dict[int, int] = {}  # first offset of a failed batch -> failures

    # -- ownership -----------------------------------------------------------------------------

    def start(self) -> None:
        """(Re)start: after every assignment that includes the partition."""
        self.stop_nowait()
        self._task = asyncio.ensure_future(self._supervise())

    def stop_nowait(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(task), timeout=10)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _supervise(self) -> None:
        while True:
            # Starting the producer fences whoever else holds the transactional id: do it only
            # while the group says the partition is ours (a stale owner that was fenced waits
            # for its rebalance, which stops this task or starts a fresh one).
            while not self.owned():
                await asyncio.sleep(1)
            try:
                await self._run()
            except asyncio.CancelledError:
                raise
            except ProducerFenced:
                # Another worker took the partition over. If the group still gives it to us,
                # the next assignment restarts us; if nothing does within 20 s, the fence came
                # from elsewhere (a transaction timed out): start again.
                self.fenced += 1
                log.warning("the stories stage was fenced by a newer owner; standing by")
                await asyncio.sleep(20)
            except Exception as exc:  # noqa: BLE001 - the stage must not die
                log.warning("the stories stage stopped (%r); starting again in 2 s", exc)
                await asyncio.sleep(2)

    # -- the loop ------------------------------------------------------------------------------

    def _producer(self) -> AIOKafkaProducer:
        return clients.aio_producer(
            self.settings.kafka,
            transactional_id=f"{self.group}-stories-{self.tp.partition}",
            enable_idempotence=True,
            acks="all",
            max_request_size=self.max_request_size,
            request_timeout_ms=120_000,
            transaction_timeout_ms=60_000,
            linger_ms=5,
            # Batches of many records: a record is 10-15 KB, and with the client's default of
            # 16 KB every record went in a batch, and mostly a request, of its own. A batch of
            # several records must not be over the smallest topic limit either.
            max_batch_size=max(1024, min([BATCH_BYTES, *self._limits.values()]) - RECORD_OVERHEAD),
        )

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.prepare_topics, list(self.state.topics.values()))
        self._limits = await loop.run_in_executor(None, self.limits)
        producer = self._producer()
        consumer: AIOKafkaConsumer | None = None
        try:
            await producer.start()  # InitProducerId: fences the previous owner, aborts its batch
            started = time.monotonic()
            await self.catch_up()
            self._prepare()
            consumer = clients.aio_consumer(
                self.settings.kafka,
                group_id=self.group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                isolation_level="read_committed",
            )
            await consumer.start()
            consumer.assign([self.tp])
            committed = await consumer.committed(self.tp)
            if committed is None:
                await consumer.seek_to_beginning(self.tp)
            else:
                consumer.seek(self.tp, committed)
            self.position = await consumer.position(self.tp)
            log.info(
                "took the stories partition at offset %d in %.1f s: %d event(s) alerted, "
                "%d stories, %d events, %d LSH keys",
                self.position,
                time.monotonic() - started,
                len(self.ledger.records),
                len(self.book.stories),
                len(self.book.events.events),
                len(self.book.bands),
            )
            while True:
                messages = await self._gather(consumer)
                if not messages:
                    continue
                try:
                    # A batch that neither commits nor fails in time (a client stuck after
                    # the broker went away) is given up: the broker aborts its transaction
                    # anyway after transaction_timeout_ms, and a fresh start takes it again.
                    async with asyncio.timeout(BATCH_DEADLINE_SECONDS):
                        await self._transact(producer, messages)
                    if self.position <= messages[-1].offset:  # a batch cut short: go back
                        consumer.seek(self.tp, self.position)
                except asyncio.CancelledError:
                    self._rollback()
                    raise
                except Exception as exc:
                    self._rollback()
                    if not _transient(exc):
                        first = messages[0].offset
                        self._failures[first] = self._failures.get(first, 0) + 1
                    raise
        finally:
            if consumer is not None:
                await _quietly(consumer.stop())
            await _quietly(producer.stop())

    async def _gather(self, consumer: AIOKafkaConsumer) -> list:
        """The next batch: what the partition has from `position`, then what else comes within
        the linger (settings.stories_linger_ms) after the first record, BATCH at most."""
        messages = await self._fetch(consumer, 500, BATCH)
        if not messages:
            return messages
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.stories_linger_ms / 1000
        while len(messages) < BATCH and (left := deadline - loop.time()) > 0:
            messages += await self._fetch(consumer, max(1, int(left * 1000)), BATCH - len(messages))
        return messages

    async def _fetch(self, consumer: AIOKafkaConsumer, timeout_ms: int, most: int) -> list:
        """Up to `most` records of the partition from `position` on (none read before it)."""
        batch = await consumer.getmany(self.tp, timeout_ms=timeout_ms, max_records=most)
        return [m for m in batch.get(self.tp, []) if m.offset >= self.position]

    async def _transact(self, producer: AIOKafkaProducer, messages: list) -> None:
        started = time.perf_counter()
        # A batch that failed before is retried one record at a time, so that one bad record
        # cannot hold the others back for long.
        failures = self._failures.get(messages[0].offset, 0)
        if failures:
            messages = messages[:1]
        await producer.begin_transaction()
        futures = []
        for message in messages:
            record = Record(
                self.tp.topic,
                message.partition,
                message.offset,
                message.key,
                message.value or b"",
                tuple(message.headers or ()),
            )
            if failures >= MAX_ATTEMPTS:
                log.error("%s[%d]@%d failed %d times: dead-lettered", *record.tp,
                          record.offset, failures)  # fmt: skip
                outputs = [self.give_up(record, f"gave up after {failures} attempts")]
            else:
                outputs = self.handle(self.book, record)
            for output in outputs:
                limit = min(self._limits.get(output.topic, self.max_request_size),
                            self.max_request_size)  # fmt: skip
                if not fits(output, limit):
                    output = self.oversize(record, output, limit)
                futures.append(
                    await producer.send(
                        output.topic, output.value, key=output.key, headers=list(output.headers)
                    )
                )
        state_headers = record_headers()  # JSON, of no model: the content type only
        for name, overlay in self.overlays.items():
            for key, value in overlay.changes():
                k, v = StateLog.encode(key, value)
                futures.append(
                    await producer.send(self.state.topics[name], v, key=k, headers=state_headers)
                )
        # Every write must be acknowledged before the commit: aiokafka commits a transaction
        # even when a record in it was refused (e.g. larger than the topic accepts), and the
        # state and offset would then count what the refused record said.
        results = await asyncio.gather(*futures, return_exceptions=True)
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            with contextlib.suppress(KafkaError):
                await producer.abort_transaction()
            raise failed[0]
        last = messages[-1].offset
        await producer.send_offsets_to_transaction(
            {self.tp: OffsetAndMetadata(last + 1, "")}, self.group
        )
        await producer.commit_transaction()
        for overlay in self.overlays.values():
            overlay.apply()
        self._failures.pop(messages[0].offset, None)
        self.position = last + 1
        self.batches += 1
        log.debug("committed %d record(s) in %.3f s", len(messages), time.perf_counter() - started)

    def _rollback(self) -> None:
        """Forget the state changes of a batch that did not commit. (What is derived from the
        state, the indexes and the alerted ids, is rebuilt when the loop starts again.)"""
        for overlay in self.overlays.values():
            overlay.discard()

    # -- catching up -----------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Derived state from the tables and the ledger: the events index, the alerted ids, the
        LSH index, the event-time watermark."""
        events = self.book.events
        events.rebuild_index()
        self.book._last_sweep = None
        watermark = self.book.restore_watermark()
        # Events on the alerts topic that the state lacks, within the event window of the
        # state's latest event time, were written before this stage kept state and outputs in
        # one transaction (or the changelogs were lost): recorded now, in the next transaction.
        # One older than that window was swept by the worker before: it stays forgotten, as
        # it would have for that worker (a late report of it is decided alike).
        horizon = None if watermark is None else watermark - events.config.window.total_seconds()
        adopted = events.adopt(
            ((k, dict(v)) for k, v in self.ledger.records.items()), since=horizon
        )
        if adopted:
            log.warning("%d alerted event(s) missing from the events table: adopted", adopted)
            self.book.restore_watermark()  # they count in the latest event time too
        events.said.clear()
        events.remember_said(self.ledger.records)
        self.book.rebuild_bands()

    async def catch_up(self) -> None:
        """Read the changelogs and the alerts topic, from where they were last read to their
        end (read_committed). No overall time limit: what was read stays read, and a retry
        goes on from there; only a read that makes no progress for STALL_SECONDS fails."""
        reader = clients.aio_consumer(
            self.settings.kafka,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
        )
        await reader.start()
        try:
            alerts_topic = self.settings.names.alerts
            known = await clients.aio_topic_partitions(
                reader, [*self.state.topics.values(), alerts_topic]
            )
            tables = {
                TopicPartition(topic, 0): name
                for name, topic in self.state.topics.items()
                if topic in known
            }
            alerts = [TopicPartition(alerts_topic, p) for p in known.get(alerts_topic, ())]
            parts = [*tables, *alerts]
            if not parts:
                return
            reader.assign(parts)
            starts = await reader.beginning_offsets(parts)
            for tp in parts:
                at = (
                    self.state.positions[tables[tp]]
                    if tp in tables
                    else self.ledger.positions.get(tp.partition, 0)
                )
                reader.seek(tp, max(at, starts.get(tp, 0)))
            ends = await reader.end_offsets(parts)
            progress_at = time.monotonic()
            while True:
                behind = [tp for tp in parts if await reader.position(tp) < ends[tp]]
                if not behind:
                    break
                batch = await reader.getmany(*behind, timeout_ms=500, max_records=5000)
                if batch:
                    progress_at = time.monotonic()
                elif time.monotonic() - progress_at > STALL_SECONDS:
                    raise TimeoutError(f"no progress reading {behind} for {STALL_SECONDS} s")
                for tp, messages in batch.items():
                    if tp in tables:
                        for m in messages:
                            self.state.apply(tables[tp], m.key, m.value)
                    else:
                        self.ledger.fold([m.value for m in messages])
                for tp in parts:
                    position = await reader.position(tp)
                    if tp in tables:
                        self.state.positions[tables[tp]] = position
                    else:
                        self.ledger.positions[tp.partition] = position
        finally:
            await _quietly(reader.stop())


def _transient(exc: BaseException) -> bool:
    """An error that says nothing about the batch (the broker away, a timeout)."""
    return getattr(exc, "retriable", False) or isinstance(
        exc, (KafkaConnectionError, KafkaTimeoutError, TimeoutError, OSError)
    )


async def _quietly(awaitable: Any) -> None:
    try:
        await asyncio.wait_for(awaitable, timeout=10)
    except (KafkaError, TimeoutError, OSError, RuntimeError) as exc:
        log.debug("closing a client: %r", exc)
