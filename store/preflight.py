"""Check that a database path can be used before a command does any work with it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from brandpulse.store import lake
from brandpulse.store.errors import ConfigError

# A DuckDB file carries these bytes at offset 8 of its first block.
MAGIC = b"DUCK"
MAGIC_AT = 8


def check_database(path: str | os.PathLike[str], *, write: bool) -> None:
    """Raise ConfigError when `path` is a folder, not a DuckDB file, unreadable, or (for a
    command that writes) read-only or in a folder that cannot be written.

    A path that does not exist yet is fine for a writer whose folder can hold it; readers
    leave the "no database yet" message to the read itself. A lake's address is checked for
    its form here; whether it is reachable and initialised, by its first connection.
    """
    if lake.is_lake(path):
        lake.catalog_dsn(path)
        return
    db = Path(path)
    try:
        info = db.stat()
    except (FileNotFoundError, NotADirectoryError) as exc:
        if write or isinstance(exc, NotADirectoryError):
            _check_new(db)
        return
    except OSError as exc:
        raise ConfigError(
            f"cannot use the database {db}: {exc.strerror or exc}",
            "check the path given with --db, $BRANDPULSE_DB or [settings] database",
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(
            f"the database {db} is a folder, not a file",
            f"give a file path, e.g. --db {db / 'brandpulse.duckdb'}",
        )
    try:
        with db.open("rb") as handle:
            head = handle.read(MAGIC_AT + len(MAGIC))
    except OSError as exc:
        raise ConfigError(
            f"cannot read the database {db}: {exc.strerror or exc}",
            f"give this user read access to {db}, or use another --db",
        ) from None
    if head[MAGIC_AT:] != MAGIC:
        what = "an empty file" if not head else "not a DuckDB database"
        raise ConfigError(
            f"the database {db} is {what}",
            "point --db at the brandpulse database, or at a new file name to start one;"
            " brandpulse does not overwrite other files",
        )
    # No write bit for anyone means read-only by intent, even for root, who could write it.
    if write and (not os.access(db, os.W_OK) or not info.st_mode & 0o222):
        raise ConfigError(
            f"the database {db} is read-only, and this command writes to it",
            f"make it writable (chmod u+w {db}), or read it with status, export or dashboard",
        )


def _check_new(db: Path) -> None:
    folder = db.parent
    for parent in (folder, *folder.parents):
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(
                    f"cannot create the database {db}: {parent} is a file, not a folder",
                    "give a --db path inside a folder",
                )
            if not os.access(parent, os.W_OK | os.X_OK):
                raise ConfigError(
                    f"cannot create the database {db}: {parent} is not writable",
                    "give a --db path in a folder this user can write",
                )
            return
