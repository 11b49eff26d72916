"""The Bluesky collector: posts naming each brand, from `app.bsky.feed.searchPosts`.

With BLUESKY_HANDLE and BLUESKY_APP_PASSWORD set (an app password, never the account's
own), one session is opened per run on `service` (`com.atproto.server.createSession`) and
searches go there with its token; without them the public AppView is asked, which may
refuse searches (403). Each search term is read newest first (`sort=latest`) page by page
with the answer's `cursor`; a later run asks only `since` the newest post time it saw. The
`RateLimit-*` headers pace the requests. Likes, reposts and replies are the engagement.
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
    truncated,
    unique_words,
)
from brandpulse.collectors.api_client import (
    configured as with_fetch,
)
from brandpulse.collectors.base import BrandTerms, Credential, Section, setting
from brandpulse.collectors.feed_text import plain_text
from brandpulse.collectors.fetch_settings import FETCH
from brandpulse.collectors.http_fetch import FetchError
from brandpulse.store.records import Mention, RunReport, mention_id

name = "bluesky"
item_noun = "query"
mention_sources = (name,)
HANDLE_ENV = "BLUESKY_HANDLE"
PASSWORD_ENV = "BLUESKY_APP_PASSWORD"
credentials = (
    Credential(HANDLE_ENV, "your Bluesky handle, e.g. `brand.bsky.social`"),
    Credential(
        PASSWORD_ENV,
        "an app password (Settings > Privacy and security > App passwords), never the"
        " account's own",
    ),
)
ITEM = item_noun
SEARCH = "/xrpc/app.bsky.feed.searchPosts"
SESSION = "/xrpc/com.atproto.server.createSession"
POST_URL = "https://bsky.app/profile/{author}/post/{rkey}"


@dataclass(frozen=True)
class Settings:
    """The [bluesky] section."""

    enabled: bool = setting(True, doc="`false` skips Bluesky without deleting the section")
    service: str = setting("https://bsky.social", doc="where an app password logs in and searches")
    public_api: str = setting(
        "https://public.api.bsky.app", doc="the public AppView, asked when no credentials are set"
    )
    page_size: int = setting(25, doc="posts per request, 1 to 100")
    max_pages: int = setting(4, doc="pages per term and run")

    def __post_init__(self) -> None:
        check_url("service", self.service)
        check_url("public_api", self.public_api)
        check(1 <= self.page_size <= 100, "page_size", "1 to 100", self.page_size)
        check(self.max_pages >= 1, "max_pages", "1 or more", self.max_pages)


BLUESKY = Section(name, Settings, doc="post search on Bluesky")
sections = (BLUESKY, FETCH)
example = """\
# Bluesky: posts naming each brand. Set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (an app
# password) to search through your account; without them the public API is asked.
[bluesky]
max_pages = 4                          # pages of 25 posts per brand term and run
"""


def configure(sections: Mapping[str, Any]) -> Configured[Settings] | None:
    """Return the [bluesky] settings, or None when the section is absent or disabled."""
    settings = sections.get(BLUESKY.key)
    if not isinstance(settings, Settings) or not settings.enabled:
        return None
    return with_fetch(sections, settings)


def open_client(
    settings: Configured[Settings], credentials: Mapping[str, str] | None = None
) -> ApiClient:
    """Build the paced JSON client with the app-password credentials, when set."""
    return ApiClient.from_settings(settings.fetch, credentials)


def search_url(
    base: str, term: str, limit: int, since: str | None = None, cursor: str | None = None
) -> str:
    """Return one page of a newest-first post search."""
    params: list[tuple[str, str]] = [("q", term), ("sort", "latest"), ("limit", str(limit))]
    if since:
        params.append(("since", since))
    if cursor:
        params.append(("cursor", cursor))
    return f"{base.rstrip('/')}{SEARCH}?{urlencode(params)}"


def post_mention(post: Mapping[str, Any], collected_at: datetime) -> Mention | None:
    """Turn one post view into a Mention; None without a URI or a date."""
    uri = post.get("uri")
    record = post.get("record") or {}
    published = _moment(record.get("createdAt")) or _moment(post.get("indexedAt"))
    if not isinstance(uri, str) or not uri.startswith("at://") or published is None:
        return None
    author = post.get("author") or {}
    handle = author.get("handle") if isinstance(author.get("handle"), str) else None
    did = author.get("did")
    rkey = uri.rsplit("/", 1)[-1]
    likes, reposts = _int(post.get("likeCount")), _int(post.get("repostCount"))
    replies, quotes = _int(post.get("replyCount")), _int(post.get("quoteCount"))
    extra: dict[str, Any] = {
        "kind": "reply" if record.get("reply") else "post",
        "did": did,
        "likes": likes,
        "reposts": reposts,
        "replies": replies,
        "quotes": quotes,
        "langs": list(record.get("langs") or []),
        "indexed_at": post.get("indexedAt"),
    }
    return Mention(
        id=mention_id(name, uri),
        source=name,
        native_id=uri,
        url=POST_URL.format(author=handle or did, rkey=rkey) if (handle or did) else None,
        author=handle,
        title="",
        text=plain_text(record.get("text")),
        published_at=published,
        collected_at=collected_at,
        score=likes,
        comments=replies,
        extra=extra,
    )


def mentions_from_saved(data: Any, collected_at: datetime) -> list[Mention]:
    """Turn one saved searchPosts answer (`{"posts": [...]}`) into Mentions, as a live run does."""
    found = (post_mention(post, collected_at) for post in data["posts"])
    return [m for m in found if m is not None]


def sort_time(post: Mapping[str, Any]) -> datetime | None:
    """Return the time search orders a post by: the earlier of its claimed and indexed time
    (a client may backdate `createdAt`, never postdate it past indexing)."""
    record = post.get("record") or {}
    times = [t for t in (_moment(record.get("createdAt")), _moment(post.get("indexedAt"))) if t]
    return min(times) if times else None


def collect(
    configured: Configured[Settings],
    brands: Sequence[BrandTerms],
    state: Mapping[str, Any],
    client: ApiClient,
    report: RunReport,
) -> Iterator[Mention]:
    """Yield a Mention per new post matching any brand term."""
    settings = configured.source
    handle = client.credentials.get(HANDLE_ENV)
    password = client.credentials.get(PASSWORD_ENV)
    headers: dict[str, str] | None = None
    base = settings.public_api
    if handle and password:
        try:
            session = client.get(
                f"{settings.service.rstrip('/')}{SESSION}",
                json_body={"identifier": handle, "password": password},
            ).data
            headers = {"Authorization": f"Bearer {session['accessJwt']}"}
        except (FetchError, KeyError, TypeError) as exc:
            # Every search would fail the same way: one clear error, no requests.
            message = exc.message if isinstance(exc, FetchError) else "no accessJwt in answer"
            report.error(
                f"Bluesky login as {handle} failed: {message}; check {HANDLE_ENV} and"
                f" {PASSWORD_ENV} (an app password from Settings > App passwords)"
            )
            return
        base = settings.service
    elif handle or password:
        report.warnings.append(
            f"Bluesky: set both {HANDLE_ENV} and {PASSWORD_ENV} to log in; searching the"
            " public API without them"
        )
    terms = unique_words(brands)
    seen: set[str] = set()
    for done, term in enumerate(terms, start=1):
        work = partial(_search, settings, base, headers, term, state, client, report)
        yield from run_item(report, ITEM, term, work, seen)
        report.advance(done, len(terms))
    finish(report, client, "Bluesky")


def _search(
    settings: Settings,
    base: str,
    headers: dict[str, str] | None,
    term: str,
    state: Mapping[str, Any],
    client: ApiClient,
    report: RunReport,
    item: ItemRun,
) -> Iterator[Mention]:
    key = term.casefold()
    saved = state.get(key)
    since = _moment(saved.get("newest")) if isinstance(saved, dict) else None
    newest = since
    cursor: str | None = None
    for _page in range(settings.max_pages):
        stamp = _stamp(since) if since else None
        url = search_url(base, term, settings.page_size, stamp, cursor)
        try:
            data = client.get(url, headers=headers).data
        except FetchError as exc:
            if headers is None and exc.http_status in (401, 403):
                # The public AppView refuses search to anonymous callers: every other term
                # would fail alike, so they are skipped with the fix, not asked.
                why = (
                    f"the public API refuses search without login; set {HANDLE_ENV} and"
                    f" {PASSWORD_ENV}"
                )
                client.pacer.block(url, why)
                exc.message = f"{exc.message}; {why}"
            raise
        note_quota(client, url, item)
        item.pages += 1
        posts = data["posts"]
        if not isinstance(posts, list):
            raise TypeError("expected a list of posts")
        for post in posts:
            at = sort_time(post)
            if since is not None and at is not None and at <= since:
                continue  # `since` is inclusive: the post the cursor points at was kept
            mention = post_mention(post, report.started_at)
            if mention is None:
                report.skipped += 1
                continue
            if at is not None and (newest is None or at > newest):
                newest = at
            item.items += 1
            yield mention
        cursor = data.get("cursor") if isinstance(data.get("cursor"), str) else None
        if not posts or not cursor:
            break
    else:
        truncated(report, ITEM, term, settings.max_pages, since is not None)
    if newest is not None:
        # Kept to the microsecond: `since` is sent to the millisecond, and the posts of
        # that millisecond are told apart here.
        report.state[key] = {"newest": newest.isoformat(timespec="microseconds")}
        item.cursor = report.state[key]["newest"]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
