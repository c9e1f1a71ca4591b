"""Actor mentions: one pass over the text finds every catalogued name.

The catalogue is `seeds/actors.toml`; names match by the rules of `streams.phrases`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from streams.catalogue import SeedDataError, load_toml, pattern_regex
from streams.phrases import PhraseMatcher, Token, Tokens

__all__ = ["PAIR", "PERSON_TYPES", "Actor", "ActorMatcher", "Mention", "SIDES", "default_matcher"]

PAIR = frozenset({"russia", "dprk"})  # the two sides whose cooperation is watched
SIDES = ("russia", "dprk", "other")
PERSON_TYPES = frozenset({"leader", "official"})  # the types of actors that are people
_TYPES = frozenset(
    "state leader official agency military party media place hacker_group organisation".split()
)
_LANGS = ("en", "ru", "ko")


@dataclass(frozen=True, slots=True)
class Actor:
    """A catalogued actor."""

    id: str
    name: str
    type: str
    side: str
    country: str
    wikidata: str | None = None
    mitre: str | None = None
    aliases: tuple[str, ...] = field(default=(), repr=False)
    # An office ("North Korea's foreign minister"): who held it, from and until when (None:
    # open). A mention of the office stands for its holder on the article's date.
    holders: tuple[tuple[str, date | None, date | None], ...] = ()
    # A place: the region it lies in (Alabuga in Tatarstan, Vladivostok in Primorye), if any.
    within: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an actor in a text: the actor id, the matched text and its span."""

    actor_id: str
    text: str
    start: int
    end: int


class ActorMatcher:
    """Finds actor mentions with a single compiled alternation (longest alias first)."""

    def __init__(self, actors: Iterable[Actor], deputies: Iterable[str] = ()) -> None:
        self.actors: dict[str, Actor] = {}
        alias_owner: dict[str, str] = {}
        for actor in actors:
            if actor.id in self.actors:
                raise SeedDataError(f"actor id {actor.id!r} is defined twice")
            self.actors[actor.id] = actor
            for alias in actor.aliases:
                owner = alias_owner.setdefault(alias, actor.id)
                if owner != actor.id:
                    raise SeedDataError(
                        f"alias {alias!r} belongs to both {owner!r} and {actor.id!r}"
                    )
        try:
            self._phrases = PhraseMatcher(alias_owner.items())
        except ValueError as exc:
            raise SeedDataError(f"actors.toml: {exc}") from exc
        self.sides: dict[str, str] = {a.id: a.side for a in self.actors.values()}
        self.offices = {a.id: a.holders for a in self.actors.values() if a.holders}
        for office, holders in self.offices.items():
            for holder, _, _ in holders:
                if self.sides.get(holder) != self.sides[office]:
                    raise SeedDataError(
                        f"office {office!r}: holder {holder!r} is no catalogued actor of its side"
                    )
        # Words that, just before an office, make the mention someone else's ("Заместитель
        # министра обороны России" is not the minister): such a mention stays the office.
        titles = pattern_regex(list(deputies))
        self._deputy = (
            re.compile(rf"(?<!\w)(?:{titles})[\s\-‐]+$", re.IGNORECASE) if titles else None
        )
        self.within = {a.id: a.within for a in self.actors.values() if a.within}
        for place, region in self.within.items():
            if self.actors.get(region) is None or self.actors[region].type != "place":
                raise SeedDataError(f"place {place!r}: {region!r} is no catalogued place")
        self.hacker_groups = frozenset(
            a.id for a in self.actors.values() if a.type == "hacker_group"
        )

    @classmethod
    def from_toml(cls, path: str | Path = "actors.toml") -> ActorMatcher:
        """Load the catalogue file and compile it."""
        data = load_toml(path)
        return cls(
            (_parse_actor(entry, index) for index, entry in enumerate(data.get("actors", []))),
            data.get("offices", {}).get("not_the_holder", ()),
        )

    def find(self, text: str, tokens: Sequence[Token] | Tokens | None = None) -> list[Mention]:
        """Every mention in `text`, left to right, without overlaps."""
        return [
            Mention(actor_id, text[start:end], start, end)
            for actor_id, start, end in self.spans(text, tokens)
        ]

    def spans(
        self, text: str, tokens: Sequence[Token] | Tokens | None = None
    ) -> list[tuple[str, int, int]]:
        """`find` as plain (actor id, start, end) tuples."""
        return [(m[2][0], m[0], m[1]) for m in self._phrases.scan(text, tokens)]

    def side(self, actor_id: str) -> str:
        return self.actors[actor_id].side

    def holder(self, actor_id: str, day: date) -> str:
        """Who a mention stands for on `day`: an office's holder then, else the actor itself
        (an office nobody in the catalogue held then stays the office)."""
        for holder, start, until in self.offices.get(actor_id, ()):
            if (start is None or start <= day) and (until is None or day <= until):
                return holder
        return actor_id

    def on(
        self, mentions: list[tuple[str, int, int]], day: date, text: str | None = None
    ) -> list[tuple[str, int, int]]:
        """`spans` with each office standing for its holder on `day`; given the `text`, an
        office named after a deputy's title ("Deputy", "заместитель") stays the office."""
        if not self.offices:
            return mentions
        offices = self.offices
        deputy = self._deputy if text is not None else None
        return [
            (actor_id, start, end)
            if actor_id not in offices
            or (deputy is not None and deputy.search(text, max(0, start - 40), start))
            else (self.holder(actor_id, day), start, end)
            for actor_id, start, end in mentions
        ]


def _parse_actor(entry: dict, index: int) -> Actor:
    where = f"actors.toml entry {index} ({entry.get('id', '?')})"
    for key in ("id", "name", "type", "side", "country"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise SeedDataError(f"{where}: field {key!r} is required")
    if entry["side"] not in SIDES:
        raise SeedDataError(f"{where}: side must be one of {SIDES}")
    if entry["type"] not in _TYPES:
        raise SeedDataError(f"{where}: type must be one of {sorted(_TYPES)}")
    aliases: list[str] = []
    for lang in _LANGS:
        for alias in entry.get(lang, []):
            if alias not in aliases:
                aliases.append(alias)
    if not aliases:
        raise SeedDataError(f"{where}: no names in en, ru or ko")
    holders = []
    for held in entry.get("holders", []):
        try:
            holders.append((held["actor"], _date(held.get("from")), _date(held.get("until"))))
        except (KeyError, TypeError, ValueError) as exc:
            raise SeedDataError(f"{where}: holders need an actor and ISO dates ({exc})") from exc
    return Actor(
        id=entry["id"],
        name=entry["name"],
        type=entry["type"],
        side=entry["side"],
        country=entry["country"],
        wikidata=entry.get("wikidata"),
        mitre=entry.get("mitre"),
        aliases=tuple(aliases),
        holders=tuple(holders),
        within=entry.get("within"),
    )


def _date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@lru_cache(maxsize=1)
def default_matcher() -> ActorMatcher:
    """The matcher for the catalogue in the seeds folder (compiled once per process)."""
    return ActorMatcher.from_toml()
