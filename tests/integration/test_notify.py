"""`axiswatch notify` and `axiswatch alerts` on the real broker: alerts produced to the alerts
topic, delivered through apprise to a real HTTP receiver and a real SMTP server on 127.0.0.1
(or printed), once per matching route, across restarts, past a failing route."""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from axiswatch import broker
from axiswatch.settings import Settings
from axiswatch.topics import ensure_topics
from tests.integration.conftest import ROOT, cli_env, run_cli
from tests.unit.test_alertfilter import make_alert

pytestmark = pytest.mark.integration


# ----------------------------------------------------------------------------- receivers
class HttpReceiver:
    """A webhook on 127.0.0.1: keeps each JSON document POSTed to it; answers 500 to the
    first `fail_first` requests, then 200."""

    def __init__(self, port: int = 0, fail_first: int = 0) -> None:
        self.received: list[dict] = []
        self.requests = 0
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests += 1
                if receiver.requests <= receiver.fail_first:
                    self.send_response(500)
                else:
                    receiver.received.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str = "/hook") -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def alerts(self, run: str) -> list[dict]:
        return [d["alert"] for d in self.received if d.get("alert", {}).get("source") == run]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver:
    """An SMTP server (aiosmtpd) on 127.0.0.1 keeping each message."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.Message] = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                receiver.messages.append(email.message_from_bytes(envelope.content))
                return "250 OK"

        self.port = broker.free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=axiswatch@example.org&to=desk@example.org"

    def subjects(self, run: str) -> list[str]:
        return [
            str(m["Subject"])
            for m in self.messages
            if any(
                run in (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
                for part in m.walk()
                if not part.is_multipart()
            )
        ]

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture
def receivers():
    made: list = []

    def make(kind: str = "http", **kwargs):
        made.append(SmtpReceiver() if kind == "smtp" else HttpReceiver(**kwargs))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


# ----------------------------------------------------------------------------- helpers
def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


# The made-up alerts of these tests go to topics of their own: on the shared alerts topic the
# worker would read them back as known events when it starts, and real reports (the seed's, in
# a later module) would join them.
PREFIX = "notifytest."


@pytest.fixture(scope="module", autouse=True)
def own_topics(bootstrap: str) -> None:
    env = {**os.environ, "AXISWATCH_TOPIC_PREFIX": PREFIX}
    ensure_topics(Settings.from_env(env).with_bootstrap(bootstrap))


def own_env(bootstrap: str) -> dict[str, str]:
    return {**cli_env(bootstrap), "AXISWATCH_TOPIC_PREFIX": PREFIX}


def cli(bootstrap: str, *args: str) -> subprocess.CompletedProcess:
    return run_cli(bootstrap, *args, env=own_env(bootstrap))


def produce(producer, alerts: list[dict]) -> None:
    for alert in alerts:
        producer.send(
            f"{PREFIX}alerts", key=alert["alert_id"].encode(), value=json.dumps(alert).encode()
        ).get(30)


def routes_file(tmp_path: Path, routes: dict[str, tuple[str, str]]) -> Path:
    """name -> (url, extra TOML lines)."""
    text = "".join(
        f'[[routes]]\nname = "{name}"\nurl = "{url}"\n{extra}\n'
        for name, (url, extra) in routes.items()
    )
    path = tmp_path / "routes.toml"
    path.write_text(text)
    return path


def keys(alerts: list[dict]) -> list[tuple[str, str, str]]:
    return sorted((a["alert_id"], a["kind"], a["article_id"]) for a in alerts)


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> float:
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < timeout, f"timed out waiting for {what}"
        time.sleep(0.2)
    return time.monotonic() - start


def one_event(run: str) -> list[dict]:
    """A new military alert, then its update, two corroborations, and the new alert written
    again (the worker's at-least-once repeat); and a new cyber alert of another event."""
    ev, other = f"ev{run}a", f"ev{run}b"
    base = {"alert_id": ev, "event_id": ev, "source": run}
    return [
        make_alert(**base, kind="new", article_id="a1"),
        make_alert(**base, kind="updated", article_id="a2", changes=["quantity: 3000 troops"]),
        make_alert(**base, kind="corroborated", article_id="a3", source_count=2),
        make_alert(**base, kind="corroborated", article_id="a4", source_count=3),
        make_alert(**base, kind="new", article_id="a1"),
        make_alert(
            alert_id=other, event_id=other, source=run, kind="new", article_id="b1",
            category="cyber", categories=["cyber"], confidence=0.6,
        ),
    ]  # fmt: skip


# ----------------------------------------------------------------------------- notify
def test_each_route_gets_each_matching_alert_once_across_restarts(
    settings, bootstrap, producer, receivers, tmp_path
):
    run = uuid.uuid4().hex[:10]
    every, new_military, mail = receivers(), receivers(), receivers("smtp")
    path = routes_file(
        tmp_path,
        {
            f"every-{run}": (every.url(), ""),
            f"newmil-{run}": (
                new_military.url("/mil"),
                'kinds = ["new"]\ncategories = ["military"]\nmin_confidence = 0.8',
            ),
            f"mail-{run}": (mail.url(), "min_sources = 2"),
        },
    )
    since = now_iso()
    alerts = one_event(run)
    produce(producer, alerts)

    first = cli(bootstrap, "notify", "--routes", str(path), "--since", since, "--once")
    assert first.returncode == 0, first.stderr
    distinct = keys(alerts[:4] + alerts[5:])
    assert keys(every.alerts(run)) == distinct  # once each: the repeat of `new` is not resent
    assert keys(new_military.alerts(run)) == [(f"ev{run}a", "new", "a1")]
    assert sorted(mail.subjects(run)) == [
        f"[CORROBORATED, {n} sources] MILITARY: Troops to Kursk" for n in (2, 3)
    ]
    # json:// posts the alert as the topic has it, with a title and a text for people.
    document = next(d for d in new_military.received if d["alert"]["source"] == run)
    assert document["alert"] == alerts[0]
    assert document["title"] == "[NEW] MILITARY: Troops to Kursk"
    assert "North Korea sent 3,000 troops to Kursk." in document["message"]

    # A restart goes on where each route stopped: nothing is sent again.
    again = cli(bootstrap, "notify", "--routes", str(path), "--once")
    assert again.returncode == 0, again.stderr
    # Another group (no committed offsets) from the same time: the record of what each route
    # sent still keeps every alert from being sent twice.
    other = cli(
        bootstrap, "notify", "--routes", str(path), "--since", since, "--once",
        "--group", f"other-{run}",
    )  # fmt: skip
    assert other.returncode == 0, other.stderr
    assert f"route every-{run}: 0 sent" in other.stderr
    assert len(every.alerts(run)) == 5 and len(new_military.alerts(run)) == 1
    assert len(mail.subjects(run)) == 2

    # A new alert after the restart is delivered, and only it.
    later = make_alert(
        alert_id=f"ev{run}c", event_id=f"ev{run}c", source=run, article_id="c1", source_count=2
    )
    produce(producer, [later])
    last = cli(bootstrap, "notify", "--routes", str(path), "--once")
    assert last.returncode == 0, last.stderr
    assert keys(every.alerts(run)) == sorted([*distinct, (f"ev{run}c", "new", "c1")])
    assert len(new_military.alerts(run)) == 2 and len(mail.subjects(run)) == 3


def test_a_failing_route_blocks_no_other_and_is_retried(
    settings, bootstrap, producer, receivers, tmp_path
):
    run = uuid.uuid4().hex[:10]
    ok, flaky, mail = receivers(), receivers(fail_first=2), receivers("smtp")
    closed_port = broker.free_port()  # nothing listens there yet
    metrics_port = broker.free_port()
    path = routes_file(
        tmp_path,
        {
            "ok": (ok.url(), ""),
            "flaky": (flaky.url(), ""),
            "down": (f"json://127.0.0.1:{closed_port}/hook", ""),
            "mail": (mail.url(), ""),
        },
    )
    since = now_iso()
    alerts = one_event(run)[:2]
    produce(producer, alerts)
    log_path = tmp_path / "notify.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "axiswatch", "notify", "--routes", str(path),
             "--since", since, "--max-backoff", "1", "--metrics-port", str(metrics_port),
             "--group", f"failing-{run}"],
            env=own_env(bootstrap), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
    late = None
    try:
        # The working routes deliver while `down` fails on its first alert.
        wait_for(lambda: len(ok.alerts(run)) == 2 and len(mail.subjects(run)) == 2, 60, "ok")
        wait_for(lambda: len(flaky.alerts(run)) == 2, 30, "the flaky route's retries")
        assert flaky.requests == 4  # two 500s, then each alert once
        assert process.poll() is None
        text = log_path.read_text()
        assert "route down: delivering alert" in text and "retrying in" in text

        # The service comes up: the waiting route delivers both, in order, once.
        late = HttpReceiver(port=closed_port)
        wait_for(lambda: len(late.alerts(run)) == 2, 30, "the route that was down")
        assert keys(late.alerts(run)) == keys(alerts)
        assert [a["kind"] for a in late.alerts(run)] == ["new", "updated"]

        page = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5)
        lines = page.read().decode().splitlines()

        def value(name: str, route: str) -> float:
            prefix = f'{name}{{route="{route}"}} '
            return float(next(line for line in lines if line.startswith(prefix)).split()[-1])

        assert value("axiswatch_notify_sent_total", "ok") == 2
        assert value("axiswatch_notify_failures_total", "flaky") == 2
        assert value("axiswatch_notify_failures_total", "down") >= 1
        assert value("axiswatch_notify_failures_total", "ok") == 0
        assert value("axiswatch_notify_lag_messages", "ok") == 0
    finally:
        process.terminate()
        process.wait(timeout=60)
        if late:
            late.close()
    assert process.returncode == 0, log_path.read_text()[-3000:]
    assert len(ok.alerts(run)) == 2 and len(mail.subjects(run)) == 2


# ----------------------------------------------------------------------------- alerts
def alerts_cli(bootstrap: str, *args: str) -> list[dict]:
    result = cli(bootstrap, "alerts", "--json", "--idle-exit", "3", *args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_alerts_since_group_filters_and_escapes(settings, bootstrap, producer):
    run = uuid.uuid4().hex[:10]
    before = [make_alert(alert_id=f"ev{run}x", event_id=f"ev{run}x", source=run)]
    produce(producer, before)
    time.sleep(1.5)
    since = now_iso()
    kim = {"id": "kim_jong_un", "name": "Kim Jong Un", "type": "leader", "side": "dprk",
           "country": "PRK"}  # fmt: skip
    after = [
        make_alert(alert_id=f"ev{run}1", event_id=f"ev{run}1", source=run, confidence=0.9,
                   actors=[kim]),
        make_alert(alert_id=f"ev{run}2", event_id=f"ev{run}2", source=run, kind="corroborated",
                   category="cyber", categories=["cyber"], confidence=0.5),
        make_alert(alert_id=f"ev{run}3", event_id=f"ev{run}3", source=run, category="labour",
                   categories=["labour"], confidence=0.7,
                   title="Workers\x1b[2J\x1b[H\x9b31m \u202eevil"),
    ]  # fmt: skip
    produce(producer, after)

    def ids(alerts: list[dict]) -> list[str]:
        return [a["alert_id"] for a in alerts if a.get("source") == run]

    mine = [a["alert_id"] for a in after]
    # --since: from a time on (Kafka's offsets for times), or a duration ago.
    assert ids(alerts_cli(bootstrap, "--since", since)) == mine
    assert ids(alerts_cli(bootstrap, "--since", "1h")) == [f"ev{run}x", *mine]

    # --group: a named reader resumes after the last alert it printed.
    group = f"reader-{run}"
    assert ids(alerts_cli(bootstrap, "--group", group, "--since", since, "--max", "1")) == mine[:1]
    assert ids(alerts_cli(bootstrap, "--group", group)) == mine[1:]
    assert ids(alerts_cli(bootstrap, "--group", group)) == []

    # Filters, each alone and together.
    assert ids(alerts_cli(bootstrap, "--since", since, "--kind", "corroborated")) == mine[1:2]
    assert ids(alerts_cli(bootstrap, "--since", since, "--category", "labour")) == mine[2:]
    assert ids(alerts_cli(bootstrap, "--since", since, "--actor", "kim_jong_un")) == mine[:1]
    assert ids(alerts_cli(bootstrap, "--since", since, "--min-confidence", "0.7")) == [
        mine[0], mine[2]
    ]  # fmt: skip
    assert ids(alerts_cli(bootstrap, "--since", since, "--kind", "new", "--category",
                          "cyber", "--category", "labour")) == mine[2:]  # fmt: skip

    # Control characters in alert text never reach the terminal.
    shown = cli(bootstrap, "alerts", "--since", since, "--category", "labour",
                    "--idle-exit", "3")  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "Workers\\x1b[2J\\x1b[H\\x9b31m \\u202eevil" in shown.stdout
    assert not any(c in shown.stdout for c in "\x1b\x9b\u202e")
    raw = cli(bootstrap, "alerts", "--since", since, "--category", "labour", "--json",
                  "--idle-exit", "3")  # fmt: skip
    assert not any(c in raw.stdout for c in "\x1b\x9b\u202e")
    assert json.loads(raw.stdout)["title"] == after[2]["title"]
