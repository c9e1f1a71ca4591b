"""The local broker's TLS mode and the client-side pick-up of its CA, without a broker."""

import datetime
import os
import shutil
import ssl
import stat
from pathlib import Path

import pytest

from axiswatch import broker, brokerstate, cli
from axiswatch.broker import Scram, Tls, node, security
from axiswatch.cli import common
from axiswatch.connection import Diagnosis, connection_error, diagnose
from axiswatch.exceptions import AxiswatchError, BrokerError
from axiswatch.settings import KafkaSettings, Settings


def _props(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and line[0] != "#")


def test_the_client_protocol_follows_the_options():
    assert broker.client_protocol(scram=False, tls=False) == "PLAINTEXT"
    assert broker.client_protocol(scram=True, tls=False) == "SASL_PLAINTEXT"
    assert broker.client_protocol(scram=False, tls=True) == "SSL"
    assert broker.client_protocol(scram=True, tls=True) == "SASL_SSL"


def test_tls_properties_secure_the_client_listener_with_the_pem_keystore():
    material = Tls(Path("/data/tls"))
    props = _props(node._properties(9092, 9093, Path("/data"), tls=material))
    assert props["listeners"] == "SSL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert props["advertised.listeners"] == "SSL://127.0.0.1:9092"
    assert props["inter.broker.listener.name"] == "SSL"
    assert props["listener.security.protocol.map"] == "CONTROLLER:PLAINTEXT,SSL:SSL"
    assert props["ssl.keystore.type"] == "PEM"
    assert props["ssl.keystore.location"] == "/data/tls/server.pem"
    assert props["ssl.truststore.type"] == "PEM"
    assert props["ssl.truststore.location"] == "/data/tls/ca.pem"
    assert props["ssl.client.auth"] == "none"
    assert not any(key.startswith("sasl.") for key in props)
    # Everything else as the plaintext broker.
    plain = _props(node._properties(9092, 9093, Path("/data")))
    assert {k: v for k, v in props.items() if k in plain and "listener" not in k} == {
        k: v for k, v in plain.items() if "listener" not in k
    }


def test_tls_with_scram_is_sasl_ssl():
    text = node._properties(9092, 9093, Path("/d"), Scram("alice", "secret"), Tls(Path("/t")))
    props = _props(text)
    assert props["listeners"] == "SASL_SSL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert props["inter.broker.listener.name"] == "SASL_SSL"
    assert props["listener.security.protocol.map"] == "CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL"
    assert "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config" in props
    assert props["ssl.keystore.location"] == "/t/server.pem"
    assert "0.0.0.0" not in text


@pytest.mark.skipif(not shutil.which("openssl"), reason="no openssl on this machine")
def test_generated_material_is_a_ca_and_a_server_certificate_for_loopback(tmp_path):
    material = broker.tls_material(tmp_path)
    assert not material.exists()
    material.generate()
    assert material.exists()
    assert sorted(p.name for p in material.folder.iterdir()) == ["ca.key", "ca.pem", "server.pem"]
    assert stat.S_IMODE(material.folder.stat().st_mode) == 0o700
    for name in ("ca.key", "server.pem"):
        assert stat.S_IMODE((material.folder / name).stat().st_mode) == 0o600
    keystore = material.keystore.read_text()
    assert keystore.startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8, as Kafka reads it
    assert "BEGIN CERTIFICATE" in keystore
    assert "PRIVATE KEY" not in material.cafile.read_text()

    # The server certificate verifies against the CA for 127.0.0.1 and localhost (with
    # Python's default, strict checks), and against no other CA.
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(material.keystore)
    client = ssl.create_default_context(cafile=str(material.cafile))
    for name in ("127.0.0.1", "localhost"):
        assert _handshake(server, client, name) is None
    assert "certificate verify failed" in str(_handshake(server, client, "example.org"))
    other = Tls(tmp_path / "other")
    other.generate()
    stranger = ssl.create_default_context(cafile=str(other.cafile))
    assert "certificate verify failed" in str(_handshake(server, stranger, "127.0.0.1"))
    info = ssl._ssl._test_decode_cert(str(material.cafile))
    expires = datetime.datetime.strptime(info["notAfter"], "%b %d %H:%M:%S %Y %Z")
    assert expires > datetime.datetime.now() + datetime.timedelta(days=365)


def _handshake(server: ssl.SSLContext, client: ssl.SSLContext, name: str) -> Exception | None:
    """A TLS handshake in memory; the client's error, or None."""
    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    c = client.wrap_bio(c_in, c_out, server_hostname=name)
    s = server.wrap_bio(s_in, s_out, server_side=True)
    for _ in range(10):
        for side, out, peer_in in ((c, c_out, s_in), (s, s_out, c_in)):
            try:
                side.do_handshake()
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as exc:
                if side is c:
                    return exc
            peer_in.write(out.read())
        try:
            c.do_handshake()
            return None
        except ssl.SSLWantReadError:
            continue
        except ssl.SSLError as exc:
            return exc
    return RuntimeError("handshake did not finish")


def test_incomplete_material_is_a_clear_error(tmp_path):
    material = Tls(tmp_path)
    material.cafile.write_text("x")
    with pytest.raises(BrokerError, match=r"incomplete \(ca.key, server.pem missing\)"):
        material.exists()


def test_openssl_missing_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(security.shutil, "which", lambda name: None)
    with pytest.raises(BrokerError, match="openssl command, which is not on PATH"):
        Tls(tmp_path / "tls").generate()


def test_a_data_dir_formatted_without_tls_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(node, "require_java", lambda: "java")
    monkeypatch.setattr(node, "ensure_jars", lambda: tmp_path)
    monkeypatch.setattr(node, "_port_in_use", lambda port: False)
    monkeypatch.setattr(Tls, "generate", lambda self: pytest.fail("must not generate"))
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "meta.properties").write_text("")
    with pytest.raises(BrokerError, match="formatted without TLS"):
        broker.start(port=1, data_dir=tmp_path, tls=True)


def test_a_running_broker_is_reused_only_with_the_same_tls(tmp_path):
    plain = {"bootstrap": "127.0.0.1:1", "security": {"protocol": "PLAINTEXT"}}
    with pytest.raises(BrokerError, match="does not speak TLS.*with --tls"):
        node._check_running(plain, None, tmp_path, tls=True)
    secure = {"security": {"protocol": "SSL", "tls": True, "cafile": "/x/ca.pem"}}
    with pytest.raises(BrokerError, match="speaks TLS.*without --tls"):
        node._check_running(secure, None, tmp_path)
    node._check_running(secure, None, tmp_path, tls=True)


def test_commands_on_the_local_tls_broker_trust_its_ca(monkeypatch, tmp_path):
    state = {
        "bootstrap": "127.0.0.1:4242",
        "security": {"protocol": "SSL", "tls": True, "cafile": "/data/tls/ca.pem"},
    }
    monkeypatch.setattr(brokerstate, "read_state", lambda data_dir: state)
    env = {"AXISWATCH_DATA_DIR": str(tmp_path)}
    kafka = Settings.from_env(env).kafka
    assert kafka.security_protocol == "SSL" and kafka.ssl_cafile == "/data/tls/ca.pem"
    config = kafka.kafka_python()
    assert config["security_protocol"] == "SSL" and config["ssl_cafile"] == "/data/tls/ca.pem"
    # KAFKA_SSL_CAFILE wins; an existing cluster never takes the local broker's CA.
    mine = Settings.from_env({**env, "KAFKA_SSL_CAFILE": "/mine.pem"}).kafka
    assert mine.ssl_cafile == "/mine.pem"
    external = Settings.from_env({**env, "KAFKA_BOOTSTRAP_SERVERS": "k:9093"}).kafka
    assert external.security_protocol == "PLAINTEXT" and external.ssl_cafile is None


def test_broker_start_tls_scram_expects_sasl_ssl(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("KAFKA_", "AXISWATCH_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "alice")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "secret")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    assert common.scram_from_env(required=True, tls=True) == Scram("alice", "secret")
    with pytest.raises(AxiswatchError, match="SCRAM listener is SASL_PLAINTEXT"):
        common.scram_from_env(required=True)
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    with pytest.raises(AxiswatchError, match="SCRAM listener is SASL_SSL"):
        common.scram_from_env(required=True, tls=True)
    help_text = cli.build_parser()._subparsers._group_actions[0].choices["broker"].format_help()
    assert "--tls" in help_text and "KAFKA_SSL_CAFILE" in help_text


def test_tls_connection_errors_say_what_to_change():
    kafka = KafkaSettings(security_protocol="SSL", ssl_cafile="/x/ca.pem")
    untrusted = str(connection_error(kafka, Diagnosis("untrusted", "self-signed certificate")))
    assert "failed verification (self-signed certificate)" in untrusted
    assert "KAFKA_SSL_CAFILE=/x/ca.pem" in untrusted and "ca.pem it prints" in untrusted
    system = str(connection_error(KafkaSettings(security_protocol="SSL"), Diagnosis("untrusted")))
    assert "the system's CAs" in system
    handshake = str(connection_error(kafka, Diagnosis("tls", "wrong version number")))
    assert "does not speak TLS" in handshake and "KAFKA_SECURITY_PROTOCOL" in handshake
    closed = str(connection_error(KafkaSettings(), Diagnosis("closed")))
    assert "KAFKA_SECURITY_PROTOCOL=SSL" in closed and "KAFKA_SSL_CAFILE" in closed
    assert Diagnosis("untrusted").fatal and Diagnosis("tls").fatal


def test_a_tls_client_reset_by_a_plaintext_listener_is_told_so():
    """Kafka's plaintext listener reads a TLS client hello as an oversized request and resets
    the connection: a listener that does not speak TLS, not an unreachable broker."""
    import socket
    import struct
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def reset_first_connection() -> None:
        conn, _ = server.accept()
        conn.recv(5)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    thread = threading.Thread(target=reset_first_connection, daemon=True)
    thread.start()
    try:
        kafka = KafkaSettings(bootstrap_servers=f"127.0.0.1:{port}", security_protocol="SSL")
        diagnosis = diagnose(kafka, timeout=5)
    finally:
        thread.join(5)
        server.close()
    assert diagnosis.kind == "tls", diagnosis


def test_cluster_ids_never_start_with_a_dash():
    """The storage tool reads `-t -xyz` as an option: the id must not start with "-"."""
    from axiswatch.broker.node import _cluster_id

    ids = [_cluster_id() for _ in range(5000)]
    assert not any(i.startswith("-") for i in ids) and len(set(ids)) == len(ids)
    assert all(len(i) == 22 for i in ids)
