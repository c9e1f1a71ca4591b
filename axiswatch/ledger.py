"""The alert ledger: what the `alerts` topic already says, read back from Kafka.

At-least-once processing can repeat the last messages of a worker that died: its alert may
have reached the `alerts` topic while the table write recording it had not reached the
changelog. The alerts topic is the record of what was said, so the stories stage reads it back
whenever it takes the stories partition over, and a signal found there is never `new` again.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

from aiokafka import AIOKafkaConsumer

from axiswatch.settings import Settings

__all__ = ["load_alert_ledger"]


async def load_alert_ledger(settings: Settings, timeout: float = 60.0) -> dict[str, dict]:
    """alert_id -> the signal's record as the alerts topic states it (to its current end).

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
            ledger: dict[str, dict] = {}
            for tp in partitions:
                while await consumer.position(tp) < ends[tp]:
                    batch = await consumer.getmany(tp, timeout_ms=500)
                    for message in batch.get(tp, []):
                        _record(ledger, message.value)
            return ledger
    finally:
        await consumer.stop()


def _record(ledger: dict[str, dict], value: bytes | None) -> None:
    try:
        alert = json.loads(value or b"")
        alert_id = alert["alert_id"]
        seen = datetime.fromisoformat(alert["detected_at"]).timestamp()
    except (ValueError, KeyError, TypeError):
        return
    entry = ledger.get(alert_id) or {
        "story_id": alert.get("story_id"),
        "article_id": alert.get("article_id"),
        "first_seen_at": alert["detected_at"],
        "seen": seen,
        "sources": [],
        "source_count": 0,
        "stories": [],
        "articles": [],
    }
    entry["seen"] = max(entry["seen"], seen)
    for source in alert.get("sources") or [alert.get("source")]:
        if source and source not in entry["sources"]:
            entry["sources"].append(source)
    entry["source_count"] = max(entry["source_count"], int(alert.get("source_count") or 1))
    for key, value_ in (("stories", alert.get("story_id")), ("articles", alert.get("article_id"))):
        if value_ and value_ not in entry[key]:
            entry[key].append(value_)
    ledger[alert_id] = entry
