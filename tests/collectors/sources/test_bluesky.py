"""The Bluesky collector against bskyr's recorded bsky.social answers on a local server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from brandpulse.collectors import bluesky
from brandpulse.collectors.api_client import ApiClient, Configured
from brandpulse.collectors.base import BrandTerms, InvalidSetting
from brandpulse.collectors.fetch_settings import Fetch
from brandpulse.store.records import Mention, RunReport, mention_id

from tests.collectors.sources.conftest import details
from tests.collectors.sources.replay import ReplayServer, cassette_routes, written_route

pytestmark = pytest.mark.corpus

SEARCH = bluesky.SEARCH
TERMS = (BrandTerms("Redistricting", ("redistricting",)),)
FETCH = Fetch(allow_hosts=("127.0.0.1",), retries=0, backoff=0.0, connect_timeout=2, read_timeout=5)
LOGIN = {"BLUESKY_HANDLE": "brandpulse-test.bsky.social", "BLUESKY_APP_PASSWORD": "abcd-efgh"}


def serve(server: ReplayServer, sources: Path) -> None:
    """The recorded search answers any query once; then the written last page."""
    (route,) = cassette_routes(sources / "bluesky" / "f_search.yml", any_query=True)
    route.times = 1
    server.add(route, written_route("bluesky-last-page"))


def settings(server: ReplayServer, **changes: object) -> bluesky.Settings:
    values: dict[str, object] = {"service": server.url, "public_api": server.url, "page_size": 25}
    values.update(changes)
    return bluesky.Settings(**values)  # type: ignore[arg-type]


def run(
    settings: bluesky.Settings,
    client: ApiClient,
    brands: tuple[BrandTerms, ...] = TERMS,
    state: dict[str, object] | None = None,
) -> tuple[list[Mention], RunReport]:
    report = RunReport(source="bluesky")
    return list(bluesky.collect(Configured(settings), brands, state or {}, client, report)), report


def test_search_posts_with_engagement(sources: Path, server: ReplayServer, client) -> None:
    serve(server, sources)
    mentions, report = run(settings(server), client)

    assert len(mentions) == 25
    first = mentions[0]
    uri = "at://did:plc:kkergqgbhb56ptpwj2wenkje/app.bsky.feed.post/3lpk2u6qo222m"
    assert (first.native_id, first.id) == (uri, mention_id("bluesky", uri))
    assert first.author == "socpaperbot.bsky.social"
    assert first.url == "https://bsky.app/profile/socpaperbot.bsky.social/post/3lpk2u6qo222m"
    assert first.text.startswith("Ends Versus Means: Public Opinion on Congressional Redistricting")
    assert first.published_at == datetime(2025, 5, 19, 17, 10, 9, 561858, tzinfo=UTC)
    mcpli = next(m for m in mentions if m.native_id.endswith("/3lpjy3eabqs2l"))
    assert (mcpli.score, mcpli.extra["reposts"], mcpli.comments) == (13, 6, 1)
    assert mcpli.extra["likes"] == 13
    # Page 2 is asked with the answer's cursor, and is the last.
    asked = server.asked(SEARCH)
    assert asked[0].query == {"q": "redistricting", "sort": "latest", "limit": "25"}
    assert asked[1].query["cursor"] == "25"
    assert "authorization" not in asked[0].headers
    detail = details(report)[0]
    assert detail["pages"] == 2
    assert detail["rate_limit"] == "2982 of 3000 left, resets 2025-05-19T17:46:24+00:00"
    assert report.state["redistricting"] == {"newest": "2025-05-19T17:10:09.561858+00:00"}


def test_second_run_asks_since_the_newest_post(sources: Path, server: ReplayServer, client) -> None:
    serve(server, sources)
    _, report = run(settings(server), client)
    # The service answers the later run with the same posts: none is newer than the cursor.
    (again,) = cassette_routes(sources / "bluesky" / "f_search.yml", any_query=True)
    server.add(again, first=True)
    mentions, report2 = run(settings(server, max_pages=1), client, state=report.state)
    assert mentions == []
    assert server.asked(SEARCH)[-1].query["since"] == "2025-05-19T17:10:09.561Z"
    assert report2.state == report.state


def test_an_app_password_logs_in_once_and_searches_with_the_token(
    sources: Path, server: ReplayServer
) -> None:
    serve(server, sources)
    server.add(written_route("bluesky-session"))
    client = ApiClient.from_settings(FETCH, LOGIN)
    brands = (*TERMS, BrandTerms("Census", ("census",)))
    try:
        mentions, report = run(settings(server, public_api="http://127.0.0.1:9"), client, brands)
    finally:
        client.close()
    logins = server.asked(bluesky.SESSION)
    assert len(logins) == 1
    assert json.loads(logins[0].body) == {
        "identifier": "brandpulse-test.bsky.social",
        "password": "abcd-efgh",
    }
    searches = server.asked(SEARCH)
    assert {r.headers["authorization"] for r in searches} == {"Bearer test-access-jwt"}
    assert len(mentions) == 25 and report.status == "ok"


def test_a_refused_login_is_one_error_and_no_search(sources: Path, server: ReplayServer) -> None:
    server.add(*cassette_routes(sources / "bluesky" / "repo_auth_cache.yml"))
    serve(server, sources)
    client = ApiClient.from_settings(FETCH, LOGIN)
    try:
        mentions, report = run(settings(server), client)
    finally:
        client.close()
    assert mentions == [] and server.asked(SEARCH) == []
    assert report.status == "failed"
    (error,) = report.errors
    assert "HTTP 401" in error and "Invalid identifier or password" in error
    assert "abcd-efgh" not in error


def test_an_xrpc_error_fails_its_term_only(sources: Path, server: ReplayServer, client) -> None:
    (bad,) = cassette_routes(sources / "bluesky" / "r_post_errors.yml")
    bad.method, bad.path = "GET", SEARCH
    bad.query = {"q": "x" * 400, "sort": "latest", "limit": "25"}
    server.add(bad)
    serve(server, sources)
    brands = (BrandTerms("Long", ("x" * 400,)), *TERMS)
    mentions, report = run(settings(server), client, brands)
    assert len(mentions) == 25
    assert report.status == "partial"
    assert "HTTP 400" in report.errors[0] and "InvalidRequest" in report.errors[0]


def test_the_older_answer_shape_with_hits_total(sources: Path) -> None:
    data = json.loads(
        (sources / "bluesky" / "app.bsky.feed.searchPosts-5d343d.json").read_text(encoding="utf-8")
    )
    at = datetime(2026, 1, 1, tzinfo=UTC)
    mentions = [bluesky.post_mention(p, at) for p in data["posts"]]
    assert data["hitsTotal"] == 908 and len(mentions) == 23
    assert all(m is not None and m.published_at.year == 2023 for m in mentions)


def test_settings_are_checked() -> None:
    with pytest.raises(InvalidSetting, match="page_size"):
        bluesky.Settings(page_size=101)
    with pytest.raises(InvalidSetting, match="service"):
        bluesky.Settings(service="bsky.social")


def test_an_anonymous_refusal_is_one_error_with_the_fix(
    sources: Path, server: ReplayServer, client
) -> None:
    (refused,) = cassette_routes(sources / "bluesky" / "repo_auth_cache.yml", any_query=True)
    refused.method, refused.path, refused.status = "GET", SEARCH, 403  # written here: a 403
    server.add(refused)
    brands = (*TERMS, BrandTerms("Census", ("census",)))
    mentions, report = run(settings(server), client, brands)
    assert mentions == [] and len(server.asked(SEARCH)) == 1
    (error,) = report.errors
    assert "HTTP 403" in error and "BLUESKY_APP_PASSWORD" in error
    assert [d["status"] for d in details(report)] == ["error", "skipped"]
