"""Fault tests on the real broker: killed workers, a stopped broker, hostile input.

At-least-once processing with idempotent outputs is the guarantee under test: every accepted
article gets its enriched record, and no signal ever gets a second `new` alert.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from axiswatch import broker
from tests.integration.conftest import ROOT, WorkerProcess, cli_env, wait_until_committed

pytestmark = pytest.mark.integration

CORPUS = ROOT / "seeds" / "eval" / "corpus.jsonl"


def batch_file(tmp_path: Path, count: int) -> tuple[Path, set[str]]:
    """`count` real articles under fresh URLs (new article ids on every run)."""
    run = uuid.uuid4().hex[:8]
    items = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    lines = []
    for n in range(count):
        item = dict(items[n % len(items)])
        item["url"] = f"https://fault-{run}.example/{n}"
        item["source"] = f"outlet-{n % 7}"
        lines.append(json.dumps(item, ensure_ascii=False))
    path = tmp_path / f"batch-{run}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from streams.articles import read_articles

    ids = {a.article_id for a in read_articles([path])}
    assert len(ids) == count
    return path, ids


def start_replay(bootstrap: str, path: Path, rate: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "axiswatch", "replay", str(path), "--rate", str(rate)],
        env=cli_env(bootstrap),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def enriched_ids(records: list[dict]) -> set[str]:
    return {r["key"].decode() for r in records if r["key"]}


def assert_no_repeated_new_alert(reader) -> None:
    alerts = reader("alerts", from_beginning=True).collect(lambda rs: True, timeout=30, linger=2)
    new = Counter(r["value"]["alert_id"] for r in alerts if r["value"]["kind"] == "new")
    assert new and max(new.values()) == 1, [k for k, v in new.items() if v > 1]


def test_a_killed_worker_hands_over_to_the_survivor(worker, bootstrap, reader, tmp_path):
    second = WorkerProcess(bootstrap, tmp_path / "second")
    (tmp_path / "second").mkdir()
    second.start()
    try:
        path, ids = batch_file(tmp_path, 150)
        enriched = reader("articles.enriched")
        replay = start_replay(bootstrap, path, rate=60)
        time.sleep(1.0)
        worker.kill()  # SIGKILL mid-stream; the second worker takes its partitions over
        assert replay.wait(timeout=120) == 0, replay.stderr.read()
        records = enriched.collect(lambda rs: ids <= enriched_ids(rs), timeout=180)
        assert ids <= enriched_ids(records)
        assert second.poll() is None
        assert_no_repeated_new_alert(reader)
    finally:
        worker.start()
        second.stop()


def test_the_only_worker_killed_and_restarted_loses_nothing(worker, bootstrap, reader, tmp_path):
    path, ids = batch_file(tmp_path, 120)
    enriched = reader("articles.enriched")
    replay = start_replay(bootstrap, path, rate=60)
    time.sleep(1.0)
    worker.kill()
    assert replay.wait(timeout=120) == 0, replay.stderr.read()
    worker.start()  # rebuilds the story tables from their changelogs
    records = enriched.collect(lambda rs: ids <= enriched_ids(rs), timeout=180)
    assert ids <= enriched_ids(records)
    assert_no_repeated_new_alert(reader)


def test_messages_the_consumer_skips_are_read_again_and_then_committed(
    worker, bootstrap, reader, tmp_path
):
    """A record the analyze stage leaves undone holds its partition's commit back. Here the
    stage drops every 4th record it is given (fault injection): it must commit only up to it,
    read it again, process it, and only then commit past it."""
    worker.stop()
    dropping = WorkerProcess(bootstrap, tmp_path, env={"AXISWATCH_FAULT_DROP_EVERY": "4"})
    try:
        dropping.start()
        path, ids = batch_file(tmp_path, 60)
        enriched = reader("articles.enriched")
        replay = start_replay(bootstrap, path, rate=100)
        assert replay.wait(timeout=120) == 0, replay.stderr.read()
        records = enriched.collect(lambda rs: ids <= enriched_ids(rs), timeout=120)
        assert ids <= enriched_ids(records)
        log = dropping.log_path.read_text()
        assert "again from offset" in log
        wait_until_committed(bootstrap, ("articles.raw", "articles.analyzed"))
        assert_no_repeated_new_alert(reader)
    finally:
        dropping.stop()
        worker.start()


def test_the_broker_stopped_for_20_seconds_mid_replay_loses_nothing(
    worker, bootstrap, broker_dir, reader, tmp_path
):
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        pytest.skip("the cluster is not ours to stop")
    path, ids = batch_file(tmp_path, 100)
    enriched = reader("articles.enriched")
    raw = reader("articles.raw")
    replay = start_replay(bootstrap, path, rate=20)
    # Mid replay: once it has connected and sent a few (on a busy machine its start alone can
    # take longer than a fixed pause).
    assert len(raw.collect(lambda rs: len(rs) >= 5, timeout=60)) >= 5
    port = int(bootstrap.rsplit(":", 1)[1])
    broker.stop(broker_dir)
    time.sleep(20)
    assert broker.start(port=port, data_dir=broker_dir) == bootstrap
    assert replay.wait(timeout=180) == 0, replay.stderr.read()
    records = enriched.collect(lambda rs: ids <= enriched_ids(rs), timeout=240)
    assert ids <= enriched_ids(records)
    assert worker.poll() is None, "the worker should ride out a broker restart"
    assert_no_repeated_new_alert(reader)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
_articles = st.fixed_dictionaries(
    {"title": st.text(max_size=200), "body": st.text(max_size=2000)},
    optional={
        "url": st.text(max_size=80),
        "published_at": st.one_of(st.text(max_size=30), st.integers(), st.none()),
        "source": st.one_of(st.text(max_size=30), st.integers()),
        "lang": st.one_of(st.text(max_size=5), st.none()),
    },
)
_payloads = st.one_of(
    st.binary(max_size=300),
    _json_values.map(lambda v: json.dumps(v).encode()),
    _articles.map(lambda a: a),
    st.sampled_from(
        [
            b"[" * 50_000 + b"]" * 50_000,  # deep JSON
            json.dumps({"article_id": "x", "title": "t", "body": "b" * 1_500_000}).encode(),
            json.dumps({"article_id": 7, "title": ["wrong", "types"], "body": {}}).encode(),
            "\udcff".encode("utf-8", "surrogatepass"),
        ]
    ),
)


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(_payloads, min_size=20, max_size=30))
def test_arbitrary_input_goes_through_or_to_the_dead_letter_topic(
    worker, bootstrap, reader, producer, batch
):
    dlq = reader("articles.dlq")
    enriched = reader("articles.enriched")
    expected_keys = set()
    for n, payload in enumerate(batch):
        if isinstance(payload, dict):  # a well-formed envelope with arbitrary content
            article_id = f"cfuzz{uuid.uuid4().hex[:16]}"
            value = json.dumps({**payload, "article_id": article_id}).encode()
            key = article_id.encode()
        else:
            value, key = payload, f"fuzz-{uuid.uuid4().hex[:12]}-{n}".encode()
        producer.send("articles.raw", key=key, value=value)
        expected_keys.add(key)
    producer.flush()

    seen: set[bytes] = set()

    def done(_records) -> bool:
        return expected_keys <= seen

    def collect_all() -> None:
        deadline = time.monotonic() + 120
        while not done(None) and time.monotonic() < deadline:
            for r in dlq.collect(lambda rs: True, timeout=5, linger=0.5):
                seen.add(r["key"])
            for r in enriched.collect(lambda rs: True, timeout=5, linger=0.5):
                seen.add(r["key"])

    collect_all()
    assert expected_keys <= seen, (
        f"{len(expected_keys - seen)} message(s) neither processed nor dead-lettered"
    )
    assert worker.poll() is None
