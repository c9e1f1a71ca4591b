"""The alert history of `axiswatch serve`: the store (idempotent writes, filters, order), the
sink's order of store write and offset commit, the page's escaping of hostile alert text, and
the web API, on SQLite (PostgreSQL: tests/integration/test_history.py)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from kafka import TopicPartition

from axiswatch.exceptions import InputError
from axiswatch.history.page import render_page, safe_link
from axiswatch.history.sink import HistorySink
from axiswatch.history.store import (
    HistoryQuery,
    SqliteStore,
    StoredAlert,
    open_store,
    redact_url,
)
from axiswatch.settings import Settings
from tests.unit.test_alertfilter import make_alert

T0 = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def records(*alerts: dict, start: int = 0) -> list[StoredAlert]:
    return [StoredAlert(a, "alerts", 0, start + i) for i, a in enumerate(alerts)]


@pytest.fixture
def store(tmp_path):
    s = SqliteStore(tmp_path / "history.sqlite3")
    yield s
    s.close()


def sample() -> list[dict]:
    """An event's new, updated and corroborated alerts (one alert id), and two other events."""
    ev = {"alert_id": "evA", "event_id": "evA"}
    return [
        make_alert(**ev, kind="new", article_id="a1", detected_at=at(0)),
        make_alert(
            **ev, kind="updated", article_id="a2", detected_at=at(10),
            changes=["quantity: 3000 troops"], categories=["military", "labour"],
        ),
        make_alert(**ev, kind="corroborated", article_id="a3", detected_at=at(20),
                   source_count=2, languages=["ru"]),
        make_alert(
            alert_id="evB", event_id="evB", kind="new", article_id="b1", detected_at=at(30),
            category="cyber", categories=["cyber"], title="Lazarus and Gamaredon",
            evidence="Лазарус и Gamaredon делят инфраструктуру.", languages=["ru"],
            actors=[{"id": "lazarus", "name": "Lazarus Group", "type": "hacker_group",
                     "side": "dprk", "country": "PRK"}],
        ),
        make_alert(alert_id="evC", event_id="evC", kind="new", article_id="c1",
                   detected_at=at(40), category="diplomatic", categories=["diplomatic"],
                   evidence="Kim sent a letter to Putin.", languages=["ko"]),
    ]  # fmt: skip


def keys(alerts: list[dict]) -> list[tuple[str, str, str]]:
    return [(a["alert_id"], a["kind"], a["article_id"]) for a in alerts]


def query(store, **params) -> list[tuple[str, str, str]]:
    params = {k: v if isinstance(v, list) else [str(v)] for k, v in params.items()}
    alerts, total = store.query(HistoryQuery.from_params(params))
    assert total >= len(alerts)
    return keys(alerts)


# ----------------------------------------------------------------------------- the store
def test_each_alert_record_is_stored_once_however_often_it_is_written(store):
    alerts = sample()
    assert store.write(records(*alerts), {("alerts", 0): 5}) == 5
    # The batch again (a sink restarted before its commit) and the worker's repeat of a `new`.
    assert store.write(records(*alerts), {("alerts", 0): 5}) == 0
    assert store.write(records(alerts[0], start=5), {("alerts", 0): 6}) == 0
    assert store.count() == 5
    assert store.positions("alerts") == {0: 6}
    # The event's three alerts share their alert id and are three rows.
    assert sorted(k for k in query(store) if k[0] == "evA") == [
        ("evA", "corroborated", "a3"), ("evA", "new", "a1"), ("evA", "updated", "a2"),
    ]  # fmt: skip


def test_the_store_and_its_position_survive_a_reopen(tmp_path):
    path = tmp_path / "h.sqlite3"
    first = SqliteStore(path)
    first.write(records(*sample()), {("alerts", 0): 5})
    first.close()
    again = SqliteStore(path)
    try:
        assert again.count() == 5 and again.positions("alerts") == {0: 5}
        assert again.positions("other") == {}
    finally:
        again.close()


def test_alerts_are_listed_newest_first_with_limit_and_offset(store):
    alerts = sample()
    store.write(records(*reversed(alerts)), {("alerts", 0): 5})  # topic order != time order
    newest_first = keys(list(reversed(alerts)))
    assert query(store) == newest_first
    assert query(store, limit=2) == newest_first[:2]
    assert query(store, limit=2, offset=2) == newest_first[2:4]
    page, total = store.query(HistoryQuery.from_params({"limit": ["2"], "offset": ["4"]}))
    assert keys(page) == newest_first[4:] and total == 5


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "cyber"}, [("evB", "new", "b1")]),
        # Any of the event's categories counts, as for `axiswatch alerts --category`.
        ({"category": "labour"}, [("evA", "updated", "a2")]),
        ({"category": ["cyber", "diplomatic"]}, [("evC", "new", "c1"), ("evB", "new", "b1")]),
        ({"kind": "corroborated"}, [("evA", "corroborated", "a3")]),
        ({"kind": "new", "category": "military"}, [("evA", "new", "a1")]),
        ({"actor": "lazarus"}, [("evB", "new", "b1")]),
        ({"language": "ko"}, [("evC", "new", "c1")]),
        ({"language": "RU"}, [("evB", "new", "b1"), ("evA", "corroborated", "a3")]),
        ({"since": "2026-12-01T04:30:00Z"}, [("evC", "new", "c1"), ("evB", "new", "b1")]),
        # Text: every word, any case, Cyrillic too, in the evidence, title or actors.
        ({"q": "ЛАЗАРУС"}, [("evB", "new", "b1")]),
        ({"q": "letter putin"}, [("evC", "new", "c1")]),
        ({"q": "letter lazarus"}, []),
        ({"q": "100%"}, []),  # LIKE's wildcards in the text are only text
        ({"category": "", "kind": ""}, None),  # the form's "any": no condition
    ],
)
def test_filters_return_exactly_the_matching_alerts(store, params, expected):
    alerts = sample()
    store.write(records(*alerts), {("alerts", 0): 5})
    if expected is None:
        expected = keys(list(reversed(alerts)))
    assert query(store, **params) == expected


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"category": ["cyberr"]}, "unknown category 'cyberr': choose from military, cyber"),
        ({"kind": ["neww"]}, "unknown kind 'neww'"),
        ({"actor": ["kim_jong"]}, "unknown actor id 'kim_jong' (did you mean "),
        ({"since": ["yesterday"]}, "--since 'yesterday': write how long ago"),
        ({"limit": ["0"]}, "limit: a whole number from 1 to 500"),
        ({"offset": ["x"]}, "offset: a whole number"),
        ({"categroy": ["cyber"]}, "unknown parameter 'categroy'"),
    ],
)
def test_a_filter_that_cannot_be_used_says_what_to_write(params, message):
    with pytest.raises(InputError) as caught:
        HistoryQuery.from_params(params)
    assert message in str(caught.value)


def test_store_urls_choose_the_database_and_hide_passwords(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    default = open_store(None, tmp_path / "data")
    assert default.describe() == f"SQLite {tmp_path / 'data' / 'history.sqlite3'}"
    relative = open_store("sqlite:///rel.sqlite3", tmp_path)
    absolute = open_store(f"sqlite:///{tmp_path}/abs.sqlite3", tmp_path)
    assert relative.path.name == "rel.sqlite3" and not relative.path.is_absolute()
    assert absolute.path == tmp_path / "abs.sqlite3"
    for s in (default, relative, absolute):
        s.close()
    with pytest.raises(InputError, match="not a history database URL"):
        open_store("mysql://u:secret@h/db", tmp_path)
    with pytest.raises(InputError) as caught:
        open_store("mysql://u:secret@h/db", tmp_path)
    assert "secret" not in str(caught.value)
    assert redact_url("postgresql://ax:s3cret@db:5432/ax") == "postgresql://ax:***@db:5432/ax"
    assert redact_url("postgresql://db/ax") == "postgresql://db/ax"
    assert "s3cret" not in repr(Settings(database_url="postgresql://ax:s3cret@db/ax"))


# ----------------------------------------------------------------------------- the sink
class FakeConsumer:
    def __init__(self) -> None:
        self.commits: list[dict] = []

    def commit(self, offsets) -> None:
        self.commits.append({tp: o.offset for tp, o in offsets.items()})


def batch(*alerts: bytes) -> tuple[dict, TopicPartition]:
    tp = TopicPartition("alerts", 0)
    return {tp: [SimpleNamespace(offset=i, value=v) for i, v in enumerate(alerts)]}, tp


def test_the_sink_commits_the_group_offset_only_after_the_store_wrote(store):
    sink = HistorySink(Settings(), store)
    consumer = FakeConsumer()
    alerts, tp = batch(json.dumps(sample()[0]).encode(), b"not json", b'{"no": "alert id"}')
    sink._write(consumer, alerts)
    assert store.count() == 1 and store.positions("alerts") == {0: 3}
    assert consumer.commits == [{tp: 3}]
    assert sink.status.skipped == 2 and sink.status.stored == 1

    class Broken(SqliteStore):
        def write(self, records, positions):
            raise OSError("disk full")

    broken = Broken(store.path.with_name("broken.sqlite3"))
    refused = FakeConsumer()
    with pytest.raises(OSError):
        HistorySink(Settings(), broken)._write(refused, batch(json.dumps(sample()[1]).encode())[0])
    assert refused.commits == []  # nothing committed past what was not stored
    broken.close()


# ----------------------------------------------------------------------------- the page
HOSTILE = make_alert(
    title='Title <img src=x onerror=alert(1)> "quoted" & \'single\'',
    evidence="North Korea <script>alert('x')</script> sent\x1b[31m troops\u202e to Kursk.",
    url="javascript:alert(document.cookie)",
    actors=[{"id": "prk", "name": "<b>North Korea</b>", "type": "state", "side": "dprk",
             "country": "PRK"}],
    source="evil\x00source", places=["kursk</dd><script>"],
)  # fmt: skip


def test_the_page_escapes_hostile_alert_text():
    page = render_page([HOSTILE], HistoryQuery(), {})
    body = page.split("<main>", 1)[1]
    assert "<script" not in body and "<img" not in body and "<b>" not in body
    assert "onerror=alert(1)&gt;" in body  # shown as text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "&quot;quoted&quot; &amp; &#x27;single&#x27;" in body
    assert "&lt;b&gt;North Korea&lt;/b&gt;" in body
    assert "kursk&lt;/dd&gt;&lt;script&gt;" in body
    # Control characters are written out, never sent to the browser as they are.
    assert "\x1b" not in page and "\u202e" not in page and "\x00" not in page
    assert "sent\\x1b[31m troops\\u202e to Kursk" in body
    assert "evil\\x00source" in body
    # A javascript: address is shown, not linked.
    assert 'href="javascript' not in page
    assert "javascript:alert(document.cookie)" in body


def test_only_http_addresses_become_links_and_attributes_stay_closed():
    assert safe_link("https://example.org/a?b=1&c=2") == "https://example.org/a?b=1&amp;c=2"
    assert safe_link('https://example.org/"onmouseover="x') == (
        "https://example.org/&quot;onmouseover=&quot;x"
    )
    for bad in ("javascript:alert(1)", "data:text/html,x", "//example.org", "http:/x", None):
        assert safe_link(bad) is None
    page = render_page([make_alert(url='https://example.org/"><script>')], HistoryQuery(), {})
    assert 'href="https://example.org/&quot;&gt;&lt;script&gt;"' in page


def test_the_page_shows_the_alert_its_event_and_the_filters_chosen():
    alert = sample()[1]
    page = render_page(
        [alert], HistoryQuery(categories=frozenset({"labour"})), {"category": ["labour"]}, total=1
    )
    assert 'data-alert-id="evA"' in page and 'data-kind="updated"' in page
    assert "North Korea sent 3,000 troops to Kursk." in page
    assert "deploy_troops · military+labour" in page
    assert "quantity: 3000 troops" in page
    assert '<option value="labour" selected>' in page
    assert '<span id="total">1</span> alert record(s) match' in page


def test_the_page_says_what_is_wrong_with_a_filter():
    page = render_page([], None, {"category": ["<x>"]}, error="unknown category '<x>'")
    assert '<p class="error">unknown category &#x27;&lt;x&gt;&#x27;</p>' in page


# ----------------------------------------------------------------------------- the web API
def test_the_api_lists_filters_and_refuses_bad_filters(store):
    from aiohttp.test_utils import TestClient, TestServer

    from axiswatch.history.web import make_app

    store.write(records(*sample(), HOSTILE, start=0), {("alerts", 0): 6})

    async def scenario():
        async with TestClient(TestServer(make_app(store))) as client:
            answer = await client.get("/api/alerts", params={"category": "cyber"})
            assert answer.status == 200
            data = await answer.json()
            assert keys(data["alerts"]) == [("evB", "new", "b1")]
            assert data["total"] == 1 and data["filter"]["category"] == ["cyber"]
            assert data["alerts"][0]["evidence"] == "Лазарус и Gamaredon делят инфраструктуру."
            bad = await client.get("/api/alerts?kind=neww")
            assert bad.status == 400
            assert "unknown kind 'neww'" in (await bad.json())["error"]
            page = await client.get("/?category=cyber")
            html = await page.text()
            assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
            assert "script-src" not in page.headers["Content-Security-Policy"]
            assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
            assert "делят инфраструктуру" in html and "3,000 troops" not in html
            assert (await client.get("/?limit=9999")).status == 400
            status = await (await client.get("/api/status")).json()
            assert status["alerts_stored"] == 6 and status["sink"] is None
            assert (await client.get("/healthz")).status == 200

    asyncio.run(scenario())


def test_serve_without_a_reachable_broker_says_what_to_do(tmp_path):
    from axiswatch import broker
    from axiswatch.exceptions import AxiswatchError
    from axiswatch.history.serve import run_serve

    settings = Settings(data_dir=tmp_path).with_bootstrap(f"127.0.0.1:{broker.free_port()}")
    said: list[str] = []
    with pytest.raises(AxiswatchError) as caught:
        run_serve(settings, port=broker.free_port(), say=said.append)
    message = str(caught.value)
    assert "Cannot reach Kafka" in message and "axiswatch broker start" in message
    assert "axiswatch serve --no-sink" in message
    assert said == [f"history store: SQLite {tmp_path / 'history.sqlite3'} (0 alert record(s))"]
