"""Entries become clean Mentions: plain text, safe absolute URLs, UTC dates, stable ids, extras."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

from brandpulse.collectors import feeds
from brandpulse.collectors.feed_text import plain_text, safe_url
from brandpulse.store.records import Mention, RunReport, mention_id

from brandpulse.config import Brand
from tests.collectors.feeds.feedserver import (
    FeedServer,
    Reply,
    item,
    make_config,
    records,
    rss,
    settings_of,
)

CASES = Path(__file__).parent / "cases"
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def read(name: str, kind: str = "news") -> feeds.FeedResult:
    client = feeds.open_client(feeds.Settings(feeds=()))
    return feeds.read_feed(feeds.FeedJob(str(CASES / name), kind), None, client, NOW)


def by_title(mentions: list[Mention]) -> dict[str, Mention]:
    return {m.title: m for m in mentions}


def test_relative_links_resolve_and_unsafe_links_are_dropped() -> None:
    result = read("relative_and_unsafe_links.xml")
    mentions = by_title(result.mentions)
    recall = mentions["Acme recalls a battery"]
    assert recall.url == "https://www.bikes.example/news/acme-recall"
    assert recall.published_at == datetime(2026, 6, 2, 7, 30, tzinfo=UTC)
    assert recall.extra == {
        "feed_url": str(CASES / "relative_and_unsafe_links.xml"),
        "feed_title": "Bike News",
        "language": "en-gb",
        "domain": "bikes.example",
    }
    assert mentions["Click me"].url is None and mentions["Data me"].url is None
    # A bare guid is not unique across sites, so the site qualifies it.
    assert recall.native_id == "bikes.example/4711"
    assert recall.id == mention_id("feed", "bikes.example/4711")


def test_missing_impossible_and_future_dates_fall_back_to_collection_time() -> None:
    mentions = by_title(read("dates.xml").mentions)
    offset = mentions["With offset"]
    assert offset.published_at == datetime(2026, 6, 2, 14, 30, tzinfo=UTC)
    assert "date_estimated" not in offset.extra
    for title in ("No date", "Impossible date", "From the future"):
        assert mentions[title].published_at == NOW, title
        assert mentions[title].extra["date_estimated"] is True


def test_every_field_is_plain_text_with_entities_decoded() -> None:
    (mention,) = read("markup_everywhere.xml").mentions
    assert mention.title == "AT&T beats Acme"
    assert mention.author == "Jane Doe"
    assert mention.text == "First para with café.\nSecond & last\nlink"
    assert mention.extra["feed_title"] == "Markup & More"


def test_a_news_search_item_is_credited_to_its_publisher() -> None:
    (mention,) = read("news_search.xml").mentions
    assert mention.extra["domain"] == "daily.example"
    assert mention.extra["publisher"] == "The Daily Example"
    assert mention.url == "https://news.aggregator.example/articles/CBMiK2h0dHBz"
    assert mention.text == "Acme opens a factory"


def test_json_feed_items_become_mentions_like_any_other(server: FeedServer) -> None:
    result = read("json_feed.json", kind="blog")
    assert result.status == "ok" and result.detail["entries"] == 3
    assert result.detail["skipped"] == 1  # the item with only an id
    first, note = result.mentions
    assert first.source == "blog"
    assert first.url == "https://blog.acme.example/posts/1"
    assert (first.title, first.text, first.author) == ("Hello & welcome", "Our first post.", "Ada")
    assert first.published_at == datetime(2026, 5, 30, 10, 0, tzinfo=UTC)
    assert first.extra["language"] == "en"
    assert note.title == "" and note.text == "A note with no title and no link."
    assert note.native_id == "blog.acme.example/2"

    url = server.route(
        "/feed.json",
        Reply((CASES / "json_feed.json").read_bytes(), content_type="application/feed+json"),
    )
    report = RunReport(source="feeds")
    config = make_config(url)
    over_http = list(
        feeds.collect(
            settings_of(config), config.terms, {}, feeds.open_client(settings_of(config)), report
        )
    )
    assert [m.id for m in over_http] == [m.id for m in result.mentions]


def test_a_local_html_file_is_refused_without_any_network() -> None:
    result = read("not_a_feed.html")
    assert result.status == "error"
    assert "HTML page" in result.error and "http(s) URL" in result.error


def test_the_same_article_through_two_feeds_is_one_mention(server: FeedServer) -> None:
    a = server.route("/a", Reply(rss(item(1), item(2), title="A")))
    b = server.route("/b", Reply(rss(item(2), item(3), title="B")))
    config = make_config(a, b)
    report = RunReport(source="feeds")
    mentions = list(
        feeds.collect(
            settings_of(config), config.terms, {}, feeds.open_client(settings_of(config)), report
        )
    )
    assert sorted(m.title[-2:] for m in mentions) == ["#1", "#2", "#3"]
    assert len({m.id for m in mentions}) == 3
    assert report.fetched == 3
    assert [d["duplicates"] for d in records(report)] == [0, 1]
    # The first feed in config order keeps the shared article.
    shared = next(m for m in mentions if m.title.endswith("#2"))
    assert shared.extra["feed_url"] == a


def test_a_query_feed_is_read_once_per_brand_with_its_terms(server: FeedServer) -> None:
    server.route("/search", Reply(rss(item(1))))
    template = server.url("/search?q={query}&hl=en")
    brands = (
        Brand(name="Acme", keywords=("Acme", "Acme Corp")),
        Brand(name="Globex", competitor=True),
    )
    config = make_config(template, brands=brands)
    report = RunReport(source="feeds")
    list(
        feeds.collect(
            settings_of(config), config.terms, {}, feeds.open_client(settings_of(config)), report
        )
    )
    queries = sorted(unquote(h.path.split("q=")[1].split("&")[0]) for h in server.hits("/search"))
    assert queries == ['Acme OR "Acme Corp"', "Globex"]
    assert sorted(d["brand"] for d in records(report)) == ["Acme", "Globex"]
    assert all("{query}" not in key for key in report.state)


def test_plain_text_strips_nested_and_escaped_markup() -> None:
    assert plain_text("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; ok") == "ok"
    assert "<" not in plain_text("<scr<script>x</script>ipt>alert(1)</script>")
    assert plain_text("5 < 6 &amp; 7 > 3") == "5 < 6 & 7 > 3"
    assert plain_text("<p>one</p>\n\n\n<p>two</p>") == "one\ntwo"
    assert plain_text("a\x00b\x1fc") == "abc"


def test_safe_url_keeps_only_absolute_web_links() -> None:
    assert safe_url("/x", "https://a.example/b/") == "https://a.example/x"
    assert safe_url("HTTPS://A.example/x y") == "https://A.example/x%20y"
    for bad in ("java\tscript:alert(1)", " vbscript:x", "data:text/html,x", "file:///etc/passwd"):
        assert safe_url(bad, "https://a.example/") is None, bad
    assert safe_url("/relative") is None
