"""`axiswatch topics`: create the project's topics, list their partitions, add partitions."""

from __future__ import annotations

import argparse
import sys

from axiswatch.cli.common import add_command, settings_from
from axiswatch.exceptions import AxiswatchError
from axiswatch.settings import Settings

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "topics",
        "Create the project's topics (idempotent) and list them with their partitions: the "
        "catalogue's count and the cluster's.",
        run,
    )
    p.add_argument(
        "--alter",
        nargs="*",
        metavar="TOPIC=N",
        help="add partitions: every topic with fewer than the catalogue's (AXISWATCH_RAW_"
        "PARTITIONS and AXISWATCH_ENRICHED_PARTITIONS only size a topic when it is created), "
        "or TOPIC to N. Partitions are never removed; articles.analyzed, alerts, feeds.state "
        "and notify.state keep theirs (the pipeline relies on their partitioning). Keyed "
        "records sent after the change may go to another partition than those before it",
    )


def run(args: argparse.Namespace) -> int:
    from axiswatch.topics import ensure_topics, grow_partitions, plan_growth, topic_partitions

    settings = settings_from(args)
    requested = _partition_requests(settings, args.alter) if args.alter is not None else {}
    ensured = ensure_topics(settings)
    specs = [spec for spec, _ in ensured]
    created = {spec.name for spec, new in ensured if new}
    if args.alter is not None:
        plan = plan_growth(specs, topic_partitions(settings), requested)
        refused = [g for g in plan if g.refused]
        if refused:
            reasons = [
                f"{g.spec.name} cannot have {requested[g.spec.name]} partitions: {g.refused}"
                for g in refused
            ]
            raise AxiswatchError("nothing altered. " + "; ".join(reasons))
        grow_partitions(settings, plan)
        for g in plan:
            if g.grows:
                print(f"{g.spec.name}: {g.current} -> {g.target} partitions", file=sys.stderr)
    cluster = topic_partitions(settings)
    print(f"{'topic':<30} {'catalogue':>9} {'cluster':>7}")
    for spec in specs:
        actual = cluster.get(spec.name)
        state = "created" if spec.name in created else "exists "
        note = ""
        if actual is not None and actual < spec.partitions:
            note = "  (fewer than the catalogue's: `axiswatch topics --alter` adds them)"
        print(
            f"{spec.name:<30} {spec.partitions:>9} {actual if actual is not None else '-':>7}  "
            f"{state}  {spec.description}{note}"
        )
    return 0


def _partition_requests(settings: Settings, items: list[str]) -> dict[str, int]:
    """`TOPIC=N` arguments as (the topic's name on the cluster -> N); TOPIC is the catalogue's
    name (`articles.raw`) or the name on the cluster (with the prefix)."""
    requests = {}
    for item in items:
        name, sep, count = item.partition("=")
        if not sep or not count.strip().isdigit():
            raise AxiswatchError(
                f"--alter {item}: give TOPIC=PARTITIONS, e.g. --alter articles.raw=12"
            )
        name = name.strip()
        if settings.names.catalogue_name(name) is None:
            name = settings.names.topic(name)
        requests[name] = int(count)
    return requests
