"""A single-node Apache Kafka broker (KRaft) run from jars fetched from Maven Central.

`deploy/kafka/pom.xml` names the broker's artifacts; `mvn dependency:copy-dependencies` copies
them (once, then cached) to `deploy/kafka/target/dependency/`. Each broker keeps its
configuration, logs and data in its own folder, so several can run side by side.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axiswatch.brokerstate import STATE_FILE as _STATE
from axiswatch.brokerstate import alive as _alive
from axiswatch.brokerstate import read_state
from axiswatch.exceptions import BrokerError
from axiswatch.settings import default_data_root, in_checkout, project_root

__all__ = ["Scram", "Tls", "ensure_jars", "read_state", "start", "status", "stop"]


def _kafka_files() -> Path:
    """The folder of the broker's pom.xml and log4j2.yaml: deploy/kafka in a checkout, the
    installed `axiswatch_kafka` package data otherwise."""
    if in_checkout():
        return project_root() / "deploy" / "kafka"
    import axiswatch_kafka  # the wheel's copy of deploy/kafka

    return Path(axiswatch_kafka.__path__[0])


def _jars_dir() -> Path:
    """Where the fetched jars go: deploy/kafka/target/dependency in a checkout, the data
    folder otherwise (never into the installed package)."""
    if in_checkout():
        return project_root() / "deploy" / "kafka" / "target" / "dependency"
    return default_data_root() / "kafka-jars"


_POM = _kafka_files() / "pom.xml"
_JARS = _jars_dir()
_LOG4J = _kafka_files() / "log4j2.yaml"
_SECURITY = "security.json"  # how the storage was formatted: the SCRAM user, never a secret
SCRAM_MECHANISM = "SCRAM-SHA-256"
SCRAM_PROTOCOL = "SASL_PLAINTEXT"
_TLS_DIR = "tls"  # the local CA and the broker's certificate, generated on first start
_SCRAM_ITERATIONS = 8192
_USERNAME = re.compile(r"[A-Za-z0-9._@+-]{1,128}")


@dataclass(frozen=True)
class Scram:
    """The one SCRAM-SHA-256 user of a local broker whose client listener requires SASL."""

    username: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.username or not self.password:
            raise BrokerError(
                "`broker start --scram` takes the user name and password from "
                "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD, the settings the clients use: "
                "set both (the same environment then configures the broker and the clients)."
            )
        if not _USERNAME.fullmatch(self.username):
            raise BrokerError(
                "KAFKA_SASL_USERNAME may hold only letters, digits and . _ @ + - "
                "(at most 128) for the local SCRAM broker."
            )
        if any(ord(c) < 32 or ord(c) == 127 for c in self.password):
            raise BrokerError("KAFKA_SASL_PASSWORD must not contain control characters.")

    def jaas(self) -> str:
        """The JAAS line the broker logs in with to its own SCRAM listener (inter-broker)."""
        return (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{_jaas_quote(self.username)}" password="{_jaas_quote(self.password)}";'
        )

    def storage_credential(self, salt: bytes | None = None) -> str:
        """The `--add-scram` argument of kafka-storage: the salted password, computed here, so
        the password itself never reaches the storage tool (which splits its value on commas)."""
        salt = salt if salt is not None else os.urandom(32)
        salted = hashlib.pbkdf2_hmac(
            "sha256", self.password.encode("utf-8"), salt, _SCRAM_ITERATIONS
        )
        return (
            f"{SCRAM_MECHANISM}=[name={self.username},iterations={_SCRAM_ITERATIONS},"
            f'salt="{base64.b64encode(salt).decode()}",'
            f'saltedpassword="{base64.b64encode(salted).decode()}"]'
        )


def _jaas_quote(value: str) -> str:
    """A value inside double quotes of a JAAS configuration (read with StreamTokenizer)."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _properties_value(value: str) -> str:
    """`value` escaped for a Java .properties file (read as ISO-8859-1 with backslash escapes)."""
    out = []
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif 32 <= ord(char) < 127:
            out.append(char)
        else:
            out.extend(f"\\u{unit:04x}" for unit in _utf16_units(char))
    return "".join(out)


def _utf16_units(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def client_protocol(scram: bool, tls: bool) -> str:
    """The security protocol of the local broker's client listener."""
    if scram:
        return "SASL_SSL" if tls else SCRAM_PROTOCOL
    return "SSL" if tls else "PLAINTEXT"


@dataclass(frozen=True)
class Tls:
    """The TLS material of a local broker, in `<data dir>/tls`: a throwaway CA (`ca.pem`, its
    key `ca.key`) and the broker's certificate for 127.0.0.1 and localhost, with its key, as
    one PEM keystore (`server.pem`). Keys are mode 0600; `ca.pem` is what clients trust."""

    folder: Path

    @property
    def cafile(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def keystore(self) -> Path:
        return self.folder / "server.pem"

    @property
    def _files(self) -> tuple[Path, ...]:
        return (self.cafile, self.folder / "ca.key", self.keystore)

    def exists(self) -> bool:
        present = [path.is_file() for path in self._files]
        if any(present) and not all(present):
            missing = ", ".join(
                p.name for p, ok in zip(self._files, present, strict=True) if not ok
            )
            raise BrokerError(
                f"The broker's TLS material in {self.folder} is incomplete ({missing} missing). "
                "Remove that folder to have new certificates generated (clients must then trust "
                "the new ca.pem), or use another --data-dir."
            )
        return all(present)

    def properties(self) -> list[str]:
        """server.properties lines: the keystore, and the CA as the truststore (the broker
        connects to its own listener as a client, between brokers)."""
        return [
            "ssl.keystore.type=PEM",
            f"ssl.keystore.location={_properties_value(str(self.keystore))}",
            "ssl.truststore.type=PEM",
            f"ssl.truststore.location={_properties_value(str(self.cafile))}",
            "ssl.client.auth=none",
            "ssl.endpoint.identification.algorithm=https",
        ]

    def generate(self, days: int = 825) -> None:
        """A new CA and a server certificate for 127.0.0.1/localhost, with `openssl`."""
        openssl = shutil.which("openssl")
        if not openssl:
            raise BrokerError(
                "`broker start --tls` generates the broker's certificate with the openssl "
                "command, which is not on PATH (Debian: apt-get install openssl)."
            )
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        work = self.folder / "new"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(mode=0o700)
        tag = uuid.uuid4().hex[:12]
        extensions = work / "server.ext"
        extensions.write_text(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\n"
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
            "subjectKeyIdentifier=hash\n"
            "authorityKeyIdentifier=keyid,issuer\n"
        )
        steps = [
            ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
             "-out", "ca.key"],
            ["req", "-x509", "-new", "-key", "ca.key", "-sha256", "-days", str(days + 1),
             "-subj", f"/CN=axiswatch local broker CA {tag}", "-out", "ca.pem",
             "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-addext", "subjectKeyIdentifier=hash"],
            ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
             "-out", "server.key"],
            ["req", "-new", "-key", "server.key", "-subj", "/CN=localhost", "-out",
             "server.csr"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-set_serial", str(int.from_bytes(os.urandom(8), "big")), "-sha256",
             "-days", str(days), "-extfile", "server.ext", "-out", "server.crt"],
        ]  # fmt: skip
        old_umask = os.umask(0o077)  # keys are created mode 0600
        try:
            for step in steps:
                done = subprocess.run([openssl, *step], cwd=work, capture_output=True, text=True)
                if done.returncode != 0:
                    raise BrokerError(
                        f"Generating the broker's TLS certificate failed (openssl {step[0]}, "
                        f"exit {done.returncode}):\n{(done.stdout + done.stderr).strip()}"
                    )
            # Kafka's PEM keystore: the private key (PKCS#8) and the certificate chain.
            keystore = (work / "server.key").read_text() + (work / "server.crt").read_text()
            _write_private(work / "server.pem", keystore)
            for name in ("ca.key", "server.pem"):
                os.chmod(work / name, 0o600)
            os.chmod(work / "ca.pem", 0o644)
            for name in ("ca.key", "server.pem", "ca.pem"):  # ca.pem last: it marks them done
                os.replace(work / name, self.folder / name)
        finally:
            os.umask(old_umask)
            shutil.rmtree(work, ignore_errors=True)


def default_data_dir() -> Path:
    return default_data_root() / "broker"


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
            file=sys.stderr,  # stdout carries the broker's address only
            flush=True,
        )
    result = subprocess.run(
        [
            mvn,
            "-B",
            "-q",
            "-f",
            str(_POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={_JARS}",
        ],  # fmt: skip
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
            f"{prefix}.sasl.jaas.config={_properties_value(scram.jaas())}",
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


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable by its owner only (mode 0600, also if it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)


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
    java = _require_java()
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
        _write_private(config, _properties(port, controller_port, data_dir, scram, material))
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
        answer = _probe(bootstrap, scram, material.cafile if material else None)
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


def tls_material(data_dir: Path) -> Tls:
    """Where the TLS material of the broker in `data_dir` is (or will be)."""
    return Tls(Path(data_dir).resolve() / _TLS_DIR)


def _format(java: str, classpath: str, config: Path, data_dir: Path, scram: Scram | None) -> None:
    """Format the log dir (a new cluster); with `scram`, its metadata holds the SCRAM user."""
    command = [
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
    ]
    arguments = data_dir / "format.args"
    secret = None
    if scram:
        # Through an argument file (mode 0600, removed after), not the command line that
        # every local user can read in /proc.
        secret = scram.storage_credential()
        _write_private(arguments, f"--add-scram\n{secret}\n")
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


def _probe(bootstrap: str, scram: Scram | None = None, cafile: Path | None = None) -> str:
    """How the broker at `bootstrap` answers: "answering" once it serves metadata (not merely
    accepts TCP connections), "refused" if it refuses `scram`'s credentials, else "silent".
    With `cafile`, over TLS, trusting that CA."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    security: dict[str, Any] = {}
    if scram or cafile:
        # kafka-python reports a refused login (or certificate) only as a bootstrap timeout;
        # ask once directly.
        from axiswatch.connection import diagnose
        from axiswatch.settings import KafkaSettings

        kafka = KafkaSettings(
            bootstrap_servers=bootstrap,
            security_protocol=client_protocol(scram is not None, cafile is not None),
            sasl_mechanism=SCRAM_MECHANISM if scram else None,
            sasl_username=scram.username if scram else None,
            sasl_password=scram.password if scram else None,
            ssl_cafile=str(cafile) if cafile else None,
        )
        diagnosis = diagnose(kafka, timeout=3.0)
        if diagnosis.kind == "refused":
            return "refused"
        if diagnosis.kind != "ok":
            return "silent"
        security = {**kafka.kafka_python(), "bootstrap_timeout_ms": 5000}
        del security["bootstrap_servers"], security["client_id"]
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000, **security)
    except (KafkaError, OSError, ValueError):
        return "silent"
    try:
        return "answering" if admin.describe_cluster().get("brokers") else "silent"
    except (KafkaError, OSError):
        return "silent"
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


def status(data_dir: Path | None = None, scram: Scram | None = None) -> dict[str, Any] | None:
    """The state of the broker in `data_dir` with whether it answers, or None. A broker that
    requires SCRAM is asked with `scram`'s credentials: `answer` is "answering", "refused"
    (wrong credentials), "no credentials" (none given) or "silent"."""
    data_dir = Path(data_dir or default_data_dir()).resolve()
    state = read_state(data_dir)
    if state:
        security = state.get("security") or {}
        needs_scram = bool(security.get("mechanism"))
        cafile = Path(security["cafile"]) if security.get("cafile") else None
        if needs_scram and scram is None:
            answer = "no credentials"
        else:
            answer = _probe(state["bootstrap"], scram if needs_scram else None, cafile)
        state = {
            **state,
            "answer": answer,
            "answers": answer == "answering",
            "data_dir": str(data_dir),
        }
    return state
