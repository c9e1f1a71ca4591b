"""`axiswatch notify`: alerts to people, through apprise (webhooks, Slack, Microsoft Teams,
Telegram, e-mail and the other services apprise knows).

A routes file lists `[[routes]]`: a name, an apprise URL and optional filters. Each route
reads the `alerts` topic on its own, as the consumer group `<group>.<route>` (manually
assigned, offsets committed after each delivery), in its own thread with its own apprise
client: a route whose service is down retries its alert with exponential backoff and holds
up nothing but itself. What a route delivered is also recorded in the compacted topic
`notify.state`, keyed by route, alert id, kind and the article that raised the alert (every
alert of one event shares its alert id: a `new`, then `updated` and `corroborated` ones), so
a restart, a new `--group`, `--from-beginning` or an alert the worker wrote twice sends
nothing twice (the record carries the alert's trace id in its headers). Delivery is at least
once: a process killed between a service accepting an alert and the record of it sends that
one alert again. The topics and groups are behind the settings' prefix (`settings.names`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from axiswatch import clients, metrics
from axiswatch.alertfilter import AlertFilter, escape_controls
from axiswatch.compacted import read_to_end
from axiswatch.exceptions import InputError
from axiswatch.settings import Settings
from schemas.headers import record_headers, trace_id
from schemas.topics import ALERTS, NOTIFY_STATE

__all__ = [
    "ALERTS_TOPIC",
    "DEFAULT_GROUP",
    "STATE_TOPIC",
    "Notifier",
    "Route",
    "RouteReport",
    "RouteWorker",
    "SentLog",
    "Start",
    "load_routes",
    "message_for",
    "run_notify",
    "sent_key",
]

log = logging.getLogger("axiswatch.notify")

# The catalogue's names; on the cluster: settings.names.alerts and .notify_state.
ALERTS_TOPIC = ALERTS
STATE_TOPIC = NOTIFY_STATE
DEFAULT_GROUP = "axiswatch-notify"
MAX_ROUTES = 100
ROUTE_KEYS = (
    "name",
    "url",
    "categories",
    "kinds",
    "actors",
    "languages",
    "min_confidence",
    "min_sources",
)
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_URL_FORMS = (
    "json://HOST:PORT/PATH (the alert as JSON), slack://TOKEN_A/TOKEN_B/TOKEN_C/#CHANNEL, "
    "msteams://..., tgram://BOT_TOKEN/CHAT_ID, mailto://USER:PASSWORD@HOST?to=ADDRESS; every "
    "form: https://github.com/caronc/apprise/wiki"
)


# ----------------------------------------------------------------------------- routes file
@dataclass(frozen=True)
class Route:
    """One `[[routes]]` table. `url` may hold secrets (tokens, passwords): show `display`."""

    name: str
    url: str = field(repr=False)
    filter: AlertFilter = field(default_factory=AlertFilter)
    line: int = 0
    display: str = ""


def load_routes(path: str | Path, env: Mapping[str, str] | None = None) -> list[Route]:
    """Read a routes file; raise `InputError` naming the file, the line, the route, the field
    and what to write instead."""
    path = Path(path)
    env = os.environ if env is None else env
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"{path}: no such routes file; pass --routes FILE (deploy/routes.example.toml is "
            "an example to copy)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"{path}: not valid TOML: {exc}. Each route is a table such as\n"
            '  [[routes]]\n  name = "desk"\n  url = "json://127.0.0.1:8000/alerts"'
        ) from exc
    lines = text.splitlines()
    unknown = sorted(set(data) - {"routes"})
    if unknown:
        raise InputError(
            f"{path}:{_line_of(lines, unknown[0])}: unknown top-level key(s) {unknown}; the "
            "file holds [[routes]] tables only"
        )
    tables = data.get("routes")
    if not isinstance(tables, list) or not tables:
        raise InputError(
            f"{path}: no routes; add a [[routes]] table with name and url, e.g.\n"
            '  [[routes]]\n  name = "desk"\n  url = "json://127.0.0.1:8000/alerts"'
        )
    if len(tables) > MAX_ROUTES:
        raise InputError(f"{path}: {len(tables)} routes; at most {MAX_ROUTES} are allowed")
    starts = _table_lines(lines)
    routes: list[Route] = []
    seen: dict[str, int] = {}
    for number, table in enumerate(tables, 1):
        start = starts[number - 1] if number <= len(starts) else 0
        end = starts[number] if number < len(starts) else len(lines) + 1
        route = _route_from(table, path, number, start, lines[start:end] if start else [], env)
        if route.name in seen:
            raise InputError(
                f"{path}:{start}: route {route.name!r} is named twice (first at line "
                f"{seen[route.name]}): give each route its own name; the name is its identity "
                "(consumer group, record of what was sent, metrics)"
            )
        seen[route.name] = start
        routes.append(route)
    return routes


def _table_lines(lines: list[str]) -> list[int]:
    """1-based line numbers of the `[[routes]]` headers, in order."""
    header = re.compile(r"^\s*\[\[\s*routes\s*\]\]")
    return [n for n, line in enumerate(lines, 1) if header.match(line)]


def _line_of(lines: list[str], key: str, offset: int = 0) -> int:
    """The line (1-based, in the whole file) where `key = ...` is written in `lines`, which
    start at line `offset + 1`; else `offset` (the table's own line)."""
    pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=|^\s*\[+\s*{re.escape(key)}\b""")
    for n, line in enumerate(lines, 1):
        if pattern.match(line):
            return offset + n
    return max(offset, 1)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _route_from(
    table: Any, path: Path, number: int, start: int, lines: list[str], env: Mapping[str, str]
) -> Route:
    import difflib

    import apprise

    def fail(key: str | None, message: str) -> InputError:
        line = _line_of(lines, key, start) if key and lines else start
        name = table.get("name") if isinstance(table, dict) else None
        who = f"route {name!r}" if isinstance(name, str) else "route"
        return InputError(
            f"{path}:{line or '?'}: {who} (the {_ordinal(number)} [[routes]]): "
            f"{key + ': ' if key else ''}{message}"
        )

    if not isinstance(table, dict):
        raise fail(None, "expected a [[routes]] table")
    for key in table:
        if key not in ROUTE_KEYS:
            close = difflib.get_close_matches(key, ROUTE_KEYS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise fail(key, f"unknown key; {hint}a route has {', '.join(ROUTE_KEYS)}")
    name = table.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise fail(
            "name",
            f"{'missing' if name is None else repr(name) + ' is not a lowercase slug'}: write "
            'name = "desk" (lowercase letters, digits, "-" and "_", at most 64)',
        )
    url = table.get("url")
    if not isinstance(url, str) or not url.strip():
        raise fail("url", 'missing: write url = "json://127.0.0.1:8000/alerts" or another '
                   f"apprise URL: {_URL_FORMS}")  # fmt: skip
    url = url.strip()
    missing = [var for var, default in _VAR_RE.findall(url) if not env.get(var) and not default]
    if missing:
        raise fail(
            "url",
            f"uses ${{{missing[0]}}}, which is not set: export {missing[0]}=... (keep tokens "
            "and passwords out of the file this way), give a default (${VAR:-json://...}) or "
            "write the URL itself",
        )
    url = _VAR_RE.sub(lambda m: env.get(m.group(1)) or m.group(2), url)
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    plugin = apprise.Apprise.instantiate(url, asset=_asset(), suppress_exceptions=True)
    if plugin is None:
        if not scheme:
            what = "is not a URL (no scheme://)"
        elif scheme not in _known_schemes():
            what = f"has the scheme {scheme}://, which apprise does not know"
        else:
            what = f"is not a {scheme}:// URL apprise can use (a part is missing or malformed)"
        raise fail("url", f"{what}. Forms: {_URL_FORMS}")
    filters: dict[str, Any] = {}
    for key in ("categories", "kinds", "actors", "languages"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            example = {
                "categories": '["military", "cyber"]',
                "kinds": '["new", "updated"]',
                "actors": '["kim_jong_un", "lazarus"]',
                "languages": '["en", "ko"]',
            }[key]
            raise fail(key, f"must be a list of strings, e.g. {key} = {example}")
        filters[key] = value
    try:
        route_filter = AlertFilter.build(
            **filters,
            min_confidence=table.get("min_confidence"),
            min_sources=table.get("min_sources"),
        )
    except InputError as exc:
        message = str(exc)
        key = next((k for k in ROUTE_KEYS[2:] if message.startswith(k)), None)
        key = key or next(
            (k for k, word in _FILTER_WORDS.items() if word in message and k in table), None
        )
        raise fail(key, message) from None
    return Route(
        name=name,
        url=url,
        filter=route_filter,
        line=start,
        display=plugin.url(privacy=True).split("?", 1)[0],
    )


_FILTER_WORDS = {
    "categories": "category",
    "kinds": "kind",
    "actors": "actor",
    "languages": "language",
}


def _known_schemes() -> set[str]:
    from apprise.manager_plugins import NotificationManager

    return {s.lower() for s in NotificationManager().schemas()}


def _asset():
    import apprise

    return apprise.AppriseAsset(
        app_id="axiswatch",
        app_desc="axiswatch alerts",
        app_url="https://github.com/axiswatch",
        async_mode=False,
    )


# ----------------------------------------------------------------------------- messages
def sent_key(alert: Mapping[str, Any]) -> str:
    """What tells one alert from another: the alert id (the event's), the kind, and the
    article whose report raised it."""
    return "|".join(str(alert.get(part) or "-") for part in ("alert_id", "kind", "article_id"))


def message_for(alert: Mapping[str, Any]) -> tuple[str, str]:
    """The title and the plain-text body a person gets, with control characters escaped."""
    from axiswatch.alertfilter import safe_alert
    from axiswatch.alerttext import format_event

    a = safe_alert(dict(alert))
    kind = a.get("kind")
    marker = {"new": "NEW", "updated": "UPDATED"}.get(
        kind, f"CORROBORATED, {a.get('source_count', 1)} sources"
    )
    title = f"[{marker}] {str(a.get('category', '?')).upper()}: {a.get('title') or a.get('action')}"
    actors = ", ".join(x.get("name", x.get("id", "?")) for x in a.get("actors") or [])
    lines = [
        f"“{a.get('evidence', '')}”" + ("  (hedged)" if a.get("hedged") else ""),
        "",
        f"event: {format_event(a)}",
    ]
    if a.get("changes"):
        lines.append(f"adds: {', '.join(a['changes'])}")
    lines += [
        f"actors: {actors}",
        f"source: {a.get('source')}  published: {a.get('published_at') or '-'}",
    ]
    if a.get("url"):
        lines.append(str(a["url"]))
    lines.append(
        f"alert {a.get('alert_id')}  story {a.get('story_id')}  confidence {a.get('confidence')}"
    )
    return title[:250], "\n".join(lines)


class Notifier:
    """One route's apprise client (kept, so a service's own rate limit is honoured)."""

    def __init__(self, url: str) -> None:
        import apprise
        from apprise.plugins.custom_json import NotifyJSON

        plugin = apprise.Apprise.instantiate(url, asset=_asset(), suppress_exceptions=True)
        if plugin is None:
            raise InputError("apprise cannot use this route's URL")
        self.plugin = plugin
        self._json = isinstance(plugin, NotifyJSON)

    def send(self, alert: Mapping[str, Any]) -> bool:
        """True once the service accepted the alert."""
        from apprise import NotifyFormat

        title, body = message_for(alert)
        if self._json:
            # json:// posts apprise's document (version, title, message, type) with the
            # alert itself, as the alerts topic has it, under "alert".
            self.plugin.payload_extras["alert"] = dict(alert)
        try:
            return bool(self.plugin.notify(body=body, title=title, body_format=NotifyFormat.TEXT))
        except Exception as exc:  # a plugin's bug must not end the route
            log.warning("apprise raised %s: %s", type(exc).__name__, exc)
            return False


# ----------------------------------------------------------------------------- sent record
class SentLog:
    """Which alerts each route delivered, kept in the compacted topic `notify.state`."""

    def __init__(self, settings: Settings, producer: Any = None, topic: str | None = None):
        self.settings, self.producer = settings, producer
        self.topic = topic or settings.names.notify_state
        self._sent: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def load(self, timeout: float = 60.0) -> int:
        """Read the topic from its start to its current end; returns the records read."""

        consumer = clients.consumer(self.settings.kafka, group_id=None, enable_auto_commit=False)
        try:
            return read_to_end(consumer, self.topic, lambda m: self._apply(m.key, m.value), timeout)
        finally:
            consumer.close()

    def _apply(self, key: bytes | None, value: bytes | None) -> None:
        kind, _, rest = (key or b"").decode("utf-8", "replace").partition("|")
        route, _, alert = rest.partition("|")
        if kind != "sent" or not route or not alert:
            return
        with self._lock:
            if value is None:
                self._sent.get(route, set()).discard(alert)
            else:
                self._sent.setdefault(route, set()).add(alert)

    def seen(self, route: str, key: str) -> bool:
        with self._lock:
            return key in self._sent.get(route, ())

    def record(
        self,
        route: str,
        alert: Mapping[str, Any],
        partition: int,
        offset: int,
        trace: str | None = None,
    ) -> None:
        """Write the record (waiting for the broker), then remember it. `trace`: the trace id
        of the alert's record."""
        from schemas.topics import NotifyStateRecord

        key = sent_key(alert)
        value = NotifyStateRecord(
            route=route,
            alert_id=str(alert.get("alert_id") or "-"),
            kind=str(alert.get("kind") or "-"),
            article_id=str(alert.get("article_id") or "-"),
            sent_at=datetime.now(UTC),
            topic=self.settings.names.alerts,
            partition=partition,
            offset=offset,
        )
        if self.producer is not None:
            self.producer.send(
                self.topic,
                key=f"sent|{route}|{key}".encode(),
                value=value.model_dump_json().encode("utf-8"),
                headers=record_headers(value, trace),
            ).get(timeout=30)
        with self._lock:
            self._sent.setdefault(route, set()).add(key)


# ----------------------------------------------------------------------------- routes at work
@dataclass(frozen=True)
class Start:
    """Where a route with no committed position starts: the end (only alerts from now on),
    the oldest alert, or the first alert at or after `since`."""

    from_beginning: bool = False
    since: datetime | None = None

    def describe(self) -> str:
        if self.since:
            return f"since {self.since.isoformat()}"
        return "from the oldest alert" if self.from_beginning else "from new alerts on"


@dataclass
class RouteReport:
    name: str
    sent: int = 0
    failed_attempts: int = 0
    undelivered: bool = False
    error: str | None = None


class RouteWorker(threading.Thread):
    """Reads the alerts topic for one route and delivers what matches, in order; a delivery
    that fails is retried with backoff (1 s, doubling, at most `max_backoff`) before the route
    reads on. With `once`: up to the end the topic had at the start, and at most
    `once_attempts` tries per alert."""

    def __init__(
        self,
        route: Route,
        settings: Settings,
        sent: SentLog,
        *,
        group: str,
        start: Start,
        stop: threading.Event,
        once: bool = False,
        max_backoff: float = 300.0,
        once_attempts: int = 4,
        notifier: Callable[[str], Notifier] = Notifier,
        say: Callable[[str], None] = lambda text: None,
    ) -> None:
        super().__init__(name=f"notify-{route.name}", daemon=True)
        self.route, self.settings, self.sent = route, settings, sent
        self.group = settings.names.group(f"{group}.{route.name}")
        self.topic = settings.names.alerts
        self.start_at, self.stop_event, self.once = start, stop, once
        self.max_backoff, self.once_attempts = max_backoff, once_attempts
        self.notifier = notifier(route.url)
        self.say = say
        self.report = RouteReport(route.name)
        self._lag_at = 0.0
        for series in (metrics.NOTIFY_SENT, metrics.NOTIFY_FAILURES, metrics.NOTIFY_LAG):
            series.labels(route=route.name)  # every route's series exists from the start

    # -- thread
    def run(self) -> None:
        failures = 0
        while not self.stop_event.is_set():
            try:
                self._run()
                return
            except _GiveUp:
                # With --once an alert is left undelivered; otherwise the route was stopped
                # while retrying, and the next run goes on from that alert.
                self.report.undelivered = self.once
                return
            except Exception as exc:  # Kafka unreachable, a commit refused: start over
                failures += 1
                self.report.error = f"{type(exc).__name__}: {exc}"
                if self.once:
                    self.report.undelivered = True
                    log.error("route %s: %s", self.route.name, self.report.error)
                    return
                delay = min(self.max_backoff, 2.0 ** min(failures, 10))
                log.warning(
                    "route %s: %s; reading the alerts again in %.0fs",
                    self.route.name,
                    self.report.error,
                    delay,
                )
                self.stop_event.wait(delay)

    def _run(self) -> None:
        consumer = clients.committed_reader(self.settings.kafka, self.group)
        try:
            tps = clients.assign_all(consumer, self.topic)
            self._position(consumer, tps)
            positions = {tp.partition: consumer.position(tp) for tp in tps}
            self.say(
                f"route {self.route.name}: reading {self.topic} as group {self.group} from "
                f"offset {', '.join(str(p) for p in positions.values())} "
                f"({self.route.filter.describe()}) to {self.route.display}"
            )
            targets = consumer.end_offsets(tps) if self.once else None
            while not self.stop_event.is_set():
                if targets and all(consumer.position(tp) >= targets[tp] for tp in tps):
                    self._lag(consumer, tps, force=True)
                    return
                batches = consumer.poll(timeout_ms=500, max_records=100)
                for tp, messages in batches.items():
                    done = None
                    for message in messages:
                        sent = self._deliver(message)
                        if sent is None:
                            # Stopping: the undelivered alert is read again next time.
                            if done is not None:
                                consumer.commit({tp: _offset(done)})
                            raise _GiveUp
                        done = message.offset + 1
                        if sent:  # the position moves with every delivery
                            consumer.commit({tp: _offset(done)})
                            done = None
                    if done is not None:
                        consumer.commit({tp: _offset(done)})
                self._lag(consumer, tps, force=bool(batches))
        finally:
            consumer.close()

    def _position(self, consumer: Any, tps: list[Any]) -> None:
        """Committed offsets where the group has them, else `start_at`."""
        fresh = []
        for tp in tps:
            committed = consumer.committed(tp)
            if committed is not None and committed >= 0:
                consumer.seek(tp, committed)
            else:
                fresh.append(tp)
        if not fresh:
            return
        if self.start_at.since is not None:
            ms = int(self.start_at.since.timestamp() * 1000)
            found = consumer.offsets_for_times({tp: ms for tp in fresh})
            ends = consumer.end_offsets(fresh)
            for tp in fresh:
                consumer.seek(tp, found[tp].offset if found.get(tp) else ends[tp])
        elif self.start_at.from_beginning:
            consumer.seek_to_beginning(*fresh)
        else:
            for tp, end in consumer.end_offsets(fresh).items():
                consumer.seek(tp, end)

    def _lag(self, consumer: Any, tps: list[Any], force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._lag_at < 5:
            return
        self._lag_at = now
        ends = consumer.end_offsets(tps)
        lag = sum(max(0, ends[tp] - consumer.position(tp)) for tp in tps)
        metrics.NOTIFY_LAG.labels(route=self.route.name).set(lag)

    def _deliver(self, message: Any) -> bool | None:
        """Send the alert if it is for this route and not sent yet: True if sent now, False if
        there was nothing to send, None if stopped (or, with `once`, given up) before it was
        delivered."""
        try:
            alert = json.loads(message.value or b"")
        except ValueError:
            alert = None
        if not isinstance(alert, dict) or not alert.get("alert_id"):
            log.warning(
                "route %s: skipped the unreadable record at %s offset %d",
                self.route.name,
                self.topic,
                message.offset,
            )
            return False
        if not self.route.filter.matches(alert):
            return False
        key = sent_key(alert)
        if self.sent.seen(self.route.name, key):
            return False
        attempt = 0
        while True:
            if self.notifier.send(alert):
                self.sent.record(
                    self.route.name,
                    alert,
                    message.partition,
                    message.offset,
                    trace_id(getattr(message, "headers", None)),
                )
                metrics.NOTIFY_SENT.labels(route=self.route.name).inc()
                self.report.sent += 1
                self.say(f"route {self.route.name}: sent {escape_controls(key)}")
                return True
            attempt += 1
            self.report.failed_attempts += 1
            metrics.NOTIFY_FAILURES.labels(route=self.route.name).inc()
            if self.once and attempt >= self.once_attempts:
                log.error(
                    "route %s: alert %s not delivered after %d attempts; the next run tries "
                    "again (the route's position stays before it)",
                    self.route.name,
                    escape_controls(key),
                    attempt,
                )
                return None
            delay = min(self.max_backoff, 2.0 ** (attempt - 1))
            log.warning(
                "route %s: delivering alert %s to %s failed (attempt %d); retrying in %gs",
                self.route.name,
                escape_controls(key),
                self.route.display,
                attempt,
                delay,
            )
            if self.stop_event.wait(delay):
                return None


class _GiveUp(Exception):
    """The route stops before an alert was delivered."""


def _offset(offset: int) -> Any:
    from kafka.structs import OffsetAndMetadata

    return OffsetAndMetadata(offset, "", -1)


# ----------------------------------------------------------------------------- the command
def run_notify(
    settings: Settings,
    routes: Iterable[Route],
    *,
    group: str = DEFAULT_GROUP,
    start: Start = Start(),
    once: bool = False,
    max_backoff: float = 300.0,
    say: Callable[[str], None] = print,
) -> int:
    """Run every route until SIGTERM/Ctrl-C (or, with `once`, until each has dealt with the
    alerts the topic held at the start). Returns the exit status: 1 if a route was left with
    an undelivered alert."""

    from axiswatch.connection import check_login
    from axiswatch.topics import ensure_topics

    routes = list(routes)
    check_login(settings.kafka)
    ensure_topics(settings)
    producer = clients.make_producer(settings.kafka, linger_ms=0)
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        sent = SentLog(settings, producer)
        count = sent.load()
        say(f"{count} delivery record(s) read from {sent.topic}; {len(routes)} route(s)")
        workers = [
            RouteWorker(
                route,
                settings,
                sent,
                group=group,
                start=start,
                stop=stop,
                once=once,
                max_backoff=max_backoff,
                say=say,
            )
            for route in routes
        ]
        for worker in workers:
            worker.start()
        while any(w.is_alive() for w in workers) and not stop.is_set():
            stop.wait(0.5)
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        producer.close(timeout=10)
    status = 0
    for worker in workers:
        report = worker.report
        state = "ALERTS LEFT UNDELIVERED" if report.undelivered else "ok"
        say(
            f"route {report.name}: {report.sent} sent, {report.failed_attempts} failed "
            f"attempt(s): {state}"
        )
        status = 1 if report.undelivered else status
    return status
