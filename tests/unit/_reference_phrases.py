"""The phrase matcher as it was before the set-based scan (streams/phrases.py at 9c06ef6), kept
as the reference that tests/unit/test_fast_paths.py compares the fast matcher with."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["PhraseMatch", "PhraseMatcher", "Token", "tokenize", "words"]

_TOKEN_RE = re.compile(r"\w+")
_PATTERN_TOKEN_RE = re.compile(r"[\w*]+")
_HANGUL_RE = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
# What may stand between two words of one phrase in a text (kept in step with the matcher's).
_JOINER_RE = re.compile(r"[\s\-‐‑–—'’‘“”.·‧∙]{1,3}")
MAX_STEM_SUFFIX = 6
_CACHE_WORDS = 200_000

_EXACT, _STEM, _PREFIX = 0, 1, 2

Token = tuple[str, int, int]  # lowercased word, start, end


def tokenize(text: str) -> list[Token]:
    """The words of `text`, lowercased, with their spans."""
    return [(m.group(0).lower(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


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

    @property
    def specificity(self) -> int:
        return sum(len(word) + (kind == _EXACT) for kind, word in self.words)


# A word's candidate phrases: one-word phrases, longer ones by their (exact) second word, and
# longer ones whose second word is a stem or a Hangul prefix.
_Candidates = tuple[list[_Phrase], dict[str, list[_Phrase]], list[_Phrase]]


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
            kind, word = phrase.words[0]
            table = (self._exact, self._stems, self._prefixes)[kind]
            table.setdefault(word, []).append(phrase)
        for table in (self._exact, self._stems, self._prefixes):
            for bucket in table.values():
                bucket.sort(key=lambda p: -len(p.words))
        self._stem_lengths = sorted({len(w) for w in self._stems})
        self._prefix_lengths = sorted({len(w) for w in self._prefixes})
        self._cache: dict[str, _Candidates] = {}

    def _candidates(self, word: str) -> _Candidates:
        # Words repeat across articles: remember each word's candidates (bounded memory),
        # split so that most multi-word phrases are ruled out by the next word alone.
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if len(self._cache) >= _CACHE_WORDS:
            self._cache.clear()
        singles, by_second, others = [], {}, []
        for phrase in self._lookup(word):
            if len(phrase.words) == 1:
                singles.append(phrase)
            elif phrase.words[1][0] == _EXACT:
                by_second.setdefault(phrase.words[1][1], []).append(phrase)
            else:
                others.append(phrase)
        found = self._cache[word] = (singles, by_second, others)
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

    def find(self, text: str, tokens: Sequence[Token] | None = None) -> list[PhraseMatch]:
        """Every phrase occurrence in `text`, left to right, longest first, no overlaps."""
        tokens = tokenize(text) if tokens is None else tokens
        out: list[PhraseMatch] = []
        index, count = 0, len(tokens)
        cache = self._cache
        while index < count:
            # Most words start no phrase: settle them with one dictionary look-up.
            known = cache.get(tokens[index][0])
            if known is not None and not (known[0] or known[1] or known[2]):
                index += 1
                continue
            # The longest match wins; on the same span, the more specific phrase (북한군 over
            # 북한, a full word over a stem); phrases just as specific report all payloads.
            best: tuple[int, int] = (-1, -1)
            best_len, payloads = 0, []
            singles, by_second, others = self._candidates(tokens[index][0])
            candidates = singles
            if index + 1 < count and (by_second or others):
                candidates = [*singles, *by_second.get(tokens[index + 1][0], ()), *others]
            for phrase in candidates:
                size = len(phrase.words)
                if index + size > count:
                    continue
                # A one-word phrase found by the look-up matches unless its case must agree.
                if (size > 1 or phrase.exact_case is not None) and not self._matches(
                    text, tokens, index, phrase
                ):
                    continue
                rank = (tokens[index + size - 1][2], phrase.specificity)
                if rank > best:
                    best, best_len, payloads = rank, size, list(phrase.payloads)
                elif rank == best:
                    payloads.extend(p for p in phrase.payloads if p not in payloads)
            best_end = best[0]
            if best_len:
                out.append(
                    PhraseMatch(tokens[index][1], best_end, tuple(payloads), index, best_len)
                )
                index += best_len
            else:
                index += 1
        return out

    @staticmethod
    def _matches(text: str, tokens: Sequence[Token], index: int, phrase: _Phrase) -> bool:
        for offset, (kind, word) in enumerate(phrase.words):
            token, start, end = tokens[index + offset]
            if kind == _EXACT:
                if token != word:
                    return False
            elif not token.startswith(word) or (
                kind == _STEM and len(token) - len(word) > MAX_STEM_SUFFIX
            ):
                return False
            if offset and not _JOINER_RE.fullmatch(text, tokens[index + offset - 1][2], start):
                return False
            if phrase.exact_case is not None:
                original = text[start:end]
                if not original.startswith(phrase.exact_case[offset]):
                    return False
        return True
