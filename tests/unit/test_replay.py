"""`axiswatch replay` without a broker: what it hands its producer."""

from __future__ import annotations

import json
import time
from datetime import datetime

import producers.replay as replay_module
from axiswatch.settings import Settings


class _Sent:
    def get(self, timeout: float | None = None) -> None:
        return None


class _Producer:
    """Records each value with the moment it was handed over."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, dict]] = []

    def send(self, topic: str, key: bytes, value: bytes, headers: list) -> _Sent:
        self.sent.append((time.time(), json.loads(value)))
        return _Sent()

    def flush(self) -> None:
        pass

    def close(self, timeout: float | None = None) -> None:
        pass


def test_with_a_rate_each_article_is_stamped_fetched_as_it_is_sent_not_before_its_wait(
    tmp_path, monkeypatch
):
    producer = _Producer()
    monkeypatch.setattr(replay_module, "make_producer", lambda kafka: producer)
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        "".join(
            json.dumps({"title": f"Article {n}", "body": "Text.", "url": f"https://x.test/{n}"})
            + "\n"
            for n in range(3)
        ),
        encoding="utf-8",
    )

    report = replay_module.replay(Settings.from_env(), [feed], rate=5, progress=False)

    assert report.published == 3
    # One every 200 ms: an article read and then kept waiting for its turn was stamped up to
    # 200 ms before it was sent, which the worker would count as latency.
    for sent_at, value in producer.sent:
        fetched = datetime.fromisoformat(value["fetched_at"]).timestamp()
        assert 0 <= sent_at - fetched < 0.1
    first, last = producer.sent[0][0], producer.sent[-1][0]
    assert last - first >= 0.35  # the rate was kept
