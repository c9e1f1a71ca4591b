"""At-least-once input for the Faust agents: the worker commits its own offsets.

Faust's own acknowledgements are switched off for the input topics (`acks=False`), because
faust-streaming 0.15 can commit past a message that no agent processed (see
`streams.offsets`). Instead every record goes through `CommitKeeper.process`, which runs the
stage's handler and counts the record's offset as done once everything the handler wrote is
acknowledged by the broker. Once a second the keeper

1. reads the group's committed position of partitions it has just been given,
2. reads again, with its own plain consumer, any message the Faust consumer skipped, and hands
   it to the same handler (outputs are keyed by deterministic ids and the stories stage knows
   an article it has placed, so a message processed twice does no harm),
3. flushes the producer and commits, per partition, the offset below which every record is
   done (not while the group rebalances).

The analyze stage uses it. The stories stage, which decides what is new, commits its offsets
in the transaction that writes its outputs and state (`streams.stage`).

A worker killed at any point therefore re-reads at most the messages since its last commit,
and never commits a message whose outputs are not on the broker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from aiokafka.structs import OffsetAndMetadata, TopicPartition
from faust.types import TP

from axiswatch import metrics
from axiswatch.settings import Settings
from schemas.headers import derived_trace_id, trace_id
from streams.offsets import OffsetTracker

__all__ = ["CommitKeeper", "Record"]

log = logging.getLogger("axiswatch.delivery")

REREAD_BATCH = 500  # messages read again per partition per tick


@dataclass(frozen=True)
class Record:
    """One input message, whether Faust delivered it or the keeper read it again."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()

    @classmethod
    def from_event(cls, event: Any) -> Record:
        message = event.message
        value = event.value if isinstance(event.value, bytes) else bytes(event.value or b"")
        headers = getattr(message, "headers", None) or ()
        if isinstance(headers, Mapping):
            headers = headers.items()
        return cls(
            message.topic, message.partition, message.offset, event.key, value, tuple(headers)
        )

    @property
    def tp(self) -> TP:
        return TP(self.topic, self.partition)

    @property
    def trace_id(self) -> str:
        """The trace id of the article this record carries: its header, else one derived
        from where the record is (the same each time it is processed)."""
        return trace_id(self.headers) or derived_trace_id(self.topic, self.partition, self.offset)


# A handler processes one record and returns the delivery futures of what it wrote.
Handler = Callable[[Record], Awaitable[list[asyncio.Future]]]
# Dead-letters a record that keeps failing, with the reason; returns the delivery futures.
GiveUp = Callable[[Record, str], Awaitable[list[asyncio.Future]]]
STEP_TIMEOUT = 30.0  # seconds for each step of a tick
MAX_ATTEMPTS = 5  # a record that failed this often is dead-lettered instead


class CommitKeeper:
    """Commits the input offsets of `handlers`' topics for `app`; see the module docstring."""

    def __init__(
        self,
        app: Any,
        settings: Settings,
        group: str,
        interval: float = 1.0,
        tracker: OffsetTracker | None = None,
    ) -> None:
        self.app = app
        self.settings = settings
        self.group = group
        self.tracker = tracker or OffsetTracker()
        self.handlers: dict[str, Handler] = {}
        self.give_up: dict[str, GiveUp] = {}
        self.ready: dict[str, Callable[[], bool]] = {}
        self._failures: dict[tuple[TP, int], tuple[int, str]] = {}  # attempts, last error
        self._reader: AIOKafkaConsumer | None = None
        self._lock = asyncio.Lock()
        self._paused = True
        self._in_flight: dict[str, int] = {}  # per topic: records being processed
        self._active_at: dict[str, float] = {}  # per topic: when a record last finished
        app.on_partitions_assigned.connect(self._on_assigned)
        app.on_partitions_revoked.connect(self._on_revoked)
        app.on_before_shutdown.connect(self._on_shutdown)
        app.timer(interval=interval)(self.tick)

    def handle(
        self,
        topic: str,
        handler: Handler,
        give_up: GiveUp,
        ready: Callable[[], bool] = lambda: True,
    ) -> None:
        """`handler` processes `topic`'s records, for the agent and for re-reads; a record that
        failed MAX_ATTEMPTS times goes to `give_up` instead (which dead-letters it, so that one
        record can never hold a partition up for good). The keeper re-reads only while
        `ready()` (e.g. not while the stage is taking its state over)."""
        self.handlers[topic] = handler
        self.give_up[topic] = give_up
        self.ready[topic] = ready
        self._in_flight.setdefault(topic, 0)

    async def process(self, record: Record) -> None:
        """Run `record`'s handler; its offset is done once everything it wrote is delivered.
        An exception or an undelivered output leaves it undone: it is read again later."""
        topic = record.topic
        key = (record.tp, record.offset)
        attempts, error = self._failures.get(key, (0, ""))
        self._in_flight[topic] = self._in_flight.get(topic, 0) + 1
        try:
            if attempts >= MAX_ATTEMPTS:
                log.error(
                    "%s[%d]@%d failed %d times (last: %s): dead-lettered",
                    *record.tp,
                    record.offset,
                    attempts,
                    error,
                )
                futures = await self.give_up[topic](
                    record, f"gave up after {attempts} attempts: {error}"[:1000]
                )
            else:
                futures = await self.handlers[topic](record)
        except Exception as exc:
            self._failed(record, repr(exc))
            raise
        finally:
            self._in_flight[topic] -= 1
            self._active_at[topic] = time.monotonic()
        self._settle(record, [f for f in futures if f is not None])

    def _failed(self, record: Record, error: str) -> None:
        key = (record.tp, record.offset)
        attempts, _ = self._failures.get(key, (0, ""))
        self._failures[key] = (attempts + 1, error)

    def _settle(self, record: Record, futures: list[asyncio.Future]) -> None:
        if not futures:
            self._succeeded(record)
            return
        remaining = len(futures)

        def delivered(_: asyncio.Future) -> None:
            nonlocal remaining
            remaining -= 1
            if remaining:
                return
            failed = [f for f in futures if f.cancelled() or f.exception() is not None]
            if failed:
                error = "cancelled" if failed[0].cancelled() else repr(failed[0].exception())
                log.error(
                    "output of %s[%d]@%d not delivered (%s): it will be processed again",
                    record.topic,
                    record.partition,
                    record.offset,
                    error,
                )
                self._failed(record, f"output not delivered: {error}")
                return
            self._succeeded(record)

        for future in futures:
            future.add_done_callback(delivered)

    def _succeeded(self, record: Record) -> None:
        self._failures.pop((record.tp, record.offset), None)
        self.tracker.done(record.tp, record.offset, time.monotonic())

    # -- rebalances ----------------------------------------------------------------------------

    async def _on_assigned(self, sender: Any, assigned: Any = (), **kwargs: Any) -> None:
        ours = [tp for tp in assigned if tp.topic in self.handlers]
        self.tracker.revoke([tp for tp in self.tracker.assigned() if tp not in set(ours)])
        self.tracker.assign(ours, time.monotonic())

    async def _on_revoked(self, sender: Any, revoked: Any = (), **kwargs: Any) -> None:
        # Faust waits only for messages of acking topics; ours are not. Let the records being
        # processed finish before the partitions go, so that nothing this worker writes lands
        # after another worker took them over (bounded: the rebalance must go on).
        deadline = time.monotonic() + 5.0
        while any(self._in_flight.values()) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        self.tracker.revoke(list(revoked))
        gone = set(revoked)
        self._failures = {k: v for k, v in self._failures.items() if k[0] not in gone}

    def _interrupted(self) -> bool:
        return self.app.rebalancing or not self.app.flow_control.is_active()

    # -- the periodic work -------------------------------------------------------------------

    async def tick(self) -> None:
        """Read committed positions, re-read skipped messages, commit. Skipped while the group
        rebalances (Faust then seeks every partition back to its committed position anyway).
        A step that fails is logged and tried again at the next tick: it never stops the
        worker."""
        if self._lock.locked():
            return
        if self._interrupted():
            self._paused = True
            return
        if self._paused:
            self.tracker.resumed(time.monotonic())
            self._paused = False
        async with self._lock:
            for step in (self._load_bases, self._reread_holes, self.commit):
                try:
                    await asyncio.wait_for(step(), timeout=STEP_TIMEOUT)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - retried at the next tick
                    log.warning("offset keeping: %s failed, will retry: %r", step.__name__, exc)

    async def _load_bases(self) -> None:
        missing = self.tracker.without_base()
        if not missing:
            return
        reader = await self.reader()
        parts = [TopicPartition(tp.topic, tp.partition) for tp in missing]
        starts = await reader.beginning_offsets(parts)
        for tp, part in zip(missing, parts, strict=True):
            committed = await reader.committed(part)
            base = max(committed or 0, starts.get(part, 0))
            self.tracker.set_base(tp, base, time.monotonic())

    async def _reread_holes(self) -> None:
        ends: dict[Any, int] = {}
        for tp in self.tracker.assigned():
            try:
                end = self.app.consumer.highwater(tp)
            except Exception:  # noqa: BLE001 - not known yet
                end = None
            if end is not None:
                ends[tp] = end
        now = time.monotonic()
        for tp, hole in self.tracker.holes(now, ends).items():
            topic = tp.topic
            if not self.ready[topic]():
                continue
            if hole.tail and (
                self._in_flight.get(topic)
                or now - self._active_at.get(topic, 0.0) < self.tracker.stall_grace
            ):
                continue  # the agent is busy (a backlog, a slow write): not a stall
            await self._reread(tp, hole.start, hole.stop)

    async def _reread(self, tp: TP, start: int, stop: int) -> None:
        reader = await self.reader()
        part = TopicPartition(tp.topic, tp.partition)
        if reader.assignment() != {part}:
            reader.assign([part])
        reader.seek(part, start)
        returned: set[int] = set()
        count = 0
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline and count < REREAD_BATCH:
            if await reader.position(part) >= stop or self._interrupted():
                break
            batch = await reader.getmany(part, timeout_ms=500, max_records=REREAD_BATCH)
            messages = batch.get(part, [])
            # Every offset the reader returned holds a message, processed below or not: only
            # offsets it skipped over hold none (an interruption or an error must not make the
            # unprocessed rest of the batch look empty).
            returned.update(r.offset for r in messages)
            for r in messages:
                if r.offset >= stop or self.tracker.is_done(tp, r.offset):
                    continue
                if self._interrupted():
                    break
                headers = tuple(getattr(r, "headers", None) or ())
                record = Record(tp.topic, tp.partition, r.offset, r.key, r.value or b"", headers)
                try:
                    await self.process(record)
                except Exception:  # noqa: BLE001 - tried again after the grace period
                    log.exception("processing %s[%d]@%d failed", *record.tp, r.offset)
                    deadline = 0.0
                    break
                count += 1
                metrics.REREAD.labels(topic=tp.topic).inc()
        # Offsets below the reader's position that it did not return hold no message (a
        # transaction marker, or deleted by retention before it was processed).
        position = min(await reader.position(part), stop)
        absent = [o for o in range(start, position) if o not in returned]
        now = time.monotonic()
        for offset in absent:
            self.tracker.done(tp, offset, now)
        self.tracker.retried(tp, now)
        log.warning(
            "read %d message(s) of %s[%d] again from offset %d: the consumer had skipped them",
            count,
            tp.topic,
            tp.partition,
            start,
        )
        if absent:
            log.warning(
                "%d offset(s) of %s[%d] from %d hold no message (deleted by retention before "
                "they were processed, or transaction markers)",
                len(absent),
                tp.topic,
                tp.partition,
                start,
            )

    async def commit(self) -> dict[Any, int]:
        """Flush the producer, then commit every position that moved; returns what it
        committed."""
        if self._interrupted():
            return {}  # a rebalance: the partitions may be another worker's by now
        offsets = self.tracker.committable()  # taken before the flush, so all of it is flushed
        if not offsets:
            return {}
        await self.app.producer.flush()
        if self._interrupted():
            return {}
        thread = self.app.consumer._thread
        held = thread.assignment()
        offsets = {tp: offset for tp, offset in offsets.items() if tp in held}
        if not offsets:
            return {}
        consumer = thread._ensure_consumer()
        payload = {
            TopicPartition(tp.topic, tp.partition): OffsetAndMetadata(offset, "")
            for tp, offset in offsets.items()
        }
        try:
            await thread.call_thread(consumer.commit, payload)
        except KafkaError as exc:  # e.g. the group is rebalancing: the next tick retries
            log.info("commit deferred: %s", exc)
            return {}
        self.tracker.committed(offsets)
        return offsets

    # -- the plain consumer that re-reads --------------------------------------------------

    async def reader(self) -> AIOKafkaConsumer:
        """A consumer outside the group's assignment: it reads the group's committed offsets and
        re-reads skipped messages, and never commits."""
        if self._reader is None:
            reader = AIOKafkaConsumer(
                group_id=self.group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                **self.settings.kafka.aiokafka(),
            )
            await reader.start()
            self._reader = reader
        return self._reader

    async def _on_shutdown(self, sender: Any, **kwargs: Any) -> None:
        """A last commit while the partitions are still ours (Faust has stopped fetching)."""
        try:
            async with asyncio.timeout(5.0):
                async with self._lock:
                    await self.commit()
                    if self._reader is not None:
                        await self._reader.stop()
                        self._reader = None
        except Exception as exc:  # noqa: BLE001 - at worst the last second is processed again
            log.info("no final commit: %r", exc)
