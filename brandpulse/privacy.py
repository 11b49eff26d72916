"""Author pseudonymisation: a keyed hash in place of a handle, the same in storage and exports."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Iterable

from brandpulse.config import AUTHOR_KEY_ENV, Config, Secrets
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
