"""Build the `praw.Reddit` client: app-only and read-only, with endpoints and timeout from
the config, or an offline one that turns saved listings into objects without a network."""

from __future__ import annotations

import configparser
import time
from collections.abc import Mapping
from typing import Any

import praw
import prawcore
from brandpulse.collectors.reddit_errors import RateLimitWait
from brandpulse.collectors.reddit_settings import Reddit
from brandpulse.store.errors import SourceError
from praw.exceptions import MissingRequiredAttributeException
from prawcore.rate_limit import RateLimiter

ID_ENV = "REDDIT_CLIENT_ID"
SECRET_ENV = "REDDIT_CLIENT_SECRET"
CREDENTIALS_FIX = (
    f"export {ID_ENV} and {SECRET_ENV} from a Reddit app of type 'script' or 'web'"
    " (https://www.reddit.com/prefs/apps), or put client_id and client_secret in a praw.ini"
    " [DEFAULT] section"
)
OFFLINE_URL = "http://offline.invalid"


class TimeoutRequestor(prawcore.Requestor):
    """prawcore's requestor with the configured timeout on every request.

    PRAW never passes its own `timeout` setting down, so prawcore's session sends its
    16-second default with each API call and the requestor's own timeout would only apply
    to the token request.
    """

    def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        return super().request(*args, timeout=self.timeout, **kwargs)


class CappedRateLimiter(RateLimiter):
    """prawcore's rate limiter that refuses to wait longer than `longest` seconds.

    With Reddit's budget spent (`x-ratelimit-remaining: 0`) prawcore sleeps until the window
    resets, up to 600 s between two requests; a cron run must not hang that long. Past the
    cap it raises RateLimitWait instead of sleeping, and the collector leaves the rest of
    the run to the next one.
    """

    def __init__(self, *, window_size: int, longest: float) -> None:
        super().__init__(window_size=window_size)
        self.longest = longest

    def delay(self) -> None:
        if self.next_request_timestamp_ns is not None:
            wait = (self.next_request_timestamp_ns - time.monotonic_ns()) / 1e9
            if wait > self.longest:
                raise RateLimitWait(wait, self.longest)
        super().delay()


class OfflineRequestor(prawcore.Requestor):
    """A requestor that refuses to send anything: a listing's lazy object asking for more
    data is a bug in the caller, not a reason to reach the network."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        raise SourceError(
            "the offline Reddit client was asked to make a network request",
            "normalise from the data the listing holds; only live collection may fetch",
        )


def open_client(settings: Reddit, credentials: Mapping[str, str]) -> praw.Reddit:
    """Build a read-only, app-only client: credentials from REDDIT_CLIENT_ID and
    REDDIT_CLIENT_SECRET, else from PRAW's praw.ini; never sends a request by itself."""
    client_id = credentials.get(ID_ENV) or None
    client_secret = credentials.get(SECRET_ENV) or None
    kwargs: dict[str, Any] = {
        "user_agent": settings.user_agent,
        "oauth_url": settings.oauth_url.rstrip("/"),
        "reddit_url": settings.reddit_url.rstrip("/"),
        "check_for_updates": False,
        "requestor_class": TimeoutRequestor,
        "requestor_kwargs": {"timeout": settings.timeout},
    }
    if client_id:
        # Without a secret PRAW uses the installed-app grant, which reads just as well.
        kwargs.update(client_id=client_id, client_secret=client_secret)
    elif client_secret:
        raise SourceError(f"{SECRET_ENV} is set but {ID_ENV} is not", f"export {ID_ENV} as well")
    try:
        reddit = praw.Reddit(**kwargs)
    except MissingRequiredAttributeException:
        raise SourceError(
            f"Reddit credentials are not set: neither {ID_ENV} and {SECRET_ENV} nor a praw.ini"
            " with client_id and client_secret were found",
            CREDENTIALS_FIX,
        ) from None
    except configparser.Error as exc:
        raise SourceError(f"PRAW could not read its praw.ini: {exc}", CREDENTIALS_FIX) from None
    # A praw.ini with a username and password would otherwise log in as that user.
    reddit.read_only = True
    # PRAW builds its prawcore session itself and offers no way to pass a rate limiter in;
    # the session keeps it in `_rate_limiter` (prawcore 2.x to 4.x).
    session = reddit._core
    session._rate_limiter = CappedRateLimiter(
        window_size=session.rate_limiter.window_size, longest=settings.max_rate_limit_wait
    )
    return reddit


def offline_client() -> praw.Reddit:
    """Build a client that only objectifies saved API answers: dummy credentials and a
    requestor that refuses every request."""
    return praw.Reddit(
        client_id="offline",
        client_secret="offline",
        user_agent="brandpulse offline listing reader",
        oauth_url=OFFLINE_URL,
        reddit_url=OFFLINE_URL,
        check_for_updates=False,
        requestor_class=OfflineRequestor,
    )
