"""Reading article files: the seed format and JSON Lines, into `RawArticle`s.

Seed format: a UTF-8 text file whose first line is the title and the rest the body.
JSON Lines: one object per line with `title`, `body` and optional `url`, `source`,
`published_at`, `lang`, `id` (kept as `external_id`). Bad records are reported with their file
and line, never raised: one broken line does not stop the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from schemas.models import MAX_BODY_CHARS, RawArticle
from streams.text import article_id_for

__all__ = ["ARTICLE_SUFFIXES", "BadRecord", "expand_paths", "read_articles"]

ARTICLE_SUFFIXES = (".txt", ".jsonl", ".ndjson")
_MAX_FILE_BYTES = 64 * 1024 * 1024  # a JSON Lines file may hold many articles


@dataclass(frozen=True, slots=True)
class BadRecord:
    """An input that could not become an article: where it is and why."""

    where: str
    reason: str


def expand_paths(paths: Iterable[str | Path], recursive: bool = False) -> list[Path]:
    """Files named directly, plus the article files (.txt, .jsonl) inside named folders."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            pattern = "**/*" if recursive else "*"
            out.extend(
                sorted(
                    p for p in path.glob(pattern) if p.is_file() and p.suffix in ARTICLE_SUFFIXES
                )
            )
        else:
            out.append(path)
    return out


def read_articles(
    paths: Iterable[Path], source: str | None = None
) -> Iterator[RawArticle | BadRecord]:
    """Articles from each file in order; a `BadRecord` for anything unusable."""
    for path in paths:
        try:
            size = path.stat().st_size
        except OSError as exc:
            yield BadRecord(str(path), f"cannot read: {exc.strerror or exc}")
            continue
        if path.suffix in (".jsonl", ".ndjson", ".json"):
            if size > _MAX_FILE_BYTES:
                yield BadRecord(
                    str(path), f"file is {size} bytes; split it below {_MAX_FILE_BYTES}"
                )
                continue
            yield from _read_jsonl(path, source)
        else:
            yield _read_seed(path, size, source)


def _read_seed(path: Path, size: int, source: str | None) -> RawArticle | BadRecord:
    if size > MAX_BODY_CHARS * 4:
        return BadRecord(
            str(path), f"article is {size / 1e6:.1f} MB; the limit is {MAX_BODY_CHARS:,} characters"
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return BadRecord(
            str(path),
            f"not UTF-8 ({exc.reason} at byte {exc.start}); convert it with iconv -t UTF-8",
        )
    except OSError as exc:
        return BadRecord(str(path), f"cannot read: {exc.strerror or exc}")
    title, _, body = text.strip().partition("\n")
    return _build(
        str(path), {"title": title, "body": body, "source": source or "seeds", "id": path.name}
    )


def _read_jsonl(path: Path, source: str | None) -> Iterator[RawArticle | BadRecord]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            where = f"{path}:{number}"
            if not line.strip():
                continue
            try:
                data = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield BadRecord(where, f"not UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            except (json.JSONDecodeError, RecursionError) as exc:
                yield BadRecord(where, f"not JSON: {exc}")
                continue
            if not isinstance(data, dict):
                yield BadRecord(where, f"expected a JSON object, got {type(data).__name__}")
                continue
            if source and not data.get("source"):
                data["source"] = source
            yield _build(where, data)


def _build(where: str, data: dict) -> RawArticle | BadRecord:
    title = data.get("title") if isinstance(data.get("title"), str) else ""
    body = data.get("body") if isinstance(data.get("body"), str) else ""
    url = data.get("url") if isinstance(data.get("url"), str) else None
    external_id = data.get("id", data.get("external_id"))
    fields = {
        "article_id": data.get("article_id") or article_id_for(url, title, body),
        "title": data.get("title", ""),
        "body": data.get("body", ""),
        "url": url,
        "source": data.get("source") or "unknown",
        "published_at": data.get("published_at"),
        "lang": data.get("lang"),
        "external_id": None if external_id is None else str(external_id),
        "feed": data.get("feed"),
    }
    try:
        return RawArticle.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'article'}: {e['msg']}"
            for e in exc.errors()[:3]
        )
        return BadRecord(where, problems)
