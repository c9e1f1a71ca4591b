"""Score a batch of news the rules have never seen with several revisions of the code, side by
side: the check that a round of rules carries beyond the errors it was written against.

    python benchmarks/blind_compare.py BATCH.jsonl [BATCH.jsonl ...] --against REV [--against REV]

A batch is a signal corpus file (items with `labels`, scored as `axiswatch eval` does) or a
timeline file (items with `events`, scored as `axiswatch eval --events` does). Each revision
is checked out in a temporary git worktree and scored there, in a subprocess, with this
checkout's Python environment; the working tree itself is scored as "this checkout". Only
figures are printed, never the batch's errors: read those only once the batch has joined the
tuning material.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SIGNAL_ROWS = {
    "cooperation": "flag P / R",
    "micro (all 6)": "micro P / R / F1",
    "micro en": "micro-F1 en",
    "micro ru": "micro-F1 ru",
    "micro ko": "micro-F1 ko",
}
_EVENT_ROWS = {
    "event-category recall": "recall",
    "events with a second `new`": "second new",
    "negatives with a false `new`": "false new",
    "clustering precision (independent reports)": "clustering P",
    "clustering recall (independent reports)": "clustering R",
}
_SCORE = (
    "import sys; sys.path.insert(0, sys.argv[1]); from axiswatch.cli import main; "
    "sys.exit(main(sys.argv[2:]))"
)


def kind_of(path: Path) -> str:
    """'events' for a timeline file, 'signals' for a signal corpus file."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                return "events" if "events" in json.loads(line) else "signals"
    raise SystemExit(f"{path}: empty")


def figures(tree: Path, path: Path, kind: str) -> dict[str, str]:
    """The batch's summary figures as the code in `tree` scores it."""
    args = ["eval", "--summary", *(["--events"] if kind == "events" else []), str(path)]
    done = subprocess.run(
        [sys.executable, "-c", _SCORE, str(tree), *args],
        cwd=tree, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"scoring {path} at {tree} failed:\n{done.stderr[-2000:]}")
    out: dict[str, str] = {}
    if "in-sample" in done.stdout:
        out["note"] = "in-sample for the filter"
    for line in done.stdout.splitlines():
        if kind == "events" and line.startswith("| "):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells[0] in _EVENT_ROWS:
                out[_EVENT_ROWS[cells[0]]] = cells[1]
        elif kind == "signals":
            for name, label in _SIGNAL_ROWS.items():
                match = re.match(rf"\s*{re.escape(name)}\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", line)
                if match and label not in out:
                    p, r, f1 = match.groups()
                    out[label] = f"{p} / {r}" if name == "cooperation" else (
                        f"{p} / {r} / {f1}" if name == "micro (all 6)" else f1
                    )  # fmt: skip
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("batches", nargs="+", type=Path, metavar="BATCH.jsonl")
    parser.add_argument(
        "--against", action="append", default=[], metavar="REV",
        help="a git revision to score too (repeatable), e.g. the session's starting commit",
    )  # fmt: skip
    args = parser.parse_args()
    batches = [p.resolve() for p in args.batches]
    with tempfile.TemporaryDirectory(prefix="axiswatch-blind-") as scratch:
        trees: list[tuple[str, Path]] = []
        for rev in args.against:
            tree = Path(scratch) / re.sub(r"\W", "_", rev)
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(tree), rev],
                check=True, capture_output=True,
            )  # fmt: skip
            trees.append((rev, tree))
        trees.append(("this checkout", ROOT))
        try:
            for path in batches:
                kind = kind_of(path)
                scored = [(name, figures(tree, path, kind)) for name, tree in trees]
                rows = list(_EVENT_ROWS.values() if kind == "events" else _SIGNAL_ROWS.values())
                print(f"\n{path.name} ({kind})")
                print("| figure | " + " | ".join(name for name, _ in scored) + " |")
                print("| --- " * (len(scored) + 1) + "|")
                for row in [*rows, "note"]:
                    if row == "note" and not any(row in f for _, f in scored):
                        continue  # the learned filter never saw the batch: nothing to say
                    print(f"| {row} | " + " | ".join(f.get(row, "–") for _, f in scored) + " |")
        finally:
            for _, tree in trees[:-1]:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                    check=False, capture_output=True,
                )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
