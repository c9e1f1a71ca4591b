"""The CommitKeeper's bookkeeping around one record, without Kafka: an offset is done only once
what its record wrote is delivered, and a record that keeps failing is dead-lettered."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

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
    rebalancing = False
    flow_control = SimpleNamespace(is_active=lambda: True)

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


class _Reader:
    """A plain consumer over one partition holding messages at `offsets`."""

    def __init__(self, offsets: list[int]) -> None:
        self.offsets, self.at, self.parts = offsets, 0, set()

    def assignment(self):
        return self.parts

    def assign(self, parts):
        self.parts = set(parts)

    def seek(self, part, offset):
        self.at = offset

    async def position(self, part):
        return self.at

    async def getmany(self, part, timeout_ms, max_records):
        found = [o for o in self.offsets if o >= self.at][:max_records]
        if found:
            self.at = found[-1] + 1
        records = [SimpleNamespace(offset=o, key=b"k", value=b"v") for o in found]
        return {part: records}


def _rereading(offsets: list[int], fail_at: int | None) -> CommitKeeper:
    k = keeper()
    k._reader = _Reader(offsets)

    async def handler(record):
        if record.offset == fail_at:
            raise RuntimeError("boom")
        return []

    async def give_up(record, error):
        return []

    k.handle(RAW.topic, handler, give_up)
    return k


def test_a_reread_that_fails_leaves_the_rest_of_its_batch_undone():
    k = _rereading(list(range(10)), fail_at=3)
    asyncio.run(k._reread(RAW, 0, 10))
    assert k.tracker.base(RAW) == 3
    assert not any(k.tracker.is_done(RAW, o) for o in range(3, 10))


def test_a_reread_counts_offsets_holding_no_message_as_done():
    k = _rereading([0, 1, 5, 6], fail_at=None)
    asyncio.run(k._reread(RAW, 0, 7))
    assert k.tracker.base(RAW) == 7
