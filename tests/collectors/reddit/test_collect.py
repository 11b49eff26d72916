"""The collector's own paths over the replay server: incremental searches, comment threads,
owned and comment subreddits. Expected values are read from the cassettes' JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from brandpulse.collectors import reddit
from brandpulse.collectors.base import BrandTerms
from brandpulse.collectors.reddit_targets import plan, reddit_query, search_query
from brandpulse.store.connection import write_connection
from brandpulse.store.records import Mention, RunReport
from brandpulse.store.writes import transaction, upsert_mentions

from brandpulse.config import Config
from tests.collectors.reddit.conftest import ACME, CASSETTES, CREDENTIALS, GLOBEX, make_config
from tests.collectors.reddit.make_cassettes import ACME_QUERY, BASE, GLOBEX_QUERY
from tests.collectors.reddit.test_conformance import held_things

SEARCH_PATH = "/r/all/search/"
LATER = datetime.fromtimestamp(BASE, UTC) + timedelta(hours=1)


def recorded(name: str, path_part: str = "") -> list[dict[str, Any]]:
    """Return the things a cassette's answers hold, for requests whose path has `path_part`."""
    data = json.loads((CASSETTES / name).read_text(encoding="utf-8"))
    things = []
    for item in data["interactions"]:
        if path_part in item["request"]["uri"] and "access_token" not in item["request"]["uri"]:
            things += held_things(json.loads(item["response"]["body"]["string"]))
    return things


def run(config: Any, state: dict[str, Any] | None = None, started: datetime = LATER) -> Any:
    client = reddit.open_client(config.sections["reddit"], CREDENTIALS)
    report = RunReport(source="reddit", started_at=started)
    mentions = list(
        reddit.collect(config.sections["reddit"], config.terms, state or {}, client, report)
    )
    return mentions, report


def store(db: Path, mentions: list[Mention]) -> tuple[int, int]:
    with write_connection(db) as con, transaction(con):
        return upsert_mentions(con, mentions)


def test_second_run_adds_nothing_and_requests_fewer_pages(replay: Any, db_path: Path) -> None:
    server = replay("search_acme.json")
    config = make_config(server)
    first, report = run(config)
    first_pages = len(server.requests_to(SEARCH_PATH))
    assert sorted(m.native_id for m in first) == sorted(
        d["name"] for d in recorded("search_acme.json")
    )
    assert store(db_path, first) == (len(first), 0)
    assert report.errors == [] and report.fetched == len(first)

    second, report2 = run(config, report.state)
    second_pages = len(server.requests_to(SEARCH_PATH)) - first_pages
    assert store(db_path, second)[0] == 0
    assert second == []
    assert second_pages < first_pages
    assert second_pages == 1
    assert report2.errors == [] and report2.warnings == []
    # It read one post, the newest already stored, so a quiet run is not a failed one.
    assert report2.fetched == 1 and report2.status == "ok"


def test_cursor_is_the_newest_post_and_moves_with_new_posts(replay: Any) -> None:
    server = replay("search_acme.json")
    config = make_config(server)
    _, report = run(config)
    (key,) = report.state
    newest = max(recorded("search_acme.json"), key=lambda d: d["created_utc"])
    assert report.state[key] == {"newest": newest["name"], "newest_utc": newest["created_utc"]}

    later = replay("search_acme_later.json")
    mentions, report2 = run(make_config(later), report.state)
    fresh = {d["name"] for d in recorded("search_acme_later.json")} - {
        d["name"] for d in recorded("search_acme.json")
    }
    assert {m.native_id for m in mentions} == fresh
    assert len(later.requests_to(SEARCH_PATH)) == 1
    newest_later = max(recorded("search_acme_later.json"), key=lambda d: d["created_utc"])
    assert report2.state[key]["newest"] == newest_later["name"]


def test_backfill_limit_caps_the_first_run(replay: Any) -> None:
    server = replay("search_acme.json")
    mentions, report = run(make_config(server, backfill_limit=12))
    posts = recorded("search_acme.json")
    assert [m.native_id for m in mentions] == [d["name"] for d in posts[:12]]
    assert len(server.requests_to(SEARCH_PATH)) == 2
    assert report.warnings == []


def test_a_cursor_beyond_the_limit_warns_that_older_posts_were_missed(replay: Any) -> None:
    server = replay("search_acme.json")
    config = make_config(server, backfill_limit=12)
    posts = recorded("search_acme.json")
    oldest = posts[-1]
    state = {
        plan(config.sections["reddit"], config.terms).__next__().key: {
            "newest": oldest["name"],
            "newest_utc": oldest["created_utc"],
        }
    }
    mentions, report = run(config, state)
    assert len(mentions) == 12
    assert any("older ones were not fetched" in w for w in report.warnings)


def test_prawcore_is_left_to_space_out_requests_when_the_budget_is_spent(
    replay: Any, waits: list[tuple[str, float]]
) -> None:
    """The recorded rate-limit headers say 3 requests are left: PRAW waits before each next
    page (recorded by the test instead of slept), so pages never follow in a tight loop."""
    server = replay("search_acme.json")
    run(make_config(server))
    pauses = [seconds for kind, seconds in waits if kind == "rate_limit"]
    assert len(pauses) == len(server.requests_to(SEARCH_PATH)) - 1
    assert all(0 < s <= 10 for s in pauses)


def test_posts_are_normalised_from_what_the_search_returned(replay: Any) -> None:
    server = replay("search_acme.json")
    mentions, _ = run(make_config(server))
    by_name = {d["name"]: d for d in recorded("search_acme.json")}
    for mention in mentions:
        data = by_name[mention.native_id]
        removed = data["removed_by_category"] is not None
        assert mention.title == data["title"]
        assert mention.text == ("" if removed else data["selftext"])
        assert mention.url == "https://www.reddit.com" + data["permalink"]
        assert mention.author == (None if data["author"] == "[deleted]" else data["author"])
        assert mention.published_at == datetime.fromtimestamp(data["created_utc"], UTC)
        assert mention.score == data["score"] and mention.comments == data["num_comments"]
        assert mention.extra["subreddit"] == data["subreddit"]
        assert mention.extra["nsfw"] is data["over_18"]
        assert mention.extra["domain"] == data["domain"]
        assert mention.extra["deleted"] is (data["removed_by_category"] == "deleted")
        assert mention.extra["removed"] is (data["removed_by_category"] == "moderator")
        assert mention.extra.get("link_url") == (None if data["is_self"] else data["url"])
    assert {m.extra["removed"] for m in mentions} == {True, False}
    assert any(m.extra.get("link_url") for m in mentions)
    assert any(m.extra["nsfw"] for m in mentions)


def test_comment_threads_of_found_posts(replay: Any) -> None:
    server = replay("search_globex.json", "threads_globex.json")
    config = make_config(
        server, brands=(GLOBEX,), comments=True, comment_depth=10, replace_more_limit=5
    )
    mentions, report = run(config)
    assert report.errors == []
    comments = {d["name"]: d for d in recorded("threads_globex.json") if d["name"][:3] == "t1_"}
    posts = {d["name"]: d for d in recorded("search_globex.json")}
    got = {m.native_id: m for m in mentions}
    assert set(got) == set(comments) | set(posts)
    for name, data in comments.items():
        mention = got[name]
        post = posts[data["link_id"]]
        assert mention.extra["parent_title"] == post["title"]
        assert mention.extra["nsfw"] is post["over_18"]
        assert mention.extra["submission_id"] == data["link_id"]
        assert mention.url == "https://www.reddit.com" + data["permalink"]
        gone = data["body"] in ("[removed]", "[deleted]")
        assert mention.text == ("" if gone else data["body"])
        assert mention.extra["removed"] is (data["body"] == "[removed]")
        assert mention.extra["deleted"] is (data["body"] == "[deleted]")
        assert mention.author == (None if data["author"] == "[deleted]" else data["author"])
    # One "more comments" call and one "continue this thread" page, as recorded.
    assert len(server.requests_to("/api/morechildren/")) == 1
    assert len(server.requests_to("/comments/gx001/_/")) == 1


def test_replace_more_limit_zero_makes_no_extra_requests(replay: Any) -> None:
    server = replay("search_globex.json", "threads_globex.json", allow_unmatched=False)
    config = make_config(
        server, brands=(GLOBEX,), comments=True, comment_depth=10, replace_more_limit=0
    )
    mentions, _ = run(config)
    assert server.requests_to("/api/morechildren/") == []
    assert server.requests_to("/comments/gx001/_/") == []
    first_page = recorded("threads_globex.json", "/comments/gx001/?")
    assert {m.native_id for m in mentions if m.extra["kind"] == "comment"} == {
        d["name"] for d in first_page if d["name"].startswith("t1_")
    }


def test_comment_depth_keeps_the_top_levels_only(replay: Any) -> None:
    server = replay("search_globex.json", "threads_globex.json")
    config = make_config(
        server, brands=(GLOBEX,), comments=True, comment_depth=2, replace_more_limit=5
    )
    mentions, _ = run(config)
    comments = {d["name"]: d for d in recorded("threads_globex.json") if d["name"][:3] == "t1_"}
    shallow = {name for name, d in comments.items() if d["depth"] < 2}
    assert {m.native_id for m in mentions if m.extra["kind"] == "comment"} == shallow


def test_max_comment_threads_leaves_the_rest_for_later(replay: Any) -> None:
    server = replay("search_globex.json", "threads_globex.json", allow_unmatched=False)
    config = make_config(server, brands=(GLOBEX,), comments=True, max_comment_threads=1)
    _, report = run(config)
    newest = max(recorded("search_globex.json"), key=lambda d: d["created_utc"])
    threads = [s.path for s in server.seen if s.path.startswith("/comments/")]
    assert threads == [f"/comments/{newest['id']}/"]
    assert any("max_comment_threads" in w for w in report.warnings)
    # Every post found is remembered, so later runs revisit the threads left out.
    assert set(report.state["threads"]) == {d["name"] for d in recorded("search_globex.json")}


def test_recent_threads_are_revisited_and_old_ones_forgotten(replay: Any) -> None:
    server = replay("threads_globex.json", allow_unmatched=False)
    config = make_config(server, brands=(), comments=True, comment_revisit_hours=3)
    posts = recorded("search_globex.json")
    state = {"threads": {d["name"]: d["created_utc"] for d in posts}}
    cutoff = (LATER - timedelta(hours=3)).timestamp()
    recent = {d["name"] for d in posts if d["created_utc"] >= cutoff}
    assert recent and len(recent) < len(posts)
    mentions, report = run(config, state)
    assert {
        s.path for s in server.seen if s.path.startswith("/comments/") and "/_/" not in s.path
    } == {f"/comments/{name[3:]}/" for name in recent}
    assert set(report.state["threads"]) == recent
    assert recent <= {m.native_id for m in mentions}


def test_owned_subreddit_posts_and_community_comments(replay: Any) -> None:
    server = replay("owned.json", "community.json")
    config = make_config(
        server,
        subreddits=(),
        owned_subreddits=("r/AcmeOfficial",),
        comment_subreddits=("acmeusers",),
        comments=True,
    )
    mentions, report = run(config)
    assert report.errors == []
    expected = recorded("owned.json", "/new") + recorded("community.json")
    assert sorted(m.native_id for m in mentions) == sorted(d["name"] for d in expected)
    for mention in mentions:
        if mention.extra["kind"] == "comment":
            data = next(d for d in expected if d["name"] == mention.native_id)
            assert mention.extra["parent_title"] == data["link_title"]
            assert mention.extra["nsfw"] is data["over_18"]
    keys = set(report.state) - {"threads"}
    assert keys == {"new:r/acmeofficial", "comments:r/acmeusers"}


def test_brands_sharing_a_query_share_one_search(replay: Any) -> None:
    server = replay("search_globex.json")
    twin = GLOBEX.__class__(name="Globex Corp", keywords=GLOBEX.keywords)
    mentions, report = run(make_config(server, brands=(GLOBEX, twin)))
    assert len(server.requests_to(SEARCH_PATH)) == 1
    assert len(mentions) == len(recorded("search_globex.json"))


def test_search_queries_sent_to_reddit() -> None:
    acme, globex = Config(brands=(ACME, GLOBEX)).terms
    assert search_query(acme) == ACME_QUERY
    assert search_query(globex) == GLOBEX_QUERY
    assert reddit_query("(#acme OR @acmehq) AND NOT #looneytunes") == (
        "(acme OR acmehq) AND NOT looneytunes"
    )
    assert reddit_query('"#acme spring" OR a#b') == '"#acme spring" OR a#b'
    assert reddit_query("acme (r/acme OR -r/looneytunes) site:acme.com") == (
        "acme (subreddit:acme OR -subreddit:looneytunes) site:acme.com"
    )
    # Reddit has no `source:`; the brand's terms find the candidates instead.
    sourced = BrandTerms(name="Acme", words=("Acme Co",), query="acme AND source:reddit")
    assert search_query(sourced) == '"Acme Co"'


def test_a_bad_subreddit_name_is_an_error_without_a_request(replay: Any) -> None:
    server = replay("search_acme.json")
    mentions, report = run(make_config(server, subreddits=("not a name!", "all")))
    assert len(report.errors) == 1 and "'not a name!' is not a subreddit name" in report.errors[0]
    assert {s.path for s in server.seen} == {SEARCH_PATH}
    assert len(mentions) == len(recorded("search_acme.json"))


def test_progress_is_reported_once_per_target(replay: Any) -> None:
    server = replay("search_acme.json")
    config = make_config(server, backfill_limit=12)
    seen: list[tuple[int, int | None]] = []
    client = reddit.open_client(config.sections["reddit"], CREDENTIALS)
    report = RunReport(source="reddit", started_at=LATER, progress=lambda d, t: seen.append((d, t)))
    list(reddit.collect(config.sections["reddit"], config.terms, {}, client, report))
    targets = [d for d in report.items if d.kind == reddit.item_noun]
    assert seen and seen[-1] == (len(seen), len(seen))
    assert len(seen) <= len(targets)
