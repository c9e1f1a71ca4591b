"""Reading a compacted state topic (`feeds.state`, `notify.state`) from its start to the end
it had when reading began, with a plain kafka-python consumer: the state of a process that
keeps its memory in Kafka."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from axiswatch.clients import assign_all
from axiswatch.exceptions import AxiswatchError

__all__ = ["read_to_end"]


def read_to_end(
    consumer: Any,
    topic: str,
    apply: Callable[[Any], None],
    timeout: float,
    error: type[AxiswatchError] = AxiswatchError,
) -> int:
    """Assign every partition of `topic` to `consumer` (no group), read each from its start
    to its current end calling `apply(message)`, and return the number of records read.
    Raises `error` when the topic does not exist or the end is not reached in `timeout`."""
    tps = assign_all(consumer, topic, error)
    consumer.seek_to_beginning(*tps)
    ends = consumer.end_offsets(tps)
    deadline = time.monotonic() + timeout
    count = 0
    while any(consumer.position(tp) < ends[tp] for tp in tps):
        if time.monotonic() > deadline:
            raise error(
                f"could not read {topic} to its end within {timeout:g}s ({count} records "
                "read); is the broker healthy?"
            )
        for messages in consumer.poll(timeout_ms=500).values():
            for message in messages:
                count += 1
                apply(message)
    return count
