"""Fixtures for the Reddit collector: the replay server with its guard, PRAW's waits
recorded instead of slept, and configs pointing PRAW at the server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import prawcore
import pytest
from brandpulse.collectors.reddit_settings import Reddit

from brandpulse.config import Brand, Config, Secrets
from tests.collectors.reddit.replay import ReplayServer, load
from tests.conftest import corpora_root

HERE = Path(__file__).resolve().parent
CASSETTES = HERE / "cassettes"
CREDENTIALS = {"REDDIT_CLIENT_ID": "test-client-id", "REDDIT_CLIENT_SECRET": "test-client-secret"}
SECRETS = Secrets(credentials=CREDENTIALS)
ACME = Brand(name="Acme", query='acme OR "acme corp" OR #acmespring')
GLOBEX = Brand(name="Globex", keywords=("Globex", "Globex Corporation"), competitor=True)


@pytest.fixture
def corpus_reddit(corpora: Path) -> Path:
    """The corpus of recorded Reddit traffic; the test is skipped when it is absent."""
    folder = corpora / "reddit"
    if not any(folder.glob("*.json")):
        pytest.skip(f"no Reddit cassettes in {folder}")
    return folder


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
    """Record the waits PRAW asks for (rate limit, retry back-off) instead of sleeping.

    Nothing else is patched: every other line of PRAW, prawcore and requests runs.
    """
    recorded: list[tuple[str, float]] = []

    def delay(self: prawcore.rate_limit.RateLimiter) -> None:
        if self.next_request_timestamp_ns is not None:
            seconds = (self.next_request_timestamp_ns - time.monotonic_ns()) / 1e9
            if seconds > 0:
                recorded.append(("rate_limit", seconds))

    def back_off(self: prawcore.sessions.FiniteRetryStrategy) -> None:
        seconds = self._sleep_seconds()
        if seconds is not None:
            recorded.append(("retry", seconds))

    monkeypatch.setattr(prawcore.rate_limit.RateLimiter, "delay", delay)
    monkeypatch.setattr(prawcore.sessions.FiniteRetryStrategy, "sleep", back_off)
    return recorded


@pytest.fixture
def replay(waits: list[tuple[str, float]]) -> Iterator[Callable[..., ReplayServer]]:
    """Start a replay server over cassettes (our names, or paths into the corpus).

    The guard: after the test, every cassette must have replayed at least one answer, and
    no request may have gone unanswered, unless the test passed `allow_unmatched=True`.
    """
    servers: list[tuple[ReplayServer, dict[str, int], bool]] = []

    def start(
        *names: str | Path,
        placeholders: dict[str, str] | None = None,
        allow_unmatched: bool = False,
    ) -> ReplayServer:
        interactions = []
        for name in names:
            path = Path(name) if Path(name).is_absolute() else CASSETTES / name
            interactions += load(path, corpora_root(), placeholders)
        server = ReplayServer(interactions).start()
        expected = {Path(n).name: 0 for n in names}
        servers.append((server, expected, allow_unmatched))
        return server

    yield start
    problems = []
    for server, expected, allow_unmatched in servers:
        server.stop()
        for interaction in server.interactions:
            cassette = interaction.origin.split("#", 1)[0]
            expected[cassette] += interaction.played
        problems += [f"cassette {name} replayed nothing" for name, n in expected.items() if not n]
        if not allow_unmatched:
            problems += [
                f"unrecorded request {s.method} {s.path} {dict(s.query)}" for s in server.unmatched
            ]
    if problems:
        pytest.fail("replay guard: " + "; ".join(problems), pytrace=False)


def reddit_settings(server: ReplayServer, **overrides: Any) -> Reddit:
    """Return [reddit] settings pointing PRAW at the replay server, small pages."""
    values: dict[str, Any] = {
        "subreddits": ("all",),
        "oauth_url": server.url,
        "reddit_url": server.url,
        "page_size": 10,
        "timeout": 5.0,
        "comments": False,
    }
    values.update(overrides)
    return Reddit(**values)


def make_config(
    server: ReplayServer, brands: tuple[Brand, ...] = (ACME,), **overrides: Any
) -> Config:
    """Return a config with `brands` whose Reddit section points at the replay server."""
    return Config(brands=brands, sections={"reddit": reddit_settings(server, **overrides)})
