"""Near-duplicate fingerprints: MinHash signatures over word shingles, and LSH band keys.

Computed in the parallel analyze stage; the stories stage only looks the band keys up.
A signature is `NUM_PERM` 32-bit minima of a universal hash family (Broder's MinHash) over the
word 3-shingles of the article's body, boilerplate lines left out. The share of equal
positions in two signatures estimates the Jaccard similarity of the two shingle sets.
"""

from __future__ import annotations

import base64
import re
import zlib

import numpy as np

from streams.phrases import Token, VocabularyColumn

__all__ = [
    "BANDS",
    "NUM_PERM",
    "ROWS",
    "band_keys",
    "decode_signature",
    "encode_signature",
    "estimate_jaccard",
    "shingle_hashes",
    "signature",
    "strip_boilerplate",
    "vocabulary_shingle_hashes",
    "word_shingle_hashes",
]

NUM_PERM = 64
# 32 bands of 2 rows: a pair with Jaccard 0.4 shares a band key 99.6% of the time, one with 0.1
# 27% of the time (the signatures then tell them apart). docs/stories.md has the measurements.
BANDS, ROWS = 32, 2
SHINGLE = 3
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)
_SHIFT61 = np.uint64(61)
_rng = np.random.RandomState(20260101)  # fixed: every worker must compute the same signatures
_A = _rng.randint(1, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_B = _rng.randint(0, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_K1, _K2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)
_A_COLUMN, _B_COLUMN = _A[:, None].copy(), _B[:, None].copy()
_WORD_HASHES: dict[str, int] = {}

# Lines that outlets add around a wire text: they say nothing about the story.
_BOILERPLATE_RE = re.compile(
    r"^\s*(read more|read also|see also|related:|subscribe|follow us|sign up|share this|"
    r"editor's note|editor’s note|this (?:article|report|story) (?:was|is) |"
    r"copyright|©|all rights reserved|читайте также|подписывайтесь|источник:|"
    r"무단 전재|저작권자|ⓒ|\(c\) )",
    re.I,
)
# "SEOUL, Nov. 26 (Yonhap) --", "MOSCOW, November 26. /TASS/.", "By Jane Doe": datelines and
# bylines at the start of a body.
_DATELINE_RE = re.compile(
    r"^\s*(?:by [^\n]{2,60}\n|[A-ZА-Я][A-ZА-Я .'-]{2,30},? [^\n]{0,40}?(?:\(\w+\)|/\w+/\.?)?\s*"
    r"(?:--|—|–|-)\s)",
)


def strip_boilerplate(body: str) -> str:
    """The body without footer lines ("Read more on ...") and a leading dateline or byline."""
    lines = [line for line in body.split("\n") if not _BOILERPLATE_RE.match(line)]
    return _DATELINE_RE.sub("", "\n".join(lines), count=1)


def shingle_hashes(tokens: list[Token] | list[str]) -> np.ndarray:
    """32-bit hashes of the word 3-shingles of a token list (the words themselves if fewer)."""
    return word_shingle_hashes([t[0] if isinstance(t, tuple) else t for t in tokens])


def word_shingle_hashes(words: list[str], distinct: bool = True) -> np.ndarray:
    """`shingle_hashes` of a list of words. With `distinct=False` the hashes are left unsorted
    and may repeat: `signature` gives the same result for them, sooner."""
    if not words:
        return np.empty(0, dtype=np.uint64)
    if len(_WORD_HASHES) > 500_000:  # words repeat: remember their hashes, within bounds
        _WORD_HASHES.clear()
    known = _WORD_HASHES
    values = list(map(known.get, words))
    if None in values:
        for index, value in enumerate(values):
            if value is None:
                word = words[index]
                values[index] = known[word] = zlib.crc32(word.encode("utf-8"))
    return _shingles(np.array(values, dtype=np.uint64), distinct)


# The words' hashes by their ids in `streams.phrases.VOCABULARY`.
_VOCABULARY_HASHES = VocabularyColumn(lambda word: zlib.crc32(word.encode("utf-8")), np.uint64)


def vocabulary_shingle_hashes(ids: np.ndarray, distinct: bool = True) -> np.ndarray:
    """`word_shingle_hashes` of words given by their ids in `streams.phrases.VOCABULARY`
    (as `Tokens.ids` gives them): the word hashes come from a table, not one by one."""
    if not len(ids):
        return np.empty(0, dtype=np.uint64)
    return _shingles(_VOCABULARY_HASHES.update()[ids], distinct)


def _shingles(hashes: np.ndarray, distinct: bool) -> np.ndarray:
    if len(hashes) < SHINGLE:
        return hashes
    with np.errstate(over="ignore"):
        mixed = hashes[:-2] * _K1 + hashes[1:-1] * _K2 + hashes[2:]
    mixed ^= mixed >> np.uint64(29)
    mixed &= _MAX32
    return np.unique(mixed) if distinct else mixed


def signature(shingles: np.ndarray) -> np.ndarray | None:
    """The MinHash signature (NUM_PERM uint32) of a set of shingle hashes; None if empty.

    Permutation j, shingle x: ((A[j] * x + B[j]) mod 2**64) mod (2**61 - 1), low 32 bits. The
    remainder is taken without a division: 2**61 = 1 modulo 2**61 - 1, so the top three bits
    fold onto the low 61, and one subtraction brings the sum below the modulus. Rows are
    permutations (the minimum runs along contiguous memory).
    """
    if shingles.size == 0:
        return None
    with np.errstate(over="ignore"):
        permuted = _A_COLUMN * shingles
        permuted += _B_COLUMN
    high = permuted >> _SHIFT61
    permuted &= _MERSENNE
    permuted += high
    np.subtract(permuted, _MERSENNE, out=permuted, where=permuted >= _MERSENNE)
    permuted &= _MAX32
    return permuted.min(axis=1).astype(np.uint32)


def encode_signature(sig: np.ndarray) -> str:
    return base64.b64encode(sig.astype("<u4").tobytes()).decode("ascii")


def decode_signature(value: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(value), dtype="<u4")


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


def band_keys(sig: np.ndarray) -> list[int]:
    """One key per LSH band: two signatures that agree on all rows of a band share its key.

    A key is the band number and a 32-bit hash of its rows in one integer (small in memory
    and as a JSON table key)."""
    data = sig.astype("<u4").tobytes()  # band b is bytes [4 * ROWS * b, 4 * ROWS * (b + 1))
    size = 4 * ROWS
    return [
        (band << 32) | zlib.crc32(data[band * size : (band + 1) * size]) for band in range(BANDS)
    ]
