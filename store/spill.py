"""The spill folder beside the database: what a run collected or recorded but could not write yet.

When the database stays busy past the write timeout, or a run is interrupted, the mentions
go to `<database>.outbox/` as Parquet files and run records as JSON files, each written to a
temporary name, flushed and renamed, so a file there is always whole. The next collection
writes them first and then deletes them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from brandpulse.store import lake
from brandpulse.store.records import Mention
from brandpulse.store.writes import mentions_to_arrow

_counter = itertools.count()


def outbox_dir(db: str | os.PathLike[str]) -> Path:
    """Return the folder that holds what could not be written to `db` yet.

    A lake has no folder of its own: its outbox is one of this user's cache folders, named
    after the lake's address (the same on every run, whatever the working folder).
    """
    if lake.is_lake(db):
        digest = hashlib.sha256(os.fspath(db).encode()).hexdigest()[:16]
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        return cache / "brandpulse" / "outbox" / f"lake-{digest}"
    return Path(f"{db}.outbox")


def _name(source: str, suffix: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in source)[:40]
    return f"{stamp}-{os.getpid()}-{next(_counter):04d}-{safe}{suffix}"


def _write_atomically(path: Path, write: Any) -> Path:
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(partial)
    except FileNotFoundError:  # the next run emptied and removed the folder just then
        path.parent.mkdir(parents=True, exist_ok=True)
        write(partial)
    fd = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, path)
    return path


def spill_mentions(db: str | os.PathLike[str], source: str, mentions: list[Mention]) -> Path:
    """Keep mentions (already pseudonymised) in a Parquet file in the outbox; return its path."""
    table = mentions_to_arrow(mentions)
    path = outbox_dir(db) / _name(source, ".parquet")
    return _write_atomically(path, lambda p: pq.write_table(table, p))


def spill_run(db: str | os.PathLike[str], source: str, record: dict[str, Any]) -> Path:
    """Keep a run record (and the cursors it carries) as JSON in the outbox; return its path."""
    path = outbox_dir(db) / _name(source, ".json")
    text = json.dumps(record, default=str, ensure_ascii=False)
    return _write_atomically(path, lambda p: p.write_text(text, encoding="utf-8"))


def pending(db: str | os.PathLike[str], suffix: str) -> list[Path]:
    """Return the outbox files ending in `suffix`, oldest first (whole files only)."""
    folder = outbox_dir(db)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith(suffix))


def read_mentions(path: Path) -> list[Mention]:
    """Return the mentions kept in one outbox Parquet file."""
    rows = pq.read_table(path).to_pylist()
    return [
        Mention(**{**row, "extra": json.loads(row["extra"]) if row["extra"] else {}})
        for row in rows
    ]


def read_run(path: Path) -> dict[str, Any]:
    """Return the run record kept in one outbox JSON file."""
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return record


def remove(path: Path) -> None:
    """Delete an outbox file once what it held is in the database."""
    path.unlink(missing_ok=True)
    folder = path.parent
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def row_count(path: Path) -> int:
    """Return how many mentions an outbox Parquet file holds, without reading them."""
    return int(pq.ParquetFile(path).metadata.num_rows)
