"""Forgetting in keyed state: what a window and a cap drop (stories and events alike)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["stale_keys"]


def stale_keys(state: Mapping[str, Any], cutoff: float, cap: int) -> list[str]:
    """Keys of `state` whose record was last `seen` before `cutoff`, and, when more than `cap`
    remain, the least recently seen of them down to 90% of the cap (so the next sweeps are not
    all evictions). Records are dicts with a `seen` time."""
    stale = [key for key, record in list(state.items()) if record["seen"] < cutoff]
    overflow = len(state) - len(stale) - cap
    if overflow > 0:
        alive = sorted(
            (record["seen"], key) for key, record in list(state.items()) if record["seen"] >= cutoff
        )
        stale.extend(key for _, key in alive[: overflow + cap // 10])
    return stale
