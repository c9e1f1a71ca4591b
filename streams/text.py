"""Text normalisation, sentence splitting, canonical URLs and content hashes.

Pure functions: no Kafka, no I/O. The analyze stage and the offline `analyze`
command both call these, so a stream result and a batch result are the same.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "Sentence",
    "article_id_for",
    "canonical_url",
    "content_hash",
    "html_to_text",
    "normalise_text",
    "split_sentences",
]

_TAG_RE = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]+>", re.S | re.I)
_BLOCK_RE = re.compile(r"</?(p|div|br|li|h[1-6]|tr|blockquote|section|article)\b[^>]*>", re.I)
_SPACES_RE = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES_RE = re.compile(r"\n\s*\n+")
# Zero-width and BOM characters carry no meaning but break matching.
_INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def html_to_text(value: str) -> str:
    """Strip tags from an HTML fragment, keeping block boundaries as line breaks."""
    if "<" not in value and "&" not in value:
        return value
    value = _BLOCK_RE.sub("\n", value)
    value = _TAG_RE.sub(" ", value)
    return html.unescape(value)


def normalise_text(value: str) -> str:
    """Unicode NFC, HTML removed, runs of spaces folded, paragraphs kept as single newlines."""
    value = html_to_text(value)
    value = unicodedata.normalize("NFC", value)
    value = _INVISIBLE_RE.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    value = _SPACES_RE.sub(" ", value)
    value = "\n".join(line.strip() for line in value.split("\n"))
    return _BLANK_LINES_RE.sub("\n", value).strip()


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a normalised text and its character span in that text."""

    text: str
    start: int
    end: int


# A sentence ends at . ! ? … (or their CJK forms) followed by space and an opening
# character of a new sentence, or at a line break. Common abbreviations do not end one.
# Some pages drop the space after a full stop ("by Pyongyang.A defense official"): a lowercase
# letter, a full stop and a capitalised word end a sentence too.
_SENT_END_RE = re.compile(
    r"""(?<=[.!?…。！？])["'”’»)\]]*\s+(?=["'“‘«(\[]*[A-ZА-ЯЁ0-9\uac00-\ud7a3])|\n+"""
    r"""|(?<=[a-zа-яё][.!?])(?=[A-ZА-ЯЁ][a-zа-яё ])"""
)
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt sgt st jr sr inc ltd co corp vs etc jan feb mar
    apr jun jul aug sep sept oct nov dec no u.s u.n u.k e.g i.e г гг т.е т.д т.п им ул
    """.split()
)


def split_sentences(text: str) -> list[Sentence]:
    """Split a normalised text into sentences with their spans (title lines are sentences too)."""
    sentences: list[Sentence] = []
    start = 0
    for match in _SENT_END_RE.finditer(text):
        candidate = text[start : match.start()]
        if "\n" not in match.group(0) and _ends_with_abbreviation(candidate):
            continue
        _append(sentences, text, start, match.start())
        start = match.end()
    _append(sentences, text, start, len(text))
    return sentences


def _ends_with_abbreviation(candidate: str) -> bool:
    words = candidate.rstrip("\"'”’»)] ").split()
    if not words:
        return False
    last = words[-1].rstrip(".").lower()
    # Single capital initials ("Kim J. Un") are not sentence ends either.
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def _append(out: list[Sentence], text: str, start: int, end: int) -> None:
    raw = text[start:end]
    stripped = raw.strip()
    if stripped:
        offset = start + (len(raw) - len(raw.lstrip()))
        out.append(Sentence(stripped, offset, offset + len(stripped)))


_TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z]+|fbclid|gclid|dclid|mc_cid|mc_eid|yclid|_ga|igshid|ref|ref_src|cmpid|ocid|"
    r"output|amp|outputType|__twitter_impression)$",
    re.I,
)
_MOBILE_HOST_RE = re.compile(r"^(m|mobile|amp|www)\.", re.I)


def canonical_url(url: str | None) -> str | None:
    """A canonical form of an article URL: https, no www/m/amp host prefix, no tracking
    parameters, no fragment, no trailing slash or /amp suffix. None for a non-http URL."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    while _MOBILE_HOST_RE.match(host) and host.count(".") > 1:
        host = _MOBILE_HOST_RE.sub("", host, count=1)
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = re.sub(r"/+", "/", parts.path or "/")
    path = re.sub(r"(/amp|\.amp)(\.html?)?$", r"\2", path, flags=re.I)
    if path.endswith("/amp/"):
        path = path[: -len("amp/")]
    path = path.rstrip("/") or "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING_PARAMS.match(k)
    ]
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


_HASH_STRIP_RE = re.compile(r"[\W_]+", re.UNICODE)


def content_hash(title: str, body: str) -> str:
    """Hash of the body's words, case-folded, ignoring punctuation, quotes and whitespace.

    The title is left out on purpose: outlets rewrite headlines of the same wire text.
    """
    basis = body if body.strip() else title
    folded = _HASH_STRIP_RE.sub(" ", unicodedata.normalize("NFKC", basis).casefold()).strip()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:32]


def article_id_for(url: str | None, title: str, body: str) -> str:
    """The article id: hash of the canonical URL, else of the content."""
    canon = canonical_url(url)
    if canon:
        return "u" + hashlib.sha256(canon.encode("utf-8")).hexdigest()[:23]
    return "c" + content_hash(title, body)[:23]
