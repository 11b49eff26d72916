"""Fixtures of the feed tests: a local feed server and a port that never accepts connections."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import pytest

from tests.collectors.feeds.feedserver import FeedServer


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """A fresh local feed server for one test."""
    feed_server = FeedServer()
    yield feed_server
    feed_server.close()


@pytest.fixture
def stalled_port() -> Iterator[int]:
    """A port whose connection backlog is full, so a new connection waits until it times out.

    Linux drops the handshake of a connection beyond a full listen backlog; the client's
    connect then times out, as it would against a host that does not answer.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.05)
    yield port
    for filler in fillers:
        filler.close()
    listener.close()
