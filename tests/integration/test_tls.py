"""The whole pipeline against a local broker whose client listener speaks TLS and requires
SASL/SCRAM-SHA-256 (SASL_SSL).

The module starts its own broker (`axiswatch broker start --tls --scram`, a free port, a
temporary folder) and stops it at the end. The broker generates its own CA and certificate;
clients trust that CA through KAFKA_SSL_CAFILE (the worker, replay, the test's kafka-python
clients) or by finding it in the local broker's state (commands without
KAFKA_BOOTSTRAP_SERVERS).
"""

from __future__ import annotations

import json
import secrets
import socket
import ssl
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from kafka.errors import KafkaError

from axiswatch import broker
from axiswatch.connection import diagnose
from axiswatch.settings import KafkaSettings, Settings
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

USER = "axiswatch-tls"
PASSWORD = f"tls-{secrets.token_hex(8)}"
FAST = {"bootstrap_timeout_ms": 4000, "request_timeout_ms": 4000}


@dataclass
class TlsBroker(RecordedCli):
    bootstrap: str
    data_dir: Path
    work: Path
    cafile: Path
    outputs: list[str] = field(default_factory=list)

    def client(self, cafile: Path | None = None, **extra) -> dict:
        """kafka-python settings for the SASL_SSL listener, trusting `cafile` (its CA)."""
        return {
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": "SCRAM-SHA-256",
            "sasl_plain_username": USER,
            "sasl_plain_password": PASSWORD,
            "ssl_cafile": str(cafile or self.cafile),
            **extra,
        }

    def settings(self, **changes) -> KafkaSettings:
        secure = KafkaSettings(
            bootstrap_servers=self.bootstrap,
            security_protocol="SASL_SSL",
            sasl_mechanism="SCRAM-SHA-256",
            sasl_username=USER,
            sasl_password=PASSWORD,
            ssl_cafile=str(self.cafile),
        )
        return replace(secure, **changes)

    def env(self, cafile: Path | None = None, **extra: str) -> dict[str, str]:
        """What a user exports to point axiswatch at this broker as an existing cluster."""
        return clean_env(
            KAFKA_BOOTSTRAP_SERVERS=self.bootstrap,
            KAFKA_SECURITY_PROTOCOL="SASL_SSL",
            KAFKA_SASL_MECHANISM="SCRAM-SHA-256",
            KAFKA_SASL_USERNAME=USER,
            KAFKA_SASL_PASSWORD=PASSWORD,
            KAFKA_SSL_CAFILE=str(cafile or self.cafile),
            AXISWATCH_DATA_DIR=str(self.work / "axiswatch"),
            **extra,
        )

    def local_env(self, **extra: str) -> dict[str, str]:
        """Only the credentials: the commands find the broker, its protocol and its CA in
        its state, as for `axiswatch broker start --tls --scram` in the project."""
        return clean_env(
            AXISWATCH_DATA_DIR=str(self.data_dir.parent),
            KAFKA_SASL_USERNAME=USER,
            KAFKA_SASL_PASSWORD=PASSWORD,
            **extra,
        )


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> Iterator[TlsBroker]:
    work = tmp_path_factory.mktemp("tls")
    data_dir = work / "broker"
    port = broker.free_port()
    env = clean_env(KAFKA_SASL_USERNAME=USER, KAFKA_SASL_PASSWORD=PASSWORD)
    try:
        started = start_local_broker("--tls", "--scram", port=port, data_dir=data_dir, env=env)
        bootstrap = started.stdout.strip()
        cafile = data_dir / "tls" / "ca.pem"
        assert f"local CA {cafile}" in started.stderr
        assert "KAFKA_SECURITY_PROTOCOL=SASL_SSL" in started.stderr
        yield TlsBroker(bootstrap, data_dir, work, cafile, [started.stdout, started.stderr])
    finally:
        broker.stop(data_dir)


def _foreign_ca(tls: TlsBroker) -> Path:
    """Another local CA: a valid one, that did not sign the broker's certificate."""
    other = broker.Tls(tls.work / "foreign")
    if not other.cafile.exists():
        other.generate()
    return other.cafile


def test_the_listener_speaks_tls_with_a_certificate_from_its_own_ca(tls: TlsBroker):
    text = (tls.data_dir / "server.properties").read_text()
    assert f"listeners=SASL_SSL://{tls.bootstrap},CONTROLLER://127.0.0.1:" in text
    assert "listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL" in text
    assert "ssl.keystore.type=PEM" in text and "0.0.0.0" not in text
    folder = tls.data_dir / "tls"
    for name in ("ca.key", "server.pem"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert "PRIVATE KEY" not in tls.cafile.read_text()

    # A plain TLS handshake, trusting only the broker's CA, with hostname checking.
    context = ssl.create_default_context(cafile=str(tls.cafile))
    host, port = tls.bootstrap.rsplit(":", 1)
    with (
        socket.create_connection((host, int(port)), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=host) as conn,
    ):
        cert = conn.getpeercert()
    assert ("IP Address", "127.0.0.1") in cert["subjectAltName"]

    # The broker's state gives commands on it the protocol and the CA by default.
    state = json.loads((tls.data_dir / "broker.json").read_text())
    assert state["security"]["protocol"] == "SASL_SSL"
    assert state["security"]["cafile"] == str(tls.cafile)
    assert PASSWORD not in json.dumps(state)
    local = Settings.from_env(tls.local_env()).kafka
    assert (local.bootstrap_servers, local.security_protocol) == (tls.bootstrap, "SASL_SSL")
    assert local.ssl_cafile == str(tls.cafile) and not local.external
    overridden = Settings.from_env(tls.local_env(KAFKA_SSL_CAFILE="/elsewhere/ca.pem")).kafka
    assert overridden.ssl_cafile == "/elsewhere/ca.pem"

    status = tls.cli("broker", "status", "--data-dir", str(tls.data_dir), env=tls.local_env())
    assert status.returncode == 0, status.stdout + status.stderr
    assert "over SASL_SSL" in status.stdout and "TLS" in status.stdout
    assert "answering" in status.stdout and "NOT" not in status.stdout


def test_plaintext_and_untrusting_clients_are_refused(tls: TlsBroker):
    # kafka-python: a plaintext client, and a TLS client trusting another CA.
    for client in ({}, tls.client(cafile=_foreign_ca(tls))):
        started = time.monotonic()
        with pytest.raises(KafkaError):
            KafkaConsumer(bootstrap_servers=tls.bootstrap, group_id=None, **client, **FAST)
        assert time.monotonic() - started < 20
    # What the broker says to each, asked directly.
    assert diagnose(KafkaSettings(bootstrap_servers=tls.bootstrap)).kind == "closed"
    assert diagnose(tls.settings(security_protocol="SASL_PLAINTEXT")).kind == "closed"
    assert diagnose(tls.settings(ssl_cafile=None)).kind == "untrusted"  # the system's CAs
    assert diagnose(tls.settings(ssl_cafile=str(_foreign_ca(tls)))).kind == "untrusted"
    assert diagnose(tls.settings(sasl_password="not-the-password")).kind == "refused"
    assert diagnose(tls.settings()).kind == "ok"

    # The commands say what is wrong and what to set, at once.
    started = time.monotonic()
    untrusted = tls.cli("topics", env=tls.env(cafile=_foreign_ca(tls)))
    assert untrusted.returncode == 2
    assert "failed verification" in untrusted.stderr and "KAFKA_SSL_CAFILE" in untrusted.stderr
    system = tls.cli("topics", env={**tls.env(), "KAFKA_SSL_CAFILE": ""})
    assert system.returncode == 2 and "failed verification" in system.stderr
    plaintext = tls.cli("topics", env=clean_env(KAFKA_BOOTSTRAP_SERVERS=tls.bootstrap))
    assert plaintext.returncode == 2
    assert "closed the connection" in plaintext.stderr and "KAFKA_SSL_CAFILE" in plaintext.stderr
    assert time.monotonic() - started < 30
    assert "Traceback" not in untrusted.stderr + system.stderr + plaintext.stderr


def test_topics_replay_worker_alerts_and_a_tls_consumer_work_end_to_end(tls: TlsBroker):
    # Without KAFKA_BOOTSTRAP_SERVERS: protocol and CA from the local broker's state.
    created = tls.cli("topics", env=tls.local_env())
    assert created.returncode == 0, created.stderr
    assert "articles.enriched" in created.stdout

    env = tls.env()
    metrics_port = broker.free_port()
    worker = WorkerProcess(
        tls.bootstrap, tls.work, metrics_port=metrics_port, env=env, client=tls.client()
    )
    enriched = None
    try:
        worker.start()  # returns once a probe article went through both stages
        enriched = TopicReader(tls.bootstrap, "articles.enriched", client=tls.client())
        mine = replay_corpus_sample(tls, tls.work, env, enriched)
        assert all(r["article_id"] and r["story_id"] for r in mine)
        assert any(r["cooperation"] for r in mine)

        # The worker commits its input offsets itself, after reading the group's committed
        # positions with its own aiokafka consumer: that one connects over TLS too.
        wait_until_committed(tls.bootstrap, ("articles.raw",), tls.client())

        # `alerts` (kafka-python) reads the alert topic over TLS, with the local defaults.
        alerts = tls.cli(
            "alerts", "--from-beginning", "--json", "--idle-exit", "2", env=tls.local_env()
        )
        assert alerts.returncode == 0, alerts.stderr
        assert all(json.loads(line)["alert_id"] for line in alerts.stdout.splitlines())

        # The lag monitor's kafka-python clients connect too: the group's lag is measured.
        wait_for_lag_metric(metrics_port)
        assert worker.poll() is None
    finally:
        if enriched:
            enriched.close()
        worker.stop()
    log = worker.log_path.read_text(errors="replace")
    tls.outputs.append(log)
    assert f"Authenticated as {USER} via SCRAM-SHA-256" in log
    assert "offset keeping failed" not in log
    assert "CERTIFICATE_VERIFY_FAILED" not in log


def test_a_restarted_broker_keeps_its_ca(tls: TlsBroker):
    port = tls.bootstrap.rsplit(":", 1)[1]
    start = ["broker", "start", "--port", port, "--data-dir", str(tls.data_dir)]
    creds = clean_env(KAFKA_SASL_USERNAME=USER, KAFKA_SASL_PASSWORD=PASSWORD)
    running = tls.cli(*start, "--scram", env=creds)  # without --tls: not this broker
    assert running.returncode == 2 and "speaks TLS" in running.stderr
    before = tls.cafile.read_bytes(), (tls.data_dir / "tls" / "server.pem").read_bytes()
    stopped = tls.cli("broker", "stop", "--data-dir", str(tls.data_dir), env=clean_env())
    assert stopped.returncode == 0 and "stopped" in stopped.stdout

    again = tls.cli(*start, "--scram", "--tls", env=creds)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == tls.bootstrap
    assert (tls.cafile.read_bytes(), (tls.data_dir / "tls" / "server.pem").read_bytes()) == before
    topics = tls.cli("topics", env=tls.env())  # trusting the same ca.pem as before
    assert topics.returncode == 0, topics.stderr
    assert "articles.enriched" in topics.stdout and "created" not in topics.stdout


def test_secrets_stay_private(tls: TlsBroker):
    secret = PASSWORD[-16:]
    leaks = [text[:200] for text in tls.outputs if secret in text]
    for path in [*tls.work.rglob("*.log"), *tls.data_dir.rglob("*")]:
        private = path.name == "server.properties"  # holds it on purpose, mode 0600
        if path.is_file() and not private and secret.encode() in path.read_bytes():
            leaks.append(str(path))
    assert leaks == []
    assert not any("PRIVATE KEY" in text for text in tls.outputs)
