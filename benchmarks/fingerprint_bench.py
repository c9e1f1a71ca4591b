"""Near-duplicate fingerprints compared: MinHash (ours, numpy), MinHash (datasketch, if
installed), and SimHash, on the story corpora.

    python benchmarks/fingerprint_bench.py

For each method: time per article (median of 5 passes over all articles), and pairwise
precision / recall of "same story" at its best threshold on the labelled pairs (generated
syndicated copies of the signal corpus, and the real copies corpus with its independent
same-event reports), plus the separation: the lowest similarity of a true copy pair and the
highest of a distinct pair.
"""

from __future__ import annotations

import itertools
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streams.fingerprints import (  # noqa: E402
    estimate_jaccard,
    shingle_hashes,
    signature,
    strip_boilerplate,
)
from streams.phrases import tokenize  # noqa: E402
from streams.storyeval import labelled_items  # noqa: E402
from streams.text import normalise_text  # noqa: E402

SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "eval"


def corpus() -> list[tuple[str, str]]:
    items = labelled_items(SEEDS / "corpus.jsonl", SEEDS / "stories.jsonl", random.Random(7))
    return [(truth, item["body"]) for truth, item in items]


def words(body: str) -> list:
    return tokenize(normalise_text(strip_boilerplate(body)))


def minhash_ours(body: str):
    return signature(shingle_hashes(words(body)))


def simhash(body: str) -> int:
    hashes = shingle_hashes(words(body))
    if hashes.size == 0:
        return 0
    # 64-bit shingle hashes from the 32-bit ones, then the bitwise majority vote.
    wide = (hashes * np.uint64(0x9E3779B97F4A7C15)) ^ (hashes << np.uint64(32))
    bits = np.unpackbits(wide.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    votes = bits.sum(axis=0) * 2 > len(hashes)
    return int.from_bytes(np.packbits(votes, bitorder="little").tobytes(), "little")


def simhash_similarity(a: int, b: int) -> float:
    return 1 - bin(a ^ b).count("1") / 64


def main() -> None:
    data = corpus()
    methods = {
        "MinHash, numpy (axiswatch)": (minhash_ours, estimate_jaccard),
        "SimHash 64-bit": (simhash, simhash_similarity),
    }
    try:
        from datasketch import MinHash

        template = MinHash(num_perm=64, seed=1)

        def minhash_datasketch(body: str):
            sketch = MinHash(
                num_perm=64, permutations=template.permutations, scheme=template.scheme
            )
            sketch.update_batch(
                [" ".join(w[0] for w in g).encode() for g in _shingles(words(body))]
            )
            return sketch

        methods["MinHash, datasketch"] = (minhash_datasketch, lambda a, b: a.jaccard(b))
    except ImportError:
        print("(datasketch not installed: its row is left out)")

    pairs = list(itertools.combinations(range(len(data)), 2))
    print(f"{len(data)} articles, {len(pairs)} pairs "
          f"({sum(data[a][0] == data[b][0] for a, b in pairs)} same-story)")  # fmt: skip
    print(f"{'method':<28} {'µs/article':>10} {'best threshold':>15} {'precision':>9} "
          f"{'recall':>7} {'min copy':>9} {'max distinct':>12}")  # fmt: skip
    for name, (make, similar) in methods.items():
        times = []
        for _ in range(5):
            start = time.perf_counter()
            prints = [make(body) for _, body in data]
            times.append((time.perf_counter() - start) / len(data) * 1e6)
        sims = [(similar(prints[a], prints[b]), data[a][0] == data[b][0]) for a, b in pairs]
        best = None
        for threshold in np.arange(0.2, 0.96, 0.02):
            tp = sum(1 for s, same in sims if s >= threshold and same)
            fp = sum(1 for s, same in sims if s >= threshold and not same)
            fn = sum(1 for s, same in sims if s < threshold and same)
            p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
            f1 = 2 * p * r / max(1e-9, p + r)
            if best is None or f1 > best[0]:
                best = (f1, threshold, p, r)
        copy_min = min(s for s, same in sims if same)
        distinct_max = max(s for s, same in sims if not same)
        print(f"{name:<28} {statistics.median(times):>10.0f} {best[1]:>15.2f} {best[2]:>9.3f} "
              f"{best[3]:>7.3f} {copy_min:>9.3f} {distinct_max:>12.3f}")  # fmt: skip


def _shingles(tokens: list) -> list:
    if len(tokens) < 3:
        return [tokens]
    return [tokens[i : i + 3] for i in range(len(tokens) - 2)]


if __name__ == "__main__":
    main()
