import json

from streams.articles import BadRecord, expand_paths, read_articles


def test_seed_format_first_line_is_the_title(seed_path):
    (item,) = list(read_articles([seed_path]))
    assert item.title.startswith("North Korean Leader Describes Alliance")
    assert item.body.startswith("North Korean Supreme Leader Kim Jong Un sent a letter")
    assert item.external_id == seed_path.name
    assert item.article_id.startswith("c")


def test_jsonl_keeps_ids_and_reports_bad_lines_with_their_place(tmp_path):
    path = tmp_path / "a.jsonl"
    lines = [
        json.dumps({"id": 7, "title": "A", "body": "x", "url": "https://e.x/1", "source": "S"}),
        "{broken",
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps({"title": "", "body": ""}),
        json.dumps({"title": "B", "body": "y", "published_at": "2026-02-03T00:00:00Z"}),
    ]
    path.write_bytes(("\n".join(lines) + "\n").encode() + b"\xff\xfe\n")
    items = list(read_articles([path]))
    good = [i for i in items if not isinstance(i, BadRecord)]
    bad = [i for i in items if isinstance(i, BadRecord)]
    assert [g.title for g in good] == ["A", "B"]
    assert good[0].external_id == "7" and good[0].source == "S"
    assert [b.where for b in bad] == [f"{path}:2", f"{path}:3", f"{path}:5", f"{path}:7"]
    assert "not JSON" in bad[0].reason and "not UTF-8" in bad[3].reason


def test_invalid_utf8_and_oversized_seed_files_are_reported(tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Заголовок\nтекст".encode("cp1251"))
    big = tmp_path / "big.txt"
    big.write_bytes(b"T\n" + b"x" * (10 * 1024 * 1024))
    results = list(read_articles([latin, big]))
    assert all(isinstance(r, BadRecord) for r in results)
    assert "not UTF-8" in results[0].reason
    assert "MB" in results[1].reason


def test_folders_expand_to_article_files_only(tmp_path):
    (tmp_path / "a.txt").write_text("t\nb")
    (tmp_path / "b.jsonl").write_text("")
    (tmp_path / "notes.toml").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("t\nb")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.txt", "b.jsonl"]
    assert [p.name for p in expand_paths([tmp_path], recursive=True)] == [
        "a.txt",
        "b.jsonl",
        "c.txt",
    ]
