"""The Mastodon collector: public hashtag timelines, and status search where a token allows it.

On every listed instance each brand's hashtags (its search terms without spaces or
punctuation: "Acme Corp" is #acmecorp) are read from `/api/v1/timelines/tag/{tag}`, newest
first, page by page with `max_id`. Status search (`/api/v2/search?type=statuses`) needs a
user token, so it runs only when MASTODON_ACCESS_TOKEN is set, and only on the instance the
token belongs to (`search_instance`, default the first listed). A later run asks with
`since_id` (timelines) or `min_id` (search) from the newest status id it saw. The
instances' `X-RateLimit-*` headers pace the requests. One instance failing is recorded and
the others go on. A status reached through two instances is one mention: its id comes from
the status URI, which every instance shares.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

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
    unique_words,
)
from brandpulse.collectors.api_client import (
    configured as with_fetch,
)
from brandpulse.collectors.base import BrandTerms, Credential, Section, setting
from brandpulse.collectors.feed_text import plain_text, safe_url
from brandpulse.collectors.fetch_settings import FETCH
from brandpulse.store.records import Mention, RunReport, mention_id

name = "mastodon"
item_noun = "instance"
mention_sources = (name,)
TOKEN_ENV = "MASTODON_ACCESS_TOKEN"
credentials = (
    Credential(
        TOKEN_ENV,
        "optional: a user access token (scope `read:search`) of `search_instance`, for status"
        " search; sent to that instance only",
    ),
)
ITEM = item_noun
MAX_PAGE = 40  # Mastodon's largest timeline page


@dataclass(frozen=True)
class Settings:
    """The [mastodon] section."""

    enabled: bool = setting(True, doc="`false` skips Mastodon without deleting the section")
    instances: tuple[str, ...] = setting(
        ("https://mastodon.social",), doc="instance URLs whose hashtag timelines are read"
    )
    hashtags: tuple[str, ...] = setting(
        (), doc="more hashtags to read, beside those made from the brands' terms"
    )
    search: bool = setting(True, doc="search statuses when `MASTODON_ACCESS_TOKEN` is set")
    search_instance: str | None = setting(
        None, doc="the instance that issued the token", shown="the first instance"
    )
    page_size: int = setting(MAX_PAGE, doc="statuses per request, 1 to 40")
    max_pages: int = setting(5, doc="pages per timeline or search and run")

    def __post_init__(self) -> None:
        check(bool(self.instances), "instances", "a list of instance URLs", list(self.instances))
        for url in self.instances:
            check_url("instances", url)
        if self.search_instance is not None:
            check_url("search_instance", self.search_instance)
        check(1 <= self.page_size <= MAX_PAGE, "page_size", "1 to 40", self.page_size)
        check(self.max_pages >= 1, "max_pages", "1 or more", self.max_pages)
        for tag in self.hashtags:
            check(bool(hashtag(tag)), "hashtags", "hashtags like acme or #acme", tag)

    @property
    def token_instance(self) -> str:
        return (self.search_instance or self.instances[0]).rstrip("/")


MASTODON = Section(name, Settings, doc="hashtag timelines and status search on Mastodon")
sections = (MASTODON, FETCH)
example = """\
# Mastodon: each brand's hashtags on these instances; with MASTODON_ACCESS_TOKEN set, status
# search too, on the instance that issued the token (search_instance, default the first).
[mastodon]
instances = ["https://mastodon.social"]
hashtags = []                          # more hashtags beside the brands' own
"""


def configure(sections: Mapping[str, Any]) -> Configured[Settings] | None:
    """Return the [mastodon] settings, or None when the section is absent or disabled."""
    settings = sections.get(MASTODON.key)
    if not isinstance(settings, Settings) or not settings.enabled:
        return None
    return with_fetch(sections, settings)


def open_client(
    settings: Configured[Settings], credentials: Mapping[str, str] | None = None
) -> ApiClient:
    """Build the paced JSON client; MASTODON_ACCESS_TOKEN, when set, enables status search."""
    return ApiClient.from_settings(settings.fetch, credentials)


def hashtag(term: str) -> str:
    """Return the hashtag a search term is posted as: `Acme Corp` and `#acme-corp` are acmecorp."""
    return re.sub(r"[\W_]+", "", term.casefold())


def timeline_url(
    instance: str,
    tag: str,
    limit: int,
    since_id: str | None = None,
    max_id: str | None = None,
) -> str:
    """Return one page of a public hashtag timeline."""
    params: list[tuple[str, str]] = [("limit", str(limit))]
    if since_id:
        params.append(("since_id", since_id))
    if max_id:
        params.append(("max_id", max_id))
    return f"{instance.rstrip('/')}/api/v1/timelines/tag/{quote(tag)}?{urlencode(params)}"


def search_url(
    instance: str, term: str, limit: int, min_id: str | None = None, offset: int = 0
) -> str:
    """Return one page of a status search (needs a token)."""
    params: list[tuple[str, str]] = [
        ("q", term),
        ("type", "statuses"),
        ("limit", str(limit)),
    ]
    if min_id:
        params.append(("min_id", min_id))
    if offset:
        params.append(("offset", str(offset)))
    return f"{instance.rstrip('/')}/api/v2/search?{urlencode(params)}"


def status_mention(
    status: Mapping[str, Any], instance: str | None, collected_at: datetime
) -> Mention | None:
    """Turn one status into a Mention (a boost becomes the boosted status); None without
    an id or a date. `instance` (the server asked) completes a local account's handle;
    without it the status URI's host does."""
    if isinstance(status.get("reblog"), dict):
        status = status["reblog"]
    uri = status.get("uri") or status.get("url")
    published = _moment(status.get("created_at"))
    if not uri or published is None:
        return None
    account = status.get("account") or {}
    host = urlsplit(instance or str(uri)).netloc
    acct = account.get("acct")
    author = None
    if isinstance(acct, str) and acct:
        author = acct if "@" in acct else f"{acct}@{host}"
    favourites = _int(status.get("favourites_count"))
    reblogs = _int(status.get("reblogs_count"))
    replies = _int(status.get("replies_count"))
    extra: dict[str, Any] = {
        "kind": "status",
        "instance": host,
        "status_id": status.get("id"),
        "favourites": favourites,
        "reblogs": reblogs,
        "replies": replies,
        "language": status.get("language"),
        "sensitive": bool(status.get("sensitive")),
        "tags": [t.get("name") for t in status.get("tags") or [] if isinstance(t, dict)],
        "in_reply_to": status.get("in_reply_to_id"),
    }
    return Mention(
        id=mention_id(name, str(uri)),
        source=name,
        native_id=str(uri),
        url=safe_url(status.get("url")) or safe_url(str(uri)),
        author=author,
        title=plain_text(status.get("spoiler_text"), multiline=False),
        text=plain_text(status.get("content")),
        published_at=published,
        collected_at=collected_at,
        score=favourites,
        comments=replies,
        extra=extra,
    )


def mentions_from_saved(data: Any, collected_at: datetime) -> list[Mention]:
    """Turn one saved timeline or search answer (a list of statuses, or `{"statuses": [...]}`)
    into Mentions, as a live run does."""
    statuses = data["statuses"] if isinstance(data, dict) else data
    found = (status_mention(status, None, collected_at) for status in statuses)
    return [m for m in found if m is not None]


@dataclass(frozen=True)
class _Job:
    instance: str
    kind: str  # "tag" or "search"
    value: str

    @property
    def label(self) -> str:
        host = urlsplit(self.instance).netloc
        return f"{host} #{self.value}" if self.kind == "tag" else f"{host} search {self.value!r}"

    @property
    def key(self) -> str:
        return f"{self.instance.rstrip('/')} {self.kind} {self.value.casefold()}"


def jobs(settings: Settings, brands: Sequence[BrandTerms], searching: bool) -> list[_Job]:
    """Return the timelines and searches one run reads, instance by instance."""
    words = unique_words(brands)
    tags = list(dict.fromkeys(hashtag(w) for w in words))
    tags += [hashtag(t) for t in settings.hashtags if hashtag(t) not in tags]
    terms = words
    out = []
    for instance in settings.instances:
        out += [_Job(instance, "tag", tag) for tag in tags if tag]
        if searching and instance.rstrip("/") == settings.token_instance:
            out += [_Job(instance, "search", term) for term in terms]
    return out


def collect(
    configured: Configured[Settings],
    brands: Sequence[BrandTerms],
    state: Mapping[str, Any],
    client: ApiClient,
    report: RunReport,
) -> Iterator[Mention]:
    """Yield a Mention per new status in the brands' hashtag timelines (and searches)."""
    settings = configured.source
    token = client.credentials.get(TOKEN_ENV)
    searching = settings.search and bool(token)
    if settings.search and not token:
        report.warnings.append(
            f"Mastodon status search is off: set {TOKEN_ENV} to search statuses on"
            f" {settings.token_instance} (hashtag timelines are read without it)"
        )
    todo = jobs(settings, brands, searching)
    seen: set[str] = set()
    for done, job in enumerate(todo, start=1):
        own = job.instance.rstrip("/") == settings.token_instance
        # The token goes only to the instance that issued it, never to the others.
        headers = {"Authorization": f"Bearer {token}"} if token and own else None
        work = partial(_read, settings, job, state, client, report, headers)
        yield from run_item(report, ITEM, job.label, work, seen)
        report.advance(done, len(todo))
    finish(report, client, "Mastodon")


def _read(
    settings: Settings,
    job: _Job,
    state: Mapping[str, Any],
    client: ApiClient,
    report: RunReport,
    headers: dict[str, str] | None,
    item: ItemRun,
) -> Iterator[Mention]:
    saved = state.get(job.key)
    cursor = str(saved["newest"]) if isinstance(saved, dict) and saved.get("newest") else None
    newest = cursor
    max_id: str | None = None
    for page in range(settings.max_pages):
        if job.kind == "tag":
            url = timeline_url(job.instance, job.value, settings.page_size, cursor, max_id)
        else:
            offset = page * settings.page_size
            url = search_url(job.instance, job.value, settings.page_size, cursor, offset)
        reply = client.get(url, headers=headers)
        note_quota(client, url, item)
        item.pages += 1
        statuses = reply.data if job.kind == "tag" else reply.data["statuses"]
        if not isinstance(statuses, list):
            raise TypeError(f"expected a list of statuses, got {type(statuses).__name__}")
        for status in statuses:
            ident = str(status.get("id") or "")
            if cursor is not None and _older_or_same(ident, cursor):
                continue  # an instance that ignores since_id: already collected
            if ident and (newest is None or _older_or_same(newest, ident)):
                newest = ident
            mention = status_mention(status, job.instance, report.started_at)
            if mention is None:
                report.skipped += 1
                continue
            item.items += 1
            yield mention
        if job.kind == "tag":
            more = "next" in _links(reply.headers.get("link", ""))
        else:
            more = len(statuses) >= settings.page_size
        if not statuses or not more:
            break
        max_id = str(statuses[-1].get("id"))
    else:
        truncated(report, ITEM, job.label, settings.max_pages, cursor is not None)
    if newest is not None:
        report.state[job.key] = {"newest": newest}
        item.cursor = newest


def _older_or_same(a: str, b: str) -> bool:
    """Return True when status id `a` is not newer than `b` (ids sort as numbers)."""
    if a.isdigit() and b.isdigit():
        return int(a) <= int(b)
    return (len(a), a) <= (len(b), b)


def _links(header: str) -> set[str]:
    """Return the rel names of a Link header (`<...>; rel="next", <...>; rel="prev"`)."""
    return set(re.findall(r'rel="?([a-z]+)"?', header))


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
