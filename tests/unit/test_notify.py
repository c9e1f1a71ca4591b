"""`axiswatch notify` without Kafka: the routes file and its errors, what tells alerts apart,
the message a person gets, and a route's retries (axiswatch/notify.py)."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from axiswatch import metrics
from axiswatch.cli import main
from axiswatch.exceptions import InputError
from axiswatch.notify import Route, RouteWorker, SentLog, Start, load_routes, message_for, sent_key
from axiswatch.settings import Settings
from tests.unit.test_alertfilter import make_alert

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "routes.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "routes.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- routes file
def test_the_example_file_loads_and_its_webhook_takes_webhook_url(tmp_path):
    (route,) = load_routes(EXAMPLE, env={})
    assert route.name == "webhook" and route.url == "json://127.0.0.1:8000/axiswatch"
    (route,) = load_routes(EXAMPLE, env={"WEBHOOK_URL": "json://10.1.2.3:9000/hook"})
    assert route.url == "json://10.1.2.3:9000/hook"


def test_the_example_files_commented_routes_load_once_uncommented(tmp_path):
    text = EXAMPLE.read_text()
    keys = ("[[routes]]", "name", "url", "categories", "kinds", "actors", "min_")
    lines = [
        line[2:] if line.startswith("# ") and line[2:].startswith(keys) else line
        for line in text.splitlines()
    ]
    env = {
        "SLACK_TOKEN_A": "T0000",
        "SLACK_TOKEN_B": "B0000",
        "SLACK_TOKEN_C": "X" * 24,
        "TEAMS_WORKFLOW_URL": "workflows://prod-00.westus.logic.azure.com:443/abcdef/sig123",
        "TELEGRAM_BOT_TOKEN": "123456789:" + "A" * 35,
        "TELEGRAM_CHAT_ID": "12345",
        "SMTP_USER": "user",
        "SMTP_PASSWORD": "s3cret-pw",
    }
    routes = load_routes(write(tmp_path, "\n".join(lines)), env=env)
    assert [r.name for r in routes] == [
        "webhook", "slack-military", "teams-desk", "telegram-leaders", "mail-analysts"
    ]  # fmt: skip
    slack = routes[1]
    assert slack.filter.categories == {"military", "labour"}
    assert slack.filter.kinds == {"new", "updated"}
    assert routes[4].filter.min_sources == 2
    # What is shown of a route hides its secrets.
    assert all("s3cret-pw" not in r.display and "A" * 35 not in r.display for r in routes)


def test_filters_of_a_route_are_read(tmp_path):
    (route,) = load_routes(
        write(
            tmp_path,
            '[[routes]]\nname = "desk"\nurl = "json://127.0.0.1:9/x"\n'
            'categories = ["cyber"]\nkinds = ["new"]\nactors = ["lazarus"]\n'
            'languages = ["KO"]\nmin_confidence = 0.7\nmin_sources = 2\n',
        )
    )
    assert route.line == 1
    f = route.filter
    assert (f.categories, f.kinds, f.actors, f.languages) == (
        {"cyber"}, {"new"}, {"lazarus"}, {"ko"}
    )  # fmt: skip
    assert (f.min_confidence, f.min_sources) == (0.7, 2)


GOOD = '[[routes]]\nname = "ok"\nurl = "json://127.0.0.1:9/x"\n\n'


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[[routes]]\nname = "a"\nurl = "json://h:1/x"\nkind = ["new"]\n',
         [":4: route 'a' (the 1st [[routes]]): kind: unknown key; did you mean 'kinds'?"]),
        (GOOD + '[[routes]]\nname = "b"\nurl = "json://h:1/x"\n\nkinds = ["neww"]\n',
         [":9: route 'b' (the 2nd [[routes]]): kinds: unknown kind 'neww': choose from new"]),
        (GOOD + '[[routes]]\nname = "c"\nurl = "json://h:1/x"\nmin_confidence = "high"\n',
         [":8: route 'c'", "min_confidence must be a number from 0 to 1"]),
        ('[[routes]]\nname = "d"\nurl = "json://h:1/x"\nactors = ["kim_jong_uun"]\n',
         [":4: route 'd'", "actors: unknown actor id 'kim_jong_uun' (did you mean 'kim_jong_un'"]),
        ('[[routes]]\nname = "e"\nurl = "json://h:1/x"\ncategories = "military"\n',
         [":4:", 'categories: must be a list of strings, e.g. categories = ["military"']),
        ('[[routes]]\nname = "f"\nurl = "slak://a/b/c"\n',
         [":3: route 'f'", "url: has the scheme slak://, which apprise does not know", "slack://"]),
        ('[[routes]]\nname = "g"\nurl = "${NOT_SET_ANYWHERE}"\n',
         [":3:", "uses ${NOT_SET_ANYWHERE}, which is not set: export NOT_SET_ANYWHERE="]),
        ('[[routes]]\nname = "Bad Name"\nurl = "json://h:1/x"\n',
         [":2:", "'Bad Name' is not a lowercase slug"]),
        ('[[routes]]\nname = "h"\n',
         [":1: route 'h'", 'url: missing: write url = "json://']),
        (GOOD + GOOD.replace("127.0.0.1:9", "127.0.0.1:10"),
         [":5: route 'ok' is named twice (first at line 1)"]),
        ('[[routes]]\nname = "i"\nurl = "json://h:1/x\n', ["not valid TOML", "line 3"]),
        ('[route]\nname = "j"\n', [":1: unknown top-level key(s) ['route']", "[[routes]]"]),
        ("# nothing\n", ["no routes; add a [[routes]] table with name and url"]),
    ],
)  # fmt: skip
def test_a_bad_routes_file_names_the_line_the_field_and_the_fix(tmp_path, text, says):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as error:
        load_routes(path, env={})
    message = str(error.value)
    assert message.startswith(str(path))
    for words in says:
        assert words in message, message


def test_a_missing_routes_file_points_at_the_example(tmp_path):
    with pytest.raises(InputError, match="deploy/routes.example.toml"):
        load_routes(tmp_path / "nope.toml")


def test_notify_check_lists_the_routes_without_their_secrets(tmp_path, capsys):
    path = write(
        tmp_path,
        '[[routes]]\nname = "mail"\nurl = "mailto://me:${PW}@127.0.0.1:2525?to=a@example.org&from=b@example.org"\n',
    )
    import os

    os.environ["PW"] = "hunter2-secret"
    try:
        assert main(["notify", "--routes", str(path), "--check"]) == 0
    finally:
        del os.environ["PW"]
    out = capsys.readouterr()
    assert "mail: mailto://me:****@127.0.0.1:2525" in out.out
    assert "hunter2" not in out.out + out.err


def test_notify_with_a_bad_routes_file_exits_2_with_the_reason(tmp_path, capsys):
    path = write(tmp_path, '[[routes]]\nname = "a"\nurl = "json://h:1/x"\nkinds = ["nw"]\n')
    assert main(["notify", "--routes", str(path), "--bootstrap", "127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert f"axiswatch: {path}:4: route 'a'" in err and "choose from new" in err


def test_notify_help_teaches_the_routes_file(capsys):
    with pytest.raises(SystemExit):
        main(["notify", "--help"])
    out = capsys.readouterr().out
    for words in ("[[routes]]", "json://", "min_confidence", "${VAR}", "--once", "--check",
                  "notify.state", "deploy/routes.example.toml", "--max-backoff"):  # fmt: skip
        assert words in out, words


# ----------------------------------------------------------------------------- alerts apart
def test_alerts_of_one_event_are_told_apart_by_kind_and_article():
    new = make_alert(kind="new", article_id="a1")
    keys = {
        sent_key(new),
        sent_key(make_alert(kind="updated", article_id="a2")),
        sent_key(make_alert(kind="corroborated", article_id="a3")),
        sent_key(make_alert(kind="corroborated", article_id="a4")),
    }
    assert len(keys) == 4
    # The same alert written twice by the worker is one alert.
    assert sent_key(make_alert(kind="new", article_id="a1", confidence=0.5)) == sent_key(new)


def test_the_message_escapes_control_characters_and_says_what_happened():
    title, body = message_for(
        make_alert(kind="updated", title="T\x1b[31m", changes=["quantity: 3000 troops"])
    )
    assert title == "[UPDATED] MILITARY: T\\x1b[31m"
    assert "adds: quantity: 3000 troops" in body and "North Korea" in body
    assert "\x1b" not in title + body


# ----------------------------------------------------------------------------- retries
class FlakyNotifier:
    def __init__(self, url: str, failures: int = 0) -> None:
        self.failures = failures
        self.calls: list[dict] = []

    def send(self, alert: dict) -> bool:
        self.calls.append(alert)
        return len(self.calls) > self.failures


def _worker(route: Route, notifier: FlakyNotifier, once: bool = False) -> RouteWorker:
    return RouteWorker(
        route,
        Settings(),
        SentLog(Settings()),  # no producer: records in memory only
        group="g",
        start=Start(),
        stop=threading.Event(),
        once=once,
        max_backoff=0.01,
        notifier=lambda url: notifier,
    )


def _message(alert: dict, offset: int = 0):
    import json

    return SimpleNamespace(value=json.dumps(alert).encode(), partition=0, offset=offset)


def test_a_failed_delivery_is_retried_until_it_goes_through_then_counted_once():
    route = Route("retry-test", "json://127.0.0.1:9/x")
    notifier = FlakyNotifier("", failures=3)
    worker = _worker(route, notifier)
    sent_before = metrics.NOTIFY_SENT.labels(route="retry-test")._value.get()
    assert worker._deliver(_message(make_alert())) is True
    assert len(notifier.calls) == 4
    assert metrics.NOTIFY_FAILURES.labels(route="retry-test")._value.get() == 3
    assert metrics.NOTIFY_SENT.labels(route="retry-test")._value.get() == sent_before + 1
    # Read again (a restart before the commit): already sent, not sent again.
    assert worker._deliver(_message(make_alert())) is False
    assert len(notifier.calls) == 4


def test_with_once_a_route_gives_up_on_an_alert_after_its_attempts():
    worker = _worker(Route("giveup-test", "json://127.0.0.1:9/x"), FlakyNotifier("", 99), True)
    assert worker._deliver(_message(make_alert())) is None
    assert worker.report.failed_attempts == worker.once_attempts


def test_a_route_skips_what_its_filter_refuses_and_unreadable_records():
    from axiswatch.alertfilter import AlertFilter

    notifier = FlakyNotifier("")
    route = Route("filter-test", "json://127.0.0.1:9/x", AlertFilter.build(kinds=["new"]))
    worker = _worker(route, notifier)
    assert worker._deliver(_message(make_alert(kind="corroborated"))) is False
    assert worker._deliver(SimpleNamespace(value=b"\xff not json", partition=0, offset=1)) is False
    assert notifier.calls == []


class _SentProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def send(self, topic, key=None, value=None, headers=None):
        self.sent.append((topic, {"key": key, "value": value, "headers": dict(headers or ())}))
        return SimpleNamespace(get=lambda timeout=None: None)


def test_a_prefixed_route_reads_as_its_prefixed_group_and_records_the_alerts_trace_id():
    import json

    settings = Settings(topic_prefix="desk.")
    producer = _SentProducer()
    worker = RouteWorker(
        Route("trace-test", "json://127.0.0.1:9/x"),
        settings,
        SentLog(settings, producer),
        group="axiswatch-notify",
        start=Start(),
        stop=threading.Event(),
        notifier=lambda url: FlakyNotifier(""),
    )
    assert worker.group == "desk.axiswatch-notify.trace-test"
    assert worker.topic == "desk.alerts"
    trace = "c" * 32
    message = _message(make_alert())
    message.headers = [("content-type", b"application/json"), ("trace-id", trace.encode())]
    assert worker._deliver(message) is True
    [(topic, record)] = producer.sent
    assert topic == "desk.notify.state"
    assert record["headers"] == {
        "content-type": b"application/json",
        "schema-version": b"1",
        "trace-id": trace.encode(),
    }
    assert json.loads(record["value"])["topic"] == "desk.alerts"
