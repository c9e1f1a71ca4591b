"""The worker's own offset bookkeeping: commit only below the first unprocessed offset, and
find the messages the consumer skipped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from streams.offsets import OffsetTracker

TP = ("articles.raw", 0)


def tracker(base: int = 0, now: float = 0.0) -> OffsetTracker:
    t = OffsetTracker(hole_grace=3.0, stall_grace=20.0)
    t.assign([TP], now)
    t.set_base(TP, base, now)
    return t


def test_commits_the_offset_after_the_last_contiguous_processed_message():
    t = tracker(base=10)
    for offset in (10, 11, 12):
        t.done(TP, offset, 1.0)
    assert t.committable() == {TP: 13}
    t.committed({TP: 13})
    assert t.committable() == {}


def test_a_skipped_message_holds_the_commit_back():
    t = tracker(base=10)
    for offset in (10, 12, 13):  # 11 skipped
        t.done(TP, offset, 1.0)
    assert t.committable() == {TP: 11}
    t.done(TP, 11, 2.0)
    assert t.committable() == {TP: 14}


def test_a_skipped_message_is_a_hole_after_the_grace_period():
    t = tracker(base=10)
    t.done(TP, 10, 1.0)
    t.done(TP, 13, 1.0)  # 11 and 12 were skipped
    assert t.holes(2.0, ends={}) == {}  # may still be on their way through the agent
    assert t.holes(4.5, ends={}) == {TP: (11, 13, False)}
    t.retried(TP, 4.5)
    assert t.holes(5.0, ends={}) == {}
    t.done(TP, 11, 5.0)
    t.done(TP, 12, 5.0)
    assert t.holes(100.0, ends={TP: 14}) == {}
    assert t.committable() == {TP: 14}


def test_every_gap_below_the_last_processed_offset_is_one_hole():
    t = tracker(base=0)
    for offset in (0, 1, 3, 4, 6, 8):  # 2, 5 and 7 skipped
        t.done(TP, offset, 1.0)
    hole = t.holes(5.0, ends={TP: 9})[TP]
    assert (hole.start, hole.stop, hole.tail) == (2, 8, False)
    assert [o for o in range(hole.start, hole.stop) if not t.is_done(TP, o)] == [2, 5, 7]
    for offset in (2, 5, 7):
        t.done(TP, offset, 5.5)
    assert t.committable() == {TP: 9}
    assert t.holes(100.0, ends={TP: 9}) == {}


def test_a_skipped_last_message_is_found_from_the_partition_end_once_progress_stalls():
    t = tracker(base=0)
    t.done(TP, 0, 1.0)
    # offset 1 skipped, nothing after it: only the end of the partition tells
    assert t.holes(10.0, ends={TP: 2}) == {}
    assert t.holes(31.5, ends={TP: 2}) == {TP: (1, 2, True)}
    assert t.holes(31.5, ends={TP: 1}) == {}  # all processed: no hole


def test_the_first_message_after_an_idle_hour_is_not_taken_for_a_skipped_one():
    t = tracker(base=0)
    t.done(TP, 0, 1.0)
    assert t.holes(3600.0, ends={TP: 1}) == {}  # idle, caught up
    assert t.holes(3601.0, ends={TP: 2}) == {}  # a new message arrives: give the agent time
    assert t.holes(3610.0, ends={TP: 2}) == {}
    t.done(TP, 1, 3611.0)
    assert t.holes(3700.0, ends={TP: 2}) == {}
    assert t.holes(3701.0, ends={TP: 3}) == {}
    assert t.holes(3722.0, ends={TP: 3}) == {TP: (2, 3, True)}  # 21 s behind with no progress


def test_offsets_reported_before_the_committed_position_is_known_are_kept():
    t = OffsetTracker()
    t.assign([TP], 0.0)
    t.done(TP, 5, 0.5)
    t.done(TP, 6, 0.5)
    assert t.committable() == {}  # base not known: nothing can be committed
    assert t.without_base() == [TP]
    t.set_base(TP, 5, 1.0)
    assert t.committable() == {TP: 7}


def test_offsets_below_the_committed_position_are_ignored():
    t = tracker(base=50)
    t.done(TP, 3, 1.0)
    assert t.committable() == {}
    assert t.holes(100.0, ends={TP: 50}) == {}


def test_revoked_partitions_are_forgotten_and_late_results_ignored():
    t = tracker(base=0)
    t.done(TP, 0, 1.0)
    t.revoke([TP])
    t.done(TP, 1, 1.0)  # an event that finished after the rebalance
    assert t.committable() == {}
    assert t.assigned() == []


@given(
    order=st.permutations(list(range(40))),
    skipped=st.sets(st.integers(min_value=0, max_value=39), max_size=5),
)
def test_never_commits_past_an_unprocessed_offset(order, skipped):
    t = tracker(base=0)
    for offset in order:
        if offset not in skipped:
            t.done(TP, offset, 1.0)
    position = t.committable().get(TP, 0)
    expected = min(skipped) if skipped else 40
    assert position == expected
    if skipped and set(range(min(skipped), 40)) - skipped:  # a later offset was processed
        assert t.holes(10.0, ends={TP: 40})[TP][0] == min(skipped)


def test_time_spent_paused_does_not_count_as_a_stall():
    t = tracker(base=0)
    t.done(TP, 0, 1.0)
    t.resumed(30.0)  # e.g. a rebalance and table recovery took 29 s
    assert t.holes(31.0, ends={TP: 5}) == {}
    assert t.holes(50.5, ends={TP: 5}) == {}  # behind only since 31.0
    assert t.holes(51.5, ends={TP: 5}) == {TP: (1, 5, True)}
