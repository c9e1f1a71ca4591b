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

from selectolax.lexbor import LexborHTMLParser

__all__ = [
    "TRACKING_PARAMS",
    "Sentence",
    "SentenceSpan",
    "article_id_for",
    "canonical_url",
    "content_hash",
    "html_to_text",
    "korean_if",
    "normalise_text",
    "sentence_spans",
    "split_sentences",
]

# Elements whose start and end are line breaks in the text; elements whose content is not text.
_BLOCKS = (
    "p, div, br, li, h1, h2, h3, h4, h5, h6, tr, td, th, dt, dd, blockquote, section, article, "
    "header, footer, figure, figcaption, table, ul, ol, hr"
)
_NOT_TEXT = "script, style, template, noscript"
_SPACES_RE = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# The spaces above other than a plain one: without them and without two spaces in a row,
# folding runs of spaces changes nothing.
_OTHER_SPACES_RE = re.compile(r"[\t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_BLANK_LINES_RE = re.compile(r"\n\s*\n+")
# Zero-width and BOM characters carry no meaning but break matching.
_INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_SPECIAL_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff\t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]")


def html_to_text(value: str) -> str:
    """Strip tags from an HTML fragment, keeping block boundaries as line breaks.

    An HTML5 parser (lexbor, through selectolax) does it in time linear in the input, whatever
    the input: unclosed tags, a megabyte of `<script`, comments that never end."""
    if "<" not in value:
        return html.unescape(value) if "&" in value else value
    tree = LexborHTMLParser(value)
    for node in tree.css(_NOT_TEXT):
        node.decompose()
    for node in tree.css(_BLOCKS):
        node.insert_before("\n")
        node.insert_after("\n")
    return tree.text(separator="")


def normalise_text(value: str) -> str:
    """Unicode NFC, HTML removed, runs of spaces folded, paragraphs kept as single newlines."""
    value = html_to_text(value)
    value = unicodedata.normalize("NFC", value)
    if "\u318d" in value:
        # The Korean press types its interpunct as the letter arae-a (ㆍ, a word character):
        # "나진ㆍ하산" is two names, as "나진·하산" is.
        value = value.replace("\u318d", "\u00b7")
    # One search tells whether there is anything for the two substitutions below to do.
    special = _SPECIAL_RE.search(value) is not None
    if special:
        value = _INVISIBLE_RE.sub("", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "  " in value or (special and _OTHER_SPACES_RE.search(value)):
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


# Where a match of _SENT_END_RE can start: at a line break, or just after one of the
# characters its lookbehinds require.
_SENT_CANDIDATES = ".!?…。！？\n"

# A sentence as plain values: its text, start and end.
SentenceSpan = tuple[str, int, int]


# A Korean verb in the conditional ("결정한다면", "보낸다면"): a hypothesis.
_KOREAN_IF_RE = re.compile(r"[\uac00-\ud7a3]다면(?![\uac00-\ud7a3])")


def korean_if(text: str) -> bool:
    """Whether the text holds a Korean verb in the conditional (…한다면: "if it does")."""
    return "다면" in text and _KOREAN_IF_RE.search(text) is not None


def split_sentences(text: str) -> list[Sentence]:
    """Split a normalised text into sentences with their spans (title lines are sentences too)."""
    return [Sentence(*span) for span in sentence_spans(text)]


def sentence_spans(text: str) -> list[SentenceSpan]:
    """`split_sentences` as plain (text, start, end) tuples."""
    sentences: list[SentenceSpan] = []
    start = 0
    for match in _sentence_ends(text):
        candidate = text[start : match.start()]
        if "\n" not in match.group(0) and _ends_with_abbreviation(candidate):
            continue
        _append(sentences, text, start, match.start())
        start = match.end()
    _append(sentences, text, start, len(text))
    return sentences


def _sentence_ends(text: str) -> list[re.Match]:
    """The matches of `_SENT_END_RE.finditer(text)`, found faster: the pattern is tried only
    where a match can start (a regular-expression scan of every position costs more than the
    rest of the sentence splitting). A match may be empty (the missing-space case); a match
    never starts where an empty one did, and the next search starts after it."""
    out = []
    search_from = 0  # where finditer would search next
    tried = -1
    for at in _candidates(text):
        position = at if text[at] == "\n" else at + 1
        if position < search_from or position <= tried:
            continue
        tried = position
        match = _SENT_END_RE.match(text, position)
        if match is not None:
            out.append(match)
            search_from = match.end() if match.end() > position else position + 1
    return out


def _candidates(text: str) -> list[int]:
    """The positions of the characters of `_SENT_CANDIDATES` in `text`, in order: a `find`
    loop per character is quicker than one pass of a character-class pattern."""
    found = []
    for char in _SENT_CANDIDATES:
        at = text.find(char)
        while at >= 0:
            found.append(at)
            at = text.find(char, at + 1)
    found.sort()
    return found


def _ends_with_abbreviation(candidate: str) -> bool:
    words = candidate.rstrip("\"'”’»)] ").rsplit(None, 1)
    if not words:
        return False
    last = words[-1].rstrip(".").lower()
    # Single capital initials ("Kim J. Un") are not sentence ends either.
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def _append(out: list[SentenceSpan], text: str, start: int, end: int) -> None:
    raw = text[start:end]
    stripped = raw.strip()
    if stripped:
        offset = start + (len(raw) - len(raw.lstrip()))
        out.append((stripped, offset, offset + len(stripped)))


TRACKING_PARAMS = re.compile(
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
        if not TRACKING_PARAMS.match(k)
    ]
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


_HASH_STRIP_RE = re.compile(r"[\W_]+", re.UNICODE)


def content_hash(title: str, body: str, body_words: list[str] | None = None) -> str:
    """Hash of the body's words, case-folded, ignoring punctuation, quotes and whitespace.

    The title is left out on purpose: outlets rewrite headlines of the same wire text.
    `body_words`, when given, are the words of `body` as `streams.phrases.Tokens` has them
    (lowercased); the hash is then taken from them when that gives the same value.
    """
    folded = _fold_words(body, body_words) if body_words is not None and body else None
    if folded is None:
        basis = body if body.strip() else title
        folded = unicodedata.normalize("NFKC", basis).casefold()
        folded = _HASH_STRIP_RE.sub(" ", folded).strip()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:32]


def _fold_words(body: str, body_words: list[str]) -> str | None:
    """The hash basis of `body` from its lowercased words, or None when that could differ.

    The hash basis is the body NFKC-normalised and case-folded, in runs of letters and digits
    (str.isalnum) joined by single spaces. From the words it is the same when:
    - the body is NFKC already, so only case folding applies;
    - it holds no underscore, a word character of the tokens that the hash removes: the runs
      of letters and digits are then its words, and the words are letters and digits;
    - it holds no İ, lowercased with a combining mark (not a letter) in the words;
    - folding keeps the length of the words: a letter that folds to something other than
      letters and digits (ǰ, ΐ) folds to several characters, so each word stays one run;
    - no other character folds to a letter or digit: U+0345 (combining ypogegrammeni, folded to
      ι) is the only one;
    and because case folding maps each character on its own (never to nothing), folding a
    lowercased character gives what folding the character gives (σ and ς alike), and
    folding a string folds each character: tests/unit/test_fast_paths.py checks these for
    every code point.
    """
    if "_" in body or "\u0345" in body or "İ" in body:
        return None
    if not unicodedata.is_normalized("NFKC", body):
        return None
    joined = " ".join(body_words)
    if joined.isascii():
        return joined  # lowercased ASCII folds to itself
    folded = joined.casefold()
    return folded if len(folded) == len(joined) else None


def article_id_for(url: str | None, title: str, body: str) -> str:
    """The article id: hash of the canonical URL, else of the content."""
    canon = canonical_url(url)
    if canon:
        return "u" + hashlib.sha256(canon.encode("utf-8")).hexdigest()[:23]
    return "c" + content_hash(title, body)[:23]
