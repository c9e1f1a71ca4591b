"""The input record of the worker's stages (`streams.analyze_stage`, `streams.stage`).

Both stages read their input with plain aiokafka consumers and commit an offset only once
everything the records before it gave is on the broker: the analyze stage after its batch's
outputs are acknowledged, the stories stage in the transaction that writes its outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.headers import derived_trace_id, trace_id

__all__ = ["Record"]


@dataclass(frozen=True)
class Record:
    """One input message of a stage, as the stage's consumer read it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()

    @property
    def tp(self) -> tuple[str, int]:
        """(topic, partition): equal to, and hashed as, the client's TopicPartition."""
        return (self.topic, self.partition)

    @property
    def trace_id(self) -> str:
        """The trace id of the article this record carries: its header, else one derived
        from where the record is (the same each time it is processed)."""
        return trace_id(self.headers) or derived_trace_id(self.topic, self.partition, self.offset)
