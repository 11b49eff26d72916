"""Rewriting the database file, so that erased rows leave the disk and not just the tables."""

from __future__ import annotations

import os
from pathlib import Path

from brandpulse.store.connection import WRITE_TIMEOUT, connect_retrying


def rewrite_database(path: str | os.PathLike[str]) -> None:
    """Copy every live row into a fresh file and swap it in place of the old one.

    DuckDB reuses the blocks of deleted rows but does not wipe them, so after an erasure
    request the old bytes could still be read from the file. Call it under the collection
    lock; a reader that has the old file open keeps reading it until it closes.
    """
    db = Path(path)
    fresh = db.with_name(db.name + ".rewrite")
    fresh.unlink(missing_ok=True)
    con = connect_retrying(db, read_only=False, timeout=WRITE_TIMEOUT)
    try:
        name = con.execute("SELECT current_database()").fetchall()[0][0]
        con.execute("ATTACH ? AS fresh", [str(fresh)])
        con.execute(f'COPY FROM DATABASE "{name}" TO fresh')
        con.execute("DETACH fresh")
    except BaseException:
        fresh.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(fresh, db)
