"""Feed lists and feed parsing: `feeds.toml` into `FeedConfig`s, feed bytes into articles.

`parse_feed()` takes the bytes a fetch returned and gives one `FeedEntry` per usable entry:
its identity in the feed (`key`: guid, else canonical link, else content hash), a digest of
what a reader sees (a new digest means the entry changed), and the `RawArticle` to publish.
It decodes the bytes itself (BOM, HTTP charset, XML declaration, else UTF-8, else a guess
among legacy encodings such as windows-1251 and EUC-KR), drops DTD entity declarations
(entity-expansion bombs) and hands feedparser clean UTF-8.
"""

from __future__ import annotations

import calendar
import codecs
import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
from pydantic import ValidationError

from axiswatch.exceptions import InputError
from producers.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT
from schemas.models import MAX_BODY_CHARS, RawArticle, dated
from streams.text import TRACKING_PARAMS, article_id_for, canonical_url, normalise_text

__all__ = [
    "DEFAULT_INTERVAL",
    "MIN_INTERVAL",
    "FeedConfig",
    "FeedEntry",
    "FeedParseError",
    "ParsedFeed",
    "clean_link",
    "decode_feed",
    "load_feeds",
    "parse_feed",
    "strip_entity_declarations",
]

DEFAULT_INTERVAL = 900.0
MIN_INTERVAL = 60.0
_MAX_TITLE = 2_000
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_FEED_KEYS = {"name", "url", "lang", "interval", "tags", "source", "timeout", "max_bytes"}
_DEFAULT_KEYS = {"interval", "timeout", "max_bytes"}


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """One feed of the list. `name` is its identity (metrics label, state key)."""

    name: str
    url: str
    lang: str | None = None
    interval: float = DEFAULT_INTERVAL
    tags: tuple[str, ...] = ()
    source: str | None = None  # the publisher as articles name it; default: name
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES

    @property
    def source_name(self) -> str:
        return self.source or self.name


def load_feeds(path: str | Path, allow_file: bool = False) -> list[FeedConfig]:
    """Read a feed list (`[[feeds]]` tables, optional `[defaults]`); raise `InputError`
    naming the file, the feed and the fix for anything wrong."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(
            f"{path}: no such feed list; pass --feeds FILE (see seeds/feeds.toml)"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from exc
    unknown = set(data) - {"feeds", "defaults"}
    if unknown:
        raise InputError(f"{path}: unknown top-level key(s) {sorted(unknown)}; use [[feeds]]")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict) or set(defaults) - _DEFAULT_KEYS:
        raise InputError(f"{path}: [defaults] may set only {sorted(_DEFAULT_KEYS)}")
    tables = data.get("feeds")
    if not isinstance(tables, list) or not tables:
        raise InputError(f'{path}: no feeds; add [[feeds]] tables with name = "..." and url')
    feeds: list[FeedConfig] = []
    seen: set[str] = set()
    for number, table in enumerate(tables, 1):
        where = f"{path}: feed {number}"
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            where += f" ({table['name']})"
        feed = _feed_from(table, defaults, where, allow_file)
        if feed.name in seen:
            raise InputError(f"{where}: the name {feed.name!r} is used twice; names must differ")
        seen.add(feed.name)
        feeds.append(feed)
    return feeds


def _feed_from(table: Any, defaults: dict, where: str, allow_file: bool) -> FeedConfig:
    if not isinstance(table, dict):
        raise InputError(f"{where}: expected a [[feeds]] table")
    unknown = set(table) - _FEED_KEYS
    if unknown:
        raise InputError(f"{where}: unknown key(s) {sorted(unknown)}; known: {sorted(_FEED_KEYS)}")
    name = table.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise InputError(
            f"{where}: name must be a lowercase slug such as 'tass-en' "
            "(letters, digits, '.', '_', '-'; at most 64)"
        )
    url = table.get("url")
    if not isinstance(url, str) or not url.strip():
        raise InputError(f'{where}: url is missing; add url = "https://..."')
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme == "file" and not allow_file:
        raise InputError(f"{where}: {url} is a local file; pass --allow-file to poll file: feeds")
    if scheme not in ("http", "https", "file") or (scheme != "file" and not urlsplit(url).netloc):
        raise InputError(f"{where}: {url!r} is not an http(s) URL")
    merged = {**defaults, **table}
    interval = _number(merged.get("interval", DEFAULT_INTERVAL), where, "interval")
    if interval < MIN_INTERVAL:
        raise InputError(
            f"{where}: interval {interval:g}s is below the {MIN_INTERVAL:g}s minimum; news feeds "
            "rarely change that fast and publishers block aggressive pollers"
        )
    timeout = _number(merged.get("timeout", DEFAULT_TIMEOUT), where, "timeout")
    if not 0 < timeout <= 300:
        raise InputError(f"{where}: timeout must be between 0 and 300 seconds")
    max_bytes = _number(merged.get("max_bytes", DEFAULT_MAX_BYTES), where, "max_bytes")
    if not 1024 <= max_bytes <= 100 * 1024 * 1024:
        raise InputError(f"{where}: max_bytes must be between 1 KiB and 100 MiB")
    lang = table.get("lang")
    if lang is not None and (not isinstance(lang, str) or not re.match(r"^[A-Za-z-]{2,12}$", lang)):
        raise InputError(f"{where}: lang must be a language code such as 'en', 'ru' or 'ko'")
    tags = table.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InputError(f'{where}: tags must be a list of strings, e.g. ["dprk", "wire"]')
    source = table.get("source")
    if source is not None and (not isinstance(source, str) or not source.strip()):
        raise InputError(f"{where}: source must be a non-empty string")
    return FeedConfig(
        name=name,
        url=url,
        lang=lang.lower() if lang else None,
        interval=float(interval),
        tags=tuple(tags),
        source=source.strip()[:200] if source else None,
        timeout=float(timeout),
        max_bytes=int(max_bytes),
    )


def _number(value: Any, where: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: {key} must be a number, got {value!r}")
    return value


# ----------------------------------------------------------------------------- decoding
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*?\?>", re.I)
_XML_ENCODING_RE = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.I)
_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
# Legacy encodings to try, by the feed's language first.
_GUESSES_BY_LANG = {
    "ru": ("cp1251", "koi8_r"),
    "uk": ("cp1251", "koi8_u"),
    "be": ("cp1251",),
    "ko": ("cp949",),
    "ja": ("shift_jis", "euc_jp"),
    "zh": ("gb18030", "big5"),
}
_GUESSES = ("cp1251", "cp949", "koi8_r", "shift_jis", "gb18030", "big5", "cp1252")


def decode_feed(
    data: bytes, content_type: str | None = None, lang: str | None = None
) -> tuple[str, str, list[str]]:
    """The feed as text, the encoding used and warnings. Order: BOM; UTF-16/32 by declaration
    or zero bytes; UTF-8 when the bytes are valid UTF-8; the HTTP charset, then the XML
    declaration, when they decode; else a guess among legacy encodings (language first)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace"), encoding, []
    warnings: list[str] = []
    declared: list[str] = []
    for label, raw in (("HTTP charset", _http_charset(content_type)), ("XML", _xml_encoding(data))):
        if not raw:
            continue
        try:
            declared.append(codecs.lookup(raw).name)
        except LookupError:
            warnings.append(f"unknown {label} encoding {raw!r} ignored")
    wide = _sniff_wide(data) or next((d for d in declared if d.startswith("utf-16")), None)
    wide = wide or next((d for d in declared if d.startswith("utf-32")), None)
    if wide:
        return data.decode(wide, "replace"), wide, warnings
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared and declared[0] not in ("utf-8", "ascii") and not data.isascii():
            warnings.append(f"declared {declared[0]} but the bytes are UTF-8; read as UTF-8")
        return text, "utf-8", warnings
    for encoding in declared:
        try:
            return data.decode(encoding), encoding, warnings
        except UnicodeDecodeError:
            warnings.append(f"declared {encoding} does not decode the bytes")
    encoding, text = _guess(data, lang)
    warnings.append(f"no usable encoding declared; read as {encoding} (best guess)")
    return text, encoding, warnings


def _http_charset(content_type: str | None) -> str | None:
    match = _CHARSET_RE.search(content_type or "")
    return match.group(1) if match else None


def _xml_encoding(data: bytes) -> str | None:
    decl = _XML_DECL_RE.match(data[:512])
    if not decl:
        return None
    match = _XML_ENCODING_RE.search(decl.group(0))
    return match.group(1).decode("ascii") if match else None


def _sniff_wide(data: bytes) -> str | None:
    head = data[:4]
    return {
        b"<\x00?\x00": "utf-16-le",
        b"\x00<\x00?": "utf-16-be",
        b"<\x00\x00\x00": "utf-32-le",
        b"\x00\x00\x00<": "utf-32-be",
    }.get(head)


def _guess(data: bytes, lang: str | None) -> tuple[str, str]:
    primary = (lang or "").split("-")[0].lower()
    order = list(dict.fromkeys((*_GUESSES_BY_LANG.get(primary, ()), *_GUESSES)))
    best: tuple[float, int, str, str] | None = None
    for rank, encoding in enumerate(order):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text)
        if best is None or (score, -rank) > (best[0], best[1]):
            best = (score, -rank, encoding, text)
    if best is None:
        return "latin-1", data.decode("latin-1")
    return best[2], best[3]


_CYRILLIC_WORD_RE = re.compile(r"[\u0400-\u04ff]+")
_COMMON_PUNCT = set("«»—–“”„‘’…№•·°€")


def _is_letter_of_script(code: int) -> bool:
    """Hangul syllables, kana, or the Russian alphabet."""
    return 0xAC00 <= code <= 0xD7A3 or 0x3040 <= code <= 0x30FF or 0x0410 <= code <= 0x044F


def _plausibility(text: str) -> float:
    """How much the non-ASCII part of `text` looks like real writing: Hangul syllables, kana,
    Russian letters in sane case, CJK ideographs; not symbols, controls or mixed-case words."""
    good = bad = 0.0
    for ch in text:
        code = ord(ch)
        if code < 0x80:
            continue
        if _is_letter_of_script(code) or ch in "Ёё":
            good += 1
        elif 0x4E00 <= code <= 0x9FFF:
            good += 0.5
        elif ch in _COMMON_PUNCT:
            pass
        elif ch.isalpha() and code < 0x250:
            good += 0.3
        else:
            bad += 1
    for word in _CYRILLIC_WORD_RE.findall(text):
        if len(word) > 1 and not (word.islower() or word.isupper() or word[1:].islower()):
            bad += len(word)
    total = good + bad
    return (good - bad) / total if total else 0.0


def strip_entity_declarations(text: str) -> tuple[str, bool]:
    """Remove every DOCTYPE whose internal subset declares entities (entity-expansion and
    external entity attacks), wherever it stands: after a long comment, in any case. Returns
    the text and whether something was removed. Linear in the text."""
    lowered = text.lower()
    pieces: list[str] = []
    kept_from = 0
    start = lowered.find("<!doctype")
    while start >= 0:
        end = _doctype_end(text, start + 9)
        doctype = lowered[start:end] if end > 0 else lowered[start:]
        if "<!entity" in doctype:
            pieces.append(text[kept_from:start])
            kept_from = end if end > 0 else len(text)
        if end < 0:
            break
        start = lowered.find("<!doctype", end)
    if not pieces:
        return text, False
    pieces.append(text[kept_from:])
    return "".join(pieces), True


def _doctype_end(text: str, i: int) -> int:
    """The index just after the DOCTYPE that starts before `i`, or -1 when it never ends."""
    quote, in_subset = "", False
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "[":
            in_subset = True
        elif ch == "]":
            in_subset = False
        elif ch == ">" and not in_subset:
            return i + 1
        i += 1
    return -1


# ----------------------------------------------------------------------------- parsing
class FeedParseError(Exception):
    """The bytes are not a usable feed."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    key: str  # identity within the feed: "id:<guid>", "url:<canonical link>" or "hash:<...>"
    digest: str  # hash of title, text and link: a change means the entry was updated
    article: RawArticle


@dataclass(slots=True)
class ParsedFeed:
    entries: list[FeedEntry]
    version: str
    encoding: str
    title: str = ""
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # entries that could not be used, and why


def parse_feed(
    data: bytes,
    feed: FeedConfig,
    content_type: str | None = None,
    content_language: str | None = None,
    fetched_at: datetime | None = None,
) -> ParsedFeed:
    """Parse RSS 0.9x/1.0/2.0 or Atom bytes into entries; raise `FeedParseError` when the
    bytes hold no feed. A malformed feed whose entries parse is used, with a warning.

    Relative links and guids resolve against the configured feed URL, not where a redirect
    led: an entry's identity must not change when a publisher moves its feed."""
    fetched_at = fetched_at or datetime.now(UTC)
    base = feed.url
    text, encoding, warnings = decode_feed(data, content_type, feed.lang)
    text, stripped = strip_entity_declarations(text)
    if stripped:
        warnings.append("removed the DTD's entity declarations (entity-expansion guard)")
    body = _XML_DECL_RE.sub(b"", text.encode("utf-8"), count=1).lstrip()
    parsed = feedparser.parse(
        b'<?xml version="1.0" encoding="utf-8"?>\n' + body,
        response_headers={
            "content-type": "application/xml; charset=utf-8",
            "content-location": base,
            **({"content-language": content_language} if content_language else {}),
        },
    )
    version = parsed.get("version") or ""
    entries_raw = parsed.get("entries") or []
    if parsed.get("bozo"):
        problem = _problem(parsed.get("bozo_exception"))
        if not entries_raw:
            if version:
                raise FeedParseError(f"malformed {version} feed with no readable entry: {problem}")
            raise FeedParseError(f"not an RSS or Atom feed: {problem}")
        warnings.append(f"not well-formed XML ({problem}); used the {len(entries_raw)} entries")
    elif not version:
        root = re.search(r"<([A-Za-z_][\w:.-]*)", text)
        got = f"<{root.group(1)}>" if root else "no XML element"
        raise FeedParseError(f"not an RSS or Atom feed (found {got}); check the feed URL")
    channel = parsed.get("feed", {})
    lang = feed.lang or _primary_lang(channel.get("language") or content_language)
    out = ParsedFeed([], version or "unknown", encoding, str(channel.get("title", "")), warnings)
    seen: set[str] = set()
    for number, entry in enumerate(entries_raw, 1):
        item = _entry(entry, feed, base, lang, fetched_at)
        if isinstance(item, str):
            out.skipped.append(f"entry {number}: {item}")
            continue
        if item.key in seen:
            continue  # the same entry twice in one document: the first counts
        seen.add(item.key)
        out.entries.append(item)
    return out


def _problem(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown problem"
    return f"{type(exc).__name__}: {exc}"[:300]


def _primary_lang(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    primary = re.split(r"[-_,;\s]", value.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _entry(
    entry: Any, feed: FeedConfig, base: str, lang: str | None, fetched_at: datetime
) -> FeedEntry | str:
    title = normalise_text(str(entry.get("title") or ""))[:_MAX_TITLE]
    # Cut before normalising too: a hostile entry's megabytes are not worth the work.
    body = normalise_text(_best_content(entry)[: 2 * MAX_BODY_CHARS])
    if len(body) > MAX_BODY_CHARS:
        body = body[:MAX_BODY_CHARS]
    link = clean_link(_entry_link(entry), base)
    if not title and not body:
        return "neither a title nor any text"
    guid = str(entry.get("id") or "").strip()
    canon = canonical_url(link)
    if guid:
        key = f"id:{guid}"
    elif canon:
        key = f"url:{canon}"
    else:
        key = "hash:" + hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:32]
    digest = hashlib.sha256(f"{title}\n{body}\n{canon or ''}".encode()).hexdigest()[:32]
    try:
        article = RawArticle(
            article_id=article_id_for(link, title, body),
            title=title,
            body=body,
            url=link,
            source=feed.source_name,
            published_at=_entry_date(entry, fetched_at),
            fetched_at=fetched_at,
            lang=lang,
            external_id=(guid or link or "")[:1000] or None,
            feed=feed.name,
        )
    except ValidationError as exc:
        return "; ".join(e["msg"] for e in exc.errors()[:2])
    return FeedEntry(key[:2000], digest, article)


def _best_content(entry: Any) -> str:
    """The fullest text the entry carries: content:encoded / Atom content, else summary."""
    candidates = [c.get("value") or "" for c in entry.get("content") or [] if isinstance(c, dict)]
    candidates.append(str(entry.get("summary") or ""))
    return max(candidates, key=len)


def _entry_link(entry: Any) -> str | None:
    for value in (entry.get("feedburner_origlink"), entry.get("link")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    for link in entry.get("links") or []:
        if (
            isinstance(link, dict)
            and link.get("rel", "alternate") == "alternate"
            and link.get("href")
        ):
            return str(link["href"]).strip()
    guid = str(entry.get("id") or "")
    if entry.get("guidislink") or guid.startswith(("http://", "https://")):
        return guid or None
    return None


def clean_link(link: str | None, base: str | None = None) -> str | None:
    """An entry link made absolute (against the feed URL), without fragment or tracking
    parameters; scheme and host are kept so the link still opens. None unless http(s)."""
    if not link:
        return None
    link = "".join(link.split())  # feeds wrap long links over lines
    try:
        absolute = urljoin(base, link) if base else link
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not TRACKING_PARAMS.match(k)
        ]
    )
    path = parts.path or "/"
    return unicodedata.normalize(
        "NFC", urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))
    )


def _entry_date(entry: Any, fetched_at: datetime) -> datetime | None:
    """Publication time in UTC; dates feedparser could not read, or implausible ones (before
    zero dates and the epoch, `dated`; more than two days ahead), give None."""
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = dict.get(entry, name)  # not entry.get: feedparser maps updated to published
        if not parsed:
            continue
        try:
            when = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
        except (OverflowError, ValueError, OSError, TypeError):
            continue
        if dated(when) and when <= fetched_at + timedelta(days=2):
            return when
    return None
