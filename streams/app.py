"""The Faust app: an analyze stage and a stories stage, as in docs/DESIGN.

    articles.raw ──analyze (N partitions, stateless)──> articles.analyzed ──stories (1 partition,
    tables)──> articles.enriched + alerts;   anything unusable ──> articles.dlq

(each topic, the consumer group and the app id behind the settings' prefix: `settings.names`).
Every record written carries the headers of `schemas.headers`, with the trace id of the raw
article it derives from.

This module only wires: the Faust app (its group gives the stories partition to one worker),
the analyze stage (`streams.analyze_stage`), the stories stage (`streams.stage`) and what they
do per record (`streams.handlers`, around `streams.analyze` and `streams.stories`, the plain
functions the offline `axiswatch analyze` command runs too).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

import faust
from faust.transport.drivers.aiokafka import Producer as AIOKafkaDriverProducer
from faust.transport.drivers.aiokafka import Transport as AIOKafkaTransport

from axiswatch import metrics
from axiswatch.settings import Settings
from axiswatch.topics import ensure_changelogs, topic_limits
from schemas.topics import LARGE_MESSAGE_BYTES, Names
from streams.analyze import analyze_values
from streams.analyze import load as analysis_ready
from streams.analyze_stage import AnalyzeStage, Offload
from streams.delivery import Record
from streams.handlers import Handlers
from streams.stage import StoriesStage

__all__ = ["create_app", "faust_app"]

log = logging.getLogger("axiswatch.worker")

# What the worker's producers may send in one request; the topics it writes accept as much
# (schemas.topics), and a record over a topic's actual limit is dead-lettered, not sent.
MAX_REQUEST_BYTES = LARGE_MESSAGE_BYTES + 64 * 1024


def _outputs(names: Names) -> tuple[str, ...]:
    """The topics the stories stage writes."""
    return (names.enriched, names.alerts, names.dlq)


class _IdempotentProducer(AIOKafkaDriverProducer):
    """Faust's producer, idempotent (faust-streaming turns idempotence on only in its
    exactly-once mode): a send retried after a lost acknowledgement is not written twice."""

    def _settings_extra(self) -> Any:
        return {**super()._settings_extra(), "acks": "all", "enable_idempotence": True}


class _Transport(AIOKafkaTransport):
    Producer = _IdempotentProducer


_DATADIR_PREFIX = "axiswatch-faust-"


def sweep_datadirs(folder: Path | None = None) -> int:
    """Remove the data directories of processes no longer running (a worker killed with
    SIGKILL removes nothing of its own); returns how many went."""
    removed = 0
    for path in (folder or Path(tempfile.gettempdir())).glob(f"{_DATADIR_PREFIX}*-*"):
        pid = path.name[len(_DATADIR_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or _running(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += 1
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def faust_app(settings: Settings, app_id: str, **conf: Any) -> faust.App:
    """A Faust app of group `app_id` on the cluster of `settings`, configured as the worker's:
    raw bytes in and out, acks from all replicas through an idempotent producer, no web
    server, state in memory; `conf` adds Faust settings."""
    # Faust wants a data directory even with tables in memory: one of the app's own, removed
    # when the app is dropped or the process exits (a worker restarted leaves none behind);
    # named by the process, so that the next app removes those of processes killed outright.
    sweep_datadirs()
    datadir = tempfile.mkdtemp(prefix=f"{_DATADIR_PREFIX}{os.getpid()}-")
    app = faust.App(
        app_id,
        broker=settings.kafka.faust_broker(),
        broker_credentials=settings.kafka.faust_credentials(),
        store="memory://",
        datadir=datadir,
        web_enabled=False,
        producer_acks=-1,
        producer_max_request_size=MAX_REQUEST_BYTES,
        consumer_auto_offset_reset="earliest",
        topic_allow_declare=True,
        topic_disable_leader=True,
        key_serializer="raw",
        value_serializer="raw",
        # A worker that dies is noticed within 10 s (Faust's default is 60 s), and its
        # partitions move to the survivors; processing one event takes milliseconds.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=2.0,
        **conf,
    )
    app.producer_transport = _Transport(app.conf.broker_producer, app)
    weakref.finalize(app, shutil.rmtree, datadir, ignore_errors=True)
    return app


def create_app(settings: Settings, app_id: str | None = None, replication: int = 1) -> faust.App:
    """Build the worker app for `settings`; topics and tables are declared here, once.

    `app_id` (the consumer group; default `settings.names.worker_group`). `replication` is the
    replication factor of the tables' changelog topics."""
    names = settings.names
    app_id = app_id or names.worker_group
    app = faust_app(
        settings,
        app_id,
        table_standby_replicas=0,
        topic_replication_factor=replication,
    )
    # acks=False: Faust commits nothing of it; the StoriesStage commits in its transactions.
    analyzed_topic = app.topic(
        names.analyzed, partitions=1, key_serializer="raw", value_serializer="raw", acks=False
    )

    handlers = Handlers(names)

    def limits() -> dict[str, int]:
        return topic_limits(settings, list(_outputs(names)))

    stage = StoriesStage(
        settings,
        group=app_id,
        handle=handlers.place,
        oversize=handlers.oversize,
        give_up=handlers.give_up_stories,
        limits=limits,
        max_request_size=MAX_REQUEST_BYTES,
        prepare_topics=lambda topics: ensure_changelogs(settings, topics, LARGE_MESSAGE_BYTES),
        owned=lambda: holds_stories(app, names.analyzed),
    )
    book = stage.book

    @app.on_partitions_revoked.connect
    async def on_revoked(sender: Any, revoked: Any = (), **kwargs: Any) -> None:
        if any(tp.topic == names.analyzed for tp in revoked):
            await stage.stop()

    @app.on_partitions_assigned.connect
    async def on_assigned(sender: Any, assigned: Any = (), **kwargs: Any) -> None:
        if any(tp.topic == names.analyzed for tp in assigned):
            stage.start()  # fences the previous owner, reads what it wrote, goes on from there

    given = {names.raw: 0}

    def dropped(record: Record) -> bool:
        """Fault injection (settings.fault_drop_every): pretend the consumer skipped it."""
        given[record.topic] += 1
        every = settings.fault_drop_every
        return every > 0 and given[record.topic] % every == 0

    analyzer = AnalyzeStage(
        settings,
        group=names.analyze_group,
        topic=names.raw,
        handle=handlers.analyze,
        too_large=handlers.analyzed_too_large,
        max_request_size=MAX_REQUEST_BYTES,
        drop=dropped,
        previous_group=app_id,
        offload=Offload(
            settings.analyze_processes,
            compute=analyze_values,
            finish=handlers.analyzed,
            initializer=analysis_ready,
        ),
    )

    @app.task
    async def start_analyzing() -> None:
        analyzer.start()  # runs beside Faust in the worker's event loop

    @app.on_before_shutdown.connect
    async def on_shutdown(sender: Any, **kwargs: Any) -> None:
        await analyzer.stop()
        await stage.stop()

    @app.agent(analyzed_topic)
    async def stories(stream: Any) -> None:
        # The group's assignment of articles.analyzed says which worker runs the stories stage;
        # the StoriesStage reads the partition itself, in order, in transactions. Faust need
        # not fetch it too: the first record after each rebalance pauses the partition (Faust
        # resumes every partition when a rebalance completes).
        async for event in stream.events():
            app.consumer.pause_partitions([event.message.tp])

    @app.timer(interval=10.0)
    async def report_index_size() -> None:
        for name, size in book.sizes().items():
            metrics.STORY_INDEX_SIZE.labels(table=name).set(size)

    return app


def holds_stories(app: faust.App, analyzed: str) -> bool:
    """Whether the group currently gives this worker `analyzed`, the topic of analyzed articles
    (not mid-rebalance)."""
    if app.rebalancing:
        return False
    try:
        return any(tp.topic == analyzed for tp in app.consumer.assignment())
    except Exception:  # noqa: BLE001 - the consumer is not up yet
        return False


def run_worker(settings: Settings, loglevel: str = "info") -> None:
    """Run the worker until interrupted (SIGINT/SIGTERM stop it cleanly), serving metrics on
    `settings.metrics_port` if set, with the group's consumer lag measured alongside."""
    from axiswatch.lag import LagMonitor
    from axiswatch.topics import cluster_replication

    port = metrics.serve(settings.metrics_port, settings.metrics_host)
    if port is not None:
        log.info("metrics on http://%s:%s/metrics", settings.metrics_host, port)
    names = settings.names
    # Each input's lag as its reader commits it: the analyze stage's group, the stories stage's.
    LagMonitor(settings, group=names.analyze_group, topics=(names.raw,)).start()
    LagMonitor(settings, group=names.worker_group, topics=(names.analyzed,)).start()
    app = create_app(settings, replication=cluster_replication(settings))
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()
