"""Feeds are read concurrently, never more than `per_host` at once from one host."""

from __future__ import annotations

import threading

from brandpulse.collectors import feeds
from brandpulse.collectors.feed_pool import run_in_order
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


def test_one_slow_host_does_not_hold_up_the_others(server: FeedServer) -> None:
    # Two host names for the same server: "localhost" is slow, "127.0.0.1" is quick.
    slow = [server.url(f"/slow{n}", host="localhost") for n in range(4)]
    fast = [server.url(f"/fast{n}") for n in range(6)]
    for n in range(4):
        server.route(f"/slow{n}", Reply(rss(item(n)), delay=1.0))
    for n in range(6):
        server.route(f"/fast{n}", Reply(rss(item(10 + n))))
    config = make_config(*slow, *fast, concurrency=4, per_host=1, read_timeout=5)
    report = RunReport(source="feeds")
    mentions = list(
        feeds.collect(
            settings_of(config), config.terms, {}, feeds.open_client(settings_of(config)), report
        )
    )

    assert len(mentions) == 10 and not report.errors
    hosts = {seen.host.split(":")[0] for seen in server.seen}
    assert hosts == {"localhost", "127.0.0.1"}
    assert all(count <= 1 for count in server.most_active.values())
    first_slow_done = min(s.ended for s in server.seen if s.host.startswith("localhost"))
    # Every quick feed was served while the slow host was still answering its first one.
    assert all(s.ended < first_slow_done for s in server.seen if s.host.startswith("127."))
    # Results still come back in config order.
    assert [d["name"] for d in records(report)] == [*slow, *fast]


def test_the_pool_keeps_job_order_and_the_per_host_limit() -> None:
    lock = threading.Lock()
    running: dict[str, int] = {}
    most: dict[str, int] = {}
    release = threading.Event()

    def work(job: tuple[str, int]) -> int:
        host, n = job
        with lock:
            running[host] = running.get(host, 0) + 1
            most[host] = max(most.get(host, 0), running[host])
        release.wait(0.02)
        with lock:
            running[host] -= 1
        return n * 10

    jobs = [(h, n) for n in range(12) for h in ("a", "b", "c")]
    results = list(run_in_order(jobs, work, host=lambda j: j[0], concurrency=5, per_host=2))
    assert [r for _, r in results] == [n * 10 for _, n in jobs]
    assert [j for j, _ in results] == jobs
    assert max(most.values()) == 2
