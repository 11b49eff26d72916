"""Short-lived DuckDB connections that wait out other processes' locks, and the collection lock.

DuckDB lets one process hold a database file for writing and then no other process may open
it, even read-only. Every connection here is therefore short and retried with back-off, so a
dashboard reading and a cron collection writing take turns instead of failing. A writer that
has to wait puts up a marker file (`<database>.writer-waiting`); new readers wait while it is
fresh, so a busy dashboard cannot keep the writer out for good.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from brandpulse.store import lake
from brandpulse.store.errors import BrandpulseError, StoreBusy
from brandpulse.store.schema import LATEST_VERSION, current_version, migrate

# Seconds a reader or writer keeps retrying before it reports the database as busy.
READ_TIMEOUT = 15.0
WRITE_TIMEOUT = 60.0
# A waiting writer touches its marker at every retry (at most every 0.25 s); one older than
# this was left by a writer that died, and readers ignore it.
MARKER_FRESH = 5.0


def _is_lock_conflict(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def writer_marker(path: str | os.PathLike[str]) -> Path:
    """Return the marker file a writer keeps fresh while it waits for the database."""
    return Path(f"{path}.writer-waiting")


def _writer_waiting(path: Path) -> bool:
    marker = writer_marker(path)
    try:
        age = time.time() - marker.stat().st_mtime
    except OSError:
        return False
    return age < MARKER_FRESH


def _touch_marker(path: Path) -> None:
    marker = writer_marker(path)
    # In a read-only folder the writer still gets in, only without priority.
    with contextlib.suppress(OSError):
        marker.write_text(f"pid {os.getpid()}", encoding="utf-8")


def connect_retrying(
    path: Path, *, read_only: bool, timeout: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Connect, retrying with back-off while another process holds the file's lock.

    A writer that meets a lock marks itself as waiting; a reader does not even try while a
    writer is waiting, so the readers already in finish and the writer gets its turn.
    """
    if timeout is None:
        timeout = READ_TIMEOUT if read_only else WRITE_TIMEOUT
    deadline = time.monotonic() + timeout
    delay = 0.01
    marked = False
    try:
        while True:
            conflict = ""
            if read_only and _writer_waiting(path):
                conflict = "a writer is waiting for the database"
            else:
                try:
                    con = duckdb.connect(str(path), read_only=read_only)
                except duckdb.IOException as exc:
                    if not _is_lock_conflict(exc):
                        raise
                    conflict = str(exc).splitlines()[0]
                else:
                    # DuckDB draws a progress bar on stdout for statements over 2 s: it would
                    # land in cron logs and in the output of any process reading ours.
                    con.execute("SET enable_progress_bar = false")
                    return con
            if not read_only:
                _touch_marker(path)
                marked = True
            if time.monotonic() >= deadline:
                raise StoreBusy(
                    f"database {path} stayed locked by another process for {timeout:.0f} s",
                    "wait for the running collection to finish, or stop the process"
                    " named in: " + conflict,
                )
            # Jitter keeps a reader and a writer that collided from colliding again in lockstep.
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.25)
    finally:
        if marked:
            writer_marker(path).unlink(missing_ok=True)


@contextlib.contextmanager
def write_connection(
    path: str | os.PathLike[str], *, timeout: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database for writing (creating and migrating it), and close it on exit."""
    if lake.is_lake(path):
        with lake.connection(path) as con:
            yield con
        return
    db = Path(path)
    db.parent.mkdir(parents=True, exist_ok=True)
    con = connect_retrying(db, read_only=False, timeout=timeout)
    try:
        migrate(con)
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def read_connection(
    path: str | os.PathLike[str], *, timeout: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database read-only for one short read, waiting while a writer holds it."""
    if lake.is_lake(path):
        with lake.connection(path) as con:
            yield con
        return
    db = Path(path)
    if not db.exists():
        raise BrandpulseError(
            f"no database at {db}",
            "run `brandpulse collect` to start collecting, or `brandpulse demo` to load demo data",
        )
    con = connect_retrying(db, read_only=True, timeout=timeout)
    try:
        if current_version(con) < LATEST_VERSION:
            raise BrandpulseError(
                f"database {db} has an older schema than this brandpulse",
                "run `brandpulse status` once to upgrade it",
            )
        yield con
    finally:
        con.close()


def database_exists(path: str | os.PathLike[str]) -> bool:
    """Return True when the database (a file, or a lake's catalog) exists."""
    return lake.is_lake(path) or Path(path).exists()


def beside(path: str | os.PathLike[str], suffix: str) -> Path | None:
    """Return the path of a file kept beside the database, named after it with `suffix`;
    None for a lake, which has no folder of its own to keep files in."""
    if lake.is_lake(path):
        return None
    db = Path(path)
    return db.with_name(db.stem + suffix)


def absolute(path: str | os.PathLike[str]) -> str:
    """Return the database as another working folder reaches it (a lake's address as is)."""
    return os.fspath(path) if lake.is_lake(path) else str(Path(path).resolve())


def schema_is_current(path: str | os.PathLike[str], *, timeout: float | None = None) -> bool:
    """Return False when the database exists with an older schema than this brandpulse."""
    if lake.is_lake(path):
        return True  # an older lake is refused by every connection, with its fix
    db = Path(path)
    if not db.exists():
        return True
    con = connect_retrying(db, read_only=True, timeout=timeout)
    try:
        return current_version(con) >= LATEST_VERSION
    finally:
        con.close()


@contextlib.contextmanager
def collection_lock(db_path: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the lock that keeps two collections from writing the same database at once.

    The lock is an flock on `<database>.lock`; the kernel releases it when the process
    dies, so a run killed with SIGKILL never leaves a stale lock behind. A lake has no
    such lock: its collections lock one source at a time (`lake.source_lock`).
    """
    if lake.is_lake(db_path):
        yield Path(os.fspath(db_path))
        return
    lock_path = Path(f"{db_path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole with-block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            raise StoreBusy(
                f"another collection is already running on {db_path} ({holder})",
                "let it finish; cron runs that overlap are skipped, not queued",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(
            f"pid {os.getpid()}, started {datetime.now(UTC).isoformat(timespec='seconds')}"
        )
        handle.flush()
        yield lock_path
    finally:
        handle.close()
