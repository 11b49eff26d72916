"""Feed collection: 200 feeds with 100 ms latency each, ours against a sequential feedparser loop.

The feeds are served locally by 25 servers on loopback addresses 127.0.0.1-25 (8 feeds
each, as news and blog feeds spread over many sites), every answer delayed by 100 ms. The
baseline is `feedparser.parse(url)` over the same URLs, one after the other; ours is the
whole feeds collector (fetch, parse, normalise to mentions) with the default [fetch]
settings. Then a second round with the first round's ETags: every feed answers 304.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import feedparser
from brandpulse.collectors import feeds
from brandpulse.collectors.fetch_settings import Fetch
from brandpulse.store.records import RunReport

from benchmarks.common import report, timed
from brandpulse.config import Brand, Config

HOSTS = 25
FEEDS_PER_HOST = 8
ITEMS = 20
LATENCY = 0.100


def feed_body(host: int, feed: int) -> bytes:
    """Return a realistic RSS document: 20 items with HTML descriptions."""
    start = datetime(2026, 6, 1, tzinfo=UTC)
    items = []
    for n in range(ITEMS):
        when = format_datetime(start - timedelta(hours=n * 3 + feed), usegmt=True)
        link = f"https://site{host}.example/{feed}/story-{n}"
        items.append(
            f"<item><title>Acme and Globex story {n} from site {host}</title>"
            f"<link>{link}</link><guid>{link}</guid><pubDate>{when}</pubDate>"
            "<description>&lt;p&gt;Acme's new e-bike &lt;b&gt;impressed&lt;/b&gt; reviewers,"
            " who compared it with Globex &amp;amp; others at length. &lt;a href=&quot;"
            f"{link}&quot;&gt;Read more&lt;/a&gt;&lt;/p&gt;</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Site {host} feed {feed}</title><link>https://site{host}.example/</link>"
        f"<language>en</language>{''.join(items)}</channel></rss>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes; without this, Nagle and delayed
    # ACKs add 40 ms to every answer, which no real server does.
    disable_nagle_algorithm = True
    bodies: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        time.sleep(LATENCY)
        key = f"{self.headers.get('Host', '').split(':')[0]}{self.path}"
        body = self.bodies.get(key)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve() -> None:
    """Serve the feeds until stdin closes; print the feed URLs as one JSON line when ready."""
    servers, urls = [], []
    for host in range(1, HOSTS + 1):
        address = f"127.0.0.{host}"
        httpd = ThreadingHTTPServer((address, 0), Handler)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        for feed in range(FEEDS_PER_HOST):
            path = f"/feed{feed}.xml"
            Handler.bodies[f"{address}{path}"] = feed_body(host, feed)
            urls.append(f"http://{address}:{httpd.server_address[1]}{path}")
    print(json.dumps(urls), flush=True)
    sys.stdin.read()
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def feed_servers() -> Iterator[list[str]]:
    """Run the servers in their own process, as remote sites would be: their work is not ours."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bench_feeds", "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


def collect(config: Config, state: dict) -> tuple[RunReport, int]:
    run = RunReport(source=feeds.name)
    settings = config.source_settings(feeds.name)
    client = feeds.open_client(settings)
    mentions = list(feeds.collect(settings, config.terms, state, client, run))
    return run, len(mentions)


def main() -> int:
    with feed_servers() as urls:
        config = Config(
            brands=(Brand(name="Acme"), Brand(name="Globex", competitor=True)),
            sections={
                "feeds": tuple(feeds.Feed(url=u) for u in urls),
                # The servers are on loopback, refused unless named.
                "fetch": Fetch(allow_hosts=tuple(sorted({urlsplit(u).netloc for u in urls}))),
            },
        )
        fetch = config.sections["fetch"]
        baseline_results, baseline_s = timed(lambda: [feedparser.parse(u) for u in urls])
        baseline_entries = sum(len(r.entries) for r in baseline_results)
        (first, mentions), ours_s = timed(lambda: collect(config, {}))
        if first.errors or mentions != baseline_entries:
            print(f"first round went wrong: {first.errors[:3]} {mentions}", file=sys.stderr)
            return 1
        report(
            "feeds_200",
            ours_s,
            baseline_s,
            "s",
            note=f"{len(urls)} feeds on {HOSTS} hosts, {LATENCY * 1000:.0f} ms latency,"
            f" {mentions} mentions; concurrency {fetch.concurrency},"
            f" per_host {fetch.per_host}",
        )
        first_bytes = sum(item.facts["bytes"] for item in first.items)
        (second, again), rerun_s = timed(lambda: collect(config, first.state))
        second_bytes = sum(item.facts["bytes"] for item in second.items)
        statuses = sorted({item.status for item in second.items})
        report(
            "feeds_rerun_bytes",
            second_bytes,
            first_bytes,
            "B",
            note=f"second round statuses {statuses}, {again} mentions, {rerun_s:.2f} s",
        )
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
        sys.exit(0)
    sys.exit(main())
