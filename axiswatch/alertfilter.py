"""Choosing and showing alerts, for `axiswatch alerts` and the routes of `axiswatch notify`.

- `AlertFilter`: which alerts a reader or a route wants (categories, kinds, actors, languages,
  a minimum confidence, a minimum number of sources);
- `parse_since`: the start time of `--since` (`2d`, `12h`, `2026-11-01`, `2026-11-01T08:00Z`);
- `escape_controls`: alert text is news from outside; control characters in it (a terminal
  escape sequence, a bidi override, a line break in a title) are shown escaped, never sent to
  a terminal or a person as they are.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, get_args

from axiswatch.exceptions import InputError
from schemas.models import Alert, Category

__all__ = [
    "CATEGORIES",
    "KINDS",
    "AlertFilter",
    "escape_controls",
    "escape_json_text",
    "known_actor_ids",
    "parse_since",
    "safe_alert",
]

CATEGORIES: tuple[str, ...] = get_args(Category)
KINDS: tuple[str, ...] = get_args(Alert.model_fields["kind"].annotation)
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


@lru_cache(maxsize=1)
def known_actor_ids() -> frozenset[str]:
    """The catalogue ids of seeds/actors.toml (what alerts name in `actors[].id`)."""
    from streams.catalogue import load_toml

    return frozenset(str(a["id"]) for a in load_toml("actors.toml").get("actors", []))


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """An alert passes when it meets every condition that is set (an empty set or None is no
    condition); within one condition, any listed value will do."""

    categories: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    actors: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    min_confidence: float | None = None
    min_sources: int | None = None

    def matches(self, alert: dict[str, Any]) -> bool:
        if self.kinds and alert.get("kind") not in self.kinds:
            return False
        if self.categories:
            categories = set(alert.get("categories") or ()) | {alert.get("category")}
            if not categories & self.categories:
                return False
        if self.actors:
            ids = {a.get("id") for a in alert.get("actors") or () if isinstance(a, dict)}
            if not ids & self.actors:
                return False
        if (
            self.languages
            and not {str(lang).lower() for lang in alert.get("languages") or ()} & self.languages
        ):
            return False
        if self.min_confidence is not None and not (
            _number(alert.get("confidence")) >= self.min_confidence
        ):
            return False
        return self.min_sources is None or _number(alert.get("source_count")) >= self.min_sources

    def describe(self) -> str:
        """The conditions in words ("every alert" when there are none)."""
        parts = [
            f"{name} {', '.join(sorted(values))}"
            for name, values in (
                ("categories", self.categories),
                ("kinds", self.kinds),
                ("actors", self.actors),
                ("languages", self.languages),
            )
            if values
        ]
        if self.min_confidence is not None:
            parts.append(f"confidence >= {self.min_confidence:g}")
        if self.min_sources is not None:
            parts.append(f"sources >= {self.min_sources}")
        return "; ".join(parts) or "every alert"

    @classmethod
    def build(
        cls,
        *,
        categories: Iterable[str] = (),
        kinds: Iterable[str] = (),
        actors: Iterable[str] = (),
        languages: Iterable[str] = (),
        min_confidence: float | None = None,
        min_sources: int | None = None,
    ) -> AlertFilter:
        """A filter from user input; raises `InputError` saying which value is wrong and what
        the valid ones are (the caller prefixes where it was written)."""
        categories = _choices("category", categories, CATEGORIES)
        kinds = _choices("kind", kinds, KINDS)
        actors = frozenset(actors)
        unknown = sorted(actors - known_actor_ids())
        if unknown:
            hints = [
                f"{a!r} (did you mean {', '.join(repr(m) for m in close)}?)"
                if (close := difflib.get_close_matches(a, known_actor_ids(), n=3))
                else repr(a)
                for a in unknown
            ]
            raise InputError(
                f"unknown actor id {', '.join(hints)}: actors are catalogue ids from "
                "seeds/actors.toml such as 'kim_jong_un', 'lazarus' or 'rus'"
            )
        languages = frozenset(str(lang).lower() for lang in languages)
        bad = sorted(lang for lang in languages if not _LANGUAGE_RE.match(lang))
        if bad:
            raise InputError(
                f"{', '.join(map(repr, bad))} is not a language code: write codes such as "
                "'en', 'ru' or 'ko'"
            )
        if min_confidence is not None and (
            isinstance(min_confidence, bool)
            or not isinstance(min_confidence, int | float)
            or not 0 <= min_confidence <= 1
        ):
            raise InputError(
                f"min_confidence must be a number from 0 to 1 (alerts carry confidences such "
                f"as 0.62 or 0.9), got {min_confidence!r}"
            )
        if min_sources is not None and (
            isinstance(min_sources, bool) or not isinstance(min_sources, int) or min_sources < 1
        ):
            raise InputError(
                f"min_sources must be a whole number of at least 1 (an alert's source_count), "
                f"got {min_sources!r}"
            )
        return cls(
            categories=categories,
            kinds=kinds,
            actors=actors,
            languages=languages,
            min_confidence=None if min_confidence is None else float(min_confidence),
            min_sources=min_sources,
        )


def _choices(what: str, values: Iterable[str], valid: tuple[str, ...]) -> frozenset[str]:
    chosen = frozenset(values)
    wrong = sorted(v for v in chosen if v not in valid)
    if wrong:
        raise InputError(
            f"unknown {what} {', '.join(map(repr, wrong))}: choose from {', '.join(valid)}"
        )
    return chosen


def _number(value: Any) -> float:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else -1.0


# ----------------------------------------------------------------------------- --since
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.I)
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`2d`, `12h`, `30m`, `1w` before now, or a date (`2026-11-01`: midnight UTC) or a time
    (`2026-11-01T08:00`, UTC unless it names its offset: `2026-11-01T08:00+09:00`)."""
    now = now or datetime.now(UTC)
    match = _DURATION_RE.match(text)
    if match:
        amount, unit = float(match.group(1)), match.group(2).lower()
        return now - timedelta(seconds=amount * _UNIT_SECONDS[unit])
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        when = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--since {text!r}: write how long ago (30m, 12h, 2d, 1w) or a date or time in UTC "
            "(2026-11-01, 2026-11-01T08:00, 2026-11-01T08:00+09:00)"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# ----------------------------------------------------------------------------- escaping
# C0 and C1 controls and DEL (terminal escape sequences: ESC, and CSI as U+009B), bidi
# embeddings, overrides and isolates (text that displays in another order than it reads), and
# the Unicode line and paragraph separators.
_UNSAFE_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    r"""`text` with every control character written out (`\x1b`, `\x0a`, `\u202e`)."""
    return _UNSAFE_RE.sub(_escaped, text)


def escape_json_text(text: str) -> str:
    """JSON text (`json.dumps(..., ensure_ascii=False)`) with the control characters that
    json leaves raw (DEL, C1, bidi controls, separators) as \\u escapes: still the same JSON."""
    return _UNSAFE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def safe_alert(value: Any) -> Any:
    """A copy of an alert (any JSON value) with control characters escaped in every string."""
    if isinstance(value, str):
        return escape_controls(value)
    if isinstance(value, dict):
        return {safe_alert(k): safe_alert(v) for k, v in value.items()}
    if isinstance(value, list):
        return [safe_alert(v) for v in value]
    return value
