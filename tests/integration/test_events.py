"""Novelty per event on the real broker: the timeline corpus's test part replayed in
publication order through `axiswatch replay` and one `axiswatch worker`, scored from what the
alerts and enriched topics say, must give the figures that the same stateful code gives offline
on the same articles in the same order (`axiswatch eval --events` when nothing came out of
turn).

The module starts its own broker (a free port, a temporary folder): the figures depend on
what the stories stage has seen, so the session broker's other articles must not be there.
`articles.raw` has one partition here, so the worker sees the articles in publication order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from axiswatch import broker
from streams.analyze import analyze_article
from streams.catalogue import seeds_dir
from streams.eventeval import evaluate_events, load_timeline, raw_article, score_alerts
from streams.stories import StoryBook
from tests.integration.conftest import (
    ROOT,
    TopicReader,
    WorkerProcess,
    clean_env,
    start_local_broker,
)

pytestmark = pytest.mark.integration

TEST_PART = seeds_dir() / "eval" / "timeline_test.jsonl"


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory):
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        pytest.skip("needs a broker of its own (an empty stories state): runs on the local one")
    work = tmp_path_factory.mktemp("events")
    port = broker.free_port()
    data_dir = work / "broker"
    try:
        start_local_broker(port=port, data_dir=data_dir, env=clean_env())
        yield f"127.0.0.1:{port}", work
    finally:
        broker.stop(data_dir)


def test_the_alert_topic_gives_the_offline_event_figures(own_broker):
    bootstrap, work = own_broker
    ordered = {"AXISWATCH_RAW_PARTITIONS": "1"}
    env = {**clean_env(**ordered), "KAFKA_BOOTSTRAP_SERVERS": bootstrap}
    worker = WorkerProcess(bootstrap, work, env=ordered)
    worker.start()
    try:
        items = load_timeline([TEST_PART])
        batch = work / "timeline.jsonl"
        batch.write_text(
            "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8"
        )
        replayed = subprocess.run(
            [sys.executable, "-m", "axiswatch", "replay", str(batch)],
            env=env, capture_output=True, text=True, timeout=300, cwd=ROOT,
        )  # fmt: skip
        assert replayed.returncode == 0, replayed.stderr
        assert f"published {len(items)} article(s)" in replayed.stderr

        wanted = {raw_article(i).article_id for i in items}
        enriched = TopicReader(bootstrap, "articles.enriched", from_beginning=True)
        records = enriched.collect(
            lambda rs: wanted <= {r["value"]["article_id"] for r in rs}, timeout=300
        )
        enriched.close()
        alerts = TopicReader(bootstrap, "alerts", from_beginning=True)
        said = alerts.collect(lambda rs: True, timeout=30, linger=5)
        alerts.close()
    finally:
        worker.stop()

    mine = [r["value"] for r in records if r["value"]["article_id"] in wanted]
    online = score_alerts(items, [r["value"] for r in said], mine)
    # The same stateful code offline, on the articles in the order the worker placed them
    # (publication order, unless at-least-once delivery read one again out of turn).
    placed_at = {}
    for record in sorted(mine, key=lambda r: r["enriched_at"]):
        placed_at.setdefault(record["article_id"], len(placed_at))
    order = sorted(items, key=lambda i: placed_at[raw_article(i).article_id])
    offline = _replay(order)
    assert online.kinds["new"] > 0
    assert (online.recalled, online.pairs) == (offline.recalled, offline.pairs)
    assert online.second_new == offline.second_new
    assert sorted(online.false_new) == sorted(offline.false_new)
    c_on, c_off = online.clustering, offline.clustering
    assert (c_on.tp, c_on.fp, c_on.fn) == (c_off.tp, c_off.fp, c_off.fn)
    assert online.kinds == offline.kinds
    if order == items:  # the usual case: the figures are those of `axiswatch eval --events`
        assert online.kinds == evaluate_events([TEST_PART]).kinds


def _replay(items: list[dict]):
    book = StoryBook.in_memory()
    alerts, enriched = [], []
    for item in items:
        out, raised, _ = book.place(analyze_article(raw_article(item)))
        alerts.extend(raised)
        enriched.append(out)
    return score_alerts(items, alerts, enriched)
