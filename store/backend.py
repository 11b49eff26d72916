"""What callers above the store use where a DuckDB file and a lake behave differently."""

from __future__ import annotations

from brandpulse.store.connection import absolute, database_exists
from brandpulse.store.lake import clear, is_lake, retry_conflicts, source_lock, sources_lock

__all__ = [
    "absolute",
    "clear",
    "database_exists",
    "is_lake",
    "retry_conflicts",
    "source_lock",
    "sources_lock",
]
