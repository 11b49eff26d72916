"""The Hacker News collector against recorded HN Search (Algolia) answers on a local server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from brandpulse.collectors import hackernews
from brandpulse.collectors.api_client import ApiClient, Configured
from brandpulse.collectors.base import BrandTerms, InvalidSetting
from brandpulse.collectors.fetch_settings import Fetch
from brandpulse.store.records import RunReport, mention_id

from tests.collectors.sources.conftest import details
from tests.collectors.sources.replay import ReplayServer, Route, hn_routes, written_route

pytestmark = pytest.mark.corpus

APPLE = BrandTerms("Apple", ("apple",))
SEARCH = "/api/v1/search_by_date"


def settings(server: ReplayServer, **changes: object) -> hackernews.Settings:
    values: dict[str, object] = {
        "base_url": f"{server.url}/api/v1",
        "tags": ("story",),
        "hits_per_page": 1,
        "max_pages": 1,
    }
    values.update(changes)
    return hackernews.Settings(**values)  # type: ignore[arg-type]


def story_query(term: str) -> dict[str, str]:
    return {"query": term, "tags": "(story)", "hitsPerPage": "1"}


def recorded_story(sources: Path) -> Route:
    """Return the recorded newest-first search for stories naming apple."""
    return next(
        r
        for r in hn_routes(sources / "hn" / "fixtures.json")
        if r.path == SEARCH and r.query == {"hitsPerPage": "1", "tags": "(story)", "query": "apple"}
    )


def run(
    settings: hackernews.Settings,
    client: ApiClient,
    brands: tuple[BrandTerms, ...] = (APPLE,),
    state: dict[str, object] | None = None,
) -> tuple[list, RunReport]:
    report = RunReport(source="hackernews")
    mentions = list(hackernews.collect(Configured(settings), brands, state or {}, client, report))
    return mentions, report


def test_story_from_the_recorded_search(sources: Path, server: ReplayServer, client) -> None:
    server.add(*hn_routes(sources / "hn" / "fixtures.json"))
    mentions, report = run(settings(server), client)

    assert [m.native_id for m in mentions] == ["7919424"]
    story = mentions[0]
    assert story.id == mention_id("hackernews", "7919424")
    assert story.source == "hackernews"
    assert story.title == "Judge says concerned about Apple, Google hiring settlement"
    assert story.author == "bradleyjg"
    assert story.url == (
        "http://in.reuters.com/article/2014/06/19/apple-google-settlement-idINL2N0P01ZI20140619"
    )
    assert story.published_at == datetime(2014, 6, 20, 3, 35, 46, tzinfo=UTC)
    assert (story.score, story.comments) == (1, 0)
    assert story.extra["hn_url"] == "https://news.ycombinator.com/item?id=7919424"
    assert report.state["apple"]["newest"] == 1403235346
    asked = server.asked(SEARCH)[0].query
    assert asked == {"query": "apple", "tags": "(story)", "hitsPerPage": "1"}
    assert details(report) == [
        {
            "name": "apple",
            "kind": "query",
            "status": "ok",
            "fetched": 1,
            "new": 0,
            "updated": 0,
            "skipped": 0,
            "error": None,
            "pages": 1,
            "cursor": 1403235346,
        }
    ]
    assert story.item == "apple"


def test_comment_text_is_plain_and_keeps_its_story(
    sources: Path, server: ReplayServer, client
) -> None:
    server.add(*hn_routes(sources / "hn" / "fixtures.json"))
    mentions, _ = run(settings(server, tags=("comment",)), client)

    (comment,) = mentions
    assert comment.native_id == "7919418"
    assert comment.author == "fleitz"
    assert comment.title == ""
    assert comment.text.startswith("Yeah the article seems stupid, while technically they aren't")
    assert "<i>" not in comment.text and "&#x27;" not in comment.text
    assert comment.url == "https://news.ycombinator.com/item?id=7919418"
    parent = "Starbucks admits it's not contributing to scholarship fund"
    assert comment.extra["parent_title"] == parent
    assert comment.extra["story_id"] == 7918547
    assert comment.comments is None


def test_two_tags_go_in_one_request(sources: Path, server: ReplayServer, client) -> None:
    server.add(*hn_routes(sources / "hn" / "fixtures.json"))
    mentions, report = run(settings(server, tags=("story", "poll")), client)
    assert [m.native_id for m in mentions] == ["7919424"]
    assert server.asked(SEARCH)[0].query["tags"] == "(story,poll)"
    assert not report.errors


def test_engagement_of_a_popular_story(sources: Path) -> None:
    recorded = json.loads((sources / "hn" / "fixtures.json").read_text(encoding="utf-8"))
    url = "/api/v1/search?hitsPerPage=1&tags=(story)&query=apple"
    reply = next(r["reply"] for r in recorded if r["url"] == url)
    story = hackernews.hit_mention(reply["hits"][0], datetime(2026, 1, 1, tzinfo=UTC))
    assert story is not None
    assert story.title == "Steve Jobs Resigns as CEO of Apple"
    assert (story.score, story.comments) == (1638, 308)
    assert story.author == "taylorbuley"


def test_second_run_asks_from_the_cursor_and_yields_nothing_new(
    sources: Path, server: ReplayServer, client
) -> None:
    server.add(*hn_routes(sources / "hn" / "fixtures.json"))
    first, report = run(settings(server), client)
    # The index answers the later run with the same story (inside the overlap window).
    again = recorded_story(sources)
    again.query = None
    server.add(again, first=True)
    second, report2 = run(settings(server), client, state=report.state)

    assert len(first) == 1 and second == []
    asked = server.asked(SEARCH)[-1].query
    assert asked["numericFilters"] == f"created_at_i>{1403235346 - 600}"
    assert not report2.errors, report2.errors
    assert report2.state["apple"]["newest"] == 1403235346
    assert report2.fetched == 0


def test_second_run_with_an_empty_page(sources: Path, server: ReplayServer, client) -> None:
    server.add(written_route("hn-empty-page"))
    state = {"apple": {"newest": 1403235346, "recent": {"7919424": 1403235346}}}
    mentions, report = run(settings(server, overlap_seconds=0), client, state=state)
    assert mentions == []
    assert server.asked(SEARCH)[0].query["numericFilters"] == "created_at_i>1403235346"
    assert report.state["apple"]["newest"] == 1403235346
    assert report.status == "ok"


def test_too_many_new_pages_warns(sources: Path, server: ReplayServer, client) -> None:
    route = recorded_story(sources)
    route.query = None  # answers every page: nbPages says 1000
    server.add(route)
    state = {"apple": {"newest": 1403000000, "recent": {}}}
    _, report = run(settings(server, max_pages=2), client, state=state)
    assert len(server.asked(SEARCH)) == 2
    assert server.asked(SEARCH)[1].query["page"] == "1"
    assert any("more than 2 pages" in w for w in report.warnings)


def test_a_failing_term_never_stops_the_others(sources: Path, server: ReplayServer, client) -> None:
    server.add(*hn_routes(sources / "hn" / "fixtures.json"))
    server.add(
        written_route("malformed-json", path=SEARCH, query=story_query("broken")),
        written_route("http-503", path=SEARCH, query=story_query("down")),
    )
    brands = (BrandTerms("Broken", ("broken",)), BrandTerms("Down", ("down",)), APPLE)
    mentions, report = run(settings(server), client, brands)

    assert [m.native_id for m in mentions] == ["7919424"]
    assert report.status == "partial"
    by_item = {d["name"]: d for d in details(report)}
    assert by_item["broken"]["status"] == "error"
    assert "malformed JSON" in by_item["broken"]["error"]
    assert "HTTP 503" in by_item["down"]["error"]
    assert len(server.asked(SEARCH)) == 1 + 2 + 1  # the 503 was retried once
    assert by_item["apple"]["status"] == "ok"


def test_429_waits_as_asked_then_collects(
    sources: Path, server: ReplayServer, client, waits: list[float]
) -> None:
    server.add(*hn_routes(sources / "hn" / "fixtures.json"))
    server.add(written_route("http-429-retry-after", path=SEARCH), first=True)
    mentions, report = run(settings(server), client)
    assert [m.native_id for m in mentions] == ["7919424"]
    assert waits == [7.0]
    assert report.status == "ok"


def test_429_asking_too_long_skips_the_rest_of_the_host(
    sources: Path, server: ReplayServer, client
) -> None:
    server.add(*hn_routes(sources / "hn" / "fixtures.json"))
    route = written_route("http-429-retry-after", path=SEARCH, times=None)
    route.headers = [("Retry-After", "3600"), ("Content-Type", "application/json")]
    server.add(route, first=True)
    brands = (APPLE, BrandTerms("Other", ("other",)))
    mentions, report = run(settings(server), client, brands)
    assert mentions == []
    assert len(server.asked(SEARCH)) == 1  # the second term was not asked at all
    assert "max_retry_wait" in report.errors[0]
    assert [d["status"] for d in details(report)] == ["error", "skipped"]


def test_settings_are_checked() -> None:
    with pytest.raises(InvalidSetting, match="hits_per_page"):
        hackernews.Settings(hits_per_page=0)
    with pytest.raises(InvalidSetting, match="tags"):
        hackernews.Settings(tags=("stories",))
    with pytest.raises(InvalidSetting, match="base_url"):
        hackernews.Settings(base_url="ftp://x")


def test_an_internal_address_is_refused_unless_allowed(sources: Path, server: ReplayServer) -> None:
    server.add(*hn_routes(sources / "hn" / "fixtures.json"))
    guarded = ApiClient.from_settings(Fetch(retries=0, backoff=0.0))  # no allow_hosts
    try:
        mentions, report = run(settings(server), guarded)
    finally:
        guarded.close()
    assert mentions == [] and server.requests == []
    assert report.status == "failed"
    assert "allow_hosts" in report.errors[0]
