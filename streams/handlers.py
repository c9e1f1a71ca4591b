"""What the worker's stages do with each record: plain functions around the analysis and the
stories code, with the worker's metrics, logs and headers, and no Kafka.

`Handlers.analyze` turns a raw record into the analyzed record (or a dead letter);
`Handlers.place` places an analyzed record in its story and gives the enriched record and the
alerts; the rest build dead letters: a record that cannot be read or processed, an output over
its topic's limit. The stages (`streams.analyze_stage`, `streams.stage`) write what these give.
"""

from __future__ import annotations

import base64
import logging
import time

from axiswatch import metrics
from schemas.headers import record_headers
from schemas.models import (
    MAX_DEAD_LETTER_BYTES,
    Alert,
    AnalyzedArticle,
    DeadLetter,
    EnrichedArticle,
)
from schemas.topics import Names
from streams.analyze import Analyzed, Rejected, analyze_values
from streams.delivery import Record
from streams.stage import Output
from streams.stories import StoryBook

__all__ = ["Handlers"]

log = logging.getLogger("axiswatch.worker")


class Handlers:
    """The stages' per-record work, writing to the topics of `names`."""

    def __init__(self, names: Names) -> None:
        self.names = names

    def dead_letter_value(
        self, record: Record, rejected: Rejected, stage: str, output: Output | None = None
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

    def analyze(self, record: Record) -> list[Output]:
        """Analyze one raw article: the analyzed article to write, or a dead letter."""
        [analyzed] = analyze_values([record.value])
        return self.analyzed(record, analyzed)

    def analyzed(self, record: Record, analyzed: Analyzed) -> list[Output]:
        """What to write for a raw article analyzed (here or in an analysis process)."""
        metrics.STAGE_SECONDS.labels(stage="analyze").observe(analyzed.seconds)
        result = analyzed.result
        if isinstance(result, Rejected):
            if result.reason == "processing_error":
                log.error("analyze failed: %s", result.error)
            metrics.ARTICLES_IN.labels(stage="analyze", source="unknown").inc()
            value = self.dead_letter_value(record, result, "analyze")
            return [Output(self.names.dlq, record.key, value, self.dead_headers(record))]
        article_id, source, value = result
        source = metrics.bounded(source)
        metrics.ARTICLES_IN.labels(stage="analyze", source=source).inc()
        metrics.ARTICLES_OUT.labels(stage="analyze", source=source).inc()
        headers = tuple(record_headers(AnalyzedArticle, record.trace_id))
        return [Output(self.names.analyzed, article_id.encode(), value, headers)]

    def analyzed_too_large(self, record: Record, output: Output, error: str) -> Output:
        value = self.dead_letter_value(record, Rejected("too_large", error), "analyze", output)
        return Output(self.names.dlq, output.key, value, self.dead_headers(record))

    def place(self, book: StoryBook, record: Record) -> list[Output]:
        """Place one analyzed article in its story; returns what to write (the state changes
        are the book's own, written with these in one transaction by the StoriesStage)."""
        started = time.perf_counter()
        try:
            article = AnalyzedArticle.model_validate_json(record.value)
            enriched, alerts, placement = book.place(article)
        except Exception as exc:  # noqa: BLE001
            log.exception("stories failed")
            rejected = Rejected("processing_error", str(exc)[:1000])
            value = self.dead_letter_value(record, rejected, "stories")
            return [Output(self.names.dlq, record.key, value, self.dead_headers(record))]
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
                self.names.enriched,
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
                    self.names.alerts,
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

    def oversize(self, record: Record, output: Output, limit: int) -> Output:
        error = (
            f"the {output.topic} record of {len(output.value)} bytes is over the topic's "
            f"limit of {limit} bytes"
        )
        value = self.dead_letter_value(record, Rejected("too_large", error), "stories", output)
        return Output(self.names.dlq, output.key, value, self.dead_headers(record))

    def give_up_stories(self, record: Record, error: str) -> Output:
        value = self.dead_letter_value(record, Rejected("processing_error", error), "stories")
        return Output(self.names.dlq, record.key, value, self.dead_headers(record))

    @staticmethod
    def dead_headers(record: Record) -> tuple[tuple[str, bytes], ...]:
        return tuple(record_headers(DeadLetter, record.trace_id))
