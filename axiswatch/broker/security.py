"""What a local broker that asks for it secures its client listener with: the one SCRAM user
(`broker start --scram`) and the TLS material of a throwaway local CA (`broker start --tls`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from axiswatch.exceptions import BrokerError

__all__ = [
    "SCRAM_MECHANISM",
    "SCRAM_PROTOCOL",
    "Scram",
    "Tls",
    "client_protocol",
    "properties_value",
    "tls_material",
    "write_private",
]

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


def properties_value(value: str) -> str:
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
            f"ssl.keystore.location={properties_value(str(self.keystore))}",
            "ssl.truststore.type=PEM",
            f"ssl.truststore.location={properties_value(str(self.cafile))}",
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
            write_private(work / "server.pem", keystore)
            for name in ("ca.key", "server.pem"):
                os.chmod(work / name, 0o600)
            os.chmod(work / "ca.pem", 0o644)
            for name in ("ca.key", "server.pem", "ca.pem"):  # ca.pem last: it marks them done
                os.replace(work / name, self.folder / name)
        finally:
            os.umask(old_umask)
            shutil.rmtree(work, ignore_errors=True)


def tls_material(data_dir: Path) -> Tls:
    """Where the TLS material of the broker in `data_dir` is (or will be)."""
    return Tls(Path(data_dir).resolve() / _TLS_DIR)


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable by its owner only (mode 0600, also if it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)
