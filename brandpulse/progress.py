"""Progress for long runs: a live bar on a terminal, one quiet line per step under cron."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

err = Console(stderr=True, highlight=False, soft_wrap=True)


def interactive() -> bool:
    """Return True when a person is watching stderr (so a live bar is worth drawing)."""
    return sys.stderr.isatty()


def say(message: str) -> None:
    """Print a status line to stderr, keeping stdout for data."""
    err.print(message, markup=False)


def log(message: str) -> None:
    """Print a status line to stderr; under cron each line starts with an ISO UTC timestamp."""
    if interactive():
        say(message)
        return
    stamp = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    say("\n".join(f"{stamp} {line}" for line in message.splitlines()))


@contextmanager
def bar(description: str) -> Iterator[Callable[[int, int | None], None] | None]:
    """Yield an update(done, total) callback drawing a live bar on a terminal, else None."""
    if not interactive():
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int | None = None) -> None:
            progress.update(task, completed=done, total=total)

        yield update
