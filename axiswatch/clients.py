"""Every Kafka client of the project is built here, from the connection settings.

kafka-python for the producers, the command line's readers and admin work; aiokafka for the
worker's stages (they run in its event loop). Each builder takes the `KafkaSettings`, so TLS
and SASL set once reach every client, and a caller adds only what its job needs (a group, an
isolation level, sizes). The local broker tool's own start-up probe is the one exception: it
talks to the broker it has just started (axiswatch/broker/status.py).
"""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from axiswatch.exceptions import AxiswatchError
from axiswatch.settings import KafkaSettings

__all__ = [
    "MAX_MESSAGE_BYTES",
    "admin",
    "assign_all",
    "aio_consumer",
    "aio_producer",
    "aio_topic_partitions",
    "consumer",
    "make_producer",
]

# The largest value a producer sends; larger articles are refused before they reach Kafka.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024


def make_producer(kafka: KafkaSettings, **overrides: Any) -> KafkaProducer:
    """A kafka-python producer with production defaults: every write acknowledged by all
    in-sync replicas, idempotent retries (no duplicates from a retry), gzip batches."""
    config: dict[str, Any] = {
        **kafka.kafka_python(),
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "compression_type": "gzip",
        "max_request_size": MAX_MESSAGE_BYTES + 64 * 1024,
        "delivery_timeout_ms": 120_000,
        "request_timeout_ms": 30_000,
    }
    config.update(overrides)
    return KafkaProducer(**config)


def consumer(kafka: KafkaSettings, *topics: str, **options: Any) -> KafkaConsumer:
    """A kafka-python consumer (subscribed to `topics`, if any)."""
    return KafkaConsumer(*topics, **kafka.kafka_python(), **options)


def admin(kafka: KafkaSettings, **options: Any) -> KafkaAdminClient:
    """A kafka-python admin client."""
    return KafkaAdminClient(**kafka.kafka_python(), **options)


def aio_consumer(kafka: KafkaSettings, *topics: str, **options: Any) -> AIOKafkaConsumer:
    """An aiokafka consumer (for the worker's event loop)."""
    return AIOKafkaConsumer(*topics, **kafka.aiokafka(), **options)


def aio_producer(kafka: KafkaSettings, **options: Any) -> AIOKafkaProducer:
    """An aiokafka producer (for the worker's event loop); the caller states its acks,
    idempotence or transactional id."""
    return AIOKafkaProducer(**kafka.aiokafka(), **options)


async def aio_topic_partitions(
    consumer: AIOKafkaConsumer, topics: list[str]
) -> dict[str, list[int]]:
    """The partitions of each of `topics` that exists, read from the cluster's metadata now (a
    reader that assigns itself partitions has no subscription to learn them by). aiokafka has no
    public call for another topic's partitions: its client's metadata fetch is used here, the
    only module that reaches into a client."""
    cluster = await consumer._client.fetch_all_metadata()
    known = cluster.topics()
    return {
        topic: sorted(cluster.partitions_for_topic(topic) or ())
        for topic in topics
        if topic in known
    }


def committed_reader(kafka: KafkaSettings, group: str) -> KafkaConsumer:
    """A consumer that keeps its own place (the caller assigns it, `assign_all`, and commits
    by hand) and reads committed records only: an alert of a batch the worker aborted was never
    said. The history sink and the notifier's routes read the alerts this way."""
    return consumer(
        kafka,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )


def assign_all(
    consumer: KafkaConsumer, topic: str, error: type[AxiswatchError] = AxiswatchError
) -> list[TopicPartition]:
    """Assign every partition of `topic` to `consumer` (a reader that keeps its own place, so
    no rebalance moves it); the partitions, in order. Raises `error` when the topic does not
    exist."""
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        raise error(f"the topic {topic} does not exist; run `axiswatch topics` to create it")
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(tps)
    return tps
