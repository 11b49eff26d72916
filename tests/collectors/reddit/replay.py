"""A local Reddit for tests: answers PRAW's token request and replays recorded API answers.

Cassettes are vcrpy JSON (version 1), as in the shared corpus. Requests match on method,
path and query parameters in any order; among POSTs to the same address the one with the
same form body wins. Recorded Transfer-Encoding and Content-Length are dropped and the body
is sent with its own length. Cassettes written for our tests may borrow a recorded answer
from the corpus instead of copying it:

    "response": {"from": {"cassette": "TestReddit.test_info.json", "interaction": 1}}

and may hold `"stall": <seconds>`: the answer is sent only after that long, for timeouts.
Run `python -m tests.collectors.reddit.replay CASSETTE...` to serve cassettes by hand.
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

TOKEN_PATH = "/api/v1/access_token"
ACCESS_TOKEN = "<ACCESS_TOKEN>"
DROPPED = {"transfer-encoding", "content-length", "content-encoding", "connection"}
UNMATCHED_STATUS = 418  # no Reddit status means "no recording"; prawcore raises on it at once


@dataclass
class Interaction:
    """One recorded request and the answer to replay for it."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    form: tuple[tuple[str, str], ...] | None
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    origin: str
    stall: float = 0.0
    played: int = 0

    @property
    def params(self) -> dict[str, str]:
        """Return the query as the dict a client would send (placeholders replaced)."""
        return dict(self.query)

    def json(self) -> Any:
        """Return the recorded body parsed as JSON (raises ValueError when it is not)."""
        return json.loads(self.body.decode("utf-8"))


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(parse_qsl(text, keep_blank_values=True)))


def _substitute(text: str, placeholders: dict[str, str]) -> str:
    for name, value in placeholders.items():
        text = text.replace(name, value)
    return text


def _response(recorded: dict[str, Any], corpora: Path | None) -> tuple[dict[str, Any], str]:
    """Return a recorded response, following a `from` reference into the corpus."""
    ref = recorded.get("from")
    if ref is None:
        return recorded, ""
    if corpora is None:
        raise ValueError("a cassette borrows from the corpus but no corpus folder was given")
    source = corpora / "reddit" / ref["cassette"]
    borrowed = json.loads(source.read_text(encoding="utf-8"))["interactions"][ref["interaction"]]
    return borrowed["response"], f" <- {ref['cassette']}#{ref['interaction']}"


def load(
    path: Path, corpora: Path | None = None, placeholders: dict[str, str] | None = None
) -> list[Interaction]:
    """Read a cassette into interactions (token requests included; the server answers
    those itself)."""
    placeholders = placeholders or {}
    data = json.loads(path.read_text(encoding="utf-8"))
    interactions = []
    for index, item in enumerate(data["interactions"]):
        request = item["request"]
        response, borrowed = _response(item["response"], corpora)
        url = urlsplit(_substitute(request["uri"], placeholders))
        body = request.get("body")
        status = response.get("status", {"code": 200, "message": "OK"})
        headers = [
            (name, value)
            for name, values in response.get("headers", {}).items()
            if name.lower() not in DROPPED
            for value in values
        ]
        text = response.get("body", {}).get("string", "")
        interactions.append(
            Interaction(
                method=request["method"].upper(),
                path=unquote(url.path),
                query=_pairs(url.query),
                form=_pairs(_substitute(body, placeholders)) if body else None,
                status=int(status["code"]),
                reason=status.get("message", ""),
                headers=headers,
                body=text.encode("utf-8"),
                origin=f"{path.name}#{index}{borrowed}",
                stall=float(response.get("stall", 0)),
            )
        )
    return interactions


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up on a stalled answer closed its end: expected, not a failure.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    authorization: str | None
    user_agent: str | None
    matched: str | None
    form: dict[str, str] = field(default_factory=dict)


@dataclass
class ReplayServer:
    """The local Reddit: start it, point PRAW's `oauth_url` and `reddit_url` at `url`."""

    interactions: list[Interaction]
    token_status: int = 200
    token_body: dict[str, Any] = field(
        default_factory=lambda: {
            "access_token": ACCESS_TOKEN,
            "token_type": "bearer",
            "expires_in": 3600,
            "scope": "*",
        }
    )
    # A refused token request answered with this text/plain body, `{authorization}` and
    # `{form}` replaced by the request's: a server that echoes what it was sent.
    token_echo: str | None = None
    seen: list[Seen] = field(default_factory=list)
    token_requests: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                server._answer(self, body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    @property
    def played(self) -> int:
        """Return how many recorded answers were sent."""
        return sum(i.played for i in self.interactions)

    @property
    def unmatched(self) -> list[Seen]:
        return [s for s in self.seen if s.matched is None]

    def requests_to(self, path_part: str) -> list[Seen]:
        """Return the API requests whose path contains `path_part`."""
        return [s for s in self.seen if path_part in s.path]

    def _find(self, method: str, path: str, query: Any, form: Any) -> Interaction | None:
        candidates = [
            i
            for i in self.interactions
            if i.method == method and i.path == path and i.query == query and i.path != TOKEN_PATH
        ]
        if form is not None:
            # A POST answers only the same form: another expansion's comments would corrupt
            # the tree the client is building.
            candidates = [i for i in candidates if i.form is None or i.form == form]
        for interaction in candidates:
            if not interaction.played:
                return interaction
        # Everything played: answer as the last recording did, so a second run still works.
        return candidates[-1] if candidates else None

    def _answer(self, handler: BaseHTTPRequestHandler, body: str) -> None:
        url = urlsplit(handler.path)
        method = handler.command
        path = unquote(url.path)
        query = _pairs(url.query)
        seen = Seen(
            method=method,
            path=path,
            query=query,
            authorization=handler.headers.get("Authorization"),
            user_agent=handler.headers.get("User-Agent"),
            matched=None,
            form=dict(parse_qsl(body)),
        )
        if path == TOKEN_PATH:
            seen.matched = "token"
            with self._lock:
                self.token_requests.append(seen)
            status = self.token_status
            if status != 200 and self.token_echo is not None:
                echo = self.token_echo.format(authorization=seen.authorization, form=body)
                self._send(handler, status, [("Content-Type", "text/plain")], echo)
                return
            payload = (
                self.token_body if status == 200 else {"message": "Unauthorized", "error": 401}
            )
            self._send(handler, status, [("Content-Type", "application/json")], json.dumps(payload))
            return
        with self._lock:
            interaction = self._find(method, path, query, _pairs(body) if body else None)
            if interaction is not None:
                interaction.played += 1
                seen.matched = interaction.origin
            self.seen.append(seen)
        if interaction is None:
            message = f"no recording for {method} {path}?{url.query}"
            self._send(
                handler,
                UNMATCHED_STATUS,
                [("Content-Type", "application/json")],
                json.dumps({"message": message, "error": UNMATCHED_STATUS}),
            )
            return
        if interaction.stall and self.release.wait(timeout=interaction.stall):
            return  # the server is stopping
        self._send(
            handler,
            interaction.status,
            interaction.headers,
            interaction.body,
            reason=interaction.reason,
        )

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        status: int,
        headers: list[tuple[str, str]],
        body: str | bytes,
        reason: str | None = None,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        handler.send_response(status, reason or None)
        for name, value in headers:
            handler.send_header(name, value)
        if handler.close_connection:
            # Say so, or the client pools a connection this server is about to close.
            handler.send_header("Connection", "close")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


def main(argv: list[str]) -> int:
    """Serve cassettes until interrupted (corpus references resolve against
    $BRANDPULSE_CORPORA or ../shared/corpora)."""
    import os

    repo = Path(__file__).resolve().parents[3]
    corpora = Path(os.environ.get("BRANDPULSE_CORPORA") or repo.parent / "shared" / "corpora")
    interactions = [i for name in argv for i in load(Path(name), corpora)]
    server = ReplayServer(interactions).start()
    print(server.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
