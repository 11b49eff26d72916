"""The one output format of every benchmark, and small measuring helpers."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def report(
    name: str,
    ours: float,
    baseline: float,
    unit: str,
    *,
    lower_is_better: bool = True,
    note: str = "",
) -> str:
    """Print and return `BENCH <name> ours=<v><unit> baseline=<v><unit> ratio=<x>`.

    The ratio is always "how many times better ours is": baseline/ours for times and
    bytes, ours/baseline for rates.
    """
    if lower_is_better:
        ratio = baseline / ours if ours else float("inf")
    else:
        ratio = ours / baseline if baseline else float("inf")
    line = f"BENCH {name} ours={ours:.4g}{unit} baseline={baseline:.4g}{unit} ratio={ratio:.2f}x"
    if note:
        line += f"  # {note}"
    print(line, flush=True)
    return line


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Run `fn` once and return its result and the wall-clock seconds it took."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def peak_rss_mb() -> float:
    """Return this process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """Return this process's resident memory right now, in MB (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 1024 / 1024


def peak_rss_during(fn: Callable[[], T], every: float = 0.005) -> tuple[T, float]:
    """Run `fn` and return its result and the peak RSS it added above the starting RSS, in MB."""
    import threading

    start = current_rss_mb()
    peak = start
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, current_rss_mb())
            time.sleep(every)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result = fn()
    finally:
        done.set()
        sampler.join()
    return result, max(peak, current_rss_mb()) - start


def corpora_root() -> Path:
    """Return the outside corpora: $BRANDPULSE_CORPORA, else ../shared/corpora beside the repo."""
    repo = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("BRANDPULSE_CORPORA") or repo.parent / "shared" / "corpora")
