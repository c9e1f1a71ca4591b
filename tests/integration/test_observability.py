"""Observability with the real thing: Prometheus (the Debian package) scrapes the session's
worker on the real broker while articles go through; every dashboard query and every rule
evaluates without error, and the throughput, latency and alert panels return data. promtool
checks the configuration and the rules and runs the rules' unit tests."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from axiswatch import broker
from tests.integration.conftest import ROOT, run_cli

pytestmark = pytest.mark.integration

PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
CONFIG = PROMETHEUS_DIR / "prometheus.yml"
RULES = PROMETHEUS_DIR / "rules.yml"
RULES_TESTS = PROMETHEUS_DIR / "rules_test.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "axiswatch.json"
# What Grafana puts in for its variables; the windows are wide enough to hold the whole test.
GRAFANA_VARIABLES = {
    "__rate_interval": "5m",
    "__interval": "5m",
    "__range": "10m",
    "source": ".*",
    "feed": ".*",
}
# Panels that must show data once articles went through: (title, must some value be > 0).
MUST_HAVE_DATA = {
    "Workers up": True,
    "Articles enriched /s": True,
    "Articles per second by stage": True,
    "Articles enriched per second by source": True,
    "Duplicate ratio": True,
    "Stories started per second": True,
    "Dead letters per second by reason": True,
    "Processing time per stage": True,
    "Ingestion to output": True,
    "Publication to alert": True,
    "Alerts by category": True,
    "Latest alerts: counts by category and kind": True,
    "Consumer lag": False,
    "Consumer lag by topic and partition": False,
    "Story index size": False,
}


def require(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        pytest.fail(f"{tool} is not installed: scripts/setup --test installs it (apt: prometheus)")
    return path


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [require("promtool"), *args], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def grafana_expr(expr: str) -> str:
    """A dashboard query as Grafana sends it: its variables replaced."""
    return re.sub(
        r"\$\{?(\w+)\}?",
        lambda m: GRAFANA_VARIABLES[m.group(1)],
        expr,
    )


class Prometheus:
    def __init__(self, url: str, process: subprocess.Popen, log: Path) -> None:
        self.url, self.process, self.log = url, process, log

    def api(self, path: str, **params: Any) -> Any:
        query = urllib.parse.urlencode(params, doseq=True)
        try:
            with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=30) as response:
                body = json.load(response)
        except urllib.error.HTTPError as exc:  # 400/422 carry the error as JSON
            body = json.load(exc)
        assert body["status"] == "success", f"{path} {params}: {body.get('error')}"
        return body["data"]

    def query(self, expr: str, at: float | None = None) -> list[dict]:
        params = {"query": expr} | ({"time": at} if at is not None else {})
        return self.api("/api/v1/query", **params)["result"]

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[dict]:
        return self.api("/api/v1/query_range", query=expr, start=start, end=end, step=step)[
            "result"
        ]

    def wait_for(self, expr: str, timeout: float = 90) -> list[dict]:
        """The result of `expr` once it is not empty."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = self.query(expr)
            if result:
                return result
            time.sleep(0.5)
        raise AssertionError(f"no result for {expr} after {timeout}s; log:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])


def local_config(worker_port: int, prometheus_port: int) -> dict:
    """deploy/prometheus/prometheus.yml for this machine: the same jobs and rules, the
    session's worker in place of Docker's DNS discovery, one scrape a second, no poller."""
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    config["global"].update(scrape_interval="1s", scrape_timeout="1s", evaluation_interval="1s")
    config["rule_files"] = [str(RULES)]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    worker = jobs["axiswatch-worker"]
    del worker["dns_sd_configs"]
    worker["static_configs"] = [{"targets": [f"127.0.0.1:{worker_port}"]}]
    jobs["prometheus"]["static_configs"] = [{"targets": [f"127.0.0.1:{prometheus_port}"]}]
    config["scrape_configs"] = [jobs["axiswatch-worker"], jobs["prometheus"]]
    return config


def test_promtool_accepts_the_config_and_rules_and_the_rules_pass_their_unit_tests(tmp_path):
    checked = promtool("check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout
    # The compose configuration as it is (DNS discovery included), its rules file found here.
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    config["rule_files"] = [str(RULES)]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    checked = promtool("check", "config", str(tmp_path / "prometheus.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = promtool("test", "rules", str(RULES_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


@pytest.fixture(scope="module")
def prometheus(worker, tmp_path_factory) -> Iterator[Prometheus]:
    binary = require("prometheus")
    assert worker.metrics_port, "the session worker serves no metrics"
    folder = tmp_path_factory.mktemp("prometheus")
    port = broker.free_port()
    config = folder / "prometheus.yml"
    config.write_text(yaml.safe_dump(local_config(worker.metrics_port, port)))
    checked = promtool("check", "config", str(config))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    log = folder / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Prometheus(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"prometheus exited:\n{server.log_tail()}"
            try:
                with urllib.request.urlopen(f"{server.url}/-/ready", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"prometheus not ready:\n{server.log_tail()}"
            time.sleep(0.3)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


TITLE = "Observability: satellite help"
BODY = (
    "Russian engineers from Roscosmos helped North Korea's National Aerospace Technology "
    "Administration build a reconnaissance satellite launcher, officials in Seoul said."
)
# Series the rounds below move, and that Prometheus must have scraped before the next round.
SYNC = (
    ("axiswatch_articles_out_total", {"stage": "stories"}),
    ("axiswatch_alerts_total", {"category": "technology", "kind": "corroborated"}),
    ("axiswatch_duplicates_total", {"match": "text"}),
    ("axiswatch_stories_total", {}),
    ("axiswatch_dead_letters_total", {"reason": "invalid_json"}),
    ("axiswatch_publication_to_alert_seconds_count", {"category": "technology"}),
)


def write_article(path: Path, run: str, round_: int) -> None:
    """The same text each round, from another source under another address: round one
    starts a story and raises its alert (`new`, or `corroborated` if another test raised the
    signal already), later rounds are text duplicates of it and corroborate the alert. And a
    plain article of new words from one source: a new story each round, in series that grow
    from round to round."""
    published = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    url = f"https://example.org/axiswatch-observability/{run}/{round_}"
    articles = [
        {"title": TITLE, "body": BODY, "url": f"{url}/signal",
         "source": f"observability-{run}-{round_}", "published_at": published},
        {"title": "Observability: harbour log",
         "body": "Harbour log: " + " ".join(uuid.uuid4().hex for _ in range(12)) + ".",
         "url": f"{url}/plain", "source": f"observability-{run}", "published_at": published},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")


def worker_total(port: int, name: str, labels: dict[str, str]) -> float:
    """The sum of a metric's samples with these labels, read from the worker's /metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def selector(name: str, labels: dict[str, str]) -> str:
    matchers = ", ".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{name}{{{matchers}}}" if matchers else name


def values_of(result: list[dict]) -> list[float]:
    out = []
    for series in result:
        points = series["values"] if "values" in series else [series["value"]]
        out.extend(float(value) for _, value in points)
    return out


def test_dashboard_and_rules_evaluate_on_a_running_pipeline(
    prometheus, worker, bootstrap, reader, producer, tmp_path
):
    run = uuid.uuid4().hex[:8]
    prometheus.wait_for('up{job="axiswatch-worker"} == 1')
    alerts, dlq, enriched = reader("alerts"), reader("articles.dlq"), reader("articles.enriched")
    # Three rounds, each: the article (a technology signal that no other test's articles
    # carry, so the `new` alerts they expect stay theirs) and a record that is not JSON. A
    # counter series born in one round grows in the next, so every rate shows above zero.
    for round_ in (1, 2, 3):
        path = tmp_path / f"round{round_}.jsonl"
        write_article(path, run, round_)
        result = run_cli(bootstrap, "replay", str(path))
        assert result.returncode == 0, result.stderr
        garbage = f"obs-{run}-{round_}".encode()
        producer.send("articles.raw", key=garbage, value=b"{not json").get(30)
        both = {f"observability-{run}-{round_}", f"observability-{run}"}
        enriched.collect(lambda rs, b=both: b <= {r["value"]["source"] for r in rs}, 90)
        alerts.collect(lambda rs, b=both: any(r["value"]["source"] in b for r in rs), 90)
        dlq.collect(lambda rs, k=garbage: any(r["key"] == k for r in rs), timeout=60)
        # Prometheus has what the worker counted so far before the next round adds to it.
        for name, labels in SYNC:
            count = worker_total(worker.metrics_port, name, labels)
            prometheus.wait_for(f"(sum({selector(name, labels)}) or vector(0)) >= {count}")
    prometheus.wait_for("axiswatch_consumer_lag_messages")
    prometheus.wait_for("axiswatch_story_index_entries")
    at = time.time()

    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    # Prometheus panels (the latest alerts table reads the history's PostgreSQL).
    panels = [p for p in dashboard["panels"] if p.get("targets") and "expr" in p["targets"][0]]
    results: dict[str, list[float]] = {}
    for panel in panels:
        values: list[float] = []
        for target in panel["targets"]:
            expr = grafana_expr(target["expr"])
            if target.get("instant"):
                result = prometheus.query(expr, at=at)
            else:
                result = prometheus.query_range(expr, start=at - 120, end=at, step=2)
            values.extend(values_of(result))
        results[panel["title"]] = values
    for annotation in dashboard["annotations"]["list"]:
        if "expr" in annotation:
            prometheus.query_range(grafana_expr(annotation["expr"]), at - 120, at, 2)
    for title, positive in MUST_HAVE_DATA.items():
        values = [v for v in results[title] if not math.isnan(v)]
        assert values, f"panel {title!r} shows no data"
        if positive:
            assert max(values) > 0, f"panel {title!r} shows only zeros"

    table = prometheus.query(
        grafana_expr(next(p for p in panels if p["type"] == "table")["targets"][0]["expr"]),
        at=at,
    )
    assert "technology" in {series["metric"]["category"] for series in table}
    latency = prometheus.query(
        grafana_expr(
            next(p for p in panels if p["title"] == "Publication to alert")["targets"][0]["expr"]
        ),
        at=at,
    )
    # Published an hour before it was replayed: the p50 lies between the 15 min and 3 h buckets.
    assert 900 <= float(latency[0]["value"][1]) <= 3 * 3600

    for variable in dashboard["templating"]["list"]:
        metric, label = re.fullmatch(
            r"label_values\((\w+), (\w+)\)", variable["definition"]
        ).groups()
        prometheus.api(f"/api/v1/label/{label}/values", **{"match[]": metric})
    sources = prometheus.api(
        "/api/v1/label/source/values", **{"match[]": "axiswatch_articles_out_total"}
    )
    assert sources  # ours, or "other" once earlier tests used up the 100 source names

    # Every rule's expression evaluates, and Prometheus itself evaluates the rules cleanly.
    rules = [r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
    for rule in rules:
        prometheus.query(rule["expr"], at=at)
    deadline = time.monotonic() + 30
    while True:
        groups = prometheus.api("/api/v1/rules")["groups"]
        loaded = {r["name"]: r for g in groups for r in g["rules"]}
        if set(loaded) >= {r["alert"] for r in rules} and all(
            not r["lastEvaluation"].startswith("0001") for r in loaded.values()
        ):
            break
        assert time.monotonic() < deadline, f"rules not evaluated: {loaded}"
        time.sleep(0.5)
    assert {name: r["health"] for name, r in loaded.items()} == {r["alert"]: "ok" for r in rules}, [
        r.get("lastError") for r in loaded.values()
    ]
    # A healthy pipeline: the worker is scraped, so the rule that pages for it is quiet.
    assert loaded["AxiswatchWorkerDown"]["state"] == "inactive"
