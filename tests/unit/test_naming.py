"""Names on a shared cluster, `topics --alter` planning, and record headers."""

from __future__ import annotations

import pytest

from axiswatch.exceptions import InputError
from axiswatch.topics import plan_growth
from schemas.headers import derived_trace_id, record_headers, trace_id
from schemas.models import Alert, DeadLetter, RawArticle
from schemas.topics import ALERTS_RETENTION_DAYS, TOPICS, Names, prefix_problem, topic_specs
from streams.delivery import Record

NAMES = Names("desk.")


def test_the_catalogue_is_named_behind_the_prefix_and_recognised_back():
    specs = topic_specs(6, 6, NAMES)
    assert [s.name for s in specs] == [f"desk.{name}" for name in TOPICS]
    assert NAMES.catalogue_name("desk.articles.raw") == "articles.raw"
    assert NAMES.catalogue_name("articles.raw") is None  # another deployment's
    assert NAMES.catalogue_name("desk.axiswatch-stories-changelog") is None  # not catalogue
    assert Names().catalogue_name("alerts") == "alerts"


def test_a_prefix_ending_in_a_separator_of_legal_characters_is_accepted():
    for prefix in ("", "desk.", "team_a-", "Prod.EU-1_"):
        assert prefix_problem(prefix) is None


def test_only_topics_whose_partitioning_may_change_are_growable():
    fixed = {s.name for s in topic_specs() if s.fixed}
    assert fixed == {"articles.analyzed", "alerts", "feeds.state", "notify.state"}


def test_the_notifiers_memory_forgets_a_delivery_only_after_the_alert_is_gone():
    # A record per delivered alert, each its own key: compaction alone would keep every one.
    notify, alerts = TOPICS["notify.state"].config, TOPICS["alerts"].config
    assert set(notify["cleanup.policy"].split(",")) == {"compact", "delete"}
    assert int(notify["retention.ms"]) > int(alerts["retention.ms"])
    assert int(alerts["retention.ms"]) == ALERTS_RETENTION_DAYS * 86_400_000
    assert TOPICS["feeds.state"].config["cleanup.policy"] == "compact"


def _specs():
    return topic_specs(6, 6, NAMES)


def test_alter_grows_to_the_catalogues_count_and_never_shrinks():
    current = {s.name: s.partitions for s in _specs()}
    current["desk.articles.raw"] = 3
    current["desk.articles.enriched"] = 10
    plan = {g.spec.name: g for g in plan_growth(_specs(), current, {})}
    assert plan["desk.articles.raw"].grows and plan["desk.articles.raw"].target == 6
    assert not plan["desk.articles.enriched"].grows
    assert plan["desk.articles.enriched"].target == 10
    assert not any(g.refused for g in plan.values())


def test_alter_to_a_requested_count_refuses_fewer_and_fixed_topics():
    current = {s.name: s.partitions for s in _specs()}
    plan = {
        g.spec.name: g
        for g in plan_growth(
            _specs(),
            current,
            {"desk.articles.raw": 12, "desk.articles.dlq": 0, "desk.alerts": 3},
        )
    }
    assert plan["desk.articles.raw"].grows and plan["desk.articles.raw"].target == 12
    assert "at least one partition" in plan["desk.articles.dlq"].refused
    assert "must not change" in plan["desk.alerts"].refused
    assert not plan["desk.alerts"].grows
    shrink = plan_growth(_specs(), current, {"desk.articles.enriched": 2})
    [enriched] = [g for g in shrink if g.spec.name == "desk.articles.enriched"]
    assert "cannot remove partitions" in enriched.refused
    # The fixed topics at the count they have is no change, not a refusal.
    [same] = [
        g
        for g in plan_growth(_specs(), current, {"desk.alerts": 1})
        if g.spec.name == "desk.alerts"
    ]
    assert same.refused is None and not same.grows


def test_alter_of_a_topic_outside_the_catalogue_is_an_input_error():
    with pytest.raises(InputError, match="not a topic of the catalogue: desk.nope"):
        plan_growth(_specs(), {}, {"desk.nope": 3})


def test_headers_carry_content_type_the_models_schema_version_and_the_trace_id():
    trace = "0" * 31 + "1"
    assert record_headers(RawArticle, trace) == [
        ("content-type", b"application/json"),
        ("schema-version", b"1"),
        ("trace-id", trace.encode()),
    ]
    assert dict(record_headers(Alert))["schema-version"] == b"2"
    assert dict(record_headers(DeadLetter))["schema-version"] == b"1"
    assert record_headers() == [("content-type", b"application/json")]


def test_a_malformed_trace_id_is_not_taken():
    assert trace_id([("trace-id", b"a" * 32)]) == "a" * 32
    assert trace_id([("trace-id", b"\x1b[31m")]) is None
    assert trace_id(None) is None


def test_a_record_without_a_trace_id_gets_one_derived_from_where_it_is():
    bare = Record("articles.raw", 2, 41, b"k", b"{}")
    assert bare.trace_id == derived_trace_id("articles.raw", 2, 41) == bare.trace_id
    assert bare.trace_id != Record("articles.raw", 2, 42, b"k", b"{}").trace_id
    given = Record("articles.raw", 2, 41, b"k", b"{}", (("trace-id", b"b" * 32),))
    assert given.trace_id == "b" * 32
