"""Fetch URLs politely and defensively: timeouts, size cap, redirect limit, conditional GET.

feedparser's own fetching has no timeout (a stalled server blocks it forever), so feeds are
fetched here with requests and only the bytes are handed to the parser. One `HttpFetcher` is
shared by the worker threads; each thread gets its own `requests.Session`, since sessions
are not documented as thread-safe.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import requests
from brandpulse.collectors.net_guard import AddressPolicy, AddressRefused, Deadline, guarded_adapter

JSON_ACCEPT = "application/json"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml,"
    " application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.7, */*;q=0.5"
)
_CHUNK = 64 * 1024
# Why a status failed, in words a user can act on.
_HINTS = {
    401: "the site wants a login",
    403: "the site refuses this reader",
    404: "check the URL: the feed is not there",
    410: "the site removed this feed; delete it from [[feeds]]",
    429: "the site is rate limiting us",
}


@dataclass(frozen=True)
class Response:
    """A successful fetch: a 2xx with its body, or a 304 with none."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    content: bytes
    wire_bytes: int
    attempts: int = 1
    moved_to: str | None = None  # where a permanent redirect pointed

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchError(Exception):
    """A fetch that failed for good; `http_status` is set when the server answered.

    `headers` and `body` (its first few KB) are kept from an error answer, so an API client
    can read the API's own error message and rate-limit headers.
    """

    def __init__(
        self,
        message: str,
        http_status: int | None = None,
        wire_bytes: int = 0,
        attempts: int = 1,
        refused: bool = False,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.refused = refused  # an internal address [fetch] allow_hosts does not name
        self.http_status = http_status
        self.wire_bytes = wire_bytes
        self.attempts = attempts
        self.headers = dict(headers or {})
        self.body = body


@dataclass
class HttpFetcher:
    """GET URLs within the [fetch] limits; share one instance between threads.

    `settings` is the config's [fetch] table as it stands (timeouts, caps, retries,
    user_agent): taken whole, so its defaults live in one place, the config.
    """

    settings: Any
    sleep: Callable[[float], None] = time.sleep
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _sessions: list[requests.Session] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def deadline(self) -> float:
        """Return the most seconds one attempt (redirects and body included) may take."""
        return float(self.settings.total_timeout)

    def session(self) -> requests.Session:
        """Return this thread's session, creating it on first use."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            policy = AddressPolicy(self.settings.allow_hosts)
            for scheme in ("http://", "https://"):
                session.mount(scheme, guarded_adapter(policy))
            session.max_redirects = self.settings.max_redirects
            session.headers["User-Agent"] = self.settings.user_agent
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        """Close every thread's session and its pooled connections."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def __enter__(self) -> HttpFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
        extra_headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Response:
        """Fetch `url`, retrying 5xx, 429 and dropped connections with back-off.

        With `etag` or `last_modified` the request is conditional and an unchanged resource
        comes back as a 304 with no body. With `json_body` the request is a POST of it as
        JSON (an API login). Raises FetchError with a message for people.
        """
        headers = {"Accept": accept, **(extra_headers or {})}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = self.settings.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                with Deadline(self.deadline).running() as deadline:
                    return self._attempt(url, headers, attempt, deadline, json_body)
            except _Retryable as exc:
                if attempt == attempts:
                    message = f"{exc} (after {attempt} attempts)"
                    raise FetchError(message, attempts=attempt) from None
                self.sleep(self._backoff(attempt))
            except _RetryLater as exc:
                if attempt == attempts:
                    raise FetchError(
                        f"{exc.reason} (after {attempt} attempts)",
                        http_status=exc.status,
                        attempts=attempt,
                        headers=exc.headers,
                    ) from None
                self.sleep(exc.wait if exc.wait is not None else self._backoff(attempt))
        raise AssertionError("unreachable")  # the loop returns or raises

    def _attempt(
        self,
        url: str,
        headers: dict[str, str],
        attempt: int,
        deadline: Deadline,
        json_body: Any = None,
    ) -> Response:
        """Make one attempt under `deadline`; a cut-off fetch is reported as such."""
        try:
            response = self._request(url, headers, json_body)
            status = response.status_code
            if status == 429 or status >= 500:
                wait = retry_after(response.headers.get("Retry-After"))
                reason = _status_text(response)
                answer = {k.lower(): v for k, v in response.headers.items()}
                response.close()
                if wait is not None and wait > self.settings.max_retry_wait:
                    raise FetchError(
                        f"{reason}: {_HINTS.get(status, 'the server failed')}; it asks us to"
                        f" wait {wait:.0f} s, more than [fetch] max_retry_wait",
                        http_status=status,
                        attempts=attempt,
                        headers=answer,
                    )
                raise _RetryLater(reason, status, wait, answer)
            try:
                result = self._finish(url, response, attempt)
            finally:
                response.close()
        except (FetchError, _Retryable) as exc:
            if deadline.expired:
                raise self._too_slow(getattr(exc, "http_status", None)) from None
            raise
        if deadline.expired:  # the cut-off socket may read as a normal end of the body
            raise self._too_slow(result.status, result.wire_bytes)
        return result

    def _too_slow(self, status: int | None, wire_bytes: int = 0) -> FetchError:
        return FetchError(
            f"response took over {self.deadline:g} s in all ([fetch] total_timeout);"
            " stopped reading",
            http_status=status,
            wire_bytes=wire_bytes,
        )

    def _request(
        self, url: str, headers: dict[str, str], json_body: Any = None
    ) -> requests.Response:
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        try:
            if json_body is not None:
                return self.session().post(
                    url, json=json_body, headers=headers, timeout=timeout, stream=True
                )
            return self.session().get(
                url, headers=headers, timeout=timeout, stream=True, allow_redirects=True
            )
        except AddressRefused as exc:
            raise FetchError(str(exc), refused=True) from None
        except requests.exceptions.ConnectTimeout:
            raise FetchError(
                f"connect timeout: no connection within {self.settings.connect_timeout:g} s"
            ) from None
        except requests.exceptions.ReadTimeout:
            raise FetchError(
                f"read timeout: no answer within {self.settings.read_timeout:g} s"
            ) from None
        except requests.exceptions.TooManyRedirects:
            raise FetchError(
                f"more than {self.settings.max_redirects} redirects (a redirect loop?)"
            ) from None
        except requests.exceptions.SSLError as exc:
            raise FetchError(f"TLS error: {_short(exc)}") from None
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
            requests.exceptions.InvalidHeader,
        ) as exc:
            raise FetchError(f"invalid URL: {_short(exc)}") from None
        except requests.exceptions.ConnectionError as exc:
            message = f"cannot connect: {_short(exc)}"
            # A refused connection or an unknown name will not mend in a few seconds;
            # a dropped or reset one often does.
            if any(s in message for s in ("refused", "resolve", "known", "getaddrinfo")):
                raise FetchError(message) from None
            raise _Retryable(message) from None

    def _finish(self, url: str, response: requests.Response, attempt: int) -> Response:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        moved = next(
            (
                urljoin(r.url, r.headers.get("Location", ""))
                for r in response.history
                if r.status_code in (301, 308)
            ),
            None,
        )
        if status == 304:
            return Response(url, response.url, status, headers, b"", 0, attempt, moved)
        if status >= 400:
            raise FetchError(
                f"{_status_text(response)}: {_HINTS.get(status, 'the server refused')}",
                http_status=status,
                attempts=attempt,
                headers=headers,
                body=_error_body(response),
            )
        if status >= 300:
            raise FetchError(
                f"{_status_text(response)} without a usable Location", status, attempts=attempt
            )
        content = self._read_body(response)
        wire = _wire_bytes(response, len(content))
        return Response(url, response.url, status, headers, content, wire, attempt, moved)

    def _read_body(self, response: requests.Response) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(
                f"response of {int(declared):,} bytes is over the {limit:,}-byte cap"
                " ([fetch] max_bytes)",
                http_status=response.status_code,
            )
        chunks: list[bytes] = []
        size = 0
        try:
            # Decoded bytes are counted, so a small gzip bomb is stopped at the cap too.
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FetchError(
                        f"response is over the {limit:,}-byte cap ([fetch] max_bytes);"
                        " stopped reading",
                        http_status=response.status_code,
                        wire_bytes=_wire_bytes(response, size),
                    )
                chunks.append(chunk)
        except requests.exceptions.ConnectionError as exc:
            # requests reports a read timeout while streaming as a ConnectionError.
            kind = "read timeout" if "timed out" in str(exc) else "connection broken"
            raise FetchError(
                f"{kind} while reading the body: {_short(exc)}", http_status=response.status_code
            ) from None
        except (
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            raise FetchError(
                f"broken response body: {_short(exc)}", http_status=response.status_code
            ) from None
        return b"".join(chunks)

    def _backoff(self, attempt: int) -> float:
        # 1 s, 2 s, 4 s ... with a little jitter so that many feeds do not retry in step.
        delay: float = self.settings.backoff * 2 ** (attempt - 1)
        return min(delay * random.uniform(1.0, 1.25), float(self.settings.max_retry_wait))


@dataclass(frozen=True)
class JsonReply:
    """A JSON API answer: the decoded body, the response headers (lower-case) and its URL."""

    data: Any
    headers: dict[str, str]
    url: str
    wire_bytes: int


def get_json(
    fetcher: HttpFetcher,
    url: str,
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
) -> JsonReply:
    """GET `url` (POST `json_body` when given) through `fetcher` and decode the JSON answer.

    Every limit of the fetcher applies. An error answer's own message (`{"error": ...}`,
    `{"message": ...}`) is added to the FetchError; a body that is not JSON raises
    FetchError too, so one broken answer is one failed item, never a crash.
    """
    try:
        response = fetcher.get(url, accept=JSON_ACCEPT, extra_headers=headers, json_body=json_body)
    except FetchError as exc:
        said = _api_message(exc.body)
        if said:
            exc.message = f"{exc.message} ({said})"
            exc.args = (exc.message,)
        raise
    try:
        data = json.loads(response.content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FetchError(
            f"malformed JSON in the answer: {_short(exc)}",
            http_status=response.status,
            wire_bytes=response.wire_bytes,
            headers=response.headers,
        ) from None
    return JsonReply(data, response.headers, response.final_url, response.wire_bytes)


def _api_message(body: bytes) -> str:
    """Return the message an API put in its JSON error body ("" when there is none)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ""
    if not isinstance(data, dict):
        return ""
    parts = [str(data[k]) for k in ("error", "message", "error_description") if data.get(k)]
    return ": ".join(dict.fromkeys(parts))[:300]


def _error_body(response: requests.Response, limit: int = 4096) -> bytes:
    # The start of an error answer is enough for its message; never read a big error page.
    try:
        return next(response.iter_content(limit), b"")[:limit]
    except (requests.exceptions.RequestException, StopIteration):
        return b""


class _Retryable(Exception):
    """A failure worth another attempt (a refused or dropped connection)."""


class _RetryLater(Exception):
    """A 429 or 5xx answer: worth another attempt after `wait` seconds (None: back off)."""

    def __init__(
        self, reason: str, status: int, wait: float | None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.wait = wait
        self.headers = headers or {}


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Return the seconds a Retry-After header asks for (delta or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _status_text(response: requests.Response) -> str:
    reason = (response.reason or "").strip()
    return f"HTTP {response.status_code}" + (f" {reason}" if reason else "")


def _wire_bytes(response: requests.Response, fallback: int) -> int:
    # urllib3 counts the bytes it pulled off the socket, before gzip decoding.
    tell = getattr(response.raw, "tell", None)
    try:
        return int(tell()) if tell else fallback
    except (TypeError, ValueError, OSError):
        return fallback


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    # urllib3 wraps the useful part: "... (Caused by NewConnectionError(...: [Errno 111] ...))"
    for marker in ("[Errno", "Caused by "):
        if marker in text:
            text = text[text.index(marker) :]
            break
    return re.sub(r"['\")(. ]+$", "", text)[:200]
