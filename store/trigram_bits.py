"""Trigram bits: 512 bits per mention saying which three-letter pieces its title and text hold.

A search word can only be in a text whose bits hold every bit of the word's own pieces, so
a search over a month of millions of mentions first keeps the few whose bits pass (integer
tests, a few ms) and reads only their texts, instead of reading every text of the window.
The ILIKE that follows decides; the bits only leave out texts that cannot match.

Why nothing that matches is left out: ILIKE compares DuckDB's lowercase of each character.
A piece of three ASCII characters in the lowered word appears in the lowered text only
where three text characters lower to those ASCII characters, and `fold` turns each such
character into the same ASCII character (tests/store/test_trigram_bits.py checks every code
point against DuckDB's lower()). Only pieces of three printable ASCII characters are kept,
in texts and words alike: other characters make the candidate set wider, never narrower.
Mentions without bits (NULL: a migration 11 cut short) are always candidates.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pyarrow as pa

WORDS = 8  # 64-bit columns: 512 bits, about a third of them set for a post of 25 words
COLUMNS = tuple(f"trigram_bits_{i}" for i in range(WORDS))
_BITS = 64 * WORDS
# Each piece sets two bits (multiplicative hashing of its 24 bits to a top 9 bits, one of
# 512, with two multipliers): measured on the demo's texts and on generated posts, a
# three-letter word then leaves 6% and 28% fewer candidates than with one bit per piece,
# and words of any length 4-5% fewer.
_CHUNK = 50_000  # texts whose 512 flags a byte each are held at once
_MULTIPLIERS = (np.uint32(0x9E3779B1), np.uint32(0x85EBCA77))
_SHIFT = np.uint32(32 - 9)


def fold(text: str) -> str:
    """Return `text` lowercased so that every character DuckDB lowers to ASCII becomes it.

    Python's lower() agrees with DuckDB's per-character lowercase on every character that
    lowers to ASCII but one: U+0130 (dotted capital I) lowers to two characters here.
    """
    if not text.isascii():
        text = text.replace("\u0130", "i")
    return text.lower()


def bits(texts: Sequence[str | None]) -> np.ndarray:
    """Return each text's trigram bits as a (len(texts), WORDS) array of uint64."""
    # All texts in one byte string, one a line: a few µs per text instead of one numpy
    # call per text. Pieces spanning a line break or a space are never kept.
    joined = "\n".join(fold(t or "").replace("\n", " ") for t in texts).encode()
    data = np.frombuffer(joined, np.uint8)
    owner = np.cumsum(data == ord("\n"), dtype=np.int64)
    printable = (data > ord(" ")) & (data < 128)
    kept = printable[:-2] & printable[1:-1] & printable[2:]
    wide = data.astype(np.uint32)
    pieces = (wide[:-2] << 16) | (wide[1:-1] << 8) | wide[2:]
    pieces, owners = pieces[kept], owner[:-2][kept]
    flags = np.zeros((len(texts), _BITS), np.bool_)
    for multiplier in _MULTIPLIERS:
        flags[owners, ((pieces * multiplier) >> _SHIFT).astype(np.intp)] = True
    return np.packbits(flags, axis=1).view(np.uint64)


def search_mask(words: Sequence[str]) -> tuple[int, ...] | None:
    """Return the bits every text holding all `words` has, or None when they give none.

    Only the words' ASCII characters count (the others become spaces): see the module's
    note on why that never leaves out a match.
    """
    ascii_only = " ".join("".join(c if c.isascii() else " " for c in w) for w in words)
    mask = tuple(int(word) for word in bits([ascii_only])[0])
    return mask if any(mask) else None


def condition(alias: str, mask: tuple[int, ...]) -> str:
    """Return the SQL test that a mentions row (as `alias`) may hold a search of `mask`."""
    tests = [
        f"({alias}.{column} & {value}::UBIGINT) = {value}::UBIGINT"
        for column, value in zip(COLUMNS, mask, strict=True)
        if value
    ]
    return f"({alias}.{COLUMNS[0]} IS NULL OR ({' AND '.join(tests)}))"


def with_bits(batch: pa.Table) -> pa.Table:
    """Return a mentions batch with its trigram bits columns appended (title and text)."""
    parts = [bits([])]
    for start in range(0, batch.num_rows, _CHUNK):
        titles = batch.column("title").slice(start, _CHUNK).to_pylist()
        texts = batch.column("text").slice(start, _CHUNK).to_pylist()
        parts.append(bits([f"{t or ''}\n{x or ''}" for t, x in zip(titles, texts, strict=True)]))
    found = np.concatenate(parts)
    for i, column in enumerate(COLUMNS):
        batch = batch.append_column(column, pa.array(np.ascontiguousarray(found[:, i])))
    return batch


def fill(con: duckdb.DuckDBPyConnection, limit: int, ids: Sequence[str] | None = None) -> int:
    """Give up to `limit` mentions stored without trigram bits (of `ids`, when given) their
    bits; return how many.

    Mentions without bits are searched correctly, just by reading their texts; this
    gives them the faster search.
    """
    among, params = "TRUE", []
    if ids is not None:
        among, params = "id IN (SELECT unnest(?::VARCHAR[]))", [list(ids)]
    batch = con.sql(
        f"SELECT id, title, text FROM mentions WHERE {COLUMNS[0]} IS NULL AND {among}"
        f" LIMIT {int(limit)}",
        params=params,
    ).to_arrow_table()
    if batch.num_rows == 0:
        return 0
    con.register("_bits", with_bits(batch))
    try:
        assignments = ", ".join(f"{c} = n.{c}" for c in COLUMNS)
        con.execute(f"UPDATE mentions SET {assignments} FROM _bits n WHERE mentions.id = n.id")
    finally:
        con.unregister("_bits")
    return batch.num_rows


def fill_all(con: duckdb.DuckDBPyConnection, step: int = 100_000) -> int:
    """Give every mention stored without trigram bits its bits, committing every `step`
    mentions; return how many (about 5 s a million on two cores).

    Migration 11 runs it once. Interrupted, it leaves the rest without bits: they are
    still found, by reading their texts, and `brandpulse analyze --rescore` fills them.
    """
    done = 0
    while True:
        con.execute("BEGIN TRANSACTION")
        try:
            filled = fill(con, step)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        if not filled:
            return done
        done += filled
