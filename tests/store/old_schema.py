"""A database as an older release left it, for testing what a migration does to its rows."""

from __future__ import annotations

import duckdb
from brandpulse.store.schema import MIGRATIONS


def apply_migrations_up_to(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Create the migration table and apply the migrations up to `version`, recording each."""
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
        " name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    for migration in MIGRATIONS[:version]:
        con.execute(migration.sql)
        con.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, now())",
            [migration.version, migration.name],
        )
