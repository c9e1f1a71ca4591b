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
    rebalance_storm,
    refuse_oversized_alerts,
    restart_broker,
    run_scenario,
)

pytestmark = pytest.mark.integration

COUNT = 150  # timeline articles per run (of 301)


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
