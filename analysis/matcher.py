"""Match mentions against brand queries: whole words, any case or accent, hashtags, handles,
possessives.

A plain term such as `acme` matches "Acme", "ACME's", "#acme" and "@acme" but not
"acmeville" or "#acmespring"; `#acme` matches only the hashtag and `@acmehq` only the
handle. Phrases match across any run of spaces or punctuation ("acme corp" matches
"Acme-Corp"), and an apostrophe in a term is optional in the text ("mcdonald's" matches
"McDonalds" and "McDonald’s"). Accents are folded on both sides, so `nestle` matches
"Nestlé" and `país` matches "pais".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from brandpulse.analysis.accents import strip_accents
from brandpulse.analysis.query import And, Field, Node, Not, Term
from brandpulse.analysis.rules import BrandRule
from brandpulse.store.records import BrandMatch, Mention

_APOSTROPHES = "'’`"


@lru_cache(maxsize=4096)
def term_pattern(text: str) -> re.Pattern[str]:
    """Compile the regex that finds `text` as whole words in lower-cased, accent-folded
    mention text."""
    text = strip_accents(text.lower())
    prefix = ""
    if text[:1] in "#@":
        # A hashtag or handle term: the marker is required and may not follow a word or marker.
        prefix = rf"(?<![\w#@]){re.escape(text[0])}"
        text = text[1:]
    else:
        prefix = r"(?<!\w)"
    parts = []
    for word in text.split():
        pieces = []
        for char in word:
            if char in _APOSTROPHES:
                pieces.append(f"[{_APOSTROPHES}]?")
            elif char == "-":
                pieces.append(r"[-\s]?")
            else:
                pieces.append(re.escape(char))
        parts.append("".join(pieces))
    return re.compile(prefix + r"\W+".join(parts) + r"(?!\w)")


@lru_cache(maxsize=4096)
def _needle(text: str) -> str:
    """Return the longest run of letters and digits every match of the term contains."""
    pieces = re.split(r"[^\w]+|_", strip_accents(text.lower()))
    return max(pieces, key=len)


def find_term(text: str, lowered: str) -> re.Match[str] | None:
    """Return where term `text` first occurs in `lowered` (text already lower-cased and
    accent-folded by `strip_accents`)."""
    # A plain substring test first: most mentions lack most terms, and it is far cheaper
    # than the regex with its word boundaries.
    if _needle(text) not in lowered:
        return None
    return term_pattern(text).search(lowered)


def host_of(url: str | None) -> str:
    """Return the lower-case host of a URL without `www.` (empty for none or a bad URL)."""
    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def site_matches(host: str, site: str) -> bool:
    """Return True when `host` is `site` or one of its subdomains."""
    site = site.lower().removeprefix("www.")
    return bool(host) and (host == site or host.endswith("." + site))


@dataclass
class MentionView:
    """The parts of a mention a query looks at, lower-cased (the text accent-folded too)
    once per mention."""

    text: str
    host: str
    subreddit: str
    author: str
    source: str
    brand: str = ""  # the brand a source files the mention under (an app's reviews)

    @classmethod
    def of(cls, mention: Mention) -> MentionView:
        subreddit = mention.extra.get("subreddit") if mention.extra else None
        brand = mention.extra.get("brand") if mention.extra else None
        return cls(
            text=strip_accents(match_text(mention).lower()),
            host=host_of(mention.url),
            subreddit=str(subreddit or "").lower().removeprefix("r/"),
            author=(mention.author or "").lower(),
            source=mention.source.lower(),
            brand=brand.casefold() if isinstance(brand, str) else "",
        )


def match_text(mention: Mention) -> str:
    """Return the text a query searches: the title, then the body."""
    if mention.title and not mention.text.startswith(mention.title):
        return f"{mention.title}\n{mention.text}"
    return mention.text


def _field_hit(node: Field, view: MentionView) -> bool:
    if node.name == "site":
        return site_matches(view.host, node.value)
    if node.name == "subreddit":
        return view.subreddit == node.value
    if node.name == "author":
        return view.author == node.value
    return view.source == node.value


def evaluate(node: Node, view: MentionView) -> str | None:
    """Return the term that makes `node` match the mention, "" for a match by NOT alone,
    or None when it does not match."""
    if isinstance(node, Term):
        return node.text if find_term(node.text, view.text) else None
    if isinstance(node, Field):
        return node.text if _field_hit(node, view) else None
    if isinstance(node, Not):
        return None if evaluate(node.child, view) is not None else ""
    if isinstance(node, And):
        caught = ""
        for child in node.children:
            hit = evaluate(child, view)
            if hit is None:
                return None
            caught = caught or hit
        return caught
    for child in node.children:  # Or: the first alternative that matches names the term
        hit = evaluate(child, view)
        if hit is not None:
            return hit
    return None


def excluded(rule: BrandRule, view: MentionView) -> str | None:
    """Return why the brand's exclusions drop this mention, or None when they do not."""
    for node in rule.exclude:
        hit = evaluate(node, view)
        if hit:
            return f"excluded term {hit!r}"
    for site in rule.exclude_sites:
        if site_matches(view.host, site):
            return f"excluded site {site!r}"
    subreddits = {s.lower().removeprefix("r/") for s in rule.exclude_subreddits}
    if view.subreddit and view.subreddit in subreddits:
        return f"excluded subreddit {view.subreddit!r}"
    authors = {a.lower() for a in rule.exclude_authors}
    if view.author and view.author in authors:
        return f"excluded author {view.author!r}"
    return None


def match_brand(rule: BrandRule, view: MentionView) -> str | None:
    """Return the term by which the brand's query catches the mention, or None.

    A mention its source files under this brand (a review of the brand's own app, which
    seldom names the maker) matches without a term ("").
    """
    hit = "" if view.brand and view.brand == rule.name.casefold() else None
    if hit is None:
        hit = evaluate(rule.query, view)
    if hit is None or excluded(rule, view):
        return None
    return hit


def match_mentions(mentions: Iterable[Mention], brands: Sequence[BrandRule]) -> list[BrandMatch]:
    """Match every mention against every brand; a mention may match several brands."""
    matches = []
    for mention in mentions:
        view = MentionView.of(mention)
        for rule in brands:
            hit = match_brand(rule, view)
            if hit is not None:
                matches.append(BrandMatch(mention.id, rule.name, hit or None))
    return matches
