"""Turn one parsed feed entry into a Mention: stable id, safe absolute URL, UTC date, extras."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from brandpulse.collectors.feed_model import Entry, ParsedFeed
from brandpulse.collectors.feed_text import safe_url, site_of
from brandpulse.store.records import Mention, mention_id

NAMESPACE = "feed"
# A date this far ahead of the collection is a feed's mistake, not news from the future.
FUTURE_SLACK = timedelta(days=1)
EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)
# A guid with a scheme (http:, urn:, tag:) is globally unique by design; a bare "1234" is not.
_GLOBAL_ID = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S")
_UNSAFE_ID = re.compile(r"[<>\"'\s]|^\s*(?:java|vb)script:|^\s*data:", re.I)


@dataclass(frozen=True)
class Origin:
    """Where entries came from: the configured feed and the document actually read."""

    feed_url: str  # as configured (or expanded from a {query} template): the run's key
    kind: str  # news or blog: the mention's source
    document_url: str | None  # the http(s) URL the bytes came from, for relative links
    name: str | None = None


def to_mention(entry: Entry, feed: ParsedFeed, origin: Origin, collected_at: datetime) -> Mention:
    """Build the Mention for an entry; the same article through two feeds gets one id.

    The id comes from the guid, else the link, else a hash of title and date. A guid
    without a scheme (WordPress's "1234") is qualified by the site, so two blogs' post 1234
    stay two mentions.
    """
    base = origin.document_url
    feed_link, feed_site = _feed_home(feed.link, base)
    url = safe_url(entry.link, base) or safe_url(entry.link, feed_link)
    site = feed_site or site_of(url)
    published, estimated = _published(entry.published, collected_at)
    native = native_id(entry, url, site)
    extra: dict[str, object] = {
        "feed_url": origin.feed_url,
        "feed_title": feed.title or origin.name,
        "language": entry.language or feed.language,
        "domain": site_of(safe_url(entry.publisher_url)) or site_of(url) or site,
    }
    if entry.publisher:
        extra["publisher"] = entry.publisher
    if estimated:
        extra["date_estimated"] = True
    return Mention(
        id=mention_id(NAMESPACE, native),
        source=origin.kind,
        native_id=native,
        url=url,
        author=entry.author,
        title=entry.title,
        text=entry.text,
        published_at=published,
        collected_at=collected_at,
        extra={k: v for k, v in extra.items() if v is not None},
        item=origin.feed_url,
    )


@lru_cache(maxsize=256)
def _feed_home(link: str | None, base: str | None) -> tuple[str | None, str | None]:
    """Return the feed's own web link and site; cached, as every entry of a feed asks."""
    feed_link = safe_url(link, base)
    return feed_link, site_of(feed_link) or site_of(base)


def native_id(entry: Entry, url: str | None, site: str | None) -> str:
    """Return the entry's identity: guid, else link, else a hash of title and date."""
    guid = entry.native_id
    if guid and _UNSAFE_ID.search(guid):
        # Kept as a digest: a guid is shown and exported, and this one carries markup or a
        # script URL.
        return f"{site or ''}#{_digest(guid)}"
    if guid:
        if _GLOBAL_ID.match(guid):
            return guid
        return f"{site}/{guid}" if site else guid
    if url:
        return url
    # No title and no date would make every such entry of a site the same; the text tells
    # them apart then.
    basis = "\x1f".join([entry.title, entry.date_raw or ""])
    if not entry.title and not entry.date_raw:
        basis += "\x1f" + entry.text
    return f"{site or ''}#{_digest(basis)}"


def _digest(value: str) -> str:
    return hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _published(value: datetime | None, collected_at: datetime) -> tuple[datetime, bool]:
    if value is None or not EARLIEST <= value <= collected_at + FUTURE_SLACK:
        return collected_at, True
    return value, False
