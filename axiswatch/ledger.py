"""The alert ledger: what the `alerts` topic already says, read back from Kafka.

At-least-once processing can repeat the last messages of a worker that died: its alert may
have reached the `alerts` topic while the table write recording it had not reached the
changelog. The alerts topic is the record of what was said, so the stories stage reads it back
whenever it takes the stories partition over and adopts every event found there that its
events table lacks (`streams.events.record_from_alerts`): such an event is never `new` again.
"""

from __future__ import annotations

import asyncio
import json

from aiokafka import AIOKafkaConsumer

from axiswatch.settings import Settings
from streams.events import record_from_alerts

__all__ = ["load_alert_ledger"]


async def load_alert_ledger(settings: Settings, timeout: float = 60.0) -> dict[str, dict]:
    """event id -> the event's record as the alerts topic states it (to its current end).

    Raises TimeoutError if the topic cannot be read to its end within `timeout` seconds, and
    aiokafka's KafkaError if Kafka cannot be reached."""
    consumer = AIOKafkaConsumer(
        enable_auto_commit=False, auto_offset_reset="earliest", **settings.kafka.aiokafka()
    )
    await consumer.start()
    try:
        async with asyncio.timeout(timeout):
            if "alerts" not in await consumer.topics():
                return {}
            consumer.subscribe(["alerts"])  # no group: every partition is assigned to us
            while not consumer.assignment():
                await asyncio.sleep(0.05)
            partitions = sorted(consumer.assignment())
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            alerts: list[dict] = []
            for tp in partitions:
                while await consumer.position(tp) < ends[tp]:
                    batch = await consumer.getmany(tp, timeout_ms=500)
                    for message in batch.get(tp, []):
                        alert = _decode(message.value)
                        if alert is not None:
                            alerts.append(alert)
            return record_from_alerts(alerts)
    finally:
        await consumer.stop()


def _decode(value: bytes | None) -> dict | None:
    try:
        alert = json.loads(value or b"")
    except ValueError:
        return None
    return alert if isinstance(alert, dict) else None
