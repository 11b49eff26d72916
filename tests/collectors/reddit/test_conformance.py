"""Every recording in the corpus, replayed to the real PRAW over HTTP, yields exactly the
mentions its JSON holds; its error answers end as clean, recorded errors.

Expected ids and counts are computed here from each recorded body, never written down.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from brandpulse.collectors import reddit
from brandpulse.collectors.reddit_errors import explain
from brandpulse.collectors.reddit_normalise import mentions_from_things
from brandpulse.store.records import RunReport, mention_id

from tests.collectors.reddit.conftest import CREDENTIALS, make_config
from tests.collectors.reddit.replay import TOKEN_PATH, Interaction, load
from tests.conftest import corpora_root

PLACEHOLDERS = {"<TEST_SUBREDDIT>": "brandpulse_test"}
COLLECTED = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def held_things(body: Any) -> list[dict[str, Any]]:
    """Return the data of every t3 (post) and t1 (comment) in a recorded body, nested
    replies and "more children" answers included."""
    found = []
    stack = [body]
    while stack:  # depth first, in the order the body lists them
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("kind") in ("t1", "t3") and isinstance(item.get("data"), dict):
                found.append(item["data"])
            stack.extend(reversed(item.values()))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


def corpus_cassettes() -> list[Path]:
    return sorted((corpora_root() / "reddit").glob("*.json"))


def api_interactions(path: Path) -> list[Interaction]:
    return [i for i in load(path, None, PLACEHOLDERS) if i.path != TOKEN_PATH]


def send(client: Any, interaction: Interaction) -> Any:
    """Send a recorded request through PRAW exactly as recorded; return PRAW's objects."""
    params = {k: v for k, v in interaction.params.items() if k != "raw_json"}
    form = {k: v for k, v in dict(interaction.form or ()).items() if k != "api_type"}
    if interaction.method == "GET":
        return client.get(interaction.path, params=params)
    return client.post(interaction.path, data=form, params=params)


def test_the_corpus_is_there(corpus_reddit: Path) -> None:
    assert len(corpus_cassettes()) >= 40


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_cassettes(), ids=lambda p: p.stem)
def test_recording_yields_exactly_the_mentions_its_json_holds(
    path: Path, corpus_reddit: Path, replay: Any
) -> None:
    server = replay(path, placeholders=PLACEHOLDERS)
    client = reddit.open_client(make_config(server).sections["reddit"], CREDENTIALS)
    report = RunReport(source="reddit")
    total_expected = total_got = 0
    for interaction in api_interactions(path):
        if interaction.status >= 400:
            with pytest.raises(Exception) as caught:
                send(client, interaction)
            failure = explain(caught.value, f"{interaction.method} {interaction.path}")
            report.error(failure.message)
            continue
        payload = send(client, interaction)
        expected = held_things(interaction.json())
        mentions, _skipped = mentions_from_things(payload, COLLECTED)
        got = [m.native_id for m in mentions]
        assert sorted(got) == sorted(d["name"] for d in expected), interaction.origin
        by_name = {d["name"]: d for d in expected}
        for mention in mentions:
            data = by_name[mention.native_id]
            assert mention.id == mention_id("reddit", data["name"])
            assert mention.url is not None and mention.url.startswith("https://www.reddit.com/")
            assert data["id"] in mention.url
            assert mention.published_at == datetime.fromtimestamp(data["created_utc"], UTC)
            assert mention.published_at.utcoffset().total_seconds() == 0
            kind = "submission" if data["name"].startswith("t3_") else "comment"
            assert mention.extra["kind"] == kind
        total_expected += len(expected)
        total_got += len(got)
    assert total_got == total_expected
    errors = [i for i in api_interactions(path) if i.status >= 400]
    assert len(report.errors) == len(errors)
    for message, interaction in zip(report.errors, errors, strict=True):
        assert "\n" not in message and "Traceback" not in message
        assert str(interaction.status) in message or "Bad Request" in message


def test_corpus_totals_match_the_recordings(corpus_reddit: Path) -> None:
    """Count what the corpus holds, from the JSON, so the per-file test covers real volume."""
    names: set[str] = set()
    for path in corpus_cassettes():
        for interaction in api_interactions(path):
            if interaction.status < 400:
                names |= {d["name"] for d in held_things(interaction.json())}
    posts = {n for n in names if n.startswith("t3_")}
    assert len(posts) > 1000 and len(names - posts) > 1000


# -- the collector's own paths over recordings whose requests match them -------------------


def _corpus_state_thread(path: Path) -> tuple[str, float]:
    first = api_interactions(path)[0]
    post = held_things(first.json()[0])[0]
    return post["name"], post["created_utc"]


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("cassette", "settings"),
    [
        ("TestSubredditListings.test_new.json", {"owned_subreddits": ("askreddit",)}),
        ("TestSubredditListings.test_comments.json", {"comment_subreddits": ("askreddit",)}),
        ("TestSubredditStreams.test_submissions.json", {"owned_subreddits": ("all",)}),
        (
            "TestSubredditStreams.test_comments__with_pause.json",
            {"comment_subreddits": ("kakapo",)},
        ),
        (
            "TestSubredditStreams.test_comments__with_continue_after_id.json",
            {"comment_subreddits": ("brandpulse_test",)},
        ),
    ],
)
def test_collector_reads_recorded_listings(
    cassette: str, settings: dict[str, Any], corpus_reddit: Path, replay: Any
) -> None:
    path = corpus_reddit / cassette
    server = replay(path, placeholders=PLACEHOLDERS, allow_unmatched=False)
    config = make_config(
        server, brands=(), subreddits=(), page_size=100, backfill_limit=100, **settings
    )
    client = reddit.open_client(config.sections["reddit"], CREDENTIALS)
    report = RunReport(source="reddit", started_at=COLLECTED)
    mentions = list(reddit.collect(config.sections["reddit"], config.terms, {}, client, report))
    # The collector asks for the first page only (100 items), as recorded first.
    first = api_interactions(path)[0]
    expected = [d["name"] for d in held_things(first.json())]
    assert sorted(m.native_id for m in mentions) == sorted(set(expected))
    assert report.errors == []
    (key,) = report.state
    created = {d["name"]: d["created_utc"] for d in held_things(first.json())}
    cursor = report.state[key]
    assert cursor["newest_utc"] == max(created.values()) == created[cursor["newest"]]


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("cassette", "expansions"),
    [
        ("TestCommentForest.test_replace__all.json", None),
        ("TestCommentForest.test_replace__skip_all.json", 0),
        ("TestSubmission.test_comments.json", 0),
    ],
)
def test_collector_reads_recorded_comment_trees(
    cassette: str, expansions: int | None, corpus_reddit: Path, replay: Any
) -> None:
    """A post's thread, its "more comments" expanded as far as recorded, yields every
    comment the recorded answers hold."""
    path = corpus_reddit / cassette
    interactions = api_interactions(path)
    limit = expansions
    if limit is None:  # expand as many times as the recording did
        limit = sum(1 for i in interactions if i.method == "POST" or "/_/" in i.path)
    server = replay(path, placeholders=PLACEHOLDERS)
    fullname, created = _corpus_state_thread(path)
    config = make_config(
        server,
        brands=(),
        subreddits=(),
        comments=True,
        comment_depth=1000,
        replace_more_limit=limit,
    )
    client = reddit.open_client(config.sections["reddit"], CREDENTIALS)
    started = datetime.fromtimestamp(created, UTC)
    report = RunReport(source="reddit", started_at=started)
    state = {"threads": {fullname: created}}
    mentions = list(reddit.collect(config.sections["reddit"], config.terms, state, client, report))
    assert report.errors == []
    replayed = [i for i in server.interactions if i.played]
    expected = {d["name"] for i in replayed for d in held_things(i.json())}
    # "Continue this thread" answers repeat the parent comment; it is still one mention.
    assert sorted(m.native_id for m in mentions) == sorted(expected)
    assert len(replayed) == 1 + limit
    thread_title = held_things(interactions[0].json()[0])[0]["title"]
    comments = [m for m in mentions if m.extra["kind"] == "comment"]
    assert comments and all(m.extra["parent_title"] == thread_title for m in comments)


def test_collector_on_recorded_listing_keeps_comment_depth(
    corpus_reddit: Path, replay: Any
) -> None:
    path = corpus_reddit / "TestCommentForest.test_replace__skip_all.json"
    server = replay(path)
    fullname, created = _corpus_state_thread(path)
    config = make_config(server, brands=(), subreddits=(), comments=True, comment_depth=1)
    client = reddit.open_client(config.sections["reddit"], CREDENTIALS)
    report = RunReport(source="reddit", started_at=datetime.fromtimestamp(created, UTC))
    mentions = list(
        reddit.collect(
            config.sections["reddit"],
            config.terms,
            {"threads": {fullname: created}},
            client,
            report,
        )
    )
    comment_page = api_interactions(path)[0].json()[1]
    top_level = [c["data"]["name"] for c in comment_page["data"]["children"] if c["kind"] == "t1"]
    got = [m.native_id for m in mentions if m.extra["kind"] == "comment"]
    assert sorted(got) == sorted(top_level)
