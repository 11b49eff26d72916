"""The `[fetch]` section: limits of the HTTP fetcher that every HTTP source shares."""

from __future__ import annotations

import re
from dataclasses import dataclass

from brandpulse.collectors.base import USER_AGENT, InvalidSetting, Section, setting

DAY = 86_400  # seconds: the longest any timeout or wait may be set to
# "host", "host:port", "[v6]:port" or a bare IPv6 address, as allow_hosts takes them.
_HOST_ENTRY = re.compile(
    r"^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)(?::\d{1,5})?$"
)


@dataclass(frozen=True)
class Fetch:
    connect_timeout: float = setting(5.0, doc="seconds", expected="seconds")
    read_timeout: float = setting(20.0, doc="seconds", expected="seconds")
    max_bytes: int = setting(
        10_000_000, doc="a larger response is refused", expected="a whole number of bytes"
    )
    max_redirects: int = setting(
        5, doc="redirects followed before giving up", expected="a whole number"
    )
    retries: int = setting(
        3, doc="on 5xx and 429 (honouring `Retry-After`), with back-off", expected="a whole number"
    )
    backoff: float = setting(
        1.0, doc="seconds before the first retry; doubles each time", expected="seconds"
    )
    max_retry_wait: float = setting(
        60.0, doc="a longer `Retry-After` skips the feed for this run", expected="seconds"
    )
    # Fetching is waiting on the network, so 16 at once (Scrapy's default too); per_host
    # keeps each site from seeing more than 2 of our requests at a time.
    concurrency: int = setting(16, doc="feeds fetched at once", expected="a whole number")
    per_host: int = setting(
        2, doc="at most this many at once from one host", expected="a whole number"
    )
    user_agent: str = setting(
        USER_AGENT, doc="sent with every request", shown="brandpulse/0.1 (...)"
    )
    total_timeout: float = setting(
        60.0,
        doc="seconds one response may take in all (redirects and body included), however"
        " slowly the server sends it",
        expected="seconds",
    )
    allow_hosts: tuple[str, ...] = setting(
        (),
        doc='internal hosts that may be fetched, as `"host"` or `"host:port"` (see'
        " [Security model](#security-model))",
        expected='a list of host names like "feeds.intra" or "10.0.0.5:8080"',
        shown="[]",
    )
    max_entries_per_feed: int = setting(
        5000,
        doc="entries kept from one feed per run, newest first; a warning is recorded when a"
        " feed is cut",
        expected="a whole number of entries",
    )

    def __post_init__(self) -> None:
        # Upper bounds too: a timeout of 1e300 s overflows the socket layer on every feed.
        for key, low, high in (
            ("connect_timeout", 0, DAY),
            ("read_timeout", 0, DAY),
            ("total_timeout", 0, DAY),
            ("backoff", None, DAY),
            ("max_retry_wait", None, DAY),
            ("max_bytes", 0, 10**12),
            ("concurrency", 0, 1000),
            ("per_host", 0, 1000),
            ("max_redirects", None, 100),
            ("retries", None, 100),
            ("max_entries_per_feed", 0, 10**7),
        ):
            value = getattr(self, key)
            above = "above 0" if low == 0 else "of 0 or more"
            if not (value > 0 if low == 0 else value >= 0) or value > high:
                raise InvalidSetting(key, f"a number {above} and at most {high:,}", value)
        for entry in self.allow_hosts:
            if not _HOST_ENTRY.match(entry):
                raise InvalidSetting(
                    "allow_hosts", 'host names like "feeds.intra" or "10.0.0.5:8080"', entry
                )


FETCH = Section("fetch", Fetch, doc="limits of every HTTP request the web sources make")
