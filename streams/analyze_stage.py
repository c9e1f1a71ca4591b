"""The analyze stage as a plain batched consumer and producer: no per-record framework work.

The analyze stage is stateless: a raw article in, an analyzed article (or a dead letter) out.
It runs in the worker's event loop as its own consumer group (`<prefix>axiswatch-analyze`),
reading `articles.raw` in batches:

1. `getmany` gives up to `BATCH` records;
2. each record is analyzed (`handle`: a plain function, no awaiting) and its outputs are handed
   to the producer without waiting for each one;
3. once every output of the batch is acknowledged by the broker (`acks=all`, an idempotent
   producer), the batch's offsets are committed. This goes on while the next batch is fetched
   and analyzed (at most SETTLING batches wait for it): commits are made in batch order, and a
   batch whose writes failed fails every batch after it, none of them committed.

At least once, never past a record not done: a record whose output cannot be written (the
broker gone) leaves the batch uncommitted and the stage starts again from the group's committed
offsets; an output over the producer's or the topic's limit is dead-lettered instead
(`too_large`). A record the fault injection drops (`drop`, settings.fault_drop_every) is not
done: the offsets stop before it and the partition is read again from it. A rebalance waits for
the batch in hand to be written and committed before the partitions move.

With `Offload` (the worker's default on a machine of two cores or more,
`AXISWATCH_ANALYZE_PROCESSES`), the analysis runs in processes of its own: a batch goes to them
in chunks, and the outputs of one chunk are handed to the producer while the next is analyzed.
The event loop keeps the Kafka clients and the stories stage; the analysis, most of the CPU,
runs beside it. A process that dies fails the batch, which is then done again from the committed
offsets by a fresh pool.

Outputs are keyed by the article id, and the stories stage knows the articles it has placed:
a record analyzed twice (after a crash between the writes and the commit) raises nothing twice.

On its first start a group has no offsets; the stage then starts each partition where the
worker group left it (`settings.names.worker_group`, which read `articles.raw` before this
stage existed), else at the earliest record.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.errors import MessageSizeTooLargeError, RecordTooLargeError
from aiokafka.structs import OffsetAndMetadata, TopicPartition

from axiswatch import clients, metrics
from axiswatch.settings import Settings
from streams.delivery import Record
from streams.stage import BATCH_BYTES, RECORD_OVERHEAD, Output

__all__ = ["AnalyzeStage", "Offload"]

log = logging.getLogger("axiswatch.analyze")

BATCH = 200  # records per batch at most
SETTLING = 2  # batches whose outputs may be waiting for acknowledgement while the next is read
POLL_MS = 100  # how long a batch waits for its first record
CHUNK = 16  # records per task given to the analysis processes
RESTART_BACKOFF = (1.0, 30.0)  # seconds before the stage starts again after a failure
_TOO_LARGE = (MessageSizeTooLargeError, RecordTooLargeError)

# Analyzes one record: what to write (analyzed article or dead letter). Never raises.
Handle = Callable[[Record], list[Output]]
# A dead letter for a record whose output the producer or the broker refused as too large.
TooLarge = Callable[[Record, Output, str], Output]


@dataclass(frozen=True)
class Offload:
    """The analysis in `processes` processes of its own: `compute` (a module-level function,
    run there) turns a chunk of record values into picklable results, `finish` (run here) turns
    one record's result into its outputs; `initializer` prepares each process."""

    processes: int
    compute: Callable[[list[bytes | None]], list[Any]]
    finish: Callable[[Record, Any], list[Output]]
    initializer: Callable[[], None] | None = None

    def pool(self) -> ProcessPoolExecutor:
        # spawn: a fork of a process running an event loop and client threads is not safe.
        return ProcessPoolExecutor(
            self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=functools.partial(_in_analysis_process, self.initializer),
        )


def _in_analysis_process(initializer: Callable[[], None] | None) -> None:
    """Prepares an analysis process: it ends when the worker does. (A pool's process outlives
    a worker killed with SIGKILL otherwise, waiting on a queue it holds both ends of.)"""
    parent = multiprocessing.parent_process()
    if parent is not None:
        sentinel = parent.sentinel

        def watch() -> None:
            multiprocessing.connection.wait([sentinel])
            os._exit(0)

        threading.Thread(target=watch, name="axiswatch-parent-watch", daemon=True).start()
    if initializer is not None:
        initializer()


class AnalyzeStage:
    """Reads `topic` as `group`, writes what `handle` gives; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        *,
        group: str,
        topic: str,
        handle: Handle,
        too_large: TooLarge,
        max_request_size: int,
        drop: Callable[[Record], bool] = lambda record: False,
        previous_group: str | None = None,
        batch: int = BATCH,
        offload: Offload | None = None,
    ) -> None:
        self.settings = settings
        self.group = group
        self.topic = topic
        self.handle = handle
        self.too_large = too_large
        self.max_request_size = max_request_size
        self.drop = drop
        self.previous_group = previous_group
        self.batch = batch
        self.offload = offload if offload is not None and offload.processes > 0 else None
        self._task: asyncio.Task | None = None
        self._lock = asyncio.Lock()  # held while a batch is analyzed and handed to the producer
        # The batches handed over whose acknowledgements and commit are under way, oldest first.
        self._settling: collections.deque[asyncio.Task] = collections.deque()
        self._stopping = False

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.ensure_future(self._supervise())

    async def stop(self) -> None:
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _supervise(self) -> None:
        delay = RESTART_BACKOFF[0]
        while not self._stopping:
            started = time.monotonic()
            try:
                await self._run()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the broker away, a send failed: start again
                log.warning("analyze stage failed (%s: %s); starting again from the committed "
                            "offsets in %.0f s", type(exc).__name__, exc, delay)  # fmt: skip
                await asyncio.sleep(delay)
                ran = time.monotonic() - started
                delay = RESTART_BACKOFF[0] if ran > 60 else min(delay * 2, RESTART_BACKOFF[1])

    # ------------------------------------------------------------------ the loop
    async def _run(self) -> None:
        kafka = self.settings.kafka
        consumer = clients.aio_consumer(
            kafka,
            group_id=self.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=self.max_request_size,
            fetch_max_bytes=max(self.max_request_size, 52_428_800),
            session_timeout_ms=10_000,
            heartbeat_interval_ms=2_000,
        )
        producer = clients.aio_producer(
            kafka,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            # Batches of many records (an analyzed article is 10-15 KB; the client's default
            # batch of 16 KB made a request per record), within Kafka's default topic limit.
            max_batch_size=BATCH_BYTES - RECORD_OVERHEAD,
            max_request_size=self.max_request_size,
        )
        pool = self.offload.pool() if self.offload else None
        await producer.start()
        try:
            if pool is not None:  # the processes ready before the first batch
                await asyncio.gather(*(
                    asyncio.wrap_future(pool.submit(_ready)) for _ in range(self.offload.processes)
                ))  # fmt: skip
            consumer.subscribe([self.topic], listener=_Listener(self, consumer))
            await consumer.start()
            ahead: _Taken | None = None  # a batch in the analysis processes, not yet written
            taken: _Taken | None = None
            try:
                while not self._stopping:
                    batches = await consumer.getmany(
                        timeout_ms=0 if ahead else POLL_MS, max_records=self.batch
                    )
                    # The next batch goes to the analysis processes before the one ahead of it
                    # is written, so that they never wait for the loop.
                    taken = self._take(consumer, batches, pool) if batches else None
                    if ahead is not None:
                        await self._step(consumer, producer, ahead)
                    else:
                        self._settled()
                    ahead, taken = taken, None
                await self._drain()  # stopping: what was written is committed
            finally:
                for batch in (ahead, taken):  # analyzed but not written: read again next time
                    if batch is not None:
                        batch.cancel()
                for task in self._settling:  # a failure: nothing after it commits
                    task.cancel()
                self._settling.clear()
                await consumer.stop()
        finally:
            await producer.stop()
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    async def _step(
        self, consumer: AIOKafkaConsumer, producer: AIOKafkaProducer, taken: _Taken
    ) -> None:
        """One batch of the loop: its outputs handed to the producer now; acknowledged and
        committed while the loop goes on, after the batches before it."""
        self._settled()
        while len(self._settling) >= SETTLING:
            await self._settling[0]
            self._settled()
        async with self._lock:
            written = await self._write(consumer, producer, taken)
            after = self._settling[-1] if self._settling else None
            task = asyncio.ensure_future(self._settle(consumer, producer, written, after))
            # A failure is raised by the loop (`_settled`) once, from the oldest batch it failed.
            task.add_done_callback(_seen)
            self._settling.append(task)

    def _settled(self) -> None:
        """Forget the batches done; raise what the oldest failed batch met."""
        while self._settling and self._settling[0].done():
            self._settling.popleft().result()

    async def _drain(self) -> None:
        """Wait for every batch handed over to be committed (or to fail: the loop raises it)."""
        if self._settling:
            await asyncio.wait(list(self._settling))

    def _take(
        self,
        consumer: AIOKafkaConsumer,
        batches: dict[TopicPartition, Sequence[Any]],
        pool: ProcessPoolExecutor | None = None,
    ) -> _Taken:
        """A fetched batch's records, up to any left undone, with their analysis under way
        (in the pool), and the offsets to commit once they are written."""
        assigned = consumer.assignment()
        commits: dict[TopicPartition, OffsetAndMetadata] = {}
        records: list[Record] = []
        for tp, messages in batches.items():
            if tp not in assigned:
                continue  # revoked since it was fetched: its new owner reads it
            next_offset = None
            for message in messages:
                record = Record(
                    message.topic,
                    message.partition,
                    message.offset,
                    message.key,
                    message.value if message.value is not None else b"",
                    tuple(message.headers or ()),
                )
                if self.drop(record):
                    # Not done: stop before it and read the partition again from it.
                    consumer.seek(tp, record.offset)
                    metrics.REREAD.labels(topic=record.topic).inc()
                    log.warning(
                        "%s[%d]@%d left undone; reading again from offset %d",
                        tp.topic, tp.partition, record.offset, record.offset,
                    )  # fmt: skip
                    break
                records.append(record)
                next_offset = record.offset + 1
            if next_offset is not None:
                commits[tp] = OffsetAndMetadata(next_offset, "")
        return _Taken(self._analyses(records, pool), commits)

    async def _write(
        self, consumer: AIOKafkaConsumer, producer: AIOKafkaProducer, taken: _Taken
    ) -> _Written:
        """Hand a batch's outputs to the producer as its analysis gives them, in offset order:
        what was sent, and the offsets to commit once it is acknowledged. Records of partitions
        revoked since they were taken are left to their new owner."""
        assigned = consumer.assignment()
        commits = {tp: meta for tp, meta in taken.commits.items() if tp in assigned}
        sent: list[tuple[Record, Output, asyncio.Future]] = []
        try:
            for chunk, job in taken.jobs:
                if isinstance(job, asyncio.Future):  # analyzed in the pool
                    assert self.offload is not None
                    finish, results = self.offload.finish, await job
                    outputs = [finish(r, res) for r, res in zip(chunk, results, strict=True)]
                else:
                    outputs = [self.handle(record) for record in chunk]
                for record, record_outputs in zip(chunk, outputs, strict=True):
                    if record.tp not in commits:
                        continue
                    for output in record_outputs:
                        sent.append((record, output, await self._send(producer, record, output)))
        finally:
            taken.cancel()  # what a failure left running is dropped, not awaited
        return _Written(sent, commits)

    async def _settle(
        self,
        consumer: AIOKafkaConsumer,
        producer: AIOKafkaProducer,
        written: _Written,
        after: asyncio.Future | None = None,
    ) -> None:
        """Commit a batch once every output is acknowledged (or, refused as too large,
        dead-lettered), and not before the batch `after` is committed."""
        for record, output, future in written.sent:
            try:
                await future
            except _TOO_LARGE as exc:
                dead = self.too_large(record, output, str(exc)[:1000])
                await (await self._send(producer, record, dead))
        if after is not None:
            await after  # its failure is this batch's too: nothing after it commits
        if written.commits:
            await consumer.commit(written.commits)

    def _analyses(
        self, records: list[Record], pool: ProcessPoolExecutor | None
    ) -> list[tuple[list[Record], asyncio.Future | None]]:
        """The records in chunks, each with its analysis under way in the pool (every chunk
        handed over at once: the processes work while the loop writes what is done), or with
        None when the analysis is done here."""
        if pool is None or self.offload is None:
            return [(records, None)]
        loop = asyncio.get_running_loop()
        compute = self.offload.compute
        return [
            (chunk, loop.run_in_executor(pool, compute, [r.value for r in chunk]))
            for chunk in (records[i : i + CHUNK] for i in range(0, len(records), CHUNK))
        ]

    async def _send(
        self, producer: AIOKafkaProducer, record: Record, output: Output
    ) -> asyncio.Future:
        """Hands `output` to the producer; the future of its acknowledgement. An output the
        producer refuses at once for its size is dead-lettered instead."""
        try:
            return await producer.send(
                output.topic, value=output.value, key=output.key, headers=list(output.headers)
            )
        except _TOO_LARGE as exc:
            dead = self.too_large(record, output, str(exc)[:1000])
            return await producer.send(
                dead.topic, value=dead.value, key=dead.key, headers=list(dead.headers)
            )

    async def _start_where_the_worker_group_stopped(
        self, consumer: AIOKafkaConsumer, partitions: set[TopicPartition]
    ) -> None:
        """Partitions this group never committed start at the worker group's offset (the group
        that read `articles.raw` before this stage had its own), so an upgrade re-reads
        nothing; with neither, they start at the earliest record."""
        if not self.previous_group:
            return
        fresh = [tp for tp in partitions if await consumer.committed(tp) is None]
        if not fresh:
            return
        offsets = await asyncio.to_thread(_group_offsets, self.settings, self.previous_group)
        for tp in fresh:
            offset = offsets.get((tp.topic, tp.partition))
            if offset is not None and offset >= 0:
                consumer.seek(tp, offset)
                log.info("%s[%d]: starting at %d, where %s stopped", tp.topic, tp.partition,
                         offset, self.previous_group)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Taken:
    """A batch taken from the consumer: its records in chunks, each with its analysis under
    way in the pool (None: analyzed when written), and the offsets to commit once written."""

    jobs: list[tuple[list[Record], asyncio.Future | None]]
    commits: dict[TopicPartition, OffsetAndMetadata]

    def cancel(self) -> None:
        for _, job in self.jobs:
            if isinstance(job, asyncio.Future):
                job.cancel()


@dataclass(frozen=True, slots=True)
class _Written:
    """A batch handed to the producer: each output with its acknowledgement, and the offsets
    to commit after them."""

    sent: list[tuple[Record, Output, asyncio.Future]]
    commits: dict[TopicPartition, OffsetAndMetadata]


def _seen(task: asyncio.Future) -> None:
    """Marks a task's exception as retrieved (the batches after a failed one fail with it)."""
    if not task.cancelled():
        task.exception()


def _ready() -> bool:
    return True


class _Listener(ConsumerRebalanceListener):
    def __init__(self, stage: AnalyzeStage, consumer: AIOKafkaConsumer) -> None:
        self.stage, self.consumer = stage, consumer

    async def on_partitions_revoked(self, revoked: Any) -> None:
        # The batches in hand are written and committed before the partitions move.
        async with self.stage._lock:
            await self.stage._drain()

    async def on_partitions_assigned(self, assigned: Any) -> None:
        try:
            await self.stage._start_where_the_worker_group_stopped(self.consumer, set(assigned))
        except Exception as exc:  # noqa: BLE001 - then from the earliest record: at least once
            log.warning("could not read %s's offsets: %s", self.stage.previous_group, exc)


def _group_offsets(settings: Settings, group: str) -> dict[tuple[str, int], int]:

    admin = clients.admin(settings.kafka)
    try:
        found = admin.list_group_offsets({group: None}).get(group, {})
    finally:
        admin.close()
    return {(tp.topic, tp.partition): meta.offset for tp, meta in found.items()}
