"""The project's topics on the cluster: creating them (idempotent), their partition counts as
the cluster has them, and adding partitions (`axiswatch topics --alter`).

Partitions are only ever added (Kafka cannot remove one), and never to a topic whose
partitioning the pipeline relies on (`TopicSpec.fixed` says why, per topic).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import NewPartitions, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from axiswatch import clients
from axiswatch.exceptions import InputError
from axiswatch.settings import Settings
from schemas.topics import TopicSpec, topic_specs

__all__ = [
    "Growth",
    "catalogue",
    "cluster_replication",
    "ensure_changelogs",
    "ensure_topics",
    "grow_partitions",
    "plan_growth",
    "topic_limits",
    "topic_partitions",
]


def catalogue(settings: Settings) -> list[TopicSpec]:
    """The catalogue's topics as `settings` name and size them."""
    return topic_specs(settings.raw_partitions, settings.enriched_partitions, settings.names)


def ensure_topics(settings: Settings, timeout: float = 30.0) -> list[tuple[TopicSpec, bool]]:
    """Create every missing topic; returns each spec with whether it was created now."""
    specs = catalogue(settings)
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


def topic_partitions(settings: Settings, timeout: float = 30.0) -> dict[str, int]:
    """Topic name -> its number of partitions on the cluster, for the catalogue's topics that
    exist there."""
    names = [spec.name for spec in catalogue(settings)]
    admin = _admin(settings, timeout)
    try:
        known = set(admin.list_topics())
        present = [name for name in names if name in known]
        if not present:
            return {}
        return {
            _name(topic): len(topic.get("partitions") or ())
            for topic in admin.describe_topics(present)
            if topic.get("error_code", 0) == 0
        }
    finally:
        admin.close()


@dataclass(frozen=True)
class Growth:
    """What `--alter` does to one topic: grow it from `current` to `target` partitions, or
    nothing (`target == current`), or refuse, saying why (`refused`)."""

    spec: TopicSpec
    current: int
    target: int
    refused: str | None = None

    @property
    def grows(self) -> bool:
        return self.refused is None and self.target > self.current


def plan_growth(
    specs: list[TopicSpec], current: Mapping[str, int], requested: Mapping[str, int]
) -> list[Growth]:
    """What to do to each topic that exists: grow it to the count `requested` for it (topic
    name -> partitions), else to the catalogue's, never shrinking. A request for a topic
    whose partitioning must not change (`TopicSpec.fixed`) or for fewer partitions than it
    has is refused; the catalogue's own count never is (it is what the topic was made with)."""
    unknown = sorted(set(requested) - {spec.name for spec in specs})
    if unknown:
        raise InputError(
            f"not a topic of the catalogue: {', '.join(unknown)} (the topics are: "
            f"{', '.join(spec.name for spec in specs)})"
        )
    plan = []
    for spec in specs:
        if spec.name not in current:
            continue
        have = current[spec.name]
        if spec.name not in requested:
            plan.append(Growth(spec, have, max(have, spec.partitions)))
            continue
        want = requested[spec.name]
        refused = None
        if want < 1:
            refused = "a topic has at least one partition"
        elif spec.fixed and want != have:
            refused = f"its partitioning must not change ({spec.fixed})"
        elif want < have:
            refused = (
                f"it has {have} partitions and Kafka cannot remove partitions; to have fewer, "
                "create the topic again (its records are lost)"
            )
        plan.append(Growth(spec, have, want if refused is None else have, refused))
    return plan


def grow_partitions(settings: Settings, plan: list[Growth], timeout: float = 30.0) -> None:
    """Add the partitions `plan` asks for, and wait until each new partition has a leader."""
    growing = {g.spec.name: NewPartitions(total_count=g.target) for g in plan if g.grows}
    if not growing:
        return
    admin = _admin(settings, timeout)
    try:
        admin.create_partitions(growing, timeout_ms=int(timeout * 1000))
        deadline = time.monotonic() + timeout
        targets = {g.spec.name: g.target for g in plan if g.grows}
        while time.monotonic() < deadline:
            described = admin.describe_topics(list(targets))
            if all(len(t.get("partitions") or ()) >= targets[_name(t)] for t in described):
                break
            time.sleep(0.2)
        _wait_for_leaders(admin, list(targets), max(1.0, deadline - time.monotonic()))
    finally:
        admin.close()


def _name(described: Mapping) -> str:
    """A topic's name in kafka-python's describe_topics (`name`; `topic` in older versions)."""
    return described.get("name") or described["topic"]


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
            return clients.admin(
                kafka,
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
