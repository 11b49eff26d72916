"""Plan what one Reddit run reads: brand searches per subreddit, owned and comment subreddits.

Each target has a stable state key, so its cursor survives between runs; a key names the
query itself, so editing a brand's query starts that search afresh instead of stopping at
a cursor that belonged to another query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from brandpulse.collectors.base import BrandTerms
from brandpulse.collectors.reddit_settings import Reddit
from praw.models.listing.generator import ListingGenerator

SEARCH = "search"
NEW = "new"
COMMENTS = "comments"

# Reddit refuses longer search queries.
MAX_QUERY = 512
# "all", "popular", a name, or several joined by "+": Reddit's own rules for names.
SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}(\+[A-Za-z0-9][A-Za-z0-9_]{1,20})*$")
# A #hashtag or @handle at the start of a word: Reddit search has neither, so keep the word.
_MARKER = re.compile(r"(^|[\s(])[#@](?=\w)")
_SUBREDDIT_TERM = re.compile(r"(^|[\s(-])/?r/(\w+)")


@dataclass(frozen=True)
class Target:
    """One listing to page through: a brand search in a subreddit, or a subreddit's new
    posts or comments."""

    kind: str
    subreddit: str
    query: str | None = None
    brand: str | None = None
    sort: str = "new"
    time_filter: str = "week"

    @property
    def key(self) -> str:
        """Return the state key of this target's cursor, e.g. `search:r/all:acme OR "acme corp"`."""
        base = f"{self.kind}:r/{self.subreddit.lower()}"
        return f"{base}:{self.query}" if self.kind == SEARCH else base

    @property
    def label(self) -> str:
        """Return how errors and run details name this target."""
        if self.kind == SEARCH:
            return f"search {self.query!r} in r/{self.subreddit}"
        what = "new posts" if self.kind == NEW else "new comments"
        return f"{what} in r/{self.subreddit}"

    @property
    def chronological(self) -> bool:
        """Return True when the listing runs newest first, so a cursor can stop it."""
        return self.kind != SEARCH or self.sort == "new"

    def problem(self) -> str | None:
        """Return why this target cannot be requested (a bad name, a query too long)."""
        if not SUBREDDIT.match(self.subreddit):
            return (
                f"{self.subreddit!r} is not a subreddit name (letters, digits and _, 2-21"
                " characters; join several with +): fix it under [reddit] in the config"
            )
        if self.query is not None and len(self.query) > MAX_QUERY:
            return (
                f"the search for {self.brand} is {len(self.query)} characters, more than"
                f" Reddit's {MAX_QUERY}: shorten its query or keywords"
            )
        return None

    def listing(self, client: Any, limit: int, page_size: int) -> ListingGenerator:
        """Return PRAW's generator for this target: at most `limit` items, `page_size` a page."""
        subreddit = client.subreddit(self.subreddit)
        pages = {"limit": limit, "request_limit": page_size}
        generator: ListingGenerator
        if self.kind == SEARCH:
            generator = subreddit.search(
                self.query, sort=self.sort, time_filter=self.time_filter, **pages
            )
        elif self.kind == NEW:
            generator = subreddit.new(**pages)
        else:
            generator = subreddit.comments(**pages)
        return generator


def subreddit_name(value: str) -> str:
    """Return a subreddit name without the `r/` or `/r/` people often write before it."""
    name = value.strip().strip("/")
    return name[2:] if name.lower().startswith("r/") else name


def reddit_query(query: str) -> str:
    """Return a brand query in Reddit's search syntax: #tags and @handles become plain
    words and `r/name` becomes `subreddit:name`; Reddit reads `site:`, `subreddit:`,
    `author:`, AND, OR, NOT and `-word` itself."""
    query = _SUBREDDIT_TERM.sub(r"\1subreddit:\2", query)
    return _MARKER.sub(r"\1", query).strip()


def _quoted(term: str) -> str:
    term = term.replace('"', " ").strip()
    return f'"{term}"' if re.search(r"[^\w'-]", term) else term


def search_query(brand: BrandTerms) -> str:
    """Return what is sent to Reddit search for a brand: its query, else its terms joined
    by OR (phrases quoted).

    The search only has to find candidates: every mention is matched against the full
    query afterwards. So a query using `source:`, which Reddit does not know, is sent as
    the brand's terms instead, and #tags widen to their words.
    """
    query = brand.query
    if query and "source:" not in query.lower():
        return reddit_query(query)
    return " OR ".join(_quoted(term) for term in brand.words)


def _unique(names: Any) -> list[str]:
    seen: set[str] = set()
    out = []
    for raw in names:
        name = subreddit_name(raw)
        if name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


def plan(reddit: Reddit, terms: Sequence[BrandTerms]) -> Iterator[Target]:
    """Yield the run's targets: every brand and competitor searched in each configured
    subreddit, then the new posts of owned subreddits, then comment subreddits."""
    seen: set[str] = set()
    targets = []
    for brand in terms:
        query = search_query(brand)
        for subreddit in _unique(reddit.subreddits):
            targets.append(
                Target(SEARCH, subreddit, query, brand.name, reddit.sort, reddit.time_filter)
            )
    targets += [Target(NEW, name) for name in _unique(reddit.owned_subreddits)]
    targets += [Target(COMMENTS, name) for name in _unique(reddit.comment_subreddits)]
    for target in targets:
        # Two brands with the same query share one search.
        if target.key.lower() not in seen:
            seen.add(target.key.lower())
            yield target
