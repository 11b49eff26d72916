"""Build Mention records for store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from brandpulse.store.records import Mention, mention_id

BASE = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def make_mention(n: int, **changes: object) -> Mention:
    """Return the n-th synthetic mention, with any field overridden."""
    fields: dict[str, object] = {
        "id": mention_id("test", f"post-{n}"),
        "source": "news" if n % 2 else "reddit",
        "native_id": f"post-{n}",
        "url": f"https://example.com/{n}",
        "author": f"author{n % 7}",
        "title": f"Title {n}",
        "text": f"Acme is great, post number {n}",
        "published_at": BASE + timedelta(hours=n),
        "collected_at": BASE + timedelta(days=30),
        "score": n % 11,
        "comments": n % 3,
        "extra": {"n": n},
    }
    fields.update(changes)
    return Mention(**fields)  # type: ignore[arg-type]
