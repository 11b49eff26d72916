"""Options shared by every command, and the one place they are resolved into plain values."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from brandpulse.config import DATABASE_ENV, Config, Secrets, load_config

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
        help="DuckDB database file. Default: $BRANDPULSE_DB, else [settings] database,"
        " else data/brandpulse.duckdb.",
        show_default=False,
    ),
]


@dataclass(frozen=True)
class Context:
    config: Config
    db: Path
    secrets: Secrets


def resolve(config_path: Path | None, db: Path | None) -> Context:
    """Load the config and pick the database: --db, then $BRANDPULSE_DB, then the config."""
    config = load_config(config_path)
    if db is None and os.environ.get(DATABASE_ENV):
        db = Path(os.environ[DATABASE_ENV])
    return Context(config=config, db=db or config.settings.database, secrets=Secrets.from_env())
