import logging
import os
import re
import ssl
from pathlib import Path

import pytest

from axiswatch.exceptions import InputError
from axiswatch.settings import Environment, Settings

ROOT = Path(__file__).resolve().parents[2]
SECURE_ENV = {
    "KAFKA_BOOTSTRAP_SERVERS": "kafka-1.example:9094, kafka-2.example:9094",
    "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "KAFKA_SASL_USERNAME": "axiswatch",
    "KAFKA_SASL_PASSWORD": "s3cret-Pa55",
    "KAFKA_SSL_CAFILE": "/etc/ssl/kafka-ca.pem",
}


def test_an_existing_cluster_with_scram_and_tls_reaches_the_kafka_python_clients():
    settings = Settings.from_env(SECURE_ENV)
    assert settings.kafka.external
    config = settings.kafka.kafka_python()
    assert config["bootstrap_servers"] == ["kafka-1.example:9094", "kafka-2.example:9094"]
    assert config["security_protocol"] == "SASL_SSL"
    assert config["sasl_mechanism"] == "SCRAM-SHA-512"
    assert config["sasl_plain_username"] == "axiswatch"
    assert config["sasl_plain_password"] == "s3cret-Pa55"
    assert config["ssl_cafile"] == "/etc/ssl/kafka-ca.pem"


@pytest.fixture
def ca_env() -> dict[str, str]:
    cafile = ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
    if not Path(cafile).is_file():
        pytest.skip("no CA bundle on this machine")
    return {**SECURE_ENV, "KAFKA_SSL_CAFILE": cafile}


def test_the_faust_worker_gets_the_same_credentials(ca_env):
    settings = Settings.from_env(ca_env)
    assert (
        settings.kafka.faust_broker() == "kafka://kafka-1.example:9094;kafka://kafka-2.example:9094"
    )
    credentials = settings.kafka.faust_credentials()
    assert credentials.username == "axiswatch" and credentials.password == "s3cret-Pa55"
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert credentials.ssl_context is not None


def test_the_workers_own_aiokafka_reader_gets_the_same_credentials(ca_env):
    config = Settings.from_env(ca_env).kafka.aiokafka()
    assert config["bootstrap_servers"] == ["kafka-1.example:9094", "kafka-2.example:9094"]
    assert config["security_protocol"] == "SASL_SSL"
    assert config["sasl_mechanism"] == "SCRAM-SHA-512"
    assert config["sasl_plain_username"] == "axiswatch"
    assert config["sasl_plain_password"] == "s3cret-Pa55"
    assert isinstance(config["ssl_context"], ssl.SSLContext)
    assert "ssl_context" not in Settings.from_env({}).kafka.aiokafka()


def test_a_missing_ca_file_is_a_clear_error():
    with pytest.raises(InputError, match="KAFKA_SSL_CAFILE=/etc/ssl/kafka-ca.pem is not a file"):
        Settings.from_env(SECURE_ENV).kafka.faust_credentials()


def test_secrets_never_appear_in_reprs_or_logs(caplog, ca_env):
    settings = Settings.from_env(ca_env)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("axiswatch.test").info("settings: %r %s", settings, settings.kafka)
        logging.getLogger("axiswatch.test").info("%r", settings.kafka.faust_credentials())
    assert "s3cret-Pa55" not in caplog.text
    assert "axiswatch" in caplog.text  # the user name may show; the password never


def test_plaintext_by_default_and_no_credentials_for_faust():
    settings = Settings.from_env({})
    assert not settings.kafka.external
    assert settings.kafka.kafka_python()["security_protocol"] == "PLAINTEXT"
    assert settings.kafka.faust_credentials() is None


def test_every_kafka_client_is_built_in_one_module_from_the_settings():
    """A client built elsewhere, or from a bare bootstrap address, would skip TLS and SASL:
    only axiswatch/clients.py constructs Kafka clients, and each of its builders takes the
    connection settings."""
    builders = re.compile(r"\b(KafkaProducer|KafkaConsumer|KafkaAdminClient|AIOKafkaConsumer|"
                          r"AIOKafkaProducer)\(")  # fmt: skip
    elsewhere = []
    for path in [
        *ROOT.glob("axiswatch/**/*.py"),
        *ROOT.glob("producers/*.py"),
        *ROOT.glob("streams/*.py"),
    ]:
        if path.name == "clients.py":
            continue
        for match in builders.finditer(path.read_text(encoding="utf-8")):
            elsewhere.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    # The local broker tool's probe (start-up, status) talks to the broker it has started.
    assert [e for e in elsewhere if not e.startswith("axiswatch/broker/status.py")] == []
    source = (ROOT / "axiswatch" / "clients.py").read_text(encoding="utf-8")
    for match in builders.finditer(source):
        window = source[match.end() : match.end() + 80]
        assert (
            "kafka.kafka_python()" in window
            or "kafka.aiokafka()" in window
            or ("**config" in window)
        ), window


def test_topic_prefix_is_empty_by_default_and_names_every_topic_and_group():
    plain = Settings.from_env({})
    assert plain.topic_prefix == "" and plain.names.alerts == "alerts"
    names = Settings.from_env({"AXISWATCH_TOPIC_PREFIX": " newsdesk. "}).names
    assert names.raw == "newsdesk.articles.raw"
    assert names.feeds_state == "newsdesk.feeds.state"
    assert names.worker_group == "newsdesk.axiswatch"
    assert names.group("desk") == "newsdesk.desk"


@pytest.mark.parametrize(
    ("prefix", "says"),
    [
        ("news desk.", "' '"),
        ("ньюс.", "ASCII letters"),
        ("team/a.", "'/'"),
        ("newsdesk", "does not end with '.', '_' or '-'"),
        ("x" * 200 + ".", "at most 200"),
    ],
)
def test_a_prefix_kafka_would_refuse_in_a_topic_name_is_an_input_error(prefix, says):
    with pytest.raises(InputError) as caught:
        Settings.from_env({"AXISWATCH_TOPIC_PREFIX": prefix})
    assert "AXISWATCH_TOPIC_PREFIX" in str(caught.value) and says in str(caught.value)


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("AXISWATCH_RAW_PARTITIONS", "six", "valid integer"),
        ("AXISWATCH_RAW_PARTITIONS", "0", "greater than or equal to 1"),
        ("AXISWATCH_METRICS_PORT", "70000", "less than or equal to 65535"),
        ("AXISWATCH_NEAR_DUPLICATE_THRESHOLD", "1.5", "less than or equal to 1"),
        ("AXISWATCH_STORY_WINDOW_DAYS", "-3", "greater than 0"),
        ("KAFKA_SECURITY_PROTOCOL", "TLS", "'SASL_SSL'"),
        ("KAFKA_SASL_MECHANISM", "GSSAPI", "'SCRAM-SHA-512'"),
    ],
)
def test_a_value_a_setting_cannot_take_is_an_input_error_naming_the_variable(variable, value, says):
    with pytest.raises(InputError) as error:
        Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": "k:9092", variable: value})
    assert f"{variable}={value!r}" in str(error.value) and says in str(error.value)


def test_typed_values_are_read_and_an_empty_variable_is_unset():
    settings = Settings.from_env(
        {
            "KAFKA_BOOTSTRAP_SERVERS": " k:9092 ",
            "AXISWATCH_RAW_PARTITIONS": "12",
            "AXISWATCH_METRICS_PORT": "",
            "AXISWATCH_STORY_WINDOW_DAYS": "2.5",
            "AXISWATCH_REPLICATION_FACTOR": "3",
            "axiswatch_raw_partitions": "1",  # variables are upper case
        }
    )
    assert settings.kafka.bootstrap_servers == "k:9092"
    assert settings.raw_partitions == 12
    assert settings.metrics_port is None
    assert settings.stories.window.total_seconds() == 2.5 * 86_400
    assert settings.replication_factor == 3


def test_the_analysis_processes_default_to_one_with_two_cores_and_can_be_turned_off(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert Settings.from_env({}).analyze_processes == 1
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert Settings.from_env({}).analyze_processes == 0
    assert Settings.from_env({"AXISWATCH_ANALYZE_PROCESSES": "0"}).analyze_processes == 0
    with pytest.raises(InputError, match="AXISWATCH_ANALYZE_PROCESSES"):
        Settings.from_env({"AXISWATCH_ANALYZE_PROCESSES": "two"})


def test_the_process_environment_is_read_by_pydantic_settings_with_the_same_rules(monkeypatch):
    monkeypatch.setenv("AXISWATCH_MAX_EVENTS", "1234")
    monkeypatch.setenv("AXISWATCH_METRICS_HOST", "  ")  # blank: unset
    monkeypatch.setenv("axiswatch_max_stories", "9")  # variables are upper case
    assert Environment.read().axiswatch_max_events == 1234
    settings = Settings.from_env()
    assert settings.stories.max_events == 1234
    assert settings.metrics_host == "127.0.0.1"
    assert settings.stories.max_stories == 200_000
    monkeypatch.setenv("AXISWATCH_MAX_EVENTS", "many")
    with pytest.raises(InputError, match="AXISWATCH_MAX_EVENTS='many'"):
        Settings.from_env()
    # A mapping given is read instead of the process's environment, not on top of it.
    assert Settings.from_env({}).stories.max_events == 200_000


# Modules that may read an environment variable themselves, and why: the settings module reads
# them all, typed; the pure layer sits beneath it and reads only where its data files are.
_READS_THE_ENVIRONMENT = {
    "axiswatch/settings.py": "the settings",
    "streams/catalogue.py": "AXISWATCH_SEEDS_DIR: the data files of the pure layer",
}


def _environment_reads(path):
    """Lines of `path` that read a variable straight from the process's environment:
    `os.environ.get(...)`, `os.environ[...]`, `os.getenv(...)`."""
    import ast

    def is_environ(node):
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "environ"
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        )

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func
            if (target.attr == "get" and is_environ(target.value)) or (
                target.attr == "getenv"
                and isinstance(target.value, ast.Name)
                and target.value.id == "os"
            ):
                found.append(node.lineno)
        elif (
            isinstance(node, ast.Subscript)
            and is_environ(node.value)
            and isinstance(node.ctx, ast.Load)
        ):
            found.append(node.lineno)
    return found


def test_environment_variables_are_read_by_the_settings_only():
    from tests.unit.test_layers import MODULES, ROOT

    readers = {
        str(path.relative_to(ROOT)): lines
        for path in MODULES.values()
        if (lines := _environment_reads(path))
    }
    assert set(readers) <= set(_READS_THE_ENVIRONMENT), readers


def test_the_fetch_allowance_is_a_typed_setting(monkeypatch):
    from producers.fetch import FetchPolicy

    for value, allowed in (("1", True), ("true", True), ("0", False), ("no", False)):
        monkeypatch.setenv("AXISWATCH_FETCH_ALLOW_PRIVATE", value)
        assert FetchPolicy().allow_private is allowed
    monkeypatch.setenv("AXISWATCH_FETCH_ALLOW_PRIVATE", "maybe")
    with pytest.raises(InputError, match="AXISWATCH_FETCH_ALLOW_PRIVATE='maybe'"):
        FetchPolicy()


def test_a_faust_app_leaves_no_data_directory_behind_once_dropped():
    import gc

    from streams.app import faust_app

    app = faust_app(Settings.from_env({}), "axiswatch-test-datadir")
    datadir = Path(app.conf.datadir)
    assert datadir.is_dir()
    del app
    gc.collect()
    assert not datadir.exists()


def test_kafka_python_checks_record_checksums_in_native_code():
    """Without the crc32c extension kafka-python computes every record's CRC-32C in Python
    (milliseconds per enriched article, on every read and write)."""
    from kafka.record import util

    assert util.crc32c_c is not None
    assert util.calc_crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value


def test_the_data_directories_of_processes_killed_outright_are_removed(tmp_path):
    import subprocess
    import sys

    from streams.app import sweep_datadirs

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = tmp_path / f"axiswatch-faust-{gone.stdout.strip()}-abc123"
    alive = tmp_path / f"axiswatch-faust-{os.getpid()}-def456"
    other = tmp_path / "axiswatch-faust-no-pid"
    for path in (dead, alive, other):
        (path / "v1").mkdir(parents=True)
    assert sweep_datadirs(tmp_path) == 1
    assert not dead.exists() and alive.is_dir() and other.is_dir()
