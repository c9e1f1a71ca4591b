"""`axiswatch worker`: the stream processors (streams/app.py)."""

from __future__ import annotations

import argparse

from axiswatch.cli.common import add_command, settings_from

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "worker", "Run the stream processors (analyze and stories stages).", run)
    p.epilog = """\
Reads articles.raw, writes articles.enriched and alerts (and articles.dlq for what it cannot
use). Start more workers to share the work: they form one consumer group ("axiswatch", behind
AXISWATCH_TOPIC_PREFIX as every topic and group) and split the partitions; on one host give
each its own --metrics-port. Stop with Ctrl-C or SIGTERM; a killed worker loses nothing: its
partitions move to the others within 10 s and the messages since its last commit (about a
second) are processed again.

The log names every new alert (corroborations at --loglevel debug), every message read again
after the consumer skipped it, and every dead letter with its reason.

examples:
  axiswatch worker --metrics-port 9100
  KAFKA_BOOTSTRAP_SERVERS=kafka-1:9092 axiswatch worker --metrics-port 9100
"""
    p.add_argument("--loglevel", default="info", choices=["debug", "info", "warning", "error"])
    p.add_argument(
        "--metrics-port",
        type=int,
        help="serve Prometheus metrics on this port (default: AXISWATCH_METRICS_PORT, else off); "
        "several workers on one host need nothing else to differ",
    )


def run(args: argparse.Namespace) -> int:
    from axiswatch.topics import ensure_topics
    from streams.app import run_worker

    settings = settings_from(args).with_metrics_port(args.metrics_port)
    ensure_topics(settings)
    run_worker(settings, loglevel=args.loglevel)
    return 0
