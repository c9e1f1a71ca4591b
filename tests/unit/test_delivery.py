"""The CommitKeeper's bookkeeping around one record, without Kafka: an offset is done only once
what its record wrote is delivered, and a record that keeps failing is dead-lettered."""

from __future__ import annotations

import asyncio

from aiokafka.errors import KafkaError
from faust.types import TP

from axiswatch.settings import Settings
from streams.delivery import MAX_ATTEMPTS, CommitKeeper, Record

RAW = TP("articles.raw", 0)


class _Signal:
    def connect(self, receiver):
        return receiver


class _App:
    """What CommitKeeper touches of a Faust app when it is built."""

    on_partitions_assigned = on_partitions_revoked = on_before_shutdown = _Signal()

    def timer(self, interval: float):
        return lambda fn: fn


def keeper() -> CommitKeeper:
    k = CommitKeeper(_App(), Settings(), group="test")
    k.tracker.assign([RAW], 0.0)
    k.tracker.set_base(RAW, 0, 0.0)
    return k


def future(result: object = None, error: Exception | None = None) -> asyncio.Future:
    f = asyncio.get_running_loop().create_future()
    if error is not None:
        f.set_exception(error)
    else:
        f.set_result(result)
    return f


def test_an_offset_is_done_only_once_its_outputs_are_delivered():
    async def scenario():
        k = keeper()
        pending = asyncio.get_running_loop().create_future()

        async def handler(record):
            return [future(), pending]

        async def give_up(record, error):
            raise AssertionError("not expected")

        k.handle(RAW.topic, handler, give_up)
        await k.process(Record(RAW.topic, 0, 0, b"k", b"v"))
        await asyncio.sleep(0)
        assert k.tracker.committable() == {}  # one output still on its way
        pending.set_result(None)
        await asyncio.sleep(0)
        assert k.tracker.committable() == {RAW: 1}

    asyncio.run(scenario())


def test_a_record_whose_output_keeps_failing_is_dead_lettered_then_done():
    async def scenario():
        k = keeper()
        handled, dead = [], []

        async def handler(record):
            handled.append(record.offset)
            return [future(error=KafkaError("MessageSizeTooLargeError"))]

        async def give_up(record, error):
            dead.append(error)
            return [future()]

        k.handle(RAW.topic, handler, give_up)
        record = Record(RAW.topic, 0, 0, b"k", b"v")
        for _ in range(MAX_ATTEMPTS):
            await k.process(record)
            await asyncio.sleep(0)
            assert k.tracker.committable() == {}  # undone: it will be read again
        await k.process(record)
        await asyncio.sleep(0)
        assert len(handled) == MAX_ATTEMPTS and len(dead) == 1
        assert dead[0].startswith(f"gave up after {MAX_ATTEMPTS} attempts")
        assert "MessageSizeTooLargeError" in dead[0]
        assert k.tracker.committable() == {RAW: 1}

    asyncio.run(scenario())


def test_a_handler_that_raises_counts_as_a_failed_attempt():
    async def scenario():
        k = keeper()
        dead = []

        async def handler(record):
            raise RuntimeError("boom")

        async def give_up(record, error):
            dead.append(error)
            return []

        k.handle(RAW.topic, handler, give_up)
        record = Record(RAW.topic, 0, 0, b"k", b"v")
        for _ in range(MAX_ATTEMPTS):
            try:
                await k.process(record)
            except RuntimeError:
                pass
            else:
                raise AssertionError("the handler's error should reach the caller")
        await k.process(record)
        assert dead and "RuntimeError('boom')" in dead[0]
        assert k.tracker.committable() == {RAW: 1}

    asyncio.run(scenario())
