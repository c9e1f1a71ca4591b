"""Settings: one typed object, from the environment (read and validated by pydantic-settings,
`Environment`: a bad value is an error naming its variable), with safe defaults.

Every Kafka client in the project (kafka-python producers and consumers, the admin client, the
Faust worker) takes its connection settings from `KafkaSettings`, so TLS and SASL set once here
reach all of them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

from schemas.topics import Names, prefix_problem
from streams.stories import StoryConfig

__all__ = [
    "Environment",
    "KafkaSettings",
    "Settings",
    "default_data_root",
    "in_checkout",
    "project_root",
]

_PASSWORD_MECHANISMS = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}


def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def in_checkout() -> bool:
    """Whether the packages run from a source checkout (or an editable install of one)
    rather than from an installed wheel."""
    root = project_root()
    return (root / "pyproject.toml").is_file() and (root / "seeds").is_dir()


def default_data_root(env: dict[str, str] | None = None) -> Path:
    """Where axiswatch keeps its state (the local broker, its jars, logs):
    `AXISWATCH_DATA_DIR`; else `.axiswatch/` in a checkout; else the user's data folder
    (`$XDG_DATA_HOME/axiswatch`, by default `~/.local/share/axiswatch`)."""
    env = os.environ if env is None else env
    if env.get("AXISWATCH_DATA_DIR"):
        return Path(env["AXISWATCH_DATA_DIR"])
    if in_checkout():
        return project_root() / ".axiswatch"
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "axiswatch"


@dataclass(frozen=True)
class KafkaSettings:
    """How to reach Kafka. `bootstrap_servers` is a comma-separated host:port list."""

    bootstrap_servers: str = "127.0.0.1:9092"
    security_protocol: str = "PLAINTEXT"  # PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
    sasl_mechanism: str | None = None  # PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None
    external: bool = False  # True when KAFKA_BOOTSTRAP_SERVERS names an existing cluster

    @property
    def servers(self) -> list[str]:
        return [s.strip() for s in self.bootstrap_servers.split(",") if s.strip()]

    def check(self) -> None:
        """Raise `InputError` for SASL settings no client can log in with: without them,
        kafka-python retries until its bootstrap timeout and reports only a timeout."""
        from axiswatch.exceptions import InputError

        if not self.security_protocol.startswith("SASL_"):
            return
        if not self.sasl_mechanism:
            raise InputError(
                f"KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs KAFKA_SASL_MECHANISM "
                "(PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)"
            )
        if self.sasl_mechanism in _PASSWORD_MECHANISMS and not (
            self.sasl_username and self.sasl_password
        ):
            missing = [
                name
                for name, value in (
                    ("KAFKA_SASL_USERNAME", self.sasl_username),
                    ("KAFKA_SASL_PASSWORD", self.sasl_password),
                )
                if not value
            ]
            raise InputError(
                f"KAFKA_SASL_MECHANISM={self.sasl_mechanism} logs in with a user name and a "
                f"password: set {' and '.join(missing)}"
            )

    def _client(self) -> dict[str, Any]:
        """Connection keyword arguments that kafka-python and aiokafka name alike."""
        self.check()
        config: dict[str, Any] = {
            "bootstrap_servers": self.servers,
            "security_protocol": self.security_protocol,
            "client_id": "axiswatch",
        }
        if self.sasl_mechanism:
            config.update(
                sasl_mechanism=self.sasl_mechanism,
                sasl_plain_username=self.sasl_username,
                sasl_plain_password=self.sasl_password,
            )
        return config

    def kafka_python(self) -> dict[str, Any]:
        """Connection keyword arguments for kafka-python clients."""
        config = self._client()
        if self.ssl_cafile:
            config["ssl_cafile"] = self.ssl_cafile
        return config

    def aiokafka(self) -> dict[str, Any]:
        """Connection keyword arguments for aiokafka clients."""
        config = self._client()
        if self.security_protocol.endswith("SSL"):
            config["ssl_context"] = self.ssl_context()
        return config

    def ssl_context(self) -> Any:
        """The TLS context for the brokers, checked against `ssl_cafile` when it is set."""
        import ssl

        if self.ssl_cafile and not Path(self.ssl_cafile).is_file():
            from axiswatch.exceptions import InputError

            raise InputError(
                f"KAFKA_SSL_CAFILE={self.ssl_cafile} is not a file: name the PEM file of the "
                "certificate authority that signed the brokers' certificates"
            )
        return ssl.create_default_context(cafile=self.ssl_cafile)

    def faust_broker(self) -> str:
        return ";".join(f"kafka://{server}" for server in self.servers)

    def faust_credentials(self) -> Any:
        """Faust `broker_credentials` for TLS/SASL, or None for plaintext."""
        if self.security_protocol == "PLAINTEXT":
            return None
        self.check()
        import faust

        context = self.ssl_context() if self.security_protocol.endswith("SSL") else None
        if self.sasl_mechanism:
            return faust.SASLCredentials(
                username=self.sasl_username,
                password=self.sasl_password,
                mechanism=self.sasl_mechanism,
                ssl_context=context,
            )
        return faust.SSLCredentials(context)


@dataclass(frozen=True)
class Settings:
    """Everything configurable, read once from the environment (`Settings.from_env()`)."""

    kafka: KafkaSettings = field(default_factory=KafkaSettings)
    data_dir: Path = field(default_factory=default_data_root)
    # In front of every topic, consumer group and transactional id (`Names`), so several
    # deployments can share one cluster; "" by default.
    topic_prefix: str = ""
    raw_partitions: int = 6
    enriched_partitions: int = 6
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"  # 0.0.0.0 in a container, where Prometheus is elsewhere
    replication_factor: int | None = None  # None: min(3, brokers in the cluster)
    stories: StoryConfig = field(default_factory=StoryConfig)
    # `axiswatch serve`: the history's PostgreSQL URL (a password may be in it); None: SQLite
    # in the data folder.
    database_url: str | None = field(default=None, repr=False)
    # Fault injection, for tests only: the worker's agents drop every Nth message they are
    # given, as the Faust consumer can after a rebalance; the worker must still process it.
    fault_drop_every: int = 0
    # Processes of its own the worker analyzes raw articles in (0: in its event loop). By
    # default one on a machine of two cores or more: the analysis is most of the worker's CPU.
    analyze_processes: int = field(default_factory=lambda: _default_analyze_processes())
    # How long the stories stage gathers records before a transaction, once one is in hand:
    # every transaction costs the broker and the worker the same whatever it holds, so a
    # short wait for company makes a stream of 100-300 articles a second far cheaper.
    stories_linger_ms: int = 50

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """The settings the environment gives (`os.environ` unless `env`); a variable with a
        value its setting cannot take is an `InputError` naming it and what it takes."""
        env = dict(os.environ if env is None else env)
        given = Environment.read(env)
        data_dir = default_data_root(env)
        bootstrap = given.kafka_bootstrap_servers
        # Without KAFKA_BOOTSTRAP_SERVERS: the local broker, and how its client listener is
        # secured (`broker start --scram`, `--tls` and the CA that signed its certificate)
        # unless the environment says otherwise.
        local = {} if bootstrap else _local_broker(data_dir)
        security = local.get("security") or {}
        kafka = KafkaSettings(
            bootstrap_servers=bootstrap or local.get("bootstrap") or "127.0.0.1:9092",
            security_protocol=given.kafka_security_protocol
            or security.get("protocol")
            or "PLAINTEXT",
            sasl_mechanism=given.kafka_sasl_mechanism or security.get("mechanism") or None,
            sasl_username=given.kafka_sasl_username,
            sasl_password=given.kafka_sasl_password,
            ssl_cafile=given.kafka_ssl_cafile or security.get("cafile") or None,
            external=bool(bootstrap),
        )
        return cls(
            kafka=kafka,
            data_dir=data_dir,
            topic_prefix=given.axiswatch_topic_prefix,
            raw_partitions=given.axiswatch_raw_partitions,
            enriched_partitions=given.axiswatch_enriched_partitions,
            metrics_port=given.axiswatch_metrics_port,
            metrics_host=given.axiswatch_metrics_host,
            replication_factor=given.axiswatch_replication_factor,
            stories=StoryConfig(
                window=timedelta(days=given.axiswatch_story_window_days),
                max_stories=given.axiswatch_max_stories,
                near_threshold=given.axiswatch_near_duplicate_threshold,
                event_window=timedelta(days=given.axiswatch_event_window_days),
                max_events=given.axiswatch_max_events,
            ),
            database_url=given.axiswatch_database_url,
            fault_drop_every=given.axiswatch_fault_drop_every,
            analyze_processes=(
                _default_analyze_processes()
                if given.axiswatch_analyze_processes is None
                else given.axiswatch_analyze_processes
            ),
            stories_linger_ms=given.axiswatch_stories_linger_ms,
        )

    @property
    def names(self) -> Names:
        """The names of the topics and consumer groups on the cluster."""
        return Names(self.topic_prefix)

    def with_metrics_port(self, port: int | None) -> Settings:
        return self if port is None else replace(self, metrics_port=port)

    def with_bootstrap(self, servers: str) -> Settings:
        return replace(self, kafka=replace(self.kafka, bootstrap_servers=servers))


class Environment(BaseSettings):
    """The environment variables the settings read, typed (a field per variable, named as the
    variable in lower case; only the upper-case variable counts). A blank variable counts as
    unset. `Environment.read()` reads `os.environ`, `Environment.read(env)` a mapping given,
    through pydantic-settings' environment source."""

    model_config = SettingsConfigDict(
        extra="ignore",
        str_strip_whitespace=True,
        frozen=True,
        case_sensitive=True,
        alias_generator=str.upper,
    )

    kafka_bootstrap_servers: str = ""
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] | None = None
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = Field(default=None, repr=False)
    kafka_ssl_cafile: str | None = None
    axiswatch_topic_prefix: str = ""
    axiswatch_raw_partitions: int = Field(default=6, ge=1, le=10_000)
    axiswatch_enriched_partitions: int = Field(default=6, ge=1, le=10_000)
    axiswatch_metrics_port: int | None = Field(default=None, ge=0, le=65_535)
    axiswatch_metrics_host: str = "127.0.0.1"
    axiswatch_replication_factor: int | None = Field(default=None, ge=1, le=32)
    axiswatch_story_window_days: float = Field(default=14.0, gt=0, le=36_500)
    axiswatch_max_stories: int = Field(default=200_000, ge=1)
    axiswatch_near_duplicate_threshold: float = Field(default=0.4, gt=0, le=1)
    axiswatch_event_window_days: float = Field(default=365.0, gt=0, le=36_500)
    axiswatch_max_events: int = Field(default=200_000, ge=1)
    axiswatch_database_url: str | None = Field(default=None, repr=False)
    axiswatch_fault_drop_every: int = Field(default=0, ge=0)
    axiswatch_analyze_processes: int | None = Field(default=None, ge=0, le=64)
    axiswatch_stories_linger_ms: int = Field(default=50, ge=0, le=10_000)
    # Feeds on loopback, private or link-local addresses: refused unless allowed
    # (producers/fetch.py); 1, true, yes or on allow them.
    axiswatch_fetch_allow_private: bool = False

    @field_validator("axiswatch_topic_prefix")
    @classmethod
    def _a_topic_prefix(cls, prefix: str) -> str:
        """Checked against Kafka's rules for topic names."""
        problem = prefix_problem(prefix)
        if problem:
            raise ValueError(
                f"it cannot prefix topic names: {problem}. Example: AXISWATCH_TOPIC_PREFIX="
                "newsdesk. (or unset it for the plain names)"
            )
        return prefix

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: Any, **_: Any
    ) -> tuple[Any, ...]:
        # `read` hands over what its source read: the process's environment is read there
        # (or a mapping given instead of it), never behind a caller's back.
        return (init_settings,)

    @classmethod
    def read(cls, env: Mapping[str, str] | None = None) -> Environment:
        """The variables of `env` (`os.environ` unless given); a value a variable cannot take
        is an `InputError` naming it and what it takes."""
        given = os.environ if env is None else env
        try:
            return cls(**_GivenEnvironment(cls, given)())
        except ValidationError as exc:
            from axiswatch.exceptions import InputError

            problems = []
            for error in exc.errors():
                name = str(error["loc"][0]).upper()
                message = str(error["msg"]).removeprefix("Value error, ")
                problems.append(f"{name}={given.get(name)!r}: {message}")
            raise InputError("; ".join(problems)) from None


class _GivenEnvironment(EnvSettingsSource):
    """pydantic-settings' environment source over a mapping given (the process's environment,
    or a test's), so both are read by the same rules; a blank value counts as unset."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._given = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # The hook pydantic-settings' own sources (.env files, secret stores) override.
        return {name: value for name, value in self._given.items() if value.strip()}


def _default_analyze_processes() -> int:
    return 1 if (os.cpu_count() or 1) >= 2 else 0


def _local_broker(data_dir: Path) -> dict[str, Any]:
    """The state (address, security) of the broker `axiswatch broker start` runs in
    `data_dir`, or {} if none runs there."""
    from axiswatch import brokerstate

    return brokerstate.read_state(data_dir / "broker") or {}
