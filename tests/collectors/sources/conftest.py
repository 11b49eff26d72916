"""Fixtures for the JSON sources: the replay server, the corpus folder, a client whose
waits are recorded instead of slept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from brandpulse.collectors.api_client import ApiClient
from brandpulse.collectors.fetch_settings import Fetch
from brandpulse.collectors.http_fetch import HttpFetcher
from brandpulse.store.records import RunReport

from tests.collectors.sources.replay import ReplayServer


@pytest.fixture
def sources(corpora: Path) -> Path:
    """The recorded API answers in the shared corpus (`sources/`)."""
    folder = corpora / "sources"
    if not folder.is_dir():
        pytest.skip(f"no recorded source answers in {folder}")
    return folder


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    """A replay server on 127.0.0.1, stopped after the test."""
    replay = ReplayServer().start()
    yield replay
    replay.stop()


@pytest.fixture
def waits() -> list[float]:
    """The seconds the client was asked to sleep (rate limits, retries), in order."""
    return []


@pytest.fixture
def client(waits: list[float]) -> Iterator[ApiClient]:
    """A paced client over a real fetcher: one retry, no back-off, waits recorded."""
    fetch = Fetch(
        allow_hosts=("127.0.0.1",),
        retries=1,
        backoff=0.0,
        max_retry_wait=60.0,
        connect_timeout=2,
        read_timeout=5,
    )
    api = ApiClient(HttpFetcher(fetch, sleep=waits.append))
    yield api
    api.close()


def details(report: RunReport) -> list[dict[str, Any]]:
    """Return the run's per-item results as flat rows (name, kind, status, counts, facts)."""
    return [item.record() for item in report.items]
