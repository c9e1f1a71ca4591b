"""Prometheus metrics of every axiswatch process, served on /metrics.

Names follow Prometheus' guide: `axiswatch_` prefix, base units, counters end in `_total`.
Label values come from small, bounded sets: stage, category, kind, reason, and source or feed
names capped by `bounded()` (the first `MAX_SOURCES` names seen keep their own series, later
ones share "other"), never an article id or URL.
"""

from __future__ import annotations

import threading

from prometheus_client import Counter, Gauge, Histogram, start_http_server

__all__ = [
    "ALERTS",
    "BUILD_INFO",
    "ARTICLES_IN",
    "ARTICLES_OUT",
    "DEAD_LETTERS",
    "DUPLICATES",
    "FEED_FETCHES",
    "FEED_ITEMS",
    "FEED_LAST_ERROR",
    "FEED_LAST_SUCCESS",
    "FEED_UP",
    "CONSUMER_LAG",
    "LATENCY",
    "NOTIFY_FAILURES",
    "NOTIFY_LAG",
    "NOTIFY_SENT",
    "PUBLICATION_TO_ALERT",
    "REREAD",
    "STAGE_SECONDS",
    "STORIES",
    "STORY_INDEX_SIZE",
    "bounded",
    "serve",
]

MAX_SOURCES = 100

# Which build runs: one series of value 1 per process (join on it to tell versions apart
# during a rolling upgrade).
BUILD_INFO = Gauge(
    "axiswatch_build_info",
    "The running axiswatch: version, Python version and message schema versions (always 1).",
    ["version", "python", "alert_schema"],
)


def _record_build() -> None:
    import platform

    from axiswatch import __version__
    from schemas.models import Alert

    schema = str(Alert.model_fields["schema_version"].default)
    BUILD_INFO.labels(__version__, platform.python_version(), schema).set(1)


_record_build()
_seen_sources: set[str] = set()
_lock = threading.Lock()


def bounded(source: str | None) -> str:
    """A source or feed name as a label value, capped at MAX_SOURCES distinct values."""
    name = (source or "unknown")[:64]
    with _lock:
        if name in _seen_sources:
            return name
        if len(_seen_sources) < MAX_SOURCES:
            _seen_sources.add(name)
            return name
    return "other"


_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
_NEWS_BUCKETS = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 3 * 86400)

ARTICLES_IN = Counter(
    "axiswatch_articles_in_total", "Articles read by a stage.", ["stage", "source"]
)
ARTICLES_OUT = Counter(
    "axiswatch_articles_out_total", "Articles written by a stage.", ["stage", "source"]
)
DUPLICATES = Counter(
    "axiswatch_duplicates_total",
    "Articles found to repeat a known story (match: url, text, near) or placed again (repeat).",
    ["match"],
)
STORIES = Counter("axiswatch_stories_total", "Stories started (first article of a story).")

ALERTS = Counter("axiswatch_alerts_total", "Alerts written.", ["category", "kind"])
DEAD_LETTERS = Counter(
    "axiswatch_dead_letters_total", "Messages sent to the dead-letter topic.", ["stage", "reason"]
)
REREAD = Counter(
    "axiswatch_reread_messages_total",
    "Input messages the worker read again because a stage left them undone (fault injection).",
    ["topic"],
)
STAGE_SECONDS = Histogram(
    "axiswatch_stage_seconds",
    "Processing time of one article in a stage.",
    ["stage"],
    buckets=_LATENCY_BUCKETS,
)
LATENCY = Histogram(
    "axiswatch_pipeline_latency_seconds",
    "From an article's ingestion (fetched_at) to its enriched record or alert.",
    ["output"],
    buckets=_LATENCY_BUCKETS,
)
PUBLICATION_TO_ALERT = Histogram(
    "axiswatch_publication_to_alert_seconds",
    "From an article's publication (published_at) to its alert.",
    ["category"],
    buckets=_NEWS_BUCKETS,
)
CONSUMER_LAG = Gauge(
    "axiswatch_consumer_lag_messages",
    "Messages not yet processed by the worker group, per topic and partition.",
    ["topic", "partition"],
)
STORY_INDEX_SIZE = Gauge(
    "axiswatch_story_index_entries", "Entries in the story state tables.", ["table"]
)
FEED_FETCHES = Counter(
    "axiswatch_feed_fetches_total",
    "Feed fetches by result (ok, not_modified, error).",
    ["feed", "result"],
)
FEED_ITEMS = Counter(
    "axiswatch_feed_items_published_total", "Feed entries published to Kafka.", ["feed"]
)
FEED_LAST_SUCCESS = Gauge(
    "axiswatch_feed_last_success_timestamp_seconds", "When a feed was last fetched fine.", ["feed"]
)
FEED_LAST_ERROR = Gauge(
    "axiswatch_feed_last_error_timestamp_seconds", "When a feed last failed.", ["feed"]
)
FEED_UP = Gauge("axiswatch_feed_up", "1 if the feed's last fetch worked, else 0.", ["feed"])
# `axiswatch notify`: the route label is a route name of the routes file (at most MAX_ROUTES).
NOTIFY_SENT = Counter("axiswatch_notify_sent_total", "Alerts a notify route delivered.", ["route"])
NOTIFY_FAILURES = Counter(
    "axiswatch_notify_failures_total",
    "Failed attempts of a notify route to deliver an alert (each is retried with backoff).",
    ["route"],
)
NOTIFY_LAG = Gauge(
    "axiswatch_notify_lag_messages",
    "Alerts on the alerts topic that a notify route has not dealt with yet.",
    ["route"],
)


def serve(port: int | None, host: str = "127.0.0.1") -> int | None:
    """Serve /metrics on `host:port` in a background thread; port 0 picks a free one.
    Returns the port, or None when `port` is None (metrics off)."""
    if port is None:
        return None
    server, _thread = start_http_server(port, addr=host)
    return server.server_address[1]
