"""The fetcher against a local HTTP server on 127.0.0.1: conditional GET, limits, errors."""

from __future__ import annotations

import gzip

import pytest

from axiswatch import __version__
from producers.fetch import FetchError, FetchPolicy, fetch, parse_retry_after
from tests.feeds.server import FeedServer, fixture


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


def test_user_agent_names_axiswatch_and_its_version(server):
    url = server.add("/feed.xml", body=fixture("rss20.xml"))
    fetch(url)
    assert f"axiswatch/{__version__}" in server.hits("/feed.xml")[0].headers["user-agent"]


def test_etag_and_last_modified_are_sent_back_and_a_304_has_no_body(server):
    url = server.add("/feed.xml", body=fixture("rss20.xml"), etag='"v1"')
    first = fetch(url)
    assert first.status == 200 and first.etag == '"v1"' and first.body == fixture("rss20.xml")
    second = fetch(url, etag=first.etag)
    assert second.not_modified and second.body == b""
    assert server.hits("/feed.xml")[1].headers["if-none-match"] == '"v1"'

    lm = "Wed, 11 Jun 2025 08:30:00 GMT"
    url = server.add("/lm.xml", body=b"<rss/>", last_modified=lm)
    assert fetch(url).last_modified == lm
    assert fetch(url, last_modified=lm).not_modified
    assert server.hits("/lm.xml")[1].headers["if-modified-since"] == lm


def test_gzip_bodies_are_decompressed(server):
    url = server.add("/gz.xml", body=fixture("atom10.xml"), gzip=True)
    assert fetch(url).body == fixture("atom10.xml")
    assert "gzip" in server.hits("/gz.xml")[0].headers["accept-encoding"]


def test_a_gz_file_served_without_content_encoding_is_decompressed(server):
    url = server.add("/feed.xml.gz", body=gzip.compress(fixture("rss20.xml")))
    assert fetch(url).body == fixture("rss20.xml")


def test_a_gzip_bomb_stops_at_the_cap(server):
    url = server.add("/bomb.gz", body=b"<" * (64 * 1024 * 1024), gzip=True)
    with pytest.raises(FetchError, match="decompressed response is over the 1,048,576-byte cap"):
        fetch(url, FetchPolicy(max_bytes=1024 * 1024))


def test_server_errors_are_reported_with_the_status(server):
    url = server.add("/500.xml", body=b"oops", status=500)
    with pytest.raises(FetchError, match="HTTP 500") as info:
        fetch(url)
    assert info.value.status == 500 and info.value.retry_after is None


def test_429_carries_the_retry_after(server):
    url = server.add("/429.xml", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FetchError, match="wait 120s") as info:
        fetch(url)
    assert info.value.status == 429 and info.value.retry_after == 120


def test_retry_after_reads_seconds_and_http_dates_and_caps_them():
    now = 1_750_000_000.0  # 2025-06-15T15:06:40Z
    assert parse_retry_after("30", now) == 30
    assert parse_retry_after("Sun, 15 Jun 2025 15:16:40 GMT", now) == 600
    assert parse_retry_after("Sun, 15 Jun 2025 15:00:00 GMT", now) == 0
    assert parse_retry_after("99999999", now) == 24 * 3600
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_a_server_that_never_answers_costs_the_timeout_and_says_so(server):
    url = server.add("/hang.xml", mode="hang")
    with pytest.raises(FetchError, match=r"timed out after 0\.5s") as info:
        fetch(url, FetchPolicy(timeout=0.5))
    assert info.value.kind == "timeout"


def test_a_server_dribbling_bytes_cannot_outlast_the_total_deadline(server):
    # Every read gets a byte before the socket timeout; only a total deadline stops it.
    url = server.add("/drip.xml", mode="drip")
    with pytest.raises(FetchError, match="timed out") as info:
        fetch(url, FetchPolicy(timeout=0.6))
    assert info.value.kind == "timeout"


def test_a_large_response_is_refused_by_its_content_length(server):
    url = server.add("/big.xml", mode="stream", stream_bytes=50 * 1024 * 1024)
    with pytest.raises(FetchError, match="52,428,800 bytes is over the 10,485,760-byte cap"):
        fetch(url)


def test_a_large_response_without_length_is_cut_at_the_cap(server):
    url = server.add(
        "/big-stream.xml", mode="stream", stream_bytes=50 * 1024 * 1024, send_length=False
    )
    with pytest.raises(FetchError, match="over the 10,485,760-byte cap") as info:
        fetch(url)
    assert info.value.kind == "too_large"


def test_redirects_are_followed_and_a_permanent_move_is_reported(server):
    target = server.add("/new.xml", body=b"<rss/>")
    server.add("/old.xml", status=301, headers={"Location": "/new.xml"})
    result = fetch(server.url("/old.xml"))
    assert result.final_url == target and result.moved_to == target and result.body == b"<rss/>"
    server.add("/temp.xml", status=302, headers={"Location": target})
    assert fetch(server.url("/temp.xml")).moved_to is None


def test_a_redirect_loop_is_detected(server):
    server.add("/a.xml", status=302, headers={"Location": "/b.xml"})
    server.add("/b.xml", status=302, headers={"Location": "/a.xml"})
    with pytest.raises(FetchError, match="redirect loop"):
        fetch(server.url("/a.xml"))
    assert len(server.hits("/a.xml")) == 1


def test_redirect_chains_are_limited(server):
    for i in range(5):
        server.add(f"/r{i}", status=302, headers={"Location": f"/r{i + 1}"})
    server.add("/r5", body=b"<rss/>")
    assert fetch(server.url("/r0"), FetchPolicy(max_redirects=5)).body == b"<rss/>"
    with pytest.raises(FetchError, match="more than 4 redirects"):
        fetch(server.url("/r0"), FetchPolicy(max_redirects=4))


def test_a_redirect_to_a_local_file_is_refused(server):
    server.add("/evil.xml", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="only http and https") as info:
        fetch(server.url("/evil.xml"))
    assert info.value.kind == "refused"


def test_file_urls_need_the_explicit_flag(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(fixture("rss20.xml"))
    with pytest.raises(FetchError, match="--allow-file"):
        fetch(path.as_uri())
    result = fetch(path.as_uri(), FetchPolicy(allow_file=True))
    assert result.body == fixture("rss20.xml")
    again = fetch(path.as_uri(), FetchPolicy(allow_file=True), last_modified=result.last_modified)
    assert again.not_modified


def test_other_schemes_and_refused_connections_are_errors(server):
    with pytest.raises(FetchError, match="only http and https"):
        fetch("ftp://127.0.0.1/feed.xml")
    port = server.port
    server.stop()
    with pytest.raises(FetchError, match="connection refused"):
        fetch(f"http://127.0.0.1:{port}/gone.xml", FetchPolicy(timeout=2))


def test_private_and_loopback_targets_are_refused_unless_allowed(server):
    """A feed URL, or a redirect, to loopback, private, link-local or metadata addresses."""
    refuse = FetchPolicy(allow_private=False, timeout=5)
    feed = server.add("/feed.xml", body=fixture("rss20.xml"))
    for url in (
        feed,  # 127.0.0.1
        "http://localhost:9/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/feed.xml",
        "http://[::1]:9/feed.xml",
        "http://0.0.0.0:9/feed.xml",
    ):
        with pytest.raises(FetchError) as caught:
            fetch(url, refuse)
        assert caught.value.kind == "refused" and "AXISWATCH_FETCH_ALLOW_PRIVATE" in str(
            caught.value
        )
    assert fetch(feed, FetchPolicy(allow_private=True)).status == 200


def test_the_allowance_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("AXISWATCH_FETCH_ALLOW_PRIVATE", "0")
    assert FetchPolicy().allow_private is False
    monkeypatch.setenv("AXISWATCH_FETCH_ALLOW_PRIVATE", "1")
    assert FetchPolicy().allow_private is True


def test_a_redirect_from_https_to_http_is_refused(monkeypatch):
    import producers.fetch as fetching

    def redirect(url, *args):  # noqa: ANN001, ANN002, ANN202
        return 301, {"location": "http://feeds.example.org/rss"}, b""

    monkeypatch.setattr(fetching, "_request", redirect)
    with pytest.raises(FetchError) as caught:
        fetch("https://feeds.example.org/rss", FetchPolicy(timeout=5))
    assert caught.value.kind == "refused" and "https to http" in str(caught.value)


def test_name_resolution_counts_toward_the_deadline(monkeypatch):
    import socket
    import time

    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: time.sleep(3) or [])
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch("http://slow-dns.example.org/rss", FetchPolicy(timeout=0.5))
    assert caught.value.kind == "timeout" and time.monotonic() - started < 2


def test_credentials_in_the_proxy_url_are_sent_and_the_proxy_resolves_the_name(server, monkeypatch):
    """Through http_proxy=http://user:pw@proxy the fetch sends Proxy-Authorization, and a name
    this host cannot resolve is left to the proxy (no private-address check on it here)."""
    import base64

    target = "http://feeds.invalid/rss.xml"  # .invalid never resolves
    server.add(target, body=fixture("rss20.xml"))  # a proxy is asked for the absolute URL
    monkeypatch.setenv("http_proxy", f"http://reader:s%40cret@127.0.0.1:{server.port}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    result = fetch(target, FetchPolicy(allow_private=False, timeout=5))
    assert result.body == fixture("rss20.xml")
    sent = server.hits(target)[0].headers["proxy-authorization"]
    assert base64.b64decode(sent.split()[1]) == b"reader:s@cret"
