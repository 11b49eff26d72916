"""Fingerprint mention texts so that syndicated copies of one story can be grouped.

The same wire story runs on many feeds, a post is reposted word for word, a headline is
quoted with a different link: each is a mention of its own, but "how much was said" counts
the story once. Each text gets a MinHash signature of its word 3-shingles (lower-cased, links,
handles and punctuation removed), cut into bands for lookup: two texts sharing a band are
candidates, and they are copies when their signatures agree on `SIMILAR` of the hashes,
an estimate of the Jaccard similarity of their shingles.
"""

from __future__ import annotations

import html
import re
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
from brandpulse.store.records import Fingerprint

# 64 hashes in 16 bands of 4: texts 80% alike share a band with probability 0.9998,
# texts 30% alike with probability 0.12 (the signature check then rejects them).
HASHES = 64
ROWS = 4
SIMILAR = 0.8
# Shorter texts are not fingerprinted: two people writing "love my new Norvelo!" are two
# mentions, not one story.
MIN_WORDS = 8
SHINGLE = 3
# Multiply-add-shift hashing of 32-bit shingle keys: (a*x + b mod 2^64) >> 32, a odd.
_rng = np.random.default_rng(20261130)
_A = _rng.integers(0, 1 << 63, HASHES, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _rng.integers(0, 1 << 63, HASHES, dtype=np.uint64)
_LINK = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\bRT\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Return the text's words, lower-cased, without links, @handles, #tags and 'RT'."""
    return _WORD.findall(_LINK.sub(" ", html.unescape(text)).lower())


def signature(text: str) -> np.ndarray | None:
    """Return the MinHash signature of a text's word shingles, None for a short text."""
    found = words(text)
    if len(found) < MIN_WORDS:
        return None
    shingles = {" ".join(found[i : i + SHINGLE]) for i in range(len(found) - SHINGLE + 1)}
    keys = np.array([zlib.crc32(s.encode()) for s in shingles], dtype=np.uint64)
    mixed = (_A[:, None] * keys[None, :] + _B[:, None]) >> np.uint64(32)
    return mixed.min(axis=1)


def bands(sig: np.ndarray) -> list[int]:
    """Return one lookup key per band of the signature (band number mixed in)."""
    out = []
    for number, start in enumerate(range(0, HASHES, ROWS)):
        chunk = sig[start : start + ROWS].tobytes()
        out.append((number << 56) | (zlib.crc32(chunk) << 24) | (zlib.adler32(chunk) & 0xFFFFFF))
    return out


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Return the share of hashes two signatures agree on (estimates Jaccard similarity)."""
    return float(np.mean(np.asarray(a, dtype=np.uint64) == np.asarray(b, dtype=np.uint64)))


def alike_enough(fp: Fingerprint, other: Sequence[int]) -> bool:
    """Return True when a fingerprint and another signature are copies of one story."""
    return similarity(fp.signature, other) >= SIMILAR


def fingerprints(items: Sequence[tuple[str, str]]) -> list[Fingerprint]:
    """Return the fingerprints of (mention id, text) pairs, leaving out short texts."""
    out = []
    for mention_id, text in items:
        sig = signature(text)
        if sig is not None:
            out.append(Fingerprint(mention_id, tuple(int(v) for v in sig), tuple(bands(sig))))
    return out


def link(
    prints: Sequence[Fingerprint],
    stored: Sequence[tuple[str, str, Sequence[int]]],
    published: Mapping[str, datetime],
    window: timedelta = timedelta(days=14),
) -> dict[str, str]:
    """Return each fingerprint's original: the mention whose story it repeats, else itself.

    `stored` holds (new mention id, original of a stored candidate, candidate's signature),
    candidates ordered oldest first; fingerprints of the same batch are matched against the
    ones published before them.
    """
    by_new: dict[str, list[tuple[str, Sequence[int]]]] = {}
    for new_id, original, sig in stored:
        by_new.setdefault(new_id, []).append((original, sig))
    far = datetime.max.replace(tzinfo=UTC)
    order = sorted(prints, key=lambda p: (published.get(p.mention_id, far), p.mention_id))
    originals: dict[str, str] = {}
    seen: dict[int, list[Fingerprint]] = {}
    for fp in order:
        alike = (o for o, sig in by_new.get(fp.mention_id, ()) if alike_enough(fp, sig))
        found = next(alike, None)
        if found is None:
            when = published.get(fp.mention_id, far)
            earlier = {o.mention_id: o for band in fp.bands for o in seen.get(band, ())}
            for other in earlier.values():
                gap = abs(published.get(other.mention_id, far) - when)
                if gap <= window and alike_enough(fp, other.signature):
                    found = originals[other.mention_id]
                    break
        originals[fp.mention_id] = found or fp.mention_id
        for band in fp.bands:
            seen.setdefault(band, []).append(fp)
    return originals
