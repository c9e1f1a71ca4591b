"""The alerting path with the real thing: Prometheus (the Debian package) evaluates rules and
sends what fires to Alertmanager (the Debian package) running deploy/alertmanager/alertmanager.yml,
whose routes post to webhook receivers: a critical alert pages, a warning goes to the team.
amtool checks the configuration."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from axiswatch import broker
from tests.integration.conftest import ROOT

pytestmark = pytest.mark.integration

CONFIG = ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"


def require(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        pytest.fail(
            f"{tool} is not installed: scripts/setup --test installs it "
            "(apt: prometheus, prometheus-alertmanager)"
        )
    return path


class Receiver:
    """A webhook receiver on 127.0.0.1: what Alertmanager posted, by path."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict]] = []
        received = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                received.append((self.path, json.loads(self.rfile.read(length))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def alerts(self, path: str) -> set[str]:
        return {
            alert["labels"]["alertname"]
            for where, body in list(self.posts)
            if where == path
            for alert in body["alerts"]
            if alert["status"] == "firing"
        }


def start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(args, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def wait_ready(url: str, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-2000:]
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} not ready after {timeout}s:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[tuple[Receiver, Path]]:
    folder = tmp_path_factory.mktemp("alerting")
    receiver = Receiver()
    # The committed configuration, its receivers pointed at this test's webhook.
    config = yaml.safe_load(CONFIG.read_text())
    for entry in config["receivers"]:
        for hook in entry.get("webhook_configs", []):
            path = hook["url"].rsplit("/", 1)[1]
            hook["url"] = f"http://127.0.0.1:{receiver.port}/{path}"
    # Its waits shortened for the test; the routes, matchers and receivers are the committed ones.
    for route in [config["route"], *config["route"].get("routes", [])]:
        route["group_wait"] = "1s"
    (folder / "alertmanager.yml").write_text(yaml.safe_dump(config))
    am_port = broker.free_port()
    manager = start(
        [
            require("prometheus-alertmanager"),
            f"--config.file={folder / 'alertmanager.yml'}",
            f"--storage.path={folder / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",  # one Alertmanager: no gossip cluster
        ],
        folder / "alertmanager.log",
    )
    wait_ready(f"http://127.0.0.1:{am_port}/-/ready", manager, folder / "alertmanager.log")
    # Prometheus as deployed (its alerting section), with two rules that fire at once, one of
    # each severity the rules use.
    (folder / "rules.yml").write_text(
        yaml.safe_dump(
            {
                "groups": [
                    {
                        "name": "test",
                        "rules": [
                            {"alert": "TestPage", "expr": "vector(1)",
                             "labels": {"severity": "critical"}},
                            {"alert": "TestTeam", "expr": "vector(1)",
                             "labels": {"severity": "warning"}},
                        ],
                    }
                ]
            }
        )
    )  # fmt: skip
    prometheus_config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    prometheus_config["global"].update(
        evaluation_interval="1s", scrape_interval="5s", scrape_timeout="5s"
    )
    prometheus_config["rule_files"] = [str(folder / "rules.yml")]
    prometheus_config["scrape_configs"] = []
    for manager_config in prometheus_config["alerting"]["alertmanagers"]:
        manager_config["static_configs"] = [{"targets": [f"127.0.0.1:{am_port}"]}]
    (folder / "prometheus.yml").write_text(yaml.safe_dump(prometheus_config))
    prometheus = start(
        [
            require("prometheus"),
            f"--config.file={folder / 'prometheus.yml'}",
            f"--storage.tsdb.path={folder / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{broker.free_port()}",
            "--rules.alert.resend-delay=2s",  # the test does not wait a minute for a resend
        ],
        folder / "prometheus.log",
    )
    try:
        yield receiver, folder
    finally:
        for process in (prometheus, manager):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        receiver.server.shutdown()


def test_amtool_accepts_the_configuration():
    checked = subprocess.run(
        [require("amtool"), "check-config", str(CONFIG)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_critical_alert_pages_and_a_warning_goes_to_the_team(stack):
    receiver, folder = stack
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if receiver.alerts("/page") and receiver.alerts("/team"):
            break
        time.sleep(0.5)
    logs = "\n".join(
        (folder / name).read_text(errors="replace")[-2000:]
        for name in ("alertmanager.log", "prometheus.log")
    )
    assert receiver.alerts("/page") == {"TestPage"}, logs
    assert receiver.alerts("/team") == {"TestTeam"}, logs
