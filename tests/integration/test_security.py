"""The whole pipeline against a local broker that requires SASL/SCRAM-SHA-256.

The module starts its own broker (`axiswatch broker start --scram`, a free port, a temporary
folder) rather than the session's plaintext one, and stops it at the end. Every client gets
its credentials from the environment, as in production: the CLI commands and the worker
through KAFKA_*, the test's own kafka-python clients through the same values.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from axiswatch import broker
from axiswatch.connection import diagnose
from axiswatch.settings import KafkaSettings
from tests.integration.conftest import ROOT, TopicReader, WorkerProcess

pytestmark = pytest.mark.integration

USER = "axiswatch-it"
# Unique, so that finding it anywhere means it leaked; with the characters that need escaping
# in the broker's properties file, its JAAS line and the storage tool's SCRAM argument.
PASSWORD = f'Pw,"q\\ü=]{secrets.token_hex(8)}'
CORPUS = ROOT / "seeds" / "eval" / "corpus.jsonl"


def _env(**extra: str) -> dict[str, str]:
    """The test process's environment without any Kafka settings of its own, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


@dataclass
class ScramBroker:
    bootstrap: str
    data_dir: Path
    work: Path
    outputs: list[str] = field(default_factory=list)  # every CLI output, checked for the password

    def client(self, password: str = PASSWORD, **extra) -> dict:
        """kafka-python settings for the SCRAM listener."""
        return {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "SCRAM-SHA-256",
            "sasl_plain_username": USER,
            "sasl_plain_password": password,
            **extra,
        }

    def env(self, password: str | None = PASSWORD, **extra: str) -> dict[str, str]:
        """What a user exports to point axiswatch at this broker (without a password: none)."""
        secure = {
            "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
            "KAFKA_SASL_USERNAME": USER,
            "KAFKA_SASL_PASSWORD": password,
        }
        return _env(
            KAFKA_BOOTSTRAP_SERVERS=self.bootstrap,
            AXISWATCH_DATA_DIR=str(self.work / "axiswatch"),
            **(secure if password is not None else {}),
            **extra,
        )

    def cli(
        self, *args: str, env: dict[str, str], timeout: float = 60
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "axiswatch", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )
        self.outputs += [result.stdout, result.stderr]
        return result


@pytest.fixture(scope="module")
def scram(tmp_path_factory) -> Iterator[ScramBroker]:
    work = tmp_path_factory.mktemp("scram")
    data_dir = work / "broker"
    port = broker.free_port()
    env = _env(KAFKA_SASL_USERNAME=USER, KAFKA_SASL_PASSWORD=PASSWORD)
    command = [sys.executable, "-m", "axiswatch", "broker", "start", "--scram"]
    command += ["--port", str(port), "--data-dir", str(data_dir)]
    try:
        started = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=150, cwd=ROOT
        )
        assert started.returncode == 0, started.stderr
        bootstrap = started.stdout.strip()
        assert bootstrap == f"127.0.0.1:{port}"
        assert "SCRAM-SHA-256" in started.stderr
        server = ScramBroker(bootstrap, data_dir, work, [started.stdout, started.stderr])
        yield server
    finally:
        broker.stop(data_dir)


def test_the_broker_requires_scram_and_keeps_the_password_private(scram: ScramBroker):
    properties = scram.data_dir / "server.properties"
    text = properties.read_text()
    assert f"listeners=SASL_PLAINTEXT://{scram.bootstrap}," in text
    assert (
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT" in text
    )
    assert "sasl.enabled.mechanisms=SCRAM-SHA-256" in text
    assert "CONTROLLER://127.0.0.1:" in text and "0.0.0.0" not in text
    assert stat.S_IMODE(properties.stat().st_mode) == 0o600
    assert not (scram.data_dir / "format.args").exists()
    for name in ("broker.json", "security.json"):
        assert "Pw," not in (scram.data_dir / name).read_text()

    def status(**env: str) -> subprocess.CompletedProcess:
        return scram.cli("broker", "status", "--data-dir", str(scram.data_dir), env=_env(**env))

    ok = status(KAFKA_SASL_USERNAME=USER, KAFKA_SASL_PASSWORD=PASSWORD)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "SCRAM-SHA-256" in ok.stdout and "answering" in ok.stdout and "NOT" not in ok.stdout
    wrong = status(KAFKA_SASL_USERNAME=USER, KAFKA_SASL_PASSWORD="not-the-password")
    assert wrong.returncode == 1 and "REFUSES the credentials" in wrong.stdout
    anonymous = status()
    assert anonymous.returncode == 1 and "set KAFKA_SASL_USERNAME" in anonymous.stdout


def test_a_client_without_credentials_or_with_a_wrong_password_is_refused(scram: ScramBroker):
    fast = {"bootstrap_timeout_ms": 4000, "request_timeout_ms": 4000}
    for client in ({}, scram.client(password="not-the-password")):
        started = time.monotonic()
        with pytest.raises(KafkaError):
            KafkaConsumer(bootstrap_servers=scram.bootstrap, group_id=None, **client, **fast)
        assert time.monotonic() - started < 20
    # What the broker says to each, asked directly.
    base = KafkaSettings(bootstrap_servers=scram.bootstrap)
    assert diagnose(base).kind == "closed"
    secure = KafkaSettings(
        bootstrap_servers=scram.bootstrap,
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="SCRAM-SHA-256",
        sasl_username=USER,
        sasl_password="not-the-password",
    )
    assert diagnose(secure).kind == "refused"
    assert diagnose(replace(secure, sasl_password=PASSWORD)).kind == "ok"

    # The commands say what is wrong and what to set, at once.
    started = time.monotonic()
    wrong = scram.cli("topics", env=scram.env(password="not-the-password"))
    assert wrong.returncode == 2
    assert "refused the credentials" in wrong.stderr and "KAFKA_SASL_PASSWORD" in wrong.stderr
    anonymous = scram.cli("alerts", "--idle-exit", "1", env=scram.env(password=None))
    assert anonymous.returncode == 2
    assert "KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT" in anonymous.stderr
    missing = scram.cli("topics", env={**scram.env(), "KAFKA_SASL_PASSWORD": ""})
    assert missing.returncode == 2 and "set KAFKA_SASL_PASSWORD" in missing.stderr
    assert time.monotonic() - started < 30
    assert "Traceback" not in wrong.stderr + anonymous.stderr + missing.stderr


def test_topics_replay_worker_and_a_scram_consumer_work_end_to_end(scram: ScramBroker):
    env = scram.env()
    created = scram.cli("topics", env=env)
    assert created.returncode == 0, created.stderr
    assert "articles.enriched" in created.stdout

    metrics_port = broker.free_port()
    worker = WorkerProcess(
        scram.bootstrap, scram.work, metrics_port=metrics_port, env=env, client=scram.client()
    )
    enriched = None
    try:
        worker.start()  # returns once a probe article went through both stages
        enriched = TopicReader(scram.bootstrap, "articles.enriched", client=scram.client())
        articles = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
        articles = [a for a in articles if a.get("title")][:5]
        batch = scram.work / "batch.jsonl"
        batch.write_text(
            "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8"
        )
        replayed = scram.cli("replay", str(batch), env=env)
        assert replayed.returncode == 0, replayed.stderr
        assert f"published {len(articles)} article(s)" in replayed.stderr

        titles = {a["title"] for a in articles}
        records = enriched.collect(
            lambda rs: titles <= {(r["value"] or {}).get("title") for r in rs}, timeout=60
        )
        mine = [r["value"] for r in records if r["value"]["title"] in titles]
        assert {r["title"] for r in mine} == titles
        assert all(r["article_id"] and r["story_id"] for r in mine)
        assert any(r["cooperation"] for r in mine)

        # The worker commits its input offsets itself, after reading the group's committed
        # positions with its own aiokafka consumer: that one logs in too.
        partitions = enriched.consumer.partitions_for_topic("articles.raw") or set()
        raw = [TopicPartition("articles.raw", p) for p in sorted(partitions)]
        ends = {tp: end for tp, end in enriched.consumer.end_offsets(raw).items() if end}
        admin = KafkaAdminClient(bootstrap_servers=scram.bootstrap, **scram.client())
        try:
            deadline = time.monotonic() + 30
            while True:
                committed = admin.list_group_offsets({"axiswatch": None}).get("axiswatch", {})
                if all(tp in committed and committed[tp].offset >= end for tp, end in ends.items()):
                    break
                assert time.monotonic() < deadline, f"committed {committed}, ends {ends}"
                time.sleep(1)
        finally:
            admin.close()

        # The lag monitor's kafka-python clients log in too: the group's lag is measured.
        deadline = time.monotonic() + 20
        while True:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{metrics_port}/metrics", timeout=5
            ) as page:
                lines = page.read().decode().splitlines()
            if any(
                line.startswith("axiswatch_consumer_lag_messages{")
                and 'topic="articles.raw"' in line
                for line in lines
            ):
                break
            assert time.monotonic() < deadline, "the worker never measured the consumer lag"
            time.sleep(1)
        assert worker.poll() is None
    finally:
        if enriched:
            enriched.close()
        worker.stop()
    log = worker.log_path.read_text(errors="replace")
    scram.outputs.append(log)
    assert f"Authenticated as {USER} via SCRAM-SHA-256" in log
    assert "offset keeping failed" not in log


def test_a_restarted_broker_keeps_its_user_and_refuses_another_password(scram: ScramBroker):
    port = scram.bootstrap.rsplit(":", 1)[1]
    start = ["broker", "start", "--scram", "--port", port, "--data-dir", str(scram.data_dir)]
    stopped = scram.cli("broker", "stop", "--data-dir", str(scram.data_dir), env=_env())
    assert stopped.returncode == 0 and "stopped" in stopped.stdout

    wrong = scram.cli(
        *start, env=_env(KAFKA_SASL_USERNAME=USER, KAFKA_SASL_PASSWORD="not-the-password")
    )
    assert wrong.returncode == 2
    assert "refuses the password in KAFKA_SASL_PASSWORD" in wrong.stderr
    assert broker.read_state(scram.data_dir) is None  # not left running

    again = scram.cli(*start, env=_env(KAFKA_SASL_USERNAME=USER, KAFKA_SASL_PASSWORD=PASSWORD))
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == scram.bootstrap
    topics = scram.cli("topics", env=scram.env())
    assert topics.returncode == 0, topics.stderr
    assert "articles.enriched" in topics.stdout and "created" not in topics.stdout


def test_the_password_is_in_no_log_or_output(scram: ScramBroker):
    assert len(scram.outputs) > 4
    # Its random tail: found in any spelling (escaped, quoted) of the password.
    secret = PASSWORD[-16:]
    leaks = [text[:200] for text in scram.outputs if secret in text]
    for path in [*scram.work.rglob("*.log"), *scram.data_dir.rglob("*")]:
        private = path.name == "server.properties"  # holds it on purpose, mode 0600
        if path.is_file() and not private and secret.encode() in path.read_bytes():
            leaks.append(str(path))
    assert (scram.data_dir / "broker.log").stat().st_size > 0
    assert leaks == []
