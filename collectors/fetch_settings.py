"""The `[fetch]` section: limits of the HTTP fetcher that every HTTP source shares."""

from __future__ import annotations

from dataclasses import dataclass

from brandpulse.collectors.base import USER_AGENT, InvalidSetting, Section, setting


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

    def __post_init__(self) -> None:
        for key in ("connect_timeout", "read_timeout", "max_bytes", "concurrency", "per_host"):
            if getattr(self, key) <= 0:
                raise InvalidSetting(key, "a number above 0", getattr(self, key))
        for key in ("max_redirects", "retries", "backoff", "max_retry_wait"):
            if getattr(self, key) < 0:
                raise InvalidSetting(key, "a number of 0 or more", getattr(self, key))


FETCH = Section("fetch", Fetch, doc="limits of every HTTP request the web sources make")
