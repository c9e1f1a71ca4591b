"""One single-node Apache Kafka broker (KRaft) as a process: its configuration, the formatting
of its storage, start and stop. Each broker keeps its configuration, logs and data in its own
folder, so several can run side by side.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

from axiswatch.broker.jars import LOG4J, ensure_jars, require_java
from axiswatch.broker.security import (
    SCRAM_MECHANISM,
    Scram,
    Tls,
    client_protocol,
    properties_value,
    tls_material,
    write_private,
)
from axiswatch.broker.status import default_data_dir, probe
from axiswatch.brokerstate import STATE_FILE as _STATE
from axiswatch.brokerstate import alive as _alive
from axiswatch.brokerstate import read_state
from axiswatch.exceptions import BrokerError

__all__ = ["free_port", "start", "stop"]

_SECURITY = "security.json"  # how the storage was formatted: the SCRAM user, never a secret


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cluster_id() -> str:
    """A random cluster id, as Kafka's own `Uuid.randomUuid` makes them: never starting with
    "-", which the storage tool would read as an option (one start in 64 failed so)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _previous_controller_port(config: Path) -> int | None:
    try:
        text = config.read_text()
    except OSError:
        return None
    match = re.search(r"^controller\.quorum\.voters=1@127\.0\.0\.1:(\d+)$", text, re.M)
    port = int(match.group(1)) if match else None
    return port if port and not _port_in_use(port) else None


def _properties(
    port: int,
    controller_port: int,
    data_dir: Path,
    scram: Scram | None = None,
    tls: Tls | None = None,
) -> str:
    """server.properties of the local broker. With `scram`, the client listener (also used
    between brokers) requires SASL/SCRAM-SHA-256 and the file holds the password; with `tls`,
    it speaks TLS with `tls`'s certificate (SSL, or SASL_SSL with `scram`)."""
    client = client_protocol(scram is not None, tls is not None)
    lines = [
        "# Written by `axiswatch broker start`; rewritten on every start.",
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@127.0.0.1:{controller_port}",
        f"listeners={client}://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        f"advertised.listeners={client}://127.0.0.1:{port}",
        "controller.listener.names=CONTROLLER",
        f"inter.broker.listener.name={client}",
        f"listener.security.protocol.map=CONTROLLER:PLAINTEXT,{client}:{client}",
    ]
    if scram:
        prefix = f"listener.name.{client.lower()}.{SCRAM_MECHANISM.lower()}"
        lines += [
            f"sasl.enabled.mechanisms={SCRAM_MECHANISM}",
            f"sasl.mechanism.inter.broker.protocol={SCRAM_MECHANISM}",
            f"{prefix}.sasl.jaas.config={properties_value(scram.jaas())}",
        ]
    if tls:
        lines += tls.properties()
    return "\n".join(
        [
            *lines,
            f"log.dirs={data_dir / 'logs'}",
            "num.partitions=1",
            "default.replication.factor=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=10",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=false",
            "message.max.bytes=8388608",
            "replica.fetch.max.bytes=8388608",
            "log.retention.hours=168",
            "log.segment.bytes=67108864",
            "",
        ]
    )


def _formatted_security(data_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((data_dir / _SECURITY).read_text())
    except (OSError, ValueError):
        return {}


def _check_running(
    state: dict[str, Any], scram: Scram | None, data_dir: Path, tls: bool = False
) -> None:
    running = state.get("security") or {}
    if tls != bool(running.get("tls")):
        raise BrokerError(
            f"The broker running in {data_dir} "
            + ("speaks TLS" if running.get("tls") else "does not speak TLS")
            + "; stop it first (`axiswatch broker stop`) to restart it "
            + ("without --tls." if running.get("tls") else "with --tls.")
        )
    if scram is None and running.get("mechanism"):
        raise BrokerError(
            f"The broker running in {data_dir} requires SASL/{running['mechanism']}; stop it "
            "first (`axiswatch broker stop`) to run it without, or add --scram."
        )
    if scram is not None and not running.get("mechanism"):
        raise BrokerError(
            f"A plaintext broker already runs in {data_dir}; stop it first "
            "(`axiswatch broker stop`) to restart it with --scram."
        )
    if scram is not None and running.get("username") != scram.username:
        raise BrokerError(
            f"The broker running in {data_dir} has the SCRAM user {running.get('username')!r}, "
            f"not {scram.username!r} (KAFKA_SASL_USERNAME)."
        )


def start(
    port: int = 9092,
    data_dir: Path | None = None,
    timeout: float = 90.0,
    scram: Scram | None = None,
    tls: bool = False,
) -> str:
    """Start a broker on 127.0.0.1:`port` with its data in `data_dir`; returns the bootstrap
    address once the broker answers. Idempotent: a broker already running there is reused.
    With `scram`, clients must authenticate with SASL/SCRAM-SHA-256 as that user; with `tls`,
    the client listener speaks TLS, its certificate signed by a local CA generated in
    `data_dir` when it is first formatted (`tls_material(data_dir).cafile`)."""
    data_dir = Path(data_dir or default_data_dir()).resolve()
    state = read_state(data_dir)
    if state:
        _check_running(state, scram, data_dir, tls)
        return state["bootstrap"]
    if _port_in_use(port):
        raise BrokerError(
            f"Port {port} on 127.0.0.1 is already in use by another process. Stop it, choose "
            f"another port with --port, or point axiswatch at it with KAFKA_BOOTSTRAP_SERVERS."
        )
    java = require_java()
    jars = ensure_jars()
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / "server.properties"
    formatted = (data_dir / "logs" / "meta.properties").exists()
    if scram and formatted:
        user = _formatted_security(data_dir).get("username")
        if user != scram.username:
            raise BrokerError(
                f"The broker's data in {data_dir} was formatted "
                + (f"with the SCRAM user {user!r}, not {scram.username!r}" if user else
                   "without a SCRAM user")
                + "; the user is created only when the storage is formatted. Use another "
                "--data-dir (or remove this one) to start a SCRAM broker with this user."
            )  # fmt: skip
    material = tls_material(data_dir) if tls else None
    if material and not material.exists():
        if formatted:
            raise BrokerError(
                f"The broker's data in {data_dir} was formatted without TLS: its certificate "
                "and CA are generated only when the data dir is first formatted, so that "
                "clients keep trusting the same CA. Use another --data-dir (or remove this "
                "one) to start a TLS broker, or start this one without --tls."
            )
        material.generate()
    # A restarted broker keeps its controller port: the quorum's voter address is in its log.
    controller_port = _previous_controller_port(config) or free_port()
    if scram:
        write_private(config, _properties(port, controller_port, data_dir, scram, material))
    else:
        config.write_text(_properties(port, controller_port, data_dir, tls=material))
    classpath = f"{jars}/*"
    log_path = data_dir / "broker.log"
    if not formatted:
        _format(java, classpath, config, data_dir, scram)
    log = log_path.open("ab")
    process = subprocess.Popen(
        [
            java,
            "-Xms256m",
            "-Xmx1g",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={LOG4J}",
            f"-Dkafka.logs.dir={data_dir}",
            "-cp",
            classpath,
            "kafka.Kafka",
            str(config),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        cwd=data_dir,
    )
    bootstrap = f"127.0.0.1:{port}"
    security: dict[str, Any] = {"protocol": client_protocol(scram is not None, tls)}
    if scram:
        security.update(mechanism=SCRAM_MECHANISM, username=scram.username)
    if material:
        security.update(tls=True, cafile=str(material.cafile))
    (data_dir / _STATE).write_text(
        json.dumps(
            {
                "pid": process.pid,
                "bootstrap": bootstrap,
                "port": port,
                "controller_port": controller_port,
                "started_at": time.time(),
                "security": security,
            }
        )
    )
    deadline = time.monotonic() + timeout
    refused_since = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrokerError(
                f"The broker exited with status {process.returncode} during start-up; "
                f"see {log_path}:\n{_tail(log_path)}"
            )
        answer = probe(bootstrap, scram, material.cafile if material else None)
        if answer == "answering":
            return bootstrap
        if answer == "refused":
            # The user's credential is read from the metadata log at start-up: a refusal
            # that lasts means this password is not the one the storage was formatted with.
            refused_since = refused_since or time.monotonic()
            if time.monotonic() - refused_since > 10:
                _terminate(process.pid, 10)
                (data_dir / _STATE).unlink(missing_ok=True)
                raise BrokerError(
                    f"The broker in {data_dir} refuses the password in KAFKA_SASL_PASSWORD for "
                    f"the user {scram.username!r}: its storage was formatted with another one. "
                    "Use that password, or another --data-dir (or remove this one)."
                )
        else:
            refused_since = None
        time.sleep(0.3)
    _terminate(process.pid, 10)
    raise BrokerError(f"The broker did not answer within {timeout:.0f}s; see {log_path}")


def _format(java: str, classpath: str, config: Path, data_dir: Path, scram: Scram | None) -> None:
    """Format the log dir (a new cluster); with `scram`, its metadata holds the SCRAM user."""
    command = [
        java,
        "-cp",
        classpath,
        f"-Dlog4j2.configurationFile={LOG4J}",
        "kafka.tools.StorageTool",
        "format",
        "-t",
        _cluster_id(),
        "-c",
        str(config),
        "--ignore-formatted",
    ]
    arguments = data_dir / "format.args"
    secret = None
    if scram:
        # Through an argument file (mode 0600, removed after), not the command line that
        # every local user can read in /proc.
        secret = scram.storage_credential()
        write_private(arguments, f"--add-scram\n{secret}\n")
        command.append(f"@{arguments}")
    try:
        formatted = subprocess.run(command, capture_output=True, text=True)
    finally:
        arguments.unlink(missing_ok=True)
    if formatted.returncode != 0:
        output = formatted.stdout + formatted.stderr
        if secret:
            output = output.replace(secret, "<the SCRAM credential>")
        raise BrokerError(f"Formatting the broker's log dir failed:\n{output}")
    if scram:
        (data_dir / _SECURITY).write_text(
            json.dumps({"mechanism": SCRAM_MECHANISM, "username": scram.username})
        )


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _terminate(pid: int, timeout: float) -> bool:
    """SIGTERM (a clean, controlled shutdown), then SIGKILL after `timeout` seconds."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            _reap(pid)
            return True
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _reap(pid)
    return False


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def stop(data_dir: Path | None = None, timeout: float = 30.0) -> bool:
    """Stop the broker running in `data_dir`. False if none was running."""
    data_dir = Path(data_dir or default_data_dir()).resolve()
    state = read_state(data_dir)
    if not state:
        return False
    clean = _terminate(state["pid"], timeout)
    (data_dir / _STATE).unlink(missing_ok=True)
    if not clean:
        raise BrokerError(f"The broker did not stop within {timeout:.0f}s and was killed.")
    return True
