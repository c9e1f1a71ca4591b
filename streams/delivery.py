"""At-least-once input for the Faust agents: the worker commits its own offsets.

Faust's own acknowledgements are switched off for the input topics (`acks=False`), because
faust-streaming 0.15 can commit past a message that no agent processed (see
`streams.offsets`). Instead each agent reports every message it finished to a `CommitKeeper`,
which once a second

1. reads the group's committed position of partitions it has just been given,
2. reads again, with its own plain consumer, any message the Faust consumer skipped, and hands
   it to the same handler the agent uses (outputs are idempotent, so a message processed twice
   does no harm),
3. flushes the producer, so that every output of a processed message is on the broker, and
   commits, per partition, the offset below which everything is processed.

A worker killed at any point therefore re-reads at most the messages since its last commit,
and never commits a message it has not processed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from aiokafka.structs import OffsetAndMetadata, TopicPartition
from faust.types import TP

from axiswatch import metrics
from axiswatch.settings import Settings
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

    @classmethod
    def from_event(cls, event: Any) -> Record:
        message = event.message
        value = event.value if isinstance(event.value, bytes) else bytes(event.value or b"")
        return cls(message.topic, message.partition, message.offset, event.key, value)

    @property
    def tp(self) -> TP:
        return TP(self.topic, self.partition)


Handler = Callable[[Record], Awaitable[None]]


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
        self._reader: AIOKafkaConsumer | None = None
        self._lock = asyncio.Lock()
        self._paused = True
        app.on_partitions_assigned.connect(self._on_assigned)
        app.on_partitions_revoked.connect(self._on_revoked)
        app.on_before_shutdown.connect(self._on_shutdown)
        app.timer(interval=interval)(self.tick)

    def handle(self, topic: str, handler: Handler) -> None:
        """`handler` processes `topic`'s messages; the keeper calls it for the ones it re-reads."""
        self.handlers[topic] = handler

    def done(self, record: Record) -> None:
        """The agent finished `record`: its outputs are with the producer."""
        self.tracker.done(record.tp, record.offset, time.monotonic())

    # -- rebalances ----------------------------------------------------------------------------

    async def _on_assigned(self, sender: Any, assigned: Any = (), **kwargs: Any) -> None:
        ours = [tp for tp in assigned if tp.topic in self.handlers]
        self.tracker.revoke([tp for tp in self.tracker.assigned() if tp not in set(ours)])
        self.tracker.assign(ours, time.monotonic())

    async def _on_revoked(self, sender: Any, revoked: Any = (), **kwargs: Any) -> None:
        self.tracker.revoke(list(revoked))

    # -- the periodic work -------------------------------------------------------------------

    async def tick(self) -> None:
        """Read committed positions, re-read skipped messages, commit. Skipped while the group
        rebalances (Faust then seeks every partition back to its committed position anyway)."""
        if self._lock.locked():
            return
        if self.app.rebalancing or not self.app.flow_control.is_active():
            self._paused = True
            return
        if self._paused:
            self.tracker.resumed(time.monotonic())
            self._paused = False
        async with self._lock:
            try:
                await self._load_bases()
                await self._reread_holes()
                await self.commit()
            except KafkaError as exc:
                log.warning("offset keeping failed, will retry: %s", exc)

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
        for tp, (start, stop) in self.tracker.holes(time.monotonic(), ends).items():
            await self._reread(tp, start, stop)

    async def _reread(self, tp: TP, start: int, stop: int) -> None:
        handler = self.handlers[tp.topic]
        reader = await self.reader()
        part = TopicPartition(tp.topic, tp.partition)
        reader.assign([part])
        reader.seek(part, start)
        count = 0
        want = min(stop - start, REREAD_BATCH)
        deadline = time.monotonic() + 10.0
        while count < want and time.monotonic() < deadline:
            batch = await reader.getmany(part, timeout_ms=1000, max_records=want - count)
            records = batch.get(part, [])
            if not records:
                break
            for r in records:
                if r.offset >= stop:
                    break
                record = Record(tp.topic, tp.partition, r.offset, r.key, r.value or b"")
                await handler(record)
                self.done(record)
                count += 1
                metrics.REREAD.labels(topic=tp.topic).inc()
        # Offsets below the reader's position that it did not return hold no message (a
        # transaction marker, or deleted by retention): nothing to process there.
        position = await reader.position(part)
        now = time.monotonic()
        for offset in range(start, min(position, stop)):
            self.tracker.done(tp, offset, now)
        self.tracker.retried(tp, now)
        log.warning(
            "read %d message(s) of %s[%d] again from offset %d: the consumer had skipped them",
            count,
            tp.topic,
            tp.partition,
            start,
        )

    async def commit(self) -> dict[Any, int]:
        """Flush the producer, then commit every position that moved; returns what it
        committed."""
        offsets = self.tracker.committable()  # taken before the flush, so all of it is flushed
        if not offsets:
            return {}
        await self.app.producer.flush()
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
        try:
            await asyncio.wait_for(self.commit(), timeout=5.0)
        except (TimeoutError, KafkaError, RuntimeError) as exc:
            log.info("no final commit: %s", exc)
        if self._reader is not None:
            await self._reader.stop()
            self._reader = None
