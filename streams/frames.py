"""Event frames: what each signal sentence says happened, by whom, with what, where and when.

A frame is built from a signal sentence and its article: the action (the highest-ranked action
cue of `seeds/events.toml` in the sentence, else the category's generic action), the most
specific actors of each side, the objects and places named, quantities with their unit, the
event's date (explicit, or relative and resolved against the publication date) and whether the
sentence reports the development or restates it as background. English, Russian and Korean
alike; every word list lives in `seeds/events.toml`.

An article gives a frame per development of each action family: sentences of one family tell
of one development unless their basis or date (14 days apart) differ (a restatement of an
earlier visit beside the news of a visit), and a sentence right after another of its family goes
on with it; the strongest sentence is a frame's evidence and
the others add their objects, places and quantities.
Pure: no Kafka, no state.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from streams.actors import PAIR, PERSON_TYPES, ActorMatcher
from streams.catalogue import SeedDataError, load_toml, pattern_regex
from streams.phrases import _HANGUL_RE, PhraseMatcher, Tokens
from streams.text import korean_if

__all__ = [
    "Action",
    "FrameBook",
    "FrameData",
    "SAME_DEVELOPMENT_DAYS",
    "default_framebook",
    "resolve_date",
]

_GENERAL_TYPES = frozenset({"state", "place", "media"})
_CATEGORIES = ("military", "cyber", "labour", "diplomatic", "economic", "technology")


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    family: str
    categories: tuple[str, ...]
    rank: int
    window_days: int
    joins: tuple[str, ...] = ()
    incident: bool = False
    occasion: bool = True
    by_parties: bool = False


@dataclass(frozen=True, slots=True)
class _Object:
    id: str
    kind: str
    categories: tuple[str, ...]
    action: str | None = None
    replaces: tuple[str, ...] = ()  # families whose action the object's action replaces


class Reading(NamedTuple):
    """What one signal sentence says about its development."""

    action: Action
    objects: list[str]
    quantities: list[dict]
    when: date | None
    precision: str | None
    background: bool
    speculative: bool
    claimants: tuple[str, ...] = ()  # who the sentence attributes it to (`[[claimants]]`)


@dataclass(slots=True)
class FrameData:
    """A frame before it becomes an `EventFrame` (plain fields, JSON-able)."""

    category: str
    categories: list[str]
    action: str
    family: str
    evidence: str
    evidence_span: tuple[int, int]
    russia_actors: list[str]
    dprk_actors: list[str]
    objects: list[str]
    places: list[str]
    quantities: list[dict]
    event_date: date | None
    date_precision: str | None
    basis: str
    hedged: bool
    confidence: float
    signal_ids: list[str] = field(default_factory=list)
    speculative: bool = False
    claimants: list[str] = field(default_factory=list)
    sender: str | None = None

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]


def _patterns(section: dict) -> list[str]:
    """The English, Russian and Korean patterns of a section of events.toml."""
    return [p for lang in ("en", "ru", "ko") for p in section.get(lang, [])]


def _generic(category: str) -> Action:
    return Action(f"{category}_other", f"{category}_other", (category,), 0, 60)


class FrameBook:
    """The action, object, quantity, date and background lists of `seeds/events.toml`."""

    def __init__(self, data: dict) -> None:
        self.actions: dict[str, Action] = {}
        items: list[tuple[str, object]] = []
        for index, entry in enumerate(data.get("actions", [])):
            try:
                action = Action(
                    entry["id"],
                    entry["family"],
                    tuple(entry["categories"]),
                    int(entry.get("rank", 1)),
                    int(entry.get("window_days", 60)),
                    tuple(entry.get("joins", ())),
                    bool(entry.get("incident", False)),
                    bool(entry.get("occasion", True)),
                    bool(entry.get("by_parties", False)),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise SeedDataError(f"events.toml action {index}: {exc!r}") from exc
            if not set(action.categories) <= set(_CATEGORIES):
                raise SeedDataError(f"events.toml action {action.id}: unknown category")
            self.actions[action.id] = action
            items.extend((p, ("action", action)) for p in _patterns(entry))
        for category in _CATEGORIES:
            self.actions.setdefault(f"{category}_other", _generic(category))
        self.families: dict[str, Action] = {}
        for action in self.actions.values():
            self.families.setdefault(action.family, action)
        self.objects: dict[str, _Object] = {}
        for index, entry in enumerate(data.get("objects", [])):
            if not entry.get("id") or not entry.get("kind"):
                raise SeedDataError(f"events.toml object {index}: needs an id and a kind")
            obj = _Object(
                entry["id"],
                entry["kind"],
                tuple(entry.get("categories", ())),
                entry.get("action"),
                tuple(entry.get("replaces", ())),
            )
            self.objects[obj.id] = obj
            items.extend((p, ("object", obj)) for p in _patterns(entry))
        for index, entry in enumerate(data.get("claimants", [])):
            if not entry.get("id"):
                raise SeedDataError(f"events.toml claimant {index}: needs an id")
            items.extend((p, ("claimant", entry["id"])) for p in _patterns(entry))
        # Kinds whose first-named object tells developments apart: a train service is not
        # a flight route, whatever else the reports mention.
        self.distinct_kinds = frozenset(data.get("joining", {}).get("distinct_kinds", ()))
        self.actor_sectors: dict[str, str] = dict(data.get("joining", {}).get("actor_sectors", {}))
        self.claimed_families = frozenset(data.get("joining", {}).get("claimed_families", ()))
        self.envoys = frozenset(data.get("joining", {}).get("envoys", ()))
        background = data.get("background", {})
        self.background_after = timedelta(days=int(background.get("background_after_days", 45)))
        items.extend((p, ("background", None)) for p in _patterns(background))
        period = background.get("period", {})
        items.extend((p, ("period", None)) for p in _patterns(period))
        figures = data.get("figures", {})
        items.extend((p, ("figure", None)) for p in _patterns(figures))
        speculation = data.get("speculation", {})
        items.extend((p, ("speculation", None)) for p in _patterns(speculation))
        items.extend((p, ("topic", None)) for p in speculation.get("topics", []))
        # Clauses that describe an actor ("Wagner, which is fighting alongside ..."): their
        # words name no action of the sentence's development.
        describing = data.get("describing", {})
        items.extend((p, ("describing", None)) for p in _patterns(describing))
        # Nor do those of a development named to date the sentence's own ("has given 1.5
        # million shells since the summit"): the anchors.
        items.extend((p, ("describing", None)) for p in _patterns(data.get("anchors", {})))
        self.talk_families = frozenset(speculation.get("talk_families", ()))
        try:
            self._phrases = PhraseMatcher(items)
        except ValueError as exc:
            raise SeedDataError(f"events.toml: {exc}") from exc
        months = [w for words in data.get("dates", {}).get("months", []) for w in words]
        self._quantities = _QuantityReader(data.get("quantities", {}), months)
        self._dates = _DateReader(data.get("dates", {}))
        # "A 이어 B" (after A, B): what follows the word is the sentence's own news, named first.
        then = data.get("sequence", {}).get("then", [])
        self._then = re.compile(rf"(?<!\w)(?:{pattern_regex(then)})(?!\w)") if then else None
        self._senders = _SenderReader(data.get("sender", {}))
        self._joinable: dict[str, frozenset[str]] = {}

    @classmethod
    def from_toml(cls, path: str | Path = "events.toml") -> FrameBook:
        return cls(load_toml(path))

    def _another_sender(
        self, frame: FrameData, sender: str | None, cands: Sequence, matcher: ActorMatcher
    ) -> bool:
        """Whether a sentence's message (or gift) is another sender's than the frame's: the
        same side sends, and the people of it named differ (not a resident envoy, who conveys
        any sender's message): "Medvedev also sent a congratulatory telegram", below Putin's
        greetings, is Medvedev's development. People only: a sentence naming the party's paper
        for Kim's telegram still tells Kim's."""
        if sender is None or frame.sender != sender:
            return False
        side = "russia_actors" if sender == "russia" else "dprk_actors"
        ours = self._people((a for c in cands for a in getattr(c, side)), matcher)
        theirs = self._people(getattr(frame, side), matcher)
        return bool(ours and theirs) and ours.isdisjoint(theirs)

    def _other_meeting(
        self, family: str, cands: Sequence, theirs: Sequence, matcher: ActorMatcher
    ) -> bool:
        """Whether a meeting sentence (its candidates `cands`) tells another meeting than the
        one `theirs` tells (a frame, or the candidates of the sentence before): it names
        people of both sides, and on each side none of theirs (resident envoys aside). Kim
        Jong Un's talks with Medvedev are not Lavrov's with Choe Son Hui; "Putin also
        received Choe" is her visit."""
        if family != "meeting":
            return False
        for side in ("russia_actors", "dprk_actors"):
            ours = self._people((a for c in cands for a in getattr(c, side)), matcher)
            other = self._people((a for t in theirs for a in getattr(t, side)), matcher)
            if not (ours and other) or not ours.isdisjoint(other):
                return False
        return True

    def _people(self, ids: Iterable[str], matcher: ActorMatcher) -> set[str]:
        """The people among actor ids (leaders and officials), resident envoys aside."""
        return {a for a in ids if matcher.actors[a].type in PERSON_TYPES} - self.envoys

    def family_window(self, family: str) -> int:
        action = self.families.get(family)
        return action.window_days if action else 60

    def is_occasion(self, family: str) -> bool:
        """Whether frames of other families of an event's days may be part of it (its first
        family's `occasion`; families with no action, `*_other`, are)."""
        action = self.families.get(family)
        return action.occasion if action else True

    def joinable(self, family_a: str, family_b: str) -> bool:
        if family_a == family_b:
            return True
        a, b = self.families.get(family_a), self.families.get(family_b)
        return bool((a and family_b in a.joins) or (b and family_a in b.joins))

    def joinable_families(self, family: str) -> frozenset[str]:
        """`family` and every family `joinable` with it (kept: asked once per frame looked up)."""
        found = self._joinable.get(family)
        if found is None:
            found = frozenset({family} | {f for f in self.families if self.joinable(family, f)})
            self._joinable[family] = found
        return found

    def joined_by(self, family: str) -> list[str]:
        """The families whose actions declare they join `family`."""
        return [f for f, a in self.families.items() if family in a.joins]

    def object_kind(self, object_id: str) -> str:
        obj = self.objects.get(object_id)
        return obj.kind if obj else object_id

    def sectors(self, objects: Iterable[str], actors: Iterable[str]) -> list[str]:
        """The fields a frame or event is of: its sector objects, and those its institutions
        and officials stand for (`joining.actor_sectors`), each once, in that order."""
        found = [o for o in objects if self.object_kind(o) == "sector"]
        found += [self.actor_sectors[a] for a in actors if a in self.actor_sectors]
        return list(dict.fromkeys(found))

    # ------------------------------------------------------------------ one sentence
    def read_sentence(
        self,
        sentence: str,
        categories: Sequence[str],
        published: date,
        tokens: Tokens | None = None,
    ) -> Reading:
        """Action, objects, quantities, event date (and its precision), whether the sentence
        is background and whether it is speculation, for a signal sentence of these
        categories (strongest first). Only the first `MAX_SENTENCE_CHARS` are read: past that
        a "sentence" is a run-on dump, not a report of one development. `tokens`, when at
        hand, are `Tokens.of(sentence)` (taken from the article's by `Tokens.window`)."""
        if tokens is None or len(sentence) > MAX_SENTENCE_CHARS:
            sentence = sentence[:MAX_SENTENCE_CHARS]
            tokens = Tokens.of(sentence)
        best: Action | None = None
        best_score = 0
        # the best of the actions a third party may tell (`by_parties` aside)
        told: Action | None = None
        told_score = 0
        objects: list[str] = []
        starts: list[int] = []  # where each object was named
        claimants: list[str] = []
        background = speculative = topic = period = figure = False
        for match in self._phrases.scan(sentence, tokens):
            for kind, value in match[2]:
                if kind == "action":
                    if not set(value.categories) & set(categories):
                        continue
                    # The sentence's strongest category leads: its actions count double rank
                    # points over another category's (workers "in mine clearance" are labour).
                    score = value.rank + (_LEAD_BONUS if categories[0] in value.categories else 0)
                    if best is None or score > best_score:
                        best, best_score = value, score
                    if not value.by_parties and (told is None or score > told_score):
                        told, told_score = value, score
                elif kind == "object":
                    if value.id not in objects:
                        objects.append(value.id)
                        starts.append(match[0])
                elif kind == "claimant":
                    if value not in claimants:
                        claimants.append(value)
                elif kind == "speculation":
                    speculative = True
                elif kind == "topic":
                    topic = True
                elif kind == "period":
                    period = True
                elif kind == "figure":
                    figure = True
                elif kind == "describing":
                    pass  # its words are the actor's description, not the action
                else:
                    background = True
        if len(objects) > 1 and self._then is not None:
            then = self._then.search(sentence)
            if then is not None:
                after = [o for o, at in zip(objects, starts, strict=True) if at > then.start()]
                objects = after + [o for o in objects if o not in after]
        if not speculative and korean_if(sentence):
            speculative = True  # "파병을 결정한다면": if it decides to, it has not
        if best is not None and best.by_parties and claimants:
            # Only the two sides make this development: told by others ("Seoul officially
            # confirmed the North's exports"), it is the development confirmed.
            best = told
        action = best or self.actions[f"{categories[0]}_other"]
        if topic and best is not None and action.family not in self.talk_families:
            speculative = True  # "to discuss sending workers": a topic, not a development
        # Weapons named with fighting or sending words: the development is their supply; a
        # visit by tourists is a tour (`replaces`), talks about tourism are talks.
        for object_id in objects:
            obj = self.objects[object_id]
            if (obj.replaces and topic) or (
                action.rank >= _OBJECT_ACTION_BELOW and action.family not in obj.replaces
            ):
                continue
            implied = self.actions.get(obj.action or "")
            if implied and set(implied.categories) & set(categories):
                action = implied
                break
        quantities = self._quantities.read(sentence, tokens.words)
        when, precision = self._dates.read(sentence, published)
        if precision == "quarter":
            # A quarter's figures are news for months after it (`_QUARTER_NEWS`), a frame of
            # its last month; a quarter further back is a restatement.
            precision = "month"
            if published - when > _QUARTER_NEWS:
                background = True
        elif when is not None and precision in ("day", "month"):
            age = published - when
            if age > self.background_after:
                background = True
            elif background and age <= timedelta(days=14) and precision == "day":
                background = False
        elif when is not None and precision == "year" and when.year < published.year:
            # Last year's figure (a count, a sum, a growth) is news of its own; else the year
            # is a restatement's.
            figures = figure or quantities or _PERCENT_RE.search(sentence)
            if not (figures and when.year == published.year - 1):
                background = True
        elif period:
            background = True
        return Reading(
            action, objects, quantities, when, precision, background, speculative,
            tuple(claimants),
        )  # fmt: skip

    def _dated_apart(self, head: Reading, read: Reading, sentence: str, published: date) -> bool:
        """Whether `sentence` (`read` its reading) opens (its first third) with a date further
        from the date of the development `head` starts than one development of the family
        lasts (`_development_days`: a week for a visit, two for others): it tells of another
        one. A sentence whose reading found no date opens with none."""
        if read.when is None:
            return False
        when, _ = self._dates.read(sentence[: max(_OPENING_CHARS, len(sentence) // 3)], published)
        if when is None:
            return False
        return abs((when - (head.when or published)).days) > _development_days(read.action.family)

    # ------------------------------------------------------------------ an article
    def frames(
        self,
        text: str,
        candidates: Sequence,
        mentions: Sequence[tuple[str, int, int]],
        matcher: ActorMatcher,
        published: datetime,
        signal_ids: dict[tuple[str, int], str] | None = None,
        tokens: Tokens | None = None,
    ) -> list[FrameData]:
        """A frame per development of each action family of the article's signal sentences
        (`SignalCandidate`s, strongest first; denied ones are left out). `signal_ids` maps
        (category, sentence start) to the id of the article's signal of that category and
        sentence; `tokens`, when given, are the text's (`Tokens.of(text)`), read again for
        each sentence rather than the sentence tokenized anew."""
        published_day = published.date()
        signal_ids = signal_ids or {}
        # One sentence is one development: its candidates (one per category) together.
        sentences: dict[tuple[int, int], list] = {}
        for cand in candidates:
            if not cand.denied:
                if (cand.start, cand.end) not in sentences and len(sentences) >= MAX_SENTENCES:
                    continue  # strongest first: the rest of a huge article adds nothing new
                sentences.setdefault((cand.start, cand.end), []).append(cand)
        # Mentions by position, to find a sentence's in time logarithmic in the mentions.
        by_position = sorted((start, end, actor_id) for actor_id, start, end in mentions)
        mention_starts = [start for start, _, _ in by_position]
        readings = {
            span: self.read_sentence(
                cands[0].evidence,
                list(dict.fromkeys(c.category for c in cands)),
                published_day,
                None if tokens is None else tokens.window(*span),
            )
            for span, cands in sentences.items()
        }
        # A sentence right after another of its family goes on with that one's development
        # ("... a letter from Medvedev was published. In it, Medvedev recalled ...").
        chain: dict[tuple[int, int], tuple[int, int]] = {}
        ordered = sorted(sentences)
        # Not one that opens with a date apart from the development's ("In August, too, ...");
        # a date further in dates something it mentions ("... recalled the visit in October").
        for before, span in zip(ordered, ordered[1:], strict=False):
            head = chain.get(before, before)
            if (
                readings[before].action.family == readings[span].action.family
                and not text[before[1] : span[0]].strip()
                and not self._dated_apart(
                    readings[head], readings[span], text[span[0] : span[1]], published_day
                )
                and not self._other_meeting(
                    readings[span].action.family, sentences[span], sentences[head], matcher
                )
            ):
                chain[span] = head
        by_chain: dict[tuple[int, int], FrameData] = {}
        by_family: dict[str, list[FrameData]] = {}
        # A development's frame is made from the sentence that starts it: heads first (each
        # group strongest first), then the sentences that go on with one.
        for span, cands in sorted(sentences.items(), key=lambda item: item[0] in chain):
            first = cands[0]
            categories = list(dict.fromkeys(c.category for c in cands))
            action, objects, quantities, when, precision, background, speculative, claimants = (
                readings[span]
            )
            for cat in action.categories:
                if cat not in categories and cat in _ACTION_ADDS:
                    categories.append(cat)
            if action.categories[0] in categories:
                # The action's own category leads (a summit sentence that also has military
                # cues is a diplomatic development).
                categories.remove(action.categories[0])
                categories.insert(0, action.categories[0])
            within = by_position[
                bisect.bisect_left(mention_starts, span[0]) : bisect.bisect_left(
                    mention_starts, span[1]
                )
            ]
            places = list(
                dict.fromkeys(
                    a
                    for _, end, a in within
                    if end <= span[1] and matcher.actors[a].type == "place"
                )
            )
            ids = [
                signal_ids[(c.category, span[0])]
                for c in cands
                if (c.category, span[0]) in signal_ids
            ]
            family_frames = by_family.setdefault(action.family, [])
            # Which development: the one its run of sentences starts with.
            head = chain.get(span, span)
            told = readings[head]
            basis = "background" if told.background else "report"
            frame = by_chain.get(head)
            if frame is None:
                # (who sends a message or gift is read only for a sentence not in a run)
                sender = (
                    self._senders.sender(text, span, within, matcher)
                    if action.family in _DIRECTED_FAMILIES
                    else None
                )
                frame = next(
                    (
                        f
                        for f in family_frames
                        if _same_development(f, basis, told.when)
                        and not self._another_sender(f, sender, cands, matcher)
                        and not self._other_meeting(action.family, cands, [f], matcher)
                    ),
                    family_frames[0] if len(family_frames) >= MAX_FRAMES_PER_FAMILY else None,
                )
            if frame is not None:
                by_chain.setdefault(head, frame)
                # Another sentence of the development adds its facts to its frame.
                _merge(frame, objects, places, quantities)
                frame.signal_ids.extend(i for i in ids if i not in frame.signal_ids)
                continue
            russia = [a for c in cands for a in c.russia_actors]
            dprk = [a for c in cands for a in c.dprk_actors]
            frame = FrameData(
                category=categories[0],
                categories=categories,
                action=action.id,
                family=action.family,
                evidence=first.evidence,
                evidence_span=span,
                russia_actors=_principal(russia, matcher, "rus"),
                dprk_actors=_principal(dprk, matcher, "prk"),
                objects=objects,
                places=places,
                quantities=quantities,
                event_date=when or (None if background else published_day),
                date_precision=precision or (None if background else "published"),
                basis="background" if background else "report",
                hedged=all(c.hedged for c in cands),
                confidence=max(c.confidence for c in cands),
                signal_ids=ids,
                speculative=speculative,
                claimants=list(claimants),
                sender=sender,
            )
            family_frames.append(frame)
            by_chain[head] = frame
        frames = [f for family_frames in by_family.values() for f in family_frames]
        # A sentence with a category's cues but no action of it names the development another
        # frame of that category names: it joins that frame rather than stand alone, unless
        # it tells another time (another basis, or a date weeks apart: Gerasimov's report of
        # April beside December's monument news).
        hosts = [f for f in frames if not f.action.endswith("_other")]
        kept: list[FrameData] = []
        for frame in frames:
            generic = frame.action.endswith("_other")
            host = next(
                (
                    h for h in hosts
                    if frame.category in h.categories
                    and _same_development(h, frame.basis, frame.event_date)
                ),
                None,
            ) if generic else None  # fmt: skip
            if host is None:
                kept.append(frame)
                continue
            host.signal_ids.extend(s for s in frame.signal_ids if s not in host.signal_ids)
        frames = kept
        _headline_leads(frames, text)
        for frame in frames:
            for object_id in frame.objects:
                for cat in self.objects[object_id].categories:
                    if cat not in frame.categories and cat in _OBJECT_ADDS.get(frame.family, ()):
                        frame.categories.append(cat)
            # A field that is a category too (defence: military), named or stood for by an
            # institution or official of the frame.
            people = (*frame.russia_actors, *frame.dprk_actors)
            for sector in self.sectors(frame.objects, people):
                known = self.objects.get(sector)
                for cat in known.categories if known and known.kind == "sector" else ():
                    if cat not in frame.categories:
                        frame.categories.append(cat)
        return frames


_LEAD_BONUS = 2
# At most this many signal sentences of an article are read for frames (strongest first): an
# article's developments show in its strongest sentences, and a huge article of signal
# sentences stays within its time budget.
MAX_SENTENCES = 64
# An article reports one development of a family and may restate a few others as background:
# at most this many frames per family, further sentences join the strongest.
MAX_FRAMES_PER_FAMILY = 3
# Reports dated further apart tell of different times: a sentence opening with such a date
# starts its own frame, and an article's second report of a category its own event. A visit
# or talks (the meeting family) last a week at most: `_development_days`.
SAME_DEVELOPMENT_DAYS = 14
_MEETING_DAYS = 7
_OPENING_CHARS = 40  # a sentence's opening: its first third, and at least this many characters
MAX_SENTENCE_CHARS = 2_000
_HISTORY = timedelta(days=5 * 365)
_AHEAD = timedelta(days=2)
_NEAR_MONTHS = 2  # a bare month up to this many months after publication is a coming one
# An object's implied action (weapons: their supply) replaces an action ranked below this.
_OBJECT_ACTION_BELOW = 4
# Categories an action adds to its sentence's own (an IT-worker scheme is cyber and labour).
_ACTION_ADDS = ("labour", "cyber")
# Which categories an object may add to a frame of a family: workers producing drones are
# labour and military; a summit about satellites is not technology by the word alone.
_OBJECT_ADDS = {
    "labour": ("military", "technology"),
    "technology": ("military",),
    "agreement": ("military",),
    "ratification": ("military",),
}


_DIRECTED_FAMILIES = frozenset({"message", "gift"})


def _alias_end(word: str, aliases: Iterable[str]) -> int:
    """Where, in a Korean word that starts with a name (푸틴에게), the name ends."""
    best = 0
    for alias in aliases:
        alias = alias.rstrip("*")
        if len(alias) > best and word.startswith(alias):
            best = len(alias)
    return best


def _alternation(words: Sequence[str]) -> str:
    """`pattern_regex`, or a pattern that matches nothing for no words."""
    return pattern_regex(words) or "$^"


class _SenderReader:
    """Which side sends the message or gift a sentence tells, from the words around the names
    (events.toml `[sender]`)."""

    def __init__(self, data: dict) -> None:
        self.from_before = tuple(data.get("from_before", ()))
        self.to_before = tuple(data.get("to_before", ()))
        self.en_possessive = tuple(data.get("en_possessive", ()))
        self.en_sent = re.compile(
            rf"\s*(?:\w+\s+){{0,2}}?(?:{_alternation(data.get('en_sent', ()))})", re.I
        )
        # Korean: the particle after a name (its own, or its title's: 푸틴 대통령에게).
        self.ko_titles = re.compile(
            rf"^\s*(?:(?:{_alternation(data.get('ko_title_states', ()))})\s*)?"
            rf"(?:{_alternation(data.get('ko_titles', ()))})"
        )
        self.ko_from = tuple(data.get("ko_from", ()))
        self.ko_to = tuple(data.get("ko_to", ()))
        self.ko_subject = frozenset(data.get("ko_subject", ()))
        self.ru_dative = re.compile(rf"(?:{_alternation(data.get('ru_dative_endings', ()))})$")
        self.received = re.compile(_alternation(data.get("received", ())))
        self.exchanged = re.compile(_alternation(data.get("exchanged", ())))

    def role(
        self, text: str, start: int, end: int, m_start: int, m_end: int, aliases: Iterable[str]
    ) -> str:
        """ "sender", "recipient", "subject" or "" for the actor named at `m_start`–`m_end`."""
        before = text[max(start, m_start - 6) : m_start].lower()
        if before.endswith(self.to_before):
            return "recipient"
        if before.endswith(self.from_before):
            return "sender"
        word_end = m_end
        while word_end < end and text[word_end].isalnum():
            word_end += 1
        word = text[m_start:word_end]
        if (
            word.endswith(("'s", "’s")) or text.startswith(self.en_possessive, word_end)
        ) and self.en_sent.match(text, word_end + (0 if word.endswith("s") else 3)):
            return "sender"  # Putin's letter, not the DPRK's founding day
        if "가" <= word[:1] <= "힣":
            particle = word[_alias_end(word, aliases) or len(word) :]
            rest = text[word_end : min(end, word_end + 24)]
            if not particle:
                title = self.ko_titles.match(rest)
                if title:
                    tail = rest[title.end() :]
                    cut = 0
                    while cut < len(tail) and "가" <= tail[cut] <= "힣":
                        cut += 1
                    particle, rest = tail[:cut], tail[cut:]
            probe = particle + rest[:6]
            if probe.startswith(self.ko_from):
                return "sender"
            if particle.startswith(self.ko_to):
                return "recipient"
            if particle in self.ko_subject:
                return "subject"
            return ""
        if any("а" <= ch <= "я" for ch in word.lower()) and self.ru_dative.search(word.lower()):
            return "recipient"
        return ""

    def sender(
        self,
        text: str,
        span: tuple[int, int],
        within: Sequence[tuple[int, int, str]],
        matcher: ActorMatcher,
    ) -> str | None:
        """Which side sends the message (or gift) the sentence at `span` tells: "russia",
        "dprk", or None when it cannot be told. Putin's New Year greetings to Kim are not Kim's
        to Putin: markers of the sender ("from", "от", 으로부터) and of the recipient ("to",
        the dative, 에게), else the subject (이/가), else the side named first. `within`: the
        sentence's mentions (start, end, actor id), in order."""
        start, end = span
        named: list[tuple[str, str]] = []  # side, role, in the order named
        for m_start, m_end, actor_id in within:
            actor = matcher.actors[actor_id]
            if actor.side in PAIR and actor.type != "media":
                role = self.role(text, start, end, m_start, m_end, actor.aliases)
                named.append((actor.side, role))
        sides = {side for side, _ in named}
        if len(sides) < 2 or self.exchanged.search(text, start, end):
            return None  # messages both ways: no one sender
        by_role: dict[str, set[str]] = {}
        for side, role in named:
            by_role.setdefault(role, set()).add(side)
        senders = by_role.get("sender", set())
        if len(senders) == 1:
            return next(iter(senders))
        if senders:
            return None
        # A sentence of receiving: its 에/에게 and its subject are the other way round (김정은,
        # 러시아에 선물받아: Kim received, Russia gave).
        received = self.received.search(text, start, end) is not None
        recipients = by_role.get("recipient", set())
        subjects = by_role.get("subject", set())
        if len(recipients) == 1:
            found = next(iter(recipients)) if received else next(iter(sides - recipients))
        elif len(subjects) == 1:
            found = next(iter(subjects))
        elif not recipients and not subjects:
            found = named[0][0]
        else:
            return None
        if received and len(recipients) != 1:
            found = next(iter(sides - {found}))
        return found


def _headline_leads(frames: list[FrameData], text: str) -> None:
    """The headline names the article's news: when it carries a frame, an undated frame of
    another family in the body restates a development as context ("Choe's visit came after
    North Korea sent 10,000 troops"), so it is background (it joins that development if
    known, and is `new` as background if not)."""
    title_end = text.find("\n")
    if title_end <= 0:
        return
    heads = [f for f in frames if f.evidence_span[0] < title_end]
    families = {f.family for f in heads}
    for frame in frames:
        if (
            heads
            and frame.evidence_span[0] >= title_end
            and frame.basis == "report"
            and frame.date_precision in (None, "published")
            and frame.family not in families
        ):
            frame.basis = "background"
            frame.event_date, frame.date_precision = None, None


def _same_development(frame: FrameData, basis: str, when: date | None) -> bool:
    """Whether a sentence of the frame's family tells of the frame's development rather than
    another one of its kind: a restatement of an earlier development beside the news of a new
    one ("Shoigu arrived in Pyongyang ... his previous trip in early June"). Sentences of one
    development keep its basis and date."""
    if basis != frame.basis:
        return False
    return (
        when is None
        or frame.event_date is None
        or abs((when - frame.event_date).days) <= _development_days(frame.family)
    )


def _development_days(family: str) -> int:
    """How many days apart two dated sentences of a family may tell one development: a visit
    lasts a week at most (a delegation that arrived eight days before the minister's trip is
    another visit), other developments run for weeks."""
    return _MEETING_DAYS if family == "meeting" else SAME_DEVELOPMENT_DAYS


def _merge(
    frame: FrameData,
    objects: list[str],
    places: list[str],
    quantities: list[dict],
) -> None:
    """Another sentence of the frame's family adds what it names (not its other categories:
    those are its own sentence's business)."""
    for name, extra in (("objects", objects), ("places", places)):
        have = getattr(frame, name)
        have.extend(x for x in extra if x not in have)
    known = {(q["unit"], q["value"]) for q in frame.quantities}
    frame.quantities.extend(q for q in quantities if (q["unit"], q["value"]) not in known)


def _principal(ids: Sequence[str], matcher: ActorMatcher, state: str) -> list[str]:
    """The most specific actors: people, units, agencies, groups; the side's state when
    nothing more specific is named."""
    specific = sorted({a for a in ids if matcher.actors[a].type not in _GENERAL_TYPES})
    return specific or [state]


def frame_event_id(article_id: str, family: str, start: int) -> str:
    """The id of the event a frame starts: stable for the same article and sentence, so a
    re-processed article names the same event."""
    digest = hashlib.sha256(f"{article_id}|{family}|{start}".encode()).hexdigest()
    return "ev" + digest[:22]


# ---------------------------------------------------------------------- quantities
# At most twelve digits: longer runs are not counts (and would overflow a float).
_NUMBER = r"\d{1,3}(?:[,\u00a0 ]\d{3}){1,3}(?![\d])|\d{1,12}(?:[.,]\d{1,6})?(?!\d)"
_MAX_QUANTITY = 1_000_000_000
_DIGIT = re.compile(r"\d")
_PERCENT_RE = re.compile(r"\d\s?%")
# The counters the Korean pattern ends with (필 counts horses: 말 24필).
_KOREAN_COUNTERS = ("명", "발", "톤", "마리", "필")
_DATE_UNITS = ("년", "월", "일")
_UNIT_WORDS = 4096  # words whose unit a reader remembers
# Letters that a case-insensitive pattern matches to a letter other than their lowercase (İ ı ſ
# K for Latin letters, ᲀ-ᲈ for Cyrillic ones): a literal test of the lowercased text does not
# see them, so a sentence with one skips the vague words' literal test.
_CASE_EXTRAS = re.compile("[\u0130\u0131\u017f\u212a\u1c80-\u1c88]")


class _QuantityReader:
    def __init__(self, data: dict, months: Sequence[str] = ()) -> None:
        self._month_re = (
            re.compile(rf"^(?:{pattern_regex(months)})$", re.IGNORECASE) if months else None
        )
        units = data.get("units", {})
        self._unit_re = {
            unit: re.compile(rf"^(?:{pattern_regex(ws)})$", re.IGNORECASE)
            for unit, ws in units.items()
        }
        self._people_units = ("troops", "workers", "engineers", "tourists", "students")
        # Hangul unit nouns, matched as prefixes: a Korean noun carries its particle.
        self._hangul_units = {
            unit: tuple(w for w in units.get(unit, ()) if _HANGUL_RE.search(w))
            for unit in self._people_units
        }
        mult = data.get("multipliers", {})
        self._mult = []
        for name, value in (("million", 1_000_000), ("ten_thousand", 10_000),
                            ("thousand", 1_000), ("hundred", 100)):  # fmt: skip
            if mult.get(name):
                self._mult.append(
                    (re.compile(rf"^(?:{pattern_regex(mult[name])})\.?$", re.I), value)
                )
        # Numbers written as words before a multiplier ("five thousand", "пять тысяч",
        # "тысячу саперов"): each word's value, and the words that may start such a number
        # (not a word's last part: "one-point-five million" is not five million, and
        # "twenty-five thousand", which the words do not spell, is no count at all).
        self._number_words: dict[str, float] = {}
        for value, words in data.get("words", {}).items():
            for word in words:
                self._number_words[word.lower()] = float(value)
        multipliers = [w for ws in mult.values() for w in ws if len(w) > 1]
        numbers = "|".join(sorted(map(re.escape, self._number_words), key=len, reverse=True))
        self._worded = (
            re.compile(
                rf"(?<![\w-])({numbers})\s+({pattern_regex(multipliers)})(?!\w)", re.IGNORECASE
            )
            if self._number_words
            else None
        )
        self._worded_literals = _Literals(multipliers)
        # A one-word number of 2 or more also counts alone, its unit noun within three words
        # after it ("более ста коз", "тысячу саперов"; "a soldier" is no count; "two hundred"
        # is the worded number above). It is looked for in the lower-cased sentence (four times
        # faster than ignoring case), or, where lower-casing moves positions (rare letters), in
        # the sentence itself ignoring case.
        alone = sorted(
            (w for w, v in self._number_words.items() if v >= 2 and " " not in w),
            key=len,
            reverse=True,
        )
        self._alone_words = frozenset(alone)
        self._alone_literals = _Literals(alone)
        self._alone = self._alone_any_case = None
        if alone:
            pattern = rf"(?<![\w-])({'|'.join(map(re.escape, alone))})(?![\w-])"
            self._alone = re.compile(pattern)
            self._alone_any_case = re.compile(pattern, re.IGNORECASE)
        vague = data.get("vague", {}).get("words", [])
        self._vague = re.compile(rf"(?<!\w)({pattern_regex(vague)})(?!\w)", re.I) if vague else None
        self._vague_words = _Literals(vague)  # most sentences hold none of them
        self._units: dict[str, str | None] = {}  # the unit of each word met (bounded)
        self._num = re.compile(rf"(?<![\w.,])({_NUMBER})")
        self._korean = re.compile(
            r"(?<!\d)(?:(\d{1,5})만)?\s?(?:(\d)천)?\s?(\d{1,3}(?:,\d{3}){0,2}|\d{1,7})?(?!\d)\s?"
            r"(여\s?)?(명|발|톤|마리|필(?![요지수]))"
        )
        self._word = re.compile(r"[\w\-]+")

    def _is_month(self, word: str) -> bool:
        return bool(self._month_re and self._month_re.match(word))

    def _after_month(self, sentence: str, start: int) -> bool:
        """Whether the word just before `start` names a month ("August 27", "Aug. 27")."""
        before = self._word.findall(sentence[max(0, start - 16) : start])
        return bool(before) and self._is_month(before[-1])

    def _unit_of(self, word: str) -> str | None:
        try:
            return self._units[word]
        except KeyError:
            pass
        found = next((unit for unit, regex in self._unit_re.items() if regex.match(word)), None)
        if len(self._units) >= _UNIT_WORDS:
            self._units.clear()
        self._units[word] = found
        return found

    def read(self, sentence: str, sentence_words: Sequence[str] | None = None) -> list[dict]:
        """The quantities of `sentence`; `sentence_words`, when at hand, are its lower-cased
        words (`Tokens.of(sentence).words`), which tell at once whether it has a number word."""
        found: list[dict] = []
        taken: list[tuple[int, int]] = []
        numbered = _DIGIT.search(sentence) is not None  # most sentences state no number
        counted = numbered and any(counter in sentence for counter in _KOREAN_COUNTERS)
        for match in self._korean.finditer(sentence) if counted else ():
            man, chun, rest, _approx, counter = match.groups()
            if not (man or chun or rest):
                continue
            value = int(man or 0) * 10_000 + int(chun or 0) * 1_000
            value += int((rest or "0").replace(",", ""))
            if value <= 0 or value > 10_000_000:
                continue
            unit = {"발": "shells", "톤": "tonnes", "마리": "animals", "필": "animals"}.get(counter)
            if unit is None:
                unit = self._nearest_people_unit(sentence, match.start()) or "people"
            found.append({"unit": unit, "value": value, "text": match.group(0).strip()})
            taken.append(match.span())
        for match in self._num.finditer(sentence) if numbered else ():
            if any(a <= match.start() < b for a, b in taken):
                continue
            raw = match.group(1)
            rest = sentence[match.end() : match.end() + 80]
            words = self._word.findall(rest)[:5]
            value = _parse_number(raw)
            if value is None:
                continue
            consumed = 0
            if words:
                factor = self._factor(words[0])
                if factor:
                    value *= factor
                    consumed = 1
            if not 0 < value <= _MAX_QUANTITY:
                continue
            value = int(round(value))
            if consumed == 0 and 1900 <= value <= 2100 and "," not in raw:
                continue  # a year
            if words and (self._is_month(words[0]) or rest[:1] in _DATE_UNITS):
                continue  # a day of a month ("12 June", "10월", "5일")
            if value <= 31 and raw.isdigit() and self._after_month(sentence, match.start()):
                continue  # ... or after it ("on August 27, Russia sent 24 horses")
            self._count(
                found, sentence, match.start(), raw, rest, words[consumed : consumed + 4], value
            )
        lowered = sentence.lower()
        if self._worded and self._worded_literals.any_in(lowered):
            for match in self._worded.finditer(sentence):
                factor = self._factor(match.group(2))
                value = self._number_words.get(match.group(1).lower())
                if not factor or value is None:
                    continue
                rest = sentence[match.end() : match.end() + 80]
                self._count(found, sentence, match.start(), match.group(0), rest,
                            self._word.findall(rest)[:4], int(round(value * factor)))  # fmt: skip
                taken.append(match.span())
        if self._alone and (
            self._alone_literals.any_in(lowered)
            if sentence_words is None
            else not self._alone_words.isdisjoint(sentence_words)
        ):
            same = len(lowered) == len(sentence)
            pattern, text = (self._alone, lowered) if same else (self._alone_any_case, sentence)
            matches = pattern.finditer(text)  # type: ignore[union-attr]
            for match in matches:
                if any(a <= match.start() < b for a, b in taken):
                    continue
                rest = sentence[match.end() : match.end() + 80]
                words = self._word.findall(rest)[:6]
                if words and self._factor(words[0]):
                    continue  # "five thousand": the worded number above, or no count
                value = self._number_words[match.group(1).lower()]
                self._count(found, sentence, match.start(), sentence[slice(*match.span())], rest,
                            words, int(round(value)), _first_noun(words[:3]))  # fmt: skip
        if self._vague and (self._vague_words.any_in(lowered) or _CASE_EXTRAS.search(sentence)):
            for match in self._vague.finditer(sentence):
                rest = sentence[match.end() : match.end() + 60]
                for word in self._word.findall(rest)[:4]:
                    unit = self._unit_of(word)
                    if unit:
                        if not any(q["unit"] == unit for q in found):
                            found.append({"unit": unit, "value": None, "text": match.group(1)})
                        break
        return found

    def _factor(self, word: str) -> int | None:
        """The value of a multiplier word ("thousand", "тысяч", "млн"), or None."""
        for regex, factor in self._mult:
            if regex.match(word):
                return factor
        return None

    def _count(
        self, found: list[dict], sentence: str, start: int, raw: str, rest: str,
        words: Sequence[str], value: int | None = None, reach: int | None = None,
    ) -> None:  # fmt: skip
        """Add the quantity of a number at `start` (`raw`, `value`) whose unit is the first
        unit noun among `words` (the words of `rest`, the text after it; the first `reach`)."""
        for index, word in enumerate(words[:reach]):
            unit = self._unit_of(word)
            if unit == "troops" and self._toll(sentence[:start], words[index + 1 :]):
                unit = "casualties"  # "3,000 soldiers killed", "потеряла 101 солдата"
            if unit:
                end = rest.find(word) + len(word)
                found.append({"unit": unit, "value": value,
                              "text": (raw + rest[:end]).strip()})  # fmt: skip
                return

    def _toll(self, before: str, after: Sequence[str]) -> bool:
        """Whether a count of soldiers is a toll: a casualty word just before the number or
        among the words after its noun."""
        around = [*self._word.findall(before)[-2:], *after]
        return any(self._unit_of(word) == "casualties" for word in around)

    def _nearest_people_unit(self, sentence: str, position: int) -> str | None:
        best: tuple[int, str] | None = None
        for word_match in self._word.finditer(sentence):
            word = word_match.group(0)
            for unit in self._people_units:
                regex = self._unit_re.get(unit)
                if regex and (regex.match(word) or word.startswith(self._hangul_units[unit])):
                    distance = abs(word_match.start() - position)
                    if best is None or distance < best[0]:
                        best = (distance, unit)
        return best[1] if best else None


# Russian adjective endings: "двух северокорейских солдат" counts soldiers, "двух лет рабочие"
# nothing.
_ADJECTIVE_ENDINGS = ("ых", "их", "ые", "ие", "ый", "ий", "ой", "ая", "яя", "ого", "его")


def _first_noun(words: Sequence[str]) -> int:
    """How many of the words after a number reach the first that may be its noun, past
    adjectives (a capitalised English word, a Russian adjective ending): "two countries sent
    workers" counts no workers, "two North Korean soldiers" two soldiers."""
    for index, word in enumerate(words):
        if not (word[:1].isupper() and word.isascii()) and not word.endswith(_ADJECTIVE_ENDINGS):
            return index + 1
    return len(words)


_GROUPED = re.compile(r"\d{1,3}(?:[, ]\d{3})+")
_SEPARATORS = re.compile(r"[, ]")


def _parse_number(raw: str) -> float | None:
    text = raw.replace("\u00a0", " ")
    if _GROUPED.fullmatch(text):
        return float(_SEPARATORS.sub("", text))
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


# ---------------------------------------------------------------------- dates
# Date patterns that need a month's name; of those, the ones that need no digit.
_MONTH_KINDS = frozenset(
    {"dmy", "mdy", "last_month_name", "last_year_month", "my", "dm", "md", "m"}
)
_WORD_KINDS = frozenset({"last_month_name", "last_year_month", "m", "q"})
# Date patterns that need a Hangul word (년, 월, 일, 지난, 작년); that need a year (19xx, 20xx).
_HANGUL_KINDS = frozenset(
    {"ko", "last_year_ko", "this_year_ko", "last_month_ko", "ko_md", "ko_m", "ko_d", "ko_q",
     "ko_qy"}
)  # fmt: skip
_YEAR_KINDS = frozenset({"dmy", "mdy", "ko", "my", "y", "qy", "ko_qy"})
_YEAR = re.compile(r"(?:19|20)\d{2}")
# Date patterns that state the year (the selection's preference, apart from the year gate).
_STATES_YEAR = frozenset({"dmy", "mdy", "ko", "this_year_ko", "my", "y", "qy", "ko_qy"})
# How fine a date's precision is: of two readings of the same words, the finer wins.
_FINER = {"year": 0, "quarter": 1, "month": 2, "day": 3}
# How long after the first day of a quarter's last month its figures are news (official
# statistics come out a month or two after the quarter, reports of them later still).
_QUARTER_NEWS = timedelta(days=185)
# A quarter ("Q3 2025", "третьем квартале", "3분기") by its number, its ordinal or the
# ordinal's stem (the Russian ordinal's ending follows the stem), or a Roman numeral.
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "перв": 1, "втор": 2,
                  "трет": 3, "четв": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4}  # fmt: skip
_QUARTER = (
    r"(?:Q(?P<q>[1-4])|(?P<qw>first|second|third|fourth)[\s-]+quarter(?:\s+of)?"
    r"|(?P<qr>перв|втор|трет|четв|IV|I{1,3})\w*\s+квартал\w*)"
)
# A word of "last_year_month" besides the month ("в июне прошлого года", "June of last year").
_LAST_YEAR_WORDS = ("прошлого", "year")
# A part of a month before its name ("early June", "в конце июня"; not "до конца июня", a
# deadline).
_MONTH_PART = (
    r"(?:early|mid|late|the\s+(?:end|beginning|start|middle)\s+of|начале|конце|середине|начала"
    r"|середины)"
)
# How far before a sentence's first month name a date pattern's match may start: its words
# before the month ("since", "в", a day) take a few characters of normalised text.
_BEFORE_MONTH = 24


class _Literals:
    """A quick test of whether a text may hold one of some word patterns (`*` = up to six more
    letters): one of their literal stems occurs in it, lower-cased. Never false when a pattern
    would match; the pattern's regular expression decides."""

    __slots__ = ("_by_first", "stems")

    def __init__(self, patterns: Iterable[str]) -> None:
        stems = {p.rstrip("*").lower() for p in patterns if p.rstrip("*")}
        # A stem that holds another ("january", "jan") adds nothing: where it occurs, so does
        # the other.
        self.stems = tuple(sorted(s for s in stems if not any(o in s for o in stems if o != s)))
        # The stems by their first character: a text without it holds none of them.
        by_first: dict[str, list[str]] = {}
        for stem in self.stems:
            by_first.setdefault(stem[0], []).append(stem)
        self._by_first = tuple((first, tuple(group)) for first, group in by_first.items())

    def any_in(self, lowered: str) -> bool:
        for first, stems in self._by_first:
            if first in lowered:
                for stem in stems:
                    if stem in lowered:
                        return True
        return False


class _DateReader:
    def __init__(self, data: dict) -> None:
        self._months: list[tuple[re.Pattern, int]] = []
        names = []
        for number, words in enumerate(data.get("months", []), start=1):
            regex = pattern_regex(words)
            names.append(regex)
            self._months.append((re.compile(rf"^(?:{regex})$", re.I), number))
        month = rf"(?P<month>{'|'.join(names)})" if names else r"(?P<month>$^)"
        year = r"(?P<year>(?:19|20)\d{2})"
        day = r"(?P<day>[0-3]?\d)"
        last = pattern_regex(data.get("relative", {}).get("last_words", ["last"]))
        upcoming = data.get("relative", {}).get("next_words", [])
        self._next = (
            re.compile(rf"(?<!\w)(?:{pattern_regex(upcoming)})\W*(?:\w+\W+)?$", re.I)
            if upcoming
            else None
        )
        until = data.get("relative", {}).get("until_words", [])
        self._until = re.compile(rf"(?<!\w)(?:{pattern_regex(until)})\W*$", re.I) if until else None
        self._until_suffixes = tuple(data.get("relative", {}).get("until_suffixes", []))
        # In a sentence telling a resumption, the date of a halt's clause ("suspended in 2020",
        # "2020년 코로나19로 중단된") is when something stopped; the sentence's other date, if it
        # gives one, is the development's ("resumed last February").
        halts = data.get("relative", {}).get("halt_words", [])
        resumes = data.get("relative", {}).get("resume_words", [])
        self._halt = _whole_words(halts) if halts and resumes else None
        self._resume = _whole_words(resumes) if halts and resumes else None
        self._halt_words = _Literals(halts)
        self._resume_words = _Literals(resumes)
        self._patterns: list[tuple[re.Pattern, str]] = [
            (
                re.compile(
                    rf"(?<!\w){day}(?:st|nd|rd|th)?\s+(?:of\s+)?{month}\.?,?\s+{year}", re.I
                ),
                "dmy",
            ),
            (re.compile(rf"(?<!\w){month}\.?\s+{day}(?:st|nd|rd|th)?,?\s+{year}", re.I), "mdy"),
            (
                re.compile(
                    rf"{year}\s*년\s*(?P<mon>1[0-2]|0?[1-9])\s*월(?:\s*(?P<kday>[0-3]?\d)\s*일)?"
                ),
                "ko",
            ),
            (re.compile(rf"(?<!\w)(?:{last})\s+{month}(?!\w)", re.I), "last_month_name"),
            (
                re.compile(
                    r"(?:작년|지난해)\s*(?P<mon>1[0-2]|[1-9])\s*월(?:\s*(?P<kday>[0-3]?\d)\s*일)?"
                ),
                "last_year_ko",
            ),
            # "올해 6월" (June this year), "올해 1월 초" (early January).
            (
                re.compile(
                    r"(?:올해|금년)\s*(?P<mon>1[0-2]|[1-9])\s*월(?:\s*(?P<kday>[0-3]?\d)\s*일)?"
                ),
                "this_year_ko",
            ),
            (
                re.compile(
                    rf"(?<!\w)(?:(?:in|в|во)\s+)?(?:{day}\s+)?{month}\s+"
                    r"(?:прошлого\s+года|of\s+last\s+year|last\s+year)",
                    re.I,
                ),
                "last_year_month",
            ),
            (
                re.compile(r"지난\s*(?P<mon>1[0-2]|[1-9])\s*월(?:\s*(?P<kday>[0-3]?\d)\s*일)?"),
                "last_month_ko",
            ),
            (re.compile(rf"(?<!\w){month}\.?\s+(?:of\s+)?{year}", re.I), "my"),
            (re.compile(r"(?<!\w)(?P<mon>1[0-2]|[1-9])\s*월\s*(?P<kday>[0-3]?\d)\s*일"), "ko_md"),
            # A bare month with its part ("6월 말": late June), as "in June".
            (
                re.compile(r"(?<![\w.])(?P<mon>1[0-2]|[1-9])\s*월\s*(?:초|중순|말|하순|상순|께)"),
                "ko_m",
            ),
            (re.compile(rf"(?<!\w){day}\s+{month}(?!\w)", re.I), "dm"),
            (re.compile(rf"(?<!\w){month}\.?\s+{day}(?:st|nd|rd|th)?(?!\w)", re.I), "md"),
            (re.compile(r"지난\s*(?P<kday>[0-3]?\d)\s*일"), "ko_d"),
            # "in June", "in early June", "at the end of June", "в начале июня", "mid-June".
            (
                re.compile(
                    rf"(?<!\w)(?:(?:in|в|во|since|from|с)\s+(?:{_MONTH_PART}[\s-]+)?"
                    rf"|(?:at\s+)?{_MONTH_PART}[\s-]+){month}(?!\w)",
                    re.I,
                ),
                "m",
            ),
            # "in 2024–2025": a span of years ends in its last.
            (
                re.compile(
                    rf"(?<!\w)(?:in|в|since|from|с)\s+{year}"
                    r"(?:\s*[–—-]\s*(?P<until>(?:19|20)\d{2}))?(?!\w)",
                    re.I,
                ),
                "y",
            ),
            (re.compile(rf"{year}\s*년"), "y"),
            # A quarter, with its year or without ("Q3 2025", "в третьем квартале 2025 года",
            # "2025년 3분기"; "3분기": the latest such quarter).
            (re.compile(rf"(?<!\w){_QUARTER}\s+{year}", re.I), "qy"),
            (re.compile(rf"(?<!\w){_QUARTER}(?!\w)(?!\s+(?:19|20)\d\d)", re.I), "q"),
            (re.compile(rf"{year}\s*년\s*(?P<q>[1-4])\s*분기"), "ko_qy"),
            (re.compile(r"(?<!\d)(?<!년)(?<!년 )(?P<q>[1-4])\s*분기"), "ko_q"),
        ]
        # Where a month's name starts (every pattern that needs one has one there): the
        # patterns that start with it are tried from the first one on.
        self._month_start = re.compile(rf"(?<!\w){month}", re.I)
        # The same, faster to search: a position whose letter starts no month's name fails at
        # once, before the names are tried one by one.
        firsts = "".join(sorted({w[0].lower() for ws in data.get("months", []) for w in ws if w}))
        self._month_seek = re.compile(rf"(?<!\w)(?=[{re.escape(firsts)}]){month}", re.I)
        self._from_month = frozenset(
            regex
            for regex, _ in self._patterns
            if regex.pattern.startswith(self._month_start.pattern)
            and regex.flags == self._month_start.flags
        )
        # Patterns that need words besides the month's name: tried only when one is there.
        self._needs: dict[str, _Literals] = {
            "last_month_name": _Literals(data.get("relative", {}).get("last_words", ["last"])),
            "last_year_month": _Literals(_LAST_YEAR_WORDS),
        }
        quarter_words = _Literals(["quarter", "квартал", "q1", "q2", "q3", "q4"])
        korean_quarter = _Literals(["분기"])
        self._needs.update(q=quarter_words, qy=quarter_words, ko_q=korean_quarter,
                           ko_qy=korean_quarter)  # fmt: skip
        relative = data.get("relative", {})
        days = data.get("relative_days", {})
        # Cheap tests before the regular expressions: most sentences hold no digit, no month's
        # name and none of the relative words.
        self._month_words = _Literals(w for words in data.get("months", []) for w in words)
        self._fallbacks: list[tuple[_Literals, re.Pattern, str, object]] = []
        for kind in ("last_year", "last_month", "last_week", "this_month", "last_summer",
                     "last_winter"):  # fmt: skip
            words = relative.get(kind, [])
            if words:
                regex = re.compile(rf"(?<!\w)(?:{pattern_regex(words)})", re.I)
                self._fallbacks.append((_Literals(words), regex, "relative", kind))
        for number, words in enumerate(data.get("weekdays", [])):
            regex = re.compile(rf"(?<!\w)(?:{pattern_regex(words)})(?!\w)", re.I)
            self._fallbacks.append((_Literals(words), regex, "weekday", number))
        for number, word in enumerate(data.get("korean_weekdays", [])):
            self._fallbacks.append(
                (_Literals([word]), re.compile(re.escape(word)), "weekday", number)
            )
        for word, back in days.items():
            regex = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.I)
            self._fallbacks.append((_Literals([word]), regex, "days", int(back)))
        self._fallback_words = _Literals(stem for f in self._fallbacks for stem in f[0].stems)

    def _month(self, name: str) -> int | None:
        for regex, number in self._months:
            if regex.match(name):
                return number
        return None

    def read(self, sentence: str, published: date) -> tuple[date | None, str | None]:
        """The first date the sentence gives, resolved against `published`, and its precision
        (None, None when it gives none, or none that date arithmetic can hold). Only the first
        `MAX_SENTENCE_CHARS` are read."""
        try:
            return self._read(sentence[:MAX_SENTENCE_CHARS], published)
        except (ValueError, OverflowError):
            return None, None

    def _read(self, sentence: str, published: date) -> tuple[date | None, str | None]:
        found: list[tuple[int, int, date, str, bool]] = []  # start, end, date, precision, year
        lowered = sentence.lower()
        halts = self._halts(sentence, lowered)
        # With halts, every date of each pattern is read (the first of each, `firsts`, is the
        # one kept when every date is a halt's).
        firsts: dict[int, int] = {}
        digits = _DIGIT.search(sentence) is not None
        hangul = digits and _HANGUL_RE.search(sentence) is not None
        year = digits and _YEAR.search(sentence) is not None
        first_month = None  # where the first month's name starts
        if self._month_words.any_in(lowered):
            named = self._month_seek.search(sentence)
            first_month = named.start() if named else None
        for number, (regex, kind) in enumerate(self._patterns):
            if (
                (kind in _MONTH_KINDS and first_month is None)
                or (kind not in _WORD_KINDS and not digits)
                or (kind in _HANGUL_KINDS and not hangul)
                or (kind in _YEAR_KINDS and not year)
            ):
                continue  # it needs a month's name, a number, a Korean word or a year
            needs = self._needs.get(kind)
            if needs is not None and not needs.any_in(lowered):
                continue
            if regex in self._from_month:
                start = first_month
            elif kind in _MONTH_KINDS:
                # The month's name is a few words into the match at most ("since 12 June").
                start = max(0, first_month - _BEFORE_MONTH)
            else:
                start = 0
            for match in regex.finditer(sentence, start):
                if self._next and self._next.search(
                    sentence, max(0, match.start() - 24), match.start()
                ):
                    continue  # a plan: "next May 9", "오는 27일"
                when = resolve_date(kind, match.groupdict(), published, self._month)
                if when is not None and _plausible(when[0], published):
                    found.append((match.start(), match.end(), *when, kind in _STATES_YEAR))
                    if not halts:
                        break
                    firsts.setdefault(number, len(found) - 1)
        stopped: list[tuple[int, int, date, str, bool]] = []
        if halts and found:
            every = found
            found = self._unhalted(sentence, every, halts)
            if not found:  # as without halts: the first date of each pattern
                stopped = [f for index, f in enumerate(every) if index in firsts.values()]
        if not found and self._fallback_words.any_in(lowered):
            for words, regex, kind, value in self._fallbacks:
                match = regex.search(sentence) if words.any_in(lowered) else None
                if match is None:
                    continue
                span = (match.start(), match.end())
                if kind == "relative":
                    found.append((*span, *_relative(value, published), False))
                elif kind == "weekday":
                    if self._until_weekday(sentence, span):
                        continue
                    back = (published.weekday() - value) % 7
                    found.append((*span, published - timedelta(days=back), "day", False))
                else:
                    found.append((*span, published - timedelta(days=value), "day", False))
        if not found:
            found = stopped
        if not found:
            return None, None
        # The first date; of readings of the same words, the one that states its year, then
        # the finest ("since February 2020" is February 2020, not "since February").
        first = min(found, key=lambda f: f[0])
        _, _, when, precision, _ = max(
            (f for f in found if f[0] < first[1] and first[0] < f[1]),
            key=lambda f: (f[4], _FINER[f[3]], -f[0]),
        )
        return when, precision

    def _halts(self, sentence: str, lowered: str) -> list[tuple[int, int, bool]]:
        """The halt words of a sentence that tells a resumption (start, end, whether the
        halt's date stands before it: Korean, "2020년 1월 ... 중단된"; else after it, "suspended
        in 2020"), or none."""
        if (
            self._halt is None
            or self._resume is None
            or not self._halt_words.any_in(lowered)
            or not self._resume_words.any_in(lowered)
            or self._resume.search(sentence) is None
        ):
            return []
        return [
            (h.start(), h.end(), _HANGUL_RE.search(h.group()) is not None)
            for h in self._halt.finditer(sentence)
        ]

    @staticmethod
    def _unhalted(sentence: str, found: list, halts: list) -> list:
        """The dates read, without those of a halt's clause: each halt word takes the nearest
        date on its side (before a Korean halt, after another), within a few characters and
        its clause, and every reading of those words."""
        spans = sorted({(start, end) for start, end, *_ in found})
        starts = [start for start, _ in spans]
        stopped: list[tuple[int, int]] = []
        for h_start, h_end, before in halts:
            if before:
                # the dates ending before the halt, the nearest last
                window = spans[
                    bisect.bisect_left(starts, h_start - _HALT_CHARS - 64) : bisect.bisect_left(
                        starts, h_start
                    )
                ]
                near = [
                    (h_start - end, (start, end))
                    for start, end in window
                    if 0 <= h_start - end <= _HALT_CHARS
                    and not _CLAUSE_END.search(sentence, end, h_start)
                ]
            else:
                window = spans[
                    bisect.bisect_left(starts, h_end) : bisect.bisect_right(
                        starts, h_end + _HALT_CHARS
                    )
                ]
                near = [
                    (start - h_end, (start, end))
                    for start, end in window
                    if not _CLAUSE_END.search(sentence, h_end, start)
                ]
            if near:
                stopped.append(min(near)[1])
        return [f for f in found if not any(f[0] < end and start < f[1] for start, end in stopped)]

    def _until_weekday(self, sentence: str, span: tuple[int, int]) -> bool:
        """Whether the weekday at `span` ends a stay or a deadline ("until Friday",
        "금요일까지") or is a plan ("next Friday"): the coming one, not the development's."""
        start = max(0, span[0] - 24)
        if any(
            r is not None and r.search(sentence, start, span[0]) for r in (self._until, self._next)
        ):
            return True
        return sentence.startswith(self._until_suffixes, span[1])


_HALT_CHARS = 30  # how far from a date a halt word may stand
# What ends a clause: not the comma or the point of a number ("1,200 flights").
_CLAUSE_END = re.compile(r"[;:!?()]|[,.](?=\s)")


def _whole_words(patterns: Sequence[str]) -> re.Pattern:
    """The seed files' word patterns (`pattern_regex`) as whole words at their start, and at
    their end unless they take more letters (`*`)."""
    parts = [
        pattern_regex([p]) + ("" if p.endswith("*") else r"(?!\w)")
        for p in sorted(patterns, key=len, reverse=True)
    ]
    return re.compile(rf"(?<!\w)(?:{'|'.join(parts)})", re.I)


def _plausible(when: date, published: date) -> bool:
    """A date of history ("the 1961 treaty") or of a plan ("next May") is not the date of the
    development a sentence reports."""
    return abs((published - when).days) <= _HISTORY.days and when <= published + _AHEAD


def _relative(kind: str, published: date) -> tuple[date, str]:
    if kind == "last_year":
        return date(published.year - 1, 1, 1), "year"
    if kind == "last_month":
        first = published.replace(day=1) - timedelta(days=1)
        return first.replace(day=1), "month"
    if kind == "last_week":
        return published - timedelta(days=7), "day"
    if kind == "last_summer":  # the latest summer over: its middle month
        return date(published.year if published.month >= 9 else published.year - 1, 7, 1), "month"
    if kind == "last_winter":  # the latest winter over: its January
        return date(published.year if published.month >= 3 else published.year - 1, 1, 1), "month"
    return published.replace(day=1), "month"


def resolve_date(kind: str, groups: dict, published: date, month_of) -> tuple[date, str] | None:  # noqa: ANN001
    """A date pattern's groups resolved against the publication date: a month without a year
    is its latest occurrence not after publication; "last June" the one before that month."""
    try:
        month = groups.get("month")
        number = month_of(month) if month else None
        if groups.get("mon"):
            number = int(groups["mon"])
        raw_day = groups.get("day") or groups.get("kday")
        day = int(raw_day) if raw_day else None
        year = int(groups["year"]) if groups.get("year") else None
        if kind == "y":
            return date(int(groups.get("until") or year), 1, 1), "year"
        if kind in ("q", "qy", "ko_q", "ko_qy"):
            # A quarter is dated by its last month; without a year, the latest one begun by
            # publication.
            word = (groups.get("qw") or groups.get("qr") or "").lower()
            quarter = int(groups["q"]) if groups.get("q") else _QUARTER_WORDS.get(word)
            if quarter is None:
                return None
            if year is None:
                year = published.year - (3 * quarter - 2 > published.month)
            return date(year, 3 * quarter, 1), "quarter"
        if kind == "ko_d":
            # "지난 31일": the latest 31st not after publication (stepping back over months
            # without one).
            month_start = published.replace(day=1)
            for _ in range(3):
                with contextlib.suppress(ValueError):
                    when = month_start.replace(day=day)
                    if when <= published:
                        return when, "day"
                month_start = (month_start - timedelta(days=1)).replace(day=1)
            return None
        if number is None:
            return None
        if kind in ("last_year_ko", "last_year_month"):
            year = published.year - 1  # "작년 6월 19일", "в июне прошлого года"
        elif kind == "this_year_ko":
            year = published.year  # "올해 6월"
        if year is None:
            year = published.year
            ahead = (number - published.month) % 12
            soon = 0 < ahead <= _NEAR_MONTHS or (ahead == 0 and (day or 0) > published.day + 1)
            if kind in ("m", "md", "dm", "ko_md", "ko_m") and soon:
                # A bare month (or day) soon after publication is the coming one ("to
                # welcome tourists in February", written in January): a plan.
                year += number < published.month
                return date(year, number, day or 1), "day" if day else "month"
            # (The day after publication is today where the article was dated: "SEOUL, Dec
            # 25" on a page dated the 24th.)
            if (number, day or 1) > (published.month, published.day) and not (
                number == published.month and day == published.day + 1
            ):
                year -= 1
            if kind in ("last_month_name", "last_month_ko") and number == published.month:
                year -= 1
        if day is not None:
            when = date(year, number, day)
            if when > published + timedelta(days=1) and kind in ("dm", "md", "ko_md"):
                when = date(year - 1, number, day)
            return when, "day"
        return date(year, number, 1), "month"
    except (ValueError, TypeError, OverflowError):
        return None


@lru_cache(maxsize=1)
def default_framebook() -> FrameBook:
    return FrameBook.from_toml()
