"""`axiswatch eval`: score signal detection, story grouping or novelty per event against
labelled corpora."""

from __future__ import annotations

import argparse
from pathlib import Path

from axiswatch.cli.common import add_command
from axiswatch.exceptions import AxiswatchError
from axiswatch.settings import Settings
from streams.catalogue import seeds_dir
from streams.evaluate import TUNING_FILES

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "eval",
        "Score signal detection against a labelled corpus: precision, recall, F1, and the "
        "misses and false alarms with their sentences.",
        run,
        bootstrap=False,
    )
    p.add_argument(
        "corpus",
        nargs="*",
        metavar="JSONL",
        help="labelled corpus files, each scored on its own (default: the --split part, its files "
        "scored together)",
    )
    p.add_argument("--summary", action="store_true", help="figures only, no sentence lists")
    p.add_argument(
        "--stories",
        action="store_true",
        help="score story grouping instead: real wire copies (seeds/eval/stories.jsonl) and "
        "generated copies of the corpus, replayed twice in shuffled order",
    )
    p.add_argument(
        "--events",
        action="store_true",
        help="score novelty per event instead: the timeline corpus (or JSONL files given) "
        "replayed in publication order through the stories stage's code; event-category "
        "recall, second `new` alerts, false `new` on negatives, event clustering",
    )
    p.add_argument(
        "--explain",
        action="append",
        default=[],
        metavar="ID",
        help="with --events: instead of the figures, how each frame of the item ID (repeatable) "
        "was decided in the replay: the known events it was compared with, each with its score "
        "or the rule that ruled it out, the path taken and the alert raised (not for the test "
        "part: its errors are never read while writing rules)",
    )
    p.add_argument(
        "--split",
        choices=("tune", "test", "all"),
        default="tune",
        help=f"which part of the corpus: signals, tune = the {len(TUNING_FILES)} tuning files "
        f"of seeds/eval/ ({TUNING_FILES[0]} ... {TUNING_FILES[-1]}), test = the frozen blind "
        "split seeds/eval/signals_test.jsonl; with --events, the timeline "
        "corpus's parts (default: tune; a test part is for the figures in the README, never "
        "for writing rules)",
    )


def run(args: argparse.Namespace) -> int:
    from streams.evaluate import evaluate, format_report

    if args.events:
        from streams.eventeval import (
            format_event_report,
            load_timeline,
            replay_timeline,
            reported_in,
            score_alerts,
        )

        if args.corpus:
            paths = [Path(p) for p in args.corpus]
        else:
            names = {"tune": ["tune"], "test": ["test"], "all": ["tune", "test"]}[args.split]
            paths = [seeds_dir() / "eval" / f"timeline_{name}.jsonl" for name in names]
        for path in paths:
            if not path.exists():
                raise AxiswatchError(f"{path} not found: name a timeline JSON Lines corpus")
        if args.explain:
            from streams.eventeval import explain_replay

            if any(path.name == "timeline_test.jsonl" for path in paths):
                raise AxiswatchError(
                    "--explain reads errors, and the timeline's test part is for figures only: "
                    "explain items of the tuning part (the default) or of files you name"
                )
            wanted = [i for value in args.explain for i in value.split(",") if i]
            try:
                print(explain_replay(load_timeline(paths), wanted, Settings.from_env().stories))
            except ValueError as exc:
                raise AxiswatchError(f"{exc}: give ids of the replayed corpus") from exc
            return 0
        print(f"== novelty per event: {', '.join(str(p) for p in paths)}, in publication order")
        items = load_timeline(paths)
        alerts, enriched = replay_timeline(items, Settings.from_env().stories)
        print(format_event_report(score_alerts(items, alerts, enriched), not args.summary))
        if not args.corpus and args.split == "test":
            # Tuning articles that report a test-part development as their second event made
            # its figures partly seen while rules were written: the blind figures leave it out.
            seen = reported_in(
                load_timeline([seeds_dir() / "eval" / "timeline_tune.jsonl"]),
                {e["event"] for item in items for e in item.get("events") or []},
            )
            print("\n== the same, blind: without the test-part developments that tuning "
                  "articles report too")  # fmt: skip
            blind = score_alerts(items, alerts, enriched, exclude=seen)
            print(format_event_report(blind, not args.summary))
        return 0
    if args.explain:
        raise AxiswatchError("--explain goes with --events: it explains the event replay")
    if args.stories:
        from streams.storyeval import evaluate_stories, format_story_report

        real = seeds_dir() / "eval" / "stories.jsonl"
        signal_corpus = seeds_dir() / "eval" / "corpus.jsonl"
        print(f"== story grouping: {signal_corpus} with generated copies"
              + (f", and {real}" if real.exists() else ""))  # fmt: skip
        report = evaluate_stories(
            signal_corpus, real if real.exists() else None, config=Settings.from_env().stories
        )
        print(format_story_report(report))
        return 0
    if args.corpus:
        for path in [Path(p) for p in args.corpus]:
            if not path.exists():
                raise AxiswatchError(f"{path} not found: name a labelled JSON Lines corpus")
            print(f"== {path}")
            _note_in_sample([path])
            print(format_report(evaluate(path), details=not args.summary))
        return 0
    # The default: one report over the split's files scored together.
    tune = [seeds_dir() / "eval" / name for name in TUNING_FILES]
    test = [seeds_dir() / "eval" / "signals_test.jsonl"]
    paths = {"tune": tune, "test": test, "all": tune + test}[args.split]
    for path in paths:
        if not path.exists():
            raise AxiswatchError(f"{path} not found: the seeds are incomplete")
    names = [p.name for p in paths]
    if len(names) > 4:
        names = [f"{len(names)} files: {names[0]}", "...", names[-1]]
    print(f"== {args.split}: {', '.join(names)}")
    _note_in_sample(paths)
    print(format_report(evaluate(paths), details=not args.summary))
    return 0


def _note_in_sample(paths: list[Path]) -> None:
    """Say so when the learned signal filter was trained on files being scored."""
    from streams.learned import default_filter

    signal_filter = default_filter()
    if signal_filter is None:
        return
    trained = [p.name for p in paths if p.name in signal_filter.trained_on]
    if trained:
        print(f"(the learned signal filter was trained on {len(trained)} of these "
              f"{len(paths)} files: their figures are in-sample; for figures on files left out "
              "of its training: python benchmarks/learned_filter_cv.py)")  # fmt: skip
