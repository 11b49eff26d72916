"""Real local receivers for alert tests: an HTTP server for webhooks and an aiosmtpd SMTP server."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from tests.dashboard.running import free_port

SECRET = "test-signing-secret"


@dataclass
class Received:
    """What one receiver got, and how it should answer next."""

    posts: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    mails: list[EmailMessage] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, path: str) -> list[bytes]:
        """Return the bodies POSTed to `path`."""
        with self.lock:
            return [body for p, _, body in self.posts if p == path]


@contextmanager
def http_receiver() -> Iterator[tuple[str, Received]]:
    """Serve on 127.0.0.1; /hook checks X-Brandpulse-Signature against SECRET (401 if wrong)."""
    got = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if got.delay:
                time.sleep(got.delay)
            status = got.status
            if self.path == "/hook":
                want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(want, self.headers.get("X-Brandpulse-Signature", "")):
                    got.bad_signatures += 1
                    status = 401
            if status < 300:
                with got.lock:
                    got.posts.append((self.path, dict(self.headers), body))
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", got
    finally:
        server.shutdown()
        server.server_close()


class _Mailbox:
    def __init__(self, got: Received) -> None:
        self.got = got

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.got.status >= 500:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        mail = message_from_bytes(envelope.content, policy=policy.default)
        with self.got.lock:
            self.got.mails.append(mail)  # type: ignore[arg-type]
        return "250 Message accepted"


@contextmanager
def smtp_receiver() -> Iterator[tuple[int, Received]]:
    """Run an aiosmtpd server on a free 127.0.0.1 port (plain SMTP) that keeps each mail."""
    got = Received()
    port = free_port()
    controller = Controller(_Mailbox(got), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, got
    finally:
        controller.stop()
