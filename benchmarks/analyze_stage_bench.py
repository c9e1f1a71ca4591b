"""The batched analyze stage on a real broker: plain aiokafka against a Faust `take` agent.

    python benchmarks/analyze_stage_bench.py [--articles 2000] [--repeats 3] [--batch 200]
                                             [--within 0.1]

Starts its own single-node broker (on a free port, in a temporary folder), writes N realistic
~3 KB articles to `articles.raw` (built as in pipeline_bench.py) and drains them with each
variant of the analyze stage, each in its own process, from the start of the topic with a
fresh consumer group, writing what the stage writes (`Handlers.analyze`: the analyzed article
to `articles.analyzed`, or a dead letter):

- aiokafka: `streams.analyze_stage.AnalyzeStage`, the worker's stage (a plain aiokafka consumer
  and idempotent producer; batches of up to --batch records, the outputs handed to the producer
  without waiting for each, the offsets committed once every output of the batch is acked);
- faust: a minimal Faust app configured as streams/app.py (raw serializers, acks=-1, the
  idempotent producer transport) whose agent reads the same topic with
  `stream.take_events(--batch, within=--within)` (`take`'s sibling that yields the events, so
  the handler sees each record's key, offset and headers; the same buffer and the same acking),
  calls the same handler per record and sends the outputs with `topic.send` without waiting
  for their delivery; Faust acks the batch's events when the agent asks for the next batch and
  commits the acked offsets on its own timer (after flushing its producer).

Per run: the wall time and the variant process's CPU seconds (/proc/<pid>/stat) from the
first output record seen to the N-th (the output topics' end offsets, polled by this process),
so the start-up (imports, group join) is left out of both and reported apart. The variants
alternate (which one goes first alternates too) over --repeats rounds, so that the noise of a
shared machine falls on both alike; the figures are medians, and the faust/aiokafka ratios are
given both as the ratio of the medians and as the median of each round's own ratio. Each
run's output is checked: one record per raw article, with the same set of keys (the article
ids).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

# The local broker tool: its one import in this script.
from axiswatch import broker  # noqa: E402
from axiswatch.clients import consumer  # noqa: E402
from axiswatch.settings import Settings  # noqa: E402
from axiswatch.topics import ensure_topics  # noqa: E402

VARIANTS = ("aiokafka", "faust")
POLL = 0.05  # seconds between two looks at the output topics' end offsets


# ---------------------------------------------------------------------- the variants
def run_aiokafka(settings: Settings, group: str, batch: int) -> None:
    """The worker's analyze stage, alone in this process, until SIGTERM."""
    from streams.analyze_stage import AnalyzeStage
    from streams.app import MAX_REQUEST_BYTES
    from streams.handlers import Handlers

    handlers = Handlers(settings.names)

    async def main() -> None:
        stage = AnalyzeStage(
            settings,
            group=group,
            topic=settings.names.raw,
            handle=handlers.analyze,
            too_large=handlers.analyzed_too_large,
            max_request_size=MAX_REQUEST_BYTES,
            batch=batch,
        )
        stopping = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
        stage.start()
        await stopping.wait()
        await stage.stop()

    asyncio.run(main())


def run_faust(settings: Settings, group: str, batch: int, within: float) -> None:
    """A Faust app whose agent analyzes `take_events` batches, until SIGTERM."""
    import faust

    from streams.app import faust_app
    from streams.delivery import Record
    from streams.handlers import Handlers

    handlers = Handlers(settings.names)
    app = faust_app(settings, group)  # as the worker's: idempotent producer, acks=all
    raw = app.topic(settings.names.raw, key_serializer="raw", value_serializer="raw")
    outputs: dict[str, faust.types.TopicT] = {}

    def topic(name: str) -> faust.types.TopicT:
        if name not in outputs:
            outputs[name] = app.topic(name, key_serializer="raw", value_serializer="raw")
        return outputs[name]

    @app.agent(raw)
    async def analyze(stream: faust.StreamT) -> None:
        async for events in stream.take_events(batch, within=within):
            for event in events:
                m = event.message
                record = Record(
                    m.topic, m.partition, m.offset, m.key, m.value or b"", tuple(m.headers or ())
                )
                for output in handlers.analyze(record):
                    # Hands the record to the producer; its delivery is not awaited.
                    await topic(output.topic).send(
                        key=output.key, value=output.value, headers=list(output.headers)
                    )
            # Leaving the loop body acks this batch's events (take's own acking); Faust
            # commits acked offsets every broker_commit_interval, after a producer flush.

    faust.Worker(app, loglevel="warning", quiet=True).execute_from_commandline()


# ---------------------------------------------------------------------- measuring
@dataclass
class Run:
    variant: str
    rate: float  # articles per second, first output to the N-th
    cpu_ms: float  # the variant process's CPU per article over the same span
    startup: float  # seconds from the process's launch to its first output
    count: int  # records written (analyzed + dead letters)
    keys_match: bool


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Outputs:
    """The analyze stage's output topics, watched through their end offsets."""

    def __init__(self, settings: Settings) -> None:
        names = settings.names
        self.consumer = consumer(settings.kafka, group_id=None)
        self.tps = [tp for t in (names.analyzed, names.dlq) for tp in self._partitions(t)]

    def _partitions(self, topic: str) -> list:
        from kafka import TopicPartition

        return [TopicPartition(topic, p) for p in sorted(self.consumer.partitions_for_topic(topic))]

    def ends(self) -> dict:
        for _ in range(50):
            try:
                return self.consumer.end_offsets(self.tps)
            except KeyError:
                # kafka-python 3.0.12 drops a partition whose leader its metadata does not know
                # yet from the answer (then fails on the missing key): ask again.
                time.sleep(0.1)
        return self.consumer.end_offsets(self.tps)

    def written(self, since: dict) -> int:
        return sum(end - since[tp] for tp, end in self.ends().items())

    def keys(self, since: dict, until: dict) -> list[bytes]:
        """The keys of the records written between two sets of end offsets."""
        keys: list[bytes] = []
        wanted = {tp for tp in self.tps if until[tp] > since[tp]}
        self.consumer.assign(list(wanted))
        for tp in wanted:
            self.consumer.seek(tp, since[tp])
        while wanted:
            for tp, messages in self.consumer.poll(timeout_ms=500).items():
                for m in messages:
                    if m.offset < until[tp]:
                        keys.append(m.key)
                if self.consumer.position(tp) >= until[tp]:
                    wanted.discard(tp)
                    self.consumer.pause(tp)
        self.consumer.unsubscribe()
        return keys


def measure(
    variant: str, args: argparse.Namespace, bootstrap: str, outputs: Outputs, ids: set[bytes],
    log: Path,
) -> Run:  # fmt: skip
    """One variant's drain of the N articles, in its own process with a fresh group."""
    group = f"bench-{variant}-{time.time_ns()}"
    before = outputs.ends()
    command = [sys.executable, __file__, "--variant", variant, "--group", group,
               "--batch", str(args.batch), "--within", str(args.within)]  # fmt: skip
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap}
    launched = time.perf_counter()
    with log.open("ab") as out:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        first = first_cpu = None
        first_count = 0
        deadline = launched + args.timeout
        while True:
            count = outputs.written(before)
            now = time.perf_counter()
            if first is None and count:
                first, first_count, first_cpu = now, count, cpu_seconds(proc.pid)
            if count >= len(ids):
                done, done_cpu = now, cpu_seconds(proc.pid)
                break
            if proc.poll() is not None or now > deadline:
                raise TimeoutError(f"{variant}: {count} of {len(ids)} written; see {log}")
            time.sleep(POLL)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    after = outputs.ends()
    keys = outputs.keys(before, after)
    drained = len(ids) - first_count
    return Run(
        variant=variant,
        rate=drained / (done - first) if done > first else float("nan"),
        cpu_ms=(done_cpu - first_cpu) / drained * 1000 if drained else float("nan"),
        startup=first - launched,
        count=len(keys),
        keys_match=set(keys) == ids,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles per drain")
    parser.add_argument("--repeats", type=int, default=3, help="drains per variant")
    parser.add_argument("--batch", type=int, default=200, help="records per batch at most")
    parser.add_argument("--within", type=float, default=0.1, help="Faust take's window, seconds")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per drain at most")
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)  # a child run
    parser.add_argument("--group", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.variant:
        settings = Settings.from_env()
        if args.variant == "aiokafka":
            run_aiokafka(settings, args.group, args.batch)
        else:
            run_faust(settings, args.group, args.batch, args.within)
        return

    from pipeline_bench import articles, produce

    folder = Path(tempfile.mkdtemp(prefix="axiswatch-stage-bench-"))
    bootstrap = broker.start(port=broker.free_port(), data_dir=folder / "broker")
    runs: list[Run] = []
    try:
        settings = Settings.from_env().with_bootstrap(bootstrap)
        ensure_topics(settings)
        print(f"broker {bootstrap}; producing {args.articles} articles ...", file=sys.stderr)
        batch = articles(args.articles, "stage")
        produce(bootstrap, batch)
        ids = {a.article_id.encode() for a in batch}
        outputs = Outputs(settings)
        for round_ in range(args.repeats):
            order = VARIANTS if round_ % 2 == 0 else VARIANTS[::-1]
            for variant in order:
                run = measure(variant, args, bootstrap, outputs, ids, folder / f"{variant}.log")
                runs.append(run)
                print(f"round {round_ + 1} {variant}: {run.rate:,.0f} articles/s, "
                      f"{run.cpu_ms:.2f} ms CPU/article, start-up {run.startup:.1f} s, "
                      f"{run.count} records, same keys: {run.keys_match}",
                      file=sys.stderr)  # fmt: skip
        outputs.consumer.close()
    except TimeoutError as exc:
        broker.stop(folder / "broker")
        raise SystemExit(f"{exc}; the logs are kept in {folder}") from None
    except BaseException:
        broker.stop(folder / "broker")
        raise
    broker.stop(folder / "broker")
    shutil.rmtree(folder, ignore_errors=True)
    report(runs, args)


def report(runs: list[Run], args: argparse.Namespace) -> None:
    def median(variant: str, field: str) -> float:
        return statistics.median(getattr(r, field) for r in runs if r.variant == variant)

    print(f"\n{args.articles} articles per drain, {args.repeats} drains per variant (medians), "
          f"batch {args.batch}, Faust take window {args.within} s\n")  # fmt: skip
    print("| variant | articles/s | CPU ms per article | start-up to first output | "
          "records per drain, same keys |\n| --- | --- | --- | --- | --- |")  # fmt: skip
    for variant in VARIANTS:
        mine = [r for r in runs if r.variant == variant]
        checks = ", ".join(f"{r.count}{'' if r.keys_match else ' (keys differ)'}" for r in mine)
        print(f"| {variant} | {median(variant, 'rate'):,.0f} | {median(variant, 'cpu_ms'):.2f} | "
              f"{median(variant, 'startup'):.1f} s | {checks} |")  # fmt: skip
    rate = median("faust", "rate") / median("aiokafka", "rate")
    cpu = median("faust", "cpu_ms") / median("aiokafka", "cpu_ms")
    print(f"\nfaust / aiokafka: {rate:.2f}x the articles/s, {cpu:.2f}x the CPU per article "
          "(ratio of the medians)")  # fmt: skip
    # The same within each round (the two drains one after the other), then the median: less
    # moved by a load that comes and goes over minutes.
    rounds = [runs[i : i + 2] for i in range(0, len(runs), 2)]
    pairs = [{r.variant: r for r in pair} for pair in rounds]
    rate_ratios = [p["faust"].rate / p["aiokafka"].rate for p in pairs]
    cpu_ratios = [p["faust"].cpu_ms / p["aiokafka"].cpu_ms for p in pairs]
    print(f"faust / aiokafka, median of the {len(pairs)} rounds' own ratios: "
          f"{statistics.median(rate_ratios):.2f}x the articles/s "
          f"({', '.join(f'{x:.2f}' for x in rate_ratios)}), "
          f"{statistics.median(cpu_ratios):.2f}x the CPU per article "
          f"({', '.join(f'{x:.2f}' for x in cpu_ratios)})")  # fmt: skip


if __name__ == "__main__":
    main()
