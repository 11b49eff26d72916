"""Hostile servers met through `brandpulse collect`: a slow drip, and internal addresses reached
directly, by redirect and by feed discovery. Each is one error on its feed; the good feed lands."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb

from tests.collectors.feeds.feedserver import FeedServer, Reply, item, rss

GOOD = rss(item(1, "Acme launches a new bike"), item(2, "Acme opens a shop"))
DRIPPED = rss(item(7, "Acme dripped story"))


def collect(tmp_path: Path, fetch: str, *urls: str) -> tuple[int, str, dict[str, int]]:
    """Run `brandpulse collect` on these feeds; return the exit code, stderr and titles stored."""
    feeds = "".join(f'[[feeds]]\nurl = "{u}"\n\n' for u in urls)
    config = tmp_path / "brands.toml"
    config.write_text(
        f'[[brands]]\nname = "Acme"\n\n{feeds}[fetch]\n'
        "connect_timeout = 1\nread_timeout = 2\nretries = 0\n" + fetch,
        encoding="utf-8",
    )
    db = tmp_path / "bp.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANDPULSE_")}
    done = subprocess.run(
        [sys.executable, "-m", "brandpulse", "collect", "--config", str(config), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    titles: dict[str, int] = {}
    if db.exists():
        with duckdb.connect(str(db), read_only=True) as con:
            for (title,) in con.execute("SELECT title FROM mentions").fetchall():
                titles[title] = titles.get(title, 0) + 1
    return done.returncode, done.stderr, titles


@contextlib.contextmanager
def drip_server(body: bytes, pause: float, sent: list[int]) -> Iterator[str]:
    """Serve `body` with no length and no chunking, one byte every `pause` seconds; `sent`
    gets the number of bytes written before the client went away."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n")
                conn.sendall(b"Connection: close\r\n\r\n")
                sent.append(0)
                for byte in body:
                    if stop.wait(pause):
                        return
                    conn.sendall(bytes([byte]))
                    sent[0] += 1

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/drip"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def test_a_slow_drip_is_cut_off_at_the_total_timeout(tmp_path: Path, server: FeedServer) -> None:
    good = server.route("/good", Reply(GOOD))
    # 1 byte every 0.05 s never trips the 2 s read timeout; the whole feed would take ~13 s.
    sent: list[int] = []
    with drip_server(DRIPPED, pause=0.05, sent=sent) as drip:
        code, err, titles = collect(
            tmp_path, 'total_timeout = 1\nallow_hosts = ["127.0.0.1"]\n', drip, good
        )
    assert code == 1, err
    assert f"{drip}: response took over 1 s in all ([fetch] total_timeout)" in err, err
    assert titles == {"Acme launches a new bike #1": 1, "Acme opens a shop #2": 1}
    assert sent and sent[0] < len(DRIPPED), "the whole drip was read before the cut-off"


def test_internal_addresses_are_refused_directly_by_redirect_and_by_discovery(
    tmp_path: Path, server: FeedServer
) -> None:
    internal = FeedServer()  # loopback too, on a port allow_hosts does not name
    try:
        internal.route("/feed", Reply(rss(item(9, "Acme internal secret"))))
        good = server.route("/good", Reply(GOOD))
        redirect = server.route(
            "/moved", Reply(status=302, headers={"Location": internal.url("/feed")})
        )
        link = f'<link rel="alternate" type="application/rss+xml" href="{internal.url("/feed")}">'
        blog = server.route(
            "/blog",
            Reply(
                f"<html><head>{link}</head><body>Hi</body></html>".encode(),
                content_type="text/html",
            ),
        )
        direct = internal.url("/feed")
        by_name = internal.url("/feed", host="localhost")  # a name, judged by its address
        allowed = f'allow_hosts = ["127.0.0.1:{server.port}"]\n'

        code, err, titles = collect(tmp_path, allowed, good, direct, by_name, redirect, blog)

        assert code == 1, err
        assert titles == {"Acme launches a new bike #1": 1, "Acme opens a shop #2": 1}
        assert internal.seen == [], "an internal server was contacted"
        refused = f"refused: 127.0.0.1:{internal.port} is a loopback address"
        # Under cron each line starts with its ISO timestamp; the message follows it.
        lines = [line.split("Z ", 1)[-1].strip() for line in err.splitlines()]
        errors = [line for line in lines if line.startswith("error:")]
        assert len(errors) == 4, err
        for expected in (
            f"error: {direct}: {refused}",
            f"error: {redirect}: {refused}",
            f"error: {by_name}: refused: localhost:{internal.port} (127.0.0.1) is a loopback",
            f"error: {blog}: {blog} points to the feed {direct}, {refused}",
        ):
            assert sum(line.startswith(expected) for line in errors) == 1, (expected, err)
        assert f'add "127.0.0.1:{internal.port}" to [fetch] allow_hosts' in err
    finally:
        internal.close()
