"""A second collection of unchanged feeds costs 304s only: no body bytes, no new mentions."""

from __future__ import annotations

from pathlib import Path

from brandpulse.store import queries
from brandpulse.store.connection import read_connection

from brandpulse import pipeline
from brandpulse.config import Secrets
from tests.collectors.feeds.feedserver import FeedServer, Reply, item, make_config, records, rss

SECRETS = Secrets()
LAST_MODIFIED = "Mon, 01 Jun 2026 10:00:00 GMT"


def collect(db: Path, config) -> object:
    (report,) = pipeline.collect(db, config, SECRETS, ["feeds"])
    return report


def test_second_collect_adds_nothing_and_downloads_no_body(
    server: FeedServer, db_path: Path
) -> None:
    with_etag = server.route("/etag", Reply(rss(item(1), item(2)), etag='"v1"'))
    with_date = server.route("/dated", Reply(rss(item(3), item(4)), last_modified=LAST_MODIFIED))
    config = make_config(with_etag, with_date)

    first = collect(db_path, config)
    assert first.status == "ok"
    assert first.new == 4
    assert all(d["bytes"] > 0 and d["status"] == "ok" for d in records(first))

    second = collect(db_path, config)
    assert second.status == "ok"
    assert (second.new, second.updated, second.fetched) == (0, 0, 0)
    assert [d["status"] for d in records(second)] == ["not_modified", "not_modified"]
    assert [d["http_status"] for d in records(second)] == [304, 304]
    assert sum(d["bytes"] for d in records(second)) == 0
    assert server.hits("/etag")[-1].headers["if-none-match"] == '"v1"'
    assert server.hits("/dated")[-1].headers["if-modified-since"] == LAST_MODIFIED

    with read_connection(db_path) as con:
        assert queries.totals(con)["mentions"] == 4
        state = queries.source_state(con, "feeds")
    assert state[with_etag]["etag"] == '"v1"'


def test_a_changed_feed_is_fetched_again_and_adds_only_its_new_entry(
    server: FeedServer, db_path: Path
) -> None:
    url = server.route(
        "/changing",
        Reply(rss(item(1)), etag='"a"'),
        Reply(rss(item(1), item(2)), etag='"b"'),
    )
    config = make_config(url)
    assert collect(db_path, config).new == 1
    second = collect(db_path, config)
    assert (second.new, second.updated) == (1, 0)
    assert records(second)[0]["http_status"] == 200


def test_a_failed_feed_keeps_its_saved_validators(server: FeedServer, db_path: Path) -> None:
    url = server.route(
        "/wobbly",
        Reply(rss(item(1)), etag='"a"'),
        Reply(b"down", 500),
        Reply(rss(item(1)), etag='"a"'),
    )
    config = make_config(url, retries=0)
    collect(db_path, config)
    assert collect(db_path, config).status == "failed"
    third = collect(db_path, config)
    assert records(third)[0]["status"] == "not_modified"
    assert server.hits("/wobbly")[-1].headers["if-none-match"] == '"a"'
