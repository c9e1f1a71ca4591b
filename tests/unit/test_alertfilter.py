"""Alert filters, --since and the escaping of control characters (axiswatch/alertfilter.py),
and how `axiswatch alerts` prints alerts with them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from axiswatch.alertfilter import (
    AlertFilter,
    escape_controls,
    escape_json_text,
    parse_since,
    safe_alert,
)
from axiswatch.cli import build_parser
from axiswatch.cli.alerts import AlertFollower
from axiswatch.exceptions import InputError
from schemas.models import Alert


def make_alert(**changes) -> dict:
    """A valid alert (the contract of the alerts topic) as the topic carries it."""
    fields = {
        "alert_id": "ev0001",
        "event_id": "ev0001",
        "kind": "new",
        "category": "military",
        "categories": ["military"],
        "evidence": "North Korea sent 3,000 troops to Kursk.",
        "evidence_span": (0, 40),
        "actors": [
            {"id": "prk", "name": "North Korea", "type": "state", "side": "dprk", "country": "PRK"},
            {"id": "kursk", "name": "Kursk", "type": "place", "side": "russia", "country": "RUS"},
        ],
        "cues": ["sent troops"],
        "confidence": 0.9,
        "signal_key": "military|sent troops|prk|kursk",
        "story_id": "st1",
        "article_id": "a1",
        "title": "Troops to Kursk",
        "source": "test",
        "action": "deploy_troops",
        "basis": "report",
        "languages": ["en"],
    }
    fields.update(changes)
    return json.loads(Alert(**fields).to_bytes())


# ----------------------------------------------------------------------------- filters
def test_an_empty_filter_passes_every_alert():
    assert AlertFilter().matches(make_alert())
    assert AlertFilter().describe() == "every alert"


@pytest.mark.parametrize(
    ("conditions", "passes", "fails"),
    [
        ({"kinds": ["new"]}, {"kind": "new"}, {"kind": "corroborated"}),
        (
            {"categories": ["labour"]},
            {"category": "military", "categories": ["military", "labour"]},
            {"category": "military", "categories": ["military"]},
        ),
        (
            {"actors": ["kim_jong_un"]},
            {
                "actors": [
                    {
                        "id": "kim_jong_un",
                        "name": "Kim Jong Un",
                        "type": "leader",
                        "side": "dprk",
                        "country": "PRK",
                    }
                ]
            },
            {},
        ),
        ({"languages": ["ko"]}, {"languages": ["en", "ko"]}, {"languages": ["en", "ru"]}),
        ({"min_confidence": 0.8}, {"confidence": 0.8}, {"confidence": 0.79}),
        ({"min_sources": 2}, {"source_count": 3}, {"source_count": 1}),
    ],
)
def test_each_filter_passes_what_meets_it_and_nothing_else(conditions, passes, fails):
    only = AlertFilter.build(**conditions)
    assert only.matches(make_alert(**passes))
    assert not only.matches(make_alert(**fails))


def test_filters_combine_every_condition_must_hold():
    only = AlertFilter.build(kinds=["new"], categories=["military"], min_confidence=0.5)
    assert only.matches(make_alert())
    assert not only.matches(make_alert(kind="updated"))
    assert not only.matches(make_alert(confidence=0.4))
    assert not only.matches(make_alert(category="cyber", categories=["cyber"]))


@pytest.mark.parametrize(
    ("conditions", "says"),
    [
        ({"kinds": ["neww"]}, "unknown kind 'neww': choose from new, updated, corroborated"),
        ({"categories": ["army"]}, "unknown category 'army': choose from military"),
        ({"actors": ["kim_jong_uun"]}, "did you mean 'kim_jong_un'"),
        ({"languages": ["english"]}, "'english' is not a language code"),
        ({"min_confidence": 80}, "min_confidence must be a number from 0 to 1"),
        ({"min_sources": 0}, "min_sources must be a whole number of at least 1"),
    ],
)
def test_a_wrong_filter_value_says_what_is_wrong_and_what_is_valid(conditions, says):
    with pytest.raises(InputError, match=None) as error:
        AlertFilter.build(**conditions)
    assert says in str(error.value)


# ----------------------------------------------------------------------------- --since
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2d", NOW - timedelta(days=2)),
        ("12h", NOW - timedelta(hours=12)),
        ("30m", NOW - timedelta(minutes=30)),
        ("1w", NOW - timedelta(days=7)),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T08:00", datetime(2026, 11, 1, 8, tzinfo=UTC)),
        ("2026-11-01T08:00Z", datetime(2026, 11, 1, 8, tzinfo=UTC)),
        ("2026-11-01T08:00+09:00", datetime(2026, 10, 31, 23, tzinfo=UTC)),
    ],
)
def test_since_takes_a_time_ago_or_a_utc_date(text, expected):
    assert parse_since(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "2 days", "2026-13-01", "-2d", ""])
def test_since_refuses_what_it_cannot_read_and_shows_the_forms(text):
    with pytest.raises(InputError, match=r"30m, 12h, 2d, 1w.*2026-11-01"):
        parse_since(text, now=NOW)


# ----------------------------------------------------------------------------- escaping
def test_control_characters_are_written_out():
    text = "a\x1b[2Jb\x9b31mc\u202ed\ne\x00f\x7f"
    assert escape_controls(text) == "a\\x1b[2Jb\\x9b31mc\\u202ed\\x0ae\\x00f\\x7f"
    assert escape_controls("Пхеньян 평양 “quoted”") == "Пхеньян 평양 “quoted”"


def test_escaped_json_is_the_same_json_without_raw_controls():
    alert = make_alert(title="x\x9b31m\u202ey\x1b[0m")
    text = escape_json_text(json.dumps(alert, ensure_ascii=False))
    assert not any(c in text for c in "\x1b\x9b\u202e")
    assert json.loads(text) == alert


def test_safe_alert_escapes_every_string_in_the_alert():
    alert = safe_alert(make_alert(title="\x1b]0;owned\x07", evidence="line\nbreak"))
    assert alert["title"] == "\\x1b]0;owned\\x07"
    assert alert["evidence"] == "line\\x0abreak"
    assert alert["actors"][0]["name"] == "North Korea"


def _printed(capsys, alert: dict, as_json: bool, alert_filter=None) -> tuple[bool, str]:
    follower = AlertFollower.__new__(AlertFollower)
    follower.alert_filter = alert_filter
    message = SimpleNamespace(value=json.dumps(alert).encode(), offset=7)
    shown = follower._print(message, as_json)
    return shown, capsys.readouterr().out


@pytest.mark.parametrize("as_json", [False, True])
def test_alerts_command_never_prints_a_raw_control_character(capsys, as_json):
    evil = make_alert(
        title="Breaking\x1b[2J\x1b[1;1H\x9b31m",
        evidence="Troops \u202eredaeh\u202c sent\r\nFAKE: [NEW] line",
        source="src\x07",
    )
    shown, out = _printed(capsys, evil, as_json)
    assert shown
    body = out.replace("\n", "")  # the format's own line breaks
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in body)
    assert "\u202e" not in out and "\u202c" not in out
    if as_json:
        assert json.loads(out)["title"] == evil["title"]
    else:
        assert "Breaking\\x1b[2J" in out and "\\u202eredaeh" in out
        assert "FAKE" in out and "\nFAKE" not in out


def test_alerts_command_prints_only_what_passes_its_filter(capsys):
    only_new = AlertFilter.build(kinds=["new"])
    assert _printed(capsys, make_alert(kind="new"), True, only_new)[0]
    shown, out = _printed(capsys, make_alert(kind="corroborated"), True, only_new)
    assert not shown and out == ""


def test_alerts_help_teaches_where_to_start_and_the_filters(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["alerts", "--help"])
    out = capsys.readouterr().out
    for words in ("--group", "--since", "2d", "2026-11-01", "--category", "--kind", "--actor",
                  "--min-confidence", "kim_jong_un", "escaped"):  # fmt: skip
        assert words in out, words


def test_alerts_refuses_an_unknown_actor_before_reading_kafka(capsys):
    from axiswatch.cli import main

    assert main(["alerts", "--actor", "kim_jong_uun", "--bootstrap", "127.0.0.1:1"]) == 2
    assert "did you mean 'kim_jong_un'" in capsys.readouterr().err
