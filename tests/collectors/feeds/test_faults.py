"""Each network fault is recorded on the run, for its feed only, while the other feeds succeed."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
from brandpulse.collectors import feeds
from brandpulse.collectors.http_fetch import FetchError, HttpFetcher
from brandpulse.store.records import RunReport

from tests.collectors.feeds.feedserver import (
    FeedServer,
    Reply,
    item,
    make_config,
    records,
    rss,
    settings_of,
)

GOOD = rss(item(1), item(2))


def run(config, state=None, sleep=None):
    """Collect the config's feeds; return the mentions and the report."""
    client = feeds.open_client(settings_of(config))
    if sleep is not None:
        client = HttpFetcher(settings_of(config).fetch, sleep=sleep)
    report = RunReport(source="feeds")
    mentions = list(feeds.collect(settings_of(config), config.terms, state or {}, client, report))
    return mentions, report


def by_url(report: RunReport) -> dict[str, dict]:
    return {d["name"]: d for d in records(report)}


def test_every_fault_is_recorded_and_the_good_feed_still_arrives(
    server: FeedServer, stalled_port: int
) -> None:
    big = b"<rss>" + b"x" * 20_000_000 + b"</rss>"
    faults = {
        "connect timeout": f"http://127.0.0.1:{stalled_port}/feed",
        "read timeout": server.route("/slow", Reply(GOOD, delay=3)),
        "HTTP 404": server.route("/missing", Reply(b"gone", 404, content_type="text/html")),
        "HTTP 410": server.route("/removed", Reply(b"", 410)),
        "redirects": server.route("/loop", Reply(status=302, headers={"Location": "/loop2"})),
        "cap": server.route("/huge", Reply(big)),
        "cap ": server.route("/huge-chunked", Reply(big, content_length=False)),
        "no feed found": server.route(
            "/page", Reply(b"<!doctype html><html><body>Hi</body></html>", content_type="text/html")
        ),
        "empty": server.route("/empty", Reply(b"")),
    }
    server.route("/loop2", Reply(status=302, headers={"Location": "/loop"}))
    good = server.route("/good", Reply(GOOD))
    config = make_config(good, *faults.values())
    mentions, report = run(config)

    assert sorted(m.title for m in mentions) == [
        "Acme launches a new bike #1",
        "Acme launches a new bike #2",
    ]
    details = by_url(report)
    assert details[good]["status"] == "ok" and details[good]["entries"] == 2
    for expected, url in faults.items():
        detail = details[url]
        assert detail["status"] == "error", url
        assert expected.strip() in detail["error"], detail["error"]
        assert any(e.startswith(url + ": ") for e in report.errors)
    assert details[faults["HTTP 404"]]["http_status"] == 404
    assert details[faults["HTTP 410"]]["http_status"] == 410
    assert "delete it" in details[faults["HTTP 410"]]["error"]
    # The cap stops the download: far fewer bytes than the 20 MB body were taken in.
    assert details[faults["cap "]]["bytes"] < 12_000_000
    assert report.status == "partial"
    assert report.fetched == 2
    assert good in report.state and faults["HTTP 404"] not in report.state


def test_server_error_is_retried_until_it_succeeds(server: FeedServer) -> None:
    url = server.route("/flaky", Reply(b"oops", 500), Reply(b"oops", 503), Reply(GOOD))
    mentions, report = run(make_config(url, retries=3))
    assert len(mentions) == 2 and not report.errors
    assert len(server.hits("/flaky")) == 3


def test_server_error_gives_up_after_the_retries(server: FeedServer) -> None:
    url = server.route("/down", Reply(b"oops", 500))
    mentions, report = run(make_config(url, retries=2))
    assert mentions == []
    assert len(server.hits("/down")) == 3
    assert "HTTP 500" in records(report)[0]["error"] and "3 attempts" in records(report)[0]["error"]


def test_too_many_requests_waits_as_long_as_retry_after_says(server: FeedServer) -> None:
    url = server.route(
        "/limited", Reply(b"slow down", 429, headers={"Retry-After": "1"}), Reply(GOOD)
    )
    waits: list[float] = []
    mentions, report = run(make_config(url), sleep=waits.append)
    assert len(mentions) == 2 and not report.errors
    assert waits == [1.0]
    assert len(server.hits("/limited")) == 2


def test_a_retry_after_beyond_the_limit_gives_up_at_once(server: FeedServer) -> None:
    url = server.route("/limited", Reply(b"", 429, headers={"Retry-After": "3600"}))
    waits: list[float] = []
    mentions, report = run(make_config(url, max_retry_wait=30), sleep=waits.append)
    assert mentions == [] and waits == []
    assert "3600 s" in records(report)[0]["error"]
    assert records(report)[0]["http_status"] == 429
    assert len(server.hits("/limited")) == 1


def test_wrong_declared_charset_keeps_entries_and_records_the_warning(server: FeedServer) -> None:
    # A common misconfiguration: the server says UTF-8, the bytes are windows-1252.
    body = rss("<title>Caf\u00e9 Acme \u2013 na\u00efve</title><guid>x:1</guid>")
    body = body.decode().encode("windows-1252")
    url = server.route("/charset", Reply(body, content_type="text/xml; charset=utf-8"))
    mentions, report = run(make_config(url))
    assert [m.title for m in mentions] == ["Caf\u00e9 Acme \u2013 na\u00efve"]
    detail = records(report)[0]
    assert detail["status"] == "ok" and "utf-8" in detail["warning"]
    assert report.warnings and report.warnings[0].startswith(url)


def test_gzip_is_asked_for_and_counted_as_the_bytes_on_the_wire(server: FeedServer) -> None:
    body = rss(*(item(n) for n in range(40)))
    url = server.route("/zipped", Reply(body, gzip=True))
    mentions, report = run(make_config(url))
    assert len(mentions) == 40
    assert "gzip" in server.hits("/zipped")[0].headers["accept-encoding"]
    assert 0 < records(report)[0]["bytes"] < len(body) / 2


def test_a_body_that_names_a_file_is_parsed_as_text_not_opened(server: FeedServer) -> None:
    # feedparser opens a bare bytes argument as a path when such a file exists.
    url = server.route("/sneaky", Reply(b"/etc/hostname", content_type="application/rss+xml"))
    mentions, report = run(make_config(url))
    assert mentions == []
    assert records(report)[0]["status"] == "error"


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (rss(item(7)).replace(b"</channel>", b"<oops></channel>"), "ok", "entries kept"),
        (b"<rss version='2.0'><channel><title>x &bogus; y</title><item>", "error", "no entries"),
    ],
)
def test_an_ill_formed_feed_is_kept_when_it_yields_entries(
    server: FeedServer, body: bytes, status: str, expected: str
) -> None:
    url = server.route("/bozo", Reply(body))
    good = server.route("/good", Reply(GOOD))
    mentions, report = run(make_config(url, good))
    detail = by_url(report)[url]
    assert detail["status"] == status
    assert detail["warning"]
    assert expected in " ".join(report.warnings + report.errors)
    assert by_url(report)[good]["status"] == "ok"
    assert len(mentions) == (3 if status == "ok" else 2)


def test_a_permanent_redirect_is_followed_and_reported(server: FeedServer) -> None:
    old = server.route("/old", Reply(status=301, headers={"Location": "/new"}))
    server.route("/new", Reply(GOOD))
    mentions, report = run(make_config(old))
    assert len(mentions) == 2
    new = server.url("/new")
    assert records(report)[0]["moved_to"] == new
    assert report.warnings == [f"{old}: moved permanently to {new}; put that URL in [[feeds]] url"]


def test_the_total_timeout_holds_on_a_kept_alive_connection_too(server: FeedServer) -> None:
    fast = server.route("/fast", Reply(GOOD))
    # One byte every 0.05 s: never a read timeout, and the whole body would take ~35 s.
    slow = server.route("/slow", Reply(GOOD, drip=0.05))
    config = make_config(fast, slow, read_timeout=5.0, total_timeout=0.5, retries=0)
    with HttpFetcher(settings_of(config).fetch) as client:
        assert client.get(fast).status == 200
        try:
            client.get(slow)
        except FetchError as exc:
            error = exc.message
        else:
            error = "no error"
        pools = client.session().get_adapter(fast).poolmanager.pools
        (key,) = pools.keys()
        assert pools[key].num_connections == 1, "the second request did not reuse the connection"
    assert error == "response took over 0.5 s in all ([fetch] total_timeout); stopped reading"
    (hit,) = server.hits("/slow")
    assert hit.sent < len(GOOD), "the whole drip was read before the deadline was noticed"


def test_a_host_name_that_cannot_be_resolved_is_one_clear_error(server: FeedServer) -> None:
    good = server.route("/good", Reply(GOOD))
    bad = "http://bad..name/feed"  # fails in the resolver itself: no DNS query leaves
    mentions, report = run(make_config(good, bad))
    assert len(mentions) == 2
    assert by_url(report)[bad]["error"].startswith("cannot connect:")
    assert "Failed to resolve 'bad..name'" in by_url(report)[bad]["error"]


def test_the_total_timeout_holds_during_a_dripped_tls_handshake() -> None:
    """A server that starts a TLS record of 16 KiB and sends it a byte at a time.

    CPython bounds a whole handshake by the socket timeout (here a long connect_timeout);
    the total deadline must cut it sooner.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    planned, sent = 100, [0]  # 100 bytes at 0.05 s: 5 s if nothing cuts it off
    stop = threading.Event()

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)  # the ClientHello
                conn.sendall(b"\x16\x03\x03\x40\x00")  # a handshake record of 16,384 bytes
                for _ in range(planned):
                    if stop.wait(0.05):
                        return
                    conn.sendall(b"\x00")
                    sent[0] += 1

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    config = make_config(connect_timeout=10.0, read_timeout=10.0, total_timeout=0.5, retries=0)
    try:
        with HttpFetcher(config.sections["fetch"]) as client:
            try:
                client.get(f"https://127.0.0.1:{port}/feed")
            except FetchError as exc:
                error = exc.message
            else:
                error = "no error"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)
    assert error == "response took over 0.5 s in all ([fetch] total_timeout); stopped reading"
    assert sent[0] < planned, "the whole handshake drip was waited for"
