"""A local API server for the JSON sources' tests: replays recorded answers by path and query.

Routes come from the shared corpus as it is (`sources/`): the HN fixtures' `{url, reply}`
list, R `vcr` and vcrpy YAML cassettes (Mastodon, Bluesky), and plain JSON bodies (Lemmy,
App Store). Cases the recordings lack are JSON files in `written/` (see its README). A
request matches a route on method, path and query parameters in any order; a route whose
query is None matches any query, and a path ending in `*` any path it starts; the first
matching route in order answers. Recorded
Content-Length, Transfer-Encoding and Content-Encoding are dropped (bodies are stored
decoded) and the body is sent with its own length. Every request is logged, so tests can
assert what a collector asked for.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

WRITTEN = Path(__file__).resolve().parent / "written"
DROPPED = {"transfer-encoding", "content-length", "content-encoding", "connection"}


@dataclass
class Route:
    """One answer to replay for a request; `query` None matches any query."""

    method: str
    path: str
    query: dict[str, str] | None
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    origin: str
    times: int | None = None  # answer this many times, then let later routes answer
    played: int = 0

    def matches(self, method: str, path: str, query: dict[str, str]) -> bool:
        if self.times is not None and self.played >= self.times:
            return False
        if method != self.method:
            return False
        if self.path.endswith("*"):
            if not path.startswith(self.path[:-1]):
                return False
        elif path != self.path:
            return False
        return self.query is None or self.query == query


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    matched: str | None


@dataclass
class ReplayServer:
    """Serve routes on 127.0.0.1 in a thread; `url` is its base address."""

    routes: list[Route] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, *routes: Route, first: bool = False) -> None:
        """Add routes; with `first`, ahead of those already there (a written override)."""
        with self._lock:
            if first:
                self.routes[0:0] = list(routes)
            else:
                self.routes.extend(routes)

    def find(self, method: str, path: str, query: dict[str, str]) -> Route | None:
        with self._lock:
            route = next((r for r in self.routes if r.matches(method, path, query)), None)
            if route is not None:
                route.played += 1
            return route

    def asked(self, path: str) -> list[Request]:
        """Return the requests made to `path`, in order."""
        return [r for r in self.requests if r.path == path]

    def start(self) -> ReplayServer:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query, keep_blank_values=True))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                route = replay.find(self.command, parts.path, query)
                replay.requests.append(
                    Request(
                        self.command,
                        parts.path,
                        query,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                        route.origin if route else None,
                    )
                )
                if route is None:
                    status, headers = 404, [("Content-Type", "application/json")]
                    payload = json.dumps({"error": f"no recording for {self.path}"}).encode()
                else:
                    status, headers, payload = route.status, route.headers, route.body
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in DROPPED:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _answer
            do_POST = _answer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


JSON_HEADERS = [("Content-Type", "application/json; charset=utf-8")]


def _query(uri: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(uri)
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))


def hn_routes(path: Path) -> list[Route]:
    """Return a route per `{url, reply}` of the HN fixtures (bodies only: 200 JSON)."""
    routes = []
    for i, entry in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        where, query = _query(entry["url"])
        body = json.dumps(entry["reply"]).encode()
        routes.append(Route("GET", where, query, 200, JSON_HEADERS, body, f"{path.name}#{i}"))
    return routes


def cassette_routes(path: Path, any_query: bool = False, drop: tuple[str, ...] = ()) -> list[Route]:
    """Return a route per interaction of an R `vcr` or vcrpy YAML cassette.

    `drop` names query parameters the recording client added that ours does not send
    (rtoot's `local=FALSE&only_media=FALSE`, the server's defaults).
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    interactions = data.get("http_interactions") or data.get("interactions") or []
    routes = []
    for i, interaction in enumerate(interactions):
        request, response = interaction["request"], interaction["response"]
        where, query = _query(request["uri"])
        query = {k: v for k, v in query.items() if k not in drop}
        status = response["status"]
        code = status["code"] if isinstance(status, dict) else int(status)
        headers: list[tuple[str, str]] = []
        for name, value in (response.get("headers") or {}).items():
            for one in value if isinstance(value, list) else [value]:
                headers.append((str(name), str(one)))
        body = response.get("body") or {}
        text = body.get("string", "") if isinstance(body, dict) else str(body)
        routes.append(
            Route(
                str(request["method"]).upper(),
                where,
                None if any_query else query,
                int(code),
                headers,
                text.encode("utf-8"),
                f"{path.name}#{i}",
            )
        )
    return routes


def json_route(path: Path, where: str, query: dict[str, str] | None = None) -> Route:
    """Return a 200 route answering `where` with a JSON body file as it is."""
    return Route("GET", where, query, 200, JSON_HEADERS, path.read_bytes(), path.name)


def written_route(name: str, **override: Any) -> Route:
    """Return the route of a case written here (`written/NAME.json`), fields overridable."""
    spec = json.loads((WRITTEN / f"{name}.json").read_text(encoding="utf-8"))
    request, response = spec["request"], spec["response"]
    body = response.get("body", "")
    payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    headers = [(k, str(v)) for k, v in response.get("headers", {}).items()]
    fields: dict[str, Any] = {
        "method": request.get("method", "GET"),
        "path": request["path"],
        "query": request.get("query"),
        "status": response["status"],
        "headers": headers or JSON_HEADERS,
        "body": payload,
        "origin": f"written/{name}.json",
        "times": spec.get("times"),
    }
    fields.update(override)
    return Route(**fields)
