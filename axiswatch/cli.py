"""The `axiswatch` command line."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from axiswatch import __version__, clients, metrics
from axiswatch.alerttext import format_alert
from axiswatch.exceptions import AxiswatchError
from axiswatch.settings import Settings, in_checkout, project_root
from streams.catalogue import seeds_dir

__all__ = ["main"]

_DESCRIPTION = """\
axiswatch watches news streams for new signs of Russia–DPRK cooperation.

Articles go into Kafka (`replay` from files, `poll` from RSS/Atom feeds); the `worker` finds
actors and cooperation signals, groups copies of a story, and writes enriched articles and
alerts back to Kafka; `alerts` prints them. `demo` does all of it on a local broker.

Kafka: KAFKA_BOOTSTRAP_SERVERS=host:port[,host:port] points every command at an existing
cluster (nothing local is started). Without it, commands use the broker that
`axiswatch broker start` runs on 127.0.0.1 (jars fetched from Maven Central on first use).
"""

_EPILOG = """\
examples:
  axiswatch demo --until-idle          local broker, worker, seed replay, alerts, then stop
  axiswatch broker start               a local single-node Kafka on 127.0.0.1:9092
  axiswatch broker start --scram       the same, clients log in with SASL/SCRAM-SHA-256 as
                                       KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD
  axiswatch worker &                   the stream processors
  axiswatch replay seeds/              publish seed articles to articles.raw
  axiswatch poll --once                poll the feeds of seeds/feeds.toml once
  axiswatch alerts --from-beginning    follow the alert topic
  axiswatch alerts --since 2d --kind new   the new developments of the last two days
  axiswatch notify --routes FILE       send alerts to webhooks, Slack, Teams, e-mail, ...
  axiswatch serve                      browse the alert history: http://127.0.0.1:8080/
  axiswatch analyze seeds/*.txt        the same analysis offline, JSON lines on stdout
"""


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "bootstrap", None):
        settings = settings.with_bootstrap(args.bootstrap)
    return settings


# ----------------------------------------------------------------------------- broker
def _scram_from_env(required: bool, tls: bool = False):
    """The SCRAM user of `broker start --scram`: the clients' KAFKA_SASL_* settings."""
    from axiswatch import broker

    kafka = Settings.from_env().kafka
    if not required and not (kafka.sasl_username and kafka.sasl_password):
        return None
    protocol = os.environ.get("KAFKA_SECURITY_PROTOCOL")
    mechanism = os.environ.get("KAFKA_SASL_MECHANISM")
    expected = broker.client_protocol(scram=True, tls=tls)
    if required and (
        protocol not in (None, "", expected) or mechanism not in (None, "", broker.SCRAM_MECHANISM)
    ):
        raise AxiswatchError(
            f"The local broker's SCRAM listener is {expected} with "
            f"{broker.SCRAM_MECHANISM}, but KAFKA_SECURITY_PROTOCOL={protocol or '(unset)'} and "
            f"KAFKA_SASL_MECHANISM={mechanism or '(unset)'}: the clients could not log in. "
            "Set them to those values, or unset them (commands using the local broker then "
            "pick them up by themselves)."
        )
    return broker.Scram(kafka.sasl_username or "", kafka.sasl_password or "")


def _cmd_broker(args: argparse.Namespace) -> int:
    from axiswatch import broker

    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        print(
            f"KAFKA_BOOTSTRAP_SERVERS is set ({os.environ['KAFKA_BOOTSTRAP_SERVERS']}): "
            "axiswatch uses that cluster and starts no local broker."
        )
        return 0
    data_dir = Path(args.data_dir) if args.data_dir else None
    if args.action == "start":
        scram = _scram_from_env(required=True, tls=args.tls) if args.scram else None
        bootstrap = broker.start(port=args.port, data_dir=data_dir, scram=scram, tls=args.tls)
        print(bootstrap)
        print(
            f"Kafka is up at {bootstrap}. Stop it with `axiswatch broker stop"
            f"{' --data-dir ' + args.data_dir if args.data_dir else ''}`.",
            file=sys.stderr,
        )
        if scram:
            print(
                f"Clients must log in with SASL/{broker.SCRAM_MECHANISM} as {scram.username!r} "
                "(KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD). axiswatch commands using this "
                "broker do so by themselves; others (or with KAFKA_BOOTSTRAP_SERVERS) need "
                f"KAFKA_SECURITY_PROTOCOL={broker.client_protocol(True, args.tls)} "
                f"KAFKA_SASL_MECHANISM={broker.SCRAM_MECHANISM}.",
                file=sys.stderr,
            )
        if args.tls:
            cafile = broker.tls_material(data_dir or broker.default_data_dir()).cafile
            print(
                f"The listener speaks TLS; its certificate (for 127.0.0.1 and localhost) is "
                f"signed by the local CA {cafile}. axiswatch commands using this broker trust "
                "it by themselves; other clients (or with KAFKA_BOOTSTRAP_SERVERS) need "
                f"KAFKA_SECURITY_PROTOCOL={broker.client_protocol(bool(scram), True)} "
                f"KAFKA_SSL_CAFILE={cafile}.",
                file=sys.stderr,
            )
        return 0
    if args.action == "stop":
        stopped = broker.stop(data_dir)
        print("stopped" if stopped else "no broker was running there")
        return 0
    state = broker.status(data_dir, scram=_scram_from_env(required=False))
    if not state:
        print("not running")
        return 3
    security = state.get("security") or {}
    listener = (
        f"SASL/{security['mechanism']} over {security['protocol']}, user {security['username']}"
        if security.get("mechanism")
        else security.get("protocol") or "PLAINTEXT"
    )
    if security.get("tls"):
        listener += f", TLS with the local CA {security.get('cafile')}"
    answer = {
        "answering": "answering",
        "silent": "NOT answering",
        "refused": "REFUSES the credentials in KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD: set "
        "the ones it was started with",
        "no credentials": "requires SCRAM: set KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD to "
        "ask whether it answers",
    }[state["answer"]]
    print(
        f"running: {state['bootstrap']} (pid {state['pid']}, data in {state['data_dir']}, "
        f"listener {listener}, {answer})"
    )
    return 0 if state["answers"] else 1


# ----------------------------------------------------------------------------- topics/schemas
def _cmd_topics(args: argparse.Namespace) -> int:
    from axiswatch.topics import ensure_topics, grow_partitions, plan_growth, topic_partitions

    settings = _settings(args)
    requested = _partition_requests(settings, args.alter) if args.alter is not None else {}
    ensured = ensure_topics(settings)
    specs = [spec for spec, _ in ensured]
    created = {spec.name for spec, new in ensured if new}
    if args.alter is not None:
        plan = plan_growth(specs, topic_partitions(settings), requested)
        refused = [g for g in plan if g.refused]
        if refused:
            reasons = [
                f"{g.spec.name} cannot have {requested[g.spec.name]} partitions: {g.refused}"
                for g in refused
            ]
            raise AxiswatchError("nothing altered. " + "; ".join(reasons))
        grow_partitions(settings, plan)
        for g in plan:
            if g.grows:
                print(f"{g.spec.name}: {g.current} -> {g.target} partitions", file=sys.stderr)
    cluster = topic_partitions(settings)
    print(f"{'topic':<30} {'catalogue':>9} {'cluster':>7}")
    for spec in specs:
        actual = cluster.get(spec.name)
        state = "created" if spec.name in created else "exists "
        note = ""
        if actual is not None and actual < spec.partitions:
            note = "  (fewer than the catalogue's: `axiswatch topics --alter` adds them)"
        print(
            f"{spec.name:<30} {spec.partitions:>9} {actual if actual is not None else '-':>7}  "
            f"{state}  {spec.description}{note}"
        )
    return 0


def _partition_requests(settings: Settings, items: list[str]) -> dict[str, int]:
    """`TOPIC=N` arguments as (the topic's name on the cluster -> N); TOPIC is the catalogue's
    name (`articles.raw`) or the name on the cluster (with the prefix)."""
    requests = {}
    for item in items:
        name, sep, count = item.partition("=")
        if not sep or not count.strip().isdigit():
            raise AxiswatchError(
                f"--alter {item}: give TOPIC=PARTITIONS, e.g. --alter articles.raw=12"
            )
        name = name.strip()
        if settings.names.catalogue_name(name) is None:
            name = settings.names.topic(name)
        requests[name] = int(count)
    return requests


def _cmd_schemas(args: argparse.Namespace) -> int:
    from schemas import export_json_schemas

    for path in export_json_schemas(args.dir, base_url=args.base_url):
        print(path)
    return 0


# ----------------------------------------------------------------------------- replay
def _cmd_replay(args: argparse.Namespace) -> int:
    from axiswatch.topics import ensure_topics
    from producers.replay import replay

    settings = _settings(args).with_metrics_port(args.metrics_port)
    metrics.serve(settings.metrics_port, settings.metrics_host)
    ensure_topics(settings)
    report = replay(
        settings,
        args.paths,
        rate=args.rate,
        source=args.source,
        recursive=args.recursive,
        on_bad=lambda bad: print(f"skipped {bad.where}: {bad.reason}", file=sys.stderr),
    )
    print(
        f"published {report.published} article(s) to {settings.names.raw}; "
        f"{len(report.rejected)} input(s) skipped, {len(report.failed)} failed to send",
        file=sys.stderr,
    )
    for bad in report.failed:
        print(f"failed {bad.where}: {bad.reason}", file=sys.stderr)
    return 1 if report.failed or (report.rejected and not report.published) else 0


# ----------------------------------------------------------------------------- poll
def _cmd_poll(args: argparse.Namespace) -> int:
    from producers.poller import run_poll_command

    return run_poll_command(args, _settings(args))


# ----------------------------------------------------------------------------- worker
def _cmd_worker(args: argparse.Namespace) -> int:
    from axiswatch.topics import ensure_topics
    from streams.app import run_worker

    settings = _settings(args).with_metrics_port(args.metrics_port)
    ensure_topics(settings)
    run_worker(settings, loglevel=args.loglevel)
    return 0


# ----------------------------------------------------------------------------- alerts
class _AlertFollower:
    """Reads `alerts` (and, for the demo, `articles.enriched`, to know when the worker has
    processed what was replayed) with a plain kafka-python consumer. Without `group` it has no
    consumer group; with one (behind the settings' prefix, as every group), it starts where that
    group stopped (unless `from_beginning` or `since` says where) and commits what it has
    printed. `alert_filter` chooses what to print."""

    def __init__(
        self,
        settings: Settings,
        from_beginning: bool,
        watch_enriched: bool = False,
        group: str | None = None,
        since=None,
        alert_filter=None,
    ):
        from kafka import TopicPartition

        names = settings.names
        self.group = names.group(group) if group else None
        self.alert_filter = alert_filter
        self._done: dict = {}  # alerts partition -> offset after the last alert dealt with
        # read_committed: alerts and enriched records of a batch the worker aborted were
        # never said (streams.stage).
        self.consumer = clients.consumer(
            settings.kafka,
            group_id=self.group,
            enable_auto_commit=False,
            isolation_level="read_committed",
        )
        self.enriched_topic = names.enriched
        alerts = [
            TopicPartition(names.alerts, p)
            for p in sorted(self.consumer.partitions_for_topic(names.alerts) or {0})
        ]
        enriched = []
        if watch_enriched:
            enriched = [
                TopicPartition(names.enriched, p)
                for p in sorted(self.consumer.partitions_for_topic(names.enriched) or {0})
            ]
        self.consumer.assign(alerts + enriched)
        # Enriched records count from now on; alerts from where asked: a time, the start, the
        # group's position, else the end.
        ends = self.consumer.end_offsets(alerts + enriched)
        found = {}
        if since is not None:
            ms = int(since.timestamp() * 1000)
            found = self.consumer.offsets_for_times({tp: ms for tp in alerts})
        for tp in alerts + enriched:
            committed = (
                self.consumer.committed(tp)
                if group and tp.topic == names.alerts and not (from_beginning or since)
                else None
            )
            if tp.topic == names.alerts and since is not None:
                self.consumer.seek(tp, found[tp].offset if found.get(tp) else ends[tp])
            elif tp.topic == names.alerts and from_beginning:
                self.consumer.seek_to_beginning(tp)
            elif committed is not None and committed >= 0:
                self.consumer.seek(tp, committed)
            else:
                self.consumer.seek(tp, ends[tp])

    def run(
        self,
        as_json: bool,
        idle: float | None = None,
        max_records: int | None = None,
        pending: set[str] | None = None,
        check=None,
    ) -> int:
        """Print alerts until `idle` seconds pass with nothing new (counted once every
        `pending` article has been enriched), `max_records` are printed, or forever."""
        seen = 0
        last = time.monotonic()
        while True:
            batches = self.consumer.poll(timeout_ms=500)
            for tp, messages in batches.items():
                for message in messages:
                    if tp.topic == self.enriched_topic:
                        if pending is not None and message.key:
                            pending.discard(message.key.decode("utf-8", "replace"))
                        continue
                    printed = self._print(message, as_json)
                    self._done[tp] = message.offset + 1
                    if not printed:
                        continue
                    seen += 1
                    if max_records and seen >= max_records:
                        return seen
            self._commit()
            now = time.monotonic()
            if batches:
                last = now
            if check:
                check()
            if pending:
                last = now
            elif idle is not None and now - last > idle:
                return seen

    def _commit(self) -> None:
        """With a group: the reader's position, so that the next reader of the group goes on
        after what this one printed."""
        if self.group and self._done:
            from kafka.structs import OffsetAndMetadata

            self.consumer.commit(
                {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in self._done.items()}
            )
            self._done.clear()

    def _print(self, message, as_json: bool) -> bool:
        """Print the alert if it passes the filter; control characters in it are escaped."""
        from axiswatch.alertfilter import escape_json_text, safe_alert

        try:
            alert = json.loads(message.value)
        except ValueError:
            print(f"(unreadable alert at offset {message.offset})", file=sys.stderr)
            return False
        if not isinstance(alert, dict):
            print(f"(unreadable alert at offset {message.offset})", file=sys.stderr)
            return False
        if self.alert_filter is not None and not self.alert_filter.matches(alert):
            return False
        if as_json:
            print(escape_json_text(json.dumps(alert, ensure_ascii=False)), flush=True)
        else:
            print(format_alert(safe_alert(alert)) + "\n", flush=True)
        return True

    def close(self) -> None:
        try:
            self._commit()
        finally:
            self.consumer.close()


def _cmd_alerts(args: argparse.Namespace) -> int:
    from axiswatch.alertfilter import AlertFilter, parse_since
    from axiswatch.connection import check_login

    since = parse_since(args.since) if args.since else None
    if since is not None and args.from_beginning:
        raise AxiswatchError("--since and --from-beginning both say where to start: give one")
    try:
        alert_filter = AlertFilter.build(
            categories=args.category or (),
            kinds=args.kind or (),
            actors=args.actor or (),
            min_confidence=args.min_confidence,
        )
    except AxiswatchError as exc:
        raise AxiswatchError(f"alerts: {exc}") from None
    settings = _settings(args)
    check_login(settings.kafka)
    follower = _AlertFollower(
        settings,
        args.from_beginning,
        group=args.group,
        since=since,
        alert_filter=alert_filter,
    )
    try:
        follower.run(args.json, idle=args.idle_exit, max_records=args.max)
    except KeyboardInterrupt:
        pass
    finally:
        follower.close()
    return 0


# ----------------------------------------------------------------------------- notify
def _cmd_notify(args: argparse.Namespace) -> int:
    from axiswatch.alertfilter import parse_since
    from axiswatch.notify import Start, load_routes, run_notify

    routes = load_routes(args.routes)
    since = parse_since(args.since) if args.since else None
    if since is not None and args.from_beginning:
        raise AxiswatchError("--since and --from-beginning both say where to start: give one")

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if args.check:
        for route in routes:
            print(f"{route.name}: {route.display}  ({route.filter.describe()})")
        print(f"{args.routes}: {len(routes)} route(s), all usable", file=sys.stderr)
        return 0
    settings = _settings(args).with_metrics_port(args.metrics_port)
    metrics.serve(settings.metrics_port, settings.metrics_host)
    return run_notify(
        settings,
        routes,
        group=args.group,
        start=Start(from_beginning=args.from_beginning, since=since),
        once=args.once,
        max_backoff=args.max_backoff,
        say=say,
    )


# ----------------------------------------------------------------------------- serve
def _cmd_serve(args: argparse.Namespace) -> int:
    from axiswatch.history.serve import run_serve

    settings = _settings(args)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    return run_serve(
        settings,
        database_url=args.database_url or settings.database_url,
        host=args.host,
        port=args.port,
        group=args.group,
        sink=not args.no_sink,
        say=say,
    )


# ----------------------------------------------------------------------------- analyze
def _cmd_analyze(args: argparse.Namespace) -> int:
    from streams.analyze import analyze_article
    from streams.articles import BadRecord, expand_paths, read_articles
    from streams.stories import StoryBook

    book = StoryBook.in_memory(Settings.from_env().stories) if args.stories else None
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    bad = 0
    try:
        for item in read_articles(expand_paths(args.paths, args.recursive), args.source):
            if isinstance(item, BadRecord):
                bad += 1
                print(f"skipped {item.where}: {item.reason}", file=sys.stderr)
                continue
            record = analyze_article(item)
            if book is not None:
                record, _, _ = book.place(record)
            out.write(record.model_dump_json() + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 1 if bad else 0


# ----------------------------------------------------------------------------- eval
def _cmd_eval(args: argparse.Namespace) -> int:
    from streams.evaluate import TUNING_FILES, evaluate, format_report

    if args.events:
        from streams.eventeval import evaluate_events, format_event_report

        if args.corpus:
            paths = [Path(p) for p in args.corpus]
        else:
            names = {"tune": ["tune"], "test": ["test"], "all": ["tune", "test"]}[args.split]
            paths = [seeds_dir() / "eval" / f"timeline_{name}.jsonl" for name in names]
        for path in paths:
            if not path.exists():
                raise AxiswatchError(f"{path} not found: name a timeline JSON Lines corpus")
        print(f"== novelty per event: {', '.join(str(p) for p in paths)}, in publication order")
        report = evaluate_events(paths, config=Settings.from_env().stories)
        print(format_event_report(report, details=not args.summary))
        return 0
    if args.stories:
        from streams.storyeval import evaluate_stories, format_story_report

        real = seeds_dir() / "eval" / "stories.jsonl"
        signal_corpus = seeds_dir() / "eval" / "corpus.jsonl"
        print(f"== story grouping: {signal_corpus} with generated copies"
              + (f", and {real}" if real.exists() else ""))  # fmt: skip
        report = evaluate_stories(
            signal_corpus, real if real.exists() else None, config=Settings.from_env().stories
        )
        print(format_story_report(report))
        return 0
    if args.corpus:
        for path in [Path(p) for p in args.corpus]:
            if not path.exists():
                raise AxiswatchError(f"{path} not found: name a labelled JSON Lines corpus")
            print(f"== {path}")
            print(format_report(evaluate(path), details=not args.summary))
        return 0
    # The default: one report over the split's files scored together.
    tune = [seeds_dir() / "eval" / name for name in TUNING_FILES]
    test = [seeds_dir() / "eval" / "signals_test.jsonl"]
    paths = {"tune": tune, "test": test, "all": tune + test}[args.split]
    for path in paths:
        if not path.exists():
            raise AxiswatchError(f"{path} not found: the seeds are incomplete")
    print(f"== {args.split}: {', '.join(p.name for p in paths)}")
    print(format_report(evaluate(paths), details=not args.summary))
    return 0


# ----------------------------------------------------------------------------- demo
def _cmd_demo(args: argparse.Namespace) -> int:
    from axiswatch import broker
    from axiswatch.topics import ensure_topics
    from producers.replay import replay

    settings = Settings.from_env()
    started_broker = False
    if not settings.kafka.external:
        if args.fresh:
            import shutil

            broker.stop()
            shutil.rmtree(broker.default_data_dir(), ignore_errors=True)
            print(
                "Removed the local broker's data: starting from an empty cluster.", file=sys.stderr
            )
        print("Starting the local Kafka broker (first run fetches its jars) ...", file=sys.stderr)
        running = broker.read_state(broker.default_data_dir())
        started_broker = running is None
        # A local broker already running with --scram (or --tls) is used as it runs, with the
        # clients' credentials.
        security = (running or {}).get("security") or {}
        tls = bool(security.get("tls"))
        scram = _scram_from_env(required=True, tls=tls) if security.get("mechanism") else None
        bootstrap = broker.start(port=args.port, scram=scram, tls=tls)
        settings = Settings.from_env()  # the local broker's address and security
        if settings.kafka.bootstrap_servers != bootstrap:
            settings = settings.with_bootstrap(bootstrap)
    print(f"Kafka: {settings.kafka.bootstrap_servers}", file=sys.stderr)
    ensure_topics(settings)
    log_path = settings.data_dir / "worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # The worker gets the cluster and how to log in to it (a local broker's security too:
    # with KAFKA_BOOTSTRAP_SERVERS set, it would not look the local broker up).
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "KAFKA_SECURITY_PROTOCOL": settings.kafka.security_protocol,
    }
    if settings.kafka.sasl_mechanism:
        env["KAFKA_SASL_MECHANISM"] = settings.kafka.sasl_mechanism
    if settings.kafka.ssl_cafile:
        env["KAFKA_SSL_CAFILE"] = settings.kafka.ssl_cafile
    with log_path.open("ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "axiswatch", "worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Faust keeps its data folder in the working directory: the project in a
            # checkout, the data folder when installed (never site-packages).
            cwd=project_root() if in_checkout() else settings.data_dir,
            start_new_session=True,
        )
    print(f"Worker started (pid {worker.pid}, log {log_path}).", file=sys.stderr)
    interrupted = False
    follower = None

    def worker_alive() -> None:
        if worker.poll() is not None:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
            raise AxiswatchError(
                f"the worker exited with status {worker.returncode}; see {log_path}:\n{tail}"
            )

    try:
        # Only what this run raises: alerts of earlier runs are history (`alerts --from-beginning`).
        follower = _AlertFollower(settings, from_beginning=False, watch_enriched=True)
        paths = args.paths or [str(seeds_dir())]
        report = replay(
            settings,
            paths,
            rate=args.rate,
            progress=False,
            on_bad=lambda b: print(f"skipped {b.where}: {b.reason}", file=sys.stderr),
        )
        print(
            f"Replayed {report.published} article(s) from {', '.join(paths)}. "
            "Alerts as they arrive (Ctrl-C to stop):\n",
            file=sys.stderr,
        )
        shown = follower.run(
            as_json=False,
            idle=args.idle_seconds if args.until_idle else None,
            pending=set(report.article_ids),
            check=worker_alive,
        )
        if not shown:
            print(
                "No new alerts: every signal in these articles was raised before. "
                "`axiswatch alerts --from-beginning` shows the earlier alerts.",
                file=sys.stderr,
            )
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if follower:
            follower.close()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        if started_broker:
            broker.stop()
            print("Stopped the worker and the local broker.", file=sys.stderr)
        else:
            print("Stopped the worker.", file=sys.stderr)
    return 130 if interrupted else 0


# ----------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="axiswatch",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"axiswatch {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, func, bootstrap: bool = True):
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if bootstrap:
            p.add_argument(
                "--bootstrap",
                metavar="HOST:PORT",
                help="Kafka bootstrap servers (default: KAFKA_BOOTSTRAP_SERVERS, "
                "else the local broker)",
            )
        p.set_defaults(func=func)
        return p

    p = command(
        "broker",
        "Run a local single-node Kafka (KRaft) on 127.0.0.1.",
        _cmd_broker,
        bootstrap=False,
    )
    p.add_argument("action", choices=["start", "stop", "status"])
    p.add_argument("--port", type=int, default=9092, help="client port (default 9092)")
    p.add_argument(
        "--scram",
        action="store_true",
        help="start: clients must log in with SASL/SCRAM-SHA-256 (SASL_PLAINTEXT on 127.0.0.1) "
        "as the user KAFKA_SASL_USERNAME with the password KAFKA_SASL_PASSWORD, the settings "
        "the clients use; the user is created when the data dir is first formatted",
    )
    p.add_argument(
        "--tls",
        action="store_true",
        help="start: the client listener on 127.0.0.1 speaks TLS (SSL; SASL_SSL with --scram), "
        "with a certificate signed by a throwaway local CA generated in the data dir when it is "
        "first formatted; the CA's ca.pem is printed, and axiswatch commands using this broker "
        "trust it by themselves (KAFKA_SSL_CAFILE overrides)",
    )
    p.add_argument(
        "--data-dir",
        help="folder for the broker's config, data and log "
        "(default .axiswatch/broker in the project)",
    )

    p = command(
        "topics",
        "Create the project's topics (idempotent) and list them with their partitions: the "
        "catalogue's count and the cluster's.",
        _cmd_topics,
    )
    p.add_argument(
        "--alter",
        nargs="*",
        metavar="TOPIC=N",
        help="add partitions: every topic with fewer than the catalogue's (AXISWATCH_RAW_"
        "PARTITIONS and AXISWATCH_ENRICHED_PARTITIONS only size a topic when it is created), "
        "or TOPIC to N. Partitions are never removed; articles.analyzed, alerts, feeds.state "
        "and notify.state keep theirs (the pipeline relies on their partitioning). Keyed "
        "records sent after the change may go to another partition than those before it",
    )

    p = command(
        "schemas", "Export the JSON Schema of every topic's message.", _cmd_schemas, bootstrap=False
    )
    p.add_argument("action", choices=["export"])
    p.add_argument("dir", help="folder to write <topic>.schema.json files into")
    p.add_argument(
        "--base-url",
        default="",
        help="URL the folder is published under, put before each $id (default: none, so each "
        "$id is the file's name and resolves wherever the folder is served). The schemas are "
        "JSON Schema draft-07, the draft Schema Registry validates JSON with; schemas/json/ "
        "holds the committed export",
    )

    p = command("replay", "Publish article files to articles.raw.", _cmd_replay)
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="seed files (first line title, rest body), .jsonl files, or folders",
    )
    p.add_argument("--rate", type=float, help="articles per second (default: as fast as possible)")
    p.add_argument("--source", help="source name for articles that carry none")
    p.add_argument("--recursive", action="store_true", help="descend into sub-folders")
    p.add_argument("--metrics-port", type=int, help="serve Prometheus metrics while replaying")

    p = command(
        "poll",
        "Poll RSS/Atom feeds and publish each new or updated entry to articles.raw once.\n\n"
        "Runs until Ctrl-C/SIGTERM: each feed on its own interval (with jitter), conditional\n"
        "GET (ETag, Last-Modified), backoff on errors, Retry-After honoured. What was published\n"
        "is kept in the compacted topic feeds.state, so a restart publishes nothing twice.\n"
        "Feed list: [[feeds]] tables with name, url, optional lang, interval (s), tags,\n"
        "source, timeout (s), max_bytes; see seeds/feeds.toml and docs/feeds.md.\n\n"
        "Feeds and redirects to loopback, private or link-local addresses are refused;\n"
        "set AXISWATCH_FETCH_ALLOW_PRIVATE=1 for feeds on a private network.",
        _cmd_poll,
    )
    p.add_argument(
        "--feeds",
        metavar="FILE",
        default=str(seeds_dir() / "feeds.toml"),
        help="the feed list (default: seeds/feeds.toml)",
    )
    p.add_argument("--once", action="store_true", help="poll every feed once, then exit (cron)")
    p.add_argument(
        "--status",
        action="store_true",
        help="print each feed's last success, last error and items published, then exit "
        "(status 1 if a feed is down)",
    )
    p.add_argument("--json", action="store_true", help="with --status: one JSON line per feed")
    p.add_argument(
        "--tag", action="append", metavar="TAG", help="only feeds with this tag (repeatable)"
    )
    p.add_argument(
        "--allow-file", action="store_true", help="allow file: URLs in the feed list (testing)"
    )
    p.add_argument("--workers", type=int, default=32, help="feeds fetched at once (default 32)")
    p.add_argument(
        "--metrics-port",
        type=int,
        metavar="PORT",
        help="serve Prometheus metrics on 127.0.0.1:PORT (default: AXISWATCH_METRICS_PORT)",
    )

    p = command("worker", "Run the stream processors (analyze and stories stages).", _cmd_worker)
    p.epilog = """\
Reads articles.raw, writes articles.enriched and alerts (and articles.dlq for what it cannot
use). Start more workers to share the work: they form one consumer group ("axiswatch", behind
AXISWATCH_TOPIC_PREFIX as every topic and group) and split the partitions; on one host give
each its own --metrics-port. Stop with Ctrl-C or SIGTERM; a killed worker loses nothing: its
partitions move to the others within 10 s and the messages since its last commit (about a
second) are processed again.

The log names every new alert (corroborations at --loglevel debug), every message read again
after the consumer skipped it, and every dead letter with its reason.

examples:
  axiswatch worker --metrics-port 9100
  KAFKA_BOOTSTRAP_SERVERS=kafka-1:9092 axiswatch worker --metrics-port 9100
"""
    p.add_argument("--loglevel", default="info", choices=["debug", "info", "warning", "error"])
    p.add_argument(
        "--metrics-port",
        type=int,
        help="serve Prometheus metrics on this port (default: AXISWATCH_METRICS_PORT, else off); "
        "several workers on one host need nothing else to differ",
    )

    p = command(
        "alerts",
        "Follow the alerts topic and print each alert (new alerts from now on, unless told "
        "where to start).",
        _cmd_alerts,
    )
    p.epilog = """\
Where to start: --from-beginning (the oldest alert kept: 365 days), --since (a time), or
--group NAME: a named reader resumes after the last alert it printed (new alerts only on its
first run); --from-beginning and --since override its position. Filters combine: an alert is
printed when it meets each one given; a repeated filter takes any of its values. Control
characters in alert text (terminal escapes, bidi overrides, line breaks) are printed escaped
(\\x1b, \\u202e), never as they are.

examples:
  axiswatch alerts --from-beginning                  every alert kept, then follow
  axiswatch alerts --since 2d --kind new             new developments of the last two days
  axiswatch alerts --since 2026-11-01 --idle-exit 5  since a date (UTC), exit when quiet
  axiswatch alerts --group desk                      resume where the reader "desk" stopped
  axiswatch alerts --category military --category labour --min-confidence 0.8
  axiswatch alerts --actor kim_jong_un --json        raw JSON of alerts naming an actor
"""
    p.add_argument("--json", action="store_true", help="print the raw JSON records")
    p.add_argument("--from-beginning", action="store_true", help="start at the oldest alert")
    p.add_argument(
        "--since",
        metavar="WHEN",
        help="start at the first alert written at or after WHEN: how long ago (30m, 12h, 2d, "
        "1w) or a UTC date or time (2026-11-01, 2026-11-01T08:00, 2026-11-01T08:00+09:00)",
    )
    p.add_argument(
        "--group",
        metavar="NAME",
        help="a named reader (Kafka consumer group, behind AXISWATCH_TOPIC_PREFIX): starts "
        "where the last reader of that name stopped and records what it printed",
    )
    p.add_argument(
        "--category",
        action="append",
        choices=("military", "cyber", "labour", "diplomatic", "economic", "technology"),
        help="only alerts of this category (any of the event's categories; repeatable)",
    )
    p.add_argument(
        "--kind",
        action="append",
        choices=("new", "updated", "corroborated"),
        help="only this kind: new (a development not known before), updated (a report adds a "
        "fact), corroborated (another source reports it); repeatable",
    )
    p.add_argument(
        "--actor",
        action="append",
        metavar="ID",
        help="only alerts naming this actor, by catalogue id of seeds/actors.toml (kim_jong_un, "
        "shoigu, lazarus, kpa, ...); repeatable",
    )
    p.add_argument(
        "--min-confidence",
        type=float,
        metavar="X",
        help="only alerts with a confidence of at least X (0 to 1)",
    )
    p.add_argument(
        "--idle-exit",
        type=float,
        metavar="SECONDS",
        help="exit after this many seconds without a new alert",
    )
    p.add_argument("--max", type=int, help="exit after this many alerts")

    p = command(
        "notify",
        "Send alerts to people: webhooks, Slack, Microsoft Teams, Telegram, e-mail and more, "
        "through apprise, as a routes file says.",
        _cmd_notify,
    )
    p.epilog = """\
The routes file holds [[routes]] tables (deploy/routes.example.toml is one to copy):

  [[routes]]
  name = "desk"                          # identity: consumer group, record, metrics label
  url = "json://127.0.0.1:8000/alerts"   # an apprise URL; json:// posts the alert as JSON
  kinds = ["new", "updated"]             # optional filters: categories, kinds, actors
  min_confidence = 0.7                   #   (catalogue ids), languages, min_confidence,
                                         #   min_sources

${VAR} in a url is taken from the environment (keep tokens and passwords out of the file).
Each route reads the alerts topic as its own consumer group (GROUP.NAME) and gets each
matching alert once, across restarts: its position is committed after each delivery, and
what it sent is recorded in the compacted topic notify.state. A route whose service fails
retries that alert (1 s, doubling, at most --max-backoff) and blocks no other route.
A route's first run starts at new alerts, or where --from-beginning or --since says; later
runs go on where it stopped. Run one notify per routes file.

examples:
  axiswatch notify --routes routes.toml --check       check the file, print each route
  axiswatch notify --routes routes.toml --metrics-port 9103
  axiswatch notify --routes routes.toml --from-beginning --once   every kept alert, then exit
"""
    p.add_argument(
        "--routes",
        metavar="FILE",
        required=True,
        help="the routes file ([[routes]] tables; see deploy/routes.example.toml)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="check the routes file, print each route (secrets hidden), and exit",
    )
    p.add_argument(
        "--once",
        action="store_true",
        help="deliver what the alerts topic holds now, then exit (cron); status 1 if a route "
        "could not deliver an alert in 4 attempts (the next run tries it again)",
    )
    p.add_argument(
        "--from-beginning",
        action="store_true",
        help="a route's first run starts at the oldest alert (default: new alerts only)",
    )
    p.add_argument(
        "--since",
        metavar="WHEN",
        help="a route's first run starts at this time: 30m, 12h, 2d, 1w ago, or a UTC date "
        "or time (2026-11-01, 2026-11-01T08:00)",
    )
    p.add_argument(
        "--group",
        default="axiswatch-notify",
        help="prefix of the routes' consumer groups (default axiswatch-notify: route desk reads "
        "as axiswatch-notify.desk, behind AXISWATCH_TOPIC_PREFIX)",
    )
    p.add_argument(
        "--max-backoff",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="longest wait between two attempts at a failed delivery (default 300)",
    )
    p.add_argument(
        "--metrics-port",
        type=int,
        metavar="PORT",
        help="serve Prometheus metrics (axiswatch_notify_sent_total, _failures_total, "
        "_lag_messages per route) on 127.0.0.1:PORT (default: AXISWATCH_METRICS_PORT)",
    )

    p = command(
        "serve",
        "Browse the alert history: a web page and a JSON API of every alert, with filters, fed "
        "by a sink that copies the alerts topic into a database (SQLite by default).",
        _cmd_serve,
    )
    p.epilog = """\
What it runs: a sink that reads the alerts topic as its own consumer group (read_committed:
alerts of an aborted batch are never shown) and stores every alert record once (an alert
read twice is stored once), and a web server with
  /                       the page: a filter form and the alerts, newest first, with the
                          evidence sentence, the event, actors, sources, links and times
  /api/alerts?...         the same as JSON: {"alerts": [...], "total": N, "filter": {...}}
  /api/status             the store, how many alert records it holds, the sink's position
Filters, on the page and the API alike (repeat one to accept any of its values):
  category=cyber  kind=new|updated|corroborated  actor=kim_jong_un (catalogue id)
  language=ko  since=2d|12h|2026-11-01  q=words (in title, evidence, actors, source)
  limit=50 (at most 500)  offset=0

The store: SQLite in the data folder (DATA_DIR/history.sqlite3; AXISWATCH_DATA_DIR) unless
--database-url (or AXISWATCH_DATABASE_URL) names PostgreSQL (pip install 'axiswatch[postgres]').
A new store starts with the oldest alert the topic keeps (365 days); a restart goes on where
the store stopped. The page has no login and listens on 127.0.0.1 unless --host says otherwise.

examples:
  axiswatch serve                                     http://127.0.0.1:8080/
  axiswatch serve --port 8090 --database-url postgresql://axiswatch:PASSWORD@db:5432/axiswatch
  axiswatch serve --no-sink                           what is stored, without Kafka
  curl 'http://127.0.0.1:8080/api/alerts?category=cyber&kind=new&limit=20'
"""
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 in a container)",
    )
    p.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    p.add_argument(
        "--database-url",
        metavar="URL",
        help="where the history is kept: postgresql://USER:PASSWORD@HOST:PORT/DATABASE or "
        "sqlite:///PATH (default: AXISWATCH_DATABASE_URL, else SQLite in the data folder)",
    )
    p.add_argument(
        "--group",
        default="axiswatch-history",
        help="the sink's consumer group (default axiswatch-history); its committed offset "
        "follows the store, so its lag says how far the store is behind",
    )
    p.add_argument(
        "--no-sink",
        action="store_true",
        help="only serve what the store holds (no Kafka needed; nothing new is added)",
    )

    p = command(
        "analyze",
        "Analyze article files offline; one enriched JSON line each.",
        _cmd_analyze,
        bootstrap=False,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="seed files, .jsonl files or folders")
    p.add_argument(
        "--stories",
        action="store_true",
        help="also assign story ids and duplicates across the batch",
    )
    p.add_argument("--source", help="source name for articles that carry none")
    p.add_argument("--recursive", action="store_true", help="descend into sub-folders")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")

    p = command(
        "eval",
        "Score signal detection against a labelled corpus: precision, recall, F1, and the "
        "misses and false alarms with their sentences.",
        _cmd_eval,
        bootstrap=False,
    )
    p.add_argument(
        "corpus",
        nargs="*",
        metavar="JSONL",
        help="labelled corpus files, each scored on its own (default: the --split part, its files "
        "scored together)",
    )
    p.add_argument("--summary", action="store_true", help="figures only, no sentence lists")
    p.add_argument(
        "--stories",
        action="store_true",
        help="score story grouping instead: real wire copies (seeds/eval/stories.jsonl) and "
        "generated copies of the corpus, replayed twice in shuffled order",
    )
    p.add_argument(
        "--events",
        action="store_true",
        help="score novelty per event instead: the timeline corpus (or JSONL files given) "
        "replayed in publication order through the stories stage's code; event-category "
        "recall, second `new` alerts, false `new` on negatives, event clustering",
    )
    p.add_argument(
        "--split",
        choices=("tune", "test", "all"),
        default="tune",
        help="which part of the corpus: signals, tune = seeds/eval/corpus.jsonl, "
        "corpus_reserve.jsonl, corpus_tune2.jsonl and corpus_tune3.jsonl, test = the frozen "
        "blind split "
        "seeds/eval/signals_test.jsonl; with --events, the timeline "
        "corpus's parts (default: tune; a test part is for the figures in the README, never "
        "for writing rules)",
    )

    p = command(
        "demo",
        "The whole pipeline on a local broker: worker, seed replay, alerts.",
        _cmd_demo,
        bootstrap=False,
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="what to replay (default: seeds/)")
    p.add_argument(
        "--until-idle",
        action="store_true",
        help="stop once no alert has arrived for --idle-seconds",
    )
    p.add_argument(
        "--idle-seconds",
        type=float,
        default=5.0,
        help="quiet time after the replayed articles are processed (default 5)",
    )
    p.add_argument("--rate", type=float, help="replay rate, articles per second")
    p.add_argument("--port", type=int, default=9092, help="port of the local broker")
    p.add_argument(
        "--fresh",
        action="store_true",
        help="wipe the local broker's data first, so every signal is new again",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # kafka-python logs every refused connection while a broker starts; our own errors
        # say what is wrong and what to do.
        logging.getLogger("kafka").setLevel(logging.CRITICAL)
    try:
        return args.func(args)
    except AxiswatchError as exc:
        print(f"axiswatch: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        explained = _explain_kafka_error(args, exc)
        if explained is None:
            raise
        print(f"axiswatch: {explained}", file=sys.stderr)
        return 2


def _explain_kafka_error(args: argparse.Namespace, exc: Exception) -> str | None:
    """A Kafka client's error (kafka-python: "Unable to bootstrap") as what to do about it."""
    from kafka.errors import KafkaError

    if not isinstance(exc, KafkaError):
        return None
    from axiswatch.connection import connection_error, diagnose

    kafka = _settings(args).kafka
    try:
        diagnosis = diagnose(kafka)
    except AxiswatchError as error:
        return str(error)
    if diagnosis.kind == "ok":
        return f"Kafka at {kafka.bootstrap_servers}: {exc}"
    return str(connection_error(kafka, diagnosis, exc))


if __name__ == "__main__":
    sys.exit(main())
