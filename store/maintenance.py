"""Rewriting the database file, so that erased rows leave the disk and not just the tables."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
from brandpulse.store import lake
from brandpulse.store.connection import connect_retrying
from brandpulse.store.errors import BrandpulseError
from brandpulse.store.sql import one

# store_meta key set in the same transaction as an erasure and cleared in the rewritten
# file: while it is 1, the old bytes may still be on disk and the next erasure rewrites.
PENDING_KEY = "rewrite_pending"
# Fixed aliases: nothing in the SQL comes from the file's name.
_TARGET = "bp_rewrite_target"


def quote_identifier(name: str) -> str:
    """Return `name` as a DuckDB identifier: in double quotes, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def mark_rewrite_pending(con: duckdb.DuckDBPyConnection) -> None:
    """Record, inside the erasure's transaction, that the file still holds erased bytes."""
    if lake.is_lake_connection(con):
        lake.set_meta(con, PENDING_KEY, 1, keep_max=False)
        return
    con.execute(
        "INSERT INTO store_meta VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET value = 1",
        [PENDING_KEY],
    )


def rewrite_pending(con: duckdb.DuckDBPyConnection) -> bool:
    """Return True when an erasure committed but its file rewrite has not finished yet."""
    row = one(con, "SELECT coalesce(max(value), 0) FROM store_meta WHERE key = ?", [PENDING_KEY])
    return bool(row[0])


def rewrite_database(path: str | os.PathLike[str]) -> None:
    """Copy every live row into a fresh file and swap it in place of the old one, atomically
    (on a lake: rewrite its data files without the erased rows and drop the old ones).

    DuckDB reuses the blocks of deleted rows but does not wipe them, so after an erasure
    request the old bytes could still be read from the file. The copy goes to
    `<database>.rewrite`, is flushed to disk, then renamed over the database: a crash leaves
    either the old file (with the pending mark, so the next erasure finishes the job) or the
    new one, never half of each. Call it under the collection lock; a reader that has the old
    file open keeps reading it until it closes.
    """
    if lake.is_lake(path):
        try:
            lake.purge(path, PENDING_KEY)
        except (OSError, duckdb.Error) as exc:
            raise BrandpulseError(
                f"the erased mentions are gone from the lake's tables, but rewriting its data"
                f" files failed: {str(exc).splitlines()[0]}",
                "fix the cause (storage reachable, space, permissions), then run `brandpulse"
                " forget` or `prune` again: it finishes the rewrite",
            ) from exc
        return
    db = Path(path)
    fresh = db.with_name(db.name + ".rewrite")
    try:
        _rewrite(db, fresh)
    except (OSError, duckdb.Error) as exc:
        raise BrandpulseError(
            f"the erased mentions are gone from the tables, but rewriting {db} failed: {exc}",
            f"fix the cause (disk space, permissions, {fresh.name} in the way), then run"
            " `brandpulse forget` or `prune` again: it finishes the rewrite",
        ) from exc


def _rewrite(db: Path, fresh: Path) -> None:
    fresh.unlink(missing_ok=True)
    con = connect_retrying(db, read_only=False)
    try:
        # Everything in the write-ahead log goes into the file first, so none of it is left
        # in a `.wal` beside the database to be replayed onto the fresh copy.
        con.execute("CHECKPOINT")
        source = str(one(con, "SELECT current_database()")[0])
        target = _TARGET if source != _TARGET else _TARGET + "_2"
        con.execute(f"ATTACH ? AS {target}", [str(fresh)])
        con.execute(f"COPY FROM DATABASE {quote_identifier(source)} TO {target}")
        con.execute(f"UPDATE {target}.store_meta SET value = 0 WHERE key = ?", [PENDING_KEY])
        con.execute(f"DETACH {target}")
    except BaseException:
        con.close()
        fresh.unlink(missing_ok=True)
        raise
    con.close()
    _fsync(fresh)
    os.replace(fresh, db)
    _fsync(db.parent)


def _fsync(path: Path) -> None:
    """Flush a file's (or a folder's entries') data to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
