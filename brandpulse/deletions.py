"""Erase what a source's authors or moderators deleted: the collector says which recently
stored items are gone upstream, the store erases them, and the run counts them."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from brandpulse.store.connection import database_exists, read_connection, write_connection
from brandpulse.store.records import ItemResult, RunReport
from brandpulse.store.upstream import erase_native_ids, recent_native_ids
from brandpulse.store.writes import transaction

TARGET = "re-check of stored items"
KIND = "re-check"


def erase_deleted_upstream(
    db: Path, name: str, module: ModuleType, settings: Any, client: Any, report: RunReport
) -> set[str]:
    """Re-check the source's recent stored items and erase those deleted upstream; return
    their native ids (a mention of this run with one of them must not be stored again).

    Sources without `recheck_since` and `deleted_upstream` are left alone, as is a
    database that does not exist yet.
    """
    since_of = getattr(module, "recheck_since", None)
    check = getattr(module, "deleted_upstream", None)
    if since_of is None or check is None or not database_exists(db):
        return set()
    since = since_of(settings, report.started_at)
    if since is None:
        return set()
    with read_connection(db) as con:
        stored = recent_native_ids(con, name, since)
    if not stored:
        return set()
    found, checked = check(client, stored, report)
    gone = set(found)
    erased = 0
    if gone:
        with write_connection(db) as con, transaction(con):
            erased = erase_native_ids(con, name, sorted(gone))
    report.items.append(ItemResult(TARGET, KIND, facts={"checked": checked, "erased": erased}))
    return gone
