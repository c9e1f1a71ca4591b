"""The blind-batch comparison script reads the figures `axiswatch eval` prints."""

import importlib.util
import json
from pathlib import Path

from streams.catalogue import seeds_dir

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "blind_compare", ROOT / "benchmarks/blind_compare.py"
)
blind_compare = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(blind_compare)


def _first_lines(source: Path, target: Path, count: int) -> Path:
    lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    target.write_text("\n".join(lines[:count]) + "\n", encoding="utf-8")
    return target


def test_a_timeline_batch_is_scored_for_novelty(tmp_path):
    batch = _first_lines(seeds_dir() / "eval/timeline_tune.jsonl", tmp_path / "t.jsonl", 12)
    assert blind_compare.kind_of(batch) == "events"
    found = blind_compare.figures(ROOT, batch, "events")
    assert set(found) >= {"recall", "second new", "false new", "clustering P", "clustering R"}
    assert all(value[0].isdigit() for value in found.values())


def test_a_signal_batch_is_scored_for_detection(tmp_path):
    batch = _first_lines(seeds_dir() / "eval/corpus.jsonl", tmp_path / "corpus.jsonl", 20)
    assert blind_compare.kind_of(batch) == "signals"
    found = blind_compare.figures(ROOT, batch, "signals")
    precision, recall = (float(x) for x in found["flag P / R"].split(" / "))
    items = [json.loads(line) for line in batch.read_text(encoding="utf-8").splitlines()]
    assert any(i["labels"]["cooperation"] for i in items)
    assert 0 <= precision <= 1 and 0 <= recall <= 1
    assert len(found["micro P / R / F1"].split(" / ")) == 3
    # a file named as one the filter learned from is said to be in-sample
    assert found["note"] == "in-sample for the filter"
