"""Parse JSON Feed 1.0 and 1.1 (https://jsonfeed.org), a format feedparser 6 does not read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from brandpulse.collectors.feed_model import Entry, ParsedFeed, language_tag
from brandpulse.collectors.feed_text import plain_text, safe_url, text_or_none

VERSION_PREFIX = "https://jsonfeed.org/version/"


def parse(content: bytes, location: str | None = None) -> ParsedFeed:
    """Parse a JSON Feed; a JSON document that is not one comes back with `problem` set."""
    try:
        # JSON Feed is UTF-8 by definition; a BOM is tolerated as feedparser would.
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return ParsedFeed(problem=f"not a feed: invalid JSON ({' '.join(str(exc).split())})")
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        return ParsedFeed(problem="not a feed: JSON without a JSON Feed `items` list")
    version = document.get("version")
    parsed = ParsedFeed(
        version=f"json{version.removeprefix(VERSION_PREFIX).replace('.', '')}"
        if isinstance(version, str) and version.startswith(VERSION_PREFIX)
        else "json",
        title=plain_text(text_or_none(document.get("title")), multiline=False) or None,
        link=text_or_none(document.get("home_page_url")),
        language=language_tag(document.get("language")),
    )
    if parsed.version == "json":
        parsed.warning = f"JSON Feed without a `version` starting {VERSION_PREFIX}"
    base = (
        safe_url(parsed.link)
        or safe_url(location)
        or safe_url(text_or_none(document.get("feed_url")))
    )
    for item in document["items"]:
        entry = _entry(item, base, parsed.language) if isinstance(item, dict) else None
        if entry is None:
            parsed.skipped += 1
        else:
            parsed.entries.append(entry)
    return parsed


def _entry(item: dict[str, Any], base: str | None, feed_language: str | None) -> Entry | None:
    link = text_or_none(item.get("url")) or text_or_none(item.get("external_url"))
    title = text_or_none(item.get("title"))
    body = (
        text_or_none(item.get("content_html"))
        or text_or_none(item.get("content_text"))
        or text_or_none(item.get("summary"))
    )
    if not (link or title or body):
        return None
    native = item.get("id")
    if isinstance(native, int | float) and not isinstance(native, bool):
        native = str(native)
    date_raw = text_or_none(item.get("date_published")) or text_or_none(item.get("date_modified"))
    return Entry(
        native_id=text_or_none(native),
        link=safe_url(link, base) or link,
        title=plain_text(title, multiline=False),
        text=plain_text(body),
        author=plain_text(_author(item), multiline=False, limit=200) or None,
        published=_date(date_raw),
        date_raw=date_raw,
        language=language_tag(item.get("language")) or feed_language,
    )


def _author(item: dict[str, Any]) -> str | None:
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else [item.get("author")]
    for author in candidates:
        if isinstance(author, dict) and text_or_none(author.get("name")):
            return text_or_none(author.get("name"))
    return None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # RFC 3339 requires an offset; assume UTC
    return parsed.astimezone(UTC)
