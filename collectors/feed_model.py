"""The format-neutral shape of a parsed feed: plain entries and the facts about the document."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$")


@dataclass(frozen=True)
class Entry:
    """One feed item in plain values; `link` may still be relative, `published` None."""

    native_id: str | None
    link: str | None
    title: str
    text: str
    author: str | None
    published: datetime | None
    date_raw: str | None
    language: str | None
    # An aggregator's item names the site that published it (RSS <source url="...">).
    publisher: str | None = None
    publisher_url: str | None = None


@dataclass
class ParsedFeed:
    """What a document held: its feed-level facts and the entries worth a mention.

    `skipped` counts entries with no link, title or content; `warning` is the ill-formedness
    feedparser tolerated (its bozo exception); `problem` says why the document is not a usable
    feed (None when it is).
    """

    version: str = ""
    title: str | None = None
    link: str | None = None
    language: str | None = None
    entries: list[Entry] = field(default_factory=list)
    skipped: int = 0
    warning: str | None = None
    problem: str | None = None
    html: bool = False


def language_tag(value: Any) -> str | None:
    """Return a lower-case language tag like `en-gb`, or None for missing or malformed ones."""
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-").lower()
    return tag if _LANGUAGE.match(tag) else None
