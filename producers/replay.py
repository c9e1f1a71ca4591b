"""Seed replay: publish article files to `articles.raw`, with progress and an optional rate."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kafka.errors import KafkaError, MessageSizeTooLargeError

from axiswatch import metrics
from axiswatch.clients import MAX_MESSAGE_BYTES, make_producer
from axiswatch.settings import Settings
from schemas.headers import new_trace_id, record_headers
from schemas.models import utcnow
from streams.articles import BadRecord, expand_paths, read_articles

__all__ = ["ReplayReport", "replay"]


@dataclass
class ReplayReport:
    published: int = 0
    rejected: list[BadRecord] = field(default_factory=list)
    failed: list[BadRecord] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)


def replay(
    settings: Settings,
    paths: Iterable[str | Path],
    rate: float | None = None,
    source: str | None = None,
    topic: str | None = None,
    recursive: bool = False,
    progress: bool | None = None,
    on_bad: Callable[[BadRecord], None] | None = None,
) -> ReplayReport:
    """Publish every article of `paths` to `topic` (default: the raw articles' topic of
    `settings`), each with a new trace id; bad inputs are reported and skipped.

    Returns once every accepted article is acknowledged by the cluster (or failed for good).
    """
    from tqdm import tqdm

    topic = topic or settings.names.raw
    files = expand_paths(paths, recursive)
    report = ReplayReport()
    producer = make_producer(settings.kafka)
    interval = 1.0 / rate if rate else 0.0
    next_send = time.monotonic()
    # tqdm hides itself when stderr is not a terminal unless asked for explicitly.
    bar = tqdm(
        unit=" articles",
        desc="replay",
        file=sys.stderr,
        disable=None if progress is None else not progress,
    )

    def reject(bad: BadRecord) -> None:
        report.rejected.append(bad)
        if on_bad:
            on_bad(bad)

    futures = []
    try:
        for item in read_articles(files, source):
            if isinstance(item, BadRecord):
                reject(item)
                continue
            if interval:
                delay = next_send - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                next_send = max(next_send + interval, time.monotonic() - 1.0)
                # Fetched as it is sent, not as it was read before the wait: the worker's
                # latencies run from `fetched_at` (at --rate 1, a second early otherwise).
                item = item.model_copy(update={"fetched_at": utcnow()})
            value = item.to_bytes()
            if len(value) > MAX_MESSAGE_BYTES:
                reject(
                    BadRecord(
                        item.external_id or item.article_id,
                        f"message is {len(value):,} bytes; the limit is {MAX_MESSAGE_BYTES:,}",
                    )
                )
                continue
            future = producer.send(
                topic,
                key=item.article_id.encode(),
                value=value,
                headers=record_headers(item, new_trace_id()),
            )
            futures.append((item, future))
            bar.update(1)
        producer.flush()
        for item, future in futures:
            try:
                future.get(timeout=30)
                metrics.ARTICLES_OUT.labels(
                    stage="replay", source=metrics.bounded(item.source)
                ).inc()
                report.published += 1
                report.article_ids.append(item.article_id)
            except (KafkaError, MessageSizeTooLargeError) as exc:
                report.failed.append(BadRecord(item.article_id, f"not written: {exc}"))
    finally:
        bar.close()
        producer.close(timeout=10)
    return report
