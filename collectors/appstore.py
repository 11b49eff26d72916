"""The App Store collector: customer reviews of the apps listed per brand, from Apple's public feed.

Apple publishes each app's recent reviews per storefront as JSON
(`itunes.apple.com/{country}/rss/customerreviews/id={app}/json`, then
`page=N/id={app}/sortby=mostrecent/json`, 50 reviews a page, at most 10 pages). No key is
needed. Reviews come newest first; a later run stops at the newest review the previous run
saw. Each review keeps its star rating (`extra["rating"]`, to chart beside sentiment), its
title, text and the app version it was written about. A review is attributed to the brand
the app is listed under (`extra["brand"]`), since reviews rarely name the maker.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from brandpulse.collectors.api_client import (
    ApiClient,
    Configured,
    ItemRun,
    check,
    check_url,
    finish,
    note_quota,
    run_item,
    truncated,
)
from brandpulse.collectors.api_client import (
    configured as with_fetch,
)
from brandpulse.collectors.base import BrandTerms, Credential, Section, setting
from brandpulse.collectors.feed_text import plain_text, safe_url
from brandpulse.collectors.fetch_settings import FETCH
from brandpulse.store.records import ItemResult, Mention, RunReport, mention_id

name = "appstore"
item_noun = "app"
mention_sources = (name,)
credentials: tuple[Credential, ...] = ()  # the review feed is public
ITEM = item_noun
MAX_PAGES = 10  # Apple serves no review beyond page 10
APP_URL = "https://apps.apple.com/{country}/app/id{app}"


@dataclass(frozen=True)
class App:
    """One app to follow: its numeric App Store id, the brand it belongs to, its storefronts."""

    id: str = setting(
        doc="the app's numeric App Store id (the digits after `id` in its store URL)",
        expected="a numeric app id",
    )
    brand: str = setting(
        doc="the brand its reviews are filed under: a `name` of `[[brands]]` or `[[competitors]]`",
        expected="the name of a brand",
    )
    countries: tuple[str, ...] = setting(
        ("us",), doc="storefronts whose reviews are read, as two-letter codes"
    )
    name: str | None = setting(None, doc="a label for status", shown="the id")

    def __post_init__(self) -> None:
        check(bool(re.fullmatch(r"\d{5,12}", self.id)), "id", "a numeric app id", self.id)
        check(bool(self.brand.strip()), "brand", "the name of a brand", self.brand)
        countries = tuple(c.lower() for c in self.countries)
        check(
            bool(countries) and all(re.fullmatch(r"[a-z]{2}", c) for c in countries),
            "countries",
            'two-letter storefront codes like ["us", "gb"]',
            list(self.countries),
        )
        object.__setattr__(self, "countries", countries)

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Options:
    """The optional [appstore] section: how every listed app is read."""

    enabled: bool = setting(True, doc="`false` skips App Store reviews without deleting them")
    base_url: str = setting(
        "https://itunes.apple.com", doc="the review feed's root, for proxies and tests"
    )
    max_pages: int = setting(
        3, doc="pages of 50 reviews per app, storefront and run (Apple serves at most 10)"
    )

    def __post_init__(self) -> None:
        check_url("base_url", self.base_url)
        check(1 <= self.max_pages <= MAX_PAGES, "max_pages", "1 to 10", self.max_pages)


@dataclass(frozen=True)
class Settings:
    """The apps to read, and how."""

    apps: tuple[App, ...] = ()
    base_url: str = Options.base_url
    max_pages: int = Options.max_pages

    def __post_init__(self) -> None:
        Options(base_url=self.base_url, max_pages=self.max_pages)  # the same checks


APPS = Section("apps", App, doc="the apps whose App Store reviews are read", array=True)
APPSTORE = Section(name, Options, doc="how App Store reviews are read")
sections = (APPS, APPSTORE, FETCH)
example = """\
# App Store reviews: each [[apps]] table is one app, its reviews filed under `brand`.
[[apps]]
id = "284882215"                       # the digits after "id" in the app's store URL
brand = "Acme"
countries = ["us", "gb"]               # storefronts to read
"""


def configure(sections: Mapping[str, Any]) -> Configured[Settings] | None:
    """Return the listed apps with the [appstore] options, or None when no app is listed
    or [appstore] says `enabled = false`."""
    apps = tuple(a for a in sections.get(APPS.key, ()) if isinstance(a, App))
    options = sections.get(APPSTORE.key)
    options = options if isinstance(options, Options) else Options()
    if not apps or not options.enabled:
        return None
    settings = Settings(apps, options.base_url, options.max_pages)
    return with_fetch(sections, settings)


def open_client(
    settings: Configured[Settings], credentials: Mapping[str, str] | None = None
) -> ApiClient:
    """Build the paced JSON client from the [fetch] limits (no credentials are needed)."""
    return ApiClient.from_settings(settings.fetch)


def reviews_url(settings: Settings, app: str, country: str, page: int = 1) -> str:
    """Return the review feed URL of one app, storefront and page (1 to 10)."""
    base = f"{settings.base_url.rstrip('/')}/{country}/rss/customerreviews"
    if page == 1:
        return f"{base}/id={app}/json"
    return f"{base}/page={page}/id={app}/sortby=mostrecent/json"


def entries(data: Any) -> list[dict[str, Any]]:
    """Return a feed's review entries (Apple sends one entry as an object, none as no key)."""
    feed = data["feed"]
    found = feed.get("entry", [])
    if isinstance(found, dict):
        found = [found]
    # Older feeds open with the app itself (it has im:name and no rating): not a review.
    return [e for e in found if isinstance(e, dict) and "im:rating" in e]


def review_mention(
    entry: Mapping[str, Any], app: App, country: str, collected_at: datetime
) -> Mention | None:
    """Turn one review entry into a Mention; None when it lacks an id or a date."""
    ident = _label(entry.get("id"))
    published = _moment(_label(entry.get("updated")))
    if not ident or published is None:
        return None
    author = entry.get("author") or {}
    link = (entry.get("link") or {}).get("attributes", {}).get("href")
    rating = _number(_label(entry.get("im:rating")))
    extra: dict[str, Any] = {
        "kind": "review",
        "brand": app.brand,
        "app_id": app.id,
        "app": app.label,
        "country": country,
        "rating": rating,
        "version": _label(entry.get("im:version")) or None,
        "vote_count": _number(_label(entry.get("im:voteCount"))),
        "content_type": (entry.get("im:contentType") or {}).get("attributes", {}).get("term"),
    }
    return Mention(
        id=mention_id(name, ident),
        source=name,
        native_id=ident,
        url=safe_url(link) or APP_URL.format(country=country, app=app.id),
        author=_label(author.get("name")) or None,
        title=plain_text(_label(entry.get("title")), multiline=False),
        text=plain_text(_label(entry.get("content"))),
        published_at=published,
        collected_at=collected_at,
        score=_number(_label(entry.get("im:voteSum"))),
        comments=None,
        extra=extra,
    )


def mentions_from_saved(data: Any, collected_at: datetime) -> list[Mention]:
    """Turn one saved review feed into Mentions, as a live run does.

    Apple's answer does not say whose app it is, so a saved answer carries the app beside
    the feed: `{"app": {"id": ..., "brand": ..., "country": ...}, "feed": {...}}`.
    """
    spec = data["app"]
    country = str(spec.get("country", "us")).lower()
    app = App(
        id=str(spec["id"]), brand=str(spec["brand"]), countries=(country,), name=spec.get("name")
    )
    found = (review_mention(e, app, country, collected_at) for e in entries(data))
    return [m for m in found if m is not None]


def collect(
    configured: Configured[Settings],
    brands: Sequence[BrandTerms],
    state: Mapping[str, Any],
    client: ApiClient,
    report: RunReport,
) -> Iterator[Mention]:
    """Yield a Mention per new review of every listed app in every listed storefront."""
    settings = configured.source
    known = {b.name.casefold() for b in brands}
    jobs = [(app, country) for app in settings.apps for country in app.countries]
    seen: set[str] = set()
    for done, (app, country) in enumerate(jobs, start=1):
        label = f"{app.label} ({country})"
        if app.brand.casefold() not in known:
            problem = f"brand {app.brand!r} is not configured"
            report.error(f"{ITEM} {label}: {problem}")
            report.items.append(ItemResult(label, ITEM, "error", error=problem))
            continue
        work = partial(_reviews, settings, app, country, state, client, report)
        yield from run_item(report, ITEM, label, work, seen)
        report.advance(done, len(jobs))
    finish(report, client, "App Store")


def _reviews(
    settings: Settings,
    app: App,
    country: str,
    state: Mapping[str, Any],
    client: ApiClient,
    report: RunReport,
    item: ItemRun,
) -> Iterator[Mention]:
    key = f"{app.id}:{country}"
    saved = state.get(key)
    cursor = int(saved["newest"]) if isinstance(saved, dict) and saved.get("newest") else None
    newest = cursor
    for page in range(1, settings.max_pages + 1):
        url = reviews_url(settings, app.id, country, page)
        data = client.get(url).data
        note_quota(client, url, item)
        item.pages += 1
        found = entries(data)
        reached = False
        for entry in found:
            mention = review_mention(entry, app, country, report.started_at)
            if mention is None:
                report.skipped += 1
                continue
            number = int(mention.native_id) if mention.native_id.isdigit() else None
            if cursor is not None and number is not None and number <= cursor:
                reached = True  # review ids grow with time: the rest was seen before
                continue
            if number is not None and (newest is None or number > newest):
                newest = number
            item.items += 1
            yield mention
        if reached or not found or not _has_next(data, page):
            break
    else:
        label = f"{app.label} ({country})"
        truncated(report, ITEM, label, settings.max_pages, cursor is not None)
    if newest is not None:
        report.state[key] = {"newest": newest}
        item.cursor = newest


def _has_next(data: Any, page: int) -> bool:
    """Return True when the feed links a page after `page` (Apple lists first/last/next)."""
    links = data["feed"].get("link") or []
    if isinstance(links, dict):
        links = [links]
    for link in links:
        attributes = link.get("attributes", {}) if isinstance(link, dict) else {}
        if attributes.get("rel") == "last":
            match = re.search(r"/page=(\d+)/", attributes.get("href", ""))
            return bool(match) and int(match.group(1)) > page
    return False


def _label(node: Any) -> str:
    """Return the text of Apple's `{"label": ...}` wrapper ("" when absent)."""
    if isinstance(node, dict):
        value = node.get("label")
        return value.strip() if isinstance(value, str) else ""
    return ""


def _number(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
