"""Where the history of alerts is kept: SQLite (stdlib `sqlite3`, a file in the data folder) by
default, PostgreSQL (`psycopg`, the `postgres` extra) when a `postgresql://` URL is given.

One row per alert record, keyed as `axiswatch notify` tells alerts apart
(`notify.sent_key`: alert id, kind and the article that raised it): every alert of one event
shares its alert id, so the id alone would keep only the first. Writing a record again (the
sink reads a batch twice after a crash, the worker wrote an alert twice) changes nothing.
Each write also records, in the same transaction, the position the sink reached on the topic:
the store and its position never disagree, and a new store (a deleted file, an empty
database) starts from the oldest alert the topic keeps.

The categories, actors and languages of an alert are also rows of `alert_history_tags`, so a
filter is one indexed look-up in both databases; the text search runs over a case-folded copy
of the title, evidence, actors, source and address (`search_text`), so it ignores case in
Russian and Korean as in English.

The tables, for other readers (Grafana's table reads `alert_history` in PostgreSQL):
`alert_history` (record_key, alert_id, kind, category, title, evidence, source, url,
confidence, source_count, action, basis, event_date, published_at, detected_at, doc: the
alert as the topic has it, as JSON text, topic, kafka_partition, kafka_offset, stored_at),
`alert_history_tags` (record_key, facet: category | actor | language, value) and
`alert_history_position` (topic, kafka_partition, next_offset).
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from axiswatch.alertfilter import AlertFilter, parse_since
from axiswatch.exceptions import InputError
from axiswatch.notify import sent_key

__all__ = [
    "MAX_LIMIT",
    "HistoryQuery",
    "HistoryStore",
    "PostgresStore",
    "SqliteStore",
    "StoredAlert",
    "open_store",
    "redact_url",
]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_TEXT = 200  # characters of a text search

_COLUMNS = (
    "record_key",
    "alert_id",
    "kind",
    "category",
    "title",
    "evidence",
    "source",
    "url",
    "confidence",
    "source_count",
    "action",
    "basis",
    "event_date",
    "published_at",
    "detected_at",
    "search_text",
    "doc",
    "topic",
    "kafka_partition",
    "kafka_offset",
    "stored_at",
)


# ----------------------------------------------------------------------------- records
@dataclass(frozen=True)
class StoredAlert:
    """One alert record as the sink read it: the alert (JSON object) and where it was."""

    alert: Mapping[str, Any]
    topic: str = "alerts"
    partition: int = 0
    offset: int = 0

    @property
    def key(self) -> str:
        return sent_key(self.alert)

    def tags(self) -> set[tuple[str, str]]:
        a = self.alert
        out = {("category", str(c)) for c in [a.get("category"), *(a.get("categories") or [])]}
        out |= {
            ("actor", str(x["id"]))
            for x in a.get("actors") or []
            if isinstance(x, dict) and x.get("id")
        }
        out |= {("language", str(lang).lower()) for lang in a.get("languages") or []}
        return {(facet, value) for facet, value in out if value and value != "None"}

    def search_text(self) -> str:
        a = self.alert
        names = [
            str(x.get("name") or "") for x in a.get("actors") or [] if isinstance(x, dict)
        ]  # fmt: skip
        parts = [a.get("title"), a.get("evidence"), a.get("source"), a.get("url"), a.get("action")]
        parts += names + list(a.get("objects") or []) + list(a.get("places") or [])
        return "\n".join(str(p) for p in parts if p).casefold()


def _time(value: Any) -> datetime | None:
    """An alert's time field as an aware UTC datetime (None when absent or unreadable)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def _text_time(when: datetime | None) -> str | None:
    """SQLite keeps times as text in one fixed UTC format, so text order is time order."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if when else None


def _number(value: Any, kind: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return kind(value)


# ----------------------------------------------------------------------------- queries
@dataclass(frozen=True)
class HistoryQuery:
    """Which alerts to list: each condition that is set must hold (any value of a list); the
    newest first, `limit` of them after skipping `offset`."""

    categories: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    actors: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    since: datetime | None = None
    text: str = ""
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    since_text: str = field(default="", compare=False)

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]]) -> HistoryQuery:
        """From query-string parameters (each name to its values): `category`, `kind`,
        `actor`, `language` (repeatable), `since` (2d, 12h, 2026-11-01), `q` (text), `limit`,
        `offset`. Raises `InputError` saying which value is wrong and what to write."""

        def values(name: str) -> list[str]:
            return [v.strip() for v in params.get(name, ()) if v and v.strip()]

        known = {"category", "kind", "actor", "language", "since", "q", "limit", "offset"}
        unknown = sorted(set(params) - known)
        if unknown:
            raise InputError(
                f"unknown parameter {unknown[0]!r}: filter with {', '.join(sorted(known))}"
            )
        checked = AlertFilter.build(
            categories=values("category"),
            kinds=values("kind"),
            actors=values("actor"),
            languages=values("language"),
        )
        since_values = values("since")
        since = parse_since(since_values[-1]) if since_values else None
        text = " ".join(values("q"))
        if len(text) > MAX_TEXT:
            raise InputError(f"q: a text search of at most {MAX_TEXT} characters")
        return cls(
            categories=checked.categories,
            kinds=checked.kinds,
            actors=checked.actors,
            languages=checked.languages,
            since=since,
            text=text,
            limit=_whole("limit", values("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT),
            offset=_whole("offset", values("offset"), 0, 0, 10**9),
            since_text=since_values[-1] if since_values else "",
        )

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query as query-string pairs (for links to another page of it)."""
        query = self if not changes else _replace(self, **changes)
        pairs = [("category", v) for v in sorted(query.categories)]
        pairs += [("kind", v) for v in sorted(query.kinds)]
        pairs += [("actor", v) for v in sorted(query.actors)]
        pairs += [("language", v) for v in sorted(query.languages)]
        if query.since_text:
            pairs.append(("since", query.since_text))
        if query.text:
            pairs.append(("q", query.text))
        if query.limit != DEFAULT_LIMIT:
            pairs.append(("limit", str(query.limit)))
        if query.offset:
            pairs.append(("offset", str(query.offset)))
        return pairs

    def describe(self) -> dict[str, Any]:
        return {
            "category": sorted(self.categories),
            "kind": sorted(self.kinds),
            "actor": sorted(self.actors),
            "language": sorted(self.languages),
            "since": self.since.isoformat() if self.since else None,
            "q": self.text or None,
            "limit": self.limit,
            "offset": self.offset,
        }


def _replace(query: HistoryQuery, **changes: Any) -> HistoryQuery:
    from dataclasses import replace

    return replace(query, **changes)


def _whole(name: str, values: list[str], default: int, low: int, high: int) -> int:
    if not values:
        return default
    try:
        number = int(values[-1])
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise InputError(f"{name}: a whole number from {low} to {high}, got {values[-1]!r}")
    return number


# ----------------------------------------------------------------------------- the stores
class HistoryStore:
    """The SQL both databases share; subclasses connect and say how parameters are written.
    Safe to use from several threads (one connection per thread)."""

    kind = "?"
    _placeholder = "?"

    def __init__(self) -> None:
        self._local = threading.local()
        self._connections: list[Any] = []
        self._lock = threading.Lock()

    # -- connections
    def _connect(self) -> Any:  # pragma: no cover - each backend has its own
        raise NotImplementedError

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                # Closing what another thread may still hold: best effort.
                with contextlib.suppress(Exception):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()

    def describe(self) -> str:
        """Which store, for people (no password)."""
        raise NotImplementedError

    def _sql(self, text: str) -> str:
        return text if self._placeholder == "?" else text.replace("?", self._placeholder)

    # -- writing
    def write(
        self, records: Iterable[StoredAlert], positions: Mapping[tuple[str, int], int]
    ) -> int:
        """Store each alert record not stored yet, and the position the sink reached, in one
        transaction; returns how many records were new."""
        now = datetime.now(UTC)
        rows = []
        for record in records:
            rows.append((record, self._row(record, now)))
        insert = self._sql(
            f"INSERT INTO alert_history ({', '.join(_COLUMNS)}) VALUES "
            f"({', '.join('?' for _ in _COLUMNS)}) ON CONFLICT (record_key) DO NOTHING"
        )
        tag = self._sql(
            "INSERT INTO alert_history_tags (record_key, facet, value) VALUES (?, ?, ?) "
            "ON CONFLICT (record_key, facet, value) DO NOTHING"
        )
        position = self._sql(
            "INSERT INTO alert_history_position (topic, kafka_partition, next_offset) "
            "VALUES (?, ?, ?) ON CONFLICT (topic, kafka_partition) "
            "DO UPDATE SET next_offset = excluded.next_offset"
        )
        added = 0
        with self._transaction(write=True) as cur:
            for record, row in rows:
                cur.execute(insert, row)
                if cur.rowcount == 1:
                    added += 1
                    for facet, value in sorted(record.tags()):
                        cur.execute(tag, (record.key, facet, value))
            for (topic, partition), offset in sorted(positions.items()):
                cur.execute(position, (topic, partition, offset))
        return added

    def _row(self, record: StoredAlert, now: datetime) -> tuple[Any, ...]:
        a = record.alert
        values = {
            "record_key": record.key,
            "alert_id": str(a.get("alert_id") or ""),
            "kind": str(a.get("kind") or ""),
            "category": str(a.get("category") or ""),
            "title": str(a.get("title") or ""),
            "evidence": str(a.get("evidence") or ""),
            "source": str(a.get("source") or ""),
            "url": a.get("url") if isinstance(a.get("url"), str) else None,
            "confidence": _number(a.get("confidence"), float),
            "source_count": _number(a.get("source_count"), int),
            "action": str(a.get("action") or ""),
            "basis": str(a.get("basis") or ""),
            "event_date": a.get("event_date") if isinstance(a.get("event_date"), str) else None,
            "published_at": self._time(_time(a.get("published_at"))),
            "detected_at": self._time(_time(a.get("detected_at")) or now),
            "search_text": record.search_text(),
            "doc": json.dumps(a, ensure_ascii=False, sort_keys=True),
            "topic": record.topic,
            "kafka_partition": record.partition,
            "kafka_offset": record.offset,
            "stored_at": self._time(now),
        }
        # PostgreSQL text cannot hold NUL: written out, as the page shows it (the doc is JSON,
        # where it is \u0000 already).
        return tuple(
            values[c].replace("\x00", "\\x00") if isinstance(values[c], str) else values[c]
            for c in _COLUMNS
        )

    def _time(self, when: datetime | None) -> Any:
        return _text_time(when)

    def positions(self, topic: str) -> dict[int, int]:
        """The next offset to read per partition of `topic`, as last stored ({} for a new
        store)."""
        rows = self._fetch(
            "SELECT kafka_partition, next_offset FROM alert_history_position WHERE topic = ?",
            (topic,),
        )
        return {int(p): int(o) for p, o in rows}

    # -- reading
    def query(self, query: HistoryQuery) -> tuple[list[dict[str, Any]], int]:
        """The alerts that match, newest first (by detection time, then topic order), and how
        many match in all."""
        where, params = self._where(query)
        total = self._fetch(f"SELECT COUNT(*) FROM alert_history a{where}", params)[0][0]
        rows = self._fetch(
            f"SELECT doc FROM alert_history a{where} "
            "ORDER BY detected_at DESC, kafka_partition, kafka_offset DESC LIMIT ? OFFSET ?",
            (*params, query.limit, query.offset),
        )
        return [json.loads(doc) for (doc,) in rows], int(total)

    def count(self) -> int:
        return int(self._fetch("SELECT COUNT(*) FROM alert_history", ())[0][0])

    def _where(self, query: HistoryQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if query.kinds:
            clauses.append(f"a.kind IN ({', '.join('?' for _ in query.kinds)})")
            params += sorted(query.kinds)
        for facet, values in (
            ("category", query.categories),
            ("actor", query.actors),
            ("language", query.languages),
        ):
            if values:
                marks = ", ".join("?" for _ in values)
                clauses.append(
                    "EXISTS (SELECT 1 FROM alert_history_tags t WHERE t.record_key = "
                    f"a.record_key AND t.facet = ? AND t.value IN ({marks}))"
                )
                params += [facet, *sorted(values)]
        if query.since is not None:
            clauses.append("a.detected_at >= ?")
            params.append(self._time(query.since.astimezone(UTC)))
        for word in query.text.casefold().split():
            clauses.append("a.search_text LIKE ? ESCAPE '!'")
            params.append("%" + re.sub(r"([!%_])", r"!\1", word) + "%")
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._transaction() as cur:
            cur.execute(self._sql(sql), tuple(params))
            return list(cur.fetchall())

    def _transaction(self, write: bool = False) -> Any:  # pragma: no cover - per backend
        raise NotImplementedError


class _SqliteTransaction:
    def __init__(self, conn: sqlite3.Connection, write: bool) -> None:
        self.conn, self.write = conn, write

    def __enter__(self) -> sqlite3.Cursor:
        self.cur = self.conn.cursor()
        # A writer takes the lock at once (no upgrade deadlock); a reader reads a snapshot.
        self.cur.execute("BEGIN IMMEDIATE" if self.write else "BEGIN")
        return self.cur

    def __exit__(self, kind, exc, tb) -> None:
        self.cur.execute("ROLLBACK" if kind else "COMMIT")
        self.cur.close()


class SqliteStore(HistoryStore):
    """The embedded store: one SQLite file (WAL, so the page reads while the sink writes)."""

    kind = "sqlite"

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._conn()
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SQLITE_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(
                f"cannot open the history store {self.path}: {exc}. Name a writable file with "
                "--database-url sqlite:///PATH (or set AXISWATCH_DATA_DIR)"
            ) from exc

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: transactions are begun and ended explicitly.
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def _transaction(self, write: bool = False) -> _SqliteTransaction:
        return _SqliteTransaction(self._conn(), write)

    def describe(self) -> str:
        return f"SQLite {self.path}"


# One schema, each store's types: SQLite keeps times as UTC text (text order is time order),
# PostgreSQL as timestamptz, and Kafka offsets as 64-bit integers.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_history (
    record_key TEXT PRIMARY KEY,
    alert_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    evidence TEXT NOT NULL,
    source TEXT NOT NULL,
    url TEXT,
    confidence {real},
    source_count INTEGER,
    action TEXT NOT NULL,
    basis TEXT NOT NULL,
    event_date TEXT,
    published_at {time},
    detected_at {time} NOT NULL,
    search_text TEXT NOT NULL,
    doc TEXT NOT NULL,
    topic TEXT NOT NULL,
    kafka_partition INTEGER NOT NULL,
    kafka_offset {big} NOT NULL,
    stored_at {time} NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_history_detected ON alert_history (detected_at);
CREATE INDEX IF NOT EXISTS alert_history_alert ON alert_history (alert_id);
CREATE TABLE IF NOT EXISTS alert_history_tags (
    record_key TEXT NOT NULL,
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (record_key, facet, value)
);
CREATE INDEX IF NOT EXISTS alert_history_tags_value ON alert_history_tags (facet, value);
CREATE TABLE IF NOT EXISTS alert_history_position (
    topic TEXT NOT NULL,
    kafka_partition INTEGER NOT NULL,
    next_offset {big} NOT NULL,
    PRIMARY KEY (topic, kafka_partition)
);
"""
_SQLITE_SCHEMA = _SCHEMA.format(time="TEXT", real="REAL", big="INTEGER")


class _PgTransaction:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def __enter__(self) -> Any:
        self.cur = self.conn.cursor()
        return self.cur

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if kind:
                self.conn.rollback()
            else:
                self.conn.commit()
        finally:
            self.cur.close()


class PostgresStore(HistoryStore):
    """PostgreSQL (psycopg 3): times are `timestamptz`, so Grafana's time filter works on
    `detected_at`."""

    kind = "postgresql"
    _placeholder = "%s"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        try:
            import psycopg
        except ImportError:
            raise InputError(
                "a postgresql:// history store needs psycopg: pip install 'axiswatch[postgres]' "
                "(or psycopg[binary]); without a URL, serve keeps the history in SQLite"
            ) from None
        self._errors = (psycopg.Error,)
        try:
            with self._transaction(write=True) as cur:
                for statement in _PG_SCHEMA.split(";"):
                    if statement.strip():
                        cur.execute(statement)
        except psycopg.Error as exc:
            raise InputError(
                f"cannot use the history database {redact_url(url)}: "
                f"{str(exc).strip() or type(exc).__name__}. Check the URL "
                "(postgresql://USER:PASSWORD@HOST:PORT/DATABASE), that the server runs and that "
                "the user may create tables there"
            ) from exc

    def _connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.url, connect_timeout=10)

    def _transaction(self, write: bool = False) -> _PgTransaction:
        conn = self._conn()
        if conn.closed or conn.broken:
            self._local.conn = None
            conn = self._conn()
        return _PgTransaction(conn)

    def _time(self, when: datetime | None) -> Any:
        return when

    def describe(self) -> str:
        return f"PostgreSQL {redact_url(self.url)}"


_PG_SCHEMA = _SCHEMA.format(time="TIMESTAMPTZ", real="DOUBLE PRECISION", big="BIGINT")


# ----------------------------------------------------------------------------- choosing
def redact_url(url: str) -> str:
    """A database URL with its password hidden."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def open_store(url: str | None, data_dir: Path) -> HistoryStore:
    """The store a URL names: `postgresql://...` (or `postgres://`), `sqlite:///PATH`, or
    nothing: SQLite in `data_dir/history.sqlite3`."""
    if not url:
        return SqliteStore(data_dir / "history.sqlite3")
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("postgresql", "postgres"):
        return PostgresStore(url)
    if scheme == "sqlite":
        path = url.split("://", 1)[1]
        if not path.startswith("/") or path == "/":
            raise InputError(
                f"{url}: write sqlite:///PATH with a path after the third slash "
                "(sqlite:////var/lib/axiswatch/history.sqlite3 for an absolute path, "
                "sqlite:///history.sqlite3 for one relative to the working folder)"
            )
        return SqliteStore(path[1:])
    raise InputError(
        f"{redact_url(url)}: not a history database URL; write "
        "postgresql://USER:PASSWORD@HOST:PORT/DATABASE or sqlite:///PATH (default: SQLite in "
        "the data folder)"
    )
