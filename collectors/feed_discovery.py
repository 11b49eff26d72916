"""Find a blog's feed from its home page: `<link rel="alternate">` first, then the usual paths.

The usual paths cover the common blog engines: WordPress (`/feed/`), Blogger
(`/feeds/posts/default`), Substack (`/feed`), Ghost (`/rss/`), Hugo (`/index.xml`), Jekyll
(`/feed.xml`, `/atom.xml`); Medium serves `medium.com/feed/@name` for `medium.com/@name`.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from brandpulse.collectors.feed_text import safe_url

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
        "application/xml",
        "text/xml",
        "application/x-atom+xml",
        "application/x.atom+xml",
    }
)
# Most likely first: the probing stops at the first one that answers with a feed.
USUAL_PATHS = (
    "feed/",
    "rss",
    "atom.xml",
    "index.xml",
    "feed",
    "rss.xml",
    "feed.xml",
    "rss/",
    "feeds/posts/default",
)
MAX_LINKS = 4  # feed links taken from one page, so a link farm cannot make us crawl


class _LinkFinder(HTMLParser):
    """Collect `<link rel="alternate" type="<feed type>">` targets and the `<base href>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[tuple[str, str]] = []  # (href, title)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"]
        elif tag == "link" and values.get("href"):
            rels = values.get("rel", "").lower().split()
            kind = values.get("type", "").split(";")[0].strip().lower()
            if "alternate" in rels and kind in FEED_TYPES:
                self.links.append((values["href"], values.get("title", "")))

    handle_startendtag = handle_starttag


def feed_links(html: bytes, page_url: str) -> list[str]:
    """Return the feed URLs a page announces, in page order, comment feeds last."""
    finder = _LinkFinder()
    try:
        finder.feed(html[:2_000_000].decode("utf-8", errors="replace"))
        finder.close()
    except (AssertionError, ValueError):
        pass
    base = safe_url(finder.base, page_url) or page_url
    found: list[tuple[bool, str]] = []
    for href, title in finder.links:
        url = safe_url(href, base)
        if url and url not in (u for _, u in found):
            # WordPress announces "Comments Feed" next to the posts feed; posts come first.
            comments = "comment" in title.lower() or "/comments/" in url
            found.append((comments, url))
    ordered = [u for c, u in found if not c] + [u for c, u in found if c]
    return ordered[:MAX_LINKS]


def usual_feed_urls(page_url: str) -> list[str]:
    """Return the URLs where blog engines usually serve a feed, nearest to the page first."""
    parts = urlsplit(page_url)
    root = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
    urls: list[str] = []
    if parts.hostname in ("medium.com", "www.medium.com") and parts.path.startswith("/@"):
        urls.append(urljoin(root, "/feed/" + parts.path.strip("/").split("/")[0]))
    folder = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    bases = [urlunsplit((parts.scheme, parts.netloc, folder, "", ""))] if folder != "/" else []
    for base in [*bases, root]:
        for path in USUAL_PATHS:
            url = urljoin(base, path)
            if url not in urls and url != page_url:
                urls.append(url)
    return urls
