"""The fast paths of the analyze stage give what the simple code they replaced gave.

Each reference below is the earlier, simpler implementation: the phrase matcher's
token-by-token walk (tests/unit/_reference_phrases.py), `tokenize` by `finditer`, sentence
splitting by `finditer`, the content hash by one substitution, `words(strip_boilerplate(body))`,
and the MinHash signature by a `%` on every row.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import tomllib
import unicodedata
import zlib

import numpy as np
import pytest

from streams import fingerprints, text
from streams.actors import default_matcher
from streams.catalogue import seeds_dir
from streams.phrases import PhraseMatcher, Tokens, tokenize, words
from streams.signals import _CONTEXT_KINDS, _IGNORE, _SHADOW, _SHADOW_KINDS, default_cuebook
from tests.unit import _reference_phrases

# ----------------------------------------------------------------------------- references

_TOKEN_RE = re.compile(r"\w+")


def reference_tokenize(value: str) -> list[tuple[str, int, int]]:
    return [(m.group(0).lower(), m.start(), m.end()) for m in _TOKEN_RE.finditer(value)]


ReferenceMatcher = _reference_phrases.PhraseMatcher


def fields(matches) -> list[tuple]:
    return [(m.start, m.end, m.payloads, m.first_token, m.token_count) for m in matches]


_SENT_END_RE = text._SENT_END_RE


def reference_sentences(value: str) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    start = 0

    def append(begin: int, end: int) -> None:
        raw = value[begin:end]
        stripped = raw.strip()
        if stripped:
            offset = begin + (len(raw) - len(raw.lstrip()))
            out.append((stripped, offset, offset + len(stripped)))

    for match in _SENT_END_RE.finditer(value):
        candidate = value[start : match.start()]
        if "\n" not in match.group(0):
            found = candidate.rstrip("\"'”’»)] ").split()
            if found:
                last = found[-1].rstrip(".").lower()
                if last in text._ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                    continue
        append(start, match.start())
        start = match.end()
    append(start, len(value))
    return out


def reference_content_hash(title: str, body: str) -> str:
    import hashlib

    basis = body if body.strip() else title
    folded = re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", basis).casefold()).strip()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:32]


def reference_signature(shingles: np.ndarray) -> np.ndarray | None:
    if shingles.size == 0:
        return None
    with np.errstate(over="ignore"):
        permuted = (
            (np.outer(shingles, fingerprints._A) + fingerprints._B) % fingerprints._MERSENNE
        ) & fingerprints._MAX32
    return permuted.min(axis=0).astype(np.uint32)


# ----------------------------------------------------------------------------- random texts

_TRICKY = [
    "Kim Jong Un",
    "KIM JONG-UN",
    "Kim Jong-un",
    "Kim.Jong.Un",
    "Kim  -  Jong Un",
    "kim jong un",
    "KCNA",
    "Kcna",
    "kcna",
    "FSB",
    "fsb",
    "DPRK",
    "D.P.R.K.",
    "dprk",
    "РФ",
    "рф",
    "КНДР",
    "Путин",
    "Путина",
    "Путиными",
    "Путинымиии",
    "путинский",
    "Кремль",
    "Кремлём",
    "Кремлевск",
    "북한",
    "북한군",
    "북한군이",
    "남북한",
    "북·러",
    "북러",
    "러시아",
    "러시아와",
    "조선민주주의인민공화국",
    "North Korea",
    "North Korea's",
    "North Korean",
    "the North",
    "the North’s",
    "the two countries",
    "Russia",
    "Russian",
    "Russia's",
    "Russia’s",
    "Russias",
    "troops",
    "soldiers",
    "soldier",
    "arms trade",
    "trade",
    "satellite imagery",
    "Telegram",
    "Σίγμα",
    "ΟΔΟΣ",
    "İstanbul",
    "ǰ",
    "ﬁnal",
    "Straße",
    "ΐ",
    "a\u0345",
    "snake_case",
    "x_y",
    "ÅNGSTRÖM",
    "Ⅷ",
    "①",
    "٣",
    "Mr.",
    "U.S.",
    "e.g.",
    "Kim J.",
    "Gen.",
    "г.",
    "т.е.",
    "…",
    "—",
    "«Росси»",
    "“quoted”",
    "'single'",
    "(paren)",
]
_JOINERS = [" ", " ", " ", "-", "'", ".", "  ", " - ", "\n", ", ", "·", "’", "–", ". ", "! ",
            "? ", "\n\n", " . ", ".\n", "。", "！", "?\" ", ".) ", "\t", "_", ",", "/", ":",
            "\u00a0"]  # fmt: skip


def random_texts(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    phrases = list(_TRICKY)
    data = tomllib.loads((seeds_dir() / "signals.toml").read_text(encoding="utf-8"))
    for cue in data["cues"]:
        phrases += [p.replace("*", rng.choice(["", "а", "ами", "ого", "ованиями"])) for p in
                    cue.get("en", []) + cue.get("ru", []) + cue.get("ko", [])]  # fmt: skip
    for values in data["context"].values():
        phrases += values
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(0, 80)):
            word = rng.choice(phrases)
            word = rng.choice([str, str, str.upper, str.lower, str.title])(word)
            parts += [word, rng.choice(_JOINERS)]
        out.append("".join(parts))
    return out


# ----------------------------------------------------------------------------- tests


def test_tokens_are_the_tokens_of_finditer():
    # Beyond the Basic Multilingual Plane (𝐀 is a word character, 😀 is not) and lone
    # surrogates, as JSON may carry them.
    extra = ["𝐀𝐁 Kim 😀 Putin", "a\ud800b \udfff", "\ud83d\ude00x", "𝐀"]
    for value in random_texts(200) + ["", "   ", "_", "a", "ΟΔΟΣ.Α İi", *extra]:
        tokens = Tokens.of(value)
        assert tokenize(value) == reference_tokenize(value)
        assert list(tokens) == reference_tokenize(value)
        assert [tokens[i] for i in range(len(tokens))] == reference_tokenize(value)


@pytest.mark.parametrize(
    "items, value",
    [
        # Latin and Cyrillic whole words, stems of up to six more letters.
        ([("Russia", "rus"), ("Росси*", "rus")], "Russias Russia Россия Российской Россиянинами"),
        ([("Путин*", "p"), ("мост*", "b")], "Путиным мостостроительный Путина-мост"),
        # Hangul: the last word takes any particle, the longer word wins.
        ([("북한", "prk"), ("북한군", "kpa")], "북한군이 북한의 남북한 북한군"),
        # Capitals only match in capitals; other phrases in any case.
        (
            [("FSB", "f"), ("KCNA", "k"), ("Kim Jong Un", "kju")],
            "FSB fsb Fsb KCNA's kcna KIM JONG UN",
        ),
        # Joiners between words, and what is not one.
        (
            [("Kim Jong Un", "kju")],
            "Kim Jong-un; Kim.Jong.Un; Kim, Jong Un; Kim - Jong Un; Kim_Jong Un",
        ),
        ([("Kim Jong Un", "kju")], "Kim,Jong Un Kim/Jong Un Kim:Jong Un Kim\tJong\nUn Kim·Jong’Un"),
        # Longest match first; identical phrases report every payload.
        ([("arms trade", "m"), ("trade", "e"), ("trade", "o")], "arms trade and trade, arms"),
        ([("the North", "prk"), ("the", "x"), ("North Korea", "prk")], "the North Korea the north"),
        # Longer phrases told apart by their third word (and a stem as third word).
        (
            [
                ("North Korea", "prk"),
                ("North Korea's", "prk"),
                ("North Korea's army", "kpa"),
                ("North Korea's Foreign Ministry", "mfa"),
                ("North Korea вооружени*", "arms"),
            ],
            "North Korea's Foreign Ministry; North Korea's army. North Korea's North Korea "
            "North Korea вооружениями North Korea's",
        ),  # fmt: skip
    ],
)
def test_matcher_finds_what_the_reference_finds(items, value):
    fast = fields(PhraseMatcher(items).find(value))
    assert fast == fields(ReferenceMatcher(items).find(value))
    assert fast  # every case finds something


def test_the_word_character_table_is_the_regular_expression_s():
    from streams.phrases import _WORD_UNITS

    found = [bool(_TOKEN_RE.fullmatch(chr(code))) for code in range(0x10000)]
    assert _WORD_UNITS.tolist() == found
    # `Tokens.of` splits on whitespace once the other characters are spaces: no word
    # character is whitespace.
    assert not any(chr(code).isspace() for code in range(0x10000) if found[code])


def test_seed_matchers_find_what_the_reference_finds_on_random_texts():
    actors = default_matcher()
    actor_items = [(alias, a.id) for a in actors.actors.values() for alias in a.aliases]
    cuebook = default_cuebook()
    data = tomllib.loads((seeds_dir() / "signals.toml").read_text(encoding="utf-8"))
    context = data["context"]
    context_items = [(p, kind) for kind in _CONTEXT_KINDS for p in context.get(kind, [])]
    context_items += [(p, _SHADOW) for kind in _SHADOW_KINDS for p in context.get(kind, [])]
    cue_items = []
    for cue, entry in zip(cuebook.cues, data["cues"], strict=True):
        cue_items += [(p, cue) for lang in ("en", "ru", "ko") for p in entry.get(lang, [])]
    cue_items += [(p, _IGNORE) for p in context.get("ignore", [])]
    pairs = [
        (actors._phrases, ReferenceMatcher(actor_items)),
        (cuebook._cue_phrases, ReferenceMatcher(cue_items)),
        (cuebook._context_phrases, ReferenceMatcher(context_items)),
    ]
    for value in random_texts(120, seed=11):
        tokens = Tokens.of(value)
        for fast, reference in pairs:
            found = fields(fast.find(value, tokens))
            assert found == fields(reference.find(value))
            assert found == fields(fast.find(value))
            assert found == fields(fast.find(value, reference_tokenize(value)))


def test_sentences_are_those_of_finditer():
    values = random_texts(300, seed=3) + [
        "A.B", "Kim J. Un met Mr. Putin. Then he left.", "by Pyongyang.A defense official said",
        "“Yes.” “No.”\n\nNext", "끝났다. 다음 문장", "Он сказал.Потом", "a.\n", ".", "...A",
        "?!A b",
    ]  # fmt: skip
    for value in values:
        assert text.sentence_spans(value) == reference_sentences(value)
        assert [(s.text, s.start, s.end) for s in text.split_sentences(value)] == (
            reference_sentences(value)
        )


def test_content_hash_from_the_words_is_the_hash_of_the_body():
    extra = ["ǰava", "ΐ", "a\u0345b", "snake_case", "ﬁnal", "Straße", "İstanbul", "ΟΔΟΣ.Α", "x"]
    extra += ["Plain ASCII, UPPER and lower 123.", "Kim’s “quoted” words — ASCII words"]
    for value in random_texts(200, seed=5) + extra:
        body = text.normalise_text(value)
        body_words = Tokens.of(body).words
        expected = reference_content_hash("Title", body)
        assert text.content_hash("Title", body) == expected
        assert text.content_hash("Title", body, body_words) == expected


def test_lowercasing_word_by_word_is_lowercasing_the_text_but_for_sigma_and_dotted_i():
    # `analyze._body_words` relies on this for every code point of this Python's Unicode.
    for code in range(0x110000):
        char = chr(code)
        if char in "Σİ":
            continue
        lower = char.lower()
        assert len(lower) == 1, hex(code)
        assert (char.isalnum() or char == "_") == (lower.isalnum() or lower == "_"), hex(code)


def test_body_words_are_the_words_of_the_stripped_body():
    from streams.analyze import _stripped_words

    bodies = random_texts(200, seed=9) + [
        "SEOUL, Nov. 26 (Yonhap) -- North Korea said", "Read more: x\nBody text", "ΟΔΟΣ'Α",
    ]  # fmt: skip
    for value in bodies:
        body = text.normalise_text(value)
        expected = words(fingerprints.strip_boilerplate(body))
        found = _stripped_words(body)
        assert (Tokens.of(body).words if found is None else found) == expected


def test_word_hashes_by_vocabulary_id_are_the_word_hashes():
    for value in random_texts(60, seed=17) + ["", "a", "a b"]:
        tokens = Tokens.of(value)
        for distinct in (True, False):
            assert np.array_equal(
                fingerprints.vocabulary_shingle_hashes(tokens.ids(), distinct),
                fingerprints.word_shingle_hashes(tokens.words, distinct),
            )


def test_a_full_vocabulary_starts_again_and_matchers_follow():
    from streams.phrases import VOCABULARY

    matcher = PhraseMatcher([("North Korea", "prk"), ("Russia", "rus")])
    reference = ReferenceMatcher([("North Korea", "prk"), ("Russia", "rus")])
    limit, generation = VOCABULARY.limit, VOCABULARY.generation
    VOCABULARY.limit = 60
    try:
        for value in random_texts(40, seed=19) + ["North Korea and Russia"]:
            tokens = Tokens.of(value)
            assert fields(matcher.find(value, tokens)) == fields(reference.find(value))
            assert np.array_equal(
                fingerprints.vocabulary_shingle_hashes(tokens.ids(), False),
                fingerprints.word_shingle_hashes(tokens.words, False),
            )
        assert VOCABULARY.generation > generation
    finally:
        VOCABULARY.limit = limit


def test_signature_is_the_reference_signature():
    rng = np.random.default_rng(1)
    mersenne = int(fingerprints._MERSENNE)
    edge = np.array(
        [0, 1, 2**32 - 1, mersenne - 1, mersenne, mersenne + 1, 2**63, 2**64 - 1], dtype=np.uint64
    )
    for size in (1, 2, 3, 50, 700):
        shingles = np.concatenate([edge, rng.integers(0, 2**64 - 1, size, dtype=np.uint64)])
        assert np.array_equal(fingerprints.signature(shingles), reference_signature(shingles))
    # A row whose 64-bit value x has low 61 bits 2**61 - 2 and high bits 1: x mod (2**61 - 1)
    # is 0, and only the final subtraction gets it there. One such row per permutation whose
    # multiplier is odd (invertible modulo 2**64).
    x = (1 << 61) + (mersenne - 1)
    checked = 0
    for column, (a, b) in enumerate(
        zip(fingerprints._A.tolist(), fingerprints._B.tolist(), strict=True)
    ):
        if a % 2 == 0:
            continue
        row = ((x - b) * pow(a, -1, 1 << 64)) % (1 << 64)
        shingles = np.array([row], dtype=np.uint64)
        fast, reference = fingerprints.signature(shingles), reference_signature(shingles)
        assert reference[column] == 0
        assert np.array_equal(fast, reference)
        checked += 1
    assert checked


def test_signature_of_repeated_unsorted_shingles_is_the_same():
    for value in random_texts(50, seed=13):
        found = words(value)
        assert np.array_equal(
            fingerprints.signature(fingerprints.word_shingle_hashes(found, distinct=False))
            if found
            else np.empty(0),
            fingerprints.signature(fingerprints.shingle_hashes(found)) if found else np.empty(0),
        )


def test_case_folding_is_what_the_content_hash_from_words_assumes():
    # `text._fold_words` relies on these for every code point of this Python's Unicode.
    folds_to_alnum = []
    for code in range(0x110000):
        char = chr(code)
        folded = char.casefold()
        assert folded, hex(code)
        assert char.lower().casefold() == folded, hex(code)
        if not char.isalnum() and any(c.isalnum() for c in folded):
            folds_to_alnum.append(char)
        if char.isalnum() and not folded.isalnum():
            assert len(folded) > 1, hex(code)  # caught by the length check
    assert folds_to_alnum == ["\u0345"]
    assert "ς".casefold() == "σ".casefold() == "Σ".casefold()
    assert "ΟΔΟΣ ΟΔΟΣ".casefold() == " ".join(w.casefold() for w in ("ΟΔΟΣ", "ΟΔΟΣ"))


def reference_normalise(value: str) -> str:
    value = text.html_to_text(value)
    value = unicodedata.normalize("NFC", value)
    value = re.sub(r"[\u200b-\u200d\u2060\ufeff]", "", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = re.sub(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+", " ", value)
    value = "\n".join(line.strip() for line in value.split("\n"))
    return re.sub(r"\n\s*\n+", "\n", value).strip()


def test_normalise_text_is_the_reference():
    rng = random.Random(23)
    pieces = ["a", "Kim", " ", "  ", "\t", "\u00a0", "\u200b", " \u200b ", "\ufeff", "\r\n",
              "\r", "\n", "\n\n", "\u3000", "\u2009", "<p>", "&amp;", "e\u0301", "\f", "\v",
              "."]  # fmt: skip
    values = ["", " ", "\u200b", "a \u200b b", "a\u200b\u200bb", "x \r\n y"]
    values += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(3000)]
    for value in values:
        assert text.normalise_text(value) == reference_normalise(value), repr(value)


def test_band_keys_are_the_crc_of_each_band_of_rows():
    rng = np.random.default_rng(3)
    for _ in range(20):
        sig = rng.integers(0, 2**32, fingerprints.NUM_PERM, dtype=np.uint64).astype(np.uint32)
        rows = sig.astype("<u4").reshape(fingerprints.BANDS, fingerprints.ROWS)
        expected = [(b << 32) | zlib.crc32(rows[b].tobytes()) for b in range(fingerprints.BANDS)]
        assert fingerprints.band_keys(sig) == expected


# ----------------------------------------------------------------------------- frames
class _Always:
    """A literal test that lets every text through (the readers without their cheap tests)."""

    stems = ("",)

    def any_in(self, lowered: str) -> bool:
        return True


def _corpus_sentences() -> list[str]:
    import json

    out = []
    for path in sorted((seeds_dir() / "eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                body = f"{item.get('title') or ''}\n{item.get('body') or ''}"
                out.extend(s for s in re.split(r"(?<=[.!?다])\s+|\n", body) if s.strip())
    return out


def test_dates_and_quantities_read_as_without_the_cheap_tests(monkeypatch):
    """The digit, month-name, Hangul, year and word tests before the date and quantity patterns skip
    only sentences those patterns cannot match, and the patterns that start with a month's name
    match nowhere before the first one: on every sentence of the corpora, the readings are
    those of the readers running every pattern on every sentence from its start."""
    from datetime import date

    from streams import frames

    fast = frames.FrameBook.from_toml(seeds_dir() / "events.toml")
    slow = frames.FrameBook.from_toml(seeds_dir() / "events.toml")
    slow._dates._month_words = slow._dates._fallback_words = _Always()
    slow._dates._fallbacks = [(_Always(), *rest) for _, *rest in slow._dates._fallbacks]
    slow._quantities._vague_words = _Always()
    slow._quantities._worded_literals = slow._quantities._alone_literals = _Always()
    # Every pattern from the start of the sentence, none ruled out for want of a month's name.
    slow._dates._month_start = slow._dates._month_seek = re.compile("")
    slow._dates._from_month = frozenset()
    slow._dates._needs = {}  # the patterns that need other words besides a month's name
    assert len(fast._dates._from_month) == 3
    sentences = _corpus_sentences()
    assert len(sentences) > 3000
    published = date(2024, 11, 20)
    fast_readings = [(fast._dates.read(s, published), fast._quantities.read(s)) for s in sentences]
    # the sentence's words, when given, tell the same about its number words as its text
    assert [fast._quantities.read(s, Tokens.of(s).words) for s in sentences] == [
        found for _, found in fast_readings
    ]
    monkeypatch.setattr(frames, "_DIGIT", re.compile(""))
    monkeypatch.setattr(frames, "_KOREAN_COUNTERS", ("",))
    monkeypatch.setattr(frames, "_HANGUL_KINDS", frozenset())
    monkeypatch.setattr(frames, "_YEAR_KINDS", frozenset())
    slow_readings = [(slow._dates.read(s, published), slow._quantities.read(s)) for s in sentences]
    assert fast_readings == slow_readings
    assert sum(1 for (when, _), _ in fast_readings if when is not None) > 300
    assert sum(1 for _, found in fast_readings if any(q["value"] is None for q in found)) > 20


def _corpus_texts() -> list[str]:
    import json

    out = []
    for path in sorted((seeds_dir() / "eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                title = text.normalise_text(item.get("title") or "")
                body = text.normalise_text(item.get("body") or "")
                out.append(f"{title}\n{body}")
    return out


def test_a_sentence_s_tokens_are_a_window_of_the_text_s_tokens():
    """`Tokens.window` over a sentence's span gives `Tokens.of(sentence)`: no word crosses a
    sentence's edge, and lowercasing the text or the sentence lowercases their words alike."""
    values = _corpus_texts() + [text.normalise_text(v) for v in random_texts(300, seed=29)]
    values += ["ΟΔΟΣ. Σίγμα İstanbul ΟΔΟΣ", "İ. Kim J. Un met Mr. Putin.", "", "."]
    checked = 0
    for value in values:
        tokens = Tokens.of(value)
        if checked % 2:
            tokens.ids()  # windows of tokens with and without their ids at hand
        for sentence, start, end in text.sentence_spans(value):
            expected = Tokens.of(sentence)
            window = tokens.window(start, end)
            assert (window.words, window.starts, window.ends) == (
                expected.words,
                expected.starts,
                expected.ends,
            )
            assert np.array_equal(window.ids(), expected.ids())
            checked += 1
    assert checked > 5000


def test_sentences_read_from_the_text_s_tokens_read_as_on_their_own():
    from datetime import date

    from streams.frames import MAX_SENTENCE_CHARS, default_framebook

    book = default_framebook()
    published = date(2024, 11, 20)
    long_sentence = "North Korea sent troops to Russia and " * 60 + "Putin thanked Kim."
    values = _corpus_texts() + [f"Title\n{long_sentence}"]
    assert len(long_sentence) > MAX_SENTENCE_CHARS
    for value in values:
        tokens = Tokens.of(value)
        for sentence, start, end in text.sentence_spans(value):
            window = tokens.window(start, end)
            assert book.read_sentence(sentence, ["military", "labour"], published, window) == (
                book.read_sentence(sentence, ["military", "labour"], published)
            )


def test_a_literal_test_keeps_only_the_stems_that_hold_no_other():
    from streams.frames import _Literals, default_framebook

    patterns = ["January", "jan", "январ*", "января", "may", "mayday", "Sept", "sep"]
    literals = _Literals(patterns)
    assert literals.stems == ("jan", "may", "sep", "январ")
    every = {p.rstrip("*").lower() for p in patterns}
    for value in ("in january", "on mayday", "septembre", "январе", "june", "feb"):
        assert literals.any_in(value) == any(stem in value for stem in every)
    dates = default_framebook()._dates
    for literals in (dates._month_words, dates._fallback_words):
        for sentence in _corpus_sentences():
            lowered = sentence.lower()
            assert literals.any_in(lowered) == any(stem in lowered for stem in literals.stems)


def test_the_vague_words_literal_test_misses_no_case_insensitive_match():
    """The vague-number pattern matches case-insensitively; its literal test looks at the
    lowercased sentence, and lets through every sentence holding a letter that the pattern
    matches to a letter other than its lowercase (ſ for s, ᲃ for с, ...): for every letter of
    the vague words and every code point, checked here."""
    from streams.frames import _CASE_EXTRAS, default_framebook

    reader = default_framebook()._quantities
    letters = {ch for stem in reader._vague_words.stems for ch in stem if ch.isalpha()}
    everything = "".join(map(chr, range(0x110000)))
    for letter in letters:
        for match in re.finditer(re.escape(letter), everything, re.IGNORECASE):
            if match.group().lower() != letter:
                assert _CASE_EXTRAS.match(match.group()), hex(ord(match.group()))
    assert reader.read("Thouſands of troops arrived.") == [
        {"unit": "troops", "value": None, "text": "Thouſands"}
    ]


def _filter_input(title: str, body: str):
    """(every, title length, text) of an article as the analysis hands them to the filter."""
    from streams.analyze import default_cuebook
    from streams.signals import find_signals

    matcher = default_matcher()
    title, body = text.normalise_text(title), text.normalise_text(body)
    whole = f"{title}\n{body}" if title and body else title or body
    tokens = Tokens.of(whole)
    every: list = []
    find_signals(
        whole, matcher.spans(whole, tokens), text.sentence_spans(whole), matcher,
        default_cuebook(), tokens, every,
    )  # fmt: skip
    return every, len(title), whole


def _filter_inputs(limit: int = 120):
    """`_filter_input` of the tuning articles that the rules find signals in."""
    found = []
    for line in (seeds_dir() / "eval" / "corpus_tune35.jsonl").read_text("utf-8").splitlines():
        item = json.loads(line)
        case = _filter_input(item["title"], item["body"])
        if case[0]:
            found.append(case)
    return found[:limit]


def test_filter_probabilities_from_the_tokens_are_those_from_the_words():
    """The learned filter reads an article's evidence words from its tokens; the features and
    the probabilities are those that `category_features` (what training sees) gives, for the
    committed weights and for weights on every slot, also when the vocabulary starts again
    and when the text holds a Σ that lowercases otherwise in the word than in the sentence."""
    from streams.learned import DIMENSIONS, SignalFilter, default_filter
    from streams.phrases import VOCABULARY

    rng = np.random.default_rng(5)
    models = (default_filter(), SignalFilter(rng.normal(0.0, 0.3, DIMENSIONS), 0.0))
    cases = _filter_inputs()
    assert len(cases) > 20
    sigma = _filter_input("", "North Korea sent ΟΔΟΣ'Β troops to Russia.")
    assert sigma[0] and words("ΟΔΟΣ'Β") != [w.lower() for w in re.findall(r"\w+", "ΟΔΟΣ'Β")]
    cases.append(sigma)
    limit = VOCABULARY.limit
    try:
        for rollover in (False, True):
            if rollover:
                VOCABULARY.limit = 400
            for (every, title_length, whole), model in itertools.product(cases, models):
                slow = model.probabilities(every, title_length, whole)
                fast = model.probabilities(every, title_length, whole, Tokens.of(whole))
                assert fast.keys() == slow.keys()
                for category, value in slow.items():
                    assert fast[category] == pytest.approx(value, abs=1e-9)
    finally:
        VOCABULARY.limit = limit
