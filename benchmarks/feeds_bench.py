"""Feed poller benchmark against a local HTTP server on 127.0.0.1 (no other traffic).

Serves N feeds (20 items each; half change on every fetch, half answer 304 to their ETag) and
H feeds that never answer, then runs the poller's scheduler for a while and reports whether
the feeds were polled on time (schedule lag, gaps between polls), what a hung feed cost, and
the CPU used. `--once` times one pass over every feed instead.

    python3 benchmarks/feeds_bench.py --feeds 200 --interval 10 --duration 60
    python3 benchmarks/feeds_bench.py --feeds 200 --once
    python3 benchmarks/feeds_bench.py --bootstrap 127.0.0.1:9092   # publish to real Kafka

Without --bootstrap, articles go to an in-memory publisher and state to memory, so the
figures are the poller's own (fetch, parse, schedule); with it, Kafka writes are included.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The benchmark's feed server is on loopback, which the fetcher refuses by default (SSRF).
os.environ.setdefault("AXISWATCH_FETCH_ALLOW_PRIVATE", "1")

from producers.feeds import FeedConfig  # noqa: E402
from producers.feedstate import MemoryStateStore  # noqa: E402
from producers.poller import FeedRun, Poller  # noqa: E402
from tests.feeds.server import FeedServer, rss  # noqa: E402


class CountingPublisher:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def publish(self, articles):
        with self.lock:
            self.count += len(articles)
        return [None] * len(articles)


def serve_feeds(server: FeedServer, count: int, items: int) -> list[str]:
    urls = []
    for i in range(count):
        path = f"/feed/{i}"
        if i % 2:
            body = _items(i, 0, items)
            urls.append(server.add(path, body=body, etag=f'"f{i}"'))
        else:
            fetches = {"n": 0}

            def body(i=i, fetches=fetches) -> bytes:
                fetches["n"] += 1  # one new item per fetch
                return _items(i, fetches["n"], items)

            urls.append(server.add(path, body=body))
    return urls


def _items(feed: int, newest: int, count: int) -> bytes:
    return rss(
        f"Bench feed {feed}",
        [
            {
                "guid": f"f{feed}-{n}",
                "title": f"Feed {feed} item {n}: Russia and the DPRK sign protocol number {n}",
                "link": f"https://bench.example.org/{feed}/{n}",
                "description": f"<p>Item {n} of feed {feed}. " + "Body text. " * 40 + "</p>",
                "pubDate": "Tue, 10 Jun 2025 12:00:00 GMT",
            }
            for n in range(newest, newest - count, -1)
        ],
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200, help="feeds that answer (200)")
    parser.add_argument("--hung", type=int, default=2, help="feeds that never answer (2)")
    parser.add_argument("--timeout", type=float, default=2.0, help="hung feeds' timeout (2 s)")
    parser.add_argument("--interval", type=float, default=10.0, help="poll interval (10 s)")
    parser.add_argument("--duration", type=float, default=60.0, help="run time (60 s)")
    parser.add_argument("--items", type=int, default=20, help="items per feed (20)")
    parser.add_argument("--workers", type=int, default=32, help="poller threads (32)")
    parser.add_argument("--once", action="store_true", help="time one pass over every feed")
    parser.add_argument("--bootstrap", help="publish to this Kafka instead of memory")
    args = parser.parse_args()

    with FeedServer() as server:
        urls = serve_feeds(server, args.feeds, args.items)
        run_id = uuid.uuid4().hex[:6]  # fresh names: feeds.state outlives a run
        feeds = [
            FeedConfig(name=f"bench-{run_id}-{i}", url=url, interval=args.interval, timeout=10)
            for i, url in enumerate(urls)
        ]
        for j in range(args.hung):
            url = server.add(f"/hung/{j}", mode="hang")
            feeds.append(
                FeedConfig(
                    name=f"hung-{run_id}-{j}", url=url, interval=args.interval, timeout=args.timeout
                )
            )
        producer = None
        if args.bootstrap:
            from axiswatch.clients import make_producer
            from axiswatch.settings import Settings
            from axiswatch.topics import ensure_topics
            from producers.feedstate import KafkaStateStore
            from producers.poller import KafkaPublisher

            settings = Settings.from_env({}).with_bootstrap(args.bootstrap)
            ensure_topics(settings)
            producer = make_producer(settings.kafka)
            publisher, store = KafkaPublisher(producer), KafkaStateStore(settings, producer)
            store.load()
        else:
            publisher, store = CountingPublisher(), MemoryStateStore()
        poller = Poller(feeds, publisher, store, workers=args.workers, startup_spread=args.interval)
        poller.log_runs = False  # the summary below is the output
        runs: list[FeedRun] = []
        times: dict[str, list[float]] = {}
        lock = threading.Lock()

        def on_run(run: FeedRun) -> None:
            with lock:
                runs.append(run)
                times.setdefault(run.feed, []).append(time.monotonic())

        cpu0 = time.process_time()
        wall0 = time.monotonic()
        if args.once:
            poller.run_once(on_run=on_run)
        else:
            thread = threading.Thread(target=poller.run_forever, kwargs={"on_run": on_run})
            thread.start()
            time.sleep(args.duration)
            poller.stop()
            server.stopping.set()
            thread.join()
        wall = time.monotonic() - wall0
        cpu = time.process_time() - cpu0
        if producer is not None:
            producer.close(timeout=10)
        server.stopping.set()

    ok = [r for r in runs if not r.feed.startswith("hung-")]
    hung = [r for r in runs if r.feed.startswith("hung-")]
    published = sum(r.published for r in runs)
    print(
        f"feeds: {args.feeds} answering + {args.hung} hung (timeout {args.timeout:g}s), "
        f"{args.items} items each, workers {args.workers}"
    )
    if args.once:
        print(f"one pass: {wall:.2f}s wall, {cpu:.2f}s CPU, {published} articles published")
    else:
        lags = [r.lag for r in ok]
        gaps = [
            b - a
            for feed, stamps in times.items()
            if not feed.startswith("hung-")
            for a, b in zip(stamps, stamps[1:], strict=False)
        ]
        expected = args.feeds * args.duration / args.interval
        print(f"run: {args.duration:g}s at interval {args.interval:g}s (jitter ±10%)")
        print(
            f"polls of answering feeds: {len(ok)} (about {expected:.0f} expected), "
            f"{sum(r.result == 'ok' for r in ok)} ok / "
            f"{sum(r.result == 'not_modified' for r in ok)} 304 / "
            f"{sum(r.result == 'error' for r in ok)} errors; {published} articles published"
        )
        print(
            f"schedule lag (start - due): median {statistics.median(lags) * 1000:.1f} ms, "
            f"p99 {percentile(lags, 0.99) * 1000:.1f} ms, max {max(lags) * 1000:.1f} ms"
        )
        print(
            f"gap between polls of a feed: max {max(gaps):.2f}s "
            f"(interval {args.interval:g}s, +10% jitter = {args.interval * 1.1:.1f}s)"
        )
        print(
            f"poll duration: median {statistics.median(r.elapsed for r in ok) * 1000:.1f} ms, "
            f"p99 {percentile([r.elapsed for r in ok], 0.99) * 1000:.1f} ms"
        )
        print(f"CPU: {cpu:.1f}s over {wall:.1f}s wall ({100 * cpu / wall:.0f}% of one core)")
    if hung:
        print(
            f"hung feeds: {len(hung)} polls, each cost {min(r.elapsed for r in hung):.2f}-"
            f"{max(r.elapsed for r in hung):.2f}s; errors: {hung[0].error[:40]}..."
        )
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss_mib:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
