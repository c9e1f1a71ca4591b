"""The history's sink: reads the `alerts` topic and writes every alert record to the store.

It reads as its own consumer group (`axiswatch-history` unless told otherwise), with
isolation_level read_committed like every reader of the worker's outputs (an alert of a batch
the worker aborted was never said), partitions assigned, not subscribed (one reader per store,
no rebalances). Where it starts is the store's own position, written with the alerts in one
transaction; a new store starts at the oldest alert the topic keeps. The group's offsets are
committed only after the store write, so the group's lag (kafka-consumer-groups, the
Prometheus lag of other tools) says how far the store is behind, never ahead of it.

A failure (Kafka unreachable, the database down) is retried with backoff (1 s doubling, at
most 60 s) from the store's position; a record is written at least once and, since writes are
idempotent, stored once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from axiswatch import clients
from axiswatch.history.store import HistoryStore, StoredAlert
from axiswatch.notify import ALERTS_TOPIC
from axiswatch.settings import Settings

__all__ = ["DEFAULT_GROUP", "HistorySink", "SinkStatus"]

log = logging.getLogger("axiswatch.history")

DEFAULT_GROUP = "axiswatch-history"


@dataclass
class SinkStatus:
    """What the sink is doing, for `/api/status` and the page's footer."""

    state: str = "starting"  # starting | reading | retrying | stopped
    group: str = DEFAULT_GROUP
    topic: str = ALERTS_TOPIC
    positions: dict[int, int] = field(default_factory=dict)
    ends: dict[int, int] = field(default_factory=dict)
    stored: int = 0  # records new to the store since the start
    skipped: int = 0  # unreadable records
    last_error: str | None = None
    last_write_at: str | None = None

    def lag(self) -> int | None:
        if not self.ends:
            return None
        return sum(max(0, end - self.positions.get(p, 0)) for p, end in self.ends.items())

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "group": self.group,
            "topic": self.topic,
            "positions": {str(p): o for p, o in sorted(self.positions.items())},
            "lag": self.lag(),
            "stored_since_start": self.stored,
            "skipped_unreadable": self.skipped,
            "last_error": self.last_error,
            "last_write_at": self.last_write_at,
        }


class HistorySink(threading.Thread):
    """Copies the alerts topic into `store` until `stop` is set."""

    def __init__(
        self,
        settings: Settings,
        store: HistoryStore,
        *,
        group: str = DEFAULT_GROUP,
        stop: threading.Event | None = None,
        say: Callable[[str], None] = lambda text: None,
        max_backoff: float = 60.0,
        topic: str | None = None,
    ) -> None:
        super().__init__(name="history-sink", daemon=True)
        # Names on the cluster take the deployment's prefix (AXISWATCH_TOPIC_PREFIX).
        group = settings.names.group(group)
        topic = topic or settings.names.alerts
        self.settings, self.store, self.group, self.topic = settings, store, group, topic
        self.stop_event = stop or threading.Event()
        self.say = say
        self.max_backoff = max_backoff
        self.status = SinkStatus(group=group, topic=topic)

    def run(self) -> None:
        failures = 0
        while not self.stop_event.is_set():
            try:
                self._run()
                break
            except Exception as exc:  # Kafka or the database away: start over from the store
                failures += 1
                delay = min(self.max_backoff, 2.0 ** min(failures - 1, 10))
                self.status.state = "retrying"
                self.status.last_error = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "history sink: %s; reading %s again in %.0fs",
                    self.status.last_error,
                    self.topic,
                    delay,
                )
                self.say(f"history sink: {self.status.last_error}; retrying in {delay:.0f}s")
                self.stop_event.wait(delay)
        self.status.state = "stopped"

    def _run(self) -> None:
        consumer = clients.committed_reader(self.settings.kafka, self.group)
        try:
            tps = clients.assign_all(consumer, self.topic)
            stored = self.store.positions(self.topic)
            for tp in tps:
                if tp.partition in stored:
                    consumer.seek(tp, stored[tp.partition])
                else:
                    consumer.seek_to_beginning(tp)
            positions = {tp.partition: consumer.position(tp) for tp in tps}
            self.status.positions = dict(positions)
            self.status.state = "reading"
            self.status.last_error = None
            self.say(
                f"history sink: reading {self.topic} as group {self.group} "
                f"(read_committed) from offset {', '.join(map(str, positions.values()))} "
                f"into {self.store.describe()}"
            )
            ends_at = 0.0
            while not self.stop_event.is_set():
                if time.monotonic() - ends_at > 5:
                    self.status.ends = {
                        tp.partition: end for tp, end in consumer.end_offsets(tps).items()
                    }
                    ends_at = time.monotonic()
                batches = consumer.poll(timeout_ms=500, max_records=500)
                if batches:
                    self._write(consumer, batches)
                    ends_at = 0.0
                else:
                    # Past transaction markers the position moves with no record to store.
                    for tp in tps:
                        self.status.positions[tp.partition] = consumer.position(tp)
        finally:
            consumer.close()

    def _write(self, consumer: Any, batches: dict[Any, list[Any]]) -> None:
        from kafka.structs import OffsetAndMetadata

        records: list[StoredAlert] = []
        positions: dict[tuple[str, int], int] = {}
        commits = {}
        for tp, messages in batches.items():
            for message in messages:
                alert = _alert(message.value)
                if alert is None:
                    self.status.skipped += 1
                    log.warning(
                        "history sink: skipped the unreadable record at %s[%d] offset %d",
                        tp.topic,
                        tp.partition,
                        message.offset,
                    )
                else:
                    records.append(StoredAlert(alert, tp.topic, tp.partition, message.offset))
            if messages:
                after = messages[-1].offset + 1
                positions[(tp.topic, tp.partition)] = after
                commits[tp] = OffsetAndMetadata(after, "", -1)
        added = self.store.write(records, positions)  # store first: then the group's offset
        consumer.commit(commits)
        for (_, partition), offset in positions.items():
            self.status.positions[partition] = offset
        self.status.stored += added
        self.status.last_write_at = datetime.now(UTC).isoformat(timespec="seconds")
        if added:
            self.say(
                f"history sink: stored {added} new alert record(s) "
                f"({len(records) - added} already stored); at offset "
                f"{', '.join(str(o) for _, o in sorted(positions.items()))}"
            )
        elif records:
            log.info("history sink: %d record(s) already stored", len(records))


def _alert(value: bytes | None) -> dict[str, Any] | None:
    """The alert in a record's value, or None when it is not one (not JSON, no alert id)."""
    try:
        alert = json.loads(value or b"")
    except ValueError:
        return None
    if not isinstance(alert, dict) or not isinstance(alert.get("alert_id"), str):
        return None
    if not isinstance(alert.get("kind"), str):
        return None
    return alert
