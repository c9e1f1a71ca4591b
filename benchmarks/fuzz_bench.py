"""Time per record on hostile input: hypothesis generates HTML bodies and RSS/Atom feeds
(unclosed and nested tags, scripts, entities, DOCTYPEs, huge attributes, signal sentences,
long runs without a sentence end) and each goes through the code that meets it in the
pipeline; the script prints, per path, the median, p99 and worst time per record and the size
of the worst input. Issue 11's target: no record takes more than 1 s of analysis.

    python benchmarks/fuzz_bench.py [--examples 300] [--seed 1]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from producers.feeds import FeedConfig, parse_feed  # noqa: E402
from schemas.models import MAX_BODY_CHARS, RawArticle  # noqa: E402
from streams.analyze import analyze_article  # noqa: E402
from streams.text import html_to_text  # noqa: E402

_PIECES = st.sampled_from(
    [
        "<script", "<script>", "</script>", "<style>", "<p>", "</p>", "<div class='", "<br/>",
        "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#x27;", "&#99999999;", "&nbsp;", "<a href=\"",
        "\">", "<", ">", "=", "'", '"', "\n", " ",
        "North Korea sent 10,000 troops to Russia on June 19, 2024. ",
        "북한이 러시아에 병력 1만명을 파병했다고 밝혔다. ", "КНДР направила войска в Россию. ",
        "Putin Kim Jong Un Lavrov Shoigu Pyongyang Kursk ", "1 2 3 4 5 6 7 8 9 0 ",
    ]
)  # fmt: skip


@st.composite
def hostile_text(draw) -> str:
    """A body of up to about 1 MB: pieces repeated, nested and interleaved."""
    pieces = draw(st.lists(_PIECES, min_size=1, max_size=12))
    repeat = draw(st.sampled_from([1, 10, 100, 1_000, 10_000, 40_000]))
    noise = draw(st.text(max_size=200))
    return (("".join(pieces) + noise) * repeat)[:MAX_BODY_CHARS]


@st.composite
def hostile_feed(draw) -> bytes:
    body = draw(hostile_text())
    entity = draw(st.sampled_from(["", '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]>']))
    escaped = body.replace("&", "&amp;").replace("<", "&lt;")[: MAX_BODY_CHARS // 4]
    items = draw(st.integers(1, 200))
    item = f"<item><title>t &a;</title><description>{escaped}</description></item>"
    return (
        f'<?xml version="1.0"?>{entity}<rss version="2.0"><channel><title>f</title>'
        f"{item * max(1, items if len(item) < 10_000 else 2)}</channel></rss>"
    ).encode("utf-8", "replace")


def run(examples: int, seed_value: int) -> dict[str, list[tuple[float, int]]]:
    timings: dict[str, list[tuple[float, int]]] = {"html_to_text": [], "analyze": [], "feed": []}
    published = datetime(2025, 1, 1, tzinfo=UTC)
    config = FeedConfig(name="fuzz", url="https://example.com/feed")
    fuzz = settings(
        max_examples=examples, deadline=None, database=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip

    @seed(seed_value)
    @fuzz
    @given(hostile_text())
    def pages(body: str) -> None:
        start = time.perf_counter()
        text = html_to_text(body)
        timings["html_to_text"].append((time.perf_counter() - start, len(body)))
        raw = RawArticle(article_id="f" * 24, title="Fuzz", body=text or "x", source="fuzz",
                         published_at=published)  # fmt: skip
        start = time.perf_counter()
        analyze_article(raw)
        timings["analyze"].append((time.perf_counter() - start, len(text)))

    @seed(seed_value)
    @settings(fuzz, max_examples=max(10, examples // 5))
    @given(hostile_feed())
    def feeds(data: bytes) -> None:
        start = time.perf_counter()
        with contextlib.suppress(Exception):  # a refused feed is an answer too: time counts
            parse_feed(data, config, fetched_at=published)
        timings["feed"].append((time.perf_counter() - start, len(data)))

    pages()
    feeds()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    timings = run(args.examples, args.seed)
    print(f"hostile input, {args.examples} bodies (seed {args.seed}); seconds per record")
    print(f"{'path':<14} {'records':>8} {'median':>8} {'p99':>8} {'worst':>8}  worst input")
    for path, rows in timings.items():
        times = sorted(t for t, _ in rows)
        worst = max(rows)
        p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
        print(f"{path:<14} {len(rows):>8} {statistics.median(times):>8.4f} {p99:>8.4f} "
              f"{worst[0]:>8.3f}  {worst[1]:,} chars/bytes")  # fmt: skip


if __name__ == "__main__":
    main()
