"""The learned signal filter: its trainer, the committed file, and the analysis applying it."""

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from schemas.models import RawArticle
from streams.analyze import analyze_article
from streams.catalogue import SeedDataError, seeds_dir
from streams.evaluate import TUNING_FILES
from streams.learned import DIMENSIONS, FILTER_FILE, SignalFilter, default_filter, train
from streams.train_filter import examples_of, file_hashes, tuning_examples


def test_the_trainer_learns_which_feature_tells_a_kept_category():
    kept, dropped = {1: 1.0, 7: 1.0}, {2: 1.0, 7: 1.0}
    model = train([(kept, True), (dropped, False)] * 20)
    assert model.probability(kept) > 0.8 > 0.2 > model.probability(dropped)
    again = train([(kept, True), (dropped, False)] * 20)
    assert np.array_equal(model.weights, again.weights)  # deterministic


def test_the_committed_filter_is_what_training_on_the_tuning_files_gives():
    """Anyone can re-run `python -m streams.train_filter` and get the committed weights; a
    tuning file changed without retraining fails here."""
    committed = json.loads((seeds_dir() / FILTER_FILE).read_text(encoding="utf-8"))
    assert committed["trained_on"] == file_hashes(TUNING_FILES), (
        "the tuning files changed: run python -m streams.train_filter and commit "
        f"seeds/{FILTER_FILE}"
    )
    assert "signals_test.jsonl" not in committed["trained_on"]  # never the frozen split
    model = train(examples_of(tuning_examples(TUNING_FILES)), c=committed["c"])
    loaded = SignalFilter.from_json(committed)
    assert np.allclose(model.weights, loaded.weights, atol=1e-5), (
        "the rules or the tuning files changed what the filter learns from: run "
        f"python -m streams.train_filter and commit seeds/{FILTER_FILE}"
    )
    assert model.intercept == pytest.approx(loaded.intercept, abs=1e-5)


def test_a_malformed_filter_file_is_a_seed_data_error():
    with pytest.raises(SeedDataError):
        SignalFilter.from_json({"dimensions": DIMENSIONS, "intercept": 0.0})
    with pytest.raises(SeedDataError):
        SignalFilter.from_json({"dimensions": 3, "intercept": 0.0, "weights": []})


def _raw(title: str, body: str) -> RawArticle:
    return RawArticle(
        article_id="l", title=title, body=body, published_at=datetime(2024, 11, 5, tzinfo=UTC)
    )


def test_the_analysis_drops_the_categories_the_filter_does_not_keep():
    """A filter that keeps nothing of one category removes its signals and its frames, and
    the article is no cooperation article if nothing else is left."""
    raw = _raw("North Korea sent troops to Russia", "North Korea sent troops to Russia.")
    rules = analyze_article(raw, signal_filter=False)
    assert [s.category for s in rules.signals] == ["military"] and rules.events
    weights = np.zeros(DIMENSIONS)
    never = SignalFilter(weights, intercept=-10.0)  # every probability near 0
    filtered = analyze_article(raw, signal_filter=never)
    assert filtered.signals == [] and filtered.events == [] and not filtered.cooperation
    always = SignalFilter(weights, intercept=10.0)
    assert analyze_article(raw, signal_filter=always).signals == rules.signals


def test_the_committed_filter_keeps_the_seed_articles_four_signals(seed_text):
    raw = _raw("", seed_text)
    assert default_filter() is not None
    categories = {s.category for s in analyze_article(raw).signals}
    assert {"military", "cyber", "labour", "diplomatic"} <= categories
