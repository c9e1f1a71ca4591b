"""Which input offsets are safe to commit, and which were skipped: pure bookkeeping, no Kafka.

The worker commits its input offsets itself instead of leaving it to Faust. faust-streaming
(0.15) can commit past a message it never delivered: after a rebalance it skips messages
fetched under the previous generation and still acknowledges them, and it counts a jump in
the offsets it reads as acknowledged too. Either way an article is lost. Here an offset is
committed only once every offset below it was processed (its outputs handed to the producer),
so a skipped message holds the commit back instead of being lost, and it shows up as a hole
that the worker reads again itself (see `streams.delivery`).

An offset is "done" when the agent finished it. Each agent handles one partition's messages
in offset order, so when a later offset of a partition is done and an earlier one is not, the
earlier one was skipped: a hole. A skipped message at the end of a partition has no later
offset to reveal it; it shows up as a partition whose end is beyond its base while nothing
on it has progressed for a while.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["Hole", "OffsetTracker"]


class Hole(NamedTuple):
    """Offsets [start, stop) of a partition to read again."""

    start: int
    stop: int
    tail: bool  # True: found from the partition's end, nothing after it was processed


@dataclass
class _Partition:
    base: int | None = None  # every offset below it is processed; None until it is known
    committed: int | None = None  # the last offset this tracker saw committed
    done: set[int] = field(default_factory=set)  # processed offsets at or above `base`
    hole_since: float | None = None  # when `base` was first seen missing with later ones done
    progress_at: float = 0.0  # when `base` last moved (or the partition was assigned)
    behind_since: float | None = None  # since when the partition's end is known to be beyond


class OffsetTracker:
    """Per-partition committed position and holes for the partitions this worker holds.

    `hole_grace` seconds: how long a gap below a processed offset may last before it counts
    as a hole (a message that was fetched again can still be on its way through the agent).
    `stall_grace` seconds: how long a partition whose end is beyond its base may make no
    progress at all before its tail counts as a hole."""

    def __init__(self, hole_grace: float = 3.0, stall_grace: float = 20.0) -> None:
        self.hole_grace = hole_grace
        self.stall_grace = stall_grace
        self._parts: dict[Hashable, _Partition] = {}

    # -- assignment --------------------------------------------------------------------------

    def assign(self, tps: Iterable[Hashable], now: float) -> None:
        """Start tracking `tps` (their base is not known until `set_base`)."""
        for tp in tps:
            self._parts.setdefault(tp, _Partition(progress_at=now))

    def revoke(self, tps: Iterable[Hashable]) -> None:
        """Forget `tps`: another worker commits them from now on."""
        for tp in tps:
            self._parts.pop(tp, None)

    def assigned(self) -> list[Hashable]:
        return list(self._parts)

    def without_base(self) -> list[Hashable]:
        """Assigned partitions whose committed position has not been read yet."""
        return [tp for tp, p in self._parts.items() if p.base is None]

    def set_base(self, tp: Hashable, committed: int, now: float) -> None:
        """The group's committed position for `tp` when this worker took it over."""
        part = self._parts.get(tp)
        if part is None or part.base is not None:
            return
        part.base = committed
        part.committed = committed
        part.progress_at = now
        self._advance(part, now)

    # -- processing --------------------------------------------------------------------------

    def done(self, tp: Hashable, offset: int, now: float) -> None:
        """`offset` of `tp` is processed. Offsets of partitions not held are ignored."""
        part = self._parts.get(tp)
        if part is None or (part.base is not None and offset < part.base):
            return
        part.done.add(offset)
        if part.base is not None:
            self._advance(part, now)

    def _advance(self, part: _Partition, now: float) -> None:
        assert part.base is not None
        part.done = {o for o in part.done if o >= part.base}
        moved = False
        while part.base in part.done:
            part.done.discard(part.base)
            part.base += 1
            moved = True
        if moved:
            part.progress_at = now
            part.hole_since = None
        if part.done and part.hole_since is None:
            part.hole_since = now

    def base(self, tp: Hashable) -> int | None:
        part = self._parts.get(tp)
        return part.base if part else None

    # -- committing --------------------------------------------------------------------------

    def committable(self) -> dict[Hashable, int]:
        """Positions to commit: partitions whose base moved since their last commit."""
        return {
            tp: p.base
            for tp, p in self._parts.items()
            if p.base is not None and (p.committed is None or p.base > p.committed)
        }

    def committed(self, offsets: Mapping[Hashable, int]) -> None:
        for tp, offset in offsets.items():
            part = self._parts.get(tp)
            if part is not None:
                part.committed = max(offset, part.committed or 0)

    # -- holes -------------------------------------------------------------------------------

    def holes(self, now: float, ends: Mapping[Hashable, int]) -> dict[Hashable, Hole]:
        """Offset ranges that were skipped and must be read again, per partition.

        A gap hole spans from the base to the highest processed offset (offsets in it that are
        done already are to be left alone: `is_done`); a tail hole spans from the base to the
        partition's end. `ends`: the end offset (high watermark) of partitions, where known."""
        found: dict[Hashable, Hole] = {}
        for tp, part in self._parts.items():
            if part.base is None:
                continue
            if part.done:
                if part.hole_since is not None and now - part.hole_since >= self.hole_grace:
                    found[tp] = Hole(part.base, max(part.done), tail=False)
                continue
            end = ends.get(tp)
            if end is None or end <= part.base:
                part.behind_since = None  # caught up (or not known)
                continue
            if part.behind_since is None:
                part.behind_since = now  # e.g. the first message after an idle hour
            if now - max(part.behind_since, part.progress_at) >= self.stall_grace:
                found[tp] = Hole(part.base, end, tail=True)
        return found

    def is_done(self, tp: Hashable, offset: int) -> bool:
        part = self._parts.get(tp)
        if part is None or part.base is None:
            return False
        return offset < part.base or offset in part.done

    def resumed(self, now: float) -> None:
        """Processing resumes after a pause (a rebalance, table recovery): time spent paused is
        no partition's fault, so every grace period starts again."""
        for part in self._parts.values():
            part.progress_at = now
            part.behind_since = None
            if part.hole_since is not None:
                part.hole_since = now

    def retried(self, tp: Hashable, now: float) -> None:
        """A hole of `tp` was read again: give it the grace period again before the next try."""
        part = self._parts.get(tp)
        if part is not None:
            part.progress_at = now
            if part.hole_since is not None:
                part.hole_since = now
