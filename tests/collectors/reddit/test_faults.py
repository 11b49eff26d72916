"""Faults: each failing subreddit is one clear error and the others still run; failures
that would repeat stop the run; nothing retries in a tight loop; credentials never leak."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import praw
import pytest
from brandpulse.collectors import reddit
from brandpulse.store.errors import SourceError
from brandpulse.store.records import RunReport

from tests.collectors.reddit.conftest import CREDENTIALS, make_config
from tests.collectors.reddit.test_collect import SEARCH_PATH, recorded, run

FAILING = {
    "secretclub": "is private",
    "edgy": "is quarantined",
    "gone": "is banned",
    "missing": "does not exist (HTTP 404",
    "nosuchplace": "does not exist (Reddit redirected",
    "blocked": "whoa there, pardner!",
    "garbled": "was not JSON (HTTP 200, text/html: upstream timed out",
    "plaintext": "Bad Request (HTTP 400, text/plain)",
    "badrequest": "(HTTP 400, application/json: Bad Request)",
}


def test_each_failing_subreddit_is_one_error_and_the_rest_still_run(
    corpus_reddit: Path, replay: Any
) -> None:
    server = replay("errors.json", "search_acme.json")
    config = make_config(server, subreddits=(*FAILING, "all"))
    mentions, report = run(config)
    assert len(mentions) == len(recorded("search_acme.json"))
    assert len(report.errors) == len(FAILING)
    for (sub, words), message in zip(FAILING.items(), report.errors, strict=True):
        assert f"in r/{sub}:" in message and words in message, message
        assert "\n" not in message and "<" not in message.split(":", 1)[1]
    statuses = {d.name.rsplit("/", 1)[1]: d.status for d in report.items}
    assert statuses == {**dict.fromkeys(FAILING, "error"), "all": "ok"}
    assert report.status == "partial"
    # Only the target that worked moves a cursor.
    assert [key.split(":")[1] for key in report.state] == ["r/all"]
    # One request per failing subreddit: none of these answers is retried.
    assert all(len(server.requests_to(f"/r/{sub}/")) == 1 for sub in FAILING)


def test_server_errors_back_off_then_stop_the_run(replay: Any, waits: list) -> None:
    server = replay("flaky.json")
    config = make_config(server, subreddits=("flaky1", "flaky2", "flaky3", "flaky4"))
    mentions, report = run(config)
    assert mentions == []
    assert len(report.errors) == 3
    assert all("server error after retrying with back-off (HTTP 503" in e for e in report.errors)
    # prawcore tries 3 times with a back-off before the 2nd and 3rd try.
    for sub in ("flaky1", "flaky2", "flaky3"):
        assert len(server.requests_to(f"/r/{sub}/")) == 3
    assert [kind for kind, _ in waits].count("retry") == 6
    assert all(0 <= s <= 4 for kind, s in waits if kind == "retry")
    # After three failures in a row Reddit is taken to be down: the rest waits for next run.
    assert server.requests_to("/r/flaky4/") == []
    assert report.items[-1].status == "skipped"
    assert any("1 Reddit targets skipped" in w for w in report.warnings)


def test_rate_limit_answer_stops_the_run(replay: Any) -> None:
    server = replay("rate_limited.json")
    config = make_config(server, subreddits=("busy", "all"))
    mentions, report = run(config)
    assert mentions == []
    (message,) = report.errors
    assert "HTTP 429" in message and "61 s" in message and "saved cursors" in message
    assert len(server.requests_to("/r/busy/")) == 1
    assert server.requests_to(SEARCH_PATH) == []
    assert report.items[-1].status == "skipped"


def test_rejected_access_token_stops_the_run(corpus_reddit: Path, replay: Any) -> None:
    server = replay("invalid_token.json")
    config = make_config(server, subreddits=("all", "other"))
    mentions, report = run(config)
    assert mentions == []
    (message,) = report.errors
    assert "rejected the app's access token" in message and "HTTP 401" in message
    assert "REDDIT_CLIENT_ID" in message
    # prawcore renews the token before each of its retries, then gives up; the second
    # subreddit is skipped.
    assert len(server.requests_to(SEARCH_PATH)) == len(server.token_requests) == 3
    assert server.requests_to("/r/other/") == []


def test_refused_credentials_name_the_variables_and_never_the_secret(replay: Any) -> None:
    server = replay()
    server.token_status = 401
    config = make_config(server, subreddits=("all", "other"))
    mentions, report = run(config)
    assert mentions == [] and server.seen == []
    (message,) = report.errors
    assert "REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET" in message and "praw.ini" in message
    assert CREDENTIALS["REDDIT_CLIENT_SECRET"] not in message
    assert CREDENTIALS["REDDIT_CLIENT_SECRET"] not in repr(report)
    assert len(server.token_requests) == 1


def test_missing_credentials_name_both_variables_and_praw_ini(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_praw_ini(tmp_path, monkeypatch)
    from brandpulse.collectors.reddit_settings import Reddit

    with pytest.raises(SourceError) as caught:
        reddit.open_client(Reddit(), {})
    text = str(caught.value)
    assert "REDDIT_CLIENT_ID" in text and "REDDIT_CLIENT_SECRET" in text and "praw.ini" in text


def test_a_secret_without_an_id_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_praw_ini(tmp_path, monkeypatch)
    from brandpulse.collectors.reddit_settings import Reddit

    with pytest.raises(SourceError, match="REDDIT_CLIENT_SECRET is set but REDDIT_CLIENT_ID"):
        reddit.open_client(Reddit(), {"REDDIT_CLIENT_SECRET": "s3cret"})


def _no_praw_ini(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide every praw.ini PRAW would read besides its own defaults (PRAW reads them once
    per process, so its cache is cleared too)."""
    monkeypatch.setattr(praw.config.Config, "CONFIG", None)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "xdg"))
    for key in ("praw_client_id", "praw_client_secret", "praw_site"):
        monkeypatch.delenv(key, raising=False)


def test_praw_ini_credentials_are_used_when_the_variables_are_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replay: Any
) -> None:
    _no_praw_ini(tmp_path, monkeypatch)
    (tmp_path / "praw.ini").write_text(
        "[DEFAULT]\nclient_id=ini-id\nclient_secret=ini-secret\nusername=someone\n"
        "password=not-used\n",
        encoding="utf-8",
    )
    server = replay("search_acme.json")
    config = make_config(server)
    client = reddit.open_client(config.sections["reddit"], {})
    assert client.read_only
    report = RunReport(source="reddit")
    mentions = list(reddit.collect(config.sections["reddit"], config.terms, {}, client, report))
    assert len(mentions) == len(recorded("search_acme.json"))
    basic = base64.b64encode(b"ini-id:ini-secret").decode()
    assert {t.authorization for t in server.token_requests} == {f"Basic {basic}"}
    # The ini's username and password are ignored: app-only, read-only access.
    assert {t.form["grant_type"] for t in server.token_requests} == {"client_credentials"}


def test_requests_carry_app_credentials_user_agent_and_bearer_token(replay: Any) -> None:
    server = replay("search_acme.json")
    config = make_config(server, user_agent="acme-listener/2.0 (by /u/acme_marketing)")
    run(config)
    basic = base64.b64encode(b"test-client-id:test-client-secret").decode()
    assert [t.authorization for t in server.token_requests] == [f"Basic {basic}"]
    assert all(s.authorization == "bearer <ACCESS_TOKEN>" for s in server.seen)
    assert all(
        s.user_agent.startswith("acme-listener/2.0 (by /u/acme_marketing)")
        for s in server.seen + server.token_requests
    )


def test_the_configured_timeout_applies_to_api_requests(replay: Any, waits: list) -> None:
    """The stalled answer comes after 4 s: with a 0.5 s timeout every attempt gives up
    (prawcore's own 16 s default would have waited for it)."""
    server = replay("stall.json", "search_acme.json")
    config = make_config(server, subreddits=("slow", "all"), timeout=0.5)
    mentions, report = run(config)
    (message,) = report.errors
    assert "r/slow" in message and "could not reach Reddit after retrying" in message
    assert "Timeout" in message
    assert len(server.requests_to("/r/slow/")) == 3
    # A timeout is transient: one alone does not stop the run.
    assert len(mentions) == len(recorded("search_acme.json"))


def test_missing_credentials_leave_the_other_sources_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpora: Path
) -> None:
    from brandpulse.collectors.feeds import Feed
    from brandpulse.collectors.reddit_settings import Reddit

    from brandpulse import pipeline
    from brandpulse.config import Brand, Config, Secrets

    _no_praw_ini(tmp_path, monkeypatch)
    feed = sorted((corpora / "feeds" / "wellformed" / "rss").glob("item_*.xml"))[0]
    config = Config(
        brands=(Brand(name="Acme"),),
        sections={
            "reddit": Reddit(oauth_url="http://127.0.0.1:9", reddit_url="http://127.0.0.1:9"),
            "feeds": (Feed(url=str(feed)),),
        },
    )
    reports = pipeline.collect(tmp_path / "db.duckdb", config, Secrets(), ["reddit", "feeds"])
    by_source = {r.source: r for r in reports}
    (message,) = by_source["reddit"].errors
    assert "REDDIT_CLIENT_ID" in message and "REDDIT_CLIENT_SECRET" in message
    assert "praw.ini" in message
    # The feed was still read (whether its entries name Acme is beside the point).
    feeds = by_source["feeds"]
    assert feeds.status == "ok" and len(feeds.items) == 1
