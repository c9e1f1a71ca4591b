"""Creating the project's topics on the cluster (idempotent)."""

from __future__ import annotations

import contextlib
import time

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from axiswatch.settings import Settings
from schemas.topics import TopicSpec, topic_specs

__all__ = ["cluster_replication", "ensure_changelogs", "ensure_topics", "topic_limits"]


def ensure_topics(settings: Settings, timeout: float = 30.0) -> list[tuple[TopicSpec, bool]]:
    """Create every missing topic; returns each spec with whether it was created now."""
    specs = topic_specs(settings.raw_partitions, settings.enriched_partitions)
    admin = _admin(settings, timeout)
    try:
        existing = set(admin.list_topics())
        replication = settings.replication_factor or _replication(admin)
        missing = [s for s in specs if s.name not in existing]
        if missing:
            # Another process may create them first.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(
                    [
                        NewTopic(s.name, s.partitions, replication, topic_configs=s.config)
                        for s in missing
                    ],
                    timeout_ms=int(timeout * 1000),
                )
        _wait_for_leaders(admin, [s.name for s in missing], timeout)
        return [(s, s in missing) for s in specs]
    finally:
        admin.close()


def ensure_changelogs(
    settings: Settings, topics: list[str], max_bytes: int, timeout: float = 30.0
) -> None:
    """Create the stories stage's state changelogs if missing: one partition, compacted."""
    admin = _admin(settings, timeout)
    try:
        missing = [t for t in topics if t not in set(admin.list_topics())]
        if not missing:
            return
        replication = settings.replication_factor or _replication(admin)
        config = {"cleanup.policy": "compact", "max.message.bytes": str(max_bytes)}
        with contextlib.suppress(TopicAlreadyExistsError):
            admin.create_topics(
                [NewTopic(t, 1, replication, topic_configs=config) for t in missing],
                timeout_ms=int(timeout * 1000),
            )
        _wait_for_leaders(admin, missing, timeout)
    finally:
        admin.close()


def topic_limits(settings: Settings, topics: list[str], timeout: float = 30.0) -> dict[str, int]:
    """Each topic's `max.message.bytes` as the cluster applies it (topics it does not know
    are left out): what a producer must stay within, whatever its own limit."""
    from kafka.admin import ConfigResource, ConfigResourceType

    admin = _admin(settings, timeout)
    try:
        known = set(admin.list_topics())
        resources = [
            ConfigResource(ConfigResourceType.TOPIC, t, {"max.message.bytes": None})
            for t in topics
            if t in known
        ]
        if not resources:
            return {}
        described = admin.describe_configs(resources, config_filter="all")
        limits = {}
        for name, configs in (described.get("topic") or {}).items():
            value = (configs.get("max.message.bytes") or {}).get("value")
            if value:
                limits[name] = int(value)
        return limits
    finally:
        admin.close()


def _replication(admin: KafkaAdminClient) -> int:
    return min(3, len(admin.describe_cluster().get("brokers") or [1]))


def cluster_replication(settings: Settings, timeout: float = 30.0) -> int:
    """The replication factor for new topics: the setting, else min(3, brokers)."""
    if settings.replication_factor:
        return settings.replication_factor
    admin = _admin(settings, timeout)
    try:
        return _replication(admin)
    finally:
        admin.close()


def _admin(settings: Settings, timeout: float) -> KafkaAdminClient:
    """An admin client, retried until `timeout` while the cluster cannot be reached (a broker
    starting); settings it refuses (credentials, SASL mechanism) fail at once."""
    from axiswatch.connection import check_login, connection_error, diagnose

    kafka = settings.kafka
    check_login(kafka)
    deadline = time.monotonic() + timeout
    while True:
        remaining = max(1.0, deadline - time.monotonic())
        try:
            return KafkaAdminClient(
                **kafka.kafka_python(),
                request_timeout_ms=10000,
                bootstrap_timeout_ms=int(min(remaining, 10.0) * 1000),
            )
        except (KafkaError, OSError) as exc:
            diagnosis = diagnose(kafka)
            if diagnosis.fatal or time.monotonic() > deadline:
                raise connection_error(kafka, diagnosis, exc) from exc
            time.sleep(1)


def _wait_for_leaders(admin: KafkaAdminClient, names: list[str], timeout: float) -> None:
    """New topics are usable once every partition has a leader."""
    deadline = time.monotonic() + timeout
    while names and time.monotonic() < deadline:
        described = admin.describe_topics(names)
        if all(
            topic.get("error_code", 0) == 0
            and topic.get("partitions")
            and all(p.get("leader_id", p.get("leader", -1)) >= 0 for p in topic["partitions"])
            for topic in described
        ):
            return
        time.sleep(0.2)
