"""`axiswatch poll` on the real broker against feeds served from 127.0.0.1: what reaches
articles.raw, that a restarted poller publishes nothing twice, updates, and --status."""

from __future__ import annotations

import json
import uuid

import pytest

from schemas.models import RawArticle
from tests.feeds.server import FeedServer, fixture, rss
from tests.integration.conftest import run_cli

pytestmark = pytest.mark.integration

RUN = uuid.uuid4().hex[:6]  # feed names unique per run: the state topic outlives a session

# name -> (fixture or bytes, route options, expected external ids)
VALID = {
    "rss20": ("rss20.xml", {}, 3),
    "atom-gzip": ("atom10.xml", {"gzip": True, "content_type": "application/atom+xml"}, 2),
    "rdf": ("rss10.rdf", {"content_type": "application/rdf+xml"}, 2),
    "rss091": ("rss091.xml", {}, 1),
    "malformed": ("malformed.xml", {}, 2),
    "ru-undeclared": ("cp1251-undeclared.xml", {"content_type": "text/xml"}, 1),
    "ru-declared": ("cp1251-declared.xml", {}, 1),
    "ko-undeclared": ("euckr-undeclared.xml", {"content_type": "text/xml"}, 1),
    "ko-declared": ("euckr-declared.xml", {}, 1),
    "bom": ("utf8-bom.xml", {}, 1),
    "bomb": ("entity-bomb.xml", {}, 1),
    "etag": ("rss10.rdf", {"etag": '"rdf-v1"'}, 2),
}
BROKEN = {
    "e500": ({"status": 500}, "HTTP 500"),
    "e429": ({"status": 429, "headers": {"Retry-After": "3600"}}, "HTTP 429"),
    "hang": ({"mode": "hang"}, "timed out after 1s"),
    "huge": ({"mode": "stream", "stream_bytes": 50 * 1024 * 1024, "send_length": False}, "cap"),
    "loop": ({"status": 302, "headers": {"Location": "/loop"}}, "redirect loop"),
    "html": ({"body": fixture("not-a-feed.html"), "content_type": "text/html"}, "not an RSS"),
}
EXTRA = {"timeout": {"hang": 1}, "max_bytes": {"huge": 1024 * 1024}}


def name(feed: str) -> str:
    return f"{feed}-{RUN}"


@pytest.fixture(scope="module")
def feeds(tmp_path_factory):
    """The feed server and a feed list naming all its routes."""
    with FeedServer() as server:
        mutable = {"body": rss("Mutable", [{"guid": "m1", "title": "M1", "description": "v1"}])}
        server.add("/mutable", body=lambda: mutable["body"])
        lines = []
        for feed, (source, options, _) in VALID.items():
            server.add(f"/{feed}", body=fixture(source), **options)
        for feed, (options, _) in BROKEN.items():
            server.add(f"/{feed}", **options)
        for feed in [*VALID, *BROKEN, "mutable"]:
            lines += ["[[feeds]]", f'name = "{name(feed)}"', f'url = "{server.url("/" + feed)}"']
            lines += [f"{key} = {values[feed]}" for key, values in EXTRA.items() if feed in values]
        path = tmp_path_factory.mktemp("poll") / "feeds.toml"
        path.write_text("\n".join(lines) + "\n")
        server.feed_list = path
        server.mutable = mutable
        yield server


def ours(records: list[dict]) -> list[dict]:
    return [r for r in records if (r["value"] or {}).get("feed", "").endswith(f"-{RUN}")]


@pytest.fixture(scope="module")
def first_poll(feeds, bootstrap, settings):
    from tests.integration.conftest import TopicReader

    raw = TopicReader(bootstrap, "articles.raw")
    try:
        result = run_cli(bootstrap, "poll", "--once", "--feeds", str(feeds.feed_list))
        expected = sum(n for *_, n in VALID.values()) + 1
        records = raw.collect(lambda rs: len(ours(rs)) >= expected, timeout=60, linger=2)
    finally:
        raw.close()
    return result, ours(records)


def test_first_poll_publishes_every_entry_of_the_valid_feeds_once(first_poll):
    result, records = first_poll
    assert result.returncode == 1, result.stderr  # some feeds are broken on purpose
    per_feed: dict[str, list[str]] = {}
    for record in records:
        article = RawArticle.model_validate(record["value"])
        assert record["key"] == article.article_id.encode()
        per_feed.setdefault(article.feed, []).append(article.external_id)
    assert {f: len(ids) for f, ids in per_feed.items()} == {
        **{name(f): n for f, (*_, n) in VALID.items()},
        name("mutable"): 1,
    }
    assert all(len(ids) == len(set(ids)) for ids in per_feed.values())
    titles = {(r["value"]["feed"], r["value"]["title"]) for r in records}
    for feed in ("ru-undeclared", "ru-declared"):
        assert (name(feed), "Россия и КНДР подписали соглашение о сотрудничестве") in titles
    for feed in ("ko-undeclared", "ko-declared", "bom"):
        assert (name(feed), "북한과 러시아, 포괄적 전략적 동반자 조약 1주년") in titles
    assert f"published {len(records)} article(s)" in result.stderr


def test_broken_feeds_publish_nothing_and_say_why(first_poll):
    result, records = first_poll
    assert not {name(f) for f in BROKEN} & {r["value"]["feed"] for r in records}
    for feed, (_, reason) in BROKEN.items():
        line = next(x for x in result.stderr.splitlines() if f" {name(feed)}:" in x)
        assert line.startswith("error") and reason in line, line
    assert f"{len(BROKEN)} failed" in result.stderr


def test_second_poll_publishes_nothing_new(first_poll, feeds, bootstrap, reader):
    raw = reader("articles.raw")
    etag_hits = len(feeds.hits("/etag"))
    result = run_cli(bootstrap, "poll", "--once", "--feeds", str(feeds.feed_list))
    assert "published 0 article(s)" in result.stderr, result.stderr
    assert ours(raw.collect(lambda rs: True, timeout=30, linger=3)) == []
    # Conditional GET with the ETag kept in feeds.state by the previous process; the server
    # that asked to wait an hour was not asked again.
    assert feeds.hits("/etag")[etag_hits].headers["if-none-match"] == '"rdf-v1"'
    assert f"304    {name('etag')}: not modified" in result.stderr
    assert f"skip   {name('e429')}: the server asked to wait" in result.stderr
    assert len(feeds.hits("/e429")) == 1


def test_changed_entry_is_published_again_as_an_update_of_the_same_article_id(
    first_poll, feeds, bootstrap, reader
):
    _, first_records = first_poll
    before = next(r["value"] for r in first_records if r["value"]["feed"] == name("mutable"))
    feeds.mutable["body"] = rss(
        "Mutable",
        [
            {"guid": "m1", "title": "M1", "description": "v2, corrected"},
            {"guid": "m2", "title": "M2", "description": "new"},
        ],
    )
    raw = reader("articles.raw")
    result = run_cli(bootstrap, "poll", "--once", "--feeds", str(feeds.feed_list))
    assert f"ok     {name('mutable')}: 1 new, 1 updated" in result.stderr, result.stderr
    values = [r["value"] for r in ours(raw.collect(lambda rs: len(ours(rs)) >= 2, linger=2))]
    assert sorted(v["external_id"] for v in values) == ["m1", "m2"]
    update = next(v for v in values if v["external_id"] == "m1")
    assert update["article_id"] == before["article_id"] and update["body"] == "v2, corrected"


def test_status_shows_each_feeds_last_success_error_and_items(first_poll, feeds, bootstrap):
    result = run_cli(bootstrap, "poll", "--status", "--json", "--feeds", str(feeds.feed_list))
    assert result.returncode == 1, result.stderr  # some feeds are down
    rows = {row["feed"]: row for row in map(json.loads, result.stdout.splitlines())}
    rss20 = rows[name("rss20")]
    assert rss20["state"] == "up" and rss20["items_published"] == 3
    assert rss20["last_success_at"] != "-" and rss20["entries_remembered"] == 3
    assert rows[name("malformed")]["last_warning"].startswith("not well-formed XML")
    for feed, (_, reason) in BROKEN.items():
        row = rows[name(feed)]
        assert row["state"] == "down" and reason in row["last_error"], row
        assert row["items_published"] == 0
    assert rows[name("e429")]["not_before"] is not None
    table = run_cli(bootstrap, "poll", "--status", "--feeds", str(feeds.feed_list)).stdout
    assert any(line.startswith(name("hang")) and "DOWN" in line for line in table.splitlines())
