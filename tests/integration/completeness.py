"""Completeness under faults: the harness of tests/integration/test_completeness.py and
benchmarks/completeness_bench.py.

Each run starts its own broker (a free port, a temporary folder), workers, and a replay of
the timeline corpus (real articles: many developments reported by several outlets, so both
`new` and `corroborated` alerts), applies a fault while the replay runs, waits until the
stories stage has committed every analyzed article, and then compares what is on the broker
with the clean run: the same stories code run offline on the analyzed articles in the order
the stories stage read them (the `articles.analyzed` partition, offset order; a repeat of an
article there is what at-least-once analysis gave, and the clean run sees it too).

What is checked (`Outcome.problems`):
- every replayed article has its enriched record;
- the `new` alert ids equal the clean run's, each written once (an alert the alerts topic
  refused as too large counts when it is in the dead-letter topic with reason `too_large`);
- every alert (id, kind, article) of the clean run is written exactly once, and nothing else;
- no alert id appears on the alerts topic before its `new`.
All topics are read with isolation.level=read_committed.
"""

from __future__ import annotations

import base64
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from axiswatch import broker
from axiswatch.settings import Settings
from axiswatch.topics import ensure_topics
from tests.integration.conftest import ROOT, WorkerProcess, cli_env, uncommitted

TIMELINE = [ROOT / "seeds" / "eval" / f"timeline_{part}.jsonl" for part in ("tune", "test")]


def timeline_batch(path: Path, count: int | None = None, seed: int = 7) -> set[str]:
    """Writes `count` timeline articles (all by default) to `path` in a shuffled order (the
    same for a seed); returns their article ids."""
    from streams.articles import read_articles

    lines = [line for p in TIMELINE for line in p.read_text(encoding="utf-8").splitlines()]
    random.Random(seed).shuffle(lines)
    lines = lines[:count] if count else lines
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {a.article_id for a in read_articles([path]) if hasattr(a, "article_id")}


def read_topic(bootstrap: str, topic: str) -> list[tuple[int, bytes | None, bytes | None]]:
    """(offset, key, value) of every committed record of `topic`, partition by partition."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, isolation_level="read_committed"
    )
    try:
        parts = [
            TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        out = []
        deadline = time.monotonic() + 120
        while any(consumer.position(tp) < ends[tp] for tp in parts):
            assert time.monotonic() < deadline, f"could not read {topic} to its end"
            for records in consumer.poll(timeout_ms=500).values():
                out.extend((r.offset, r.key, r.value) for r in records)
        return out
    finally:
        consumer.close()


def clean_run(analyzed: list[tuple[int, bytes | None, bytes | None]]) -> list[tuple[str, str, str]]:
    """The alerts (id, kind, article id) of the stories code run offline over the analyzed
    records, in order."""
    from schemas.models import AnalyzedArticle
    from streams.stories import StoryBook

    book = StoryBook.in_memory(Settings.from_env().stories)
    said = []
    for _offset, _key, value in analyzed:
        try:
            article = AnalyzedArticle.model_validate_json(value or b"")
            _enriched, alerts, _placement = book.place(article)
        except Exception:  # noqa: BLE001 - the worker dead-letters it: no alert either
            continue
        said.extend((a.alert_id, a.kind, a.article_id) for a in alerts)
    return said


@dataclass
class Outcome:
    name: str
    articles: int
    enriched_missing: int = 0
    expected_new: int = 0
    written_new: int = 0
    dead_lettered_alerts: int = 0
    repeated_new: list[str] = field(default_factory=list)
    missing_new: list[str] = field(default_factory=list)
    extra_new: list[str] = field(default_factory=list)
    alerts_expected: int = 0
    alerts_missing: int = 0
    alerts_extra: int = 0
    differing: list[str] = field(default_factory=list)
    before_new: list[str] = field(default_factory=list)
    faults: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        found = []
        if self.enriched_missing:
            found.append(f"{self.enriched_missing} article(s) without an enriched record")
        for label in ("repeated_new", "missing_new", "extra_new", "before_new"):
            if getattr(self, label):
                found.append(f"{label}: {getattr(self, label)[:5]}")
        if self.alerts_missing or self.alerts_extra:
            found.append(
                f"alerts missing {self.alerts_missing}, extra {self.alerts_extra}: "
                f"{self.differing[:6]}"
            )
        if not self.expected_new:
            found.append("the clean run raised no `new` alert: nothing was compared")
        return found

    def row(self) -> str:
        return (
            f"| {self.name} | {self.faults} | {self.articles} | {self.enriched_missing} | "
            f"{self.expected_new} | {self.written_new} (+{self.dead_lettered_alerts}) | "
            f"{len(self.repeated_new)} | {len(self.missing_new)} / {len(self.extra_new)} | "
            f"{self.alerts_missing} / {self.alerts_extra} of {self.alerts_expected} | "
            f"{len(self.before_new)} | {self.seconds:.0f} s |"
        )


class Run:
    """One broker and its workers, in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.broker_dir = folder / "broker"
        self.port = broker.free_port()
        self.bootstrap = broker.start(port=self.port, data_dir=self.broker_dir)
        ensure_topics(Settings.from_env().with_bootstrap(self.bootstrap))
        self.workers: list[WorkerProcess] = []
        self.faults = 0

    def worker(self, env: dict[str, str] | None = None, wait: bool = True) -> WorkerProcess:
        n = len(self.workers)
        folder = self.folder / f"worker{n}"
        folder.mkdir(exist_ok=True)
        process = WorkerProcess(self.bootstrap, folder, env=env)
        self.workers.append(process)
        if wait:
            process.start()
        else:
            start_unready(process)
        return process

    def replay(self, path: Path, rate: float) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "axiswatch", "replay", str(path), "--rate", str(rate)],
            env=cli_env(self.bootstrap),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def settle(self, ids: set[str], timeout: float = 300) -> None:
        """Until every id has its enriched record and the stories stage committed every
        analyzed article."""
        deadline = time.monotonic() + timeout
        while True:
            enriched = {
                k.decode() for _o, k, _v in read_topic(self.bootstrap, "articles.enriched") if k
            }
            lag = uncommitted(self.bootstrap, ("articles.analyzed",))
            if ids <= enriched and lag and not any(lag.values()):
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"not settled: {len(ids - enriched)} article(s) not enriched, lag {lag}"
                )
            time.sleep(2)

    def outcome(self, name: str, ids: set[str], started: float) -> Outcome:
        analyzed = read_topic(self.bootstrap, "articles.analyzed")
        expected = clean_run(analyzed)
        alerts = [json.loads(v) for _o, _k, v in read_topic(self.bootstrap, "alerts") if v]
        dead = []
        for _o, _k, v in read_topic(self.bootstrap, "articles.dlq"):
            letter = json.loads(v or b"{}")
            if letter.get("output_topic") == "alerts" and letter.get("reason") == "too_large":
                dead.append(json.loads(base64.b64decode(letter["original_b64"])))
        enriched = {
            k.decode() for _o, k, _v in read_topic(self.bootstrap, "articles.enriched") if k
        }
        out = Outcome(name, len(ids), faults=self.faults)
        out.enriched_missing = len(ids - enriched)
        said = [(a["alert_id"], a["kind"], a["article_id"]) for a in [*alerts, *dead]]
        new_written = Counter(i for i, kind, _ in said if kind == "new")
        new_expected = {i for i, kind, _ in expected if kind == "new"}
        out.expected_new = len(new_expected)
        out.written_new = sum(1 for a in alerts if a["kind"] == "new")
        out.dead_lettered_alerts = len(dead)
        out.repeated_new = sorted(i for i, n in new_written.items() if n > 1)
        out.missing_new = sorted(new_expected - set(new_written))
        out.extra_new = sorted(set(new_written) - new_expected)
        want, got = Counter(expected), Counter(said)
        out.alerts_expected = sum(want.values())
        out.alerts_missing = sum((want - got).values())
        out.alerts_extra = sum((got - want).values())
        out.differing = [f"missing {a}" for a in (want - got).elements()] + [
            f"extra {a} ({'repeated' if a in want else 'not in the clean run'})"
            for a in (got - want).elements()
        ]
        refused = {a["alert_id"] for a in dead if a["kind"] == "new"}
        first: dict[str, str] = {}
        for a in alerts:
            first.setdefault(a["alert_id"], a["kind"])
        out.before_new = sorted(
            i for i, kind in first.items() if kind != "new" and i not in refused
        )
        out.seconds = time.monotonic() - started
        return out

    def close(self) -> None:
        for w in self.workers:
            if w.process and w.process.poll() is None:
                with_signal(w, signal.SIGCONT)
            w.stop()
        broker.stop(self.broker_dir)


def start_unready(process: WorkerProcess) -> None:
    """Start a worker without waiting for it to process anything."""
    process.starts += 1
    command = [sys.executable, "-m", "axiswatch", "worker"]
    with process.log_path.open("wb") as log:
        process.process = subprocess.Popen(
            command,
            env={**cli_env(process.bootstrap), **process.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )


def with_signal(process: WorkerProcess, sig: int) -> None:
    if process.process and process.process.poll() is None:
        os.kill(process.process.pid, sig)


def stories_owner(run: Run) -> WorkerProcess | None:
    """The running worker that took the stories partition last (from the logs)."""
    latest: tuple[str, WorkerProcess] | None = None
    for w in run.workers:
        if w.poll() is not None or w.process is None:
            continue
        for line in w.log_path.read_text(errors="replace").splitlines():
            if "took the stories partition" in line and (latest is None or line[:25] > latest[0]):
                latest = (line[:25], w)
    return latest[1] if latest else None


# -- the faults -----------------------------------------------------------------------------


def kill_loop(run: Run, replay: subprocess.Popen, kills: int, rng: random.Random) -> None:
    """SIGKILL the only worker at a random point, restart it; `kills` times."""
    only = run.workers[0]
    for _ in range(kills):
        time.sleep(rng.uniform(0.2, 4.0))
        only.kill()
        run.faults += 1
        only.start()


def pause_owner(run: Run, replay: subprocess.Popen, seconds: float = 15.0) -> None:
    """SIGSTOP the worker running the stories stage (of two) past its session timeout while
    articles keep coming, then SIGCONT it: it wakes up as a stale owner."""
    time.sleep(2.0)
    owner = stories_owner(run)
    assert owner is not None, "no worker took the stories partition"
    with_signal(owner, signal.SIGSTOP)
    run.faults += 1
    time.sleep(seconds)
    with_signal(owner, signal.SIGCONT)


def restart_broker(run: Run, replay: subprocess.Popen, seconds: float = 15.0) -> None:
    time.sleep(3.0)
    broker.stop(run.broker_dir)
    run.faults += 1
    time.sleep(seconds)
    assert broker.start(port=run.port, data_dir=run.broker_dir) == run.bootstrap


def rebalance_storm(run: Run, replay: subprocess.Popen, cycles: int = 2) -> None:
    """Three more workers join one by one and leave one by one, `cycles` times."""
    for _ in range(cycles):
        joined = []
        for _ in range(3):
            time.sleep(2.0)
            joined.append(run.worker(wait=False))
            run.faults += 1
        for w in joined:
            time.sleep(2.0)
            w.stop()
            run.faults += 1


def refuse_oversized_alerts(limit: int) -> Callable[[Run, subprocess.Popen], None]:
    """The alerts topic accepts records up to `limit` bytes from now on (the worker learns it
    from the broker's refusal)."""

    def fault(run: Run, replay: subprocess.Popen) -> None:
        set_topic_limit(run.bootstrap, "alerts", limit)
        run.faults += 1

    return fault


def set_topic_limit(bootstrap: str, topic: str, limit: int) -> None:
    from kafka.admin import ConfigResource, ConfigResourceType

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, {"max.message.bytes": str(limit)})]
        )
    finally:
        admin.close()


def run_scenario(
    folder: Path,
    name: str,
    fault: Callable[[Run, subprocess.Popen], None],
    workers: int = 1,
    count: int | None = None,
    rate: float = 20.0,
    seed: int = 7,
) -> Outcome:
    """One run: broker, `workers` workers, the timeline corpus replayed at `rate` while `fault`
    runs; returns the comparison with the clean run."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    run = Run(folder)
    try:
        for _ in range(workers):
            run.worker()
        path = folder / "batch.jsonl"
        ids = timeline_batch(path, count, seed)
        replay = run.replay(path, rate)
        fault(run, replay)
        assert replay.wait(timeout=600) == 0, replay.stderr.read() if replay.stderr else ""
        if not any(w.poll() is None for w in run.workers):
            run.workers[0].start()
        run.settle(ids)
        return run.outcome(name, ids, started)
    finally:
        run.close()
