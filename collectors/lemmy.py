"""The Lemmy collector: posts and comments naming each brand, from the listed instances' search.

Lemmy's public API (`/api/v3/search?type_=All&sort=New`) needs no login. Each search term is
asked of every listed instance, newest first, page by page; Lemmy has no "since" filter, so
a later run stops paging at the newest publication time the previous run saw. A post or
comment seen through two federated instances is one mention: its id comes from its
ActivityPub id (`ap_id`), the same everywhere. Score and comment counts are the engagement.
One instance failing is recorded and the others go on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import urlencode, urlsplit

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

name = "lemmy"
item_noun = "instance"
mention_sources = (name,)
credentials: tuple[Credential, ...] = ()  # search is public on Lemmy instances
ITEM = item_noun
MAX_LIMIT = 50  # Lemmy's largest page


@dataclass(frozen=True)
class Settings:
    """The [lemmy] section."""

    enabled: bool = setting(True, doc="`false` skips Lemmy without deleting the section")
    instances: tuple[str, ...] = setting(
        ("https://lemmy.world",), doc="instance URLs whose search is asked"
    )
    page_size: int = setting(20, doc="posts and comments per request, 1 to 50")
    max_pages: int = setting(3, doc="pages per instance, term and run")

    def __post_init__(self) -> None:
        check(bool(self.instances), "instances", "a list of instance URLs", list(self.instances))
        for url in self.instances:
            check_url("instances", url)
        check(1 <= self.page_size <= MAX_LIMIT, "page_size", "1 to 50", self.page_size)
        check(self.max_pages >= 1, "max_pages", "1 or more", self.max_pages)


LEMMY = Section(name, Settings, doc="post and comment search on Lemmy instances")
sections = (LEMMY, FETCH)
example = """\
# Lemmy: posts and comments naming each brand, from these instances' public search.
[lemmy]
instances = ["https://lemmy.world"]
"""


def configure(sections: Mapping[str, Any]) -> Configured[Settings] | None:
    """Return the [lemmy] settings, or None when the section is absent or disabled."""
    settings = sections.get(LEMMY.key)
    if not isinstance(settings, Settings) or not settings.enabled:
        return None
    return with_fetch(sections, settings)


def open_client(
    settings: Configured[Settings], credentials: Mapping[str, str] | None = None
) -> ApiClient:
    """Build the paced JSON client from the [fetch] limits (no credentials are needed)."""
    return ApiClient.from_settings(settings.fetch)


def search_url(instance: str, term: str, limit: int, page: int = 1) -> str:
    """Return one page of a newest-first search for posts and comments across the fediverse."""
    params = [
        ("q", term),
        ("type_", "All"),
        ("sort", "New"),
        ("listing_type", "All"),
        ("limit", str(limit)),
        ("page", str(page)),
    ]
    return f"{instance.rstrip('/')}/api/v3/search?{urlencode(params)}"


def post_mention(view: Mapping[str, Any], instance: str, collected_at: datetime) -> Mention | None:
    """Turn a post view into a Mention; None when removed, deleted or without id or date."""
    post = view.get("post") or {}
    if post.get("removed") or post.get("deleted"):
        return None
    counts = view.get("counts") or {}
    link = safe_url(post.get("url"))
    return _mention(
        view,
        post,
        instance,
        collected_at,
        kind="post",
        title=plain_text(post.get("name"), multiline=False),
        text=plain_text(post.get("body")),
        score=_int(counts.get("score")),
        comments=_int(counts.get("comments")),
        more={"link": link},
    )


def comment_mention(
    view: Mapping[str, Any], instance: str, collected_at: datetime
) -> Mention | None:
    """Turn a comment view into a Mention; None when removed, deleted or without id or date."""
    comment = view.get("comment") or {}
    if comment.get("removed") or comment.get("deleted"):
        return None
    counts = view.get("counts") or {}
    post = view.get("post") or {}
    return _mention(
        view,
        comment,
        instance,
        collected_at,
        kind="comment",
        title="",
        text=plain_text(comment.get("content")),
        score=_int(counts.get("score")),
        comments=_int(counts.get("child_count")),
        more={
            "parent_title": plain_text(post.get("name"), multiline=False) or None,
            "post_ap_id": post.get("ap_id"),
        },
    )


def mentions_from_saved(data: Any, collected_at: datetime) -> list[Mention]:
    """Turn one saved search answer (`{"posts": [...], "comments": [...]}`) into Mentions,
    as a live run does; the instance is taken from each item's own ActivityPub id."""
    found = [post_mention(v, _home(v.get("post")), collected_at) for v in data.get("posts") or []]
    found += [
        comment_mention(v, _home(v.get("comment")), collected_at)
        for v in data.get("comments") or []
    ]
    return [m for m in found if m is not None]


def _home(thing: Any) -> str:
    ap_id = thing.get("ap_id") if isinstance(thing, dict) else None
    parts = urlsplit(ap_id) if isinstance(ap_id, str) else None
    return f"{parts.scheme}://{parts.netloc}" if parts and parts.netloc else ""


def _mention(
    view: Mapping[str, Any],
    thing: Mapping[str, Any],
    instance: str,
    collected_at: datetime,
    *,
    kind: str,
    title: str,
    text: str,
    score: int | None,
    comments: int | None,
    more: dict[str, Any],
) -> Mention | None:
    ap_id = thing.get("ap_id")
    published = _moment(thing.get("published"))
    if not ap_id or published is None:
        return None
    counts = view.get("counts") or {}
    creator = view.get("creator") or {}
    community = view.get("community") or {}
    extra: dict[str, Any] = {
        "kind": kind,
        "instance": urlsplit(instance).netloc,
        "community": _handle(community.get("name"), community.get("actor_id")),
        "upvotes": _int(counts.get("upvotes")),
        "downvotes": _int(counts.get("downvotes")),
        "nsfw": bool(community.get("nsfw") or (view.get("post") or {}).get("nsfw")),
        **more,
    }
    return Mention(
        id=mention_id(name, str(ap_id)),
        source=name,
        native_id=str(ap_id),
        url=safe_url(str(ap_id)),
        author=_handle(creator.get("name"), creator.get("actor_id")),
        title=title,
        text=text,
        published_at=published,
        collected_at=collected_at,
        score=score,
        comments=comments,
        extra=extra,
    )


def collect(
    configured: Configured[Settings],
    brands: Sequence[BrandTerms],
    state: Mapping[str, Any],
    client: ApiClient,
    report: RunReport,
) -> Iterator[Mention]:
    """Yield a Mention per new post and comment matching any brand term on every instance."""
    settings = configured.source
    terms = unique_words(brands)
    jobs = [(instance, term) for instance in settings.instances for term in terms]
    seen: set[str] = set()
    for done, (instance, term) in enumerate(jobs, start=1):
        label = f"{urlsplit(instance).netloc} {term!r}"
        work = partial(_search, settings, instance, term, state, client, report)
        yield from run_item(report, ITEM, label, work, seen)
        report.advance(done, len(jobs))
    finish(report, client, "Lemmy")


def _search(
    settings: Settings,
    instance: str,
    term: str,
    state: Mapping[str, Any],
    client: ApiClient,
    report: RunReport,
    item: ItemRun,
) -> Iterator[Mention]:
    key = f"{instance.rstrip('/')} {term.casefold()}"
    saved = state.get(key)
    cursor = _moment(saved.get("newest")) if isinstance(saved, dict) else None
    newest = cursor
    for page in range(1, settings.max_pages + 1):
        url = search_url(instance, term, settings.page_size, page)
        data = client.get(url).data
        note_quota(client, url, item)
        item.pages += 1
        posts, comments = data["posts"], data["comments"]
        if not isinstance(posts, list) or not isinstance(comments, list):
            raise TypeError("expected lists of posts and comments")
        more = False
        # Posts and comments are each sorted newest first: page on while either kind
        # filled its page without getting back to the previous run's newest.
        for views, normalise in ((posts, post_mention), (comments, comment_mention)):
            reached = False
            for view in views:
                mention = normalise(view, instance, report.started_at)
                if mention is None:
                    report.skipped += 1
                    continue
                if cursor is not None and mention.published_at <= cursor:
                    reached = True
                    continue
                if newest is None or mention.published_at > newest:
                    newest = mention.published_at
                item.items += 1
                yield mention
            more = more or (len(views) >= settings.page_size and not reached)
        if not more:
            break
    else:
        label = f"{urlsplit(instance).netloc} {term!r}"
        truncated(report, ITEM, label, settings.max_pages, cursor is not None)
    if newest is not None:
        stamp = newest.isoformat(timespec="microseconds")
        report.state[key] = {"newest": stamp}
        item.cursor = stamp


def _handle(local: Any, actor_id: Any) -> str | None:
    """Return `name@host` of a Lemmy user or community from its name and actor URL."""
    if not isinstance(local, str) or not local:
        return None
    host = urlsplit(actor_id).netloc if isinstance(actor_id, str) else ""
    return f"{local}@{host}" if host else local


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    # Lemmy before 0.19 wrote naive UTC times.
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
