from types import SimpleNamespace

from faust.transport.consumer import Consumer

from streams.app import refuse_stale_acks


def test_a_message_from_before_the_last_rebalance_is_never_acknowledged():
    """Acknowledging it would commit past a message nobody processed."""
    refuse_stale_acks()
    refuse_stale_acks()  # idempotent: wrapped once
    consumer = SimpleNamespace(app=SimpleNamespace(consumer_generation_id=7))
    stale = SimpleNamespace(generation_id=6, acked=False)
    assert Consumer.ack(consumer, stale) is False
    assert stale.acked is False  # still to be fetched again and processed


def test_a_current_message_goes_to_faust_as_before():
    refuse_stale_acks()
    calls = []
    consumer = SimpleNamespace(app=SimpleNamespace(consumer_generation_id=7))
    current = SimpleNamespace(generation_id=7, acked=True)  # already acked: faust says False
    assert Consumer.ack(consumer, current) is False
    current.acked = False
    try:
        Consumer.ack(consumer, current)
    except AttributeError as exc:  # the real ack reached for the consumer's bookkeeping
        calls.append(str(exc))
    assert current.acked is True and calls
