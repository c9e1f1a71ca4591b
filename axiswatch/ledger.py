"""The alert ledger: what the `alerts` topic says, read back from Kafka.

The alerts topic is the record of what was said. The stories stage keeps it read, from where it
last stopped to the topic's end, whenever it takes the stories partition over
(`streams.stage`): the ids of alerted events are never `new` again (not even after the event
was forgotten), and an alerted event its events table lacks, within the event window, is
adopted (`streams.events.record_from_alerts`). Reading is incremental: `AlertLedger` keeps its
position per partition, so a rebalance costs the alerts written since, not the whole topic.

Everything is read with `isolation.level=read_committed`: alerts of an aborted batch were
never said.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from axiswatch import clients
from axiswatch.settings import Settings
from streams.events import read_alert  # folds one alert into the records
from streams.frames import FrameBook, default_framebook

__all__ = ["AlertLedger", "load_alert_ledger"]


class AlertLedger:
    """Event id -> the event's record as the alerts read so far state it, and how far each
    partition of `alerts` has been read."""

    def __init__(self, framebook: FrameBook | None = None) -> None:
        self.records: dict[str, dict] = {}
        self.positions: dict[int, int] = {}
        self._book = framebook or default_framebook()

    def fold(self, values: Iterable[bytes | None]) -> int:
        """Add alerts (raw values, in topic order); returns how many were alerts."""
        count = 0
        for value in values:
            alert = _decode(value)
            if alert is None:
                continue
            try:
                read_alert(self.records, alert, self._book)
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
                continue  # not an alert of this schema: nothing to learn from it
            count += 1
        return count


async def load_alert_ledger(settings: Settings, timeout: float = 60.0) -> dict[str, dict]:
    """event id -> the event's record as the alerts topic states it (to its current end).

    Raises TimeoutError if the topic cannot be read to its end within `timeout` seconds, and
    aiokafka's KafkaError if Kafka cannot be reached."""
    import asyncio

    ledger = AlertLedger()
    consumer = clients.aio_consumer(
        settings.kafka,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        async with asyncio.timeout(timeout):
            topic = settings.names.alerts
            numbers = (await clients.aio_topic_partitions(consumer, [topic])).get(topic)
            if numbers is None:
                return {}
            from aiokafka.structs import TopicPartition

            partitions = [TopicPartition(topic, p) for p in numbers]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            for tp in partitions:
                while await consumer.position(tp) < ends[tp]:
                    batch = await consumer.getmany(tp, timeout_ms=500)
                    ledger.fold(m.value for m in batch.get(tp, []))
            return ledger.records
    finally:
        await consumer.stop()


def _decode(value: bytes | None) -> dict | None:
    try:
        alert = json.loads(value or b"")
    except ValueError:
        return None
    return alert if isinstance(alert, dict) else None
