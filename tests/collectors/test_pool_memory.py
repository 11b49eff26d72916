"""The feed pool reads ahead of its consumer only so far: memory is bounded by the pool size."""

from __future__ import annotations

import threading

from brandpulse.collectors.feed_pool import run_in_order


def test_a_slow_first_feed_does_not_let_every_other_feed_pile_up_in_memory() -> None:
    started: list[int] = []
    lock = threading.Lock()
    everyone_else = threading.Event()

    def work(job: int) -> int:
        with lock:
            started.append(job)
            if len(started) == 40:
                everyone_else.set()
        if job == 0:
            # The head of the line is slow. Unbounded, the pool reads all 39 others (and
            # holds their results) meanwhile; bounded, it stops at twice its size and this
            # wait only ends by its timeout.
            everyone_else.wait(timeout=2)
        return job

    results = run_in_order(list(range(40)), work, host=lambda job: None, concurrency=2)
    assert next(results) == (0, 0)
    assert len(started) <= 4, f"{len(started)} feeds read before the first was handed back"
    assert [job for job, _ in results] == list(range(1, 40))
