"""A shared cluster: a deployment with AXISWATCH_TOPIC_PREFIX names every topic and group it
uses with the prefix, its records carry headers (content type, schema version, the raw
article's trace id), and `axiswatch topics --alter` adds partitions on the real broker."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from schemas.topics import TOPICS
from tests.conftest import SEED
from tests.integration.conftest import ROOT, TopicReader, WorkerProcess

pytestmark = pytest.mark.integration

CATALOGUE = sorted(TOPICS)


def _cli(bootstrap: str, prefix: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "axiswatch", *args],
        env={
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "AXISWATCH_TOPIC_PREFIX": prefix,
            "PYTHONUNBUFFERED": "1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def _cluster(bootstrap: str) -> tuple[set[str], set[str]]:
    """The topics and the consumer groups (with committed offsets or members) of the cluster."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        groups = {g["group_id"] if isinstance(g, dict) else g[0] for g in admin.list_groups()}
        return set(admin.list_topics()), groups
    finally:
        admin.close()


def _ends(bootstrap: str, topics: set[str]) -> dict:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        parts = [
            TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
        ]
        return consumer.end_offsets(parts) if parts else {}
    finally:
        consumer.close()


@pytest.fixture(scope="module")
def prefixed(bootstrap: str, tmp_path_factory) -> Iterator[dict]:
    """A worker with its own prefix, started on the shared broker, and the seed replayed
    through it; yields what the run read and what the cluster had before it."""
    prefix = f"it{uuid.uuid4().hex[:6]}."
    topics_before, groups_before = _cluster(bootstrap)
    plain_before = _ends(bootstrap, set(CATALOGUE) & topics_before)
    worker = WorkerProcess(
        bootstrap, tmp_path_factory.mktemp("prefixed"), env={"AXISWATCH_TOPIC_PREFIX": prefix}
    )
    worker.start()
    try:
        raw = TopicReader(bootstrap, f"{prefix}articles.raw")
        enriched = TopicReader(bootstrap, f"{prefix}articles.enriched")
        alerts = TopicReader(bootstrap, f"{prefix}alerts")
        replayed = _cli(bootstrap, prefix, "replay", str(SEED))
        assert replayed.returncode == 0, replayed.stderr
        assert f"to {prefix}articles.raw" in replayed.stderr
        run = {
            "prefix": prefix,
            "raw": raw.collect(lambda rs: len(rs) >= 1, timeout=30),
            "alerts": alerts.collect(lambda rs: len(rs) >= 4, timeout=90, linger=2),
            "enriched": enriched.collect(lambda rs: len(rs) >= 1, timeout=30),
            "topics_before": topics_before,
            "groups_before": groups_before,
            "plain_before": plain_before,
        }
        for r in (raw, enriched, alerts):
            r.close()
        # A named reader of the alerts: its group is behind the prefix too.
        desk = _cli(
            bootstrap, prefix, "alerts", "--group", "desk", "--from-beginning", "--json",
            "--max", "4", "--idle-exit", "20",
        )  # fmt: skip
        assert desk.returncode == 0, desk.stderr
        run["desk"] = [json.loads(line) for line in desk.stdout.splitlines() if line.strip()]
        yield run
    finally:
        worker.stop()


def test_a_prefixed_pipeline_creates_and_uses_only_prefixed_topics_and_groups(prefixed, bootstrap):
    prefix = prefixed["prefix"]
    values = [r["value"] for r in prefixed["alerts"]]
    assert sorted(v["category"] for v in values) == ["cyber", "diplomatic", "labour", "military"]
    assert {v["kind"] for v in values} == {"new"}
    assert sorted(a["alert_id"] for a in prefixed["desk"]) == sorted(v["alert_id"] for v in values)

    topics, groups = _cluster(bootstrap)
    created = topics - prefixed["topics_before"]
    assert {f"{prefix}{name}" for name in CATALOGUE} <= created
    assert {
        f"{prefix}axiswatch-{table}-changelog" for table in ("story-exact", "stories", "events")
    } <= created
    # Besides the broker's own (__consumer_offsets, __transaction_state): only prefixed ones.
    assert sorted(t for t in created if not t.startswith((prefix, "__"))) == []
    new_groups = groups - prefixed["groups_before"]
    assert {f"{prefix}axiswatch", f"{prefix}desk"} <= new_groups
    assert sorted(g for g in new_groups if not g.startswith(prefix)) == []
    # Nothing was written to the plain topics of another deployment on the cluster.
    plain = {tp.topic for tp in prefixed["plain_before"]}
    assert _ends(bootstrap, plain) == prefixed["plain_before"]


def test_records_carry_content_type_schema_version_and_the_raw_articles_trace_id(prefixed):
    [raw] = [r for r in prefixed["raw"] if not r["key"].startswith(b"cprobe")]
    trace = raw["headers"]["trace-id"].decode()
    assert re.fullmatch(r"[0-9a-f]{32}", trace)
    assert raw["headers"]["content-type"] == b"application/json"
    assert raw["headers"]["schema-version"] == b"1"

    [enriched] = [r for r in prefixed["enriched"] if r["key"] == raw["key"]]
    assert enriched["headers"] == {
        "content-type": b"application/json",
        "schema-version": b"2",
        "trace-id": trace.encode(),
    }
    assert len(prefixed["alerts"]) == 4
    for alert in prefixed["alerts"]:
        assert alert["value"]["article_id"] == raw["key"].decode()
        assert alert["headers"] == {
            "content-type": b"application/json",
            "schema-version": b"2",
            "trace-id": trace.encode(),
        }


def test_topics_alter_grows_partitions_and_refuses_what_must_not_change(bootstrap):
    prefix = f"alter{uuid.uuid4().hex[:6]}-"
    listed = _cli(bootstrap, prefix, "topics")
    assert listed.returncode == 0, listed.stderr
    assert re.search(rf"^{re.escape(prefix)}articles\.raw +6 +6 +created", listed.stdout, re.M)

    grown = _cli(bootstrap, prefix, "topics", "--alter", "articles.raw=8")
    assert grown.returncode == 0, grown.stderr
    assert f"{prefix}articles.raw: 6 -> 8 partitions" in grown.stderr
    assert re.search(rf"^{re.escape(prefix)}articles\.raw +6 +8 +exists", grown.stdout, re.M)

    # Without TOPIC=N: up to the catalogue's count, here raised by the setting.
    to_catalogue = _cli(bootstrap, prefix, "topics", "--alter", AXISWATCH_ENRICHED_PARTITIONS="9")
    assert to_catalogue.returncode == 0, to_catalogue.stderr
    assert f"{prefix}articles.enriched: 6 -> 9 partitions" in to_catalogue.stderr
    assert f"{prefix}articles.raw:" not in to_catalogue.stderr  # 8 already: never shrunk

    refused = _cli(bootstrap, prefix, "topics", "--alter", "articles.analyzed=2")
    assert refused.returncode == 2
    assert "articles.analyzed cannot have 2 partitions" in refused.stderr
    assert "must not change" in refused.stderr
    shrink = _cli(bootstrap, prefix, "topics", "--alter", "articles.raw=4")
    assert shrink.returncode == 2 and "cannot remove partitions" in shrink.stderr

    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        counts = {
            name: len(consumer.partitions_for_topic(f"{prefix}{name}") or ())
            for name in ("articles.raw", "articles.enriched", "articles.analyzed")
        }
    finally:
        consumer.close()
    assert counts == {"articles.raw": 8, "articles.enriched": 9, "articles.analyzed": 1}
