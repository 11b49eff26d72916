"""The App Store collector against Apple's recorded customer-review feed on a local server."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from brandpulse.collectors import appstore
from brandpulse.collectors.api_client import ApiClient, Configured
from brandpulse.collectors.base import BrandTerms, InvalidSetting
from brandpulse.store import browse
from brandpulse.store.connection import read_connection
from brandpulse.store.records import Mention, RunReport, mention_id

from brandpulse import pipeline
from brandpulse.config import Brand, Config, Secrets
from tests.collectors.sources.conftest import details
from tests.collectors.sources.replay import ReplayServer, json_route, written_route

pytestmark = pytest.mark.corpus

FIRST = "/us/rss/customerreviews/id=811377230/json"
SECOND = "/us/rss/customerreviews/page=2/id=811377230/sortby=mostrecent/json"
PODCAST = appstore.App(id="811377230", brand="Hello Internet", name="Hello Internet")
BRANDS = (BrandTerms("Hello Internet", ("Hello Internet",)),)


def serve(server: ReplayServer, sources: Path) -> None:
    recorded = json_route(sources / "appstore" / "reviews.json", FIRST)
    server.add(recorded, written_route("appstore-empty-feed"))


def run(
    server: ReplayServer,
    client: ApiClient,
    apps: tuple[appstore.App, ...] = (PODCAST,),
    state: dict[str, object] | None = None,
) -> tuple[list[Mention], RunReport]:
    settings = appstore.Settings(base_url=server.url, apps=apps, max_pages=3)
    report = RunReport(source="appstore")
    return list(appstore.collect(Configured(settings), BRANDS, state or {}, client, report)), report


def test_reviews_keep_rating_title_text_and_version(
    sources: Path, server: ReplayServer, client
) -> None:
    serve(server, sources)
    mentions, report = run(server, client)

    assert len(mentions) == 50
    first = mentions[0]
    assert first.id == mention_id("appstore", "8414391645")
    assert first.author == "Human #6293839583"
    assert first.title == "Two Years"
    assert first.text.startswith("It’s been a year now.")
    assert first.published_at == datetime(2022, 3, 3, 2, 5, 59, tzinfo=UTC)
    assert first.url == "https://itunes.apple.com/us/review?id=811377230&type=Podcast"
    assert first.extra["rating"] == 5
    assert first.extra["version"] is None  # a podcast feed: Apple sends ""
    assert (first.score, first.extra["vote_count"]) == (0, 0)
    assert first.extra["brand"] == "Hello Internet"
    assert first.extra["country"] == "us"
    assert Counter(m.extra["rating"] for m in mentions) == {5: 47, 4: 1, 2: 1, 1: 1}
    # The recorded page links a last page 10, so page 2 is asked; it is empty and ends.
    assert [r.path for r in server.requests] == [FIRST, SECOND]
    assert report.state == {"811377230:us": {"newest": 8414391645}}
    (item,) = report.items
    assert (item.name, item.kind, item.status, item.fetched) == (
        "Hello Internet (us)",
        "app",
        "ok",
        50,
    )
    assert item.facts == {"pages": 2, "cursor": 8414391645}


def test_second_run_stops_at_the_newest_review_seen(
    sources: Path, server: ReplayServer, client
) -> None:
    serve(server, sources)
    _, report = run(server, client)
    again, report2 = run(server, client, state=report.state)
    assert again == []
    assert [r.path for r in server.requests][-1] == FIRST  # page 2 not asked again
    assert report2.state == report.state


def test_newer_reviews_only_after_the_cursor(sources: Path, server: ReplayServer, client) -> None:
    serve(server, sources)
    mentions, _ = run(server, client, state={"811377230:us": {"newest": 8240459150}})
    assert [m.native_id for m in mentions] == ["8414391645", "8378849231"]


def test_one_app_failing_never_stops_the_others(
    sources: Path, server: ReplayServer, client
) -> None:
    serve(server, sources)
    missing = appstore.App(id="1234567", brand="Hello Internet", countries=("gb",))
    stranger = appstore.App(id="7654321", brand="Nobody")
    mentions, report = run(server, client, apps=(missing, stranger, PODCAST))
    assert len(mentions) == 50
    assert report.status == "partial"
    statuses = {d["name"]: d["status"] for d in details(report)}
    assert statuses == {
        "1234567 (gb)": "error",
        "7654321 (us)": "error",
        "Hello Internet (us)": "ok",
    }
    assert "HTTP 404" in report.errors[0]
    assert "brand 'Nobody' is not configured" in report.errors[1]


def test_reviews_are_stored_under_their_app_brand(
    sources: Path, server: ReplayServer, client, db_path: Path
) -> None:
    serve(server, sources)
    mentions, report = run(server, client)
    config = Config(brands=(Brand(name="Hello Internet"),))
    pipeline.store_mentions(db_path, config, Secrets(), mentions, report)
    assert report.new == 50  # none names "Hello Internet"; the app's brand files them
    with read_connection(db_path) as con:
        scope = browse.Scope(brands=("Hello Internet",), sources=("appstore",))
        assert browse.count_mentions(con, scope) == 50


def test_apps_are_checked_and_configured() -> None:
    app = appstore.App(id="811377230", brand="Acme", countries=("US", "gb"))
    assert app.countries == ("us", "gb")
    with pytest.raises(InvalidSetting, match="id"):
        appstore.App(id="acme", brand="Acme")
    with pytest.raises(InvalidSetting, match="max_pages"):
        appstore.Options(max_pages=11)
    assert appstore.configure({}) is None
    assert appstore.configure({"apps": (app,), "appstore": appstore.Options(enabled=False)}) is None
    configured = appstore.configure({"apps": (app,)})
    assert configured is not None and configured.source.apps == (app,)
