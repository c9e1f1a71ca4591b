"""Consumer lag of the worker group, measured from outside Faust with kafka-python.

Every worker runs one monitor; each reports the whole group's lag (query it with
`max by (topic, partition)`). A background thread, so the worker's event loop never waits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from axiswatch import clients, metrics
from axiswatch.settings import Settings

__all__ = ["LagMonitor", "group_lag"]

log = logging.getLogger("axiswatch.lag")


def group_lag(
    admin: KafkaAdminClient, consumer: KafkaConsumer, group: str, topics: Sequence[str]
) -> dict[tuple[str, int], int]:
    """(topic, partition) -> messages not yet committed by `group` (end offset - committed)."""
    partitions = [
        TopicPartition(topic, p)
        for topic in topics
        for p in sorted(consumer.partitions_for_topic(topic) or ())
    ]
    if not partitions:
        return {}
    committed = admin.list_group_offsets({group: None}).get(group, {})
    ends = consumer.end_offsets(partitions)
    lag = {}
    for tp in partitions:
        done = committed.get(tp)
        offset = done.offset if done is not None and done.offset >= 0 else 0
        lag[(tp.topic, tp.partition)] = max(0, ends[tp] - offset)
    return lag


class LagMonitor(threading.Thread):
    """Sets `axiswatch_consumer_lag_messages` every `interval` seconds."""

    def __init__(
        self, settings: Settings, group: str, topics: Sequence[str], interval: float = 15.0
    ) -> None:
        super().__init__(name="axiswatch-lag", daemon=True)
        self.settings, self.group, self.topics, self.interval = settings, group, topics, interval

    def run(self) -> None:
        admin = consumer = None
        while True:
            try:
                if admin is None:
                    admin = clients.admin(self.settings.kafka)
                    consumer = clients.consumer(self.settings.kafka, group_id=None)
                for (topic, partition), lag in group_lag(
                    admin, consumer, self.group, self.topics
                ).items():
                    metrics.CONSUMER_LAG.labels(topic=topic, partition=str(partition)).set(lag)
            except (KafkaError, OSError) as exc:
                log.debug("lag not measured: %s", exc)
                admin = consumer = None
            time.sleep(self.interval)
