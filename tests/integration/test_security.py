"""The whole pipeline against a local broker that requires SASL/SCRAM-SHA-256.

The module starts its own broker (`axiswatch broker start --scram`, a free port, a temporary
folder) rather than the session's plaintext one, and stops it at the end. Every client gets
its credentials from the environment, as in production: the CLI commands and the worker
through KAFKA_*, the test's own kafka-python clients through the same values.
"""

from __future__ import annotations

import secrets
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from kafka.errors import KafkaError

from axiswatch import broker
from axiswatch.connection import diagnose
from axiswatch.settings import KafkaSettings
from tests.integration.conftest import (
    RecordedCli,
    TopicReader,
    WorkerProcess,
    clean_env,
    replay_corpus_sample,
    start_local_broker,
    wait_for_lag_metric,
    wait_until_committed,
)

pytestmark = pytest.mark.integration

USER = "axiswatch-it"
# Unique, so that finding it anywhere means it leaked; with the characters that need escaping
# in the broker's properties file, its JAAS line and the storage tool's SCRAM argument.
PASSWORD = f'Pw,"q\\ü=]{secrets.token_hex(8)}'


@dataclass
class ScramBroker(RecordedCli):
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
        return clean_env(
            KAFKA_BOOTSTRAP_SERVERS=self.bootstrap,
            AXISWATCH_DATA_DIR=str(self.work / "axiswatch"),
            **(secure if password is not None else {}),
            **extra,
        )


@pytest.fixture(scope="module")
def scram(tmp_path_factory) -> Iterator[ScramBroker]:
    work = tmp_path_factory.mktemp("scram")
    data_dir = work / "broker"
    port = broker.free_port()
    env = clean_env(KAFKA_SASL_USERNAME=USER, KAFKA_SASL_PASSWORD=PASSWORD)
    try:
        started = start_local_broker("--scram", port=port, data_dir=data_dir, env=env)
        bootstrap = started.stdout.strip()
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
        return scram.cli(
            "broker", "status", "--data-dir", str(scram.data_dir), env=clean_env(**env)
        )

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
        mine = replay_corpus_sample(scram, scram.work, env, enriched)
        assert all(r["article_id"] and r["story_id"] for r in mine)
        assert any(r["cooperation"] for r in mine)

        # The worker commits its input offsets itself, after reading the group's committed
        # positions with its own aiokafka consumer: that one logs in too.
        wait_until_committed(scram.bootstrap, ("articles.raw",), scram.client())

        # The lag monitor's kafka-python clients log in too: the group's lag is measured.
        wait_for_lag_metric(metrics_port)
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
    stopped = scram.cli("broker", "stop", "--data-dir", str(scram.data_dir), env=clean_env())
    assert stopped.returncode == 0 and "stopped" in stopped.stdout

    wrong = scram.cli(
        *start, env=clean_env(KAFKA_SASL_USERNAME=USER, KAFKA_SASL_PASSWORD="not-the-password")
    )
    assert wrong.returncode == 2
    assert "refuses the password in KAFKA_SASL_PASSWORD" in wrong.stderr
    assert broker.read_state(scram.data_dir) is None  # not left running

    again = scram.cli(*start, env=clean_env(KAFKA_SASL_USERNAME=USER, KAFKA_SASL_PASSWORD=PASSWORD))
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
