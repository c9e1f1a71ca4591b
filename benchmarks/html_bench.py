"""Time of HTML-to-text on hostile bodies: linear or not.

    python benchmarks/html_bench.py [--repeat 3]

For bodies of repeated unclosed `<script`, `<p` and an endless comment, of 14 KB to 4 MB, prints
the median time of `streams.text.html_to_text` (lexbor through selectolax) and, as a baseline in
the same run, of the standard library's `html.parser` collecting the text (the usual pure-Python
alternative; skipped above 120 KB, where it takes minutes). Linear time shows as time per KB
that stays flat as the body grows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streams.text import html_to_text  # noqa: E402

_BODIES = {
    "<script x N": lambda n: "<script" * (n // 7),
    "<p x N": lambda n: "<p" * (n // 2),
    "endless comment": lambda n: "News <!--" + "x" * n,
}
_SIZES = (14_000, 112_000, 448_000, 4_000_000)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _stdlib(value: str) -> str:
    parser = _Text()
    parser.feed(value)
    parser.close()
    return "".join(parser.parts)


def _median_seconds(function, value: str, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(value)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| body | size | html_to_text | µs per KB | html.parser (baseline) | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, make in _BODIES.items():
        for size in _SIZES:
            value = make(size)
            ours = _median_seconds(html_to_text, value, args.repeat)
            base = _median_seconds(_stdlib, value, 1) if size <= 120_000 else None
            base_text = f"{base:.3f} s" if base is not None else "skipped"
            ratio = f"{base / ours:,.0f}x" if base else "-"
            print(f"| {name} | {len(value) // 1000} KB | {ours * 1000:.2f} ms | "
                  f"{ours * 1e6 / (len(value) / 1000):.2f} | {base_text} | {ratio} |")  # fmt: skip


if __name__ == "__main__":
    main()
