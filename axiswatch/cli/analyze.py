"""`axiswatch analyze`: the analysis offline, one enriched JSON line per article."""

from __future__ import annotations

import argparse
import sys

from axiswatch.cli.common import add_command
from axiswatch.settings import Settings

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "analyze",
        "Analyze article files offline; one enriched JSON line each.",
        run,
        bootstrap=False,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="seed files, .jsonl files or folders")
    p.add_argument(
        "--stories",
        action="store_true",
        help="also assign story ids and duplicates across the batch",
    )
    p.add_argument("--source", help="source name for articles that carry none")
    p.add_argument("--recursive", action="store_true", help="descend into sub-folders")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")


def run(args: argparse.Namespace) -> int:
    from streams.analyze import analyze_article
    from streams.articles import BadRecord, expand_paths, read_articles
    from streams.stories import StoryBook

    book = StoryBook.in_memory(Settings.from_env().stories) if args.stories else None
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    bad = 0
    try:
        for item in read_articles(expand_paths(args.paths, args.recursive), args.source):
            if isinstance(item, BadRecord):
                bad += 1
                print(f"skipped {item.where}: {item.reason}", file=sys.stderr)
                continue
            record = analyze_article(item)
            if book is not None:
                record, _, _ = book.place(record)
            out.write(record.model_dump_json() + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 1 if bad else 0
