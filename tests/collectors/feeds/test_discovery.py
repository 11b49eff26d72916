"""A blog's home page as a feed URL: its feed is found, remembered, or clearly reported missing."""

from __future__ import annotations

from brandpulse.collectors import feeds
from brandpulse.collectors.feed_discovery import feed_links, usual_feed_urls
from brandpulse.store.records import RunReport

from tests.collectors.feeds.feedserver import (
    FeedServer,
    Reply,
    item,
    make_config,
    records,
    rss,
    settings_of,
)

HTML = "text/html; charset=utf-8"


def page(head: str = "") -> bytes:
    html = f"<!DOCTYPE html><html><head><title>Blog</title>{head}</head><body>Hi</body></html>"
    return html.encode()


def run(config, state=None):
    report = RunReport(source="feeds")
    mentions = list(
        feeds.collect(
            settings_of(config),
            config.terms,
            state or {},
            feeds.open_client(settings_of(config)),
            report,
        )
    )
    return mentions, report


def test_feed_link_in_the_page_is_followed_and_remembered(server: FeedServer) -> None:
    head = (
        '<link rel="alternate" type="application/rss+xml" title="Comments" href="/comments/feed/">'
        '<link rel="alternate" type="application/rss+xml" title="Posts" href="/blog/feed.xml">'
    )
    home = server.route("/", Reply(page(head), content_type=HTML))
    server.route("/blog/feed.xml", Reply(rss(item(1), item(2)), etag='"f1"'))
    server.route("/comments/feed/", Reply(rss(item(9))))
    config = make_config(home)

    mentions, report = run(config)
    assert len(mentions) == 2
    detail = records(report)[0]
    assert detail["status"] == "ok"
    assert detail["discovered"] == server.url("/blog/feed.xml")
    assert all(m.extra["feed_url"] == home for m in mentions)
    assert report.state[home]["feed"] == server.url("/blog/feed.xml")
    assert server.hits("/comments/feed/") == []

    # Next run: straight to the remembered feed, conditionally.
    mentions, report = run(config, report.state)
    assert mentions == [] and records(report)[0]["status"] == "not_modified"
    assert len(server.hits("/")) == 1


def test_usual_paths_are_tried_when_the_page_links_no_feed(server: FeedServer) -> None:
    home = server.route("/", Reply(page(), content_type=HTML))
    server.route("/atom.xml", Reply(rss(item(1)), content_type="application/atom+xml"))
    mentions, report = run(make_config(home))
    assert len(mentions) == 1
    assert records(report)[0]["discovered"] == server.url("/atom.xml")
    assert server.hits("/feed/") and server.hits("/rss")  # tried first, both 404


def test_a_page_without_any_feed_is_a_clear_error(server: FeedServer) -> None:
    home = server.route("/", Reply(page(), content_type=HTML))
    mentions, report = run(make_config(home))
    assert mentions == []
    (error,) = report.errors
    assert error.startswith(f"{home}: no feed found")
    assert "/feed/" in error and "[[feeds]] url" in error


def test_a_remembered_feed_that_vanished_is_discovered_again(server: FeedServer) -> None:
    home = server.route(
        "/",
        Reply(
            page('<link rel="alternate" type="application/atom+xml" href="/new.xml">'),
            content_type=HTML,
        ),
    )
    server.route("/new.xml", Reply(rss(item(5))))
    state = {home: {"feed": server.url("/old.xml"), "etag": '"old"'}}
    mentions, report = run(make_config(home), state)
    assert len(mentions) == 1
    assert report.state[home]["feed"] == server.url("/new.xml")
    assert "if-none-match" not in server.hits("/new.xml")[0].headers


def test_feed_links_resolve_against_base_and_skip_non_feeds() -> None:
    html = (
        b'<html><head><base href="https://blog.example.org/sub/">'
        b'<link rel="stylesheet" href="/s.css">'
        b'<link rel="alternate" hreflang="fr" href="/fr/">'
        b'<link rel="alternate" type="application/atom+xml" href="atom">'
        b'<link rel="alternate" type="application/feed+json" href="javascript:alert(1)">'
        b'<link rel="alternate" type="application/feed+json" href="https://blog.example.org/f.json">'
        b"</head></html>"
    )
    assert feed_links(html, "https://blog.example.org/") == [
        "https://blog.example.org/sub/atom",
        "https://blog.example.org/f.json",
    ]


def test_usual_urls_cover_the_common_blog_engines() -> None:
    urls = usual_feed_urls("https://example.com/")
    for path in ("/feed/", "/rss", "/atom.xml", "/index.xml", "/feeds/posts/default"):
        assert f"https://example.com{path}" in urls
    assert usual_feed_urls("https://medium.com/@someone")[0] == "https://medium.com/feed/@someone"
    nested = usual_feed_urls("https://example.com/blog/")
    assert nested.index("https://example.com/blog/feed/") < nested.index(
        "https://example.com/feed/"
    )
