import json

import pytest

from axiswatch.cli import main
from streams.catalogue import seeds_dir
from streams.evaluate import TUNING_FILES, Score, evaluate
from streams.signals import CATEGORIES

CORPUS = seeds_dir() / "eval" / "corpus.jsonl"
TUNING = [seeds_dir() / "eval" / name for name in TUNING_FILES]
TEST_SPLIT = seeds_dir() / "eval" / "signals_test.jsonl"


def test_score_arithmetic():
    score = Score()
    for predicted, actual in [(True, True), (True, False), (False, True), (False, False)]:
        score.add(predicted, actual)
    assert (score.tp, score.fp, score.fn) == (1, 1, 1)
    assert score.precision == 0.5 and score.recall == 0.5 and score.f1 == 0.5


NEGATIVE_KINDS = {
    "hostile",
    "third_country",
    "sanctions",
    "denial",
    "speculation",
    "history",
    "other",
}


def _items(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _batch(name: str, prefix: str | None = None) -> tuple[list[dict], list[dict]]:
    """A tuning batch's items, and its negatives; with `prefix`, every id is checked to be
    `<prefix>-<lang>-NNN`."""
    added = _items(seeds_dir() / "eval" / name)
    if prefix:
        assert all(i["id"] == f"{prefix}-{i['lang']}-{i['id'][-3:]}" for i in added)
    return added, [i for i in added if not i["labels"]["cooperation"]]


def _urls_besides(name: str) -> set[str]:
    """The addresses of every labelled file but `name`: the test split and the tuning files."""
    return {
        i["url"]
        for other in ("signals_test.jsonl", *TUNING_FILES)
        if other != name
        for i in _items(seeds_dir() / "eval" / other)
    }


def test_labelled_corpus_is_well_formed():
    items = [item for path in TUNING for item in _items(path)]
    assert len(items) >= 315  # with the 166 of the test split, at least 481 labelled excerpts
    assert len({i["id"] for i in items}) == len(items)
    assert len({i["url"] for i in items}) == len(items)
    langs = {i["lang"] for i in items}
    assert {"en", "ru", "ko"} <= langs
    for item in items:
        assert item["lang"] in ("en", "ru", "ko"), item["id"]
        assert item["url"].startswith(("http://", "https://")), item["id"]
        assert item["title"] and item["body"] and item["source"], item["id"]
        date = item["published_at"]
        assert date is None or (len(date) == 10 and date[4] == date[7] == "-"), item["id"]
        categories = item["labels"]["categories"]
        assert set(categories) <= set(CATEGORIES), item["id"]
        assert item["labels"]["cooperation"] == bool(categories), item["id"]
        assert {e["category"] for e in item["evidence"]} == set(categories), item["id"]
        for evidence in item["evidence"]:
            assert evidence["sentence"] in f"{item['title']}\n{item['body']}", item["id"]


def test_the_tuning_corpus_shares_no_address_with_the_test_split():
    # Only the test split's addresses are read here, never its texts or labels.
    test_urls = {item["url"] for item in _items(TEST_SPLIT)}
    for path in TUNING:
        shared = {item["url"] for item in _items(path)} & test_urls
        assert not shared, f"{path.name} holds test-split addresses: {sorted(shared)}"


def test_the_added_tuning_items_weight_languages_and_hard_negatives():
    added, negatives = _batch("corpus_tune2.jsonl")
    assert len(added) >= 106
    assert sum(i["lang"] != "en" for i in added) >= 0.45 * len(added)
    assert len(negatives) >= 0.40 * len(added)
    assert all(i["negative_kind"] in NEGATIVE_KINDS for i in negatives)
    assert all(i["negative_kind"] is None for i in added if i["labels"]["cooperation"])


def test_the_third_tuning_batch_weights_russian_korean_and_hard_negatives():
    added, negatives = _batch("corpus_tune3.jsonl", "t3")
    assert len(added) >= 81
    assert sum(i["lang"] != "en" for i in added) >= 0.85 * len(added)
    assert len(negatives) >= 0.55 * len(added)
    assert {i["negative_kind"] for i in negatives} == NEGATIVE_KINDS  # every kind is represented
    assert all(i["negative_kind"] is None for i in added if i["labels"]["cooperation"])
    assert all(i["note"] and i["title_source"] for i in added)


def test_detection_meets_the_quality_targets_on_the_corpus():
    """The issue's targets; a regression here means a cue or rule change cost quality."""
    report = evaluate(CORPUS)
    assert report.cooperation.precision >= 0.97
    assert report.cooperation.recall >= 0.95
    assert report.micro.f1 >= 0.90
    for category in ("military", "cyber", "labour"):
        assert report.categories[category].f1 >= 0.85, category
    # And it beats the naive baselines measured on the same articles.
    assert report.cooperation.precision > report.comention.precision
    assert report.micro.f1 > report.cue_only.f1


def test_eval_command_prints_figures_and_the_errors(capsys):
    assert main(["eval", str(CORPUS)]) == 0
    out = capsys.readouterr().out
    assert "cooperation" in out and "micro (all 6)" in out
    assert "misses (" in out and "false alarms (" in out


def test_story_grouping_meets_its_targets_and_raises_one_new_alert_per_signal():
    from streams.storyeval import evaluate_stories

    real = seeds_dir() / "eval" / "stories.jsonl"
    report = evaluate_stories(CORPUS, real if real.exists() else None)
    # Syndicated copies: the targets.
    assert report.generated_pairs.precision >= 0.98
    assert report.generated_pairs.recall >= 0.95
    # Independent reports on the same event, real wire copies included, are never merged.
    assert report.merged_distinct == []
    assert report.pairs.precision >= 0.98
    assert report.new_alerts == len(report.new_per_signal) > 0


def test_generated_copies_carry_the_edits_they_claim():
    import random

    from streams.storyeval import make_copies

    item = {"id": "x", "title": "T", "body": "One.\nTwo.\nThree.\nFour.", "url": None}
    copies = make_copies(item, random.Random(1), count=3)
    assert [c["id"] for c in copies] == ["x~0", "x~1", "x~2"]
    for copy in copies:
        assert copy["body"] != item["body"]
        assert "utm_source" in copy["url"]


def test_categories_are_scored_per_language(tmp_path):
    items = [
        {"id": "e1", "title": "Troops", "lang": "en", "source": "s", "url": "https://x/1",
         "body": "North Korea sent 10,000 troops to Russia, the Pentagon said.",
         "labels": {"cooperation": True, "categories": ["military"]}},
        {"id": "r1", "title": "Войска", "lang": "ru", "source": "s", "url": "https://x/2",
         "body": "КНДР направила в Россию 10 тысяч военнослужащих.",
         "labels": {"cooperation": True, "categories": ["military", "labour"]}},
    ]  # fmt: skip
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items), encoding="utf-8")
    report = evaluate(path)
    en, ru = report.categories_by_lang["en"], report.categories_by_lang["ru"]
    assert (en.tp, en.fp, en.fn) == (1, 0, 0)
    assert (ru.tp, ru.fn) == (1, 1)  # labour was labelled and not found


def test_the_blind_signal_test_split_is_frozen():
    import hashlib

    path = seeds_dir() / "eval" / "signals_test.jsonl"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == path.with_suffix(".sha256").read_text().strip(), (
        "seeds/eval/signals_test.jsonl changed: the signal test split is frozen; tune on "
        "corpus.jsonl"
    )
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(items) >= 150
    assert sum(i["lang"] != "en" for i in items) >= 0.35 * len(items)
    assert sum(not i["labels"]["cooperation"] for i in items) >= 0.40 * len(items)
    assert len({i["url"] for i in items}) == len(items)


def test_the_fourth_tuning_batch_weights_russian_and_hard_negatives():
    added, negatives = _batch("corpus_tune4.jsonl", "t4")
    assert len(added) >= 72
    assert sum(i["lang"] == "ru" for i in added) >= 0.4 * len(added)
    assert len(negatives) >= 0.5 * len(added)
    assert {i["negative_kind"] for i in negatives} == NEGATIVE_KINDS
    assert all(i["negative_kind"] is None for i in added if i["labels"]["cooperation"])


def test_the_fifth_tuning_batch_is_mostly_russian_and_korean_with_hard_negatives():
    added, negatives = _batch("corpus_tune5.jsonl", "t5")
    assert len(added) >= 61
    assert sum(i["lang"] != "en" for i in added) >= 0.7 * len(added)
    assert len(negatives) >= 0.45 * len(added)
    assert all(i["negative_kind"] for i in negatives)
    assert all(i["negative_kind"] is None for i in added if i["labels"]["cooperation"])
    test = {i["url"] for i in _items(seeds_dir() / "eval" / "signals_test.jsonl")}
    assert not test & {i["url"] for i in added}


def test_the_sixth_tuning_batch_was_gathered_apart_from_the_test_split():
    added, negatives = _batch("corpus_tune6.jsonl", "t6")
    assert len(added) >= 50
    assert len(negatives) >= 0.45 * len(added)
    assert all(i["negative_kind"] for i in negatives)
    earlier = {
        i["url"]
        for name in ("signals_test.jsonl", "corpus_tune5.jsonl", "corpus_tune4.jsonl")
        for i in _items(seeds_dir() / "eval" / name)
    }
    assert not earlier & {i["url"] for i in added}


def test_the_seventh_tuning_batch_was_gathered_apart_from_the_test_split():
    added, negatives = _batch("corpus_tune7.jsonl", "t7")
    assert len(added) >= 50
    assert sum(i["lang"] != "en" for i in added) >= 0.6 * len(added)
    assert len(negatives) >= 0.4 * len(added)
    assert {i["negative_kind"] for i in negatives} <= NEGATIVE_KINDS
    assert all(i["negative_kind"] is None for i in added if i["labels"]["cooperation"])
    assert not _urls_besides("corpus_tune7.jsonl") & {i["url"] for i in added}


def test_the_eighth_tuning_batch_has_russian_and_korean_positives_of_the_thin_categories():
    added, negatives = _batch("corpus_tune8.jsonl", "t8")
    assert len(added) >= 50 and len(negatives) >= 0.4 * len(added)
    assert {i["negative_kind"] for i in negatives} <= NEGATIVE_KINDS
    for category in ("military", "labour", "cyber", "technology"):
        langs = {i["lang"] for i in added if category in i["labels"]["categories"]}
        assert {"ru", "ko"} <= langs, category
    assert not _urls_besides("corpus_tune8.jsonl") & {i["url"] for i in added}


def test_the_ninth_tuning_batch_was_gathered_apart_from_all_before_it():
    added, negatives = _batch("corpus_tune9.jsonl", "t9")
    assert len(added) >= 50 and len(negatives) >= 0.4 * len(added)
    assert {i["negative_kind"] for i in negatives} <= NEGATIVE_KINDS
    assert not _urls_besides("corpus_tune9.jsonl") & {i["url"] for i in added}


@pytest.mark.parametrize(
    ("name", "prefix"), [("corpus_tune10.jsonl", "t10"), ("corpus_tune11.jsonl", "t11")]
)
def test_the_ninth_sessions_batches_were_gathered_apart(name, prefix):
    added, negatives = _batch(name, prefix)
    assert len(added) >= 50 and len(negatives) >= 0.4 * len(added)
    assert sum(i["lang"] != "en" for i in added) >= 0.55 * len(added)
    assert {i["negative_kind"] for i in negatives} <= NEGATIVE_KINDS
    assert not _urls_besides(name) & {i["url"] for i in added}


@pytest.mark.parametrize(
    ("name", "prefix", "languages", "negative_share"),
    [
        # The tenth session: t12, t15 and t16 kept apart as its checks; t13 and t14 gathered at
        # once by two collectors, one in Russian and Korean, one in English. t16 fell short of
        # negatives (18 of 50), recent pages of that kind being used up; 17 since the
        # thirtieth session relabelled t16-ru-007 (the DPR/LPR recognition in a background
        # sentence is diplomatic, rule 2).
        ("corpus_tune12.jsonl", "t12", {"en", "ru", "ko"}, 0.35),
        ("corpus_tune13.jsonl", "t13", {"ru", "ko"}, 0.35),
        ("corpus_tune14.jsonl", "t14", {"en"}, 0.35),
        ("corpus_tune15.jsonl", "t15", {"en", "ru", "ko"}, 0.35),
        ("corpus_tune16.jsonl", "t16", {"en", "ru", "ko"}, 0.34),
        # The eleventh: scored with its starting code before any rule was written against
        # them (t19 at the round's end, figures only).
        ("corpus_tune17.jsonl", "t17", {"en", "ru", "ko"}, 0.4),
        ("corpus_tune18.jsonl", "t18", {"en", "ru", "ko"}, 0.4),
        ("corpus_tune19.jsonl", "t19", {"en", "ru", "ko"}, 0.4),
        # The twelfth: scored with its starting code, then read.
        ("corpus_tune20.jsonl", "t20", {"en", "ru", "ko"}, 0.4),
        ("corpus_tune21.jsonl", "t21", {"en", "ru", "ko"}, 0.4),
        ("corpus_tune22.jsonl", "t22", {"en", "ru", "ko"}, 0.4),
        ("corpus_tune23.jsonl", "t23", {"en", "ru", "ko"}, 0.4),
        # The thirteenth: scored with its starting code, then read.
        ("corpus_tune24.jsonl", "t24", {"en", "ru", "ko"}, 0.4),
        ("corpus_tune25.jsonl", "t25", {"en", "ru", "ko"}, 0.4),
        # gathered at the same time as t25, weighted to Russian outlets; its one page that t25
        # holds too was left out (49 items)
        ("corpus_tune26.jsonl", "t26", {"en", "ru", "ko"}, 0.4),
        ("corpus_tune27.jsonl", "t27", {"en", "ru", "ko"}, 0.4),
        ("corpus_tune28.jsonl", "t28", {"en", "ru", "ko"}, 0.4),
        ("corpus_tune29.jsonl", "t29", {"en", "ru", "ko"}, 0.4),
        ("corpus_tune30.jsonl", "t30", {"en", "ru", "ko"}, 0.4),
        # the last two, at the session's end, when the collectors' search budget ran out: fewer
        # items, and t31 few negatives
        ("corpus_tune31.jsonl", "t31", {"en", "ru", "ko"}, 0.1),
        ("corpus_tune32.jsonl", "t32", {"en", "ru", "ko"}, 0.35),
        # The fourteenth: scored with its starting code and the code of that moment, then read.
        ("corpus_tune33.jsonl", "t33", {"en", "ru", "ko"}, 0.4),
        ("corpus_tune34.jsonl", "t34", {"en", "ru", "ko"}, 0.4),
        # The fifteenth: pages published before June 2024 (the pool of later ones went to the
        # timeline batch), scored with the starting code, then read.
        ("corpus_tune35.jsonl", "t35", {"en", "ru", "ko"}, 0.4),
    ],
)
def test_the_later_sessions_batches_were_gathered_apart(name, prefix, languages, negative_share):
    # Gathered by collectors that ran no project code.
    added, negatives = _batch(name, prefix)
    smaller = {"t26": 49, "t31": 34, "t32": 40, "t33": 49, "t34": 45, "t35": 45}
    assert len(added) >= smaller.get(prefix, 50)
    assert len(negatives) >= negative_share * len(added)
    assert {i["lang"] for i in added} == languages
    assert {i["negative_kind"] for i in negatives} <= NEGATIVE_KINDS
    assert not _urls_besides(name) & {i["url"] for i in added}
