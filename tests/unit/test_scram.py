"""The local broker's SCRAM mode and the client-side checks, without a broker."""

import base64
import hashlib
import os
import re
import stat
from pathlib import Path

import pytest

from axiswatch import broker, brokerstate, cli
from axiswatch.broker import Scram, node, security
from axiswatch.cli import common
from axiswatch.connection import Diagnosis, connection_error, diagnose
from axiswatch.exceptions import AxiswatchError, BrokerError, InputError
from axiswatch.settings import KafkaSettings, Settings

PASSWORD = 'p,w"d\\ü=]x😀'


def _props(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and line[0] != "#")


def test_the_plaintext_properties_are_unchanged_by_the_scram_option():
    plain = node._properties(9092, 9093, Path("/tmp"))
    assert plain == node._properties(9092, 9093, Path("/tmp"), None)
    props = _props(plain)
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9092"
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    assert props["listener.security.protocol.map"] == "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
    assert not any(key.startswith(("sasl.", "listener.name.")) for key in props)


def test_scram_properties_secure_the_client_listener_on_loopback_only():
    text = node._properties(9092, 9093, Path("/tmp"), Scram("alice", "secret"))
    props = _props(text)
    assert props["listeners"] == "SASL_PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert props["advertised.listeners"] == "SASL_PLAINTEXT://127.0.0.1:9092"
    assert props["inter.broker.listener.name"] == "SASL_PLAINTEXT"
    assert props["listener.security.protocol.map"] == (
        "CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT"
    )
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-256"
    assert props["sasl.mechanism.inter.broker.protocol"] == "SCRAM-SHA-256"
    assert props["listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config"] == (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        'username="alice" password="secret";'
    )
    assert "0.0.0.0" not in text
    # Everything else as the plaintext broker.
    plain = _props(node._properties(9092, 9093, Path("/tmp")))
    assert {k: v for k, v in plain.items() if k in props and "listener" not in k} == {
        k: v for k, v in props.items() if k in plain and "listener" not in k
    }


def _java_properties_value(raw: str) -> str:
    """What java.util.Properties.load makes of a value (the escapes `_properties_value` uses)."""
    units = re.sub(
        r"\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), raw.replace("\\\\", "\0")
    )
    text = units.replace("\0", "\\")
    return text.encode("utf-16", "surrogatepass").decode("utf-16")


def _jaas_value(quoted: str) -> str:
    """What JAAS's StreamTokenizer makes of a double-quoted value (its backslash escapes)."""
    return re.sub(r"\\(.)", r"\1", quoted)


def test_a_password_with_quotes_backslashes_commas_and_non_ascii_survives_both_escapes():
    text = node._properties(9092, 9093, Path("/tmp"), Scram("alice", PASSWORD))
    line = next(x for x in text.splitlines() if ".sasl.jaas.config=" in x)
    assert line.isascii()
    jaas = _java_properties_value(line.split("=", 1)[1])
    match = re.fullmatch(r'.* username="alice" password="((?:[^"\\]|\\.)*)";', jaas)
    assert match and _jaas_value(match.group(1)) == PASSWORD


def test_the_storage_credential_is_salted_and_never_the_password():
    salt = b"\x01" * 32
    credential = Scram("alice", PASSWORD).storage_credential(salt)
    assert PASSWORD not in credential and "p,w" not in credential
    match = re.fullmatch(
        r'SCRAM-SHA-256=\[name=alice,iterations=(\d+),salt="([^",]+)",saltedpassword="([^",]+)"\]',
        credential,
    )
    assert match, credential
    iterations = int(match.group(1))
    assert iterations >= 4096  # Kafka's minimum for SCRAM-SHA-256
    assert base64.b64decode(match.group(2)) == salt
    expected = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt, iterations)
    assert base64.b64decode(match.group(3)) == expected
    assert Scram("alice", PASSWORD).storage_credential() != credential  # a random salt


def test_scram_user_checks_and_a_password_kept_out_of_reprs():
    with pytest.raises(BrokerError, match="KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"):
        Scram("alice", "")
    with pytest.raises(BrokerError, match="KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"):
        Scram("", "secret")
    with pytest.raises(BrokerError, match="letters, digits"):
        Scram("al,ice", "secret")
    with pytest.raises(BrokerError, match="control characters"):
        Scram("alice", "sec\nret")
    assert "secret" not in repr(Scram("alice", "secret"))


def test_private_files_are_written_mode_0600_even_if_they_existed(tmp_path):
    path = tmp_path / "server.properties"
    path.write_text("old")
    os.chmod(path, 0o644)
    security.write_private(path, "new\n")
    assert path.read_text() == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_data_dir_formatted_without_or_for_another_user_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(node, "require_java", lambda: "java")
    monkeypatch.setattr(node, "ensure_jars", lambda: tmp_path)
    monkeypatch.setattr(node, "_port_in_use", lambda port: False)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "meta.properties").write_text("")
    with pytest.raises(BrokerError, match="formatted without a SCRAM user"):
        broker.start(port=1, data_dir=tmp_path, scram=Scram("alice", "secret"))
    (tmp_path / "security.json").write_text('{"username": "bob"}')
    with pytest.raises(BrokerError, match="SCRAM user 'bob', not 'alice'"):
        broker.start(port=1, data_dir=tmp_path, scram=Scram("alice", "secret"))


def test_a_running_broker_is_reused_only_with_the_same_security(tmp_path):
    state = {"bootstrap": "127.0.0.1:1", "security": {"protocol": "PLAINTEXT"}}
    with pytest.raises(BrokerError, match="plaintext broker already runs"):
        node._check_running(state, Scram("alice", "secret"), tmp_path)
    secure = {"security": {"mechanism": "SCRAM-SHA-256", "username": "alice"}}
    with pytest.raises(BrokerError, match="requires SASL/SCRAM-SHA-256"):
        node._check_running(secure, None, tmp_path)
    with pytest.raises(BrokerError, match="SCRAM user 'alice', not 'bob'"):
        node._check_running(secure, Scram("bob", "secret"), tmp_path)
    node._check_running(secure, Scram("alice", "secret"), tmp_path)
    node._check_running(state, None, tmp_path)


def test_commands_on_the_local_scram_broker_pick_its_security_up(monkeypatch, tmp_path):
    state = {
        "bootstrap": "127.0.0.1:4242",
        "security": {"protocol": "SASL_PLAINTEXT", "mechanism": "SCRAM-SHA-256"},
    }
    monkeypatch.setattr(brokerstate, "read_state", lambda data_dir: state)
    env = {"AXISWATCH_DATA_DIR": str(tmp_path), "KAFKA_SASL_USERNAME": "alice"}
    kafka = Settings.from_env({**env, "KAFKA_SASL_PASSWORD": "secret"}).kafka
    assert kafka.bootstrap_servers == "127.0.0.1:4242" and not kafka.external
    config = kafka.kafka_python()
    assert config["security_protocol"] == "SASL_PLAINTEXT"
    assert config["sasl_mechanism"] == "SCRAM-SHA-256"
    # The environment wins; an existing cluster never takes the local broker's settings.
    assert Settings.from_env({**env, "KAFKA_SASL_MECHANISM": "PLAIN"}).kafka.sasl_mechanism == (
        "PLAIN"
    )
    external = Settings.from_env({**env, "KAFKA_BOOTSTRAP_SERVERS": "k:9092"}).kafka
    assert external.security_protocol == "PLAINTEXT" and external.sasl_mechanism is None


def test_incomplete_sasl_settings_are_a_clear_error_before_any_connection():
    with pytest.raises(InputError, match="set KAFKA_SASL_PASSWORD"):
        KafkaSettings(
            security_protocol="SASL_PLAINTEXT", sasl_mechanism="SCRAM-SHA-256", sasl_username="a"
        ).kafka_python()
    with pytest.raises(InputError, match="set KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"):
        KafkaSettings(security_protocol="SASL_SSL", sasl_mechanism="PLAIN").aiokafka()
    with pytest.raises(InputError, match="needs KAFKA_SASL_MECHANISM"):
        KafkaSettings(security_protocol="SASL_PLAINTEXT").faust_credentials()
    KafkaSettings().check()  # plaintext needs nothing
    KafkaSettings(security_protocol="SSL").check()


def test_broker_start_scram_takes_the_clients_settings(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("KAFKA_", "AXISWATCH_")):
            monkeypatch.delenv(name)
    with pytest.raises(BrokerError, match="KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"):
        common.scram_from_env(required=True)
    assert common.scram_from_env(required=False) is None
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "alice")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "secret")
    assert common.scram_from_env(required=True) == Scram("alice", "secret")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    with pytest.raises(AxiswatchError, match="KAFKA_SASL_MECHANISM=SCRAM-SHA-512"):
        common.scram_from_env(required=True)
    help_text = cli.build_parser()._subparsers._group_actions[0].choices["broker"].format_help()
    assert "--scram" in help_text and "KAFKA_SASL_PASSWORD" in help_text


def test_connection_errors_say_what_to_change():
    kafka = KafkaSettings(
        bootstrap_servers="127.0.0.1:1",
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="SCRAM-SHA-256",
        sasl_username="alice",
        sasl_password="secret",
    )
    refused = str(connection_error(kafka, Diagnosis("refused")))
    assert "refused the credentials" in refused and "'alice'" in refused
    assert "KAFKA_SASL_PASSWORD" in refused and "secret" not in refused
    assert "KAFKA_SASL_MECHANISM" in str(connection_error(kafka, Diagnosis("mechanism")))
    assert "probably plaintext" in str(connection_error(kafka, Diagnosis("no-sasl")))
    closed = str(connection_error(KafkaSettings(), Diagnosis("closed")))
    assert "KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT" in closed
    assert "broker start" in str(connection_error(kafka, Diagnosis("unreachable", "refused")))
    assert Diagnosis("refused").fatal and Diagnosis("no-sasl").fatal
    assert not Diagnosis("unreachable").fatal and not Diagnosis("other").fatal


def test_diagnose_reports_a_closed_port_as_unreachable():
    port = broker.free_port()  # nothing listens there now
    assert diagnose(KafkaSettings(bootstrap_servers=f"127.0.0.1:{port}"), timeout=2).kind == (
        "unreachable"
    )
