"""The Hacker News collector: stories and comments naming each brand, from the HN Search API.

HN Search (Algolia, `hn.algolia.com/api/v1`) is public and needs no key. Each search term
is asked of `search_by_date` (newest first) with `tags=(story,comment)`; a later run asks
only for `created_at_i>` the newest time the previous run saw, less a few minutes of
overlap, because the index lags behind the site and an item can appear after a newer one.
Items already seen in that overlap are not yielded twice. Points and comment counts are
the engagement numbers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import urlencode

from brandpulse.collectors.api_client import (
    ApiClient,
    Configured,
    ItemRun,
    check,
    check_url,
    finish,
    note_quota,
    run_item,
    unique_words,
)
from brandpulse.collectors.api_client import (
    configured as with_fetch,
)
from brandpulse.collectors.base import BrandTerms, Credential, Section, setting
from brandpulse.collectors.feed_text import plain_text, safe_url
from brandpulse.collectors.fetch_settings import FETCH
from brandpulse.store.records import Mention, RunReport, mention_id

name = "hackernews"
item_noun = "query"
mention_sources = (name,)
credentials: tuple[Credential, ...] = ()  # the HN Search API is public
ITEM = item_noun
ITEM_URL = "https://news.ycombinator.com/item?id={id}"
TAGS = ("story", "comment", "poll", "show_hn", "ask_hn", "job")


@dataclass(frozen=True)
class Settings:
    """The [hackernews] section."""

    enabled: bool = setting(True, doc="`false` skips Hacker News without deleting the section")
    base_url: str = setting(
        "https://hn.algolia.com/api/v1", doc="the HN Search API root, for proxies and tests"
    )
    tags: tuple[str, ...] = setting(
        ("story", "comment"),
        doc="what to search: `story`, `comment`, `poll`, `show_hn`, `ask_hn`, `job`",
    )
    hits_per_page: int = setting(100, doc="hits per request, 1 to 1000")
    max_pages: int = setting(5, doc="pages per search term and run")
    overlap_seconds: int = setting(
        600, doc="how far back a later run looks again, for items the index adds late"
    )

    def __post_init__(self) -> None:
        check_url("base_url", self.base_url)
        check(
            bool(self.tags) and all(t in TAGS for t in self.tags),
            "tags",
            "a list of " + ", ".join(TAGS),
            list(self.tags),
        )
        check(1 <= self.hits_per_page <= 1000, "hits_per_page", "1 to 1000", self.hits_per_page)
        check(self.max_pages >= 1, "max_pages", "1 or more", self.max_pages)
        check(self.overlap_seconds >= 0, "overlap_seconds", "0 or more", self.overlap_seconds)


HACKERNEWS = Section(name, Settings, doc="stories and comments from HN Search (Algolia)")
sections = (HACKERNEWS, FETCH)
example = """\
# Hacker News: stories and comments naming each brand, from HN Search (no key needed).
[hackernews]
tags = ["story", "comment"]
max_pages = 5                          # pages of 100 hits per brand term and run
"""


def configure(sections: Mapping[str, Any]) -> Configured[Settings] | None:
    """Return the [hackernews] settings, or None when the section is absent or disabled."""
    settings = sections.get(HACKERNEWS.key)
    if not isinstance(settings, Settings) or not settings.enabled:
        return None
    return with_fetch(sections, settings)


def open_client(
    settings: Configured[Settings], credentials: Mapping[str, str] | None = None
) -> ApiClient:
    """Build the paced JSON client from the [fetch] limits (no credentials are needed)."""
    return ApiClient.from_settings(settings.fetch)


def search_url(settings: Settings, term: str, since: int | None, page: int = 0) -> str:
    """Return the `search_by_date` URL for one term, page and lower time bound."""
    params: list[tuple[str, str]] = [
        ("query", term),
        ("tags", "(" + ",".join(settings.tags) + ")"),
        ("hitsPerPage", str(settings.hits_per_page)),
    ]
    if since is not None:
        params.append(("numericFilters", f"created_at_i>{since}"))
    if page:
        params.append(("page", str(page)))
    return f"{settings.base_url.rstrip('/')}/search_by_date?{urlencode(params)}"


def hit_mention(hit: Mapping[str, Any], collected_at: datetime) -> Mention | None:
    """Turn one search hit (story, poll or comment) into a Mention; None without id or time."""
    ident = str(hit.get("objectID") or "").strip()
    published = _published(hit)
    if not ident or published is None:
        return None
    tags = hit.get("_tags") or []
    comment = "comment" in tags or (hit.get("comment_text") is not None and not hit.get("title"))
    item_url = ITEM_URL.format(id=ident)
    link = safe_url(hit.get("url") or hit.get("story_url")) if not comment else None
    extra: dict[str, Any] = {
        "kind": "comment" if comment else "story",
        "hn_url": item_url,
        "points": hit.get("points"),
    }
    if comment:
        extra["parent_title"] = plain_text(hit.get("story_title"), multiline=False) or None
        extra["story_id"] = hit.get("story_id")
        extra["parent_id"] = hit.get("parent_id")
    else:
        extra["link"] = link
    return Mention(
        id=mention_id(name, ident),
        source=name,
        native_id=ident,
        url=item_url if comment else (link or item_url),
        author=str(hit["author"]) if hit.get("author") else None,
        title="" if comment else plain_text(hit.get("title"), multiline=False),
        text=plain_text(hit.get("comment_text") if comment else hit.get("story_text")),
        published_at=published,
        collected_at=collected_at,
        score=_int(hit.get("points")),
        comments=None if comment else _int(hit.get("num_comments")),
        extra=extra,
    )


def mentions_from_saved(data: Any, collected_at: datetime) -> list[Mention]:
    """Turn one saved HN Search answer (`{"hits": [...]}`) into Mentions, as a live run does."""
    found = (hit_mention(hit, collected_at) for hit in data["hits"])
    return [m for m in found if m is not None]


def collect(
    settings: Configured[Settings],
    terms: Sequence[BrandTerms],
    state: Mapping[str, Any],
    client: ApiClient,
    report: RunReport,
) -> Iterator[Mention]:
    """Yield a Mention per new story and comment matching any brand's search terms."""
    words = unique_words(terms)
    seen: set[str] = set()
    for done, word in enumerate(words, start=1):
        work = partial(_search, settings.source, word, state, client, report)
        yield from run_item(report, ITEM, word, work, seen)
        report.advance(done, len(words))
    finish(report, client, "Hacker News")


def _search(
    settings: Settings,
    term: str,
    state: Mapping[str, Any],
    client: ApiClient,
    report: RunReport,
    item: ItemRun,
) -> Iterator[Mention]:
    key = term.casefold()
    cursor = state.get(key) if isinstance(state.get(key), dict) else None
    newest = int(cursor["newest"]) if cursor and isinstance(cursor.get("newest"), int) else None
    saved = cursor.get("recent") if cursor else None
    recent: dict[str, int] = dict(saved) if isinstance(saved, dict) else {}
    since = None if newest is None else max(0, newest - settings.overlap_seconds)
    found: dict[str, int] = {}
    complete = False
    for page in range(settings.max_pages):
        url = search_url(settings, term, since, page)
        data = client.get(url).data
        note_quota(client, url, item)
        item.pages += 1
        hits = data["hits"]
        for hit in hits:
            mention = hit_mention(hit, report.started_at)
            if mention is None:
                report.skipped += 1
                continue
            found[mention.native_id] = int(mention.published_at.timestamp())
            if mention.native_id in recent:
                continue  # seen by the previous run, inside the overlap window
            item.items += 1
            yield mention
        pages = data.get("nbPages")
        if not hits or not isinstance(pages, int) or page + 1 >= pages:
            complete = True
            break
    if not complete and newest is not None:
        report.warnings.append(
            f"{ITEM} {term}: more than {settings.max_pages} pages of new hits since the last run;"
            " older ones were not fetched (raise max_pages or run more often)"
        )
    top = max([newest or 0, *found.values()])
    if top:
        # Ids inside the next run's overlap window, so that it skips them.
        window = top - settings.overlap_seconds
        keep = {i: t for i, t in {**recent, **found}.items() if t >= window}
        report.state[key] = {"newest": top, "recent": dict(sorted(keep.items()))}
        item.cursor = top


def _published(hit: Mapping[str, Any]) -> datetime | None:
    stamp = hit.get("created_at_i")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        return datetime.fromtimestamp(stamp, UTC)
    text = hit.get("created_at")
    if isinstance(text, str):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
