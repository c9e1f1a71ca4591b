"""A single-node Apache Kafka broker (KRaft) run from jars fetched from Maven Central.

`deploy/kafka/pom.xml` names the broker's artifacts; `mvn dependency:copy-dependencies` copies
them (once, then cached) to `deploy/kafka/target/dependency/`. Each broker keeps its
configuration, logs and data in its own folder, so several can run side by side.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

from axiswatch.exceptions import BrokerError
from axiswatch.settings import project_root

__all__ = ["ensure_jars", "read_state", "start", "status", "stop"]

_POM = project_root() / "deploy" / "kafka" / "pom.xml"
_JARS = project_root() / "deploy" / "kafka" / "target" / "dependency"
_LOG4J = project_root() / "deploy" / "kafka" / "log4j2.yaml"
_STATE = "broker.json"


def default_data_dir() -> Path:
    return project_root() / ".axiswatch" / "broker"


def ensure_jars(quiet: bool = False) -> Path:
    """The folder of broker jars, fetched with Maven on first use."""
    if any(_JARS.glob("kafka_2.13-*.jar")) and any(_JARS.glob("log4j-core-*.jar")):
        return _JARS
    mvn = shutil.which("mvn")
    if not mvn:
        raise BrokerError(
            "Maven (mvn) is not on PATH; it fetches the Kafka jars once. Install it "
            "(Debian: apt-get install maven) or set KAFKA_BOOTSTRAP_SERVERS to an existing cluster."
        )
    _require_java()
    if not quiet:
        print(
            f"Fetching the Kafka broker jars from Maven Central (first run only) into {_JARS} ...",
            flush=True,
        )
    result = subprocess.run(
        [mvn, "-B", "-q", "-f", str(_POM), "dependency:copy-dependencies"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not any(_JARS.glob("kafka_2.13-*.jar")):
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise BrokerError(
            f"Fetching the Kafka jars failed (mvn exit {result.returncode}). Check that Maven "
            f"Central is reachable and ~/.m2 is writable, then retry.\n{tail}"
        )
    return _JARS


def _require_java() -> str:
    java = shutil.which("java")
    if not java:
        raise BrokerError(
            "Java is not on PATH; the local Kafka broker needs Java 17 or newer "
            "(Debian: apt-get install openjdk-17-jre-headless), or set KAFKA_BOOTSTRAP_SERVERS."
        )
    return java


def read_state(data_dir: Path) -> dict[str, Any] | None:
    """The running broker's state (pid, bootstrap) in `data_dir`, or None if none runs there."""
    path = Path(data_dir) / _STATE
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return state if _alive(state.get("pid")) else None


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours is not alive.
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cluster_id() -> str:
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def _previous_controller_port(config: Path) -> int | None:
    try:
        text = config.read_text()
    except OSError:
        return None
    match = re.search(r"^controller\.quorum\.voters=1@127\.0\.0\.1:(\d+)$", text, re.M)
    port = int(match.group(1)) if match else None
    return port if port and not _port_in_use(port) else None


def _properties(port: int, controller_port: int, data_dir: Path) -> str:
    return "\n".join(
        [
            "# Written by `axiswatch broker start`; rewritten on every start.",
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@127.0.0.1:{controller_port}",
            f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
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


def start(port: int = 9092, data_dir: Path | None = None, timeout: float = 90.0) -> str:
    """Start a broker on 127.0.0.1:`port` with its data in `data_dir`; returns the bootstrap
    address once the broker answers. Idempotent: a broker already running there is reused."""
    data_dir = Path(data_dir or default_data_dir()).resolve()
    state = read_state(data_dir)
    if state:
        return state["bootstrap"]
    if _port_in_use(port):
        raise BrokerError(
            f"Port {port} on 127.0.0.1 is already in use by another process. Stop it, choose "
            f"another port with --port, or point axiswatch at it with KAFKA_BOOTSTRAP_SERVERS."
        )
    java = _require_java()
    jars = ensure_jars()
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / "server.properties"
    # A restarted broker keeps its controller port: the quorum's voter address is in its log.
    controller_port = _previous_controller_port(config) or free_port()
    config.write_text(_properties(port, controller_port, data_dir))
    classpath = f"{jars}/*"
    log_path = data_dir / "broker.log"
    if not (data_dir / "logs" / "meta.properties").exists():
        formatted = subprocess.run(
            [
                java,
                "-cp",
                classpath,
                f"-Dlog4j2.configurationFile={_LOG4J}",
                "kafka.tools.StorageTool",
                "format",
                "-t",
                _cluster_id(),
                "-c",
                str(config),
                "--ignore-formatted",
            ],
            capture_output=True,
            text=True,
        )
        if formatted.returncode != 0:
            raise BrokerError(
                f"Formatting the broker's log dir failed:\n{formatted.stdout}{formatted.stderr}"
            )
    log = log_path.open("ab")
    process = subprocess.Popen(
        [
            java,
            "-Xms256m",
            "-Xmx1g",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={_LOG4J}",
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
    (data_dir / _STATE).write_text(
        json.dumps(
            {
                "pid": process.pid,
                "bootstrap": bootstrap,
                "port": port,
                "controller_port": controller_port,
                "started_at": time.time(),
            }
        )
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrokerError(
                f"The broker exited with status {process.returncode} during start-up; "
                f"see {log_path}:\n{_tail(log_path)}"
            )
        if _answers(bootstrap):
            return bootstrap
        time.sleep(0.3)
    _terminate(process.pid, 10)
    raise BrokerError(f"The broker did not answer within {timeout:.0f}s; see {log_path}")


def _answers(bootstrap: str) -> bool:
    """True once the broker serves metadata (not merely accepts TCP connections)."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    except (KafkaError, OSError, ValueError):
        return False
    try:
        return bool(admin.describe_cluster().get("brokers"))
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


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


def status(data_dir: Path | None = None) -> dict[str, Any] | None:
    """The state of the broker in `data_dir` with whether it answers, or None."""
    data_dir = Path(data_dir or default_data_dir()).resolve()
    state = read_state(data_dir)
    if state:
        state = {**state, "answers": _answers(state["bootstrap"]), "data_dir": str(data_dir)}
    return state
