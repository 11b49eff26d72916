"""Read API rate-limit headers and pace requests so a source never spends its whole quota.

Mastodon sends `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (an ISO
date); Bluesky sends `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (epoch
seconds) and `RateLimit-Policy`. When a host says its quota is spent, the next request to it
waits for the reset if that is within the longest wait allowed ([fetch] max_retry_wait),
and otherwise the rest of that host's work is left for the next run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

# Requests kept in hand: a shared quota (one token, several tools) is never run to zero.
RESERVE = 1


@dataclass(frozen=True)
class RateLimit:
    """One answer's view of the host's quota; any part may be missing."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimit | None:
        """Return the quota the headers state (either naming scheme), or None when absent."""
        lower = {k.lower(): v for k, v in headers.items()}
        for prefix in ("x-ratelimit-", "ratelimit-"):
            remaining = _int(lower.get(prefix + "remaining"))
            if remaining is not None:
                return cls(
                    limit=_int(lower.get(prefix + "limit")),
                    remaining=remaining,
                    reset_at=_moment(lower.get(prefix + "reset")),
                )
        return None

    def wait(self, now: datetime) -> float:
        """Return the seconds to wait before the next request (0 while quota is left)."""
        if self.remaining is None or self.remaining > RESERVE:
            return 0.0
        if self.reset_at is None:
            return 0.0
        return max(0.0, (self.reset_at - now).total_seconds())

    def describe(self) -> str:
        """Return the quota in words for the run report, e.g. `289 of 300 left`."""
        text = f"{self.remaining} of {self.limit} left" if self.limit else f"{self.remaining} left"
        if self.reset_at is not None:
            text += f", resets {self.reset_at.isoformat(timespec='seconds')}"
        return text


class RateLimited(Exception):
    """A host's quota is spent for longer than we may wait; its other work waits a run."""


@dataclass
class Pacer:
    """Remember each host's last stated quota and hold the next request until it allows."""

    max_wait: float
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    limits: dict[str, RateLimit] = field(default_factory=dict)
    waited: float = 0.0
    blocked: dict[str, str] = field(default_factory=dict)  # host -> why its work stopped

    def before(self, url: str) -> None:
        """Wait until `url`'s host allows another request; raise RateLimited if too long."""
        host = host_key(url)
        if host in self.blocked:
            raise RateLimited(self.blocked[host])
        limit = self.limits.get(host)
        if limit is None:
            return
        seconds = limit.wait(self.clock())
        if seconds > self.max_wait:
            why = (
                f"{host} rate limit spent ({limit.describe()}); waiting {seconds:.0f} s is more"
                " than [fetch] max_retry_wait, so the rest waits for the next run"
            )
            self.blocked[host] = why
            raise RateLimited(why)
        if seconds > 0:
            self.sleep(seconds)
            self.waited += seconds
            # The reset has passed: the quota is whole again until the next answer says.
            self.limits.pop(host, None)

    def after(self, url: str, headers: Mapping[str, str]) -> RateLimit | None:
        """Note the quota an answer from `url` states; return it (None when not stated)."""
        limit = RateLimit.from_headers(headers)
        if limit is not None:
            self.limits[host_key(url)] = limit
        return limit

    def block(self, url: str, why: str) -> None:
        """Stop every later request to `url`'s host in this run (after a 429 we gave up on)."""
        self.blocked[host_key(url)] = why


def host_key(url: str) -> str:
    try:
        return (urlsplit(url).netloc or url).lower()
    except ValueError:
        return url


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except ValueError:
        return None


def _moment(value: str | None) -> datetime | None:
    """Parse a reset time: epoch seconds (Bluesky) or an ISO 8601 date (Mastodon)."""
    if not value:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        # Epoch seconds are large; a small number is "seconds from now" (RFC draft form).
        if number > 1e9:
            return datetime.fromtimestamp(number, UTC)
        return datetime.fromtimestamp(time.time() + number, UTC)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
