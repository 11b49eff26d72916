"""Every write: batched, idempotent upserts of mentions and analysis, run records and cursors.

Writes go through Arrow tables registered with DuckDB, never row by row: measured on this
kind of machine, row-by-row inserts into a keyed table run at under 1,000 rows/s and one
Arrow batch at several hundred thousand.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa
from brandpulse.store import lake, rollups, term_cache, trigram_bits
from brandpulse.store.records import (
    BrandMatch,
    CampaignMatch,
    Mention,
    RunReport,
    SentimentLabel,
    valid_text,
)
from brandpulse.store.schema import CHANNEL_KIND_SQL, CHANNEL_SQL, SAMPLE_KEY_SQL
from brandpulse.store.sql import one

_TS = pa.timestamp("us", tz="UTC")

MENTION_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("native_id", pa.string()),
        ("url", pa.string()),
        ("author", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("published_at", _TS),
        ("collected_at", _TS),
        ("score", pa.int64()),
        ("comments", pa.int64()),
        ("extra", pa.string()),
        ("language", pa.string()),
    ]
)

# Columns a re-collection may change; published_at and collected_at keep their first value
# so that a feed entry without a date does not move every time it is fetched again.
_UPDATABLE = ("url", "author", "title", "text", "score", "comments", "extra", "language")


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one transaction: all of it lands, or none of it does."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def bump_data_version(con: duckdb.DuckDBPyConnection) -> None:
    """Mark the data as changed, so cached dashboard results are recomputed."""
    if lake.is_lake_connection(con):
        return  # every commit makes a new snapshot, and its id is the lake's data version
    con.execute("UPDATE store_meta SET value = value + 1 WHERE key = 'data_version'")


def mentions_to_arrow(mentions: Iterable[Mention]) -> pa.Table:
    """Turn mentions into one Arrow table, keeping the last of any repeated id."""
    unique: dict[str, Mention] = {}
    for mention in mentions:
        unique[mention.id] = mention
    rows = list(unique.values())

    def column(name: str) -> list[Any]:
        if name == "extra":
            return [
                valid_text(json.dumps(m.extra, ensure_ascii=False, sort_keys=True))
                if m.extra
                else None
                for m in rows
            ]
        return [getattr(m, name) for m in rows]

    # One column at a time, so only one column's Python list is alive beside the Arrow data.
    return pa.Table.from_arrays(
        [pa.array(column(f.name), type=f.type) for f in MENTION_SCHEMA], schema=MENTION_SCHEMA
    )


def upsert_mentions(
    con: duckdb.DuckDBPyConnection,
    mentions: Iterable[Mention] | pa.Table,
    changed: dict[str, bool] | None = None,
) -> tuple[int, int]:
    """Insert new mentions and update changed ones; return (new, updated) counts.

    Unchanged mentions are not touched, so a second collection of the same posts writes
    nothing and reports (0, 0). Pass a dict as `changed` to learn which ids were written:
    it receives id -> True for new, False for updated.
    """
    batch = mentions if isinstance(mentions, pa.Table) else mentions_to_arrow(mentions)
    if batch.num_rows == 0:
        return 0, 0
    if lake.is_lake_connection(con):
        # No unique key in a lake: the check below and the insert are one source's writer's
        # alone until this transaction ends (ids are namespaced by source).
        lake.lock_sources(con, [str(s) for s in batch.column("source").unique().to_pylist()])
    con.register("_batch", batch)
    try:
        differs = " OR ".join(f"b.{c} IS DISTINCT FROM m.{c}" for c in _UPDATABLE)
        # Only ids and a flag are materialised; the rows themselves are read from the batch.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _changes AS "
            "SELECT b.id, m.id IS NULL AS is_new FROM _batch b LEFT JOIN mentions m USING (id) "
            f"WHERE m.id IS NULL OR {differs}"
        )
        row = one(
            con, "SELECT count(*) FILTER (is_new), count(*) FILTER (NOT is_new) FROM _changes"
        )
        new, updated = int(row[0]), int(row[1])
        if changed is not None:
            changed.update(con.execute("SELECT id, is_new FROM _changes").fetchall())
        if new or updated:
            # The trigram bits follow the title and text, so a batch that writes nothing
            # does not compute them; the batch's own columns are shared, not copied.
            written = trigram_bits.with_bits(batch)
            con.register("_written", written)
        if new:
            con.execute(
                f"INSERT INTO mentions ({', '.join(written.schema.names)})"
                " SELECT b.* FROM _written b WHERE b.id IN (SELECT id FROM _changes WHERE is_new)"
            )
        if updated:
            assignments = ", ".join(f"{c} = b.{c}" for c in _UPDATABLE + trigram_bits.COLUMNS)
            con.execute(
                f"UPDATE mentions SET {assignments} FROM _written b"
                " WHERE mentions.id = b.id AND b.id IN (SELECT id FROM _changes WHERE NOT is_new)"
            )
            # Engagement, author and channel are copied into mention_brands for fast
            # aggregates; keep them current.
            con.execute(
                "UPDATE mention_brands"
                " SET engagement = coalesce(m.score, 0) + coalesce(m.comments, 0),"
                f" author = m.author, channel_kind = {CHANNEL_KIND_SQL}, channel = {CHANNEL_SQL}"
                " FROM _batch m WHERE mention_brands.mention_id = m.id"
                " AND m.id IN (SELECT id FROM _changes WHERE NOT is_new)"
            )
            rollups.refresh_mentions(con, "SELECT id FROM _changes WHERE NOT is_new")
            # Stored terms were of the old text: the writer stores new ones (term_cache.store).
            term_cache.forget(con, "SELECT id FROM _changes WHERE NOT is_new")
        con.execute("DROP TABLE _changes")
        if new or updated:
            bump_data_version(con)
    finally:
        con.unregister("_batch")
        con.unregister("_written")
    return new, updated


def write_analysis(
    con: duckdb.DuckDBPyConnection,
    mention_ids: Sequence[str],
    brands: Iterable[BrandMatch],
    campaigns: Iterable[CampaignMatch],
    sentiments: Iterable[SentimentLabel],
) -> None:
    """Replace the brand, campaign and sentiment results of the given mentions.

    A user's correction in sentiment_corrections wins over the scorer's label wherever a
    label is shown, so re-scoring never undoes it.
    """
    if not mention_ids:
        return
    ids = pa.table({"mention_id": pa.array(list(dict.fromkeys(mention_ids)), pa.string())})
    brand_rows = list({(b.mention_id, b.brand): b for b in brands}.values())
    campaign_rows = list({(c.mention_id, c.campaign): c for c in campaigns}.values())
    sentiment_rows = list({s.mention_id: s for s in sentiments}.values())
    brand_table = pa.table(
        {
            "mention_id": pa.array([b.mention_id for b in brand_rows], pa.string()),
            "brand": pa.array([b.brand for b in brand_rows], pa.string()),
            "term": pa.array([b.term for b in brand_rows], pa.string()),
        }
    )
    campaign_table = pa.table(
        {
            "mention_id": pa.array([c.mention_id for c in campaign_rows], pa.string()),
            "campaign": pa.array([c.campaign for c in campaign_rows], pa.string()),
            "term": pa.array([c.term for c in campaign_rows], pa.string()),
        }
    )
    now = datetime.now(UTC)
    sentiment_table = pa.table(
        {
            "mention_id": pa.array([s.mention_id for s in sentiment_rows], pa.string()),
            "label": pa.array([s.label for s in sentiment_rows], pa.string()),
            "score": pa.array([s.score for s in sentiment_rows], pa.float64()),
            "whole_score": pa.array([s.whole_score for s in sentiment_rows], pa.float64()),
            "scorer": pa.array([s.scorer for s in sentiment_rows], pa.string()),
            "scorer_version": pa.array([s.scorer_version for s in sentiment_rows], pa.string()),
            "scored_at": pa.array([now] * len(sentiment_rows), _TS),
            "confidence": pa.array([s.confidence for s in sentiment_rows], pa.float64()),
        }
    )
    for name, table in (
        ("_ids", ids),
        ("_brands", brand_table),
        ("_campaigns", campaign_table),
        ("_sentiments", sentiment_table),
    ):
        con.register(name, table)
    try:
        for table in ("mention_brands", "mention_campaigns"):
            where = "mention_id IN (SELECT mention_id FROM _ids)"
            # A lake delete, even of nothing, conflicts with concurrent inserts: skip it then.
            if (
                not lake.is_lake_connection(con)
                or one(con, f"SELECT count(*) FROM {table} WHERE {where}")[0]
            ):
                con.execute(f"DELETE FROM {table} WHERE {where}")
        upsert(con, "sentiments", "_sentiments")
        con.execute(
            f"""
            INSERT INTO mention_brands
                (mention_id, brand, term, published_at, source, label, engagement,
                 author, channel_kind, channel, shared, sample_key)
            SELECT b.mention_id, b.brand, b.term, m.published_at, m.source,
                   coalesce(c.label, s.label),
                   coalesce(m.score, 0) + coalesce(m.comments, 0),
                   m.author, {CHANNEL_KIND_SQL}, {CHANNEL_SQL},
                   count(*) OVER (PARTITION BY b.mention_id) > 1,
                   {SAMPLE_KEY_SQL.format(column="b.mention_id")}
            FROM _brands b
            JOIN mentions m ON m.id = b.mention_id
            LEFT JOIN sentiments s ON s.mention_id = b.mention_id
            LEFT JOIN sentiment_corrections c ON c.mention_id = b.mention_id
            """
        )
        con.execute("INSERT INTO mention_campaigns SELECT * FROM _campaigns")
        # The rows were replaced: a copy of an earlier story stays marked as one.
        con.execute(
            "UPDATE mention_brands SET copy_of = k.original FROM mention_copies k"
            " WHERE k.mention_id = mention_brands.mention_id AND k.original <> k.mention_id"
            " AND mention_brands.mention_id IN (SELECT mention_id FROM _ids)"
        )
        rollups.refresh_mentions(con, "SELECT mention_id FROM _ids")
        bump_data_version(con)
    finally:
        for name in ("_ids", "_brands", "_campaigns", "_sentiments"):
            con.unregister(name)


def upsert(con: duckdb.DuckDBPyConnection, table: str, relation: str) -> None:
    """Write the rows of `relation` into `table`, replacing the rows with the same key
    (`INSERT ... ON CONFLICT DO UPDATE` on a file; `lake.replace_rows` on a lake, which has
    no keys). Columns are matched by name."""
    if lake.is_lake_connection(con):
        lake.replace_rows(con, table, relation)
        return
    keys = lake.KEYS[table]
    columns = [r[0] for r in con.execute(f"DESCRIBE {relation}").fetchall()]
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    con.execute(
        f"INSERT INTO {table} BY NAME SELECT * FROM {relation}"
        f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    )


def correct_sentiment(con: duckdb.DuckDBPyConnection, mention_id: str, label: str) -> bool:
    """Record a user's label for a mention; return False when no such mention exists."""
    return bool(correct_sentiments(con, [(mention_id, label)]))


def correct_sentiments(
    con: duckdb.DuckDBPyConnection, labels: Sequence[tuple[str, str]]
) -> list[str]:
    """Record users' labels, (mention id, label) each, the last one for an id winning;
    return the ids of the stored mentions among them (others are skipped). A mention keeps
    the scorer label of its first correction. One rollup refresh for all of them."""
    chosen = dict(labels)
    if not chosen:
        return []
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _correction AS SELECT t.mention_id, t.label,"
        " coalesce(c.scorer_label, s.label) AS scorer_label, now() AS corrected_at"
        " FROM (SELECT unnest(?::VARCHAR[]) AS mention_id, unnest(?::VARCHAR[]) AS label) t"
        " JOIN mentions m ON m.id = t.mention_id"
        " LEFT JOIN sentiment_corrections c ON c.mention_id = t.mention_id"
        " LEFT JOIN sentiments s ON s.mention_id = t.mention_id",
        [list(chosen), list(chosen.values())],
    )
    stored = {r[0] for r in con.execute("SELECT mention_id FROM _correction").fetchall()}
    if stored:
        # The scorer label stays the first correction's (`_correction` carries it over).
        upsert(con, "sentiment_corrections", "_correction")
        con.execute(
            "UPDATE mention_brands SET label = c.label FROM _correction c"
            " WHERE mention_brands.mention_id = c.mention_id"
        )
        rollups.refresh_mentions(con, "SELECT mention_id FROM _correction")
        bump_data_version(con)
    con.execute("DROP TABLE _correction")
    return [mention_id for mention_id in chosen if mention_id in stored]


# What a finished run reports, in `collection_runs` column order after source and start.
RUN_OUTCOME_COLUMNS = (
    "ended_at",
    "status",
    "fetched",
    "new",
    "updated",
    "skipped",
    "errors",
    "warnings",
    "details",
)


def run_outcome(report: RunReport) -> list[Any]:
    """Return a finished run's values for RUN_OUTCOME_COLUMNS."""
    return [
        report.ended_at or datetime.now(UTC),
        report.status,
        report.fetched,
        report.new,
        report.updated,
        report.skipped,
        report.errors,
        report.warnings,
        json.dumps([item.record() for item in report.items], default=str),
    ]


def record_run(con: duckdb.DuckDBPyConnection, report: RunReport) -> int:
    """Store one source's run report and return its run id."""
    columns = ", ".join(("source", "started_at", *RUN_OUTCOME_COLUMNS))
    values = [report.source, report.started_at, *run_outcome(report)]
    marks = ", ".join("?" * len(values))
    if lake.is_lake_connection(con):
        # A lake has no sequences of its own: the id comes from the catalog's PostgreSQL.
        run_id = lake.next_id(con, "collection_run_ids")
        con.execute(
            f"INSERT INTO collection_runs (run_id, {columns}) VALUES (?, {marks})",
            [run_id, *values],
        )
        return run_id
    row = one(
        con,
        f"INSERT INTO collection_runs ({columns}) VALUES ({marks}) RETURNING run_id",
        values,
    )
    return int(row[0])


def save_state(con: duckdb.DuckDBPyConnection, source: str, state: dict[str, Any]) -> None:
    """Save a source's cursors (one JSON value per key), replacing earlier values of those keys."""
    if not state:
        return
    now = datetime.now(UTC)
    rows = [(source, key, json.dumps(value, default=str), now) for key, value in state.items()]
    table = pa.table(
        {
            "source": pa.array([r[0] for r in rows], pa.string()),
            "key": pa.array([r[1] for r in rows], pa.string()),
            "value": pa.array([r[2] for r in rows], pa.string()),
            "updated_at": pa.array([r[3] for r in rows], _TS),
        }
    )
    con.register("_state", table)
    try:
        upsert(con, "source_state", "_state")
    finally:
        con.unregister("_state")


def _delete_mentions_where(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> int:
    """Delete matching mentions and everything derived from them; return how many went."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _gone AS SELECT id FROM mentions WHERE {where}", params
    )
    row = one(con, "SELECT count(*) FROM _gone")
    count = int(row[0])
    hours = rollups.hours_of(con, "SELECT id FROM _gone")
    for table in (
        "mention_brands",
        "mention_campaigns",
        "sentiments",
        "sentiment_corrections",
        # The team's triage of an erased mention goes with it (notes may quote its author).
        "triage",
        "mention_tags",
        "mention_reads",
        "mention_notes",
        "triage_audit",
        "mention_terms",
    ):
        con.execute(f"DELETE FROM {table} WHERE mention_id IN (SELECT id FROM _gone)")
    # Copies of an erased original count on their own again (never fewer than were said).
    con.execute("DELETE FROM mention_bands WHERE mention_id IN (SELECT id FROM _gone)")
    con.execute("DELETE FROM mention_copies WHERE mention_id IN (SELECT id FROM _gone)")
    con.execute(
        "UPDATE mention_copies SET original = mention_id WHERE original IN (SELECT id FROM _gone)"
    )
    con.execute("UPDATE mention_brands SET copy_of = NULL WHERE copy_of IN (SELECT id FROM _gone)")
    con.execute("DELETE FROM mentions WHERE id IN (SELECT id FROM _gone)")
    con.execute("DROP TABLE _gone")
    rollups.refresh(con, hours)
    if count:
        bump_data_version(con)
    return count


def record_training(
    con: duckdb.DuckDBPyConnection,
    corrections: int,
    adopted: bool,
    model_sha256: str | None,
    figures: dict[str, Any],
) -> None:
    """Record one run of `brandpulse sentiment train`."""
    con.execute(
        "INSERT INTO sentiment_trainings VALUES (now(), ?, ?, ?, ?)",
        [corrections, adopted, model_sha256, json.dumps(figures, sort_keys=True)],
    )
    bump_data_version(con)
