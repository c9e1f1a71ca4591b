"""`axiswatch replay`: publish article files to articles.raw (producers/replay.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from axiswatch import metrics
from axiswatch.cli.common import add_command, settings_from
from axiswatch.exceptions import AxiswatchError

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "replay", "Publish article files to articles.raw.", run)
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="seed files (first line title, rest body), .jsonl files, or folders",
    )
    p.add_argument("--rate", type=float, help="articles per second (default: as fast as possible)")
    p.add_argument("--source", help="source name for articles that carry none")
    p.add_argument("--recursive", action="store_true", help="descend into sub-folders")
    p.add_argument("--metrics-port", type=int, help="serve Prometheus metrics while replaying")


def run(args: argparse.Namespace) -> int:
    from axiswatch.topics import ensure_topics
    from producers.replay import replay

    # Nothing to publish is said before Kafka is reached (a mistyped path is not a broker down).
    if not any(Path(path).exists() for path in args.paths):
        raise AxiswatchError(f"nothing to replay: no such file or folder ({', '.join(args.paths)})")
    settings = settings_from(args).with_metrics_port(args.metrics_port)
    metrics.serve(settings.metrics_port, settings.metrics_host)
    ensure_topics(settings)
    report = replay(
        settings,
        args.paths,
        rate=args.rate,
        source=args.source,
        recursive=args.recursive,
        on_bad=lambda bad: print(f"skipped {bad.where}: {bad.reason}", file=sys.stderr),
    )
    print(
        f"published {report.published} article(s) to {settings.names.raw}; "
        f"{len(report.rejected)} input(s) skipped, {len(report.failed)} failed to send",
        file=sys.stderr,
    )
    for bad in report.failed:
        print(f"failed {bad.where}: {bad.reason}", file=sys.stderr)
    return 1 if report.failed or (report.rejected and not report.published) else 0
