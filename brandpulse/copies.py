"""Wire copy grouping: fingerprint newly written mentions and link them to earlier copies."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from brandpulse.analysis.copies import fingerprints, link
from brandpulse.analysis.relevance import text_of
from brandpulse.store import copies as store


def group_on(con: duckdb.DuckDBPyConnection, mentions: Iterable[object]) -> int:
    """Fingerprint these mentions (objects with id, title, text) and link each to the earlier
    copy of its story, on a write connection; return how many are copies."""
    prints = fingerprints(
        [(m.id, text_of(m.title, m.text)) for m in mentions]  # type: ignore[attr-defined]
    )
    if not prints:
        return 0
    found = store.candidates(con, prints)
    stored = [
        (str(r.mention_id), str(r.original), list(r.signature))
        for r in found.itertuples(index=False)
    ]
    when = store.published(con, [p.mention_id for p in prints])
    return store.save(con, prints, link(prints, stored, when, store.WINDOW))
