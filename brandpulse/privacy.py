"""Author pseudonymisation: a keyed hash in place of a handle, the same in storage and exports."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime, timedelta

from brandpulse.config import AUTHOR_KEY_ENV, Config, Secrets
from brandpulse.store.erasure import Suppressions
from brandpulse.store.errors import ConfigError
from brandpulse.store.records import Mention

PREFIX = "anon-"


def author_key(config: Config, secrets: Secrets) -> str | None:
    """Return the hashing key when [privacy] hash_authors is on, failing if it is not set."""
    if not config.privacy.hash_authors:
        return None
    if not secrets.author_key:
        raise ConfigError(
            "[privacy] hash_authors is on but no key is set",
            f"export {AUTHOR_KEY_ENV}=<a long random string>; keep it: changing it changes"
            " every stored author",
        )
    return secrets.author_key


def pseudonym(author: str, key: str) -> str:
    """Return the stable keyed hash stored instead of `author` (case-insensitive handle)."""
    digest = hmac.new(key.encode(), author.casefold().encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:20]


def pseudonymise(mentions: Iterable[Mention], key: str | None) -> list[Mention]:
    """Replace each mention's author by its pseudonym; with no key, return them unchanged."""
    if key is None:
        return list(mentions)
    return [
        dataclasses.replace(m, author=pseudonym(m.author, key)) if m.author else m for m in mentions
    ]


def author_digest(author: str) -> str:
    """Return the SHA-256 the suppression list keeps for a handle (or pseudonym), ignoring case.

    The list never holds a handle itself; a digest is enough to recognise it again.
    """
    folded = author.strip().casefold()
    return hashlib.sha256(f"brandpulse-author\x1f{folded}".encode()).hexdigest()


def forget_digests(handle: str, key: str | None) -> list[str]:
    """Return the digests that suppress `handle`: of the handle, and of its pseudonym if hashing."""
    digests = [author_digest(handle)]
    if key is not None:
        digests.append(author_digest(pseudonym(handle.strip(), key)))
    return digests


def retention_floor(
    retention_days: int | None, prune_floor: datetime | None, now: datetime
) -> datetime | None:
    """Return the publication time before which nothing is stored: the later of both limits."""
    limits = [t for t in (prune_floor,) if t is not None]
    if retention_days:
        limits.append(now - timedelta(days=retention_days))
    return max(limits, default=None)


def admit(
    mentions: Iterable[Mention], suppressions: Suppressions, floor: datetime | None
) -> tuple[list[Mention], int]:
    """Drop what was forgotten or pruned, or is older than the floor; return (kept, dropped).

    Authors are checked as the mention carries them: a handle straight from a collector, or
    a pseudonym for a mention kept in the outbox.
    """
    kept: list[Mention] = []
    dropped = 0
    for mention in mentions:
        if (
            mention.id in suppressions.mentions
            or (floor is not None and mention.published_at < floor)
            or (mention.author and author_digest(mention.author) in suppressions.authors)
        ):
            dropped += 1
        else:
            kept.append(mention)
    return kept, dropped
