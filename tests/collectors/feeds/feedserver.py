"""A local HTTP server for the feed tests (routes with chosen status, headers, delays, faults).

Each route answers with a list of replies in turn (the last one repeats), honours ETag and
Last-Modified like a real server, and logs every request it saw.
"""

from __future__ import annotations

import gzip
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from brandpulse.collectors.feeds import Feed, Settings
from brandpulse.collectors.fetch_settings import Fetch
from brandpulse.store.records import RunReport

from brandpulse.config import Brand, Config


@dataclass
class Reply:
    """One answer of a route."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # before the status line: a read timeout when long enough
    content_length: bool = True  # False: send the body until the connection closes
    gzip: bool = False
    drip: float = 0.0  # seconds between single bytes of the body: a slow-drip server


@dataclass
class Seen:
    """A request the server received."""

    path: str
    host: str
    headers: dict[str, str]
    started: float
    ended: float = 0.0
    sent: int = 0  # body bytes written before the client went away


class FeedServer:
    """Routes paths to replies; `url(path)` gives the address to configure."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.active: dict[str, int] = {}
        self.most_active: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else delayed ACKs add 40 ms per answer

            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                server.handle(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str, *replies: Reply) -> str:
        """Serve `replies` in turn at `path` (the last one repeats) and return its URL."""
        self.routes[path] = list(replies)
        return self.url(path)

    def hits(self, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path.split("?")[0] == path]

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path
        headers = {k.lower(): v for k, v in request.headers.items()}
        seen = Seen(path, headers.get("host", ""), headers, time.monotonic())
        host = seen.host
        with self.lock:
            self.seen.append(seen)
            replies = self.routes.get(path.split("?")[0]) or self.routes.get(path)
            reply = (replies.pop(0) if len(replies) > 1 else replies[0]) if replies else None
            self.active[host] = self.active.get(host, 0) + 1
            self.most_active[host] = max(self.most_active.get(host, 0), self.active[host])
        try:
            self._answer(
                request, reply or Reply(b"not found", 404, content_type="text/plain"), seen
            )
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout or the size cap): that is the point
        finally:
            with self.lock:
                self.active[host] -= 1
                seen.ended = time.monotonic()

    def _answer(self, request: BaseHTTPRequestHandler, reply: Reply, seen: Seen) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        status, body = reply.status, reply.body
        sent_etag = request.headers.get("If-None-Match")
        sent_since = request.headers.get("If-Modified-Since")
        if status == 200 and (
            (reply.etag and sent_etag == reply.etag)
            or (reply.last_modified and not reply.etag and sent_since == reply.last_modified)
        ):
            status, body = 304, b""
        if reply.gzip and body:
            body = gzip.compress(body)
        request.send_response(status)
        if reply.content_type and status != 304:
            request.send_header("Content-Type", reply.content_type)
        if reply.gzip and body:
            request.send_header("Content-Encoding", "gzip")
        if reply.etag:
            request.send_header("ETag", reply.etag)
        if reply.last_modified:
            request.send_header("Last-Modified", reply.last_modified)
        for name, value in reply.headers.items():
            request.send_header(name, value)
        if reply.content_length or status == 304:
            request.send_header("Content-Length", str(len(body)))
        else:
            request.send_header("Connection", "close")
            request.close_connection = True
        request.end_headers()
        step = 1 if reply.drip else 1 << 16
        for start in range(0, len(body), step):
            if reply.drip:
                request.wfile.flush()
                time.sleep(reply.drip)
            request.wfile.write(body[start : start + step])
            seen.sent = min(start + step, len(body))

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def rss(*items: str, title: str = "Test feed", link: str = "https://news.example.com/") -> bytes:
    """Return an RSS 2.0 document holding the given `<item>` bodies."""
    body = "".join(f"<item>{item}</item>" for item in items)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>{link}</link><language>en-gb</language>{body}"
        "</channel></rss>"
    ).encode()


def item(n: int, text: str = "Acme launches a new bike", site: str = "news.example.com") -> str:
    """Return the inside of an RSS item numbered `n`, with a guid, link and date."""
    return (
        f"<title>{text} #{n}</title><link>https://{site}/story/{n}</link>"
        f"<guid>https://{site}/story/{n}</guid>"
        f"<pubDate>Mon, 0{1 + n % 9} Jun 2026 10:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;{text}, story {n}.&lt;/p&gt;</description>"
    )


def make_config(*urls: str, brands: tuple[Brand, ...] = (), **fetch: object) -> Config:
    """Return a config with these feeds and quick fetch limits (overridable).

    The test servers listen on loopback, which is refused unless named: `allow_hosts` names it.
    """
    settings = {
        "allow_hosts": ("127.0.0.1", "localhost"),
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "retries": 2,
        "backoff": 0.01,
        "max_retry_wait": 5.0,
        **fetch,
    }
    return Config(
        path=Path("brands.toml"),
        brands=brands or (Brand(name="Acme"),),
        sections={
            "feeds": tuple(Feed(url=u) for u in urls),
            "fetch": Fetch(**settings),  # type: ignore[arg-type]
        },
    )


def records(report: RunReport) -> list[dict[str, Any]]:
    """Return a run's per-feed results as the flat rows status and health show."""
    return [item.record() for item in report.items]


def settings_of(config: Config) -> Settings:
    """Return the feeds source's own settings, as the pipeline hands them to it."""
    settings = config.source_settings("feeds")
    assert isinstance(settings, Settings)
    return settings
