"""`axiswatch serve` on the real broker: the seed's alerts reach the history store through the
sink and the JSON API lists them with their evidence; a category filter returns exactly that
category's alerts; a redelivered alert and a restart store nothing twice; and the page, loaded
in a real headless Chromium (Debian's `chromium`), lists the seed's alerts of a category with
their evidence and no other, and renders a screenshot of the expected size that is not blank."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
import zlib
from datetime import datetime
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from axiswatch import broker
from axiswatch.notify import ALERTS_TOPIC
from streams.articles import BadRecord, expand_paths, read_articles
from tests.integration.conftest import ROOT, TopicReader, cli_env, run_cli

pytestmark = pytest.mark.integration

SCREEN = (1280, 900)


def require_chromium() -> str:
    path = shutil.which("chromium")
    if not path:
        pytest.fail("chromium is not installed: scripts/setup --test installs it (apt: chromium)")
    return path


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    """Headless Chromium (no sandbox: the tests may run as root), its own profile folder."""
    command = [
        require_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}", *args,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


# ----------------------------------------------------------------------------- fixtures
class Server:
    """`axiswatch serve` as a child process on a free port, with its own store and group."""

    def __init__(self, bootstrap: str, data_dir: Path, group: str) -> None:
        self.bootstrap, self.data_dir, self.group = bootstrap, data_dir, group
        self.port = broker.free_port()
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.database_url: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.starts += 1
        log = (self.data_dir / f"serve-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "axiswatch", "serve", "--port", str(self.port),
             "--group", self.group]
            + (["--database-url", self.database_url] if self.database_url else []),
            env={**cli_env(self.bootstrap), "AXISWATCH_DATA_DIR": str(self.data_dir)},
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, self.log()
            try:
                if self.get("/healthz", raw=True) == "ok\n":
                    return
            except OSError:
                pass
            assert time.monotonic() < deadline, f"serve never answered:\n{self.log()}"
            time.sleep(0.3)

    def log(self) -> str:
        return (self.data_dir / f"serve-{self.starts}.log").read_text(errors="replace")[-3000:]

    def get(self, path: str, raw: bool = False, **params):
        query = urllib.parse.urlencode(params, doseq=True)
        with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=10) as answer:
            body = answer.read().decode("utf-8")
        return body if raw else json.loads(body)

    def caught_up(self, end: int, timeout: float = 60) -> dict:
        """The status once the sink has read the alerts topic up to `end`."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.get("/api/status")
            if (
                status["sink"]["state"] == "reading"
                and status["sink"]["positions"].get("0", 0) >= end
            ):
                return status
            assert time.monotonic() < deadline, f"the sink did not catch up: {status}"
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def topic_end(bootstrap: str) -> int:
    reader = TopicReader(bootstrap, ALERTS_TOPIC)
    try:
        [end] = reader.consumer.end_offsets(list(reader.consumer.assignment())).values()
        return end
    finally:
        reader.close()


@pytest.fixture(scope="module")
def seed_alerts(worker, bootstrap, seed_path_module) -> list[dict]:
    """The seed's four alerts as the alerts topic holds them: replayed now, or already raised
    earlier in the session (a second replay raises nothing)."""
    [article] = [
        a for a in read_articles(expand_paths([seed_path_module])) if not isinstance(a, BadRecord)
    ]
    replayed = run_cli(bootstrap, "replay", str(seed_path_module))
    assert replayed.returncode == 0, replayed.stderr
    reader = TopicReader(bootstrap, ALERTS_TOPIC, from_beginning=True)
    try:
        records = reader.collect(
            lambda rs: (
                len(
                    {
                        r["value"]["category"]
                        for r in rs
                        if (r["value"] or {}).get("article_id") == article.article_id
                    }
                )
                >= 4
            ),
            timeout=90,
        )
    finally:
        reader.close()
    # One alert per category: the seed's four developments. An alert of the seed for an event
    # that alerts already on the topic had made known (the events are read back from it when
    # the worker starts) is that event's, with its category as well.
    mine = list(
        {
            r["value"]["category"]: r["value"]
            for r in reversed(records)
            if r["value"]["article_id"] == article.article_id
        }.values()
    )
    assert sorted(a["category"] for a in mine) == ["cyber", "diplomatic", "labour", "military"]
    return mine


@pytest.fixture(scope="module")
def seed_path_module() -> Path:
    return ROOT / "seeds" / "000_7bc7d1cde3bf7f1e.txt"


@pytest.fixture(scope="module")
def server(bootstrap, seed_alerts, tmp_path_factory):
    process = Server(
        bootstrap, tmp_path_factory.mktemp("history"), f"history-{uuid.uuid4().hex[:8]}"
    )
    process.start()
    process.caught_up(topic_end(bootstrap))
    yield process
    process.stop()


def key(alert: dict) -> tuple[str, str, str]:
    return (alert["alert_id"], alert["kind"], alert["article_id"])


def everything(server: Server, **params) -> list[dict]:
    answer = server.get("/api/alerts", limit=500, **params)
    assert answer["total"] == answer["count"] <= 500, "more alerts than one page: page through"
    return answer["alerts"]


# ----------------------------------------------------------------------------- the API
def test_the_seeds_alerts_reach_the_store_and_the_api_lists_them_with_evidence(
    server, seed_alerts, seed_text
):
    listed = {key(a): a for a in everything(server)}
    for alert in seed_alerts:
        stored = listed[key(alert)]
        assert stored == alert  # the alert exactly as the topic carries it
        assert stored["evidence"] and stored["evidence"] in seed_text
    # Newest first.
    times = [a["detected_at"] for a in everything(server)]
    assert times == sorted(times, reverse=True)


def test_filtering_by_category_returns_exactly_that_categorys_alerts(server, seed_alerts):
    every = everything(server)
    for alert in seed_alerts:
        category = alert["category"]
        filtered = everything(server, category=category)
        expected = [a for a in every if category in {a["category"], *a["categories"]}]
        assert [key(a) for a in filtered] == [key(a) for a in expected]
        assert sorted(key(a) for a in filtered if a["article_id"] == alert["article_id"]) == sorted(
            key(a) for a in seed_alerts if category in {a["category"], *a["categories"]}
        )
    bad = urllib.request.Request(f"{server.url}/api/alerts?category=cyberr")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(bad, timeout=10)
    assert refused.value.code == 400
    assert "choose from military, cyber" in json.loads(refused.value.read())["error"]


def test_a_redelivered_alert_and_a_restart_store_nothing_twice(
    server, seed_alerts, producer, bootstrap
):
    before = server.get("/api/status")["alerts_stored"]
    again = seed_alerts[0]
    producer.send(
        ALERTS_TOPIC, key=again["alert_id"].encode(), value=json.dumps(again).encode()
    ).get(30)
    end = topic_end(bootstrap)
    assert server.caught_up(end)["alerts_stored"] == before
    server.stop()
    server.start()  # the same store and group: goes on from the store's position
    status = server.caught_up(end)
    assert status["alerts_stored"] == before
    assert status["sink"]["stored_since_start"] == 0


# ----------------------------------------------------------------------------- the browser
def test_the_page_in_chromium_lists_the_category_s_alerts_with_evidence_and_no_other(
    server, seed_alerts, tmp_path
):
    category = "labour"
    url = f"{server.url}/?category={category}&limit=500"
    dom = HTMLParser(chromium("--dump-dom", url, profile=tmp_path / "profile").stdout)
    listed = dom.css("article.alert")
    assert listed, "no alert on the page"
    shown = [
        (n.attributes["data-alert-id"], n.attributes["data-kind"], n.attributes["data-article-id"])
        for n in listed
    ]
    assert shown == [key(a) for a in everything(server, category=category)]
    page_text = dom.body.text()
    for alert in seed_alerts:
        evidence = f"“{alert['evidence']}”"
        if category in {alert["category"], *alert["categories"]}:
            [node] = [n for n in listed if n.attributes["data-article-id"] == alert["article_id"]
                      and n.attributes["data-alert-id"] == alert["alert_id"]]  # fmt: skip
            assert node.css_first("blockquote.evidence").text() == evidence
            assert node.css_first(".category").text() == category.upper()
        else:
            assert alert["evidence"] not in page_text
    # The filter form shows the category chosen.
    assert dom.css_first('select[name="category"] option[selected]').attributes["value"] == category


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of pixels of an 8-bit RGB or RGBA PNG; asserts every chunk's
    CRC and undoes the row filters (PNG spec, section 9)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
        if kind == b"IEND":
            break
    assert header, "no IHDR"
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    assert len(raw) == height * (stride + 1)
    rows, prior = [], bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prior[i]
            c = prior[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
            else:
                assert kind == 0, f"unknown filter {kind}"
                break
        rows.append(bytes(line))
        prior = line
    return width, height, rows


def test_a_screenshot_of_the_page_is_a_real_image_of_the_window(
    server, tmp_path_factory, record_property
):
    folder = tmp_path_factory.mktemp("screenshots")
    shot = folder / "history-cyber.png"
    chromium(
        f"--window-size={SCREEN[0]},{SCREEN[1]}", f"--screenshot={shot}",
        f"{server.url}/?category=cyber", profile=folder / "profile",
    )  # fmt: skip
    record_property("screenshot", str(shot))
    print(f"screenshot: {shot}")
    width, height, rows = png_pixels(shot.read_bytes())
    assert (width, height) == SCREEN
    bpp = len(rows[0]) // width
    pixels = [row[i : i + 3] for row in rows[::4] for i in range(0, len(row), bpp * 4)]
    counts: dict[bytes, int] = {}
    for pixel in pixels:
        counts[pixel] = counts.get(pixel, 0) + 1
    assert len(counts) >= 20, f"only {len(counts)} colours: a blank page?"
    assert max(counts.values()) < 0.9 * len(pixels), "one colour covers the page"
    # The page's dark header bar (#1c2330) across the top, the light page below it.
    assert rows[5][:3] == bytes((0x1C, 0x23, 0x30))
    assert rows[height // 2][width * bpp - bpp : width * bpp - bpp + 3] == bytes((0xF6, 0xF7, 0xF9))


# ----------------------------------------------------------------------------- PostgreSQL
def require_postgres() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail(
            "PostgreSQL is not installed: scripts/setup --test installs it (apt: postgresql)"
        )
    return found[-1].parent


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL server (Debian's binaries) on a free port, trust login on
    127.0.0.1; run as the postgres user when the tests run as root (initdb refuses root)."""
    bin_dir = require_postgres()
    folder = Path(tempfile.mkdtemp(prefix="axiswatch-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = broker.free_port()
    data = folder / "data"

    def run(*command: str) -> None:
        done = subprocess.run([*as_user, *command], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "axiswatch", "--auth=trust", "-E", "UTF8")
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "pg.log"), "-w", "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start")  # fmt: skip
    try:
        yield f"postgresql://axiswatch@127.0.0.1:{port}/postgres"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def test_the_history_in_postgresql_feeds_grafanas_latest_alerts_table(
    bootstrap, seed_alerts, postgres_url, tmp_path
):
    import importlib.util

    import psycopg

    server = Server(bootstrap, tmp_path, f"history-pg-{uuid.uuid4().hex[:8]}")
    server.database_url = postgres_url
    server.start()
    try:
        status = server.caught_up(topic_end(bootstrap))
        assert status["store"] == f"PostgreSQL {postgres_url}"
        listed = {key(a): a for a in everything(server)}
        for alert in seed_alerts:
            assert listed[key(alert)] == alert
        assert [key(a) for a in everything(server, category="cyber", kind="new")] == [
            key(a) for a in everything(server) if a["kind"] == "new"
            and "cyber" in {a["category"], *a["categories"]}
        ]  # fmt: skip
    finally:
        server.stop()
    # The dashboard's query, with Grafana's time filter macro as Grafana expands it for a time
    # range around the seed's alerts (the session's other tests may have raised more than the
    # panel's 200 since: the latest 200 of the last days need not hold them).
    spec = importlib.util.spec_from_file_location(
        "axiswatch_dashboard", ROOT / "deploy" / "grafana" / "dashboard.py"
    )
    dashboard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dashboard)
    detected = sorted(datetime.fromisoformat(a["detected_at"]) for a in seed_alerts)
    sql = dashboard.HISTORY_SQL.replace(
        "$__timeFilter(detected_at)", "detected_at BETWEEN %(start)s AND %(end)s"
    )
    window = {"start": detected[0], "end": detected[-1]}
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute(sql, window).fetchall()
        names = [c.name for c in conn.execute(sql, window).description]
    assert names[:5] == ["detected", "kind", "category", "title", "evidence"]
    table = [dict(zip(names, row, strict=True)) for row in rows]
    for alert in seed_alerts:
        [row] = [
            r for r in table
            if (r["alert_id"], r["kind"], r["evidence"])
            == (alert["alert_id"], alert["kind"], alert["evidence"])
        ]  # fmt: skip
        assert row["actors"] == ", ".join(a["name"] for a in alert["actors"])
        assert row["category"] == alert["category"]
    assert [r["detected"] for r in table] == sorted((r["detected"] for r in table), reverse=True)
