"""End-to-end benchmark of the pipeline on a real broker, against a Kafka passthrough baseline.

    python benchmarks/pipeline_bench.py [--articles 5000] [--rate 100 --rate 300] [--seconds 20]

Starts its own single-node broker (on a free port, in a temporary folder) and measures, on
realistic ~3 KB articles built from the labelled corpus:

1. baseline: a plain aiokafka consume-and-produce passthrough of N raw messages (acks=all),
   the ceiling that Kafka and a Python client allow on this machine;
2. the logic alone: the same analysis and stories code (`analyze_bytes`, `StoryBook.place`)
   run in this process on N articles, no Kafka: the ceiling of one worker on one core;
3. drain throughput with 1 worker, then with 2 workers, of N fresh articles already in
   `articles.raw` (articles per second between the first and the last enriched record), and
   its ratio to the passthrough and to the logic alone;
4. latency at each steady --rate with one worker (or --workers N): p50/p95/p99 from
   publication (the article's `fetched_at`, stamped as it is handed to the producer) to the
   enriched record and to the alert, as a downstream consumer (read_committed) receives them;
   the steady stream is written and the outputs read with kcat, so that the bench's own work
   takes little of the CPU the pipeline runs on (its CPU per article is printed); and where
   the time goes, by the timestamps of the records the worker writes (publication -> analyzed
   record written -> enriched record written -> readable once its transaction commits);
5. the worker's CPU seconds per article (process total, and per stage from its metrics), the
   broker's CPU seconds per article in the same run, and the worker's peak resident memory.

Figures are printed as a Markdown table (docs/benchmarks.md holds a run).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import NewTopic  # noqa: E402

from axiswatch import broker  # noqa: E402
from axiswatch.brokerstate import read_state  # noqa: E402
from axiswatch.settings import Settings  # noqa: E402
from axiswatch.topics import ensure_topics  # noqa: E402
from schemas.models import RawArticle  # noqa: E402
from streams.text import article_id_for  # noqa: E402


def articles(count: int, run: str, size: int = 3000) -> list[RawArticle]:
    """`count` raw articles of about `size` characters, with unique URLs."""
    items = [json.loads(x) for x in (ROOT / "seeds/eval/corpus.jsonl").read_text().splitlines()]
    out = []
    for n in range(count):
        body, k = [], n
        while sum(len(p) for p in body) < size:
            body.append(items[k % len(items)]["body"])
            k += 7
        url = f"https://bench-{run}.example/{n}"
        title = items[n % len(items)]["title"]
        text = "\n".join(body)[:size]
        raw = RawArticle(
            article_id=article_id_for(url, title, text),
            title=title,
            body=text,
            url=url,
            # Every article its own source: each signal it carries is new or corroborated, so
            # the latency run sees alerts as well as enriched records.
            source=f"outlet-{run}-{n}",
        )
        out.append(raw)
    return out


def produce(bootstrap: str, batch: list[RawArticle]) -> None:
    """Publish `batch` to articles.raw at once (a steady stream: `send_steadily`)."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    for article in batch:
        producer.send("articles.raw", key=article.article_id.encode(), value=article.to_bytes())
    producer.flush()
    producer.close()


class Watcher:
    """Receives enriched records and alerts as a downstream consumer does (committed
    transactions only) and notes when each arrives. It reads with kcat, one process per topic,
    so that the bench's own reading costs little of the CPU the pipeline runs on (a Python
    client decoding every 12 KB enriched record took about 1 ms of CPU per article)."""

    def __init__(self, bootstrap: str) -> None:
        if shutil.which("kcat") is None:
            raise SystemExit(
                "the bench reads and writes with kcat: install it (apt-get install kcat, or "
                "./scripts/setup --test)"
            )
        self.enriched: dict[str, float] = {}  # article id -> arrival
        self.published: dict[str, float] = {}  # article id -> publication (steady runs)
        # article id -> the record's timestamp (the moment the worker handed it to its
        # producer): the analyzed record's and the enriched record's, for the hops between
        self.analyzed_at: dict[str, float] = {}
        self.enriched_at: dict[str, float] = {}
        self._traces: dict[str, str] = {}  # trace id -> article id, from enriched records
        self._alerts: list[tuple[str, float]] = []  # (trace id, arrival)
        since = int(time.time() * 1000)  # from now on, however long kcat takes to start
        self.readers = [
            subprocess.Popen(
                [
                    "kcat",
                    "-C",
                    "-b",
                    bootstrap,
                    "-t",
                    topic,
                    "-o",
                    f"s@{since}",
                    "-u",
                    "-q",
                    "-X",
                    "isolation.level=read_committed",
                    "-f",
                    "%k\t%T\t%h\n",
                ],
                stdout=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for topic in ("articles.enriched", "alerts", "articles.analyzed")
        ]
        atexit.register(self.close)  # the readers end with the bench, however it ends
        notes = (self._enriched, self._alert, self._analyzed)
        for reader, note in zip(self.readers, notes, strict=True):
            threading.Thread(target=self._read, args=(reader, note), daemon=True).start()

    @staticmethod
    def _read(reader: subprocess.Popen, note) -> None:
        for line in reader.stdout:
            now = time.time()
            key, _, rest = line.rstrip("\n").partition("\t")
            stamp, _, headers = rest.partition("\t")
            trace = next((h[9:] for h in headers.split(",") if h.startswith("trace-id=")), "")
            note(key, trace, now, int(stamp) / 1000 if stamp.isdigit() else now)

    def _enriched(self, key: str, trace: str, now: float, stamp: float) -> None:
        self.enriched.setdefault(key, now)
        self.enriched_at.setdefault(key, stamp)
        self._traces.setdefault(trace, key)

    def _alert(self, key: str, trace: str, now: float, stamp: float) -> None:
        self._alerts.append((trace, now))

    def _analyzed(self, key: str, trace: str, now: float, stamp: float) -> None:
        self.analyzed_at.setdefault(key, stamp)

    def hops(self, ids: set[str]) -> list[tuple[str, list[float]]]:
        """Where an article's time goes, in seconds, by the records' timestamps (each the
        moment the worker handed the record to its producer): publication -> analyzed record
        written (the raw record's way in, the analyze stage's batch and analysis), analyzed ->
        enriched written (the analyzed record's way back, the stories stage's gathering and
        placing), enriched written -> readable (the transaction's commit, the reader's fetch)."""
        known = [i for i in ids if i in self.analyzed_at and i in self.enriched_at]
        return [
            ("publication -> analyzed written",
             [self.analyzed_at[i] - self.published[i] for i in known]),
            ("analyzed -> enriched written",
             [self.enriched_at[i] - self.analyzed_at[i] for i in known]),
            ("enriched written -> readable",
             [self.enriched[i] - self.enriched_at[i] for i in known]),
        ]  # fmt: skip

    def cpu(self) -> float:
        """CPU seconds of the kcat readers so far."""
        return sum(cpu_seconds(r.pid) for r in self.readers)

    def latencies(self, ids: set[str]) -> tuple[list[float], list[float]]:
        """Publication -> enriched and publication -> alert, in seconds, for the articles `ids`
        (published in a steady run)."""
        time.sleep(1.0)  # an article's alerts come in its enriched record's transaction
        enriched = [self.enriched[i] - self.published[i] for i in ids]
        alerts = []
        for trace, arrived in list(self._alerts):
            article = self._traces.get(trace)
            if article in ids:
                alerts.append(arrived - self.published[article])
        return enriched, alerts

    def wait_for(self, ids: set[str], timeout: float, phase: str) -> None:
        deadline = time.monotonic() + timeout
        while not ids <= self.enriched.keys():
            time.sleep(0.05)
            if time.monotonic() > deadline:
                missing = sorted(ids - self.enriched.keys())
                raise TimeoutError(
                    f"{phase}: {len(missing)} article(s) never enriched, e.g. {missing[:3]}"
                )

    def close(self) -> None:
        for reader in self.readers:
            if reader.poll() is None:
                reader.terminate()
                reader.wait(timeout=10)


def send_steadily(
    bootstrap: str, batch: list[RawArticle], rate: float, watcher: Watcher
) -> subprocess.Popen:
    """Publish `batch` to articles.raw at `rate` per second from a thread, through a kcat
    producer (gzip, acks=all, the murmur2 partitioner as Java and kafka-python use): each
    article's `fetched_at`, its publication, is stamped just before it is handed over. Returns
    the kcat process; it ends when the batch is sent."""
    sender = subprocess.Popen(
        ["kcat", "-P", "-b", bootstrap, "-t", "articles.raw", "-K", "\t", "-z", "gzip",
         "-X", "acks=all", "-X", "linger.ms=5", "-X", "partitioner=murmur2_random"],
        stdin=subprocess.PIPE,
        text=True,
    )  # fmt: skip

    def run() -> None:
        interval = 1.0 / rate
        start = time.perf_counter()
        for n, article in enumerate(batch):
            delay = start + n * interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            now = datetime.now(UTC)
            watcher.published[article.article_id] = now.timestamp()
            value = article.model_copy(update={"fetched_at": now}).to_bytes().decode()
            sender.stdin.write(f"{article.article_id}\t{value}\n")
            sender.stdin.flush()
        sender.stdin.close()

    threading.Thread(target=run, daemon=True).start()
    return sender


def start_worker(bootstrap: str, metrics_port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "axiswatch", "worker", "--metrics-port", str(metrics_port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )


def stop(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        p.terminate()
    for p in processes:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


_RUNS = itertools.count(1)


def end_offset(bootstrap: str, topic: str) -> int:
    """The end offset of `topic`'s partition 0."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        tp = TopicPartition(topic, 0)
        return consumer.end_offsets([tp])[tp]
    finally:
        consumer.close()


def first_timestamp(bootstrap: str, topic: str, offset: int, keys: set[str]) -> float:
    """The earliest timestamp (seconds) of a record keyed by one of `keys` in `topic`'s partition
    0 from `offset` on."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, consumer_timeout_ms=2000)
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek(tp, offset)
        return min(m.timestamp for m in consumer if m.key and m.key.decode() in keys) / 1000
    finally:
        consumer.close()


def _own_and_reaped_cpu() -> float:
    """CPU seconds of this process and of the children it has waited for."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The live child processes of `pid` (a worker's analysis process)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stage_seconds(port: int) -> dict[str, float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    sums, counts = {}, {}
    for line in text.splitlines():
        if line.startswith("axiswatch_stage_seconds_sum"):
            sums[line.split('"')[1]] = float(line.split()[-1])
        elif line.startswith("axiswatch_stage_seconds_count"):
            counts[line.split('"')[1]] = float(line.split()[-1])
    return {k: sums[k] / counts[k] for k in sums if counts.get(k)}


def passthrough(bootstrap: str, count: int) -> float:
    """aiokafka consume-and-produce of `count` messages of articles.raw; messages/second."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    async def run() -> float:
        consumer = AIOKafkaConsumer(
            "articles.raw",
            bootstrap_servers=bootstrap,
            group_id=f"passthrough-{time.time_ns()}",
            auto_offset_reset="earliest",
            enable_auto_commit=True,
        )
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
        await consumer.start()
        await producer.start()
        seen, first = 0, None
        try:
            async for message in consumer:
                first = first or time.perf_counter()
                await producer.send("bench.passthrough", key=message.key, value=message.value)
                seen += 1
                if seen >= count:
                    break
            await producer.flush()
            return count / (time.perf_counter() - first)
        finally:
            await consumer.stop()
            await producer.stop()

    return asyncio.run(run())


def logic_alone(batch: list[RawArticle]) -> float:
    """Articles per second of the analysis and the stories code on `batch`, in this process
    (one core, no Kafka, no serialisation beyond what the stages do themselves)."""
    from streams.analyze import analyze_bytes
    from streams.stories import StoryBook

    book = StoryBook.in_memory()
    values = [a.to_bytes() for a in batch]
    started = time.perf_counter()
    for value in values:
        analyzed = analyze_bytes(value)
        enriched, alerts, _ = book.place(analyzed)
        enriched.to_bytes()
        for alert in alerts:
            alert.to_bytes()
    return len(values) / (time.perf_counter() - started)


def latency_run(
    bootstrap: str, watcher: Watcher, folder: Path, rate: float, seconds: float, workers: int = 1
) -> list[tuple[str, str]]:
    """`workers` workers fed at a steady `rate` for `seconds`: latency from publication, CPU
    per article (the workers' processes and stages, and the broker's), peak memory."""
    broker_pid = read_state(folder / "broker")["pid"]
    run = f"{rate:.0f}-{next(_RUNS)}"  # each run's own articles (a rate may be given twice)
    results: list[tuple[str, str]] = []
    ports = [broker.free_port() for _ in range(workers)]
    procs = [
        start_worker(bootstrap, port, folder / f"latency{run}-{i}.log")
        for i, port in enumerate(ports)
    ]
    warmup = articles(50, f"warm{run}")
    produce(bootstrap, warmup)
    watcher.wait_for({a.article_id for a in warmup}, 300, "warm-up")
    cpu_before = sum(cpu_seconds(p.pid) for p in procs)
    analysis = [child for p in procs for child in children(p.pid)]
    analysis_before = sum(cpu_seconds(pid) for pid in analysis)
    broker_before = cpu_seconds(broker_pid)
    steady = articles(int(rate * seconds), f"steady{run}")
    ids = {a.article_id for a in steady}
    harness_before = _own_and_reaped_cpu() + watcher.cpu()
    sender = send_steadily(bootstrap, steady, rate, watcher)
    watcher.wait_for(ids, 600, "latency run")
    cpu_per_article = (sum(cpu_seconds(p.pid) for p in procs) - cpu_before) / len(steady)
    analysis_per_article = (sum(cpu_seconds(pid) for pid in analysis) - analysis_before) / len(
        steady
    )
    broker_per_article = (cpu_seconds(broker_pid) - broker_before) / len(steady)
    sender.wait(timeout=60)  # reaped: its CPU is counted with this process's
    harness_per_article = (_own_and_reaped_cpu() + watcher.cpu() - harness_before) / len(steady)
    enriched_latency, alert_latency = watcher.latencies(ids)
    hops = watcher.hops(ids)
    # Each stage's mean time per article, over the workers that ran it.
    timed = [stage_seconds(port) for port in ports]
    stages = {
        stage: sum(t[stage] for t in timed if stage in t) / sum(stage in t for t in timed)
        for stage in {stage for t in timed for stage in t}
    }
    peak = max(peak_rss_mb(p.pid) for p in procs)
    stop(procs)

    for name, values in (
        ("publication -> enriched", enriched_latency),
        ("publication -> alert", alert_latency),
    ):
        results.append(
            (f"latency at {rate:.0f}/s, {workers} worker(s), {name} (p50 / p95 / p99)",
             " / ".join(f"{percentile(values, q) * 1000:,.0f} ms"
                        for q in (0.5, 0.95, 0.99)) + f" ({len(values)} records)")
        )  # fmt: skip
    for name, values in hops:
        results.append(
            (f"  of which {name} (p50 / p99)",
             " / ".join(f"{percentile(values, q) * 1000:,.0f} ms" for q in (0.5, 0.99)))
        )  # fmt: skip
    results.append(
        ("worker CPU per article (its main process)", f"{cpu_per_article * 1000:.2f} ms")
    )
    results.append(
        ("  and in the worker's analysis process", f"{analysis_per_article * 1000:.2f} ms")
    )
    results.append(("broker CPU per article", f"{broker_per_article * 1000:.2f} ms"))
    results.append(
        ("the bench's CPU per article (kcat sending and reading, this process)",
         f"{harness_per_article * 1000:.2f} ms")
    )  # fmt: skip
    for stage, seconds in sorted(stages.items()):
        results.append((f"  time in the {stage} stage per article", f"{seconds * 1000:.2f} ms"))
    results.append(("worker peak resident memory", f"{peak:,.0f} MB"))
    return results


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="articles per drain run")
    parser.add_argument(
        "--rate",
        type=float,
        action="append",
        help="a steady rate for a latency run (repeat for several; default 100 and 300)",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the latency run")
    parser.add_argument(
        "--workers", type=int, default=1, help="workers in the latency runs (default 1)"
    )
    parser.add_argument(
        "--skip-drain", action="store_true", help="only the latency run (and the baseline)"
    )
    args = parser.parse_args()
    rates = args.rate or [100.0, 300.0]

    folder = Path(tempfile.mkdtemp(prefix="axiswatch-bench-"))
    bootstrap = broker.start(port=broker.free_port(), data_dir=folder / "broker")
    results: list[tuple[str, str]] = []
    try:
        settings = Settings.from_env().with_bootstrap(bootstrap)
        ensure_topics(settings)
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        admin.create_topics([NewTopic("bench.passthrough", settings.raw_partitions, 1)])
        admin.close()
        print(f"broker {bootstrap}; building {args.articles} articles ...", file=sys.stderr)

        # 1. Baseline: passthrough of the same kind of messages.
        batch = articles(args.articles, "base")
        produce(bootstrap, batch)
        base = passthrough(bootstrap, args.articles)
        results.append(("baseline: aiokafka consume+produce passthrough", f"{base:,.0f} msg/s"))

        # 2. The logic alone, on articles like the drain's.
        alone = logic_alone(articles(args.articles, "alone"))
        results.append(("logic alone (analysis + stories, one process, no Kafka)",
                        f"{alone:,.0f} articles/s"))  # fmt: skip

        watcher = Watcher(bootstrap)
        for workers in () if args.skip_drain else (1, 2):
            # The baseline's messages are still in articles.raw: the first worker drains them
            # first (not measured), then the measured batch.
            batch = articles(args.articles, f"drain{workers}")
            ids = {a.article_id for a in batch}
            if workers == 1:
                warm = [start_worker(bootstrap, broker.free_port(), folder / "w0.log")]
                watcher.wait_for(
                    {a.article_id for a in articles(args.articles, "base")}, 600, "first drain"
                )
                stop(warm)
            produce(bootstrap, batch)
            analyzed_from = end_offset(bootstrap, "articles.analyzed")
            procs = [
                start_worker(bootstrap, broker.free_port(), folder / f"w{workers}-{i}.log")
                for i in range(workers)
            ]
            watcher.wait_for(ids, 900, f"drain with {workers} worker(s)")
            # From the first article analyzed (the workers up and reading) to the last one
            # enriched. (Not from the first enriched: the stories stage commits hundreds of
            # articles per transaction when it is behind, so the first ones arrive late.)
            began = first_timestamp(bootstrap, "articles.analyzed", analyzed_from, ids)
            rate = len(ids) / (max(watcher.enriched[i] for i in ids) - began)
            results.append(
                (
                    f"drain, {workers} worker(s): articles/s end to end",
                    f"{rate:,.0f} ({rate / base:.2f} of the baseline, "
                    f"{rate / alone:.2f} of the logic alone)",
                )  # fmt: skip
            )
            stop(procs)

        # 4. Latency at each steady rate, measured from publication.
        for rate in rates:
            results.extend(
                latency_run(bootstrap, watcher, folder, rate, args.seconds, args.workers)
            )
    except TimeoutError as exc:
        broker.stop(folder / "broker")
        raise SystemExit(f"{exc}; the workers' logs are kept in {folder}") from None
    except BaseException:
        broker.stop(folder / "broker")
        raise
    watcher.close()
    broker.stop(folder / "broker")
    shutil.rmtree(folder, ignore_errors=True)

    print("\n| figure | value |\n| --- | --- |")
    for name, value in results:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
