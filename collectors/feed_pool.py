"""Run many jobs on a thread pool with a per-host limit, and hand back results in job order.

A job waits in its host's queue instead of blocking a worker: with 8 workers and a
per-host limit of 2, twenty feeds on one slow host occupy 2 workers and the other 6 keep
serving the other hosts.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

J = TypeVar("J")
R = TypeVar("R")


def run_in_order(
    jobs: Sequence[J],
    work: Callable[[J], R],
    *,
    host: Callable[[J], Hashable | None],
    concurrency: int = 8,
    per_host: int = 2,
) -> Iterator[tuple[J, R]]:
    """Yield `(job, work(job))` in the order of `jobs`, running up to `concurrency` at once.

    At most `per_host` jobs with the same `host(job)` run together; a host of None (a local
    file) has no limit. `work` should not raise: an exception is re-raised here, in order.
    """
    if not jobs:
        return
    queues: dict[Hashable | None, deque[int]] = {}
    for index, job in enumerate(jobs):
        queues.setdefault(host(job), deque()).append(index)
    running: Counter[Hashable | None] = Counter()
    results: dict[int, Future[R]] = {}
    next_index = 0
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        active: dict[Future[R], Hashable | None] = {}

        def fill() -> None:
            # Started but not yet handed back stays under twice the pool size: while the
            # caller writes what it got, finished results wait in memory, and without this
            # bound every feed of a long list would be read into memory before the first write.
            while len(active) < concurrency and len(results) < 2 * max(1, concurrency):
                ready = [
                    (queue[0], key)
                    for key, queue in queues.items()
                    if queue and (key is None or running[key] < per_host)
                ]
                if not ready:
                    return
                index, key = min(ready)  # the earliest job that may start
                queues[key].popleft()
                running[key] += 1
                future = pool.submit(work, jobs[index])
                active[future] = key
                results[index] = future

        fill()
        while active:
            done, _ = wait(active, return_when=FIRST_COMPLETED)
            for future in done:
                running[active.pop(future)] -= 1
            fill()
            while next_index in results and results[next_index].done():
                future = results.pop(next_index)
                yield jobs[next_index], future.result()
                next_index += 1
            fill()  # what was handed back made room under the read-ahead bound
    while next_index in results:
        yield jobs[next_index], results.pop(next_index).result()
        next_index += 1
