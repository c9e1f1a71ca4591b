"""Benchmark of the stories stage's logic (StoryBook) with a full story and event index.

    python benchmarks/stories_bench.py [--stories 100000] [--events 100000] [--articles 20000]

Fills the index with N stories and M known events (spread over a year of event time, across
the action families of seeds/events.toml), then places a stream of articles (60% new stories,
25% edited copies found by MinHash, 15% exact re-sends), each carrying one signal and its event
frame, and prints the median articles per second over the repeats, the memory the index takes
per story and per event, and, as a baseline measured in the same run, the rate of a bare dict
lookup-and-store loop over the same keys. Articles arrive already analyzed (fingerprints and
frames computed upstream), as in the pipeline.

    python benchmarks/stories_bench.py --against REV [--stories 30000] [--rounds 8]

compares the stage's own logic (streams/events.py and streams/stories.py) of git revision REV
with this checkout's in one process: both indexes filled alike, then rounds of 2,000 articles
placed by each in alternation, CPU time. Separate processes on a shared machine differ by more
than the change being measured; alternation in one process does not. Everything else (the
models, the fingerprints, the frame book and its data) is this checkout's in both.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemas.models import AnalyzedArticle, EventFrame, Signal  # noqa: E402
from streams.events import _new_record  # noqa: E402
from streams.fingerprints import NUM_PERM, band_keys, encode_signature  # noqa: E402
from streams.frames import default_framebook  # noqa: E402
from streams.stories import StoryBook, StoryConfig  # noqa: E402

NOW = datetime(2026, 11, 26, tzinfo=UTC)
_ACTIONS = [a for a in default_framebook().actions.values() if not a.id.endswith("_other")]
_RUSSIA = ["rus", "putin", "lavrov", "shoigu", "belousov", "kozlov", "rus_mod", "gamaredon"]
_DPRK = ["prk", "kim_jong_un", "choe_son_hui", "no_kwang_chol", "kpa", "lazarus"]
_OBJECTS = [None, None, "artillery_shells", "ballistic_missiles", "drones", "oil", "satellite"]


def make_frame(rng: np.random.Generator, published: datetime) -> EventFrame:
    action = _ACTIONS[int(rng.integers(len(_ACTIONS)))]
    obj = _OBJECTS[int(rng.integers(len(_OBJECTS)))]
    when = (published - timedelta(days=int(rng.integers(0, 3)))).date()
    return EventFrame(
        category=action.categories[0], categories=list(action.categories), action=action.id,
        family=action.family, evidence="e", evidence_span=(0, 1),
        russia_actors=[_RUSSIA[int(rng.integers(len(_RUSSIA)))]],
        dprk_actors=[_DPRK[int(rng.integers(len(_DPRK)))]],
        objects=[obj] if obj else [], places=[], quantities=[], event_date=when,
        date_precision="day", basis="report", confidence=0.9,
    )  # fmt: skip


def fill_events(book: StoryBook, count: int, rng: np.random.Generator) -> None:
    """`count` known events spread over the year before NOW (synthetic actors, so that they
    are distinct developments), indexed as the worker indexes them on takeover."""
    for i in range(count):
        ts = (NOW - timedelta(days=365 * (count - i) / count)).timestamp()
        frame = make_frame(rng, datetime.fromtimestamp(ts, UTC)).model_dump()
        frame["russia_actors"] = [f"official_{i}"]
        event_id = f"ev{i:022d}"
        book.events.events[event_id] = _new_record(event_id, frame, f"x{i}", "s", "st", "en", ts)
    book.events.rebuild_index()


def make_article(i: int, sig: np.ndarray, rng: np.random.Generator) -> AnalyzedArticle:
    signal_id = f"s{i % 5000:023d}"
    return AnalyzedArticle(
        article_id=f"c{i:023d}",
        title=f"Article {i}",
        text=f"Article {i} text.",
        url=f"https://example.com/{i}",
        canonical_url=f"https://example.com/{i}",
        content_hash=hashlib.sha256(str(i).encode()).hexdigest()[:32],
        source=f"outlet-{int(rng.integers(50))}",
        published_at=NOW,
        fetched_at=NOW,
        minhash=encode_signature(sig),
        lsh_bands=band_keys(sig),
        signals=[
            Signal(
                category="military", evidence="e", evidence_span=(0, 1), actors=["rus", "prk"],
                russia_actors=["rus"], dprk_actors=["prk"], cues=["troops"], basis="sentence",
                confidence=0.9, signal_key=signal_id, signal_id=signal_id,
            )
        ],
        events=[make_frame(rng, NOW)],
    )  # fmt: skip


def edited(sig: np.ndarray, rng: np.random.Generator, share: float = 0.3) -> np.ndarray:
    """A signature whose Jaccard estimate with `sig` is about 1 - share."""
    out = sig.copy()
    positions = rng.choice(NUM_PERM, int(NUM_PERM * share), replace=False)
    out[positions] = rng.integers(0, 2**32, len(positions), dtype=np.uint32)
    return out


def fill(book: StoryBook, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    sigs = []
    for i in range(count):
        sig = rng.integers(0, 2**32, NUM_PERM, dtype=np.uint32)
        sigs.append(sig)
        book.place(make_article(i, sig, rng), NOW + timedelta(seconds=i * 0.01))
    return sigs


def stream(count: int, base: int, sigs: list[np.ndarray], rng: np.random.Generator) -> list:
    out = []
    for j in range(count):
        roll = rng.random()
        if roll < 0.60:
            out.append(make_article(base + j, rng.integers(0, 2**32, NUM_PERM, np.uint32), rng))
        elif roll < 0.85:
            k = int(rng.integers(len(sigs)))
            out.append(make_article(base + j, edited(sigs[k], rng), rng))
        else:
            k = int(rng.integers(len(sigs)))
            out.append(make_article(k, sigs[k], rng))  # the same article again
    return out


def _load_revision(rev: str, folder: Path) -> type:
    """REV's `StoryBook`, its events module with it (loaded under their own names; their
    imports of the rest resolve to this checkout)."""
    root = Path(__file__).resolve().parents[1]
    for name in ("events", "stories"):
        text = subprocess.run(
            ["git", "-C", str(root), "show", f"{rev}:streams/{name}.py"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    saved = {name: sys.modules[name] for name in ("streams.events", "streams.stories")}
    try:
        for name in ("events", "stories"):  # stories imports events: REV's, under its name
            spec = importlib.util.spec_from_file_location(f"streams.{name}", folder / f"{name}.py")
            module = importlib.util.module_from_spec(spec)
            sys.modules[f"streams.{name}"] = module
            spec.loader.exec_module(module)
        return sys.modules["streams.stories"].StoryBook
    finally:
        sys.modules.update(saved)


def compare(rev: str, stories: int, events: int, rounds: int) -> None:
    """This checkout's stage against REV's, alternated in one process."""
    import streams.stories

    with tempfile.TemporaryDirectory(prefix="axiswatch-stories-") as folder:
        old_book = _load_revision(rev, Path(folder))
    books = {}
    for label, cls in ((rev, old_book), ("this checkout", streams.stories.StoryBook)):
        print(f"filling {label}'s index ({stories:,} stories, {events:,} events) ...",
              file=sys.stderr)  # fmt: skip
        rng = np.random.default_rng(1)
        book = cls.in_memory(StoryConfig(max_stories=10 * stories, max_events=10 * events))
        sigs = fill(book, stories, rng)
        fill_events(book, events, rng)
        books[label] = (book, sigs, rng)
    at = NOW + timedelta(seconds=stories * 0.01 + 1)
    rates: dict[str, list[float]] = {label: [] for label in books}
    for n in range(rounds):
        for label, (book, sigs, rng) in books.items():
            articles = stream(2000, stories + 2000 * n, sigs, rng)
            gc.collect()  # not the other book's garbage, collected in this one's round
            start = time.process_time()
            for article in articles:
                book.place(article, at)
            rates[label].append(len(articles) / (time.process_time() - start))
    print(f"stories stage, {stories:,} stories and {events:,} events, {rounds} alternated rounds "
          "of 2,000 articles, CPU time")  # fmt: skip
    for label, values in rates.items():
        print(f"  {label}: median {statistics.median(values):,.0f} articles/s (rounds: "
              + ", ".join(f"{v:,.0f}" for v in values) + ")")  # fmt: skip
    ratio = statistics.median(rates["this checkout"]) / statistics.median(rates[rev])
    print(f"  ratio of the medians, this checkout / {rev}: {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, help="100,000; 30,000 with --against")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", metavar="REV", help="compare with git revision REV")
    parser.add_argument("--rounds", type=int, default=8, help="alternations with --against")
    args = parser.parse_args()
    if args.against:
        compare(args.against, args.stories or 30_000, args.events, args.rounds)
        return
    args.stories = args.stories or 100_000
    rng = np.random.default_rng(1)

    print(f"filling the index with {args.stories:,} stories ...", file=sys.stderr)
    gc.collect()
    tracemalloc.start()
    config = StoryConfig(max_stories=10 * args.stories, max_events=10 * args.events)
    book = StoryBook.in_memory(config)
    sigs = fill(book, args.stories, rng)
    gc.collect()
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The fill's stories started events of their own: per story, count both.
    per_story = (current - sum(s.nbytes + 112 for s in sigs)) / args.stories
    print(f"adding {args.events:,} known events over a year ...", file=sys.stderr)
    gc.collect()
    tracemalloc.start()
    fill_events(book, args.events, rng)
    gc.collect()
    events_memory, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_event = events_memory / args.events
    sizes = book.sizes()

    rates, baseline = [], []
    base = args.stories
    # Event times stay within one sweep interval: the sweep is timed on its own below.
    at = NOW + timedelta(seconds=args.stories * 0.01 + 1)
    for _repeat in range(args.repeat):
        articles = stream(args.articles, base, sigs, rng)
        base += args.articles
        start = time.perf_counter()
        for article in articles:
            book.place(article, at)
        rates.append(args.articles / (time.perf_counter() - start))
        # Baseline: a dict look-up and store per article over the same keys (the floor of any
        # keyed state), measured on the same articles.
        plain: dict[str, object] = {}
        start = time.perf_counter()
        for article in articles:
            plain.get(article.content_hash)
            plain[article.content_hash] = article.article_id
        baseline.append(args.articles / (time.perf_counter() - start))

    start = time.perf_counter()
    book.sweep((at + timedelta(minutes=1)).timestamp())
    sweep_seconds = time.perf_counter() - start

    median = statistics.median(rates)
    print(f"stories stage, {args.stories:,} stories and {sizes['events']:,} events in the "
          f"index, {args.articles:,} articles x {args.repeat} runs")  # fmt: skip
    print(f"  articles per second: median {median:,.0f} (runs: "
          + ", ".join(f"{r:,.0f}" for r in rates) + ")")  # fmt: skip
    print(f"  per article: {1e6 / median:,.0f} µs")
    print(
        f"  baseline, bare dict get+set: median {statistics.median(baseline):,.0f}/s; "
        f"ratio {median / statistics.median(baseline):.4f}"
    )
    print(f"  index entries after fill: {sizes}")
    print(f"  memory per story and its events (Python objects, dict-backed state): "
          f"{per_story:,.0f} bytes")  # fmt: skip
    print(f"  memory per known event (record and index): {per_event:,.0f} bytes")
    print(f"  one sweep of the whole index (every 10 minutes of event time): {sweep_seconds:.2f} s")


if __name__ == "__main__":
    main()
