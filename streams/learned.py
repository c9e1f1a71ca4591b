"""A learned filter over the rules' signals: keep or drop each category the rules find.

The rules propose every (article, category) whose sentences they find; a logistic regression
keeps or drops each, from the rule features (the category, its best confidence, how many
sentences, their cues and key cue, hedges, how the two sides were found, the script of the
text, whether the headline carries it) and the stemmed words of its evidence sentences
(hashed, `DIMENSIONS` slots). It learns which cues and contexts the rules trust too much; it
cannot add what the rules miss.

Trained in the repository, from the signal tuning corpus (`streams.evaluate.TUNING_FILES`,
never the frozen test split), by `python -m streams.train_filter` (deterministic: L-BFGS on fixed
data in numpy, CRC32 feature hashing), which writes `seeds/signal_filter.json`; the analysis
reads that file (nothing is downloaded). `benchmarks/learned_filter_cv.py` measures it as a
new batch of news would meet it: leave one tuning file out, train on the others.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache, partial
from itertools import chain

import numpy as np

from streams.catalogue import SeedDataError, seeds_dir
from streams.phrases import Tokens, VocabularyColumn

__all__ = [
    "DIMENSIONS",
    "SignalFilter",
    "category_features",
    "default_filter",
    "train",
]

DIMENSIONS = 1 << 14
FILTER_FILE = "signal_filter.json"
_WORD = re.compile(r"\w+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_CYRILLIC = re.compile(r"[а-яё]")
_MAX_EVIDENCE = 3  # sentences per category whose words count
# Keep a category at this probability: of 0.2 to 0.5, the best median micro-F1 leaving one
# tuning file out (benchmarks/learned_filter_cv.py --threshold), and the timeline's tuning
# part (novelty per event) as without the filter.
THRESHOLD = 0.3


def _stem(word: str) -> str:
    """A crude stem, the same for a word's forms: Korean particles and Russian endings off."""
    if _HANGUL.match(word):
        return word[:2]
    if _CYRILLIC.match(word):
        return word[:5]
    return word[:6]


@lru_cache(maxsize=1 << 16)
def _slot(name: str) -> int:
    return zlib.crc32(name.encode()) % DIMENSIONS


@lru_cache(maxsize=1 << 17)
def _word_slots(category: str, word: str) -> tuple[int, int]:
    """The slots of a word's stem, alone and with the category (the features' hot path)."""
    stem = _stem(word)
    return _slot(f"w={stem}"), _slot(f"{category}:w={stem}")


def _script(text: str) -> str:
    """The text's script (ko, ru or en), which the feeds do not always state."""
    sample = text[:2000]
    if _HANGUL.search(sample):
        return "ko"
    if _CYRILLIC.search(sample.lower()):
        return "ru"
    return "en"


def _by_category(every: Sequence) -> dict[str, list]:
    by_category: dict[str, list] = defaultdict(list)
    for candidate in every:
        if not candidate.denied:
            by_category[candidate.category].append(candidate)
    return by_category


def _rule_features(
    category: str, found: list, categories: int, script: str, title_length: int
) -> dict[int, float]:
    """A category's features from the rules (all but the words of its evidence)."""
    features: dict[int, float] = defaultdict(float)
    best = max(c.confidence for c in found)
    for name, value in (
        ("bias", 1.0),
        (f"category={category}", 1.0),
        (f"lang={script}", 1.0),
        ("confidence", best),
        (f"{category}:confidence", best),
        (f"{category}:sentences", len(found) ** 0.5),
        ("categories", categories / 6),
        ("all_hedged", float(all(c.hedged for c in found))),
        ("in_title", float(any(c.start < title_length for c in found))),
    ):
        features[_slot(name)] += value
    for candidate in found:
        features[_slot(f"basis={candidate.basis}")] += 1 / len(found)
        features[_slot(f"{category}:key={candidate.key_cue}")] = 1.0
        for cue in candidate.cues:
            features[_slot(f"{category}:cue={cue}")] = 1.0
    return features


def category_features(every: Sequence, title_length: int, text: str) -> dict[str, dict[int, float]]:
    """Per category the rules find in an article (denied sentences aside), its features.
    `every` holds the article's `SignalCandidate`s (every qualifying sentence and category)."""
    by_category = _by_category(every)
    script = _script(text)
    words_of: dict[str, list[str]] = {}  # a sentence may stand for several categories
    out = {}
    for category, found in by_category.items():
        features = _rule_features(category, found, len(by_category), script, title_length)
        slots_of = partial(_word_slots, category)
        for candidate in found[:_MAX_EVIDENCE]:
            words = words_of.get(candidate.evidence)
            if words is None:
                words = words_of[candidate.evidence] = _WORD.findall(candidate.evidence.lower())
            features.update(dict.fromkeys(chain.from_iterable(map(slots_of, words)), 1.0))
        out[category] = dict(features)
    return out


class _SlotTable:
    """Per word id of the process's `VOCABULARY`, the slots of the word's stem: alone and with
    each category (`_word_slots` as arrays, so a sentence's slots are one numpy look-up)."""

    def __init__(self) -> None:
        self.plain = VocabularyColumn(lambda word: _slot(f"w={_stem(word)}"), np.intp)
        self.by_category: dict[str, VocabularyColumn] = {}

    def of(self, category: str) -> tuple[np.ndarray, np.ndarray]:
        """The plain slots and the category's slots, indexed by word id."""
        column = self.by_category.get(category)
        if column is None:
            column = self.by_category[category] = VocabularyColumn(
                partial(_category_word_slot, category), np.intp
            )
        return self.plain.update(), column.update()


def _category_word_slot(category: str, word: str) -> int:
    return _word_slots(category, word)[1]


class SignalFilter:
    """The trained weights: `keeps` a category when its probability is at least `threshold`."""

    def __init__(
        self,
        weights: np.ndarray,
        intercept: float,
        threshold: float = THRESHOLD,
        trained_on: Iterable[str] = (),
    ) -> None:
        if weights.shape != (DIMENSIONS,):
            raise SeedDataError(f"a signal filter has {DIMENSIONS} weights, not {weights.shape}")
        self.weights = weights.astype(np.float64)
        self.intercept = float(intercept)
        self.threshold = float(threshold)
        self.trained_on = frozenset(trained_on)  # the corpus files it learned from
        self._weights = self.weights.tolist()  # one by one, a list is the faster look-up
        self._slots = _SlotTable()

    def probability(self, features: dict[int, float]) -> float:
        weights = self._weights
        return self._probability(self.intercept + sum(weights[i] * v for i, v in features.items()))

    @staticmethod
    def _probability(score: float) -> float:
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, score))))

    def rejected(
        self, every: Sequence, title_length: int, text: str, tokens: Tokens | None = None
    ) -> set[str]:
        """The categories of an article's candidates that the filter drops."""
        found = self.probabilities(every, title_length, text, tokens)
        return {c for c, p in found.items() if p < self.threshold}

    def probabilities(
        self, every: Sequence, title_length: int, text: str, tokens: Tokens | None = None
    ) -> dict[str, float]:
        """Per category of an article's candidates, the probability that it is right. With
        the text's `tokens` (`Tokens.of(text)`), the evidence words are read from them: the
        same words and features as `category_features`, without a Python step per word."""
        if not every:
            return {}
        if tokens is None or "Σ" in text or "İ" in text:
            # (Σ and İ lowercase differently in a word and in the text: streams/analyze.py)
            found = category_features(every, title_length, text)
            return {c: self.probability(f) for c, f in found.items()}
        by_category = _by_category(every)
        script = _script(text)
        ids, starts = tokens.ids(), tokens.starts
        lookup = self._weights
        out = {}
        for category, found in by_category.items():
            features = _rule_features(category, found, len(by_category), script, title_length)
            pieces, seen = [], set()
            for candidate in found[:_MAX_EVIDENCE]:
                if candidate.evidence not in seen:
                    seen.add(candidate.evidence)
                    first = bisect_left(starts, candidate.start)
                    pieces.append(ids[first : bisect_left(starts, candidate.end, first)])
            score = self.intercept
            if pieces:
                plain, with_category = self._slots.of(category)
                words = np.concatenate(pieces)
                slots = np.unique(np.concatenate((plain[words], with_category[words])))
                score += float(self.weights[slots].sum())
                # A word's slot overrides a rule feature's in the same slot (its value is 1).
                taken = set(slots.tolist())
                features = {i: v for i, v in features.items() if i not in taken}
            score += sum(lookup[i] * v for i, v in features.items())
            out[category] = self._probability(score)
        return out

    # ------------------------------------------------------------------ the file
    def to_json(self, trained_on: dict[str, str], c: float) -> dict:
        nonzero = np.flatnonzero(self.weights)
        return {
            "model": "logistic regression over hashed rule and word features",
            "dimensions": DIMENSIONS,
            "c": c,
            "threshold": self.threshold,
            "intercept": round(self.intercept, 6),
            "trained_on": trained_on,
            "weights": [[int(i), round(float(self.weights[i]), 6)] for i in nonzero],
        }

    @classmethod
    def from_json(cls, data: dict) -> SignalFilter:
        try:
            if data["dimensions"] != DIMENSIONS:
                raise SeedDataError(f"{FILTER_FILE}: {data['dimensions']} dimensions")
            weights = np.zeros(DIMENSIONS)
            for index, value in data["weights"]:
                weights[int(index)] = float(value)
            return cls(
                weights,
                data["intercept"],
                data.get("threshold", THRESHOLD),
                data.get("trained_on", {}),
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise SeedDataError(f"{FILTER_FILE}: {exc!r}") from exc


@lru_cache(maxsize=1)
def default_filter() -> SignalFilter | None:
    """The committed filter (`seeds/signal_filter.json`), or None when there is none."""
    path = seeds_dir() / FILTER_FILE
    if not path.exists():
        return None
    return SignalFilter.from_json(json.loads(path.read_text(encoding="utf-8")))


# ---------------------------------------------------------------------- training
class _Matrix:
    """The examples' features as one sparse matrix (coordinates: row, column, value)."""

    def __init__(self, examples: Sequence[dict[int, float]]) -> None:
        self.rows = np.array([r for r, f in enumerate(examples) for _ in f], dtype=np.int64)
        self.columns = np.array([i for f in examples for i in sorted(f)], dtype=np.int64)
        self.values = np.array([f[i] for f in examples for i in sorted(f)], dtype=np.float64)
        self.count = len(examples)

    def times(self, weights: np.ndarray) -> np.ndarray:
        products = weights[self.columns] * self.values
        return np.bincount(self.rows, weights=products, minlength=self.count)

    def transposed_times(self, vector: np.ndarray) -> np.ndarray:
        products = self.values * vector[self.rows]
        return np.bincount(self.columns, weights=products, minlength=DIMENSIONS)


def _objective(w: np.ndarray, x: _Matrix, y: np.ndarray, c: float) -> tuple[float, np.ndarray]:
    """C x the summed log-loss plus half the squared norm of the weights (the intercept, the
    last element of `w`, unregularised): its value and gradient."""
    weights, intercept = w[:-1], w[-1]
    scores = x.times(weights) + intercept
    # log(1 + exp(-s)) for y=1, log(1 + exp(s)) for y=0, computed stably
    signed = np.where(y > 0, -scores, scores)
    loss = float(np.sum(np.logaddexp(0.0, signed))) * c + 0.5 * float(weights @ weights)
    residual = (1.0 / (1.0 + np.exp(-np.clip(scores, -500.0, 500.0))) - y) * c
    grad = np.empty_like(w)
    grad[:-1] = x.transposed_times(residual) + weights
    grad[-1] = float(np.sum(residual))
    return loss, grad


def train(
    examples: Sequence[tuple[dict[int, float], bool]], c: float = 1.0, iterations: int = 1000
) -> SignalFilter:
    """An L2 logistic regression (the objective of `_objective`) fitted by L-BFGS with a
    backtracking line search: deterministic for the same examples in the same order."""
    x = _Matrix([features for features, _ in examples])
    y = np.array([1.0 if label else 0.0 for _, label in examples])
    w = np.zeros(DIMENSIONS + 1)
    loss, grad = _objective(w, x, y, c)
    history: list[tuple[np.ndarray, np.ndarray]] = []
    for _ in range(iterations):
        # two-loop recursion: the L-BFGS direction
        q = grad.copy()
        alphas = []
        for s, t in reversed(history):
            alpha = (s @ q) / (t @ s)
            alphas.append(alpha)
            q -= alpha * t
        if history:
            s, t = history[-1]
            q *= (s @ t) / (t @ t)
        for (s, t), alpha in zip(history, reversed(alphas), strict=True):
            beta = (t @ q) / (t @ s)
            q += s * (alpha - beta)
        direction = -q
        step, slope = 1.0, float(grad @ direction)
        if slope >= 0:
            direction, slope = -grad, -float(grad @ grad)
        while True:
            candidate = w + step * direction
            new_loss, new_grad = _objective(candidate, x, y, c)
            if new_loss <= loss + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s, t = candidate - w, new_grad - grad
        w, loss, grad = candidate, new_loss, new_grad
        if float(t @ s) > 1e-12:
            history = [*history[-9:], (s, t)]
        if float(np.max(np.abs(grad))) < 1e-6:
            break
    return SignalFilter(w[:-1].copy(), float(w[-1]))
