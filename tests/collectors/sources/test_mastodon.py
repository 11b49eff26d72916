"""The Mastodon collector against recorded mastodon.social, fosstodon.org and Mastodon 4.6
answers on local servers (one server per instance)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from brandpulse.collectors import mastodon
from brandpulse.collectors.api_client import ApiClient, Configured
from brandpulse.collectors.base import BrandTerms, InvalidSetting
from brandpulse.store import browse
from brandpulse.store.connection import read_connection
from brandpulse.store.records import Mention, RunReport, mention_id

from brandpulse import pipeline
from brandpulse.config import Brand, Config, Secrets
from tests.collectors.sources.conftest import details
from tests.collectors.sources.replay import ReplayServer, cassette_routes, written_route

pytestmark = pytest.mark.corpus

RSTATS = (BrandTerms("R", ("rstats",)),)
TAG = "/api/v1/timelines/tag/rstats"
RTOOT = ("local", "only_media")  # rtoot's extra parameters, the server defaults


@pytest.fixture
def other() -> Iterator[ReplayServer]:
    """A second instance."""
    replay = ReplayServer().start()
    yield replay
    replay.stop()


def run(
    settings: mastodon.Settings,
    client: ApiClient,
    brands: tuple[BrandTerms, ...] = RSTATS,
    state: dict[str, object] | None = None,
) -> tuple[list[Mention], RunReport]:
    report = RunReport(source="mastodon")
    return list(mastodon.collect(Configured(settings), brands, state or {}, client, report)), report


def test_hashtag_timeline_from_mastodon_social(sources: Path, server: ReplayServer, client) -> None:
    server.add(
        *cassette_routes(sources / "mastodon" / "get_timeline_hashtag_anonymous.yml", drop=RTOOT)
    )
    settings = mastodon.Settings(instances=(server.url,), page_size=5, max_pages=1)
    mentions, report = run(settings, client)

    assert len(mentions) == 5
    first = mentions[0]
    uri = "https://rstats.me/users/simonpcouch/statuses/114870142137562212"
    assert (first.native_id, first.id) == (uri, mention_id("mastodon", uri))
    assert first.url == "https://rstats.me/@simonpcouch/114870142137562212"
    assert first.author == "simonpcouch@rstats.me"
    assert first.text.startswith("After a month or so of not using Claude Code much")
    assert "<p>" not in first.text
    assert first.published_at == datetime(2025, 7, 17, 19, 7, 48, tzinfo=UTC)
    by_author = {m.author: m for m in mentions}
    local = by_author[f"useR_conf@{server.url.removeprefix('http://')}"]  # a local account
    assert (local.extra["reblogs"], local.extra["favourites"], local.extra["replies"]) == (6, 0, 0)
    donna = by_author["donnagen@corteximplant.com"]
    assert (donna.extra["reblogs"], donna.comments) == (1, 1)
    assert server.requests[0].query == {"limit": "5"}
    assert "authorization" not in server.requests[0].headers
    detail = details(report)[0]
    assert detail["status"] == "ok" and detail["fetched"] == 5
    assert detail["rate_limit"] == "299 of 300 left, resets 2025-07-17T20:05:00+00:00"
    assert detail["cursor"] == "114870142396314555"
    assert any("MASTODON_ACCESS_TOKEN" in w for w in report.warnings)


def test_pages_follow_max_id_like_the_link_header(
    sources: Path, server: ReplayServer, client
) -> None:
    routes = cassette_routes(sources / "mastodon" / "handle_params_max_id.yml", drop=RTOOT)
    server.add(*routes)
    settings = mastodon.Settings(instances=(server.url,), page_size=40, max_pages=4)
    mentions, report = run(settings, client, (BrandTerms("Hanna", ("IchBinHanna",)),))

    asked = [r.query.get("max_id") for r in server.requests]
    assert asked == [None, "114630169307317488", "114347272189573465", "113958523521356248"]
    assert all(r.matched for r in server.requests)
    assert len(mentions) == len({m.id for m in mentions}) > 100
    assert details(report)[0]["pages"] == 4
    assert details(report)[0]["rate_limit"].startswith("289 of 300 left")


def test_the_last_page_without_a_link_ends_the_walk(
    sources: Path, server: ReplayServer, client
) -> None:
    server.add(*cassette_routes(sources / "mastodon" / "test_fetch_remaining.yaml"))
    tag = "fgiztsshwiaqqiztpmmjbtvmescsculuvmgjgopwoeidbcrixp"
    settings = mastodon.Settings(instances=(server.url,), page_size=10, max_pages=9)
    mentions, report = run(settings, client, (BrandTerms("Test", (tag,)),))
    assert len(mentions) == 30
    assert len(server.requests) == 4  # three full pages and the empty last one
    assert report.status == "ok"


def test_second_run_asks_since_the_newest_status(
    sources: Path, server: ReplayServer, client
) -> None:
    server.add(
        *cassette_routes(sources / "mastodon" / "get_timeline_hashtag_anonymous.yml", drop=RTOOT)
    )
    settings = mastodon.Settings(instances=(server.url,), page_size=5, max_pages=1)
    _, report = run(settings, client)
    server.add(written_route("mastodon-empty-page"), first=True)
    again, report2 = run(settings, client, state=report.state)
    assert again == []
    assert server.requests[-1].query == {"limit": "5", "since_id": "114870142396314555"}
    assert report2.state == report.state


def test_an_instance_ignoring_since_id_gives_nothing_twice(
    sources: Path, server: ReplayServer, client
) -> None:
    (route,) = cassette_routes(
        sources / "mastodon" / "get_timeline_hashtag_anonymous.yml", any_query=True
    )
    server.add(route)
    settings = mastodon.Settings(instances=(server.url,), page_size=5, max_pages=1)
    state = {f"{server.url} tag rstats": {"newest": "114869598531117045"}}
    mentions, _ = run(settings, client, state=state)
    # Only the two statuses newer than the cursor.
    assert [m.extra["status_id"] for m in mentions] == ["114870142396314555", "114869631572884594"]


def test_one_instance_failing_never_stops_the_others(
    sources: Path, server: ReplayServer, other: ReplayServer, client
) -> None:
    server.add(
        *cassette_routes(sources / "mastodon" / "get_timeline_hashtag_anonymous.yml", drop=RTOOT)
    )
    other.add(
        *cassette_routes(sources / "mastodon" / "get_timeline_hashtag_default.yml", drop=RTOOT)
    )
    dead = ReplayServer().start()
    dead_url = dead.url
    dead.stop()  # nothing listens there any more: connection refused
    settings = mastodon.Settings(
        instances=(dead_url, server.url, other.url), page_size=5, max_pages=1
    )
    mentions, report = run(settings, client)
    assert [d["status"] for d in details(report)] == ["error", "ok", "ok"]
    assert "cannot connect" in report.errors[0]
    assert report.status == "partial"
    uris = [m.native_id for m in mentions]
    assert len(uris) == len(set(uris)) >= 5  # a status on both instances is one mention
    assert report.fetched == 10


def test_status_search_sends_the_token_only_to_its_instance(
    sources: Path, server: ReplayServer, other: ReplayServer, waits: list[float]
) -> None:
    server.add(
        *cassette_routes(sources / "mastodon" / "get_timeline_hashtag_anonymous.yml", drop=RTOOT)
    )
    other.add(
        *cassette_routes(sources / "mastodon" / "get_timeline_hashtag_default.yml", drop=RTOOT)
    )
    search = [
        r
        for r in cassette_routes(sources / "mastodon" / "test_search.yaml")
        if r.query and r.query.get("type")
    ]
    search[0].query = None  # the recorded empty status search answers our query
    server.add(search[0])
    client = ApiClient.from_settings(_fetch(), {"MASTODON_ACCESS_TOKEN": "secret-token"})
    settings = mastodon.Settings(instances=(server.url, other.url), page_size=5, max_pages=1)
    mentions, report = run(settings, client)
    client.close()

    searched = server.asked("/api/v2/search")
    assert len(searched) == 1
    assert searched[0].query == {"q": "rstats", "type": "statuses", "limit": "5"}
    assert searched[0].headers["authorization"] == "Bearer secret-token"
    assert all("authorization" not in r.headers for r in other.requests)
    assert "secret-token" not in repr(client)
    assert report.status == "ok" and not report.warnings
    assert len(mentions) >= 5


def test_an_invalid_token_fails_the_search_not_the_timelines(
    sources: Path, server: ReplayServer
) -> None:
    server.add(
        *cassette_routes(sources / "mastodon" / "get_timeline_hashtag_anonymous.yml", drop=RTOOT)
    )
    (refused,) = cassette_routes(sources / "mastodon" / "process_created_token.yml", any_query=True)
    refused.path, refused.method = "/api/v2/search", "GET"
    server.add(refused)
    client = ApiClient.from_settings(_fetch(), {"MASTODON_ACCESS_TOKEN": "expired"})
    settings = mastodon.Settings(instances=(server.url,), page_size=5, max_pages=1)
    mentions, report = run(settings, client)
    client.close()
    assert len(mentions) == 5
    assert report.status == "partial"
    assert "HTTP 401" in report.errors[0]
    assert "The access token is invalid" in report.errors[0]


def test_a_spent_quota_waits_for_its_reset(
    sources: Path, server: ReplayServer, client, waits: list[float]
) -> None:
    routes = cassette_routes(
        sources / "mastodon" / "get_timeline_hashtag_anonymous.yml", any_query=True
    )
    reset = (datetime.now(UTC) + timedelta(seconds=30)).isoformat()
    routes[0].headers = [
        (k, v) for k, v in routes[0].headers if not k.lower().startswith("x-ratelimit")
    ] + [("X-RateLimit-Limit", "300"), ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", reset)]
    routes[0].path = "/api/v1/timelines/tag/rstats"
    server.add(routes[0])
    again = cassette_routes(
        sources / "mastodon" / "get_timeline_hashtag_anonymous.yml", any_query=True
    )[0]
    again.path = "/api/v1/timelines/tag/ggplot2"
    server.add(again)
    settings = mastodon.Settings(instances=(server.url,), page_size=5, max_pages=1)
    brands = (BrandTerms("R", ("rstats", "ggplot2")),)
    _, report = run(settings, client, brands)
    assert len(waits) == 1 and 20 < waits[0] <= 30
    assert report.status == "ok"
    assert any("waited" in w for w in report.warnings)


def test_a_quota_spent_for_too_long_leaves_the_rest_for_next_run(
    sources: Path, server: ReplayServer, client, waits: list[float]
) -> None:
    (route,) = cassette_routes(
        sources / "mastodon" / "get_timeline_hashtag_anonymous.yml", any_query=True
    )
    reset = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    route.headers = [(k, v) for k, v in route.headers if not k.lower().startswith("x-ratelimit")]
    route.headers += [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", reset)]
    route.path = "/api/v1/timelines/tag/rstats"
    server.add(route)
    settings = mastodon.Settings(instances=(server.url,), page_size=5, max_pages=1)
    brands = (BrandTerms("R", ("rstats", "ggplot2")),)
    mentions, report = run(settings, client, brands)
    assert len(mentions) == 5 and waits == []
    assert [d["status"] for d in details(report)] == ["ok", "skipped"]
    assert "rate limit spent" in details(report)[1]["error"]
    assert len(server.requests) == 1


def test_hashtags_from_terms_and_settings() -> None:
    assert mastodon.hashtag("Acme Corp") == "acmecorp"
    assert mastodon.hashtag("#acme-corp") == "acmecorp"
    settings = mastodon.Settings(instances=("https://a.example",), hashtags=("#AcmeSpring",))
    jobs = mastodon.jobs(settings, (BrandTerms("Acme", ("Acme", "acme")),), searching=False)
    assert [j.label for j in jobs] == ["a.example #acme", "a.example #acmespring"]
    with pytest.raises(InvalidSetting, match="page_size"):
        mastodon.Settings(page_size=41)
    with pytest.raises(InvalidSetting, match="instances"):
        mastodon.Settings(instances=("mastodon.social",))


def _fetch():
    from brandpulse.collectors.fetch_settings import Fetch

    return Fetch(
        allow_hosts=("127.0.0.1",), retries=0, backoff=0.0, connect_timeout=2, read_timeout=5
    )


def test_the_quota_and_waits_reach_collection_health(
    sources: Path, server: ReplayServer, client, waits: list[float], db_path: Path
) -> None:
    routes = cassette_routes(
        sources / "mastodon" / "get_timeline_hashtag_anonymous.yml", any_query=True
    )
    reset = (datetime.now(UTC) + timedelta(seconds=30)).isoformat()
    routes[0].headers = [
        (k, v) for k, v in routes[0].headers if not k.lower().startswith("x-ratelimit")
    ] + [("X-RateLimit-Limit", "300"), ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", reset)]
    routes[0].path = "/api/v1/timelines/tag/*"
    server.add(routes[0])
    settings = mastodon.Settings(instances=(server.url,), page_size=5, max_pages=1)
    mentions, report = run(settings, client, (BrandTerms("R", ("rstats", "ggplot2")),))
    config = Config(brands=(Brand(name="R", keywords=("rstats",)),))
    pipeline.store_mentions(db_path, config, Secrets(), mentions, report)
    with read_connection(db_path) as con:
        (row,) = browse.source_health(con).itertuples()
    items = json.loads(row.details)
    assert [i["rate_limit"].split(",")[0] for i in items] == ["0 of 300 left"] * 2
    assert any("waited" in w and "rate limits" in w for w in row.warnings)


def test_more_new_pages_than_max_pages_warns(sources: Path, server: ReplayServer, client) -> None:
    routes = cassette_routes(sources / "mastodon" / "handle_params_max_id.yml", drop=RTOOT)
    for route in routes:
        route.query = {k: v for k, v in (route.query or {}).items()} | {"since_id": "1"}
    server.add(*routes)
    settings = mastodon.Settings(instances=(server.url,), page_size=40, max_pages=2)
    state = {f"{server.url} tag ichbinhanna": {"newest": "1"}}
    _, report = run(settings, client, (BrandTerms("Hanna", ("IchBinHanna",)),), state)
    assert len(server.requests) == 2 and all(r.matched for r in server.requests)
    assert any("more than 2 pages of new items" in w for w in report.warnings)
    assert details(report)[0]["cursor"] == "114856169736898681"
