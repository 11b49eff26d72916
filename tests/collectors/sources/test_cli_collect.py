"""`brandpulse collect` runs every configured source against the local replay server, end to
end: config, registry, collectors, brand matching and the store; a second run adds nothing."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import duckdb
import pytest

from brandpulse.cli import main
from tests.collectors.sources.replay import (
    ReplayServer,
    cassette_routes,
    hn_routes,
    json_route,
    written_route,
)

pytestmark = pytest.mark.corpus

CONFIG = """\
[[brands]]
name = "Apple"
keywords = ["apple"]

[[competitors]]
name = "R"
keywords = ["rstats"]

[[competitors]]
name = "Redistricting"
keywords = ["redistricting"]

[[competitors]]
name = "Live"
keywords = ["live recording"]

[[competitors]]
name = "Hello Internet"
keywords = ["hello internet"]

[fetch]
allow_hosts = ["127.0.0.1"]
retries = 0
backoff = 0
connect_timeout = 2
read_timeout = 5

[hackernews]
base_url = "{url}/api/v1"
tags = ["story"]
hits_per_page = 1
max_pages = 1

[mastodon]
instances = ["{url}"]
page_size = 5
max_pages = 1

[bluesky]
service = "{url}"
public_api = "{url}"
max_pages = 1

[lemmy]
instances = ["{url}"]

[appstore]
base_url = "{url}"

[[apps]]
id = "811377230"
brand = "Hello Internet"
name = "Hello Internet"
"""
SOURCES = ("hackernews", "mastodon", "bluesky", "lemmy", "appstore")


def serve(server: ReplayServer, sources: Path) -> None:
    """Recorded answers for the terms that have one; written empty pages for the rest."""
    hn = [r for r in hn_routes(sources / "hn" / "fixtures.json") if r.path.endswith("_by_date")]
    (tag,) = cassette_routes(sources / "mastodon" / "get_timeline_hashtag_anonymous.yml")
    tag.query = {"limit": "5"}
    (posts,) = cassette_routes(sources / "bluesky" / "f_search.yml")
    posts.query = {"q": "redistricting", "sort": "latest", "limit": "25"}
    lemmy = json_route(sources / "lemmy" / "searchResponseV3.json", "/api/v3/search")
    lemmy.query = {
        "q": "live recording",
        "type_": "All",
        "sort": "New",
        "listing_type": "All",
        "limit": "20",
        "page": "1",
    }
    reviews = json_route(
        sources / "appstore" / "reviews.json", "/us/rss/customerreviews/id=811377230/json"
    )
    server.add(*hn, tag, posts, lemmy, reviews, written_route("appstore-empty-feed"))
    server.add(
        written_route("hn-empty-page"),
        written_route("mastodon-empty-page", path="/api/v1/timelines/tag/*"),
        written_route("bluesky-last-page"),
        written_route("lemmy-empty-search"),
    )


def collect(config: Path, db: Path) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(out):
        code = main(["collect", "--config", str(config), "--db", str(db)])
    return code, out.getvalue()


def runs(db: Path) -> list[tuple[str, str, int, int]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT source, status, fetched, new FROM collection_runs ORDER BY run_id"
        ).fetchall()
    finally:
        con.close()


def test_collect_runs_every_source_and_a_second_run_adds_nothing(
    sources: Path, server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("MASTODON_ACCESS_TOKEN", "BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    serve(server, sources)
    config = tmp_path / "brands.toml"
    config.write_text(CONFIG.replace("{url}", server.url), encoding="utf-8")
    db = tmp_path / "brandpulse.duckdb"

    code, output = collect(config, db)
    assert code == 0, output
    first = {source: (status, new) for source, status, _, new in runs(db)}
    assert set(SOURCES) <= set(first)
    # What each recording holds that names a configured brand.
    assert first["hackernews"] == ("ok", 1)  # the Apple/Google settlement story
    assert first["mastodon"] == ("ok", 5)  # five #rstats statuses
    assert first["bluesky"] == ("ok", 25)  # 25 posts on redistricting
    assert first["lemmy"] == ("ok", 1)  # the post; its comment names no brand
    assert first["appstore"] == ("ok", 50)  # every review, filed under the app's brand

    asked = len(server.requests)
    code, output = collect(config, db)
    assert code == 0, output
    second = runs(db)[len(first) :]
    assert {source: new for source, _, _, new in second if source in SOURCES} == dict.fromkeys(
        SOURCES, 0
    )
    later = server.requests[asked:]
    hn = next(
        r for r in later if r.path == "/api/v1/search_by_date" and r.query["query"] == "apple"
    )
    assert hn.query["numericFilters"] == f"created_at_i>{1403235346 - 600}"
    tag = next(r for r in later if r.path == "/api/v1/timelines/tag/rstats")
    assert tag.query["since_id"] == "114870142396314555"
    bsky = next(r for r in later if r.query.get("q") == "redistricting")
    assert bsky.query["since"] == "2025-05-19T17:10:09.561Z"
