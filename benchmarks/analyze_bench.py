"""CPU time of the analyze stage per article, against decoding and validating the raw message.

    python benchmarks/analyze_bench.py [--articles 300] [--repeats 9] [--against REV]

Realistic ~3 KB articles built from the labelled corpus (as in pipeline_bench.py), serialised
as `articles.raw` messages. Each repeat is one pass over all of them with `analyze_bytes` (the
function the worker calls) and one pass with `parse_raw` only (UTF-8 decoding, JSON, the
`RawArticle` model): the baseline, measured in the same run and in alternation, so that the
ratio means something on a shared, noisy machine. Times are CPU seconds of this process
(time.process_time), per article; the figures are medians over the repeats, after one
warm-up pass (the matchers' and fingerprints' word caches fill as in a running worker).

--against REV also measures the code of git revision REV (exported with `git archive` into a
temporary folder, this script copied into it) in alternation with this checkout, each in its
own process: before and after in one run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def articles(count: int, size: int = 3000) -> list[bytes]:
    """`count` raw article messages of about `size` characters, as pipeline_bench.py builds
    them, with a fixed `fetched_at` so that every process analyses the same bytes."""
    from pipeline_bench import articles as raw_articles

    fetched = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    batch = raw_articles(count, "analyze", size)
    return [a.model_copy(update={"fetched_at": fetched}).to_bytes() for a in batch]


def measure(count: int, repeats: int) -> dict[str, list[float]]:
    """Per-article CPU milliseconds of each pass: analyze and the parse-only baseline."""
    from streams.analyze import analyze_bytes, parse_raw

    batch = articles(count)
    for value in batch:  # warm-up: catalogues load, word caches fill
        analyze_bytes(value)
    times: dict[str, list[float]] = {"analyze": [], "parse": []}
    for _ in range(repeats):
        for name, function in (("parse", parse_raw), ("analyze", analyze_bytes)):
            start = time.process_time()
            for value in batch:
                function(value)
            times[name].append((time.process_time() - start) / len(batch) * 1000)
    return times


def report(label: str, times: dict[str, list[float]]) -> None:
    analyze = statistics.median(times["analyze"])
    parse = statistics.median(times["parse"])
    print(
        f"{label:<22} {analyze:>12.3f} {parse:>12.4f} {analyze / parse:>10.1f}"
        f" {min(times['analyze']):>10.3f} {len(times['analyze']):>8}"
    )


def header() -> None:
    print(
        f"{'code':<22} {'analyze ms':>12} {'parse ms':>12} {'ratio':>10}"
        f" {'best ms':>10} {'passes':>8}"
    )


def run_tree(root: Path, count: int, repeats: int) -> dict[str, list[float]]:
    script = root / "benchmarks" / "analyze_bench.py"
    result = subprocess.run(
        [sys.executable, str(script), "--articles", str(count), "--repeats", str(repeats),
         "--json"],
        check=True, capture_output=True, text=True, cwd=root,
    )  # fmt: skip
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--against", metavar="REV", help="also measure git revision REV")
    parser.add_argument("--rounds", type=int, default=3, help="alternations with --against")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.json:
        print(json.dumps(measure(args.articles, args.repeats)))
        return
    print(f"{args.articles} articles of ~3 KB, CPU time per article, median of the passes")
    if not args.against:
        header()
        report("this checkout", measure(args.articles, args.repeats))
        return

    with tempfile.TemporaryDirectory(prefix="axiswatch-bench-") as folder:
        old = Path(folder)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.against],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
        shutil.copy(Path(__file__), old / "benchmarks" / "analyze_bench.py")
        totals: dict[str, dict[str, list[float]]] = {
            args.against: {"analyze": [], "parse": []},
            "this checkout": {"analyze": [], "parse": []},
        }
        for _ in range(args.rounds):
            for label, root in ((args.against, old), ("this checkout", ROOT)):
                for name, values in run_tree(root, args.articles, args.repeats).items():
                    totals[label][name].extend(values)
    header()
    for label, times in totals.items():
        report(label, times)
    before, after = totals[args.against], totals["this checkout"]
    speed_up = statistics.median(before["analyze"]) / statistics.median(after["analyze"])
    # parse_raw is the same code in both: the ratio of the ratios corrects for the machine
    # being busier while one of the two ran.
    relative = (statistics.median(before["analyze"]) / statistics.median(before["parse"])) / (
        statistics.median(after["analyze"]) / statistics.median(after["parse"])
    )
    print(f"speed-up of analyze: {speed_up:.2f}x (of the ratios to parsing: {relative:.2f}x)")


if __name__ == "__main__":
    main()
