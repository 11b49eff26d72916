"""The normaliser and the offline path the demo uses: saved listings through PRAW's objector
into Mentions, with no request ever made."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from brandpulse.collectors import reddit
from brandpulse.collectors.reddit_normalise import mentions_from_things, normalise
from brandpulse.store.errors import SourceError
from brandpulse.store.records import mention_id
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.collectors.reddit.make_cassettes import (
    comment,
    globex_posts,
    globex_thread,
    listing,
    more,
    post,
)
from tests.collectors.reddit.test_conformance import held_things

NOW = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def offline() -> Any:
    return reddit.offline_client()


def test_a_listing_becomes_mentions(offline: Any) -> None:
    posts = globex_posts()
    mentions = reddit.mentions_from_listing(listing(posts), offline, NOW)
    assert [m.native_id for m in mentions] == [p["data"]["name"] for p in posts]
    for mention, thing in zip(mentions, posts, strict=True):
        data = thing["data"]
        assert mention.id == mention_id("reddit", data["name"])
        assert mention.source == "reddit" and mention.collected_at == NOW
        assert mention.title == data["title"] and mention.text == data["selftext"]
        assert mention.url == "https://www.reddit.com" + data["permalink"]
        assert mention.published_at == datetime.fromtimestamp(data["created_utc"], UTC)


def test_a_comment_page_gives_comments_their_post_title(offline: Any) -> None:
    the_post = post("gx001", "Globex is down again", 30, nsfw=True)
    page = [listing([the_post]), listing(globex_thread())]
    mentions = reddit.mentions_from_listing(page, offline, NOW)
    expected = [d["name"] for d in held_things(page)]
    assert [m.native_id for m in mentions] == expected
    comments = [m for m in mentions if m.extra["kind"] == "comment"]
    assert comments and all(m.extra["parent_title"] == "Globex is down again" for m in comments)
    assert all(m.extra["nsfw"] is True for m in comments)


def test_things_that_are_not_posts_or_comments_are_skipped(offline: Any) -> None:
    subreddit = {"kind": "t5", "data": {"display_name": "acme", "name": "t5_1", "id": "1"}}
    stub = more("t3_gx001", ["c1", "c2"], 0)
    no_time = post("nt001", "no time", 1)
    del no_time["data"]["created_utc"]
    data = listing([subreddit, stub, no_time, *globex_posts()])
    payload = offline._objector.objectify(data=copy.deepcopy(data))
    mentions, skipped = mentions_from_things(payload, NOW)
    assert len(mentions) == len(globex_posts())
    assert skipped == 3


@pytest.mark.parametrize(
    "data",
    [{"kind": "t3", "data": {}}, {"kind": "Listing"}, [], "text", [{"kind": "Listing"}]],
)
def test_anything_but_a_listing_is_refused(offline: Any, data: Any) -> None:
    with pytest.raises(ValueError, match="not a Reddit listing"):
        reddit.mentions_from_listing(data, offline, NOW)


def test_the_offline_client_refuses_to_reach_the_network(offline: Any) -> None:
    lazy = offline.submission("abc123")
    with pytest.raises(SourceError, match="offline Reddit client"):
        _ = lazy.title


def test_normalising_never_fetches_what_a_listing_lacks(offline: Any) -> None:
    """A 2016 listing has no `removed_by_category`; reading it as an attribute would make
    PRAW fetch the post (here: raise). The normaliser reads only what was sent."""
    old = post("old001", "Acme in 2016", 10)
    for key in ("removed_by_category", "domain", "over_18", "is_self", "url", "num_comments"):
        del old["data"][key]
    (mention,) = reddit.mentions_from_listing(listing([old]), offline, NOW)
    assert mention.extra["removed"] is False and mention.extra["nsfw"] is False
    assert mention.comments is None


@pytest.mark.parametrize(
    ("fields", "url"),
    [
        (
            {"permalink": "/r/acme/comments/p1/t/c9/"},
            "https://www.reddit.com/r/acme/comments/p1/t/c9/",
        ),
        (
            {"link_permalink": "https://www.reddit.com/r/acme/comments/p1/title/"},
            "https://www.reddit.com/r/acme/comments/p1/title/c9/",
        ),
        (
            {"context": "/r/acme/comments/p1/t/c9/?context=3"},
            "https://www.reddit.com/r/acme/comments/p1/t/c9/",
        ),
        ({}, "https://www.reddit.com/r/acme/comments/p1/_/c9/"),
    ],
)
def test_comment_urls_come_from_whichever_field_the_endpoint_sent(
    offline: Any, fields: dict[str, str], url: str
) -> None:
    data = comment("c9", "Acme!", 5, link="p1", parent="t3_p1", depth=0, sub="acme")
    del data["data"]["permalink"]
    data["data"].update(fields)
    (mention,) = reddit.mentions_from_listing(listing([data]), offline, NOW)
    assert mention.url == url


@pytest.mark.parametrize(
    ("body", "removed", "deleted"),
    [
        ("[removed]", True, False),
        ("[deleted]", False, True),
        ("[ Removed by Reddit ]", True, False),
        ("[ Removed by Reddit on account of violating the content policy. ]", True, False),
        ("I [removed] the lid", False, False),
    ],
)
def test_removed_and_deleted_bodies_are_flags_not_text(
    offline: Any, body: str, removed: bool, deleted: bool
) -> None:
    data = comment("c1", body, 5, link="p1", parent="t3_p1", depth=0)
    (mention,) = reddit.mentions_from_listing(listing([data]), offline, NOW)
    assert (mention.extra["removed"], mention.extra["deleted"]) == (removed, deleted)
    assert mention.text == ("" if removed or deleted else body)


def test_a_deleted_post_keeps_no_placeholder_title(offline: Any) -> None:
    gone = post("dl001", "[deleted by user]", 5, selftext="[deleted]", removed_by="deleted")
    (mention,) = reddit.mentions_from_listing(listing([gone]), offline, NOW)
    assert mention.title == "" and mention.text == "" and mention.extra["deleted"] is True


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(max_size=80),
    selftext=st.text(max_size=200).filter(lambda t: not t.startswith("[")),
    stamp=st.floats(min_value=1.1e9, max_value=2.1e9, allow_nan=False),
    author=st.from_regex(r"[A-Za-z0-9_-]{3,20}", fullmatch=True),
)
def test_any_post_round_trips_its_words_and_time(
    title: str, selftext: str, stamp: float, author: str
) -> None:
    client = reddit.offline_client()
    data = post("hy001", "x", 0, selftext=selftext, author=author)
    data["data"].update(title=title, created_utc=stamp)
    (mention,) = reddit.mentions_from_listing(listing([data]), client, NOW)
    assert (mention.title, mention.text, mention.author) == (title, selftext, author)
    assert mention.published_at.timestamp() == pytest.approx(stamp, abs=1e-6)
    assert mention.published_at.tzinfo is UTC


def test_normalise_returns_none_for_other_objects(offline: Any) -> None:
    assert normalise(offline.subreddit("acme"), NOW) is None
    assert normalise(None, NOW) is None
