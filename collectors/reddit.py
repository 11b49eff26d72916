"""The Reddit collector: brand searches, owned and watched subreddits, and the comments of
the posts found, through PRAW with app-only, read-only access.

Every listing is read newest first and stops at the newest item the previous run saw, so a
cron run every 15 minutes asks only for what is new; a first run backfills up to
`backfill_limit` items per target. A failing subreddit or search is recorded on the run and
the others still run; a failure that would repeat on every request (credentials, the rate
limit, Reddit being down) ends the run early instead of hammering Reddit.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import praw
from brandpulse.collectors.base import BrandTerms, Credential
from brandpulse.collectors.reddit_client import ID_ENV, SECRET_ENV, offline_client, open_client
from brandpulse.collectors.reddit_errors import Failure, RateLimitWait, explain
from brandpulse.collectors.reddit_normalise import (
    SOURCE,
    comment_mention,
    mentions_from_things,
    normalise,
    submission_mention,
)
from brandpulse.collectors.reddit_settings import REDDIT, Reddit
from brandpulse.collectors.reddit_targets import COMMENTS, Target, plan
from brandpulse.store.records import ItemResult, Mention, RunReport
from praw.models import Comment, MoreComments, Submission

__all__ = [
    "collect",
    "configure",
    "credentials",
    "example",
    "item_noun",
    "deleted_upstream",
    "mention_sources",
    "mentions_from_listing",
    "mentions_from_saved",
    "name",
    "offline_client",
    "open_client",
    "recheck_since",
    "sections",
    "secret_values",
]

name = "reddit"
item_noun = "subreddit"
mention_sources = (SOURCE,)
sections = (REDDIT,)
credentials = (
    Credential(
        ID_ENV,
        "the client id of a Reddit app of type 'script' or 'web'"
        " (else `client_id` from PRAW's praw.ini)",
    ),
    Credential(SECRET_ENV, "that app's secret (else `client_secret` from praw.ini)"),
)
example = """\
# Reddit: app-only, read-only access. Credentials come from REDDIT_CLIENT_ID and
# REDDIT_CLIENT_SECRET (a "script" or "web" app from https://www.reddit.com/prefs/apps),
# or from PRAW's praw.ini; never from this file.
[reddit]
subreddits = ["all"]                   # where brand searches run; "all" is all of Reddit
owned_subreddits = []                  # your own subreddits: every new post is collected
comment_subreddits = []                # subreddits whose new comments are searched too
sort = "new"
time_filter = "week"                   # hour, day, week, month, year, all
backfill_limit = 500                   # most posts per search on the first run
comments = true                        # also collect comments of matched posts
comment_depth = 2
replace_more_limit = 0                 # "load more comments" expansions per post
page_size = 100                        # items per Reddit API page (1-100)
max_comment_threads = 50               # most matched posts whose comments are read per run
comment_revisit_hours = 6              # re-read comments of posts this recent, for late replies
max_rate_limit_wait = 10               # longest rate-limit wait in seconds; past it, next run
recheck_days = 30                      # erase stored items deleted on Reddit within these days
"""
THREAD = "thread"  # the item noun of a post's comment thread

# Server or network failures in a row after which Reddit is taken to be down for this run.
MAX_TRANSIENT = 3
THREADS_KEY = "threads"
# Fullnames per /api/info request: Reddit's maximum.
INFO_BATCH = 100
RECHECK = "re-check of stored posts and comments"


def mentions_from_listing(data: Any, reddit: praw.Reddit, collected_at: datetime) -> list[Mention]:
    """Turn a saved API answer (a listing, a comment page's pair of listings) into Mentions
    through PRAW's objector and the live collector's normaliser.

    Raises ValueError when `data` is not a Reddit listing; things that are not posts or
    comments (subreddits, "more" stubs) are left out.
    """
    if not _is_listing(data):
        raise ValueError(
            'not a Reddit listing: expected {"kind": "Listing", "data": {"children": [...]}}'
            " or a list of them"
        )
    mentions, _skipped = mentions_from_things(reddit._objector.objectify(data=data), collected_at)
    return mentions


def secret_values(client: praw.Reddit) -> tuple[str, ...]:
    """Return the credentials the client uses, wherever PRAW found them (environment or
    praw.ini), so the front door can scrub them from messages."""
    values = (getattr(client.config, key, None) for key in ("client_id", "client_secret"))
    return tuple(v for v in values if isinstance(v, str) and v)


def recheck_since(settings: Reddit, now: datetime) -> datetime | None:
    """Return from when stored posts and comments are re-checked (`recheck_days` before
    `now`), or None when re-checking is off."""
    days = settings.recheck_days
    return now - timedelta(days=days) if days > 0 else None


def deleted_upstream(
    client: praw.Reddit, fullnames: list[str], report: RunReport
) -> tuple[set[str], int]:
    """Return which of these stored posts and comments Reddit no longer shows (deleted by
    their author, removed by moderators or Reddit, or gone), and how many were checked.

    One /api/info request per 100 fullnames. A failing request ends the re-check for this
    run (an error; a rate-limit wait past `max_rate_limit_wait`, a warning); the fullnames
    not checked are checked next run.
    """
    gone: set[str] = set()
    checked = 0
    for start in range(0, len(fullnames), INFO_BATCH):
        batch = fullnames[start : start + INFO_BATCH]
        try:
            things = list(client.info(fullnames=batch))
        except RateLimitWait as wait:
            report.warnings.append(f"{RECHECK} stopped: {wait}; the rest is checked next run")
            break
        except Exception as exc:
            report.error(explain(exc, RECHECK).message)
            break
        shown = {}
        for thing in things:
            mention = normalise(thing, report.started_at)
            if mention is not None:
                shown[mention.native_id] = mention
        for fullname in batch:
            mention = shown.get(fullname)
            if mention is None or mention.extra.get("removed") or mention.extra.get("deleted"):
                gone.add(fullname)
        checked += len(batch)
    return gone, checked


def _is_listing(data: Any) -> bool:
    if isinstance(data, list):
        return bool(data) and all(_is_listing(item) for item in data)
    return (
        isinstance(data, dict)
        and data.get("kind") == "Listing"
        and isinstance(data.get("data"), dict)
        and isinstance(data["data"].get("children"), list)
    )


def mentions_from_saved(data: Any, collected_at: datetime) -> list[Mention]:
    """Turn one saved API answer into Mentions with an offline client (for the demo)."""
    return mentions_from_listing(data, offline_client(), collected_at)


def configure(sections: Mapping[str, Any]) -> Reddit | None:
    """Return the [reddit] settings, or None when the section is absent or disabled."""
    settings = sections.get(REDDIT.key)
    return settings if isinstance(settings, Reddit) and settings.enabled else None


def collect(
    settings: Reddit,
    terms: Sequence[BrandTerms],
    state: Mapping[str, Any],
    client: praw.Reddit,
    report: RunReport,
) -> Iterator[Mention]:
    """Yield the mentions Reddit holds for the brands' terms and the configured subreddits,
    newest first per target, each once; cursors for the next run go to `report.state`."""
    yield from _Run(settings, state, client, report).run(list(plan(settings, terms)))


class _Run:
    """One collection: the targets' listings, then the comment threads of the posts found."""

    def __init__(
        self, settings: Reddit, state: Mapping[str, Any], client: praw.Reddit, report: RunReport
    ) -> None:
        self.settings = settings
        self.state = state
        self.client = client
        self.report = report
        self.collected_at = report.started_at
        self.seen: set[str] = set()
        self.found: list[Submission] = []  # posts first seen this run, for their comments
        self.stopped: str | None = None
        self.transient = 0

    def run(self, targets: list[Target]) -> Iterator[Mention]:
        for done, target in enumerate(targets, start=1):
            if self.stopped:
                self._detail(target.label, "skipped", reason=self.stopped)
                continue
            yield from self._target(target)
            self.report.advance(done, len(targets))
        if self.settings.comments and not self.stopped:
            yield from self._threads()
        skipped = sum(1 for item in self.report.items if item.status == "skipped")
        if skipped:
            self.report.warnings.append(
                f"{skipped} Reddit targets skipped ({self.stopped}); they run again next time"
            )

    # -- bookkeeping -------------------------------------------------------------------

    def _detail(
        self, label: str, status: str, items: int = 0, error: str | None = None, **facts: Any
    ) -> None:
        self.report.items.append(
            ItemResult(label, item_noun, status, fetched=items, error=error, facts=facts)
        )

    def _defer(self, wait: RateLimitWait) -> str:
        """Stop the run for Reddit's rate limit without waiting: every later request would
        wait as long. Nothing failed, so it is a warning; cursors stay, so the next run
        resumes where this one stopped."""
        self.stopped = str(wait)
        return self.stopped

    def _fail(self, label: str, exc: BaseException) -> Failure:
        failure = explain(exc, label)
        self.report.error(failure.message)
        self.transient = self.transient + 1 if failure.transient else 0
        if failure.stop_run:
            self.stopped = f"every later request would fail like {label}"
        elif self.transient >= MAX_TRANSIENT:
            self.stopped = f"Reddit failed {self.transient} times in a row"
        return failure

    def _keep(self, mention: Mention | None, item: str) -> Mention | None:
        """Count a thing read from Reddit; return its mention unless it made none or the
        mention was already yielded this run.

        `fetched` counts every thing read, the already-stored one that ends a listing
        included: a quiet run that found nothing new still fetched, and did not fail.
        """
        self.report.fetched += 1
        if mention is None:
            self.report.skipped += 1
            return None
        if mention.id in self.seen:
            return None
        self.seen.add(mention.id)
        return replace(mention, item=item)

    # -- listings ------------------------------------------------------------------------

    def _target(self, target: Target) -> Iterator[Mention]:
        problem = target.problem()
        if problem:
            self.report.error(f"{target.label}: {problem}")
            self._detail(target.label, "error", error=problem)
            return
        previous = self.state.get(target.key) if target.chronological else None
        cursor = previous if isinstance(previous, dict) and previous.get("newest") else None
        walk = _Walk(cursor)
        try:
            for thing in self._walk(target, walk):
                mention = self._keep(normalise(thing, self.collected_at), target.label)
                if mention:
                    if isinstance(thing, Submission) and target.kind != COMMENTS:
                        self.found.append(thing)
                    yield mention
        except RateLimitWait as wait:
            self._detail(target.label, "skipped", items=walk.items, reason=self._defer(wait))
            return
        except Exception as exc:
            failure = self._fail(target.label, exc)
            self._detail(target.label, "error", items=walk.items, error=failure.message)
            return
        self.transient = 0
        if walk.newest is not None and target.chronological:
            self.report.state[target.key] = walk.newest
        if cursor is not None and not walk.reached:
            self.report.warnings.append(
                f"{target.label}: more than {self.settings.backfill_limit} new items since the"
                " last run; older ones were not fetched (raise backfill_limit or run more often)"
            )
        latest = (walk.newest or cursor or {}).get("newest")
        self._detail(target.label, "ok", items=walk.items, cursor=latest)

    def _walk(self, target: Target, walk: _Walk) -> Iterator[Any]:
        """Yield a target's things newest first until the previous run's newest one,
        noting on `walk` the new cursor and whether the old one was reached."""
        limit = self.settings.backfill_limit
        listing = target.listing(self.client, limit, self.settings.page_size)
        cursor = walk.cursor
        for thing in listing:
            data = thing.__dict__
            fullname, created = data.get("name"), data.get("created_utc")
            # A deleted cursor post never comes back, so an older post also ends the walk.
            if cursor is not None and (
                fullname == cursor["newest"]
                or (created is not None and created < cursor.get("newest_utc", float("-inf")))
            ):
                self.report.fetched += 1
                walk.reached = True
                break
            walk.items += 1
            if created is not None and (walk.newest is None or created > walk.newest["newest_utc"]):
                walk.newest = {"newest": fullname, "newest_utc": created}
            yield thing
        else:
            # A listing that ran out before the limit holds nothing older to miss.
            walk.reached = walk.reached or listing.yielded < limit

    # -- comment threads -----------------------------------------------------------------

    def _threads(self) -> Iterator[Mention]:
        """Yield the comments of posts found this run, then of posts found by earlier runs
        within `comment_revisit_hours`, newest first, at most `max_comment_threads`."""
        visit = self._thread_plan()
        cap = self.settings.max_comment_threads
        for fullname, post in list(visit.items())[:cap]:
            if self.stopped:
                break
            yield from self._thread(fullname, post)
        if len(visit) > cap:
            self.report.warnings.append(
                f"comments of {len(visit) - cap} posts were left for later runs"
                f" (max_comment_threads = {cap})"
            )

    def _thread_plan(self) -> dict[str, Submission]:
        """Return the posts whose comments to read, by fullname, and save the posts to
        revisit next time in `report.state` (revisits use a lazy post: one request)."""
        hours = self.settings.comment_revisit_hours
        since = (self.collected_at - timedelta(hours=hours)).timestamp()
        found = sorted(self.found, key=lambda s: s.__dict__.get("created_utc", 0), reverse=True)
        visit = {post.__dict__["name"]: post for post in found if post.__dict__.get("name")}
        if not hours:
            return visit
        saved = self.state.get(THREADS_KEY)
        tracked = dict(saved) if isinstance(saved, dict) else {}
        tracked.update({name: post.__dict__.get("created_utc", 0) for name, post in visit.items()})
        tracked = {
            name: created
            for name, created in tracked.items()
            if isinstance(created, int | float) and created >= since
        }
        self.report.state[THREADS_KEY] = tracked
        for fullname in sorted(tracked, key=tracked.__getitem__, reverse=True):
            if fullname not in visit:
                visit[fullname] = self.client.submission(id=fullname.split("_", 1)[-1])
        return visit

    def _thread(self, fullname: str, post: Submission) -> Iterator[Mention]:
        label = f"comments of {fullname}"
        forest = None
        result = ItemResult(label, THREAD)
        self.report.items.append(result)
        try:
            forest = post.comments
            forest.replace_more(limit=self.settings.replace_more_limit)
        except RateLimitWait as wait:
            result.status = "skipped"
            result.facts["reason"] = self._defer(wait)
            if forest is None:
                return
        except Exception as exc:
            # Comments read before a failed "more" expansion are still worth keeping.
            result.status, result.error = "error", self._fail(label, exc).message
            if forest is None:
                return
        else:
            self.transient = 0
        mention = self._keep(submission_mention(post, self.collected_at), label)
        if mention:
            yield mention
        for comment in _down_to(forest, self.settings.comment_depth):
            result.fetched += 1
            mention = self._keep(comment_mention(comment, self.collected_at, post), label)
            if mention:
                yield mention


@dataclass
class _Walk:
    """What paging through one target found: its new cursor, and whether it got back to
    the previous run's (a first run, with no cursor, has nothing to get back to)."""

    cursor: dict[str, Any] | None
    newest: dict[str, Any] | None = None
    items: int = 0
    reached: bool = False

    def __post_init__(self) -> None:
        self.reached = self.cursor is None


def _down_to(forest: Any, levels: int) -> Iterator[Comment]:
    """Yield the comments of a forest down to `levels` levels (1: top-level comments only),
    skipping the "load more" stubs that were not expanded."""
    queue: deque[tuple[Any, int]] = deque((c, 1) for c in forest)
    while queue:
        comment, level = queue.popleft()
        if isinstance(comment, MoreComments):
            continue
        yield comment
        if level < levels:
            queue.extend((reply, level + 1) for reply in comment.replies)
