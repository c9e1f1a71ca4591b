"""Completeness under faults, at length: the only worker SIGKILLed at random points many
times while the timeline corpus is replayed, then (optionally) the other faults of
tests/integration/test_completeness.py, each compared with a clean offline run.

    python benchmarks/completeness_bench.py [--kills 20] [--seed 1] [--rate 3] [--all]
        [--worker-code PATH]

Each run starts its own broker (a free port, a temporary folder). `--worker-code PATH` runs the
workers from another checkout (e.g. a worktree of an older commit) to measure it the same way.
Prints one Markdown row per run (the table of docs/reliability.md) and exits non-zero if any
run differs from the clean run.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration import completeness as c  # noqa: E402

HEADER = (
    "| fault | faults | articles | without enriched record | clean run's `new` | `new` written "
    "(+ alerts dead-lettered) | repeated `new` | missing / extra `new` | alerts missing / "
    "extra of the clean run's | ids before their `new` | time |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=3.0, help="articles per second replayed")
    parser.add_argument(
        "--count",
        type=int,
        default=301,
        help="timeline articles replayed, a seeded shuffle (default 301, the size of the "
        "timeline when docs/reliability.md's tables were first measured; 0: all of it, about "
        "2,400, 13 minutes a run at --rate 3)",
    )
    parser.add_argument("--all", action="store_true", help="the other faults too")
    parser.add_argument("--worker-code", type=Path, help="run the workers from this checkout")
    args = parser.parse_args()
    env = {"PYTHONPATH": str(args.worker_code.resolve())} if args.worker_code else None
    if env:
        _workers_from(env)
    rng = random.Random(args.seed)
    name = f"SIGKILL of the only worker, {args.kills} times" if args.kills else "none"
    runs = [(name, lambda run, replay: c.kill_loop(run, replay, args.kills, rng), 1)]
    if args.all:
        runs += [
            ("SIGSTOP of the stories owner (of 2)", c.pause_owner, 2),
            ("broker restart (15 s down)", c.restart_broker, 1),
            ("rebalance storm (3 join and leave, twice)", c.rebalance_storm, 1),
            ("alerts topic refusing records over 2,300 bytes", c.refuse_oversized_alerts(2300), 1),
        ]
    print(HEADER, flush=True)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="axiswatch-completeness-") as tmp:
        for n, (name, fault, workers) in enumerate(runs):
            started = time.monotonic()
            outcome = c.run_scenario(
                Path(tmp) / f"run{n}",
                name,
                fault,
                workers=workers,
                count=args.count or None,
                rate=args.rate,
            )
            print(outcome.row(), flush=True)
            if outcome.problems:
                failed += 1
                print(f"  problems: {outcome.problems}", file=sys.stderr)
            print(f"  ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return 1 if failed else 0


def _workers_from(env: dict[str, str]) -> None:
    """Make every worker the harness starts run another checkout's code (`python -m` puts its
    working folder first on the path, so the workers run in that checkout)."""
    from tests.integration import conftest

    conftest.ROOT = Path(env["PYTHONPATH"])
    c.ROOT = conftest.ROOT
    original = c.Run.worker

    def worker(self, env_=None, wait=True):
        return original(self, {**env, **(env_ or {})}, wait)

    c.Run.worker = worker


if __name__ == "__main__":
    sys.exit(main())
