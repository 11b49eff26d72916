"""Parse feed bytes (RSS, Atom, RDF, CDF via feedparser; JSON Feed ourselves) into plain entries.

The result is format-neutral: every text field is already plain text, links are as the feed
gave them (resolved against xml:base and Content-Location where feedparser could), and dates
are UTC datetimes or None when missing or unparseable.
"""

from __future__ import annotations

import calendar
import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser
from brandpulse.collectors import feed_json
from brandpulse.collectors.feed_model import Entry, ParsedFeed, language_tag
from brandpulse.collectors.feed_text import plain_text, text_or_none

# feedparser's complaints that say "the bytes were odd" rather than "this is not XML".
_SOFT_BOZO = ("CharacterEncodingOverride", "CharacterEncodingUnknown", "NonXMLContentType")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?")
_RFC822_DATE = re.compile(
    r"(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{2,4})(?:\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?"
)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>])", re.I | re.S
)


def looks_like_html(content: bytes, content_type: str | None = None) -> bool:
    """Return True when the bytes are a web page rather than a feed."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return not re.search(rb"<(?:rss|feed|rdf:RDF)[\s>]", content[:4096])
    head = content[:2048].lstrip(b"\xef\xbb\xbf")
    return bool(_HTML_START.match(head))


def looks_like_json(content: bytes, content_type: str | None = None) -> bool:
    """Return True for a JSON document (by its media type, else by its first character)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind.endswith("json"):
        return True
    return content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_document(content: bytes, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse one fetched document; `headers` are the HTTP response headers, lower-case names.

    Pass `content-location` (the URL the bytes came from) so relative links resolve, and
    `content-type` so a declared charset is honoured.
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    content_type = headers.get("content-type")
    if not content.strip():
        return ParsedFeed(problem="empty document (no bytes to parse)")
    if looks_like_json(content, content_type):
        return feed_json.parse(content, headers.get("content-location"))
    # Bytes go in wrapped: feedparser treats a bare bytes/str argument as a possible file
    # path or URL and would read that file, so a body reading "/etc/passwd" must not be one.
    # Its HTML sanitiser and link rewriting inside content are skipped: every field becomes
    # plain text here (feed_text drops script-like elements with their content), so they
    # would only cost time (about 40% of the parse).
    result = feedparser.parse(
        io.BytesIO(content),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    return _from_feedparser(result, content, content_type)


def _from_feedparser(result: Any, content: bytes, content_type: str | None) -> ParsedFeed:
    feed = result.get("feed", {})
    parsed = ParsedFeed(
        version=result.get("version") or "",
        title=plain_text(feed.get("title"), multiline=False) or None,
        link=feed.get("link") or None,
        language=language_tag(feed.get("language")),
    )
    for raw in result.get("entries", []):
        if not (raw.get("link") or raw.get("title") or raw.get("content") or raw.get("summary")):
            parsed.skipped += 1
            continue
        parsed.entries.append(_entry(raw, parsed.language))
    exception = result.get("bozo_exception") if result.get("bozo") else None
    if exception is not None:
        parsed.warning = describe_bozo(exception)
    if parsed.entries or (parsed.skipped and exception is None):
        return parsed
    if looks_like_html(content, content_type) and not parsed.version:
        parsed.html = True
        parsed.problem = "not a feed: the document is an HTML page"
    elif exception is not None and (
        not parsed.version or type(exception).__name__ not in _SOFT_BOZO
    ):
        parsed.problem = f"ill-formed feed with no entries ({parsed.warning})"
    elif not parsed.version and not feed:
        # CDF channels get no version from feedparser; feed-level data still marks a feed.
        parsed.problem = "not a feed: no RSS, Atom, RDF, CDF or JSON Feed found in the document"
    return parsed


def describe_bozo(exception: BaseException) -> str:
    """Return a one-line account of feedparser's bozo exception."""
    message = " ".join(str(exception).split()) or "no detail"
    return f"{type(exception).__name__}: {message}"[:300]


def _entry(raw: Any, feed_language: str | None) -> Entry:
    contents = [c for c in raw.get("content") or [] if isinstance(c, Mapping) and c.get("value")]
    if contents:
        # Several content elements are alternatives (text and html); keep the richest one.
        body = max(contents, key=lambda c: len(c.get("value") or ""))
    else:
        body = raw.get("summary_detail") or {"value": raw.get("summary")}
    detail = raw.get("title_detail") or {}
    language = language_tag(body.get("language")) or language_tag(detail.get("language"))
    author_detail = raw.get("author_detail") or {}
    author = author_detail.get("name") or raw.get("author")
    source = raw.get("source") if isinstance(raw.get("source"), Mapping) else {}
    return Entry(
        native_id=text_or_none(raw.get("id")),
        link=text_or_none(raw.get("link")),
        title=plain_text(raw.get("title"), multiline=False),
        text=plain_text(body.get("value")),
        author=plain_text(author, multiline=False, limit=200) or None,
        published=_first_date(raw),
        date_raw=text_or_none(raw.get("published") or raw.get("updated") or raw.get("created")),
        language=language or feed_language,
        publisher=plain_text(source.get("title"), multiline=False, limit=200) or None,
        publisher_url=text_or_none(source.get("href")),
    )


def _first_date(raw: Any) -> datetime | None:
    for key in ("published", "updated", "created"):
        value = raw.get(f"{key}_parsed")
        if value and plausible_date(raw.get(key)):
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError, TypeError):
                continue
    return None


def plausible_date(text: Any) -> bool:
    """Return False when a date string states an impossible field, like 30 Feb or 25:61.

    feedparser rolls such dates over (2026-02-30T25:61 becomes 3 March, 02:01), which
    would give an article a date nobody wrote; it is treated as missing instead.
    """
    if not isinstance(text, str):
        return True
    match = _ISO_DATE.search(text)
    if match:
        year, month, day = (int(g) for g in match.group(1, 2, 3))
        clock = match.group(4, 5, 6)
    else:
        match = _RFC822_DATE.search(text)
        if not match:
            return True  # another format: trust feedparser's reading
        name = match.group(2)[:3].lower()
        if name not in _MONTHS:
            return True  # a month in another language: trust feedparser's reading
        day, year, month = int(match.group(1)), int(match.group(3)), _MONTHS.index(name) + 1
        year += 2000 if year < 50 else 1900 if year < 100 else 0
        clock = match.group(4, 5, 6)
    if year < 1 or not 1 <= month <= 12 or not 1 <= day <= _days_in(year, month):
        return False
    hour, minute, second = (int(g) if g else 0 for g in clock)
    return hour <= 24 and minute <= 59 and second <= 60


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]
