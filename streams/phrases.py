"""A fast multi-phrase matcher over word tokens: one pass over a text finds every listed phrase.

Phrases (actor names, signal cues) are written as in the seed files:
- words match whole words, case-insensitively; a phrase in capitals only (KCNA, FSB) matches
  only in capitals;
- the words of a phrase may be joined in the text by spaces, hyphens, apostrophes or dots
  ("Kim Jong Un" finds "Kim Jong-un");
- a word ending in `*` is a stem: it takes up to six more letters (Russian case endings:
  "Путин*" finds Путина, Путиным);
- a Hangul word at the end of a phrase takes any ending (particles: 북한군 finds 북한군이).

Matching is leftmost-longest and without overlaps; a phrase listed with several payloads
reports all of them.

A text is tokenized once (`Tokens`: the lowercased words and their spans, as columns) and
every matcher reads the same tokens. Words get ids from a process-wide `Vocabulary`; a matcher
keeps, per word id, whether the word can start one of its phrases, so the few positions worth
a closer look come from one numpy look-up rather than a test per token in Python.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import numpy as np

__all__ = [
    "VOCABULARY",
    "PhraseMatch",
    "PhraseMatcher",
    "Token",
    "Tokens",
    "Vocabulary",
    "VocabularyColumn",
    "tokenize",
    "words",
]

_TOKEN_RE = re.compile(r"\w+")
_SPLIT_RE = re.compile(r"(\w+)")
_PATTERN_TOKEN_RE = re.compile(r"[\w*]+")
_HANGUL_RE = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
# What may stand between two words of one phrase in a text.
_JOINER_RE = re.compile(r"[\s\-‐‑–—'’‘“”.·‧∙]{1,3}")
MAX_STEM_SUFFIX = 6
_VOCABULARY_WORDS = 500_000

_EXACT, _STEM, _PREFIX = 0, 1, 2


def _word_units() -> np.ndarray:
    """Per UTF-16 code unit, whether it is a word character (`\\w`) as the regular expression
    engine has it: the characters of the Basic Multilingual Plane (surrogates are none)."""
    plane = "".join(map(chr, range(0x10000)))
    table = np.zeros(0x10000, dtype=bool)
    for match in _TOKEN_RE.finditer(plane):
        table[match.start() : match.end()] = True
    return table


_WORD_UNITS = _word_units()
_SPACE = np.uint16(ord(" "))

Token = tuple[str, int, int]  # lowercased word, start, end
# A match as the scan finds it: start, end, payloads, first token, token count.
RawMatch = tuple[int, int, tuple[Any, ...], int, int]


class Vocabulary:
    """Ids for the words met in this process, in order of first meeting (bounded memory).

    Matchers and the fingerprint keep tables indexed by these ids. When the vocabulary is full
    it starts again under a new `generation`, and the tables are rebuilt.
    """

    def __init__(self, limit: int = _VOCABULARY_WORDS) -> None:
        self.limit = limit
        self.generation = 0
        self.words: list[str] = []
        self._ids: dict[str, int] = {}

    def ids(self, words: list[str]) -> np.ndarray:
        """The ids of `words` (intp array), new words added."""
        try:
            return np.fromiter(map(self._ids.__getitem__, words), dtype=np.intp, count=len(words))
        except KeyError:
            pass
        if len(self.words) + len(words) > self.limit:
            self.generation += 1
            self.words = []
            self._ids = {}
        known, vocabulary = self._ids, self.words
        found = []
        for word in words:
            value = known.get(word)
            if value is None:
                value = known[word] = len(vocabulary)
                vocabulary.append(word)
            found.append(value)
        return np.array(found, dtype=np.intp)


VOCABULARY = Vocabulary()


class VocabularyColumn:
    """A value per word id of `VOCABULARY`, as a numpy array: `of_word` is computed once per
    word as the vocabulary grows (the array's capacity doubling), and afresh when the
    vocabulary starts a new generation. Index the array with `Tokens.ids`."""

    __slots__ = ("_dtype", "_generation", "_known", "_of_word", "_table")

    def __init__(self, of_word: Callable[[str], Any], dtype: type) -> None:
        self._of_word = of_word
        self._dtype = dtype
        self._table = np.zeros(0, dtype=dtype)
        self._known = 0
        self._generation = -1

    def update(self) -> np.ndarray:
        """The array, brought up to date with the vocabulary."""
        if self._generation != VOCABULARY.generation:
            self._generation = VOCABULARY.generation
            self._table = np.zeros(1024, dtype=self._dtype)
            self._known = 0
        size = len(VOCABULARY.words)
        if size > self._known:
            known = self._known
            if size > len(self._table):
                grown = np.zeros(max(size, 2 * len(self._table)), dtype=self._dtype)
                grown[:known] = self._table[:known]
                self._table = grown
            self._table[known:size] = [self._of_word(w) for w in VOCABULARY.words[known:size]]
            self._known = size
        return self._table


class Tokens:
    """The words of a text, lowercased, and their spans: `tokenize` in columns.

    Built once per text and shared by every matcher (and the fingerprint); indexing gives the
    same `(word, start, end)` tuples as `tokenize`.
    """

    __slots__ = ("_ids", "ends", "starts", "words")

    def __init__(self, words: list[str], starts: list[int], ends: list[int]) -> None:
        self.words = words
        self.starts = starts
        self.ends = ends
        self._ids: tuple[int, np.ndarray] | None = None

    @classmethod
    def of(cls, text: str) -> Tokens:
        if "Σ" in text or "İ" in text:
            # The text split around its words alternates separator, word, separator, ...; the
            # running sum of the part lengths gives every span without a Python loop.
            parts = _SPLIT_RE.split(text)
            found = list(map(str.lower, parts[1::2]))
            offsets = list(accumulate(map(len, parts)))
            return cls(found, offsets[0:-1:2], offsets[1::2])
        # Lowercasing the text lowercases each word alike, keeps every character one character
        # and a word character or not as it was, but for those two (Σ depends on the letters
        # around it; İ becomes two characters): tests/unit/test_fast_paths.py.
        lowered = text.lower()
        units = lowered.encode("utf-16-le", "surrogatepass")
        if len(units) != 2 * len(lowered):  # a character beyond the Basic Multilingual Plane
            parts = _SPLIT_RE.split(lowered)
            offsets = list(accumulate(map(len, parts)))
            return cls(parts[1::2], offsets[0:-1:2], offsets[1::2])
        # One code unit per character: words start and end where the word-character table
        # changes its verdict, and they are what splitting leaves once every other character
        # is a space (numpy and str.split, faster than the regular expression).
        codes = np.frombuffer(units, dtype=np.uint16)
        is_word = _WORD_UNITS[codes]
        edges = np.diff(is_word, prepend=False, append=False).nonzero()[0].tolist()
        spaced = np.where(is_word, codes, _SPACE).tobytes().decode("utf-16-le")
        return cls(spaced.split(), edges[0::2], edges[1::2])

    @classmethod
    def from_list(cls, tokens: Sequence[Token]) -> Tokens:
        if isinstance(tokens, Tokens):
            return tokens
        return cls([t[0] for t in tokens], [t[1] for t in tokens], [t[2] for t in tokens])

    def window(self, start: int, end: int) -> Tokens:
        """`Tokens.of(text[start:end])` for the text these are the tokens of, taken from them:
        the tokens within the span, their offsets from `start` (ids shared, when known).

        The same only when no word crosses `start` or `end` (a sentence's span, for one)."""
        first = bisect_left(self.starts, start)
        last = bisect_left(self.starts, end, first)
        starts = self.starts[first:last]
        ends = self.ends[first:last]
        if start:
            starts = [at - start for at in starts]
            ends = [at - start for at in ends]
        window = Tokens(self.words[first:last], starts, ends)
        cached = self._ids
        if cached is not None:
            window._ids = (cached[0], cached[1][first:last])
        return window

    def ids(self) -> np.ndarray:
        """The words' ids in the process's `VOCABULARY` (computed once per generation)."""
        cached = self._ids
        if cached is not None and cached[0] == VOCABULARY.generation:
            return cached[1]
        ids = VOCABULARY.ids(self.words)
        self._ids = (VOCABULARY.generation, ids)
        return ids

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, index: int) -> Token:
        return (self.words[index], self.starts[index], self.ends[index])

    def __iter__(self):  # noqa: ANN204
        return zip(self.words, self.starts, self.ends, strict=True)


def tokenize(text: str) -> list[Token]:
    """The words of `text`, lowercased, with their spans."""
    return list(Tokens.of(text))


def words(text: str) -> list[str]:
    """The words of `text`, lowercased, without spans (faster when spans are not needed)."""
    return _TOKEN_RE.findall(text.lower())


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    start: int
    end: int
    payloads: tuple[Any, ...]
    first_token: int
    token_count: int


@dataclass(slots=True)
class _Phrase:
    words: tuple[tuple[int, str], ...]  # (kind, lowercased word or stem)
    exact_case: tuple[str, ...] | None  # original words, for phrases in capitals
    payloads: list[Any]
    size: int = 0
    specificity: int = 0
    # The words when all must be equal to the text's (no stem, no Hangul prefix), else None.
    exact_words: list[str] | None = None
    # False when finding the phrase's first word settles it (one word, any case).
    check: bool = True
    payload_tuple: tuple[Any, ...] = ()

    def freeze(self) -> None:
        self.size = len(self.words)
        self.specificity = sum(len(word) + (kind == _EXACT) for kind, word in self.words)
        self.check = self.size > 1 or self.exact_case is not None
        self.payload_tuple = tuple(self.payloads)
        if all(kind == _EXACT for kind, _ in self.words):
            self.exact_words = [word for _, word in self.words]


# Phrases of one first and second word, and, when some of them have an exact third word,
# those that a given third word leaves (filled as third words are met; same order).
_Bucket = tuple[list[_Phrase], dict[str | None, list[_Phrase]] | None]
# A word's candidate phrases: one-word phrases, longer ones by their (exact) second word, and
# longer ones whose second word is a stem or a Hangul prefix; last, when the one-word phrases
# are a single one that matches in any case, that phrase (then, when the next word rules out
# every longer phrase, the match is settled without a comparison).
_Candidates = tuple[list[_Phrase], dict[str, _Bucket], list[_Phrase], _Phrase | None]
_THIRD_WORDS = 4096  # third words remembered per bucket


def _parse(pattern: str) -> tuple[tuple[tuple[int, str], ...], tuple[str, ...] | None]:
    raw = _PATTERN_TOKEN_RE.findall(pattern)
    if not raw:
        raise ValueError(f"phrase {pattern!r} has no words")
    words = []
    for index, word in enumerate(raw):
        if word.endswith("*"):
            words.append((_STEM, word.rstrip("*").lower()))
        elif index == len(raw) - 1 and _HANGUL_RE.search(word):
            words.append((_PREFIX, word.lower()))
        else:
            if "*" in word:
                raise ValueError(f"phrase {pattern!r}: '*' only ends a word")
            words.append((_EXACT, word.lower()))
    letters = [ch for ch in pattern if ch.isalpha()]
    capitals = bool(letters) and all(ch.isupper() for ch in letters if ch.upper() != ch.lower())
    exact_case = tuple(w.rstrip("*") for w in raw) if capitals else None
    return tuple(words), exact_case


class PhraseMatcher:
    """Finds listed phrases in texts; `items` are (phrase, payload) pairs."""

    def __init__(self, items: Iterable[tuple[str, Any]]) -> None:
        phrases: dict[tuple, _Phrase] = {}
        for pattern, payload in items:
            words, exact_case = _parse(pattern)
            key = (words, exact_case)
            phrase = phrases.setdefault(key, _Phrase(words, exact_case, []))
            if payload not in phrase.payloads:
                phrase.payloads.append(payload)
        self._exact: dict[str, list[_Phrase]] = {}
        self._stems: dict[str, list[_Phrase]] = {}
        self._prefixes: dict[str, list[_Phrase]] = {}
        for phrase in phrases.values():
            phrase.freeze()
            kind, word = phrase.words[0]
            table = (self._exact, self._stems, self._prefixes)[kind]
            table.setdefault(word, []).append(phrase)
        for table in (self._exact, self._stems, self._prefixes):
            for bucket in table.values():
                bucket.sort(key=lambda p: -len(p.words))
        self._stem_lengths = sorted({len(w) for w in self._stems})
        self._prefix_lengths = sorted({len(w) for w in self._prefixes})
        # Words repeat across articles: each word of the vocabulary is looked up once; the
        # table says, per word id, whether the word can start a phrase, and the cache holds
        # the candidates of those that can.
        self._cache: dict[str, _Candidates] = {}
        self._starts = np.zeros(0, dtype=bool)
        self._known = 0  # words of the vocabulary looked up
        self._generation = -1

    def _learn(self, vocabulary: Vocabulary) -> np.ndarray:
        """The starts-a-phrase table, brought up to date with the vocabulary."""
        if self._generation != vocabulary.generation:
            self._generation = vocabulary.generation
            self._cache.clear()
            self._starts = np.zeros(1024, dtype=bool)
            self._known = 0
        size = len(vocabulary.words)
        if size > self._known:
            if size > len(self._starts):
                grown = np.zeros(max(size, 2 * len(self._starts)), dtype=bool)
                grown[: self._known] = self._starts[: self._known]
                self._starts = grown
            table = self._starts
            for index in range(self._known, size):
                word = vocabulary.words[index]
                found = self._lookup(word)
                if found:
                    self._cache[word] = self._split(found)
                    table[index] = True
            self._known = size
        return self._starts

    @staticmethod
    def _split(found: list[_Phrase]) -> _Candidates:
        # Split so that most multi-word phrases are ruled out by the next word alone.
        singles: list[_Phrase] = []
        seconds: dict[str, list[_Phrase]] = {}
        others: list[_Phrase] = []
        for phrase in found:
            if len(phrase.words) == 1:
                singles.append(phrase)
            elif phrase.words[1][0] == _EXACT:
                seconds.setdefault(phrase.words[1][1], []).append(phrase)
            else:
                others.append(phrase)
        by_second: dict[str, _Bucket] = {}
        for second, bucket in seconds.items():
            third = any(p.size > 2 and p.words[2][0] == _EXACT for p in bucket)
            by_second[second] = (bucket, {} if third else None)
        single = None
        if len(singles) == 1 and not singles[0].check:
            single = singles[0]
        return singles, by_second, others, single

    @staticmethod
    def _narrow(phrases: list[_Phrase], by_third: dict, third: str | None) -> list[_Phrase]:
        """The phrases of a bucket that the third word does not rule out, in their order."""
        if len(by_third) >= _THIRD_WORDS:
            by_third.clear()
        found = by_third[third] = [
            p for p in phrases if p.size == 2 or p.words[2][0] != _EXACT or p.words[2][1] == third
        ]
        return found

    def _lookup(self, word: str) -> list[_Phrase]:
        found = list(self._exact.get(word, ()))
        size = len(word)
        for length in self._stem_lengths:
            if length > size:
                break
            if size - length <= MAX_STEM_SUFFIX:
                found.extend(self._stems.get(word[:length], ()))
        for length in self._prefix_lengths:
            if length > size:
                break
            found.extend(self._prefixes.get(word[:length], ()))
        return found

    def find(self, text: str, tokens: Sequence[Token] | Tokens | None = None) -> list[PhraseMatch]:
        """Every phrase occurrence in `text`, left to right, longest first, no overlaps."""
        return [PhraseMatch(*match) for match in self.scan(text, tokens)]

    def scan(self, text: str, tokens: Sequence[Token] | Tokens | None = None) -> list[RawMatch]:
        """`find` as plain tuples (start, end, payloads, first token, token count)."""
        toks = Tokens.of(text) if tokens is None else Tokens.from_list(tokens)
        words = toks.words
        if not words:
            return []
        ids = toks.ids()
        # Most words start no phrase: only the positions of those that may are looked at
        # (`nonzero` of the 1-D array, as `flatnonzero` without its overhead).
        positions = self._learn(VOCABULARY)[ids].nonzero()[0].tolist()
        starts, ends = toks.starts, toks.ends
        count = len(words)
        cache = self._cache
        matches = self._matches
        out: list[RawMatch] = []
        after = 0  # the first token not inside the last match
        for index in positions:
            if index < after:
                continue
            singles, by_second, others, single = cache[words[index]]
            candidates = singles
            if index + 1 < count and (by_second or others):
                bucket = by_second.get(words[index + 1]) if by_second else None
                if bucket is not None:
                    seconds, by_third = bucket
                    if by_third is not None:
                        # Longer phrases whose third word is not the text's are left out.
                        third = words[index + 2] if index + 2 < count else None
                        narrowed = by_third.get(third)
                        seconds = (
                            self._narrow(seconds, by_third, third) if narrowed is None else narrowed
                        )
                    if seconds or others:
                        candidates = [*singles, *seconds, *others]
                elif others:
                    candidates = [*singles, *others]
            if candidates is singles:
                # Only one-word phrases are left: a single one that matches in any case is the
                # match; none, no match.
                if single is not None:
                    out.append((starts[index], ends[index], single.payload_tuple, index, 1))
                    after = index + 1
                    continue
                if not singles:
                    continue
            # The longest match wins; on the same span, the more specific phrase (북한군 over
            # 북한, a full word over a stem); phrases just as specific report all payloads.
            best: tuple[int, int] = (-1, -1)
            best_len, payloads = 0, []
            for phrase in candidates:
                size = phrase.size
                if index + size > count:
                    continue
                # A one-word phrase found by the look-up matches unless its case must agree.
                if phrase.check and not matches(text, words, starts, ends, index, phrase):
                    continue
                rank = (ends[index + size - 1], phrase.specificity)
                if rank > best:
                    best, best_len, payloads = rank, size, list(phrase.payloads)
                elif rank == best:
                    payloads.extend(p for p in phrase.payloads if p not in payloads)
            if best_len:
                out.append((starts[index], best[0], tuple(payloads), index, best_len))
                after = index + best_len
        return out

    @staticmethod
    def _matches(
        text: str,
        words: list[str],
        starts: list[int],
        ends: list[int],
        index: int,
        phrase: _Phrase,
    ) -> bool:
        size = phrase.size
        if phrase.exact_words is not None:
            if words[index : index + size] != phrase.exact_words:
                return False
        else:
            for offset, (kind, word) in enumerate(phrase.words):
                token = words[index + offset]
                if kind == _EXACT:
                    if token != word:
                        return False
                elif not token.startswith(word) or (
                    kind == _STEM and len(token) - len(word) > MAX_STEM_SUFFIX
                ):
                    return False
        for at in range(index + 1, index + size):
            # Most words are joined by one space; anything else is checked by the pattern.
            end, start = ends[at - 1], starts[at]
            if not (start - end == 1 and text[end] == " ") and not _JOINER_RE.fullmatch(
                text, end, start
            ):
                return False
        exact_case = phrase.exact_case
        if exact_case is not None:
            for offset, original in enumerate(exact_case):
                at = index + offset
                if not text.startswith(original, starts[at], ends[at]):
                    return False
        return True
