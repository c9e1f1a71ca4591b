"""Completeness under faults, on the real broker (harness: tests/integration/completeness.py).

Under each fault every replayed article gets its enriched record, the `new` alert ids are the
clean run's (each once), every alert of the clean run is written once and nothing else, and no
alert id appears before its `new`. Each test runs its own broker. The loop of 20 random kills
is benchmarks/completeness_bench.py (figures in docs/reliability.md).
"""

from __future__ import annotations

import random

import pytest

from tests.integration.completeness import (
    kill_loop,
    pause_owner,
    read_topic,
    rebalance_storm,
    refuse_oversized_alerts,
    restart_broker,
    run_scenario,
)

pytestmark = pytest.mark.integration

COUNT = 150  # timeline articles per run (a seeded shuffle of the 2,400-odd)


def check(outcome) -> None:
    print(outcome.row())
    assert outcome.problems == [], outcome


def test_the_only_worker_killed_at_random_points(tmp_path):
    rng = random.Random(11)
    outcome = run_scenario(
        tmp_path,
        "SIGKILL",
        lambda run, replay: kill_loop(run, replay, 3, rng),
        count=COUNT,
        rate=10,
    )
    check(outcome)
    assert outcome.faults == 3


def test_the_stories_owner_paused_past_its_session_wakes_up_fenced(tmp_path):
    outcome = run_scenario(tmp_path, "SIGSTOP", pause_owner, workers=2, count=COUNT, rate=8)
    check(outcome)


def test_a_broker_restart(tmp_path):
    outcome = run_scenario(tmp_path, "broker restart", restart_broker, count=COUNT, rate=8)
    check(outcome)


def test_a_rebalance_storm(tmp_path):
    outcome = run_scenario(tmp_path, "rebalance storm", rebalance_storm, count=COUNT, rate=6)
    check(outcome)


def test_an_alerts_topic_that_refuses_oversized_records(tmp_path):
    outcome = run_scenario(
        tmp_path, "oversized alerts", refuse_oversized_alerts(2300), count=COUNT, rate=20
    )
    check(outcome)
    assert outcome.dead_lettered_alerts > 0


def test_a_stale_owner_cannot_write_once_a_new_owner_started(settings, bootstrap):
    """The fence itself, on the session's broker: the stories stage's producer of a worker that
    took the partition over makes the old owner's open batch fail, and nothing of it is
    readable (read_committed)."""
    import asyncio

    from aiokafka.errors import ProducerFenced

    from streams.stage import StoriesStage

    marker = f"stale-{random.randrange(10**9)}".encode()

    def producer():
        stage = StoriesStage(settings, "fence-test", None, None, None, None, 1 << 20)
        return stage._producer()

    async def scenario() -> None:
        stale, new = producer(), producer()
        await stale.start()
        try:
            await stale.begin_transaction()
            first = await stale.send("articles.dlq", marker, key=b"stale")
            await new.start()  # the new owner's InitProducerId
            second = await stale.send("articles.dlq", marker, key=b"stale")
            results = await asyncio.gather(first, second, return_exceptions=True)
            # The first send may have reached the broker before the fence (it then sits in a
            # transaction that never commits); every send after the fence is refused.
            assert isinstance(results[1], ProducerFenced), results
            with pytest.raises(ProducerFenced):
                await stale.commit_transaction()
        finally:
            await new.stop()
            await stale.stop()

    asyncio.run(scenario())
    written = [v for _o, _k, v in read_topic(bootstrap, "articles.dlq")]
    assert marker not in written
