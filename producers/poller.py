"""The feed poller behind `axiswatch poll`: fetch, parse, publish each new entry once.

Each feed is polled in a worker thread of a pool, so a feed that hangs costs one thread for
at most its timeout and never delays the others. A feed's next poll comes `interval` seconds
(±10 % jitter) after the last one; after errors the wait doubles per consecutive failure (up
to six hours, or the interval if longer), and never ends before a server's Retry-After.

Publishing: an entry is new when its key (guid, else link, else content hash) is not in the
state store, and updated when its digest changed; an update keeps the article id it was first
published under. Articles are written to `articles.raw` and acknowledged first, then recorded
in the state store, then the feed's validators (ETag, Last-Modified) are kept: a crash in
between can publish an article twice (same article id, which consumers de-duplicate) but
never loses one.
"""

from __future__ import annotations

import dataclasses
import heapq
import json
import logging
import queue
import random
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from kafka.errors import KafkaError
from prometheus_client import Histogram

from axiswatch import metrics
from axiswatch.clients import MAX_MESSAGE_BYTES
from axiswatch.exceptions import InputError
from producers.feeds import FeedConfig, FeedParseError, load_feeds, parse_feed
from producers.feedstate import (
    EntryState,
    FeedStatus,
    KafkaStateStore,
    MemoryStateStore,
    StateError,
    entry_key_hash,
)
from producers.fetch import USER_AGENT, FetchError, FetchPolicy, FetchResult, fetch
from schemas.headers import new_trace_id, record_headers
from schemas.models import RawArticle
from schemas.topics import RAW

__all__ = [
    "JITTER",
    "MAX_BACKOFF",
    "PRUNE_AFTER",
    "FeedRun",
    "KafkaPublisher",
    "Poller",
    "format_status",
    "run_poll_command",
]

log = logging.getLogger("axiswatch.poll")

JITTER = 0.1
MAX_BACKOFF = 6 * 3600.0
# An entry that has left its feed is forgotten this long after it was published.
PRUNE_AFTER = timedelta(days=14)
DEFAULT_WORKERS = 32

SCHEDULE_LAG = Histogram(
    "axiswatch_feed_schedule_lag_seconds",
    "How late a feed poll started after it was due (a poller falling behind shows here).",
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Publisher(Protocol):
    def publish(self, articles: Sequence[RawArticle]) -> list[str | None]:
        """Write the articles; one error text (or None for written) per article."""
        ...


class KafkaPublisher:
    """Writes articles to `topic`, the raw articles' topic (key `article_id`), each with a new
    trace id (`schemas.headers`), and waits for the acknowledgements."""

    def __init__(self, producer: Any, topic: str = RAW, timeout: float = 120.0):
        self.producer = producer
        self.topic = topic
        self.timeout = timeout

    def publish(self, articles: Sequence[RawArticle]) -> list[str | None]:
        futures: list[Future | str] = []
        for article in articles:
            try:
                futures.append(
                    self.producer.send(
                        self.topic,
                        key=article.article_id.encode(),
                        value=_fit(article),
                        headers=record_headers(RawArticle, new_trace_id()),
                    )
                )
            except KafkaError as exc:
                futures.append(f"not sent to {self.topic}: {exc}")
        errors: list[str | None] = []
        for future in futures:
            if isinstance(future, str):
                errors.append(future)
                continue
            try:
                future.get(timeout=self.timeout)
                errors.append(None)
            except KafkaError as exc:
                errors.append(f"not written to {self.topic}: {exc}")
        return errors


def _fit(article: RawArticle) -> bytes:
    """The article's bytes, its body shortened if the message would exceed the topic's limit."""
    value = article.to_bytes()
    while len(value) > MAX_MESSAGE_BYTES and article.body:
        article = article.model_copy(update={"body": article.body[: len(article.body) * 9 // 10]})
        value = article.to_bytes()
    return value


@dataclass(slots=True)
class FeedRun:
    """What one poll of one feed did."""

    feed: str
    result: str = "error"  # ok | not_modified | error | skipped
    new: int = 0
    updated: int = 0
    entries: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    lag: float = 0.0

    @property
    def published(self) -> int:
        return self.new + self.updated

    def describe(self) -> str:
        """One line, then one indented line per warning."""
        if self.result == "skipped":
            return f"skip   {self.feed}: {'; '.join(self.warnings)}"
        if self.result == "error":
            line = f"error  {self.feed}: {self.error}"
        elif self.result == "not_modified":
            line = f"304    {self.feed}: not modified ({self.elapsed:.2f}s)"
        else:
            line = (
                f"ok     {self.feed}: {self.new} new, {self.updated} updated of {self.entries} "
                f"entries ({self.elapsed:.2f}s)"
            )
        return "\n".join([line, *(f"         warning: {w}" for w in self.warnings)])


Fetcher = Callable[..., FetchResult]


class Poller:
    """Polls a list of feeds into a publisher, remembering what it published in a store."""

    def __init__(
        self,
        feeds: Iterable[FeedConfig],
        publisher: Publisher,
        store: MemoryStateStore,
        *,
        allow_file: bool = False,
        workers: int = DEFAULT_WORKERS,
        user_agent: str = USER_AGENT,
        fetcher: Fetcher = fetch,
        prune_after: timedelta = PRUNE_AFTER,
        startup_spread: float = 30.0,
        rng: random.Random | None = None,
    ) -> None:
        self.feeds = {feed.name: feed for feed in feeds}
        self.publisher = publisher
        self.store = store
        self.allow_file = allow_file
        self.workers = max(1, workers)
        self.user_agent = user_agent
        self.fetcher = fetcher
        self.prune_after = prune_after
        self.startup_spread = startup_spread
        self.rng = rng or random.Random()
        self.log_runs = True  # log each run (off when the caller prints them)
        self._stop = threading.Event()
        self._done: queue.Queue = queue.Queue()
        for feed in self.feeds.values():
            status = store.feed_status(feed.name)
            if status is not None:
                _export_status(metrics.bounded(feed.name), status)

    # ------------------------------------------------------------------------- one feed
    def poll_feed(self, feed: FeedConfig) -> FeedRun:
        """Fetch, parse and publish one feed; record its state. Never raises."""
        started = time.monotonic()
        now = _utcnow()
        stored = self.store.feed_status(feed.name)
        status = dataclasses.replace(stored) if stored else FeedStatus(feed.name, url=feed.url)
        if status.url != feed.url:  # a new address: the old validators do not apply
            status.url, status.etag, status.last_modified = feed.url, None, None
        status.last_attempt_at = now
        run = FeedRun(feed.name)
        try:
            self._poll(feed, status, run, now)
        except Exception as exc:  # a bug in one feed's handling must not stop the others
            log.exception("feed %s: unexpected error", feed.name)
            _fail(status, run, f"internal error: {type(exc).__name__}: {exc}", now)
        status.last_warning = "; ".join(run.warnings)[:1000] or None
        try:
            self.store.record_feed(status)
        except StateError as exc:
            run.warnings.append(str(exc))
        run.elapsed = time.monotonic() - started
        self._observe(feed, status, run)
        return run

    def _poll(self, feed: FeedConfig, status: FeedStatus, run: FeedRun, now: datetime) -> None:
        policy = FetchPolicy(
            timeout=feed.timeout,
            max_bytes=feed.max_bytes,
            allow_file=self.allow_file,
            user_agent=self.user_agent,
        )
        try:
            result = self.fetcher(
                feed.url, policy, etag=status.etag, last_modified=status.last_modified
            )
        except FetchError as exc:
            _fail(status, run, str(exc), now, exc.retry_after)
            return
        if result.moved_to:
            run.warnings.append(
                f"{feed.url} moved permanently to {result.moved_to}; update the feed list"
            )
        if result.not_modified:
            run.result = "not_modified"
            _succeed(status, now)
            return
        try:
            parsed = parse_feed(
                result.body,
                feed,
                content_type=result.headers.get("content-type"),
                content_language=result.headers.get("content-language"),
                fetched_at=now,
            )
        except FeedParseError as exc:
            _fail(status, run, str(exc), now)
            return
        run.warnings.extend(parsed.warnings)
        if parsed.skipped:
            run.warnings.append(f"{len(parsed.skipped)} entries unusable: {parsed.skipped[0]}")
        run.entries = len(parsed.entries)
        failures = self._publish_new(feed, parsed.entries, run, status, now)
        status.entries_in_feed = len(parsed.entries)
        if failures:
            # Keep the old validators: the next fetch must see these entries again.
            _fail(status, run, failures, now)
            return
        status.etag, status.last_modified = result.etag, result.last_modified
        run.result = "ok"
        _succeed(status, now)

    def _publish_new(
        self, feed: FeedConfig, entries: list, run: FeedRun, status: FeedStatus, now: datetime
    ) -> str | None:
        known = self.store.entries(feed.name)
        pending: list[tuple[str, Any, RawArticle, bool]] = []
        present: set[str] = set()
        for entry in entries:
            key_hash = entry_key_hash(entry.key)
            present.add(key_hash)
            old = known.get(key_hash)
            if old is None:
                pending.append((key_hash, entry, entry.article, False))
            elif old.digest != entry.digest:
                article = entry.article.model_copy(update={"article_id": old.article_id})
                pending.append((key_hash, entry, article, True))
        errors = self.publisher.publish([p[2] for p in pending]) if pending else []
        written: dict[str, EntryState] = {}
        failed: list[str] = []
        for (key_hash, entry, article, update), error in zip(pending, errors, strict=True):
            if error:
                failed.append(error)
                continue
            written[key_hash] = EntryState(article.article_id, entry.digest, now, entry.key)
            if update:
                run.updated += 1
            else:
                run.new += 1
        status.items_published += len(written)
        if written:
            try:
                self.store.record_entries(feed.name, written)
            except StateError as exc:
                failed.append(f"published but not recorded ({exc}); they may be published again")
        cutoff = now - self.prune_after
        stale = [h for h, e in known.items() if h not in present and e.recorded_at < cutoff]
        if stale:
            try:
                self.store.forget(feed.name, stale)
            except StateError as exc:
                run.warnings.append(str(exc))
        if failed:
            return f"{len(failed)} of {len(pending)} entries not published: {failed[0]}"
        return None

    def _observe(self, feed: FeedConfig, status: FeedStatus, run: FeedRun) -> None:
        label = metrics.bounded(feed.name)
        if run.result != "skipped":
            result = run.result if run.result in ("ok", "not_modified") else "error"
            metrics.FEED_FETCHES.labels(feed=label, result=result).inc()
        if run.published:
            metrics.FEED_ITEMS.labels(feed=label).inc(run.published)
            metrics.ARTICLES_OUT.labels(stage="poll", source=metrics.bounded(feed.source_name)).inc(
                run.published
            )
        _export_status(label, status)
        if not self.log_runs:
            return
        if run.result == "error":
            log.warning("feed %s: %s", feed.name, run.error)
        elif run.result in ("ok", "not_modified"):
            log.info("%s", run.describe())
        for warning in run.warnings:
            log.warning("feed %s: %s", feed.name, warning)

    # ------------------------------------------------------------------------- scheduling
    def next_delay(self, feed: FeedConfig, status: FeedStatus | None, jitter: bool = True) -> float:
        """Seconds until the feed's next poll: its interval, doubled per consecutive failure
        (capped), with jitter, and not before a server's Retry-After."""
        failures = min(status.consecutive_failures if status else 0, 30)
        delay = feed.interval
        if failures:
            delay = min(feed.interval * 2 ** (failures - 1), max(feed.interval, MAX_BACKOFF))
        if jitter:
            delay *= self.rng.uniform(1 - JITTER, 1 + JITTER)
        if status and status.not_before:
            delay = max(delay, (status.not_before - _utcnow()).total_seconds())
        return delay

    def _first_delay(self, feed: FeedConfig) -> float:
        """After a start: spread the feeds out, and wait for those polled recently."""
        spread = self.rng.uniform(0, min(feed.interval, self.startup_spread))
        status = self.store.feed_status(feed.name)
        if status is None or status.last_attempt_at is None:
            return spread
        since = (_utcnow() - status.last_attempt_at).total_seconds()
        return max(self.next_delay(feed, status, jitter=False) - since, spread)

    def _waiting(self, feed: FeedConfig) -> datetime | None:
        status = self.store.feed_status(feed.name)
        if status and status.not_before and status.not_before > _utcnow():
            return status.not_before
        return None

    def run_once(self, on_run: Callable[[FeedRun], None] | None = None) -> list[FeedRun]:
        """Poll every feed once, concurrently (feeds whose server asked to wait are skipped);
        the runs in feed-list order."""
        runs: dict[str, FeedRun] = {}
        todo = []
        for feed in self.feeds.values():
            until = self._waiting(feed)
            if until is None:
                todo.append(feed)
                continue
            run = FeedRun(feed.name, "skipped")
            run.warnings.append(f"the server asked to wait until {_iso(until)}")
            runs[feed.name] = run
            if on_run:
                on_run(run)
        if todo:
            with ThreadPoolExecutor(min(self.workers, len(todo)), "feed") as pool:
                futures = {pool.submit(self.poll_feed, feed): feed for feed in todo}
                for future in as_completed(futures):
                    run = future.result()
                    runs[run.feed] = run
                    if on_run:
                        on_run(run)
        return [runs[name] for name in self.feeds]

    def run_forever(self, on_run: Callable[[FeedRun], None] | None = None) -> None:
        """Poll each feed on its own schedule until `stop()`."""
        self._stop.clear()
        heap: list[tuple[float, int, str]] = []
        order = {name: i for i, name in enumerate(self.feeds)}
        start = time.monotonic()
        for name, feed in self.feeds.items():
            heapq.heappush(heap, (start + self._first_delay(feed), order[name], name))
        with ThreadPoolExecutor(self.workers, "feed") as pool:
            try:
                while not self._stop.is_set():
                    now = time.monotonic()
                    while heap and heap[0][0] <= now:
                        due, _, name = heapq.heappop(heap)
                        future = pool.submit(self._scheduled, self.feeds[name], due)
                        future.add_done_callback(lambda f, n=name: self._done.put((n, f)))
                    wait = min(heap[0][0] - now, 1.0) if heap else 1.0
                    try:
                        item = self._done.get(timeout=max(0.0, wait))
                    except queue.Empty:
                        continue
                    while item is not None:
                        name, future = item
                        try:
                            run = future.result()
                            if on_run:
                                on_run(run)
                        except Exception:  # never lose a feed from the schedule
                            log.exception("feed %s: unexpected error after its poll", name)
                        feed = self.feeds[name]
                        delay = self.next_delay(feed, self.store.feed_status(name))
                        heapq.heappush(heap, (time.monotonic() + delay, order[name], name))
                        try:
                            item = self._done.get_nowait()
                        except queue.Empty:
                            item = None
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

    def _scheduled(self, feed: FeedConfig, due: float) -> FeedRun:
        lag = max(0.0, time.monotonic() - due)
        SCHEDULE_LAG.observe(lag)
        run = self.poll_feed(feed)
        run.lag = lag
        return run

    def stop(self) -> None:
        """Stop `run_forever` once the polls in progress end (each within its timeout)."""
        self._stop.set()
        self._done.put(None)


def _succeed(status: FeedStatus, now: datetime) -> None:
    status.last_success_at = now
    status.consecutive_failures = 0
    status.not_before = None


def _fail(
    status: FeedStatus,
    run: FeedRun,
    message: str,
    now: datetime,
    retry_after: float | None = None,
) -> None:
    run.result = "error"
    run.error = message
    status.last_error_at = now
    status.last_error = message[:1000]
    status.consecutive_failures += 1
    status.not_before = now + timedelta(seconds=retry_after) if retry_after else None


def _export_status(label: str, status: FeedStatus) -> None:
    if status.last_success_at:
        metrics.FEED_LAST_SUCCESS.labels(feed=label).set(status.last_success_at.timestamp())
    if status.last_error_at:
        metrics.FEED_LAST_ERROR.labels(feed=label).set(status.last_error_at.timestamp())
    if status.up is not None:
        metrics.FEED_UP.labels(feed=label).set(1 if status.up else 0)


# ----------------------------------------------------------------------------- status
def _iso(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when else "-"


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "-"
    seconds = int((now - when).total_seconds())
    if seconds < 0:
        return f"{_iso(when)} (in {-seconds}s)"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{_iso(when)} ({seconds // size}{unit} ago)"
    return f"{_iso(when)} ({seconds}s ago)"


def status_rows(feeds: Sequence[FeedConfig], store: MemoryStateStore) -> list[dict[str, Any]]:
    """Each configured feed's state as a plain dict (the JSON of `poll --status --json`)."""
    rows = []
    for feed in feeds:
        status = store.feed_status(feed.name) or FeedStatus(feed.name)
        up = status.up
        rows.append(
            {
                "feed": feed.name,
                "url": feed.url,
                "state": "never polled" if up is None else ("up" if up else "down"),
                "last_attempt_at": _iso(status.last_attempt_at),
                "last_success_at": _iso(status.last_success_at),
                "last_error_at": _iso(status.last_error_at),
                "last_error": status.last_error,
                "last_warning": status.last_warning,
                "consecutive_failures": status.consecutive_failures,
                "not_before": _iso(status.not_before) if status.not_before else None,
                "items_published": status.items_published,
                "entries_in_feed": status.entries_in_feed,
                "entries_remembered": len(store.entries(feed.name)),
            }
        )
    return rows


def format_status(
    feeds: Sequence[FeedConfig], store: MemoryStateStore, now: datetime | None = None
) -> str:
    """A table of every configured feed: state, last success, last error, items published."""
    now = now or _utcnow()
    width = max([len(f.name) for f in feeds] + [4])
    lines = [f"{'FEED':<{width}}  {'STATE':<12}  {'LAST SUCCESS':<32}  {'LAST ERROR':<32}  ITEMS"]
    for feed in feeds:
        status = store.feed_status(feed.name) or FeedStatus(feed.name)
        up = status.up
        state = "never polled" if up is None else "up"
        if up is False:
            state = f"DOWN x{status.consecutive_failures}"
        lines.append(
            f"{feed.name:<{width}}  {state:<12}  {_ago(status.last_success_at, now):<32}  "
            f"{_ago(status.last_error_at, now):<32}  {status.items_published}"
        )
        if status.last_error and not up:
            lines.append(f"{'':<{width}}  error: {status.last_error}")
        if status.not_before and status.not_before > now:
            lines.append(f"{'':<{width}}  waiting until {_iso(status.not_before)} (Retry-After)")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- command
def run_poll_command(args: Any, settings: Any) -> int:
    """`axiswatch poll`: --status, --once, or poll until SIGTERM/Ctrl-C."""
    from axiswatch.clients import make_producer
    from axiswatch.topics import ensure_topics

    if args.json and not args.status:
        raise InputError("--json goes with --status (axiswatch poll --status --json)")
    feeds = load_feeds(args.feeds, allow_file=args.allow_file)
    if args.tag:
        wanted = set(args.tag)
        feeds = [f for f in feeds if wanted & set(f.tags)]
        if not feeds:
            raise InputError(f"no feed in {args.feeds} has the tag(s) {sorted(wanted)}")
    ensure_topics(settings)
    if args.status:
        store = KafkaStateStore(settings)
        store.load()
        if args.json:
            for row in status_rows(feeds, store):
                print(json.dumps(row, ensure_ascii=False))
        else:
            print(format_status(feeds, store))
        down = [f for f in feeds if (store.feed_status(f.name) or FeedStatus(f.name)).up is False]
        return 1 if down else 0
    producer = make_producer(settings.kafka)
    try:
        store = KafkaStateStore(settings, producer)
        store.load()
        publisher = KafkaPublisher(producer, settings.names.raw)
        poller = Poller(feeds, publisher, store, allow_file=args.allow_file, workers=args.workers)
        port = args.metrics_port if args.metrics_port is not None else settings.metrics_port
        served = metrics.serve(port, settings.metrics_host)
        if served is not None:
            print(f"metrics on http://{settings.metrics_host}:{served}/metrics", file=sys.stderr)
        if args.once:
            poller.log_runs = False
            runs = poller.run_once(on_run=lambda run: print(run.describe(), file=sys.stderr))
            return _summarise(runs, publisher.topic)
        print(
            f"polling {len(feeds)} feed(s) from {args.feeds}; Ctrl-C or SIGTERM stops",
            file=sys.stderr,
        )
        logging.getLogger("axiswatch.poll").setLevel(logging.INFO)
        _on_signals(poller.stop)
        poller.run_forever()
        return 0
    finally:
        producer.close(timeout=10)


def _summarise(runs: list[FeedRun], topic: str = RAW) -> int:
    counts = {k: sum(1 for r in runs if r.result == k) for k in ("ok", "not_modified", "error")}
    skipped = sum(1 for r in runs if r.result == "skipped")
    published = sum(r.published for r in runs)
    print(
        f"polled {len(runs)} feed(s): {counts['ok']} ok, {counts['not_modified']} not modified, "
        f"{counts['error']} failed, {skipped} skipped; published {published} article(s) "
        f"to {topic}",
        file=sys.stderr,
    )
    return 1 if counts["error"] else 0


def _on_signals(stop: Callable[[], None]) -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop())
