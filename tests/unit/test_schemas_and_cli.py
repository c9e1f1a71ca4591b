import json
import subprocess
import sys

from axiswatch.cli import main
from schemas import Alert, EnrichedArticle, export_json_schemas, topic_specs


def test_alert_and_enriched_contracts_carry_the_required_fields():
    alert_fields = set(Alert.model_fields)
    assert {
        "alert_id", "kind", "category", "evidence", "actors", "story_id", "article_id",
        "source", "url", "published_at", "detected_at", "schema_version", "event_id",
        "categories", "action", "objects", "places", "quantities", "event_date", "basis",
        "changes", "languages", "first_reported_at", "latest_reported_at",
    } <= alert_fields  # fmt: skip
    assert Alert.model_fields["schema_version"].default == 2
    enriched = set(EnrichedArticle.model_fields)
    assert {
        "article_id", "actors", "signals", "cooperation", "story_id", "duplicate_of",
        "schema_version", "events",
    } <= enriched  # fmt: skip
    assert EnrichedArticle.model_fields["schema_version"].default == 2


def test_schema_export_writes_one_valid_schema_per_topic(tmp_path):
    paths = export_json_schemas(str(tmp_path))
    names = {p.split("/")[-1] for p in paths}
    assert names == {f"{spec.name}.schema.json" for spec in topic_specs()}
    assert {
        "alerts.schema.json", "articles.dlq.schema.json", "articles.enriched.schema.json",
        "articles.raw.schema.json",
    } <= names  # fmt: skip
    alert = json.loads((tmp_path / "alerts.schema.json").read_text())
    assert "evidence" in alert["required"] and alert["$id"] == "alerts.schema.json"
    assert alert["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_offline_analyze_writes_one_line_per_article_in_order(tmp_path, seed_path, capsys):
    jsonl = tmp_path / "in.jsonl"
    title, _, body = seed_path.read_text().partition("\n")
    jsonl.write_text(
        json.dumps({"id": "x1", "title": "Nothing here", "body": "Weather was mild."})
        + "\n"
        + json.dumps({"id": "x2", "title": "Another outlet's headline", "body": body})
        + "\n"
    )
    assert main(["analyze", "--stories", str(jsonl), str(seed_path)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["external_id"] for r in lines] == ["x1", "x2", seed_path.name]
    assert [r["cooperation"] for r in lines] == [False, True, True]
    # The seed file and the JSON line carry the same body and no URL: the same article id (the
    # content's hash), so one story and one article, said the same way twice.
    assert lines[2]["article_id"] == lines[1]["article_id"]
    assert lines[2]["story_id"] == lines[1]["story_id"]
    assert lines[2]["duplicate_of"] is lines[1]["duplicate_of"] is None


def test_a_reader_that_stops_early_ends_the_command_quietly(seed_path):
    """`axiswatch analyze ... | head`: the pipe closed under the command is no traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "axiswatch", "analyze", str(seed_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader goes away before the first line is written
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141  # 128 + SIGPIPE, as a Unix tool ends
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr


def test_replay_of_paths_that_do_not_exist_says_so_before_reaching_kafka(tmp_path, capsys):
    missing = str(tmp_path / "no-such-folder")
    # A bootstrap server nobody listens on: the command must not get as far as trying it.
    assert main(["replay", "--bootstrap", "127.0.0.1:9", missing]) == 2
    err = capsys.readouterr().err
    assert "nothing to replay" in err and missing in err and "Kafka" not in err


def test_help_teaches_the_commands():
    out = subprocess.run(
        [sys.executable, "-m", "axiswatch", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("broker", "replay", "worker", "alerts", "analyze", "demo"):
        assert command in out
    assert "KAFKA_BOOTSTRAP_SERVERS" in out


def test_an_alert_shows_its_event_frame_on_one_line():
    from axiswatch.alerttext import format_alert

    alert = {
        "kind": "updated", "category": "labour", "categories": ["labour", "military"],
        "title": "T", "evidence": "E", "actors": [], "action": "send_workers",
        "quantities": [{"unit": "workers", "value": 12000, "text": "12,000 workers"}],
        "objects": ["drones"], "places": ["tatarstan"], "event_date": "2025-11-14",
        "basis": "report", "changes": ["quantity: 12000 workers"], "alert_id": "ev1",
    }  # fmt: skip
    lines = format_alert(alert).splitlines()
    assert lines[0].startswith("[UPDATED] LABOUR")
    assert (
        "    event: send_workers · labour+military · 12,000 workers · drones · in tatarstan"
        " · on 2025-11-14"
    ) in lines
    assert "    adds: quantity: 12000 workers" in lines
    claimed = format_alert({**alert, "claimants": ["rok_intelligence"]}).splitlines()
    assert any(line.endswith(" · on 2025-11-14 · per rok_intelligence") for line in claimed)
    sent = format_alert({**alert, "action": "letter", "sender": "dprk"}).splitlines()
    assert any(line.endswith(" · on 2025-11-14 · from the DPRK side") for line in sent)


def test_every_process_exposes_its_build():
    from prometheus_client import REGISTRY

    from axiswatch import __version__, metrics

    assert metrics.BUILD_INFO is not None
    value = REGISTRY.get_sample_value(
        "axiswatch_build_info",
        {"version": __version__, "python": sys.version.split()[0], "alert_schema": "2"},
    )
    assert value == 1.0


def test_eval_explains_tuning_items_and_never_the_test_part(tmp_path, capsys):
    item = {
        "id": "x-1", "title": "Sergey Lavrov held talks with North Korea's Choe Son Hui.",
        "body": "Sergey Lavrov held talks with North Korea's Choe Son Hui in Pyongyang.",
        "url": "https://x.example/1", "source": "s", "published_at": "2024-10-19", "lang": "en",
        "events": [{"event": "dip-x", "categories": ["diplomatic"], "basis": "report",
                    "evidence": []}],
    }  # fmt: skip
    corpus = tmp_path / "t.jsonl"
    corpus.write_text(json.dumps(item) + "\n", encoding="utf-8")
    assert main(["eval", "--events", str(corpus), "--explain", "x-1"]) == 0
    out = capsys.readouterr().out
    assert "== x-1 2024-10-19 en" in out and "path: best match: None" in out
    assert "alert: new" in out
    assert main(["eval", "--events", "--split", "test", "--explain", "x-1"]) == 2
    assert "test part is for figures only" in capsys.readouterr().err
    assert main(["eval", "--events", str(corpus), "--explain", "nope"]) == 2
    assert main(["eval", "--explain", "x-1"]) == 2


def test_eval_events_on_the_test_part_also_prints_the_blind_figures(capsys):
    assert main(["eval", "--events", "--split", "test", "--summary"]) == 0
    out = capsys.readouterr().out
    full, blind = out.split("== the same, blind")
    assert "left out:" not in full and "27 labelled events" in full
    # The six developments tuning articles report too (tests/unit/test_timeline_corpus.py).
    assert "left out: 6 labelled events" in blind and "21 labelled events" in blind
