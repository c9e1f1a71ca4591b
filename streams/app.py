"""The Faust app: an analyze stage and a stories stage, as in docs/DESIGN.

    articles.raw ──analyze (N partitions, stateless)──> articles.analyzed ──stories (1 partition,
    tables)──> articles.enriched + alerts;   anything unusable ──> articles.dlq

Agents only move data: the logic is `streams.analyze` and `streams.stories`, plain functions
that the offline `axiswatch analyze` command runs too.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import tempfile
import time
from typing import Any

import faust
from aiokafka.errors import KafkaError
from faust.exceptions import ProducerSendError

from axiswatch import metrics
from axiswatch.ledger import load_alert_ledger
from axiswatch.settings import Settings
from schemas.models import MAX_DEAD_LETTER_BYTES, AnalyzedArticle, DeadLetter
from schemas.topics import LARGE_MESSAGE_BYTES
from streams.analyze import Rejected, analyze_bytes
from streams.delivery import CommitKeeper, Record
from streams.stories import StoryBook

__all__ = ["create_app"]

log = logging.getLogger("axiswatch.worker")


def create_app(settings: Settings, app_id: str = "axiswatch", replication: int = 1) -> faust.App:
    """Build the worker app for `settings`; topics and tables are declared here, once.

    `replication` is the replication factor of the tables' changelog topics."""
    app = faust.App(
        app_id,
        broker=settings.kafka.faust_broker(),
        broker_credentials=settings.kafka.faust_credentials(),
        store="memory://",
        datadir=tempfile.mkdtemp(prefix="axiswatch-worker-"),
        web_enabled=False,
        producer_acks=-1,
        producer_max_request_size=LARGE_MESSAGE_BYTES + 64 * 1024,
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
    # acks=False: Faust does not commit these topics; the CommitKeeper does (streams.delivery).
    raw_topic = app.topic(
        "articles.raw",
        partitions=settings.raw_partitions,
        key_serializer="raw",
        value_serializer="raw",
        acks=False,
    )
    analyzed_topic = app.topic(
        "articles.analyzed", partitions=1, key_serializer="raw", value_serializer="raw", acks=False
    )
    enriched_topic = app.topic(
        "articles.enriched",
        partitions=settings.enriched_partitions,
        key_serializer="raw",
        value_serializer="raw",
    )
    alerts_topic = app.topic("alerts", partitions=1, key_serializer="raw", value_serializer="raw")
    dlq_topic = app.topic(
        "articles.dlq", partitions=1, key_serializer="raw", value_serializer="raw"
    )
    keeper = CommitKeeper(app, settings, group=app_id)

    # Story state, changelogged to Kafka: a restarted worker rebuilds it from there. One
    # partition, like articles.analyzed, because novelty is a global decision.
    def table(name: str) -> Any:
        # No key or value type: Faust then stores both as JSON. use_partitioner: the table has
        # one partition, and the CommitKeeper writes to it outside stream iteration too.
        return app.Table(name, default=None, partitions=1, use_partitioner=True)

    book = StoryBook(
        table("story-exact"),
        {},  # the LSH index: derived from the stories table, rebuilt on takeover
        table("stories"),
        table("events"),
        settings.stories,
    )
    # Whenever this worker takes the stories partition over, read back what the alerts topic
    # already says before processing (see axiswatch.ledger), so no event is `new` twice.
    takeover = {"pending": True}
    takeover_lock = asyncio.Lock()

    @app.on_partitions_assigned.connect
    async def on_assigned(sender: Any, assigned: Any = (), **kwargs: Any) -> None:
        if any(tp.topic == "articles.analyzed" for tp in assigned):
            takeover["pending"] = True

    async def take_over() -> None:
        """Until the alerts topic is read back, the stories stage waits: placing an article
        without it could say `new` a second time."""
        async with takeover_lock:
            while takeover["pending"]:
                try:
                    said = await load_alert_ledger(settings)
                except (KafkaError, TimeoutError) as exc:
                    log.warning("could not read the alerts topic back, retrying in 5 s: %s", exc)
                    await asyncio.sleep(5)
                    continue
                book.events.rebuild_index()
                adopted = book.events.adopt(said.items())
                book.events.remember_said(said)
                bands = book.rebuild_bands()
                book.restore_watermark()
                takeover["pending"] = False
                log.info(
                    "took the stories partition: %d event(s) already alerted (%d missing from "
                    "the events table, adopted), %d LSH keys",
                    len(said),
                    adopted,
                    bands,
                )

    async def dead_letter(record: Record, rejected: Rejected, stage: str) -> asyncio.Future:
        kept = record.value[:MAX_DEAD_LETTER_BYTES]
        dead = DeadLetter(
            reason=rejected.reason,  # type: ignore[arg-type]
            error=rejected.error,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key_b64=base64.b64encode(record.key).decode() if record.key is not None else None,
            original_b64=base64.b64encode(kept).decode(),
            original_size=len(record.value),
            original_truncated=len(kept) < len(record.value),
            stage=stage,
        )
        log.warning(
            "dead letter from %s[%s]@%s: %s",
            record.topic,
            record.partition,
            record.offset,
            rejected.error,
        )
        metrics.DEAD_LETTERS.labels(stage=stage, reason=rejected.reason).inc()
        return await dlq_topic.send(key=record.key, value=dead.to_bytes())

    async def analyze_one(record: Record) -> list[asyncio.Future]:
        """Analyze one raw article; returns the delivery futures of what it wrote."""
        started = time.perf_counter()
        try:
            result = analyze_bytes(record.value)
        except Exception as exc:  # noqa: BLE001 - a bad article must not stop the worker
            log.exception("analyze failed")
            result = Rejected("processing_error", f"{type(exc).__name__}: {exc}"[:1000])
        metrics.STAGE_SECONDS.labels(stage="analyze").observe(time.perf_counter() - started)
        if isinstance(result, Rejected):
            metrics.ARTICLES_IN.labels(stage="analyze", source="unknown").inc()
            return [await dead_letter(record, result, "analyze")]
        source = metrics.bounded(result.source)
        metrics.ARTICLES_IN.labels(stage="analyze", source=source).inc()
        try:
            sent = await analyzed_topic.send(
                key=result.article_id.encode(), value=result.to_bytes()
            )
        except ProducerSendError as exc:  # e.g. larger than the topic allows
            return [await dead_letter(record, Rejected("too_large", str(exc)[:1000]), "analyze")]
        metrics.ARTICLES_OUT.labels(stage="analyze", source=source).inc()
        return [sent]

    async def place_one(record: Record) -> list[asyncio.Future]:
        """Place one analyzed article in its story; returns the delivery futures of what it
        wrote (the tables' changelog writes are flushed before each commit)."""
        if takeover["pending"]:
            await take_over()
        started = time.perf_counter()
        try:
            article = AnalyzedArticle.model_validate_json(record.value)
            enriched, alerts, placement = book.place(article)
        except Exception as exc:  # noqa: BLE001
            log.exception("stories failed")
            rejected = Rejected("processing_error", str(exc)[:1000])
            return [await dead_letter(record, rejected, "stories")]
        metrics.STAGE_SECONDS.labels(stage="stories").observe(time.perf_counter() - started)
        source = metrics.bounded(article.source)
        metrics.ARTICLES_IN.labels(stage="stories", source=source).inc()
        if placement.match:
            metrics.DUPLICATES.labels(match=placement.match).inc()
        else:
            metrics.STORIES.inc()
        sent = [
            await enriched_topic.send(key=enriched.article_id.encode(), value=enriched.to_bytes())
        ]
        metrics.ARTICLES_OUT.labels(stage="stories", source=source).inc()
        now = enriched.enriched_at.timestamp()
        metrics.LATENCY.labels(output="enriched").observe(now - article.fetched_at.timestamp())
        for alert in alerts:
            key, value = alert.alert_id.encode(), alert.to_bytes()
            sent.append(await alerts_topic.send(key=key, value=value))
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
        return sent

    def giving_up(stage: str) -> Any:
        async def give_up(record: Record, error: str) -> list[asyncio.Future]:
            return [await dead_letter(record, Rejected("processing_error", error), stage)]

        return give_up

    keeper.handle("articles.raw", analyze_one, giving_up("analyze"))
    keeper.handle(
        "articles.analyzed",
        place_one,
        giving_up("stories"),
        ready=lambda: not takeover["pending"],
    )

    given = {"articles.raw": 0, "articles.analyzed": 0}

    def dropped(record: Record) -> bool:
        """Fault injection (settings.fault_drop_every): pretend the consumer skipped it."""
        given[record.topic] += 1
        every = settings.fault_drop_every
        return every > 0 and given[record.topic] % every == 0

    async def consume(stream: Any) -> None:
        async for event in stream.events():
            record = Record.from_event(event)
            if dropped(record):
                continue
            try:
                await keeper.process(record)
            except Exception:  # noqa: BLE001 - left undone: the keeper reads it again
                log.exception("processing %s[%d]@%d failed", *record.tp, record.offset)

    @app.agent(raw_topic)
    async def analyze(stream: Any) -> None:
        await consume(stream)

    @app.agent(analyzed_topic)
    async def stories(stream: Any) -> None:
        await consume(stream)

    @app.timer(interval=10.0)
    async def report_index_size() -> None:
        for name, size in book.sizes().items():
            metrics.STORY_INDEX_SIZE.labels(table=name).set(size)

    return app


def run_worker(settings: Settings, loglevel: str = "info") -> None:
    """Run the worker until interrupted (SIGINT/SIGTERM stop it cleanly), serving metrics on
    `settings.metrics_port` if set, with the group's consumer lag measured alongside."""
    from axiswatch.lag import LagMonitor
    from axiswatch.topics import cluster_replication

    port = metrics.serve(settings.metrics_port, settings.metrics_host)
    if port is not None:
        log.info("metrics on http://%s:%s/metrics", settings.metrics_host, port)
    LagMonitor(settings, group="axiswatch", topics=("articles.raw", "articles.analyzed")).start()
    app = create_app(settings, replication=cluster_replication(settings))
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()
