"""The feed poller's memory: what each feed published, and each feed's fetch state.

`KafkaStateStore` keeps it in the compacted topic `feeds.state` (see `FeedStateRecord`), so a
restarted poller, on this machine or another, reads it back and publishes nothing twice.
`MemoryStateStore` is the same without Kafka (tests, benchmarks). One poller per feed list:
two pollers with the same feed names would each publish what the other did not tell them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kafka import KafkaProducer
from kafka.errors import KafkaError
from pydantic import ValidationError

from axiswatch import clients
from axiswatch.compacted import read_to_end
from axiswatch.exceptions import AxiswatchError
from axiswatch.settings import Settings
from schemas.headers import record_headers
from schemas.topics import FEEDS_STATE, FeedStateRecord

__all__ = [
    "STATE_TOPIC",
    "EntryState",
    "FeedStatus",
    "KafkaStateStore",
    "MemoryStateStore",
    "StateError",
    "entry_key_hash",
]

STATE_TOPIC = FEEDS_STATE  # the catalogue's name; on the cluster: settings.names.feeds_state
log = logging.getLogger("axiswatch.poll")


class StateError(AxiswatchError):
    """The poller's state could not be read or written."""


def entry_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass(slots=True)
class EntryState:
    """A published entry: its article id (kept across updates) and content digest."""

    article_id: str
    digest: str
    recorded_at: datetime
    entry_key: str = ""


@dataclass(slots=True)
class FeedStatus:
    """A feed's fetch state, as shown by `axiswatch poll --status` and kept across restarts."""

    feed: str
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    last_warning: str | None = None
    consecutive_failures: int = 0
    not_before: datetime | None = None  # a server's Retry-After
    items_published: int = 0
    entries_in_feed: int = 0

    @property
    def up(self) -> bool | None:
        """True if the last fetch worked, False if it failed, None if never fetched."""
        if self.last_attempt_at is None:
            return None
        return self.consecutive_failures == 0

    def to_record(self) -> FeedStateRecord:
        data = {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]
        return FeedStateRecord(kind="feed", recorded_at=datetime.now(UTC), **data)

    @classmethod
    def from_record(cls, record: FeedStateRecord) -> FeedStatus:
        return cls(**{name: getattr(record, name) for name in cls.__slots__})  # type: ignore[attr-defined]


@dataclass
class MemoryStateStore:
    """State in memory only (tests, benchmarks); the interface `Poller` uses."""

    _entries: dict[str, dict[str, EntryState]] = field(default_factory=dict)
    _feeds: dict[str, FeedStatus] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def load(self) -> None:
        """Nothing to read."""

    def entries(self, feed: str) -> dict[str, EntryState]:
        """The feed's published entries by key hash (a copy)."""
        with self._lock:
            return dict(self._entries.get(feed, {}))

    def feed_status(self, feed: str) -> FeedStatus | None:
        with self._lock:
            return self._feeds.get(feed)

    def feed_statuses(self) -> dict[str, FeedStatus]:
        with self._lock:
            return dict(self._feeds)

    def record_entries(self, feed: str, entries: dict[str, EntryState]) -> None:
        self._write([(f"entry|{feed}|{h}", _entry_record(feed, e)) for h, e in entries.items()])
        with self._lock:
            self._entries.setdefault(feed, {}).update(entries)

    def forget(self, feed: str, key_hashes: list[str]) -> None:
        self._write([(f"entry|{feed}|{h}", None) for h in key_hashes])
        with self._lock:
            known = self._entries.get(feed, {})
            for h in key_hashes:
                known.pop(h, None)

    def record_feed(self, status: FeedStatus) -> None:
        self._write([(f"feed|{status.feed}", status.to_record())])
        with self._lock:
            self._feeds[status.feed] = status

    def _write(self, records: list[tuple[str, FeedStateRecord | None]]) -> None:
        """Make `records` durable before memory changes; nothing to do in memory."""

    def _apply(self, key: str, value: bytes | None) -> None:
        """Fold one state-topic record into memory."""
        kind, _, rest = key.partition("|")
        if kind == "feed":
            if value is None:
                self._feeds.pop(rest, None)
                return
            record = _decode(key, value)
            if record is not None:
                self._feeds[rest] = FeedStatus.from_record(record)
            return
        feed, _, key_hash = rest.rpartition("|")
        if kind != "entry" or not feed:
            log.warning("feeds.state: ignored a record with the unexpected key %r", key)
            return
        if value is None:
            self._entries.get(feed, {}).pop(key_hash, None)
            return
        record = _decode(key, value)
        if record is not None and record.article_id and record.digest:
            self._entries.setdefault(feed, {})[key_hash] = EntryState(
                record.article_id, record.digest, record.recorded_at, record.entry_key or ""
            )


def _entry_record(feed: str, entry: EntryState) -> FeedStateRecord:
    return FeedStateRecord(
        kind="entry",
        feed=feed,
        recorded_at=entry.recorded_at,
        entry_key=entry.entry_key[:1000],
        article_id=entry.article_id,
        digest=entry.digest,
    )


def _decode(key: str, value: bytes) -> FeedStateRecord | None:
    try:
        return FeedStateRecord.model_validate(json.loads(value))
    except (ValueError, ValidationError) as exc:
        log.warning("feeds.state: ignored the unreadable record %r (%s)", key, exc)
        return None


class KafkaStateStore(MemoryStateStore):
    """State in the compacted topic `feeds.state`; memory is a cache of it."""

    def __init__(
        self,
        settings: Settings,
        producer: KafkaProducer | None = None,
        topic: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.producer = producer
        self.topic = topic or settings.names.feeds_state
        self.timeout = timeout

    def load(self) -> None:
        """Read the topic from its start to its current end."""
        try:
            consumer = clients.consumer(
                self.settings.kafka,
                group_id=None,
                enable_auto_commit=False,
                consumer_timeout_ms=1000,
            )
        except (KafkaError, OSError) as exc:
            raise StateError(
                f"cannot reach Kafka at {self.settings.kafka.bootstrap_servers} to read "
                f"{self.topic} ({exc}); start the broker or set KAFKA_BOOTSTRAP_SERVERS"
            ) from exc
        try:
            count = read_to_end(consumer, self.topic, self._apply_message, self.timeout, StateError)
            log.info("read %d state record(s) from %s", count, self.topic)
        finally:
            consumer.close()

    def _apply_message(self, message) -> None:  # noqa: ANN001 - a kafka-python record
        if message.key is not None:
            with self._lock:
                self._apply(message.key.decode("utf-8", "replace"), message.value)

    def _write(self, records: list[tuple[str, FeedStateRecord | None]]) -> None:
        if not records:
            return
        if self.producer is None:
            raise StateError("this state store was opened read-only")
        try:
            futures = [
                self.producer.send(
                    self.topic,
                    key=key.encode("utf-8"),
                    value=None if value is None else value.model_dump_json().encode("utf-8"),
                    headers=None if value is None else record_headers(value),
                )
                for key, value in records
            ]
            for future in futures:
                future.get(timeout=self.timeout)
        except KafkaError as exc:
            raise StateError(f"could not write to {self.topic}: {exc}") from exc
