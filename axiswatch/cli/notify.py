"""`axiswatch notify`: send alerts to people through apprise, as a routes file says
(axiswatch/notify.py)."""

from __future__ import annotations

import argparse
import sys

from axiswatch import metrics
from axiswatch.cli.common import add_command, settings_from
from axiswatch.exceptions import AxiswatchError

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "notify",
        "Send alerts to people: webhooks, Slack, Microsoft Teams, Telegram, e-mail and more, "
        "through apprise, as a routes file says.",
        run,
    )
    p.epilog = """\
The routes file holds [[routes]] tables (deploy/routes.example.toml is one to copy):

  [[routes]]
  name = "desk"                          # identity: consumer group, record, metrics label
  url = "json://127.0.0.1:8000/alerts"   # an apprise URL; json:// posts the alert as JSON
  kinds = ["new", "updated"]             # optional filters: categories, kinds, actors
  min_confidence = 0.7                   #   (catalogue ids), languages, min_confidence,
                                         #   min_sources

${VAR} in a url is taken from the environment (keep tokens and passwords out of the file).
Each route reads the alerts topic as its own consumer group (GROUP.NAME) and gets each
matching alert once, across restarts: its position is committed after each delivery, and
what it sent is recorded in the compacted topic notify.state. A route whose service fails
retries that alert (1 s, doubling, at most --max-backoff) and blocks no other route.
A route's first run starts at new alerts, or where --from-beginning or --since says; later
runs go on where it stopped. Run one notify per routes file.

examples:
  axiswatch notify --routes routes.toml --check       check the file, print each route
  axiswatch notify --routes routes.toml --metrics-port 9103
  axiswatch notify --routes routes.toml --from-beginning --once   every kept alert, then exit
"""
    p.add_argument(
        "--routes",
        metavar="FILE",
        required=True,
        help="the routes file ([[routes]] tables; see deploy/routes.example.toml)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="check the routes file, print each route (secrets hidden), and exit",
    )
    p.add_argument(
        "--once",
        action="store_true",
        help="deliver what the alerts topic holds now, then exit (cron); status 1 if a route "
        "could not deliver an alert in 4 attempts (the next run tries it again)",
    )
    p.add_argument(
        "--from-beginning",
        action="store_true",
        help="a route's first run starts at the oldest alert (default: new alerts only)",
    )
    p.add_argument(
        "--since",
        metavar="WHEN",
        help="a route's first run starts at this time: 30m, 12h, 2d, 1w ago, or a UTC date "
        "or time (2026-11-01, 2026-11-01T08:00)",
    )
    p.add_argument(
        "--group",
        default="axiswatch-notify",
        help="prefix of the routes' consumer groups (default axiswatch-notify: route desk reads "
        "as axiswatch-notify.desk, behind AXISWATCH_TOPIC_PREFIX)",
    )
    p.add_argument(
        "--max-backoff",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="longest wait between two attempts at a failed delivery (default 300)",
    )
    p.add_argument(
        "--metrics-port",
        type=int,
        metavar="PORT",
        help="serve Prometheus metrics (axiswatch_notify_sent_total, _failures_total, "
        "_lag_messages per route) on 127.0.0.1:PORT (default: AXISWATCH_METRICS_PORT)",
    )


def run(args: argparse.Namespace) -> int:
    from axiswatch.alertfilter import parse_since
    from axiswatch.notify import Start, load_routes, run_notify

    routes = load_routes(args.routes)
    since = parse_since(args.since) if args.since else None
    if since is not None and args.from_beginning:
        raise AxiswatchError("--since and --from-beginning both say where to start: give one")

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if args.check:
        for route in routes:
            print(f"{route.name}: {route.display}  ({route.filter.describe()})")
        print(f"{args.routes}: {len(routes)} route(s), all usable", file=sys.stderr)
        return 0
    settings = settings_from(args).with_metrics_port(args.metrics_port)
    metrics.serve(settings.metrics_port, settings.metrics_host)
    return run_notify(
        settings,
        routes,
        group=args.group,
        start=Start(from_beginning=args.from_beginning, since=since),
        once=args.once,
        max_backoff=args.max_backoff,
        say=say,
    )
