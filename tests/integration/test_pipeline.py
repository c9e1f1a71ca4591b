"""End to end on the real broker: replay -> worker -> alerts / enriched / dead letters."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys

import pytest

from schemas.models import Alert, DeadLetter, EnrichedArticle
from tests.integration.conftest import run_cli

pytestmark = pytest.mark.integration

ALERT_FIELDS = {
    "alert_id", "kind", "category", "evidence", "actors", "story_id", "article_id", "source",
    "url", "published_at", "detected_at",
}  # fmt: skip


def test_seed_replay_raises_one_new_alert_per_signal_and_a_second_replay_none(
    worker, bootstrap, reader, seed_path
):
    alerts = reader("alerts")
    enriched = reader("articles.enriched")
    result = run_cli(bootstrap, "replay", str(seed_path))
    assert result.returncode == 0, result.stderr
    assert "published 1 article" in result.stderr

    records = alerts.collect(lambda rs: len(rs) >= 4, timeout=90, linger=2)
    values = [r["value"] for r in records]
    assert sorted(v["category"] for v in values) == ["cyber", "diplomatic", "labour", "military"]
    assert {v["kind"] for v in values} == {"new"}
    seed = seed_path.read_text(encoding="utf-8")
    for value in values:
        assert set(value) >= ALERT_FIELDS
        Alert.model_validate(value)
        assert value["evidence"] in seed  # verbatim sentence
        assert {a["side"] for a in value["actors"]} >= {"russia", "dprk"}
    assert len({v["alert_id"] for v in values}) == 4
    assert len({v["evidence"] for v in values}) == 4

    first = enriched.collect(lambda rs: len(rs) >= 1, timeout=30)
    article = EnrichedArticle.model_validate(first[0]["value"])
    assert article.cooperation and article.duplicate_of is None
    assert {s.category for s in article.signals} == {"cyber", "diplomatic", "labour", "military"}

    # The same file again: recognised as the same article, no alert at all.
    again_alerts = reader("alerts")
    assert run_cli(bootstrap, "replay", str(seed_path)).returncode == 0
    second = enriched.collect(lambda rs: len(rs) >= 1, timeout=60)
    assert second[0]["value"]["article_id"] == article.article_id
    assert second[0]["value"]["story_id"] == article.story_id
    assert second[0]["value"]["first_seen_at"] == first[0]["value"]["first_seen_at"]
    late = again_alerts.collect(lambda rs: True, timeout=10, linger=3)
    assert [r["value"]["kind"] for r in late if r["value"]["kind"] == "new"] == []


def test_kcat_reads_alerts_as_valid_json(worker, bootstrap, reader, seed_path):
    if not shutil.which("kcat"):
        pytest.fail("kcat is not installed: scripts/setup --test installs it")
    # Make sure alerts exist whatever ran before.
    run_cli(bootstrap, "replay", str(seed_path))
    reader("alerts", from_beginning=True).collect(lambda rs: len(rs) >= 4, timeout=90)
    out = subprocess.run(
        ["kcat", "-b", bootstrap, "-C", "-t", "alerts", "-o", "beginning", "-e", "-q",
         "-f", "%k\t%s\n"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) >= 4
    for line in lines:
        key, value = line.split("\t", 1)
        alert = Alert.model_validate_json(value)
        assert alert.alert_id == key


def test_the_alert_ledger_reads_back_every_alert_on_the_topic(worker, settings, reader, seed_path):
    """What a worker taking the stories partition over reads back (axiswatch.ledger)."""
    import asyncio

    from axiswatch.ledger import load_alert_ledger

    run_cli(settings.kafka.bootstrap_servers, "replay", str(seed_path))
    alerts = reader("alerts", from_beginning=True).collect(lambda rs: len(rs) >= 4, timeout=90)
    ledger = asyncio.run(load_alert_ledger(settings))
    ids = {r["value"]["alert_id"] for r in alerts}
    assert ids and ids <= set(ledger)
    for record in alerts:
        alert = record["value"]
        said = ledger[alert["alert_id"]]
        assert alert["story_id"] in said["stories"] and alert["article_id"] in said["articles"]
        assert said["categories"][0] == alert["categories"][0]


def test_garbage_goes_to_the_dead_letter_topic_and_the_worker_carries_on(
    worker, bootstrap, reader, producer
):
    dlq = reader("articles.dlq")
    enriched = reader("articles.enriched")
    bad = {
        b"\xff\xfe\xfa not utf-8": "invalid_utf8",
        b"{this is not json": "invalid_json",
        json.dumps({"title": "an article without an id"}).encode(): "invalid_article",
        json.dumps({"article_id": "cx", "body": "y" * 1_100_000}).encode(): "invalid_article",
    }
    for value in bad:
        producer.send("articles.raw", key=b"garbage", value=value)
    good = {"article_id": "cgood", "title": "After garbage", "body": "Still running."}
    producer.send("articles.raw", key=b"cgood", value=json.dumps(good).encode())
    producer.flush()

    letters = dlq.collect(lambda rs: len(rs) >= len(bad), timeout=60, linger=1)
    assert len(letters) == len(bad)
    by_original = {}
    for record in letters:
        letter = DeadLetter.model_validate(record["value"])
        assert letter.topic == "articles.raw" and letter.offset is not None and letter.error
        by_original[base64.b64decode(letter.original_b64)] = letter.reason
    assert by_original == bad
    done = enriched.collect(lambda rs: any(r["key"] == b"cgood" for r in rs), timeout=60)
    assert any(r["value"]["title"] == "After garbage" for r in done)
    assert worker.poll() is None


def test_broker_status_and_a_taken_port_give_clear_answers(bootstrap, broker_dir, tmp_path):
    import os

    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        pytest.skip("runs against an existing cluster: no local broker to ask")
    from tests.integration.conftest import ROOT

    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    status = subprocess.run(
        [sys.executable, "-m", "axiswatch", "broker", "status", "--data-dir", str(broker_dir)],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    assert status.returncode == 0 and bootstrap in status.stdout and "answering" in status.stdout
    port = bootstrap.rsplit(":", 1)[1]
    clash = subprocess.run(
        [sys.executable, "-m", "axiswatch", "broker", "start", "--port", port,
         "--data-dir", str(tmp_path / "other")],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    assert clash.returncode == 2
    assert f"Port {port}" in clash.stderr and "already in use" in clash.stderr


def test_story_state_survives_a_killed_worker(worker, bootstrap, reader, tmp_path):
    """SIGKILL the worker after a new alert; the restarted worker rebuilds its tables from the
    changelog topics and recognises the same article: no second `new` alert."""
    title = "Direct flights resume"
    article = tmp_path / "flights.txt"
    article.write_text(
        f"{title}\n"
        "Russian tourists flew from Moscow to Wonsan on Tuesday as Russia and North Korea "
        "resumed direct flights and expanded tourism between the two countries.\n",
        encoding="utf-8",
    )
    alerts = reader("alerts")
    before = reader("articles.enriched")
    assert run_cli(bootstrap, "replay", str(article)).returncode == 0
    first = alerts.collect(lambda rs: any(r["value"]["title"] == title for r in rs), timeout=60)
    placed = before.collect(lambda rs: any(r["value"]["title"] == title for r in rs), timeout=60)
    first_seen = next(r["value"] for r in placed if r["value"]["title"] == title)["first_seen_at"]
    new_ids = {r["value"]["alert_id"] for r in first if r["value"]["title"] == title}
    assert [r["value"]["kind"] for r in first if r["value"]["title"] == title] == ["new"]

    worker.kill()
    worker.start()  # returns once a probe went through both stages

    again_alerts = reader("alerts")
    enriched = reader("articles.enriched")
    assert run_cli(bootstrap, "replay", str(article)).returncode == 0
    records = enriched.collect(lambda rs: any(r["value"]["title"] == title for r in rs), timeout=90)
    mine = [r["value"] for r in records if r["value"]["title"] == title]
    assert mine[0]["first_seen_at"] == first_seen  # the story from before the kill
    late = again_alerts.collect(lambda rs: True, timeout=10, linger=3)
    assert not [
        r for r in late if r["value"]["kind"] == "new" and r["value"]["alert_id"] in new_ids
    ]
