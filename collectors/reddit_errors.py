"""Turn what PRAW and prawcore raise into one clear line per failed target, and say whether
the rest of the run can still go ahead.

Some failures belong to one subreddit (private, banned, missing); others would hit every
later request the same way (rejected credentials, Reddit's rate limit), so the run stops
instead of repeating them; server and network trouble stops it after a few in a row.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import prawcore
from praw.exceptions import PRAWException, RedditAPIException

CREDENTIALS = (
    "REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET (or client_id and client_secret in praw.ini)"
)
TOKEN_PATH = "/api/v1/access_token"
EXCERPT = 160

# Reddit's `reason` in a 403 or 404 body, in words a marketing analyst can act on.
REASONS = {
    "private": "is private; an app without a moderator's invitation cannot read it",
    "quarantined": (
        "is quarantined; Reddit only shows it to logged-in accounts that opted in,"
        " which app-only access cannot do"
    ),
    "banned": "is banned by Reddit",
    "gold_only": "is for Reddit Premium members only",
    "gated": "is gated behind a content warning that app-only access cannot accept",
}


class RateLimitWait(Exception):
    """Reddit's rate limit asks for a longer wait than `[reddit] max_rate_limit_wait`."""

    def __init__(self, seconds: float, longest: float) -> None:
        super().__init__(
            f"Reddit's rate limit asks to wait {seconds:.0f} s, more than max_rate_limit_wait"
            f" ({longest:g} s)"
        )
        self.seconds = seconds
        self.longest = longest


@dataclass(frozen=True)
class Failure:
    """A failed request explained: `stop_run` when every later request would fail alike,
    `transient` for server and network trouble that may pass."""

    message: str
    stop_run: bool = False
    transient: bool = False


def _text(response: Any) -> str:
    try:
        return response.text or ""
    except Exception:  # a body that cannot be decoded still gets a message
        return ""


def _body(response: Any) -> dict[str, Any]:
    """Return a JSON error body as a dict, or {} when the body is not a JSON object."""
    try:
        data = json.loads(_text(response))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def excerpt(response: Any) -> str:
    """Return a short, single-line view of an error body: its JSON message, or its text
    with any HTML tags removed."""
    data = _body(response)
    if data:
        for key in ("explanation", "message", "reason", "error_description", "error"):
            if data.get(key):
                return str(data[key])[:EXCERPT]
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", _text(response), flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text[:EXCERPT] + ("..." if len(text) > EXCERPT else "")


def _status(response: Any) -> str:
    content_type = response.headers.get("content-type", "no content type")
    return f"HTTP {response.status_code}, {content_type.split(';')[0]}"


def _subreddit(where: str) -> str:
    match = re.search(r"r/[\w+]+", where)
    return match.group(0) if match else "this subreddit"


def explain(exc: BaseException, where: str) -> Failure:
    """Explain why the request for `where` (a target label) failed."""
    if isinstance(exc, prawcore.OAuthException):
        return Failure(
            f"Reddit refused the app's credentials ({exc.error}"
            f"{': ' + exc.description if exc.description else ''}); check {CREDENTIALS}",
            stop_run=True,
        )
    response = getattr(exc, "response", None)
    if response is not None and str(getattr(response, "url", "")).split("?")[0].endswith(
        TOKEN_PATH
    ):
        return Failure(
            f"Reddit refused the app's credentials when asked for a token ({_status(response)}:"
            f" {excerpt(response)}); check {CREDENTIALS}",
            stop_run=True,
        )
    if isinstance(exc, prawcore.InvalidToken | prawcore.InsufficientScope):
        return Failure(
            f"{where}: Reddit rejected the app's access token even after renewing it"
            f" ({_status(response)}: {excerpt(response)}); check {CREDENTIALS}",
            stop_run=True,
        )
    if isinstance(exc, prawcore.TooManyRequests):
        wait = f", asks to wait {exc.retry_after} s" if exc.retry_after else ""
        return Failure(
            f"{where}: Reddit's rate limit was reached (HTTP 429{wait}); the rest of this run"
            " was skipped and resumes from the saved cursors next run",
            stop_run=True,
        )
    if isinstance(exc, prawcore.Forbidden | prawcore.NotFound):
        reason = _body(response).get("reason")
        sub = _subreddit(where)
        if reason in REASONS:
            return Failure(f"{where}: {sub} {REASONS[reason]} ({_status(response)})")
        if isinstance(exc, prawcore.NotFound):
            return Failure(f"{where}: {sub} does not exist ({_status(response)})")
        return Failure(
            f"{where}: Reddit forbids reading {sub} ({_status(response)}: {excerpt(response)})"
        )
    if isinstance(exc, prawcore.Redirect):
        if exc.path.startswith("/subreddits/search"):
            return Failure(
                f"{where}: {_subreddit(where)} does not exist (Reddit redirected to"
                " its subreddit search)"
            )
        return Failure(f"{where}: Reddit redirected the request to {exc.path}")
    if isinstance(exc, prawcore.UnavailableForLegalReasons):
        return Failure(f"{where}: unavailable for legal reasons ({_status(response)})")
    if isinstance(exc, prawcore.BadJSON):
        return Failure(
            f"{where}: Reddit's answer was not JSON ({_status(response)}: {excerpt(response)})"
        )
    if isinstance(exc, prawcore.ServerError):
        return Failure(
            f"{where}: Reddit server error after retrying with back-off ({_status(response)}:"
            f" {excerpt(response)})",
            transient=True,
        )
    if isinstance(exc, prawcore.ResponseException):
        return Failure(
            f"{where}: Reddit refused the request ({_status(response)}: {excerpt(response)})"
        )
    if isinstance(exc, prawcore.RequestException):
        cause = exc.original_exception
        return Failure(
            f"{where}: could not reach Reddit after retrying ({type(cause).__name__}: {cause})",
            transient=True,
        )
    if isinstance(exc, RedditAPIException):
        items = "; ".join(
            " ".join(part for part in (item.error_type, item.message) if part and part != "None")
            for item in exc.items
        )
        # PRAW turns a 400 with a text body into this; the HTTP answer is its cause.
        answer = getattr(exc.__cause__, "response", None)
        status = f" ({_status(answer)})" if answer is not None else ""
        return Failure(f"{where}: Reddit refused the request: {items}{status}")
    if isinstance(exc, PRAWException | prawcore.PrawcoreException):
        return Failure(f"{where}: {type(exc).__name__}: {exc}")
    if isinstance(exc, ValueError | KeyError | TypeError | AttributeError | IndexError):
        # PRAW met an answer of a shape it does not know (a listing without children...).
        return Failure(
            f"{where}: Reddit's answer had an unexpected shape ({type(exc).__name__}: {exc})"
        )
    return Failure(f"{where}: unexpected {type(exc).__name__}: {exc}")
