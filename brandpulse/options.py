"""Options shared by every command, and the one place they are resolved into plain values."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from brandpulse import progress
from brandpulse.config import DATABASE_ENV, Config, Secrets, load_config
from brandpulse.store.backend import database_exists
from brandpulse.store.preflight import check_database

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Config file. Default: $BRANDPULSE_CONFIG, else ./brands.toml.",
        show_default=False,
    ),
]
DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="DuckDB database file, or a lake (ducklake:postgres:<DSN>)."
        " Default: $BRANDPULSE_DB, else [settings] database, else data/brandpulse.duckdb.",
        show_default=False,
    ),
]


@dataclass(frozen=True)
class Context:
    config: Config
    db: Path
    secrets: Secrets


def resolve(
    config_path: Path | None, db: Path | None, *, allow_demo: bool = False, write: bool = False
) -> Context:
    """Load the config and pick the database: --db, then $BRANDPULSE_DB, then the config.

    The database is checked before anything else runs (a folder, another kind of file, or,
    for commands that `write`, a read-only one is one clear error, not a traceback later).

    Commands that only read pass `allow_demo`: with no config, no database option and no
    database of one's own yet, they use the database `brandpulse demo` built (and say so),
    so the demo can be explored and exported right after it is built.
    """
    config = load_config(config_path)
    if db is None and os.environ.get(DATABASE_ENV):
        db = Path(os.environ[DATABASE_ENV])
    own = database_exists(config.settings.database)
    if allow_demo and db is None and config.path is None and not own:
        demo = _demo_fallback()
        if demo is not None:
            check_database(demo[1], write=write)
            return Context(config=demo[0], db=demo[1], secrets=Secrets.from_env())
    database = db or config.settings.database
    check_database(database, write=write)
    return Context(config=config, db=database, secrets=Secrets.from_env())


def _demo_fallback() -> tuple[Config, Path] | None:
    """Return the demo config and database when `brandpulse demo` has built one."""
    from brandpulse import demo  # only here: it pulls in the whole pipeline

    config = load_config(demo.DEMO_CONFIG)
    database = demo.default_database(config)
    if not database.exists():
        return None
    progress.say(f"no brands.toml or database here: using the demo database {database}")
    return config, database
