"""The poller without Kafka: publish once, updates, validators, isolation, backoff, metrics."""

from __future__ import annotations

import json
import random
import threading
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from axiswatch import metrics
from producers.feeds import FeedConfig
from producers.feedstate import EntryState, FeedStatus, MemoryStateStore, entry_key_hash
from producers.poller import MAX_BACKOFF, Poller, format_status, status_rows
from tests.feeds.server import FeedServer, fixture, rss


class Recorder:
    """A publisher that keeps what it was given; `fail` makes every write fail."""

    def __init__(self) -> None:
        self.articles = []
        self.fail = False
        self.lock = threading.Lock()

    def publish(self, articles):
        if self.fail:
            return ["broker unavailable"] * len(articles)
        with self.lock:
            self.articles.extend(articles)
        return [None] * len(articles)


class ReplayableStore(MemoryStateStore):
    """Keeps the records it would write to Kafka, to rebuild a store from them (a restart)."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, bytes | None]] = []

    def _write(self, records) -> None:
        for key, value in records:
            self.log.append((key, None if value is None else value.model_dump_json().encode()))

    def restarted(self) -> MemoryStateStore:
        fresh = MemoryStateStore()
        for key, value in self.log:
            fresh._apply(key, value)
        return fresh


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


def feed(server, name: str, path: str, **kwargs) -> FeedConfig:
    return FeedConfig(name=name, url=server.url(path), **kwargs)


def items(*guids: str, text: str = "Body") -> bytes:
    return rss("Test", [{"guid": g, "title": f"Title {g}", "description": text} for g in guids])


def test_second_poll_publishes_nothing_new(server):
    server.add("/a.xml", body=items("1", "2", "3"))
    out = Recorder()
    poller = Poller([feed(server, "a", "/a.xml")], out, MemoryStateStore())
    first = poller.poll_feed(poller.feeds["a"])
    assert (first.result, first.new, first.entries) == ("ok", 3, 3)
    second = poller.poll_feed(poller.feeds["a"])
    assert (second.result, second.published) == ("ok", 0)
    assert [a.external_id for a in out.articles] == ["1", "2", "3"]


def test_a_restart_from_the_written_state_publishes_nothing_new(server):
    server.add("/a.xml", body=items("1", "2"))
    store = ReplayableStore()
    Poller([feed(server, "a", "/a.xml")], Recorder(), store).run_once()
    out = Recorder()
    runs = Poller([feed(server, "a", "/a.xml")], out, store.restarted()).run_once()
    assert runs[0].result == "ok" and out.articles == []


def test_only_new_entries_are_published_and_changed_ones_as_updates_of_the_same_id(server):
    body = {"value": items("1", "2")}
    server.add("/a.xml", body=lambda: body["value"])
    out = Recorder()
    poller = Poller([feed(server, "a", "/a.xml")], out, MemoryStateStore())
    poller.run_once()
    first_ids = {a.external_id: a.article_id for a in out.articles}
    out.articles.clear()
    body["value"] = rss(
        "Test",
        [
            {"guid": "3", "title": "Title 3", "description": "Body"},
            {"guid": "1", "title": "Title 1", "description": "Body, corrected"},
            {"guid": "2", "title": "Title 2", "description": "Body"},
        ],
    )
    run = poller.run_once()[0]
    assert (run.new, run.updated) == (1, 1)
    by_guid = {a.external_id: a for a in out.articles}
    assert set(by_guid) == {"1", "3"}
    assert by_guid["1"].article_id == first_ids["1"] and by_guid["1"].body == "Body, corrected"


def test_an_entry_without_link_keeps_its_article_id_when_its_text_changes(server):
    body = {"value": rss("T", [{"title": "Note", "description": "first text"}])}
    server.add("/a.xml", body=lambda: body["value"])
    out = Recorder()
    poller = Poller([feed(server, "a", "/a.xml")], out, MemoryStateStore())
    poller.run_once()
    body["value"] = rss("T", [{"title": "Note", "description": "first text"}])
    assert poller.run_once()[0].published == 0
    # Without guid or link the identity is the content: a changed text is a new entry.
    body["value"] = rss("T", [{"title": "Note", "description": "second text"}])
    assert poller.run_once()[0].new == 1


def test_etag_is_kept_and_a_304_publishes_nothing(server):
    server.add("/e.xml", body=items("1"), etag='"abc"')
    out = Recorder()
    store = MemoryStateStore()
    poller = Poller([feed(server, "e", "/e.xml")], out, store)
    poller.run_once()
    assert store.feed_status("e").etag == '"abc"'
    run = poller.run_once()[0]
    assert run.result == "not_modified" and len(out.articles) == 1
    assert server.hits("/e.xml")[1].headers["if-none-match"] == '"abc"'


def test_a_failed_publish_keeps_the_old_validators_so_nothing_is_lost(server):
    server.add("/e.xml", body=items("1", "2"), etag='"v1"')
    out = Recorder()
    out.fail = True
    store = MemoryStateStore()
    poller = Poller([feed(server, "e", "/e.xml")], out, store)
    run = poller.run_once()[0]
    assert run.result == "error" and "2 of 2 entries not published" in run.error
    assert store.feed_status("e").etag is None and store.entries("e") == {}
    out.fail = False
    run = poller.run_once()[0]
    assert run.new == 2 and "if-none-match" not in server.hits("/e.xml")[1].headers


def test_one_broken_feed_never_stops_the_others(server):
    server.add("/good.xml", body=fixture("rss20.xml"))
    server.add("/atom.xml", body=fixture("atom10.xml"), gzip=True)
    server.add("/500.xml", status=500)
    server.add("/hang.xml", mode="hang")
    server.add("/garbage.xml", body=b"\x89PNG\r\n\x1a\n\x00\x00garbage")
    server.add("/html.xml", body=fixture("not-a-feed.html"), content_type="text/html")
    server.add("/big.xml", mode="stream", stream_bytes=50 * 1024 * 1024, send_length=False)
    server.add("/bomb.xml", body=fixture("entity-bomb.xml"))
    server.add("/loop.xml", status=302, headers={"Location": "/loop.xml"})
    feeds = [
        feed(server, "good", "/good.xml"),
        feed(server, "atom", "/atom.xml"),
        feed(server, "e500", "/500.xml"),
        feed(server, "hang", "/hang.xml", timeout=1),
        feed(server, "garbage", "/garbage.xml"),
        feed(server, "html", "/html.xml"),
        feed(server, "big", "/big.xml"),
        feed(server, "bomb", "/bomb.xml"),
        feed(server, "loop", "/loop.xml"),
    ]
    out = Recorder()
    runs = {r.feed: r for r in Poller(feeds, out, MemoryStateStore()).run_once()}
    assert {n: r.result for n, r in runs.items()} == {
        "good": "ok",
        "atom": "ok",
        "e500": "error",
        "hang": "error",
        "garbage": "error",
        "html": "error",
        "big": "error",
        "bomb": "ok",
        "loop": "error",
    }
    assert "HTTP 500" in runs["e500"].error
    assert "timed out after 1s" in runs["hang"].error
    assert "not an RSS or Atom feed" in runs["garbage"].error
    assert "cap" in runs["big"].error
    assert "redirect loop" in runs["loop"].error
    assert sorted(a.feed for a in out.articles) == ["atom"] * 2 + ["bomb"] + ["good"] * 3


def test_a_hung_feed_does_not_delay_the_schedule_of_the_others(server):
    server.add("/fast.xml", body=items("1"))
    server.add("/hang.xml", mode="hang")
    feeds = [
        FeedConfig(name="fast", url=server.url("/fast.xml"), interval=0.05),
        FeedConfig(name="hang", url=server.url("/hang.xml"), interval=0.05, timeout=30),
    ]
    poller = Poller(feeds, Recorder(), MemoryStateStore(), startup_spread=0)
    runs = []
    enough = threading.Event()

    def on_run(run):
        runs.append(run)
        if sum(r.feed == "fast" for r in runs) >= 5:
            enough.set()

    thread = threading.Thread(target=poller.run_forever, kwargs={"on_run": on_run})
    thread.start()
    try:
        assert enough.wait(20), "the fast feed was not polled five times"
        # Five polls of the fast feed happened while the hung one is still waiting.
        assert [r.feed for r in runs if r.feed == "hang"] == []
        assert len(server.hits("/hang.xml")) == 1
    finally:
        poller.stop()
        server.stopping.set()  # release the hung request so the pool can shut down
        thread.join(60)
    assert not thread.is_alive()


def test_retry_after_is_honoured_by_the_next_poll_and_by_once(server):
    server.add("/429.xml", status=429, headers={"Retry-After": "3600"})
    store = MemoryStateStore()
    f = feed(server, "busy", "/429.xml")
    poller = Poller([f], Recorder(), store, rng=random.Random(1))
    assert poller.run_once()[0].result == "error"
    status = store.feed_status("busy")
    assert status.not_before > datetime.now(UTC) + timedelta(minutes=59)
    assert poller.next_delay(f, status) >= 3590
    skipped = poller.run_once()[0]
    assert skipped.result == "skipped" and "asked to wait" in skipped.warnings[0]
    assert len(server.hits("/429.xml")) == 1


def test_backoff_doubles_per_failure_up_to_a_cap_with_bounded_jitter():
    f = FeedConfig(name="x", url="https://x.org/f", interval=900)
    poller = Poller([f], Recorder(), MemoryStateStore(), rng=random.Random(7))
    assert 810 <= poller.next_delay(f, None) <= 990
    failing = FeedStatus("x", consecutive_failures=1)
    assert poller.next_delay(f, failing, jitter=False) == 900
    failing.consecutive_failures = 3
    assert poller.next_delay(f, failing, jitter=False) == 3600
    failing.consecutive_failures = 50
    assert poller.next_delay(f, failing, jitter=False) == MAX_BACKOFF
    slow = FeedConfig(name="y", url="https://x.org/f", interval=86400)
    assert poller.next_delay(slow, failing, jitter=False) == 86400


def test_entries_that_left_the_feed_long_ago_are_forgotten(server):
    server.add("/a.xml", body=items("2"))
    store = MemoryStateStore()
    old = datetime.now(UTC) - timedelta(days=30)
    store.record_entries(
        "a",
        {
            entry_key_hash("id:gone"): EntryState("uold", "d", old, "id:gone"),
            entry_key_hash("id:recent"): EntryState("unew", "d", datetime.now(UTC), "id:recent"),
        },
    )
    Poller([feed(server, "a", "/a.xml")], Recorder(), store).run_once()
    remembered = {e.entry_key for e in store.entries("a").values()}
    assert remembered == {"id:recent", "id:2"}


def test_feed_state_reaches_metrics_and_the_status_table(server):
    server.add("/ok.xml", body=items("1", "2"))
    server.add("/down.xml", status=503)
    feeds = [feed(server, "metrics-ok", "/ok.xml"), feed(server, "metrics-down", "/down.xml")]
    store = MemoryStateStore()
    Poller(feeds, Recorder(), store).run_once()

    def sample(name, **labels):
        return REGISTRY.get_sample_value(name, labels)

    assert sample("axiswatch_feed_up", feed="metrics-ok") == 1
    assert sample("axiswatch_feed_up", feed="metrics-down") == 0
    assert sample("axiswatch_feed_items_published_total", feed="metrics-ok") == 2
    assert sample("axiswatch_feed_fetches_total", feed="metrics-down", result="error") == 1
    assert sample("axiswatch_feed_last_success_timestamp_seconds", feed="metrics-ok") > 0
    assert sample("axiswatch_feed_last_error_timestamp_seconds", feed="metrics-down") > 0
    assert sample("axiswatch_articles_out_total", stage="poll", source="metrics-ok") == 2

    port = metrics.serve(0)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    assert 'axiswatch_feed_up{feed="metrics-ok"} 1.0' in text

    table = format_status(feeds + [FeedConfig(name="later", url="https://x.org/f")], store)
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["FEED", "STATE", "LAST"]
    assert any(line.startswith("metrics-ok") and " up " in line for line in lines)
    assert any(line.startswith("metrics-down") and "DOWN x1" in line for line in lines)
    assert any("error: HTTP 503" in line for line in lines)
    assert any(line.startswith("later") and "never polled" in line for line in lines)
    rows = {r["feed"]: r for r in status_rows(feeds, store)}
    assert rows["metrics-ok"]["items_published"] == 2 and rows["metrics-ok"]["state"] == "up"
    assert "HTTP 503" in rows["metrics-down"]["last_error"]
    json.dumps(rows)  # plain data


def test_an_unexpected_error_in_one_feed_is_reported_not_raised(server):
    def broken_fetch(url, policy, etag=None, last_modified=None):
        raise RuntimeError("boom")

    poller = Poller(
        [FeedConfig(name="x", url="https://x.org/f")],
        Recorder(),
        MemoryStateStore(),
        fetcher=broken_fetch,
    )
    run = poller.run_once()[0]
    assert run.result == "error" and "internal error: RuntimeError: boom" in run.error


def test_polls_right_after_a_restart_wait_for_the_interval(server):
    server.add("/a.xml", body=items("1"))
    store = MemoryStateStore()
    f = FeedConfig(name="a", url=server.url("/a.xml"), interval=600)
    Poller([f], Recorder(), store).run_once()
    restarted = Poller([f], Recorder(), store, rng=random.Random(3))
    assert 590 <= restarted._first_delay(f) <= 600
    never = FeedConfig(name="new", url=server.url("/a.xml"), interval=600)
    assert 0 <= restarted._first_delay(never) <= 30
