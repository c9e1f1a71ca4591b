"""`axiswatch serve`: the alert history's sink, page and JSON API (axiswatch/history/)."""

from __future__ import annotations

import argparse
import sys

from axiswatch.cli.common import add_command, settings_from

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "serve",
        "Browse the alert history: a web page and a JSON API of every alert, with filters, fed "
        "by a sink that copies the alerts topic into a database (SQLite by default).",
        run,
    )
    p.epilog = """\
What it runs: a sink that reads the alerts topic as its own consumer group (read_committed:
alerts of an aborted batch are never shown) and stores every alert record once (an alert
read twice is stored once), and a web server with
  /                       the page: a filter form and the alerts, newest first, with the
                          evidence sentence, the event, actors, sources, links and times
  /api/alerts?...         the same as JSON: {"alerts": [...], "total": N, "filter": {...}}
  /api/status             the store, how many alert records it holds, the sink's position
Filters, on the page and the API alike (repeat one to accept any of its values):
  category=cyber  kind=new|updated|corroborated  actor=kim_jong_un (catalogue id)
  language=ko  since=2d|12h|2026-11-01  q=words (in title, evidence, actors, source)
  limit=50 (at most 500)  offset=0

The store: SQLite in the data folder (DATA_DIR/history.sqlite3; AXISWATCH_DATA_DIR) unless
--database-url (or AXISWATCH_DATABASE_URL) names PostgreSQL (pip install 'axiswatch[postgres]').
A new store starts with the oldest alert the topic keeps (365 days); a restart goes on where
the store stopped. The page has no login and listens on 127.0.0.1 unless --host says otherwise.

examples:
  axiswatch serve                                     http://127.0.0.1:8080/
  axiswatch serve --port 8090 --database-url postgresql://axiswatch:PASSWORD@db:5432/axiswatch
  axiswatch serve --no-sink                           what is stored, without Kafka
  curl 'http://127.0.0.1:8080/api/alerts?category=cyber&kind=new&limit=20'
"""
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 in a container)",
    )
    p.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    p.add_argument(
        "--database-url",
        metavar="URL",
        help="where the history is kept: postgresql://USER:PASSWORD@HOST:PORT/DATABASE or "
        "sqlite:///PATH (default: AXISWATCH_DATABASE_URL, else SQLite in the data folder)",
    )
    p.add_argument(
        "--group",
        default="axiswatch-history",
        help="the sink's consumer group (default axiswatch-history); its committed offset "
        "follows the store, so its lag says how far the store is behind",
    )
    p.add_argument(
        "--no-sink",
        action="store_true",
        help="only serve what the store holds (no Kafka needed; nothing new is added)",
    )


def run(args: argparse.Namespace) -> int:
    from axiswatch.history.serve import run_serve

    settings = settings_from(args)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    return run_serve(
        settings,
        database_url=args.database_url or settings.database_url,
        host=args.host,
        port=args.port,
        group=args.group,
        sink=not args.no_sink,
        say=say,
    )
