"""The `axiswatch` command line: one module per command, each with its arguments and help
(`add_parser`) and what it does (`run`), and `common` for what they share. Here: the top
parser, assembled from the commands in the order of its help, and `main`."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence

from axiswatch import __version__
from axiswatch.cli import (
    alerts,
    analyze,
    broker,
    demo,
    notify,
    poll,
    replay,
    schemas,
    serve,
    topics,
    worker,
)
from axiswatch.cli import eval as eval_command  # not the builtin
from axiswatch.cli.common import settings_from
from axiswatch.exceptions import AxiswatchError

__all__ = ["build_parser", "main"]

_DESCRIPTION = """\
axiswatch watches news streams for new signs of Russia–DPRK cooperation.

Articles go into Kafka (`replay` from files, `poll` from RSS/Atom feeds); the `worker` finds
actors and cooperation signals, groups copies of a story, and writes enriched articles and
alerts back to Kafka; `alerts` prints them. `demo` does all of it on a local broker.

Kafka: KAFKA_BOOTSTRAP_SERVERS=host:port[,host:port] points every command at an existing
cluster (nothing local is started). Without it, commands use the broker that
`axiswatch broker start` runs on 127.0.0.1 (jars fetched from Maven Central on first use).
"""

_EPILOG = """\
examples:
  axiswatch demo --until-idle          local broker, worker, seed replay, alerts, then stop
  axiswatch broker start               a local single-node Kafka on 127.0.0.1:9092
  axiswatch broker start --scram       the same, clients log in with SASL/SCRAM-SHA-256 as
                                       KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD
  axiswatch worker &                   the stream processors
  axiswatch replay seeds/              publish seed articles to articles.raw
  axiswatch poll --once                poll the feeds of seeds/feeds.toml once
  axiswatch alerts --from-beginning    follow the alert topic
  axiswatch alerts --since 2d --kind new   the new developments of the last two days
  axiswatch notify --routes FILE       send alerts to webhooks, Slack, Teams, e-mail, ...
  axiswatch serve                      browse the alert history: http://127.0.0.1:8080/
  axiswatch analyze seeds/*.txt        the same analysis offline, JSON lines on stdout
"""

# In the order `axiswatch --help` lists them.
COMMANDS = (
    broker,
    topics,
    schemas,
    replay,
    poll,
    worker,
    alerts,
    notify,
    serve,
    analyze,
    eval_command,
    demo,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="axiswatch",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"axiswatch {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # kafka-python logs every refused connection while a broker starts; our own errors
        # say what is wrong and what to do.
        logging.getLogger("kafka").setLevel(logging.CRITICAL)
    try:
        return args.func(args)
    except AxiswatchError as exc:
        print(f"axiswatch: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`axiswatch analyze ... | head`): stop quietly, as Unix tools
        # do, and keep the interpreter's last flush of stdout from failing again on exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except Exception as exc:
        explained = _explain_kafka_error(args, exc)
        if explained is None:
            raise
        print(f"axiswatch: {explained}", file=sys.stderr)
        return 2


def _explain_kafka_error(args: argparse.Namespace, exc: Exception) -> str | None:
    """A Kafka client's error (kafka-python: "Unable to bootstrap") as what to do about it."""
    from kafka.errors import KafkaError

    if not isinstance(exc, KafkaError):
        return None
    from axiswatch.connection import connection_error, diagnose

    kafka = settings_from(args).kafka
    try:
        diagnosis = diagnose(kafka)
    except AxiswatchError as error:
        return str(error)
    if diagnosis.kind == "ok":
        return f"Kafka at {kafka.bootstrap_servers}: {exc}"
    return str(connection_error(kafka, diagnosis, exc))
