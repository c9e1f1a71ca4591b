"""`axiswatch alerts`: follow the alerts topic and print each alert; `AlertFollower` is the
reader, the demo's too."""

from __future__ import annotations

import argparse
import json
import sys
import time

from axiswatch import clients
from axiswatch.alerttext import format_alert
from axiswatch.cli.common import add_command, settings_from
from axiswatch.exceptions import AxiswatchError
from axiswatch.settings import Settings

__all__ = ["AlertFollower", "add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "alerts",
        "Follow the alerts topic and print each alert (new alerts from now on, unless told "
        "where to start).",
        run,
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


def run(args: argparse.Namespace) -> int:
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
    settings = settings_from(args)
    check_login(settings.kafka)
    follower = AlertFollower(
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


class AlertFollower:
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
