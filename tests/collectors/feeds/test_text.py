"""Whatever markup a feed sends, the plain text and links that come out carry nothing active."""

from __future__ import annotations

import re

from brandpulse.collectors.feed_text import plain_text, safe_url
from hypothesis import example, given, settings
from hypothesis import strategies as st

# A tag as a browser would open one, or an active element's name behind "<" however spaced.
TAG = re.compile(r"<(?:/?[A-Za-z]|[!?])|<\s*/?\s*(?:script|style|iframe|object|embed)\b", re.I)
PIECES = st.sampled_from(
    [
        "<",
        ">",
        "/",
        "&",
        ";",
        "&lt;",
        "&gt;",
        "&amp;",
        "&#60;",
        "&#x3c;",
        "script",
        "<script>",
        "</script>",
        "<b>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "a",
        " ",
        "\n",
        "=",
        '"',
        "onload",
        "javascript:",
        "é",
    ]
)
MARKUP = st.lists(PIECES, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(MARKUP | st.text(max_size=200))
@example("<<aa>a")
@example("<\x1f?")
@example("&lt;<b></b>script&gt;x")
def test_plain_text_never_leaves_a_tag(value: str) -> None:
    text = plain_text(value)
    assert not TAG.search(text)
    assert not re.search(r"[\x00-\x08\x0b-\x1f]", text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.sampled_from([None, "https://base.example/feed/"]))
def test_safe_url_returns_web_links_or_nothing(value: str, base: str | None) -> None:
    url = safe_url(value, base)
    assert url is None or re.match(r"^https?://[^\s/?#]+", url)
