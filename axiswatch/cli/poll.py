"""`axiswatch poll`: poll RSS/Atom feeds into articles.raw (producers/poller.py)."""

from __future__ import annotations

import argparse

from axiswatch.cli.common import add_command, settings_from
from streams.catalogue import seeds_dir

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "poll",
        "Poll RSS/Atom feeds and publish each new or updated entry to articles.raw once.\n\n"
        "Runs until Ctrl-C/SIGTERM: each feed on its own interval (with jitter), conditional\n"
        "GET (ETag, Last-Modified), backoff on errors, Retry-After honoured. What was published\n"
        "is kept in the compacted topic feeds.state, so a restart publishes nothing twice.\n"
        "Feed list: [[feeds]] tables with name, url, optional lang, interval (s), tags,\n"
        "source, timeout (s), max_bytes; see seeds/feeds.toml and docs/feeds.md.\n\n"
        "Feeds and redirects to loopback, private or link-local addresses are refused;\n"
        "set AXISWATCH_FETCH_ALLOW_PRIVATE=1 for feeds on a private network.",
        run,
    )
    p.add_argument(
        "--feeds",
        metavar="FILE",
        default=str(seeds_dir() / "feeds.toml"),
        help="the feed list (default: seeds/feeds.toml)",
    )
    p.add_argument("--once", action="store_true", help="poll every feed once, then exit (cron)")
    p.add_argument(
        "--status",
        action="store_true",
        help="print each feed's last success, last error and items published, then exit "
        "(status 1 if a feed is down)",
    )
    p.add_argument("--json", action="store_true", help="with --status: one JSON line per feed")
    p.add_argument(
        "--tag", action="append", metavar="TAG", help="only feeds with this tag (repeatable)"
    )
    p.add_argument(
        "--allow-file", action="store_true", help="allow file: URLs in the feed list (testing)"
    )
    p.add_argument("--workers", type=int, default=32, help="feeds fetched at once (default 32)")
    p.add_argument(
        "--metrics-port",
        type=int,
        metavar="PORT",
        help="serve Prometheus metrics on 127.0.0.1:PORT (default: AXISWATCH_METRICS_PORT)",
    )


def run(args: argparse.Namespace) -> int:
    from producers.poller import run_poll_command

    return run_poll_command(args, settings_from(args))
