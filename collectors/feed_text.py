"""Turn feed markup into the plain text and safe links a Mention may carry.

Feed fields arrive as HTML, escaped HTML, double-escaped HTML or plain text, and a field
declared plain is often not (an RSS title of `AT&amp;T &lt;b&gt;new&lt;/b&gt;` reaches us as
`AT&T <b>new</b>`). So every field goes through the same path: parse as HTML, drop the
content of script-like elements, keep the text, decode entities, and repeat while that still
changes something, so that nothing tag-shaped is left for anyone to render.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

# Elements whose content is code, styling or embedded objects, never readable text.
_DROP_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "noscript",
        "iframe",
        "object",
        "embed",
        "applet",
        "frame",
        "frameset",
        "noframes",
        "svg",
        "math",
        "head",
        "title",
        "textarea",
        "select",
        "canvas",
        "audio",
        "video",
    }
)
# Elements that end a line of text where they open or close.
_BLOCK = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "tr",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "hr",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "address",
        "body",
        "html",
    }
)
# A field longer than this is cut: a mention is a listening record, not an archive.
MAX_TEXT = 50_000
_PASSES = 4  # enough for triple-escaped markup; each pass decodes one level
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# A tag as a browser sees one: "<" right before a letter, "/", "!" or "?". "a < b" is text.
# The names of active elements are caught even when spaced out ("< script").
_TAGLIKE = re.compile(
    r"<(?:/?[A-Za-z]|[!?])[^<>]*>?"
    r"|<\s*/?\s*(?:script|style|iframe|frame|object|embed|applet|meta|link|base|form|svg|math)\b",
    re.I,
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_SAFE_SCHEMES = ("http", "https")


class _TextExtractor(HTMLParser):
    """Collect the readable text of an HTML fragment, skipping code and embedded objects."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self.skipping.append(tag)
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th", "img"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <script/> opens nothing; <br/> still breaks the line.
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipping:
            # Close up to the matching element, so an unclosed <b> inside cannot trap us.
            while self.skipping and self.skipping.pop() != tag:
                pass
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)

    def text(self) -> str:
        return "".join(self.parts)


def _strip_once(value: str) -> str:
    parser = _TextExtractor()
    try:
        parser.feed(value)
        parser.close()
    except (AssertionError, ValueError):  # html.parser's rare complaints on broken markup
        return _TAGLIKE.sub(" ", value)
    return parser.text()


def plain_text(value: str | None, *, multiline: bool = True, limit: int = MAX_TEXT) -> str:
    """Return the readable text of an HTML or plain value: no markup, entities decoded.

    For example `'AT&amp;amp;T <b>news</b><script>x()</script>'` becomes `'AT&T news'`.
    Whitespace is collapsed; with `multiline`, paragraph breaks survive as single newlines.
    """
    if not value:
        return ""
    text = value
    for _ in range(_PASSES):
        if "<" not in text and "&" not in text:
            break
        stripped = _strip_once(text)
        if stripped == text:
            break
        text = stripped
    # Control characters go first: removing one can join a tag ("<\x1f?" becomes "<?").
    text = _CONTROL.sub("", text)
    # Whatever still looks like a tag after the passes is debris of broken markup; removing
    # one piece can join two others ("<<b>b" leaves "<b"), so repeat until none is left.
    while "<" in text and _TAGLIKE.search(text):
        text = _TAGLIKE.sub("", text)
    text = _SPACES.sub(" ", text)
    if multiline:
        lines = (line.strip() for line in text.split("\n"))
        text = _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line))
    else:
        text = " ".join(text.split())
    text = text.strip()
    return text[:limit].rstrip() if len(text) > limit else text


def text_or_none(value: Any) -> str | None:
    """Return a string field stripped, or None when it is blank or not a string at all."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def safe_url(value: str | None, base: str | None = None) -> str | None:
    """Return `value` as an absolute http(s) URL, resolved against `base`; else None.

    Anything else (`javascript:`, `data:`, `vbscript:`, `file:`, a relative link with no
    web base) is dropped rather than kept, since the dashboard renders these as links.
    """
    if not value:
        return None
    # Browsers drop tabs and newlines inside URLs and encode spaces; do the same, so that
    # "java\tscript:" is seen for what it is.
    candidate = re.sub(r"[\t\n\r]", "", _CONTROL.sub("", value)).strip().replace(" ", "%20")
    if not candidate:
        return None
    try:
        if base and safe_url(base) is not None:
            candidate = urljoin(base, candidate)
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.hostname:
        return None
    try:
        _ = parts.port  # raises on a port like :99999 or :abc
    except ValueError:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, parts.query, parts.fragment))


def site_of(url: str | None) -> str | None:
    """Return the host of an http(s) URL, lower-cased and without a leading `www.`."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host
