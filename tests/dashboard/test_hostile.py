"""A hostile mention in Chromium: Markdown and HTML in its author, title, text, site,
subreddit, feed name and in a run's errors must show as text, never as links or images,
and no request may leave for a host other than the dashboard's own."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from brandpulse.store.connection import write_connection
from brandpulse.store.records import Mention, RunReport, mention_id
from brandpulse.store.writes import record_run

from brandpulse.config import Secrets, load_config
from brandpulse.pipeline import store_mentions
from tests.dashboard.running import served_dashboard
from tests.dashboard.test_browser import (
    ARGS,
    CHROMIUM,
    PAGES,
    no_exception_box,
    require_chromium,
    settle,
)

pytestmark = pytest.mark.browser

# The hostile words point at this host, which never serves a page to the dashboard.
TRAP = "trap.invalid"
NOW = datetime.now(UTC).replace(microsecond=0)


class Beacon(BaseHTTPRequestHandler):
    """Counts every request: a fetched beacon means hostile Markdown became an image."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        Beacon.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def hostile(beacon: str, what: str) -> str:
    """Return Markdown and HTML that would fetch the beacon or show a link if rendered."""
    return (
        f"![]({beacon}/{what}.png) [click me](http://{TRAP}/{what}) "
        f'<img src="{beacon}/{what}-html.png"> <a href="http://{TRAP}/{what}-a">html link</a> '
        f"http://{TRAP}/{what}-auto www.{TRAP} mail@{TRAP} :red[{what}] **{what}** $x^2$"
    )


def build(folder: Path, beacon: str) -> Path:
    config_path = folder / "brands.toml"
    config_path.write_text(
        '[settings]\ndatabase = "hostile.duckdb"\n\n[[brands]]\nname = "Acme"\nquery = "acme"\n'
        '\n[[feeds]]\nurl = "feeds/none.xml"\nkind = "news"\n'
        '\n[reddit]\nsubreddits = ["all"]\n',
        encoding="utf-8",
    )
    config = load_config(config_path)
    mentions = []
    for n, source in enumerate(("news", "reddit")):
        extra: dict[str, object] = {"feed_title": hostile(beacon, f"feed{n}")}
        if source == "reddit":
            extra["subreddit"] = hostile(beacon, "subreddit")
        else:
            extra["domain"] = hostile(beacon, "site")
        mentions.append(
            Mention(
                id=mention_id("hostile", str(n)),
                source=source,
                native_id=str(n),
                url="https://example.org/post",
                author=hostile(beacon, f"author{n}"),
                title="Acme " + hostile(beacon, f"title{n}"),
                text="Acme is great. " + hostile(beacon, f"text{n}"),
                published_at=NOW - timedelta(hours=n + 1),
                collected_at=NOW,
                extra=extra,
            )
        )
    report = RunReport(source="feeds", started_at=NOW, fetched=len(mentions))
    store_mentions(config.settings.database, config, Secrets(), mentions, report)
    with write_connection(config.settings.database) as con:
        for _ in range(3):
            failed = RunReport(source="reddit", started_at=NOW, ended_at=NOW)
            failed.error(hostile(beacon, "error"))
            failed.warnings.append(hostile(beacon, "warning"))
            record_run(con, failed)
    return config_path


@pytest.fixture(scope="module")
def beacon() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Beacon)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_hostile_text_never_becomes_a_link_an_image_or_a_request(
    tmp_path: Path, beacon: str
) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    config = build(tmp_path, beacon)
    Beacon.hits.clear()
    with served_dashboard(config) as (url, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 2200})
        own = urlsplit(url).netloc
        elsewhere: list[str] = []
        page.on(
            "request",
            lambda r: (
                elsewhere.append(r.url)
                if urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
                and urlsplit(r.url).netloc != own
                else None
            ),
        )
        built: list[str] = []
        for path, title in PAGES.items():
            page.goto(f"{url}/{'' if path == 'overview' else path}?period=all")
            settle(page, title)
            no_exception_box(page)
            if path == "mentions":
                # Open the first mention: its detail shows author, title and text.
                grid = page.locator('[data-testid="stDataFrame"]').first
                box = grid.bounding_box()
                assert box is not None
                page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)
                page.get_by_text("Correct the sentiment").wait_for(timeout=60_000)
                settle(page, title)
            if path == "health":
                for expander in page.locator('[data-testid="stExpander"] summary').all():
                    expander.click()
                settle(page, title)
            built += page.evaluate(
                """(trap) => [...document.querySelectorAll('a[href], img[src]')]
                    .map(e => e.getAttribute('href') || e.getAttribute('src'))
                    .filter(v => v.includes(trap) || v.includes('beacon') || v.includes('.png'))""",
                TRAP,
            )
            if path in ("mentions", "health"):
                # The hostile words are on the page, as text (tables draw on a canvas).
                assert page.get_by_text("[click me]", exact=False).count() > 0, path
        browser.close()
    assert elsewhere == [], elsewhere
    assert built == [], built
    assert Beacon.hits == [], Beacon.hits
