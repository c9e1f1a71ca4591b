"""The Faust app: an analyze stage and a stories stage, as in docs/DESIGN.

    articles.raw ──analyze (N partitions, stateless)──> articles.analyzed ──stories (1 partition,
    tables)──> articles.enriched + alerts;   anything unusable ──> articles.dlq

(each topic, the consumer group and the app id behind the settings' prefix: `settings.names`).
Every record written carries the headers of `schemas.headers`, with the trace id of the raw
article it derives from.

Agents only move data: the logic is `streams.analyze` and `streams.stories`, plain functions
that the offline `axiswatch analyze` command runs too.
"""

from __future__ import annotations

import base64
import logging
import tempfile
import time
from typing import Any

import faust
from faust.transport.drivers.aiokafka import Producer as AIOKafkaDriverProducer
from faust.transport.drivers.aiokafka import Transport as AIOKafkaTransport

from axiswatch import metrics
from axiswatch.settings import Settings
from axiswatch.topics import ensure_changelogs, topic_limits
from schemas.headers import record_headers
from schemas.models import (
    MAX_DEAD_LETTER_BYTES,
    Alert,
    AnalyzedArticle,
    DeadLetter,
    EnrichedArticle,
)
from schemas.topics import LARGE_MESSAGE_BYTES, Names
from streams.analyze import Rejected, analyze_bytes
from streams.analyze_stage import AnalyzeStage
from streams.delivery import Record
from streams.stage import Output, StoriesStage
from streams.stories import StoryBook

__all__ = ["create_app"]

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


def create_app(settings: Settings, app_id: str | None = None, replication: int = 1) -> faust.App:
    """Build the worker app for `settings`; topics and tables are declared here, once.

    `app_id` (the consumer group; default `settings.names.worker_group`). `replication` is the
    replication factor of the tables' changelog topics."""
    names = settings.names
    app_id = app_id or names.worker_group
    app = faust.App(
        app_id,
        broker=settings.kafka.faust_broker(),
        broker_credentials=settings.kafka.faust_credentials(),
        store="memory://",
        datadir=tempfile.mkdtemp(prefix="axiswatch-worker-"),
        web_enabled=False,
        producer_acks=-1,
        producer_max_request_size=MAX_REQUEST_BYTES,
        consumer_auto_offset_reset="earliest",
        topic_allow_declare=True,
        topic_disable_leader=True,
        key_serializer="raw",
        value_serializer="raw",
        table_standby_replicas=0,
        # A worker that dies is noticed within 10 s (Faust's default is 60 s), and its
        # partitions move to the survivors; processing one event takes milliseconds.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=2.0,
        topic_replication_factor=replication,
    )
    app.producer_transport = _Transport(app.conf.broker_producer, app)
    # acks=False: Faust commits nothing of it; the StoriesStage commits in its transactions.
    analyzed_topic = app.topic(
        names.analyzed, partitions=1, key_serializer="raw", value_serializer="raw", acks=False
    )

    def dead_letter_value(
        record: Record, rejected: Rejected, stage: str, output: Output | None = None
    ) -> bytes:
        value = output.value if output is not None else record.value
        kept = value[:MAX_DEAD_LETTER_BYTES]
        key = output.key if output is not None else record.key
        dead = DeadLetter(
            reason=rejected.reason,  # type: ignore[arg-type]
            error=rejected.error,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key_b64=base64.b64encode(key).decode() if key is not None else None,
            original_b64=base64.b64encode(kept).decode(),
            original_size=len(value),
            original_truncated=len(kept) < len(value),
            stage=stage,
            output_topic=output.topic if output is not None else None,
        )
        log.warning(
            "dead letter from %s[%s]@%s: %s",
            record.topic,
            record.partition,
            record.offset,
            rejected.error,
        )
        metrics.DEAD_LETTERS.labels(stage=stage, reason=rejected.reason).inc()
        return dead.to_bytes()

    def analyze_one(record: Record) -> list[Output]:
        """Analyze one raw article: the analyzed article to write, or a dead letter."""
        started = time.perf_counter()
        try:
            result = analyze_bytes(record.value)
        except Exception as exc:  # noqa: BLE001 - a bad article must not stop the worker
            log.exception("analyze failed")
            result = Rejected("processing_error", f"{type(exc).__name__}: {exc}"[:1000])
        metrics.STAGE_SECONDS.labels(stage="analyze").observe(time.perf_counter() - started)
        if isinstance(result, Rejected):
            metrics.ARTICLES_IN.labels(stage="analyze", source="unknown").inc()
            value = dead_letter_value(record, result, "analyze")
            return [Output(names.dlq, record.key, value, dead_headers(record))]
        source = metrics.bounded(result.source)
        metrics.ARTICLES_IN.labels(stage="analyze", source=source).inc()
        metrics.ARTICLES_OUT.labels(stage="analyze", source=source).inc()
        headers = tuple(record_headers(result, record.trace_id))
        return [Output(names.analyzed, result.article_id.encode(), result.to_bytes(), headers)]

    def analyzed_too_large(record: Record, output: Output, error: str) -> Output:
        value = dead_letter_value(record, Rejected("too_large", error), "analyze", output)
        return Output(names.dlq, output.key, value, dead_headers(record))

    def place_one(book: StoryBook, record: Record) -> list[Output]:
        """Place one analyzed article in its story; returns what to write (the state changes
        are the book's own, written with these in one transaction by the StoriesStage)."""
        started = time.perf_counter()
        try:
            article = AnalyzedArticle.model_validate_json(record.value)
            enriched, alerts, placement = book.place(article)
        except Exception as exc:  # noqa: BLE001
            log.exception("stories failed")
            rejected = Rejected("processing_error", str(exc)[:1000])
            value = dead_letter_value(record, rejected, "stories")
            return [Output(names.dlq, record.key, value, dead_headers(record))]
        metrics.STAGE_SECONDS.labels(stage="stories").observe(time.perf_counter() - started)
        source = metrics.bounded(article.source)
        metrics.ARTICLES_IN.labels(stage="stories", source=source).inc()
        if placement.match:
            metrics.DUPLICATES.labels(match=placement.match).inc()
        else:
            metrics.STORIES.inc()
        trace = record.trace_id
        out = [
            Output(
                names.enriched,
                enriched.article_id.encode(),
                enriched.to_bytes(),
                tuple(record_headers(EnrichedArticle, trace)),
            )
        ]
        metrics.ARTICLES_OUT.labels(stage="stories", source=source).inc()
        now = enriched.enriched_at.timestamp()
        metrics.LATENCY.labels(output="enriched").observe(now - article.fetched_at.timestamp())
        for alert in alerts:
            out.append(
                Output(
                    names.alerts,
                    alert.alert_id.encode(),
                    alert.to_bytes(),
                    tuple(record_headers(Alert, trace)),
                )
            )
            metrics.ALERTS.labels(category=alert.category, kind=alert.kind).inc()
            metrics.LATENCY.labels(output="alert").observe(now - article.fetched_at.timestamp())
            if alert.published_at:
                metrics.PUBLICATION_TO_ALERT.labels(category=alert.category).observe(
                    max(0.0, now - alert.published_at.timestamp())
                )
            # Every new signal in the log; corroborations (many per story) only at debug level.
            log.log(
                logging.INFO if alert.kind == "new" else logging.DEBUG,
                "alert %s %s %s: %s",
                alert.kind,
                alert.category,
                alert.alert_id,
                alert.evidence[:120],
            )
        return out

    def oversize(record: Record, output: Output, limit: int) -> Output:
        error = (
            f"the {output.topic} record of {len(output.value)} bytes is over the topic's "
            f"limit of {limit} bytes"
        )
        value = dead_letter_value(record, Rejected("too_large", error), "stories", output)
        return Output(names.dlq, output.key, value, dead_headers(record))

    def give_up_stories(record: Record, error: str) -> Output:
        value = dead_letter_value(record, Rejected("processing_error", error), "stories")
        return Output(names.dlq, record.key, value, dead_headers(record))

    def dead_headers(record: Record) -> tuple[tuple[str, bytes], ...]:
        return tuple(record_headers(DeadLetter, record.trace_id))

    def limits() -> dict[str, int]:
        return topic_limits(settings, list(_outputs(names)))

    stage = StoriesStage(
        settings,
        group=app_id,
        handle=place_one,
        oversize=oversize,
        give_up=give_up_stories,
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
        handle=analyze_one,
        too_large=analyzed_too_large,
        max_request_size=MAX_REQUEST_BYTES,
        drop=dropped,
        previous_group=app_id,
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
