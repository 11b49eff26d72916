"""The Lemmy collector against LemmyKit's recorded Lemmy 0.19 answers on local servers.

Those answers come from the library author's seeded test instances (see SOURCES.md): real
server output, invented content.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from brandpulse.collectors import lemmy
from brandpulse.collectors.api_client import ApiClient, Configured
from brandpulse.collectors.base import BrandTerms, InvalidSetting
from brandpulse.store.records import Mention, RunReport, mention_id

from tests.collectors.sources.conftest import details
from tests.collectors.sources.replay import ReplayServer, json_route, written_route

pytestmark = pytest.mark.corpus

SEARCH = "/api/v3/search"
MUSIC = (BrandTerms("Live", ("live recording",)),)


@pytest.fixture
def other() -> Iterator[ReplayServer]:
    replay = ReplayServer().start()
    yield replay
    replay.stop()


def run(
    settings: lemmy.Settings,
    client: ApiClient,
    state: dict[str, object] | None = None,
) -> tuple[list[Mention], RunReport]:
    report = RunReport(source="lemmy")
    return list(lemmy.collect(Configured(settings), MUSIC, state or {}, client, report)), report


def test_search_gives_posts_and_comments(sources: Path, server: ReplayServer, client) -> None:
    server.add(json_route(sources / "lemmy" / "searchResponseV3.json", SEARCH))
    mentions, report = run(lemmy.Settings(instances=(server.url,)), client)

    post, comment = mentions
    assert post.native_id == "https://test1.lemmy.ddenis.info/post/180"
    assert post.id == mention_id("lemmy", post.native_id)
    assert post.title == "Live recording (thread 8)"
    assert post.author == "seed_mod1@test1.lemmy.ddenis.info"
    assert (post.score, post.comments) == (1, 7)
    assert post.published_at == datetime(2026, 6, 12, 23, 37, 46, 566375, tzinfo=UTC)
    assert post.extra["link"] == "https://example.com/live"
    assert post.extra["community"] == "music@test1.lemmy.ddenis.info"
    assert comment.native_id == "https://test1.lemmy.ddenis.info/comment/501"
    assert comment.text == "Great track, thanks for sharing!"
    assert (comment.score, comment.extra["upvotes"]) == (3, 3)
    assert comment.extra["parent_title"] == "Live recording (thread 8)"
    assert server.requests[0].query == {
        "q": "live recording",
        "type_": "All",
        "sort": "New",
        "listing_type": "All",
        "limit": "20",
        "page": "1",
    }
    assert report.state[f"{server.url} live recording"] == {
        "newest": "2026-06-12T23:39:00.000000+00:00"
    }


def test_federated_post_keeps_its_home_id_and_author(sources: Path) -> None:
    data = json.loads((sources / "lemmy" / "getPostsResponse.json").read_text(encoding="utf-8"))
    at = datetime(2026, 7, 1, tzinfo=UTC)
    posts = [lemmy.post_mention(v, "https://test1.lemmy.ddenis.info", at) for v in data["posts"]]
    federated = posts[2]
    assert federated is not None
    assert federated.native_id == "https://test2.lemmy.ddenis.info/post/102"
    assert federated.author == "seed_canvas@test2.lemmy.ddenis.info"
    assert [p.comments for p in posts if p] == [7, 6, 0]


def test_second_run_stops_at_what_it_saw(sources: Path, server: ReplayServer, client) -> None:
    server.add(json_route(sources / "lemmy" / "searchResponseV3.json", SEARCH))
    settings = lemmy.Settings(instances=(server.url,), page_size=1, max_pages=2)
    _, report = run(settings, client)
    assert len(server.requests) == 2  # both kinds filled the page of 1: page 2 was asked
    again, report2 = run(settings, client, state=report.state)
    assert again == []
    assert len(server.requests) == 3  # back at the cursor on page 1: no page 2
    assert report2.state == report.state


def test_paging_stops_on_an_empty_page(sources: Path, server: ReplayServer, client) -> None:
    first = json_route(sources / "lemmy" / "searchResponseV3.json", SEARCH)
    first.query = {
        "q": "live recording",
        "type_": "All",
        "sort": "New",
        "listing_type": "All",
        "limit": "1",
        "page": "1",
    }
    server.add(first, written_route("lemmy-empty-search"))
    mentions, report = run(
        lemmy.Settings(instances=(server.url,), page_size=1, max_pages=5), client
    )
    assert len(mentions) == 2
    assert [r.query["page"] for r in server.requests] == ["1", "2"]
    assert details(report)[0]["pages"] == 2


def test_one_instance_failing_never_stops_the_others(
    sources: Path, server: ReplayServer, other: ReplayServer, client
) -> None:
    server.add(written_route("http-503", path=SEARCH))
    other.add(json_route(sources / "lemmy" / "searchResponseV3.json", SEARCH))
    third = ReplayServer().start()
    third.add(json_route(sources / "lemmy" / "searchResponseV3.json", SEARCH))
    try:
        settings = lemmy.Settings(instances=(server.url, other.url, third.url))
        mentions, report = run(settings, client)
    finally:
        third.stop()
    assert [d["status"] for d in details(report)] == ["error", "ok", "ok"]
    assert "HTTP 503" in report.errors[0]
    assert len(mentions) == 2  # the same posts through two instances: one mention each
    assert report.fetched == 4


def test_settings_are_checked() -> None:
    with pytest.raises(InvalidSetting, match="page_size"):
        lemmy.Settings(page_size=51)
    with pytest.raises(InvalidSetting, match="instances"):
        lemmy.Settings(instances=())
