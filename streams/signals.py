"""Cooperation signals: sentences with category cues and both a Russia-side and a DPRK-side actor.

A sentence qualifies when its cues of a category weigh at least `MIN_SCORE` and it names both
sides itself, or names one side while its context supplies the other: a pair phrase ("the two
countries", "북러") in an article that names both sides, or, when the sentence refers back
("he", "they", "the two"), the other side named in the sentence just before. A sentence in
which one side acts against the other ("Russian firms were breached by North Korean hackers")
gives no signal. Hedged sentences are kept and marked; denied ones are kept, marked, and do not
count as cooperation. Per article, each category yields one signal: its strongest sentence.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from streams.actors import PAIR, PERSON_TYPES, ActorMatcher, Mention, default_matcher
from streams.catalogue import SeedDataError, load_toml
from streams.phrases import _HANGUL_RE, PhraseMatch, PhraseMatcher, RawMatch, Token, Tokens
from streams.text import Sentence, SentenceSpan, korean_if, sentence_spans

__all__ = [
    "CATEGORIES",
    "MIN_SCORE",
    "SOVIET_END",
    "CueBook",
    "SignalCandidate",
    "default_cuebook",
    "detect_signals",
    "find_signals",
    "signal_id",
    "signal_key",
]

CATEGORIES = ("military", "cyber", "labour", "diplomatic", "economic", "technology")
# The cue weight a sentence needs in a category: one strong cue, or two general ones.
MIN_SCORE = 2
# Actor types too general to tell one signal from another in a novelty key.
_GENERAL_TYPES = frozenset({"state", "place", "media"})
_BASIS_CONFIDENCE = {"sentence": 0.9, "pair_phrase": 0.75, "previous_sentence": 0.6}
_HOSTILE_REACH = 60  # characters after a hostile word in which its object is looked for
_ANAPHOR_REACH = 30  # a referring word must stand this close to the sentence's start
# Where a clause ends after a hostile word: its object is not looked for beyond a dash or a
# semicolon ("Lazarus, believed to be behind the attack — has used a Russian exchange").
_CLAUSE_BREAK = re.compile(r"\s[\u2014\u2013-]\s|\u2014|;")


@dataclass(frozen=True, slots=True)
class Cue:
    category: str
    id: str
    weight: int


class SignalCandidate(NamedTuple):
    """One signal: its evidence sentence (verbatim, with span), actors, cues and confidence.

    A named tuple (immutable, as the frozen dataclass it was, and quicker to build: an article
    makes one per qualifying sentence and category)."""

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
    denied: bool
    confidence: float
    score: int


_IGNORE = "ignore"  # payload of phrases that hide a cue word ("satellite imagery")
# Payload of context phrases that hide a context word inside them: a hostile word naming a
# thing ("attack drones"), a modal that is no speculation ("can confirm").
_SHADOW = "shadow"
_SHADOW_KINDS = ("not_hostile", "not_speculation")
# A sentence with one of these gives no signal (see seeds/signals.toml).
_NO_SIGNAL_KINDS = (
    "other_pair", "sanctions_vote", "not_ruled_out", "dprk_problem", "requests", "history",
)  # fmt: skip
# A year before the Soviet Union's end, and one after it: a sentence dated only by the first
# tells Soviet-era history ("In July 1961, Moscow and Pyongyang signed ..."), per the guideline.
_SOVIET_YEAR = re.compile(r"(?<![\w.-])(?:1[89]\d\d)(?![\d-])")
_LATER_YEAR = re.compile(r"(?<![\w.-])(?:199[2-9]|20\d\d)(?!\d)")
# An anniversary marked now ("the 70th anniversary of the Korean War armistice", "70주년"):
# it dates today's visit; the war it names is no Soviet-era history.
_ANNIVERSARY = re.compile(r"anniversar|годовщин|\d-?лети|\d\s?주년", re.IGNORECASE)
# A Korean verb in the concessive ("방문하더라도": even if he visits): a hypothesis, which the
# guideline counts as speculation; no signal (so is the conditional: `korean_if`).
_KOREAN_EVEN_IF = re.compile(r"[\uac00-\ud7a3]더라도(?![\uac00-\ud7a3])")
# A question ("Will Kim visit Moscow?", "북한군 파병 보도했다?"): what is asked is not reported;
# the guideline counts it as speculation, no signal.
_QUESTION = re.compile(r"[?？][\s\"'»”’)\]]*$")
# A Korean subject or topic particle ending an actor's word: the actor is the one acting
# ("라자루스가 탈취한"), not the target of the act.
_KOREAN_SUBJECT = re.compile(r"[\uac00-\ud7a3](?:이|가|은|는|께서)$")
_CONTEXT_KINDS = (
    "bilateral", "anaphors", "hedges", "denials", "hostile", "multilateral", "un_forum",
    "tourists", "official_business", *_NO_SIGNAL_KINDS,
)  # fmt: skip
_VISIT = "summit"  # the diplomatic cue of visits and meetings


class CueBook:
    """The cue lists of `seeds/signals.toml`, compiled into phrase matchers."""

    def __init__(self, data: dict) -> None:
        self.cues: list[Cue] = []
        items: list[tuple[str, object]] = []
        for index, entry in enumerate(data.get("cues", [])):
            category = entry.get("category")
            if category not in CATEGORIES:
                raise SeedDataError(f"signals.toml cue {index}: category not in {CATEGORIES}")
            patterns = [p for lang in ("en", "ru", "ko") for p in entry.get(lang, [])]
            if not entry.get("id") or not patterns:
                raise SeedDataError(f"signals.toml cue {index}: needs an id and patterns")
            cue = Cue(category, entry["id"], int(entry.get("weight", 1)))
            self.cues.append(cue)
            items.extend((pattern, cue) for pattern in patterns)
        context = data.get("context", {})
        items.extend((pattern, _IGNORE) for pattern in context.get("ignore", []))
        context_items = [
            (pattern, kind) for kind in _CONTEXT_KINDS for pattern in context.get(kind, [])
        ]
        context_items.extend((p, _SHADOW) for kind in _SHADOW_KINDS for p in context.get(kind, []))
        names = context.get("pair_names", [])
        self.pair_names = (
            re.compile(
                r"(?<![\uac00-\ud7a3])(?:"
                + "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
                + r")(?!시아)"
            )
            if names
            else None
        )
        try:
            self._cue_phrases = PhraseMatcher(items)
            self._context_phrases = PhraseMatcher(context_items)
        except ValueError as exc:
            raise SeedDataError(f"signals.toml: {exc}") from exc

    @classmethod
    def from_toml(cls, path: str | Path = "signals.toml") -> CueBook:
        return cls(load_toml(path))

    def cue_matches(
        self, text: str, tokens: Sequence[Token] | Tokens | None = None
    ) -> list[PhraseMatch]:
        """Cue occurrences in `text`. A match inside a longer cue does not count ("arms trade"
        is a military cue, not also a trade one); a phrase listed under two concepts counts for
        both; phrases of the ignore list hide the cue words inside them."""
        return [PhraseMatch(*m) for m in self.cue_scan(text, tokens)]

    def context_matches(
        self, text: str, tokens: Sequence[Token] | Tokens | None = None
    ) -> list[PhraseMatch]:
        """Pair phrases, words referring back, hedges, denials and hostile words in `text`."""
        return [PhraseMatch(*m) for m in self.context_scan(text, tokens)]

    def cue_scan(self, text: str, tokens: Sequence[Token] | Tokens | None = None) -> list[RawMatch]:
        """`cue_matches` as plain tuples (start, end, payloads, first token, token count)."""
        return [m for m in self._cue_phrases.scan(text, tokens) if _IGNORE not in m[2]]

    def context_scan(
        self, text: str, tokens: Sequence[Token] | Tokens | None = None
    ) -> list[RawMatch]:
        """`context_matches` as plain tuples."""
        return [m for m in self._context_phrases.scan(text, tokens) if _SHADOW not in m[2]]

    def cues_in(self, text: str) -> list[Cue]:
        """The cue concepts found in `text`, in order of first appearance."""
        found = (cue for m in self.cue_matches(text) for cue in m.payloads)
        return list(dict.fromkeys(found))


@lru_cache(maxsize=1)
def default_cuebook() -> CueBook:
    return CueBook.from_toml()


def detect_signals(
    text: str,
    mentions: Sequence[Mention] | None = None,
    sentences: Sequence[Sentence] | None = None,
    matcher: ActorMatcher | None = None,
    cuebook: CueBook | None = None,
    tokens: Sequence[Token] | Tokens | None = None,
    every: list[SignalCandidate] | None = None,
) -> list[SignalCandidate]:
    """The cooperation signals of a normalised text, one per category, strongest first
    (`every`, when given, receives every qualifying sentence and category, as in
    `find_signals`)."""
    matcher = matcher or default_matcher()
    cuebook = cuebook or default_cuebook()
    toks = Tokens.of(text) if tokens is None else Tokens.from_list(tokens)
    spans = (
        sentence_spans(text) if sentences is None else [(s.text, s.start, s.end) for s in sentences]
    )
    found = (
        matcher.spans(text, toks)
        if mentions is None
        else [(m.actor_id, m.start, m.end) for m in mentions]
    )
    return find_signals(text, found, spans, matcher, cuebook, toks, every)


# A mention as `ActorMatcher.spans` gives it: actor id, start, end.
_MentionSpan = tuple[str, int, int]


def _headline_of_another_pair(
    per_sentence: Sequence[list], context_per_sentence: Sequence[list[RawMatch]], sides: dict
) -> bool:
    """Whether the headline (the first sentence) is about another pair: it names a third state
    with only one of the two sides ("China-North Korea trade recovers", "Kim Jong Un and Xi
    Jinping meet"), or a pair phrase of Russia and South Korea (한-러). Then "the two countries"
    and "both sides" in the article are that pair, not Russia and the DPRK."""
    if not per_sentence:
        return False
    if any("other_pair" in match[2] for match in context_per_sentence[0]):
        return True
    return _names_another_pair({sides[m[0]] for m in per_sentence[0]})


def _names_another_pair(named_sides: set[str]) -> bool:
    """Whether sides named together (a headline's, a sentence's) are a third state with only
    one of the two sides: that pair's news, not Russia and the DPRK's."""
    return "other" in named_sides and len(named_sides & PAIR) == 1


def find_signals(
    text: str,
    mentions: Sequence[_MentionSpan],
    sentences: Sequence[SentenceSpan],
    matcher: ActorMatcher,
    cuebook: CueBook,
    tokens: Tokens,
    every: list[SignalCandidate] | None = None,
) -> list[SignalCandidate]:
    """`detect_signals` on plain tuples: mention spans, sentence spans and the text's tokens.

    `every`, when given, receives every qualifying (sentence, category), not only the
    strongest per category (event frames are built from all of them)."""
    sides = matcher.sides
    # Both sides named, or the pair by a name of its own (북·러).
    pair_named = cuebook.pair_names is not None and cuebook.pair_names.search(text) is not None
    both_in_article = pair_named or {sides[m[0]] for m in mentions} >= PAIR
    # A named hacker group is itself a cyber cue: which sentences name one, if any does.
    hacker_groups = matcher.hacker_groups
    any_hacker = bool(hacker_groups) and any(m[0] in hacker_groups for m in mentions)

    per_sentence = _by_sentence(sentences, mentions, 1)
    cues_per_sentence = _by_sentence(sentences, cuebook.cue_scan(text, tokens), 0)
    context_per_sentence: list[list[RawMatch]] | None = None  # found when first needed
    other_headline = False  # whether the headline names another pair (found with the context)
    article_states: list[str] | None = None
    # Per category, the rank of its best sentence so far and what its candidate is made of
    # (built once, for the winner).
    best: dict[str, tuple[tuple, tuple]] = {}
    for index, cue_matches in enumerate(cues_per_sentence):
        found = per_sentence[index]
        hacker = any_hacker and any(m[0] in hacker_groups for m in found)
        if not cue_matches and not hacker:
            continue  # no cue: no category can score
        if len(cue_matches) == 1:
            cues = list(cue_matches[0][2])  # the payloads of one match are distinct
        else:
            cues = list(dict.fromkeys(c for m in cue_matches for c in m[2]))
        if hacker:
            cues.append(Cue("cyber", "hacker_group", 2))
        scores, ranked = _scores(cues)
        if ranked[0] < MIN_SCORE:
            continue
        if context_per_sentence is None:
            context_per_sentence = _by_sentence(sentences, cuebook.context_scan(text, tokens), 0)
            other_headline = _headline_of_another_pair(per_sentence, context_per_sentence, sides)
        context: dict[str, list[RawMatch]] = {}
        for match in context_per_sentence[index]:
            for kind in match[2]:
                context.setdefault(kind, []).append(match)
        if (
            "multilateral" in context
            and "un_forum" in context
            and not any(cue.id == "sanctions_relief" for cue in cues)
        ):
            # Russia with China at the UN, or enforcing its sanctions: not bilateral; unless
            # they propose to ease the sanctions on the North (lobbying for it)
            continue
        if "history" in context and _ANNIVERSARY.search(sentences[index][0]):
            del context["history"]  # the war's anniversary marked today is no history
        if (
            "tourists" in context
            and "official_business" not in context
            and any(cue.id == _VISIT for cue in cues)
            and not any(
                sides[m[0]] in PAIR and matcher.actors[m[0]].type in PERSON_TYPES for m in found
            )
        ):
            # Tourists visiting: tourism, not a visit between the two states (a delegation,
            # talks, a minister or a governor of either side on the trip keep it one).
            cues = [cue for cue in cues if cue.id != _VISIT]
            scores, ranked = _scores(cues)
            if ranked[0] < MIN_SCORE:
                continue
        if any(kind in context for kind in _NO_SIGNAL_KINDS):
            # Russia and South Korea talking about the North: another pair's act; Russia
            # voting for a resolution on the North: enforcing its sanctions; a meeting "not
            # ruled out": speculation; the North's provocations: diplomacy about it; one side
            # asking the other for something: a request, not the act.
            continue
        actor_ids = list(dict.fromkeys(m[0] for m in found))
        sentence_sides = {sides[a] for a in actor_ids}
        evidence, sentence_start, sentence_end = sentences[index]
        if (
            _soviet_era(evidence)
            or ("더라도" in evidence and _KOREAN_EVEN_IF.search(evidence))
            or korean_if(evidence)
            or _QUESTION.search(evidence)
        ):
            continue
        context_ids: list[str] = []
        if sentence_sides >= PAIR:
            if "hostile" in context and _is_hostile(context["hostile"], found, sides, text):
                continue
            if "other" in sentence_sides and _states_listed(found, text, matcher):
                continue  # "sanctions on Russia, Iran and North Korea": a list, not the pair
            basis = "sentence"
        elif (
            both_in_article
            and "bilateral" in context
            and not other_headline
            and not _names_another_pair(sentence_sides)
        ):
            # Not "the two countries" of a sentence naming a third state with one of the
            # sides ("Trump met Kim ... the first meeting between leaders of the two countries").
            basis = "pair_phrase"
            if article_states is None:
                article_states = _article_states(mentions, matcher, pair_named)
            context_ids = list(article_states)
        elif (
            index > 0
            and sentence_sides & PAIR
            and any(m[0] - sentence_start < _ANAPHOR_REACH for m in context.get("anaphors", ()))
        ):
            missing = PAIR - sentence_sides
            context_ids = [m[0] for m in per_sentence[index - 1] if sides[m[0]] in missing]
            if not context_ids:
                continue
            basis = "previous_sentence"
        else:
            continue
        hedged = "hedges" in context
        denied = "denials" in context
        all_ids = tuple(dict.fromkeys(actor_ids + context_ids))
        russia = tuple(a for a in all_ids if sides[a] == "russia")
        dprk = tuple(a for a in all_ids if sides[a] == "dprk")
        for category, score in scores.items():
            if score < MIN_SCORE:
                continue
            mine = [c for c in cues if c.category == category]
            # How much the sentence is about this category rather than another one (the best
            # score of the others is the second best when this one is the best).
            margin = score - (ranked[1] if score == ranked[0] else ranked[0])
            confidence = _BASIS_CONFIDENCE[basis] * (1 - 0.5 ** (score + 1))
            if hedged:
                confidence *= 0.6
            confidence = round(confidence, 3)
            # A sentence that affirms beats one that denies; then the most confident.
            rank = (not denied, confidence, margin, score)
            if every is None and category in best and not rank > best[category][0]:
                continue
            fields = (
                category,
                evidence,
                sentence_start,
                sentence_end,
                all_ids,
                russia,
                dprk,
                tuple(c.id for c in mine),
                max(mine, key=_weight).id,
                basis,
                hedged,
                denied,
                confidence,
                score,
            )
            if every is not None:
                every.append(SignalCandidate(*fields))
            if category not in best or rank > best[category][0]:
                best[category] = (rank, fields)
    signals = [SignalCandidate(*fields) for _, fields in best.values()]
    return sorted(signals, key=lambda s: (-s.confidence, CATEGORIES.index(s.category)))


_NO_SCORES = dict.fromkeys(CATEGORIES, 0)
_PAIR_STATES = ("rus", "prk")  # the states a name of the pair (북·러) stands for


def _scores(cues: Sequence[Cue]) -> tuple[dict[str, int], list[int]]:
    """Per category, the summed weight of its cues; and those sums, highest first."""
    scores = _NO_SCORES.copy()
    for cue in cues:
        scores[cue.category] += cue.weight
    return scores, sorted(scores.values(), reverse=True)


def _weight(cue: Cue) -> int:
    return cue.weight


# What separates the items of a list: a comma, "and", "or" (and their Russian words).
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|(?:and|or|и|или)\s+)", re.IGNORECASE)
_LIST_WORD = re.compile(r"\b(?:and|or|и|или)\b", re.IGNORECASE)
_LIST_GOES_ON = re.compile(r"\s*(?:,|(?:and|or|и|или)\s)", re.IGNORECASE)


def _listed(near: Sequence[_MentionSpan], at: int, text: str) -> bool:
    """Whether mention `at` of `near` goes on a list after the one before it: "and" or "or"
    between them, or a comma and a list that goes on after it ("Japan, Russia and India"); not
    a comma that ends a clause ("the attack on Kharkiv, Russia used ...")."""
    gap = _LIST_GAP.fullmatch(text, near[at - 1][2], near[at][1])
    if gap is None:
        return False
    if _LIST_WORD.search(gap.group()):
        return True
    return _LIST_GOES_ON.match(text, near[at][2]) is not None


def _states_listed(found: Sequence[_MentionSpan], text: str, matcher: ActorMatcher) -> bool:
    """Whether the sentence names the two sides only as states on one list with a third
    ("sanctions on Russia, Iran and North Korea"): a group's news, not the pair's."""
    sides = matcher.sides
    pair = [i for i, m in enumerate(found) if sides[m[0]] in PAIR]
    if any(matcher.actors[found[i][0]].type != "state" for i in pair):
        return False
    low, high = pair[0], pair[-1]
    if not all(_listed(found, at, text) for at in range(low + 1, high + 1)):
        return False
    return (
        any(sides[found[i][0]] == "other" for i in range(low, high + 1))
        or (low > 0 and sides[found[low - 1][0]] == "other" and _listed(found, low, text))
        or (
            high + 1 < len(found)
            and sides[found[high + 1][0]] == "other"
            and _listed(found, high + 1, text)
        )
    )


def _is_hostile(
    hostile: Sequence[RawMatch],
    found: Sequence[_MentionSpan],
    sides: dict[str, str],
    text: str = "",
) -> bool:
    """True when the target of a hostile word is of one side and the sentence names the other
    side elsewhere: one side acting against the other. The target is the first actor after
    the word; in Korean, where the object comes before the verb ("러시아 업체를 해킹했다"),
    the last actor before it, unless a subject particle marks that one as who acts."""
    for word in hostile:
        word_start, word_end = word[0], word[1]
        if _HANGUL_RE.match(text, word_start):
            near = [m for m in found if word_start - _HOSTILE_REACH <= m[1] and m[2] <= word_start]
            target = near[-1] if near else None
            if target is not None and _KOREAN_SUBJECT.search(text, target[1], target[2]):
                continue  # the one who acts; its object, named by no actor, is the target
        else:
            reach = word_end + _HOSTILE_REACH
            brk = _CLAUSE_BREAK.search(text, word_end, reach)
            if brk is not None:
                reach = brk.start()
            near = [m for m in found if word_end <= m[1] <= reach]
            target = near[0] if near else None
            # A list of targets ("targets in Japan, Russia and India"): its first of a side.
            for at in range(1, len(near)):
                if sides[target[0]] in PAIR or not _listed(near, at, text):
                    break
                target = near[at]
        if target is None:
            continue
        target_side = sides[target[0]]
        if target_side not in PAIR:
            continue
        (other,) = PAIR - {target_side}
        if any(sides[m[0]] == other for m in found):
            return True
    return False


# The Soviet Union's end: an article published before it reports Soviet-era history, which
# the labelling guideline counts as no cooperation (the 1984 report of Kim Il Sung's talks in
# Ulan-Ude), whatever its sentences name.
SOVIET_END = date(1992, 1, 1)


def _soviet_era(sentence: str) -> bool:
    """Whether a sentence is dated by a year before 1992 only."""
    if "19" not in sentence and "18" not in sentence:
        return False  # most sentences: no such year, no pattern run
    years = [int(y) for y in _SOVIET_YEAR.findall(sentence)]
    return any(y < 1992 for y in years) and not _LATER_YEAR.search(sentence)


def _by_sentence(sentences: Sequence[SentenceSpan], items: Sequence[tuple], at: int) -> list[list]:
    """Items (tuples with their start at index `at`) grouped by the sentence they start in;
    both sorted by offset."""
    out: list[list] = [[] for _ in sentences]
    position, count = 0, len(sentences)
    for item in items:
        start = item[at]
        while position < count and sentences[position][2] <= start:
            position += 1
        if position < count and sentences[position][1] <= start:
            out[position].append(item)
    return out


def _article_states(
    mentions: Sequence[_MentionSpan], matcher: ActorMatcher, pair_named: bool = False
) -> list[str]:
    """The Russia-side and DPRK-side states of an article (for pair phrases); both, when the
    article names the pair by a name of its own."""
    seen = dict.fromkeys(m[0] for m in mentions)
    states = [
        a
        for a in seen
        if matcher.actors[a].type == "state" and matcher.side(a) in ("russia", "dprk")
    ]
    if pair_named:
        states += [a for a in _PAIR_STATES if a not in states and a in matcher.actors]
    return states


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
