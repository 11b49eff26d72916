"""Turn PRAW submissions and comments into Mentions, reading only data Reddit already sent.

PRAW objects fetch themselves lazily: reading an attribute that a listing did not carry
(`removed_by_category` on a 2016 post, `title` on a comment's submission) sends one API
request per object. The normaliser therefore reads each object's own `__dict__` and never
its attributes, so turning a listing into Mentions costs no request at all.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from brandpulse.store.records import Mention, mention_id
from praw.models import Comment, Submission
from praw.models.listing.listing import Listing

SOURCE = "reddit"
SITE = "https://www.reddit.com"

# What Reddit shows in place of a body (or a title) that was removed or deleted; none of it
# is the author's words, so none of it is stored as text.
DELETED_MARKERS = frozenset({"[deleted]", "[deleted by user]"})
REMOVED_MARKERS = frozenset(
    {"[removed]", "[removed by reddit]", "[ Removed by Reddit ]", "[ Removed by moderator ]"}
)
# removed_by_category values that mean the author deleted the post (the rest are removals).
AUTHOR_DELETIONS = frozenset({"deleted", "author"})


def _flags(body: str, category: str | None) -> tuple[bool, bool]:
    """Return (removed, deleted) from a body text and Reddit's removed_by_category."""
    if category is None and not body.startswith("["):  # nearly every post and comment
        return False, False
    deleted = body in DELETED_MARKERS or category in AUTHOR_DELETIONS
    removed = not deleted and (
        body in REMOVED_MARKERS or body.startswith("[ Removed by Reddit") or category is not None
    )
    return removed, deleted


def _name(value: Any, key: str) -> str | None:
    """Return the name a PRAW Redditor (`name`) or Subreddit (`display_name`) holds, or a
    plain string as it is, without triggering a fetch."""
    if value is None or isinstance(value, str):
        return value
    name: str | None = value.__dict__.get(key)
    return name


def _fullname(data: dict[str, Any], prefix: str) -> str:
    """Return a thing's fullname ("t3_abc"), built from its id when the data lacks one."""
    return data.get("name") or f"{prefix}_{data.get('id')}"


def _absolute(permalink: str | None) -> str | None:
    if not permalink:
        return None
    if permalink.startswith("http"):
        return permalink
    return SITE + permalink


def submission_mention(thing: Submission, collected_at: datetime) -> Mention | None:
    """Turn one submission into a Mention: title and selftext, the link of a link post in
    `extra`; None when the data lacks an id or creation time."""
    data = thing.__dict__
    get = data.get
    ident = get("id")
    stamp = get("created_utc")
    if not ident or stamp is None:
        return None
    fullname = _fullname(data, "t3")
    selftext = get("selftext") or ""
    removed, deleted = _flags(selftext, get("removed_by_category"))
    title = get("title") or ""
    if (removed or deleted) and (title in DELETED_MARKERS or title in REMOVED_MARKERS):
        title = ""
    extra: dict[str, Any] = {
        "kind": "submission",
        "subreddit": _name(get("subreddit"), "display_name"),
        "nsfw": bool(get("over_18", False)),
        "removed": removed,
        "deleted": deleted,
        "domain": get("domain"),
    }
    if not get("is_self", True) and get("url"):
        extra["link_url"] = get("url")
    return Mention(
        id=mention_id(SOURCE, fullname),
        source=SOURCE,
        native_id=fullname,
        url=_absolute(get("permalink")) or f"{SITE}/comments/{ident}/",
        author=_name(get("author"), "name"),
        title=title,
        text="" if removed or deleted else selftext,
        published_at=datetime.fromtimestamp(float(stamp), UTC),
        collected_at=collected_at,
        score=get("score"),
        comments=get("num_comments"),
        extra=extra,
    )


def _comment_url(data: dict[str, Any], ident: str, parent: dict[str, Any] | None) -> str | None:
    """Return the permalink of a comment whose data has none, from whichever related field
    this endpoint sent."""
    if parent is not None and parent.get("permalink"):
        return _absolute(parent["permalink"].rstrip("/") + f"/{ident}/")
    if data.get("link_permalink"):
        return _absolute(data["link_permalink"].rstrip("/") + f"/{ident}/")
    if data.get("context"):  # inbox replies carry "context" instead of a permalink
        return _absolute(data["context"].split("?", 1)[0])
    link_id = data.get("link_id")
    subreddit = _name(data.get("subreddit"), "display_name")
    if link_id and subreddit:
        return f"{SITE}/r/{subreddit}/comments/{link_id.split('_', 1)[-1]}/_/{ident}/"
    return None


def comment_mention(
    thing: Comment, collected_at: datetime, parent: Submission | None = None
) -> Mention | None:
    """Turn one comment into a Mention; `parent` (its submission, when the caller has it)
    supplies the title and NSFW flag that comment data lacks outside listings."""
    data = thing.__dict__
    get = data.get
    ident = get("id")
    stamp = get("created_utc")
    if not ident or stamp is None:
        return None
    fullname = _fullname(data, "t1")
    body = get("body") or ""
    removed, deleted = _flags(body, get("removed_by_category"))
    parent_data = parent.__dict__ if parent is not None else None
    parent_title = get("link_title")
    nsfw = get("over_18")
    if parent_data is not None:
        parent_title = parent_title or parent_data.get("title")
        if nsfw is None:
            nsfw = parent_data.get("over_18")
    permalink = get("permalink")
    extra: dict[str, Any] = {
        "kind": "comment",
        "subreddit": _name(get("subreddit"), "display_name"),
        "nsfw": None if nsfw is None else bool(nsfw),
        "removed": removed,
        "deleted": deleted,
        "domain": "reddit.com",
        "parent_title": parent_title,
        "parent_id": get("parent_id"),
        "submission_id": get("link_id"),
    }
    return Mention(
        id=mention_id(SOURCE, fullname),
        source=SOURCE,
        native_id=fullname,
        url=_absolute(permalink) if permalink else _comment_url(data, ident, parent_data),
        author=_name(get("author"), "name"),
        title="",
        text="" if removed or deleted else body,
        published_at=datetime.fromtimestamp(float(stamp), UTC),
        collected_at=collected_at,
        score=get("score"),
        comments=None,
        extra=extra,
    )


def normalise(
    thing: Any, collected_at: datetime, parent: Submission | None = None
) -> Mention | None:
    """Turn a PRAW submission or comment into a Mention; None for anything else (a
    subreddit, a "load more comments" stub) or for data without an id or time."""
    if isinstance(thing, Submission):
        return submission_mention(thing, collected_at)
    if isinstance(thing, Comment):
        return comment_mention(thing, collected_at, parent)
    return None


def things(payload: Any) -> Iterator[Any]:
    """Yield every submission and comment in an objectified API answer, depth first.

    Handles a listing, the [submission listing, comment listing] pair of a comment page,
    the list a "more children" call returns, and each comment's nested replies.
    """
    stack: deque[Any] = deque([payload])
    while stack:
        item = stack.popleft()
        if isinstance(item, Listing):
            stack.extendleft(reversed(item.children))
        elif isinstance(item, list):
            stack.extendleft(reversed(item))
        elif isinstance(item, Comment):
            yield item
            # A plain list, or a CommentForest once PRAW has wrapped it: both iterate.
            replies = item.__dict__.get("_replies")
            if replies is not None:
                stack.extendleft(reversed(list(replies)))
        elif item is not None:
            yield item


def mentions_from_things(payload: Any, collected_at: datetime) -> tuple[list[Mention], int]:
    """Turn an objectified API answer into Mentions; return them and the number of things
    skipped (subreddits, "more" stubs, data without id or time).

    A comment's parent title comes from its submission when the same answer holds it.
    """
    items = list(things(payload))
    parents: dict[Any, Submission] = {
        _fullname(s.__dict__, "t3"): s for s in items if isinstance(s, Submission)
    }
    mentions: list[Mention] = []
    skipped = 0
    for item in items:
        parent = parents.get(item.__dict__.get("link_id")) if isinstance(item, Comment) else None
        mention = normalise(item, collected_at, parent)
        if mention is None:
            skipped += 1
        else:
            mentions.append(mention)
    return mentions, skipped
