"""Integration fixtures: one real Kafka broker per test session (on a free port, in a temporary
folder), and one worker process against it. KAFKA_BOOTSTRAP_SERVERS runs them against an
existing cluster instead."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from axiswatch import broker
from axiswatch.settings import Settings
from axiswatch.topics import ensure_topics

ROOT = Path(__file__).resolve().parents[2]


# The seed's story first (its test expects the seed's signals to be new), the disruptive
# fault tests (killed workers, a stopped broker, corpus replays) last.
_MODULE_ORDER = ("test_pipeline", "test_poll", "test_observability", "test_faults")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        return _MODULE_ORDER.index(name) if name in _MODULE_ORDER else len(_MODULE_ORDER)

    items.sort(key=rank)  # stable: the order within a module stays


@pytest.fixture(scope="session")
def broker_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("broker")


@pytest.fixture(scope="session")
def bootstrap(broker_dir: Path) -> Iterator[str]:
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    address = broker.start(port=broker.free_port(), data_dir=broker_dir)
    yield address
    broker.stop(broker_dir)


@pytest.fixture(scope="session")
def settings(bootstrap: str) -> Settings:
    settings = Settings.from_env().with_bootstrap(bootstrap)
    ensure_topics(settings)
    return settings


def cli_env(bootstrap: str) -> dict[str, str]:
    return {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "PYTHONUNBUFFERED": "1"}


def run_cli(
    bootstrap: str, *args: str, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "axiswatch", *args],
        env=env or cli_env(bootstrap),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


class TopicReader:
    """A plain kafka-python consumer (no group) reading a topic from its current end;
    `client`: more kafka-python settings (SASL, TLS)."""

    def __init__(
        self,
        bootstrap: str,
        topic: str,
        from_beginning: bool = False,
        client: dict | None = None,
    ) -> None:
        # read_committed, as every reader of the worker's transactional outputs must
        self.consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            isolation_level="read_committed",
            **(client or {}),
        )
        partitions = self.consumer.partitions_for_topic(topic) or {0}
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        self.consumer.assign(tps)
        if from_beginning:
            self.consumer.seek_to_beginning(*tps)
        else:
            for tp, offset in self.consumer.end_offsets(tps).items():
                self.consumer.seek(tp, offset)

    def collect(
        self,
        until: Callable[[list[dict]], bool],
        timeout: float = 60.0,
        linger: float = 0.0,
    ) -> list[dict]:
        """Records (key, value, parsed JSON, headers) until `until(records)` holds, then
        `linger` more seconds to catch anything that should not be there."""
        records: list[dict] = []
        deadline = time.monotonic() + timeout
        done_at = None
        while time.monotonic() < deadline:
            for messages in self.consumer.poll(timeout_ms=300).values():
                for m in messages:
                    records.append(
                        {
                            "key": m.key,
                            "raw": m.value,
                            "value": _json(m.value),
                            "offset": m.offset,
                            "headers": dict(m.headers or ()),
                        }
                    )
            if done_at is None and until(records):
                done_at = time.monotonic()
            if done_at is not None and time.monotonic() - done_at >= linger:
                return records
        raise AssertionError(f"timed out after {timeout}s with {len(records)} record(s)")

    def close(self) -> None:
        self.consumer.close()


def _json(value: bytes | None):
    try:
        return json.loads(value) if value is not None else None
    except ValueError:
        return None


@pytest.fixture
def reader(bootstrap: str):
    readers: list[TopicReader] = []

    def make(topic: str, from_beginning: bool = False) -> TopicReader:
        readers.append(TopicReader(bootstrap, topic, from_beginning))
        return readers[-1]

    yield make
    for r in readers:
        r.close()


@pytest.fixture(scope="session")
def producer(bootstrap: str) -> Iterator[KafkaProducer]:
    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=8 << 20)
    yield p
    p.close()


class WorkerProcess:
    """`axiswatch worker` as a child process that tests can kill and restart; with
    `metrics_port`, it serves Prometheus metrics on 127.0.0.1 at that port (kept on restart);
    `client`: kafka-python settings (SASL, TLS) for the readiness probe's own clients."""

    def __init__(
        self,
        bootstrap: str,
        log_dir: Path,
        metrics_port: int | None = None,
        env: dict[str, str] | None = None,
        client: dict | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.log_dir = log_dir
        self.metrics_port = metrics_port
        self.env = env or {}
        self.client = client or {}
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"worker-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        command = [sys.executable, "-m", "axiswatch", "worker"]
        if self.metrics_port is not None:
            command += ["--metrics-port", str(self.metrics_port)]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env={**cli_env(self.bootstrap), **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        self.wait_ready()

    def wait_ready(self, timeout: float = 120) -> None:
        """Returns once a probe article went through both stages (on the topics of the
        worker's AXISWATCH_TOPIC_PREFIX, if it has one)."""
        prefix = self.env.get("AXISWATCH_TOPIC_PREFIX", "")
        enriched = TopicReader(self.bootstrap, f"{prefix}articles.enriched", client=self.client)
        key = f"cprobe{self.starts}".encode()
        probe = {"article_id": key.decode(), "title": "Probe", "body": f"Probe {self.starts}."}
        with KafkaProducer(bootstrap_servers=self.bootstrap, acks="all", **self.client) as p:
            p.send(f"{prefix}articles.raw", key=key, value=json.dumps(probe).encode()).get(30)
        try:
            enriched.collect(lambda rs: any(r["key"] == key for r in rs), timeout=timeout)
        except AssertionError as exc:
            self.stop()
            log = self.log_path.read_text()[-3000:]
            raise AssertionError(f"worker never processed the probe:\n{log}") from exc
        finally:
            enriched.close()

    def poll(self) -> int | None:
        return self.process.poll() if self.process else None

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no final commit."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="session")
def worker(settings: Settings, bootstrap: str, tmp_path_factory) -> Iterator[WorkerProcess]:
    """The worker, started once and known to be consuming, serving its metrics on
    127.0.0.1:`worker.metrics_port`; tests may restart it."""
    process = WorkerProcess(
        bootstrap, tmp_path_factory.mktemp("worker"), metrics_port=broker.free_port()
    )
    process.start()
    yield process
    process.stop()


# ------------------------------------------------- helpers of the secured-broker test modules
CORPUS = ROOT / "seeds" / "eval" / "corpus.jsonl"


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without any Kafka settings of its own, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


def start_local_broker(
    *flags: str, port: int, data_dir: Path, env: dict[str, str]
) -> subprocess.CompletedProcess:
    """`axiswatch broker start FLAGS` on `port`; asserts it started and printed its address."""
    command = [sys.executable, "-m", "axiswatch", "broker", "start", *flags]
    command += ["--port", str(port), "--data-dir", str(data_dir)]
    started = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=150, cwd=ROOT
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == f"127.0.0.1:{port}"
    return started


class RecordedCli:
    """`cli()` runs an axiswatch command and keeps its output in `self.outputs`, which the
    tests search for secrets that leaked."""

    outputs: list[str]

    def cli(
        self, *args: str, env: dict[str, str], timeout: float = 60
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "axiswatch", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )
        self.outputs += [result.stdout, result.stderr]
        return result


def replay_corpus_sample(
    server: RecordedCli, work: Path, env: dict[str, str], enriched: TopicReader, count: int = 5
) -> list[dict]:
    """Replays the first `count` titled corpus articles with `server.cli` and returns their
    enriched records, once all arrived on `enriched`."""
    articles = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    articles = [a for a in articles if a.get("title")][:count]
    batch = work / "batch.jsonl"
    batch.write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8"
    )
    replayed = server.cli("replay", str(batch), env=env)
    assert replayed.returncode == 0, replayed.stderr
    assert f"published {len(articles)} article(s)" in replayed.stderr
    titles = {a["title"] for a in articles}
    records = enriched.collect(
        lambda rs: titles <= {(r["value"] or {}).get("title") for r in rs}, timeout=60
    )
    mine = [r["value"] for r in records if r["value"]["title"] in titles]
    assert {r["title"] for r in mine} == titles
    return mine


def uncommitted(
    bootstrap: str, topics: tuple[str, ...], client: dict | None = None
) -> dict[tuple[str, int], int]:
    """Messages of `topics` past the committed offsets of the worker group that reads each
    (`articles.raw`: the analyze stage's group), per partition."""
    from kafka import KafkaAdminClient

    from axiswatch.lag import group_lag
    from schemas.topics import Names

    names = Names()
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, **(client or {}))
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, **(client or {}))
    try:
        lag = {}
        for topic in topics:
            group = names.analyze_group if topic == names.raw else names.worker_group
            lag.update(group_lag(admin, consumer, group, (topic,)))
        return lag
    finally:
        consumer.close()
        admin.close()


def wait_until_committed(
    bootstrap: str, topics: tuple[str, ...], client: dict | None = None, timeout: float = 30
) -> None:
    """Asserts that the worker group commits every message of `topics` within `timeout`."""
    deadline = time.monotonic() + timeout
    while any(uncommitted(bootstrap, topics, client).values()) and time.monotonic() < deadline:
        time.sleep(0.5)
    lag = uncommitted(bootstrap, topics, client)
    assert lag and not any(lag.values()), lag


def wait_for_lag_metric(metrics_port: int, topic: str = "articles.raw", timeout: float = 20):
    """Asserts that the worker serving metrics on `metrics_port` reports `topic`'s lag."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as page:
            lines = page.read().decode().splitlines()
        if any(
            line.startswith("axiswatch_consumer_lag_messages{") and f'topic="{topic}"' in line
            for line in lines
        ):
            return
        assert time.monotonic() < deadline, "the worker never measured the consumer lag"
        time.sleep(1)
