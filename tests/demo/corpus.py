"""Read the demo corpus with the standard library alone, to check the demo database against it.

Nothing here uses brandpulse: feeds are read with ElementTree, markup is stripped with
html.parser, Reddit listings are plain JSON, and a brand is "mentioned" when one of the
OR-ed terms of its demo query appears as a whole word. The demo database must agree.
"""

from __future__ import annotations

import email.utils
import json
import re
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
}


@dataclass(frozen=True)
class Expected:
    """One mention the demo database should hold, as read from the files."""

    key: str  # guid/id for feed entries, fullname for Reddit things, native id for APIs
    source: str  # news, blog, reddit, or the API source's name
    published_at: datetime
    brands: frozenset[str]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain(html: str) -> str:
    """Return the text of an HTML fragment, entities decoded."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return unescape(" ".join(parser.parts))


@dataclass(frozen=True)
class BrandTerms:
    name: str
    patterns: tuple[re.Pattern[str], ...]
    excluded_authors: frozenset[str]

    def named_in(self, text: str, author: str | None) -> bool:
        if author and author.casefold() in self.excluded_authors:
            return False
        return any(p.search(text) for p in self.patterns)


def brand_terms(config_path: Path) -> list[BrandTerms]:
    """Return each demo brand's terms: the demo queries are plain `a OR b OR #c` lists."""
    config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    out = []
    for table in config.get("brands", []) + config.get("competitors", []):
        terms = [t.strip().strip("'\"") for t in table.get("query", table["name"]).split(" OR ")]
        # A plain term also matches as a hashtag or handle; a #tag or @handle only as itself.
        patterns = tuple(
            re.compile(
                rf"(?<![\w#@]){re.escape(t)}(?!\w)"
                if t[0] in "#@"
                else rf"(?<!\w){re.escape(t)}(?!\w)",
                re.IGNORECASE,
            )
            for t in terms
        )
        authors = frozenset(a.casefold() for a in table.get("exclude_authors", []))
        out.append(BrandTerms(table["name"], patterns, authors))
    return out


def _brands(terms: list[BrandTerms], text: str, author: str | None) -> frozenset[str]:
    return frozenset(b.name for b in terms if b.named_in(text, author))


def feed_entries(path: Path, kind: str, terms: list[BrandTerms]) -> list[Expected]:
    """Return the brand mentions in one RSS 2.0 or Atom file."""
    root = ET.parse(path).getroot()
    out = []
    if root.tag == "rss":
        for item in root.iter("item"):
            title = item.findtext("title") or ""
            body = item.findtext("content:encoded", "", NS) or item.findtext("description", "")
            author = item.findtext("dc:creator", None, NS)
            when = email.utils.parsedate_to_datetime(item.findtext("pubDate") or "")
            key = item.findtext("guid") or item.findtext("link") or ""
            text = f"{title}\n{plain(body)}"
            out.append(Expected(key, kind, when.astimezone(UTC), _brands(terms, text, author)))
    else:
        for entry in root.iter(f"{{{NS['atom']}}}entry"):
            title = plain(entry.findtext("atom:title", "", NS))
            body = plain(entry.findtext("atom:content", "", NS))
            author = entry.findtext("atom:author/atom:name", None, NS)
            when = datetime.fromisoformat(entry.findtext("atom:published", "", NS))
            key = entry.findtext("atom:id", "", NS)
            text = f"{title}\n{body}"
            out.append(Expected(key, kind, when.astimezone(UTC), _brands(terms, text, author)))
    return [e for e in out if e.brands]


def reddit_things(path: Path, terms: list[BrandTerms]) -> list[Expected]:
    """Return the brand mentions in one Reddit listing file."""
    listing = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for child in listing["data"]["children"]:
        data = child["data"]
        author = None if data["author"] == "[deleted]" else data["author"]
        if child["kind"] == "t3":
            body = "" if data["selftext"] in ("[removed]", "[deleted]") else data["selftext"]
            text = f"{data['title']}\n{body}"
        else:
            text = data["body"]
        when = datetime.fromtimestamp(data["created_utc"], UTC)
        brands = _brands(terms, text, author)
        if brands:
            out.append(Expected(data["name"], "reddit", when, brands))
    return out


def _stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def api_things(demo_dir: Path, source: str, terms: list[BrandTerms]) -> list[Expected]:
    """Return the brand mentions in one source's saved API answers (`demo_dir/source/`).

    Each answer is read by its documented shape: HN Search hits, Mastodon statuses,
    Bluesky posts, Lemmy post and comment views, Apple review feeds with their app.
    """
    out = []
    for path in sorted((demo_dir / source).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found: list[tuple[str, str, str | None, datetime, frozenset[str]]] = []
        if source == "hackernews":
            for hit in data["hits"]:
                body = plain(hit["story_text"] or hit["comment_text"] or "")
                text = f"{hit['title']}\n{body}" if hit["title"] else body
                when = datetime.fromtimestamp(hit["created_at_i"], UTC)
                found.append((hit["objectID"], text, hit["author"], when, frozenset()))
        elif source == "mastodon":
            for status in data:
                author = status["account"]["acct"]
                text = plain(status["content"].replace("</p>", "</p>\n"))
                found.append(
                    (status["uri"], text, author, _stamp(status["created_at"]), frozenset())
                )
        elif source == "bluesky":
            for post in data["posts"]:
                record = post["record"]
                when = _stamp(record["createdAt"])
                found.append(
                    (post["uri"], record["text"], post["author"]["handle"], when, frozenset())
                )
        elif source == "lemmy":
            for view in data["posts"]:
                post = view["post"]
                text = f"{post['name']}\n{post['body']}"
                found.append((post["ap_id"], text, None, _stamp(post["published"]), frozenset()))
            for view in data["comments"]:
                comment = view["comment"]
                when = _stamp(comment["published"])
                found.append((comment["ap_id"], comment["content"], None, when, frozenset()))
        elif source == "appstore":
            owner = frozenset([data["app"]["brand"]])  # a review is about its app's brand
            for entry in data["feed"].get("entry", []):
                text = f"{entry['title']['label']}\n{entry['content']['label']}"
                when = datetime.fromisoformat(entry["updated"]["label"]).astimezone(UTC)
                found.append((entry["id"]["label"], text, None, when, owner))
        for key, text, author, when, owner in found:
            brands = owner | _brands(terms, text, author)
            if brands:
                out.append(Expected(key, source, when, brands))
    return out


API_SOURCES = ("hackernews", "mastodon", "bluesky", "lemmy", "appstore")


def expected_mentions(demo_dir: Path) -> dict[str, Expected]:
    """Return every mention the demo should load, keyed by guid or fullname (deduplicated)."""
    config_path = demo_dir / "brands.toml"
    config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    terms = brand_terms(config_path)
    found: dict[str, Expected] = {}
    for feed in config["feeds"]:
        for entry in feed_entries(demo_dir / feed["url"], feed.get("kind", "news"), terms):
            found.setdefault(entry.key, entry)  # one article carried by two feeds: one mention
    for path in sorted((demo_dir / "reddit").glob("*.json")):
        for thing in reddit_things(path, terms):
            found[thing.key] = thing
    for source in API_SOURCES:
        for thing in api_things(demo_dir, source, terms):
            found[thing.key] = thing
    return found


def file_entries(demo_dir: Path) -> int:
    """Return how many entries and Reddit things the files hold, brand or not, duplicates too."""
    total = 0
    for path in (demo_dir / "feeds").iterdir():
        root = ET.parse(path).getroot()
        total += len(list(root.iter("item"))) + len(list(root.iter(f"{{{NS['atom']}}}entry")))
    for path in (demo_dir / "reddit").glob("*.json"):
        total += len(json.loads(path.read_text(encoding="utf-8"))["data"]["children"])
    for source in API_SOURCES:
        for path in (demo_dir / source).glob("*.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, list):
                total += len(data)
            elif "feed" in data:
                total += len(data["feed"].get("entry", []))
            else:
                total += sum(len(data.get(k, [])) for k in ("hits", "posts", "comments"))
    return total
