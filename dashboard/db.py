"""Database access for one rerun: a lazily opened read-only connection, and short writes.

The dashboard never keeps the database open between reruns, so a cron collection can always
take its write lock. Streamlit runs every browser session in a thread of one process, and
DuckDB refuses a read-only and a read-write connection to one file in the same process, so
reads share a lock that a write (a sentiment correction) takes alone.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.queries import data_version

# A correction is one small statement; a writer waiting longer than this is a stuck collection.
WRITE_TIMEOUT = 20.0


class SharedLock:
    """A readers-writer lock: any number of readers, or one writer.

    A waiting writer goes first: new readers queue behind it, so a correction is never
    starved by a stream of page views.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting_writers = 0

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        """Hold the lock alongside other readers."""
        with self._cond:
            while self._writing or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the lock alone, waiting for every reader to finish."""
        with self._cond:
            self._waiting_writers += 1
            try:
                while self._writing or self._readers:
                    self._cond.wait()
            finally:
                self._waiting_writers -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


LOCK = SharedLock()


class Reader:
    """One rerun's view of the database: connects on first use, closes at the end of the rerun.

    Cached readers receive it as `_reader` (Streamlit does not hash underscored arguments) and
    only touch `con` on a cache miss, so a rerun served from the cache costs one short
    connection to read the data version.
    """

    def __init__(self, db: Path) -> None:
        self.db = db
        self._stack = contextlib.ExitStack()
        self._con: duckdb.DuckDBPyConnection | None = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """Return the open read-only connection, opening it (with lock retries) if needed."""
        if self._con is None:
            stack = contextlib.ExitStack()
            with stack:
                stack.enter_context(LOCK.shared())
                self._con = stack.enter_context(read_connection(self.db))
                # Opened: hand both to the reader's stack, which closes them in release().
                self._stack.push(stack.pop_all())
        return self._con

    def version(self) -> int:
        """Return the data version: it changes whenever a collection or correction writes."""
        return data_version(self.con)

    def release(self) -> None:
        """Close the connection so that writers can get in; the next use reopens it."""
        self._con = None
        self._stack.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@contextlib.contextmanager
def writing(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a short write connection, once no session of this process is reading."""
    with LOCK.exclusive(), write_connection(db, timeout=WRITE_TIMEOUT) as con:
        yield con
