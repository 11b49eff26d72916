"""The `[reddit]` section: where Reddit is searched, how deep, and its API endpoints."""

from __future__ import annotations

import re
from dataclasses import dataclass

from brandpulse.collectors.base import USER_AGENT, InvalidSetting, Section, setting

SORTS = ("new", "relevance", "hot", "top", "comments")
TIME_FILTERS = ("hour", "day", "week", "month", "year", "all")
_URL = re.compile(r"^https?://[^/\s]+")


@dataclass(frozen=True)
class Reddit:
    enabled: bool = setting(True, doc="`false` stops collecting Reddit and keeps the section")
    subreddits: tuple[str, ...] = setting(("all",), doc="where brand searches run")
    owned_subreddits: tuple[str, ...] = setting(
        (), doc="your own subreddits: every new post is collected"
    )
    comment_subreddits: tuple[str, ...] = setting(
        (), doc="subreddits whose new comments are collected"
    )
    sort: str = setting(
        "new",
        doc="`new`, `relevance`, `hot`, `top`, `comments`",
        expected="one of " + ", ".join(SORTS),
    )
    time_filter: str = setting(
        "week",
        doc="`hour`, `day`, `week`, `month`, `year`, `all`",
        expected="one of " + ", ".join(TIME_FILTERS),
    )
    backfill_limit: int = setting(
        500, doc="most posts per search on the first run", expected="a whole number of posts"
    )
    comments: bool = setting(True, doc="also collect comments of matched posts")
    comment_depth: int = setting(
        2, doc="levels of replies read under a post", expected="a whole number"
    )
    replace_more_limit: int = setting(
        0, doc='"load more comments" expansions per post', expected="a whole number"
    )
    user_agent: str = setting(
        USER_AGENT, doc="Reddit's API rules ask for a descriptive one", shown="brandpulse/0.1 (...)"
    )
    oauth_url: str = setting(
        "https://oauth.reddit.com", doc="endpoint, for proxies and tests", expected="a URL"
    )
    reddit_url: str = setting(
        "https://www.reddit.com", doc="endpoint, for proxies and tests", expected="a URL"
    )
    timeout: float = setting(16.0, doc="seconds per request", expected="a number of seconds")
    page_size: int = setting(
        100, doc="items per API page (1–100)", expected="a whole number from 1 to 100"
    )
    max_comment_threads: int = setting(
        50, doc="most matched posts whose comments are read per run", expected="a whole number"
    )
    comment_revisit_hours: int = setting(
        6,
        doc="comments of posts this recent are read again, to catch late replies",
        expected="a whole number of hours",
    )
    max_rate_limit_wait: float = setting(
        10.0,
        doc="longest wait, in seconds, for Reddit's rate limit; past it the run stops"
        " and the next one resumes from its cursors",
        expected="seconds from 0 to 3600",
    )
    recheck_days: int = setting(
        30,
        doc="stored posts and comments this recent are re-checked each run; those deleted"
        " or removed on Reddit are erased here (0: off)",
        expected="a whole number of days",
    )

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise InvalidSetting("sort", "one of " + ", ".join(SORTS), self.sort)
        if self.time_filter not in TIME_FILTERS:
            raise InvalidSetting(
                "time_filter", "one of " + ", ".join(TIME_FILTERS), self.time_filter
            )
        if self.backfill_limit < 1:
            raise InvalidSetting(
                "backfill_limit", "a whole number of posts, 1 or more", self.backfill_limit
            )
        if not 1 <= self.page_size <= 100:
            raise InvalidSetting("page_size", "a whole number from 1 to 100", self.page_size)
        if self.comment_depth < 1:
            raise InvalidSetting(
                "comment_depth", "a whole number of levels, 1 or more", self.comment_depth
            )
        for key in (
            "replace_more_limit",
            "max_comment_threads",
            "comment_revisit_hours",
            "recheck_days",
        ):
            if getattr(self, key) < 0:
                raise InvalidSetting(key, "a whole number, 0 or more", getattr(self, key))
        if self.timeout <= 0:
            raise InvalidSetting("timeout", "a number of seconds above 0", self.timeout)
        if not 0 <= self.max_rate_limit_wait <= 3600:
            raise InvalidSetting(
                "max_rate_limit_wait", "seconds from 0 to 3600", self.max_rate_limit_wait
            )
        for key in ("oauth_url", "reddit_url"):
            if not _URL.match(getattr(self, key)):
                raise InvalidSetting(key, "an http:// or https:// URL", getattr(self, key))


REDDIT = Section("reddit", Reddit, doc="Reddit searches, owned and watched subreddits")
