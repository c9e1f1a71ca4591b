"""Cooperation signals: sentences with a category cue and both a Russia-side and a DPRK-side actor.

A sentence qualifies when it names both sides itself, or names one side while its context
supplies the other: a pair phrase ("the two countries", "북러") in an article that names both
sides, or the other side in the sentence just before. Hedged or denied sentences are kept and
marked. Per article, each category yields one signal: its strongest sentence.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from streams.actors import ActorMatcher, Mention, _alias_pattern, default_matcher
from streams.catalogue import SeedDataError, load_toml
from streams.text import Sentence, split_sentences

__all__ = [
    "CATEGORIES",
    "CueBook",
    "SignalCandidate",
    "default_cuebook",
    "detect_signals",
    "signal_key",
]

CATEGORIES = ("military", "cyber", "labour", "diplomatic", "economic", "technology")
# Actor types too general to tell one signal from another in a novelty key.
_GENERAL_TYPES = frozenset({"state", "place", "media"})
_BASIS_CONFIDENCE = {"sentence": 0.9, "pair_phrase": 0.75, "previous_sentence": 0.6}


@dataclass(frozen=True, slots=True)
class Cue:
    category: str
    id: str
    weight: int


@dataclass(frozen=True, slots=True)
class SignalCandidate:
    """One signal: its evidence sentence (verbatim, with span), actors, cues and confidence."""

    category: str
    evidence: str
    start: int
    end: int
    actors: tuple[str, ...]
    russia_actors: tuple[str, ...]
    dprk_actors: tuple[str, ...]
    cues: tuple[str, ...]
    key_cue: str
    basis: str
    hedged: bool
    confidence: float
    score: int


def _compile(patterns: Sequence[str]) -> re.Pattern[str] | None:
    parts = sorted({p for p in patterns}, key=lambda p: -len(p))
    if not parts:
        return None
    # Cues are case-insensitive whatever their spelling.
    return re.compile("|".join(_alias_pattern(p) for p in parts), re.I)


class CueBook:
    """The compiled cue lists of `seeds/signals.toml`."""

    def __init__(self, data: dict) -> None:
        self.cues: list[Cue] = []
        parts: list[str] = []
        for index, entry in enumerate(data.get("cues", [])):
            category = entry.get("category")
            if category not in CATEGORIES:
                raise SeedDataError(
                    f"signals.toml cue {index}: category must be one of {CATEGORIES}"
                )
            patterns = [p for lang in ("en", "ru", "ko") for p in entry.get(lang, [])]
            if not entry.get("id") or not patterns:
                raise SeedDataError(f"signals.toml cue {index}: needs an id and patterns")
            self.cues.append(Cue(category, entry["id"], int(entry.get("weight", 1))))
            joined = "|".join(
                _alias_pattern(p) for p in sorted(set(patterns), key=len, reverse=True)
            )
            parts.append(f"(?P<c{index}>{joined})")
        self._cue_regex = re.compile("|".join(parts), re.I)
        context = data.get("context", {})
        self._pair_regex = _compile(context.get("bilateral", []))
        self._hedge_regex = _compile(context.get("hedges", []))

    @classmethod
    def from_toml(cls, path: str | Path = "signals.toml") -> CueBook:
        return cls(load_toml(path))

    def cues_in(self, text: str) -> list[Cue]:
        """The cues found in `text`, each concept once, in order of first appearance."""
        seen: dict[int, Cue] = {}
        for match in self._cue_regex.finditer(text):
            index = int(match.lastgroup[1:])  # type: ignore[index]
            seen.setdefault(index, self.cues[index])
        return list(seen.values())

    def has_pair_phrase(self, text: str) -> bool:
        return bool(self._pair_regex and self._pair_regex.search(text))

    def is_hedged(self, text: str) -> bool:
        return bool(self._hedge_regex and self._hedge_regex.search(text))


@lru_cache(maxsize=1)
def default_cuebook() -> CueBook:
    return CueBook.from_toml()


def detect_signals(
    text: str,
    mentions: Sequence[Mention] | None = None,
    sentences: Sequence[Sentence] | None = None,
    matcher: ActorMatcher | None = None,
    cuebook: CueBook | None = None,
) -> list[SignalCandidate]:
    """The cooperation signals of a normalised text, one per category, strongest first."""
    matcher = matcher or default_matcher()
    cuebook = cuebook or default_cuebook()
    sentences = split_sentences(text) if sentences is None else sentences
    mentions = matcher.find(text) if mentions is None else mentions
    article_sides = {matcher.side(m.actor_id) for m in mentions}
    both_in_article = {"russia", "dprk"} <= article_sides

    per_sentence = _mentions_by_sentence(sentences, mentions)
    best: dict[str, tuple[tuple[float, int, int], SignalCandidate]] = {}
    for index, sentence in enumerate(sentences):
        cues = cuebook.cues_in(sentence.text)
        # A named hacker group is itself a cyber cue.
        actor_ids = per_sentence[index]
        if any(matcher.actors[a].type == "hacker_group" for a in actor_ids):
            cues.append(Cue("cyber", "hacker_group", 2))
        if not cues:
            continue
        sides = {matcher.side(a) for a in actor_ids}
        context_ids: list[str] = []
        if {"russia", "dprk"} <= sides:
            basis = "sentence"
        elif both_in_article and cuebook.has_pair_phrase(sentence.text):
            basis = "pair_phrase"
            context_ids = _article_states(mentions, matcher)
        elif (
            sides & {"russia", "dprk"}
            and index > 0
            and ({"russia", "dprk"} <= sides | {matcher.side(a) for a in per_sentence[index - 1]})
        ):
            basis = "previous_sentence"
            missing = {"russia", "dprk"} - sides
            context_ids = [a for a in per_sentence[index - 1] if matcher.side(a) in missing]
        else:
            continue
        hedged = cuebook.is_hedged(sentence.text)
        all_ids = list(dict.fromkeys(actor_ids + context_ids))
        russia = tuple(a for a in all_ids if matcher.side(a) == "russia")
        dprk = tuple(a for a in all_ids if matcher.side(a) == "dprk")
        scores = {cat: sum(c.weight for c in cues if c.category == cat) for cat in CATEGORIES}
        for category in CATEGORIES:
            mine = [c for c in cues if c.category == category]
            if not mine:
                continue
            score = scores[category]
            # How much the sentence is about this category rather than another one.
            margin = score - max(v for cat, v in scores.items() if cat != category)
            key_cue = max(mine, key=lambda c: c.weight).id
            confidence = _BASIS_CONFIDENCE[basis] * (1 - 0.5 ** (score + 1))
            if hedged:
                confidence *= 0.6
            candidate = SignalCandidate(
                category=category,
                evidence=sentence.text,
                start=sentence.start,
                end=sentence.end,
                actors=tuple(all_ids),
                russia_actors=russia,
                dprk_actors=dprk,
                cues=tuple(c.id for c in mine),
                key_cue=key_cue,
                basis=basis,
                hedged=hedged,
                confidence=round(confidence, 3),
                score=score,
            )
            rank = (candidate.confidence, margin, score)
            if category not in best or rank > best[category][0]:
                best[category] = (rank, candidate)
    found = [candidate for _, candidate in best.values()]
    return sorted(found, key=lambda s: (-s.confidence, CATEGORIES.index(s.category)))


def _mentions_by_sentence(
    sentences: Sequence[Sentence], mentions: Sequence[Mention]
) -> list[list[str]]:
    out: list[list[str]] = [[] for _ in sentences]
    position = 0
    for mention in mentions:
        while position < len(sentences) and sentences[position].end <= mention.start:
            position += 1
        if position < len(sentences) and sentences[position].start <= mention.start:
            ids = out[position]
            if mention.actor_id not in ids:
                ids.append(mention.actor_id)
    return out


def _article_states(mentions: Sequence[Mention], matcher: ActorMatcher) -> list[str]:
    """The Russia-side and DPRK-side states of an article (for pair phrases)."""
    seen = dict.fromkeys(m.actor_id for m in mentions)
    return [
        a
        for a in seen
        if matcher.actors[a].type == "state" and matcher.side(a) in ("russia", "dprk")
    ]


def signal_key(candidate: SignalCandidate, matcher: ActorMatcher | None = None) -> str:
    """The novelty key: category, key cue and the most specific actor(s) of each side.

    Two reports of the same act share it (Kim's letter to Putin), while a different act of the
    same category does not (troops versus shells).
    """
    matcher = matcher or default_matcher()

    def principal(ids: tuple[str, ...]) -> str:
        specific = sorted(a for a in ids if matcher.actors[a].type not in _GENERAL_TYPES)
        states = sorted(a for a in ids if matcher.actors[a].type == "state")
        return "+".join(specific or states or sorted(ids))

    basis = "|".join(
        (
            candidate.category,
            candidate.key_cue,
            principal(candidate.russia_actors),
            principal(candidate.dprk_actors),
        )
    )
    return basis


def signal_id(key: str) -> str:
    """A short, stable id for a novelty key (used as the alert id)."""
    return "s" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:23]
