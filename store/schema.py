"""The database schema as named, ordered migrations, applied once each and recorded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
from brandpulse.store import trigram_bits
from brandpulse.store.sql import one

# Where a mention was posted, from `mentions m`: its subreddit, else its site (the feed's
# domain, else its URL's host) without a leading "www.". Copied into mention_brands.
CHANNEL_KIND_SQL = "CASE WHEN m.extra ->> 'subreddit' IS NULL THEN 'site' ELSE 'subreddit' END"
CHANNEL_SQL = (
    "coalesce(m.extra ->> 'subreddit', regexp_replace(coalesce(lower(m.extra ->> 'domain'),"
    " split_part(split_part(lower(m.url), '/', 3), ':', 1)), '^www\\.', ''))"
)


# A mention's sample key, from its id.
SAMPLE_KEY_SQL = "md5_number_upper({column})"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str
    # Run once the migration has committed, for data SQL cannot compute; it commits in
    # steps of its own, so an interruption keeps what was done (see each one for the rest).
    then: Callable[[duckdb.DuckDBPyConnection], object] | None = None


MIGRATIONS: Sequence[Migration] = (
    Migration(
        1,
        "initial",
        """
        CREATE TABLE mentions (
            id            VARCHAR PRIMARY KEY,
            source        VARCHAR NOT NULL,
            native_id     VARCHAR NOT NULL,
            url           VARCHAR,
            author        VARCHAR,
            title         VARCHAR NOT NULL,
            text          VARCHAR NOT NULL,
            published_at  TIMESTAMPTZ NOT NULL,
            collected_at  TIMESTAMPTZ NOT NULL,
            score         BIGINT,
            comments      BIGINT,
            extra         JSON
        );
        -- One row per mention and brand it matches. Time, source, label and engagement are
        -- copied here so that every dashboard aggregate is one scan of one table.
        CREATE TABLE mention_brands (
            mention_id    VARCHAR NOT NULL,
            brand         VARCHAR NOT NULL,
            term          VARCHAR,
            published_at  TIMESTAMPTZ NOT NULL,
            source        VARCHAR NOT NULL,
            label         VARCHAR,
            engagement    BIGINT,
            PRIMARY KEY (mention_id, brand)
        );
        CREATE TABLE mention_campaigns (
            mention_id    VARCHAR NOT NULL,
            campaign      VARCHAR NOT NULL,
            term          VARCHAR,
            PRIMARY KEY (mention_id, campaign)
        );
        CREATE TABLE sentiments (
            mention_id     VARCHAR PRIMARY KEY,
            label          VARCHAR NOT NULL,
            score          DOUBLE NOT NULL,
            whole_score    DOUBLE,
            scorer         VARCHAR NOT NULL,
            scorer_version VARCHAR NOT NULL,
            scored_at      TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE sentiment_corrections (
            mention_id     VARCHAR PRIMARY KEY,
            label          VARCHAR NOT NULL,
            scorer_label   VARCHAR,
            corrected_at   TIMESTAMPTZ NOT NULL
        );
        CREATE SEQUENCE collection_run_ids START 1;
        CREATE TABLE collection_runs (
            run_id        BIGINT PRIMARY KEY DEFAULT nextval('collection_run_ids'),
            source        VARCHAR NOT NULL,
            started_at    TIMESTAMPTZ NOT NULL,
            ended_at      TIMESTAMPTZ,
            status        VARCHAR NOT NULL,
            fetched       BIGINT NOT NULL DEFAULT 0,
            new           BIGINT NOT NULL DEFAULT 0,
            updated       BIGINT NOT NULL DEFAULT 0,
            skipped       BIGINT NOT NULL DEFAULT 0,
            errors        VARCHAR[] NOT NULL DEFAULT [],
            warnings      VARCHAR[] NOT NULL DEFAULT [],
            details       JSON
        );
        -- A counter bumped by every write, so readers can cache by "the data's last change".
        CREATE TABLE store_meta (
            key           VARCHAR PRIMARY KEY,
            value         BIGINT NOT NULL
        );
        INSERT INTO store_meta VALUES ('data_version', 0);
        CREATE TABLE source_state (
            source        VARCHAR NOT NULL,
            key           VARCHAR NOT NULL,
            value         JSON,
            updated_at    TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (source, key)
        );
        """,
    ),
    Migration(
        2,
        "alert_outbox",
        """
        -- One row per message and channel. `key` is channel + incident + incident state, so
        -- the same state is never queued (nor sent) twice.
        CREATE TABLE alert_outbox (
            key              VARCHAR PRIMARY KEY,
            channel          VARCHAR NOT NULL,
            kind             VARCHAR NOT NULL,
            incident_id      VARCHAR,
            state            VARCHAR,
            subject          VARCHAR NOT NULL,
            payload          JSON NOT NULL,
            status           VARCHAR NOT NULL,
            attempts         INTEGER NOT NULL DEFAULT 0,
            created_at       TIMESTAMPTZ NOT NULL,
            next_attempt_at  TIMESTAMPTZ NOT NULL,
            sent_at          TIMESTAMPTZ,
            last_error       VARCHAR
        );
        """,
    ),
    Migration(
        3,
        "relevance",
        """
        -- How likely each brand match is about that brand, the model that said so, and
        -- whether it counts (score at or above the brand's threshold, or a person's mark).
        -- NULL counted (rows from before scoring) counts.
        ALTER TABLE mention_brands ADD COLUMN relevance DOUBLE;
        ALTER TABLE mention_brands ADD COLUMN relevance_version VARCHAR;
        ALTER TABLE mention_brands ADD COLUMN counted BOOLEAN;
        CREATE TABLE relevance_marks (
            mention_id    VARCHAR NOT NULL,
            brand         VARCHAR NOT NULL,
            label         VARCHAR NOT NULL,
            marked_by     VARCHAR,
            marked_at     TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (mention_id, brand)
        );
        """,
    ),
    Migration(
        4,
        "suppressions",
        """
        -- What `forget` and `prune` erased, so a later collection does not store it again:
        -- kind 'author' holds a SHA-256 of the case-folded handle, kind 'mention' a mention
        -- id (itself a hash of source and native id). No content is kept.
        CREATE TABLE suppressions (
            kind          VARCHAR NOT NULL,
            value         VARCHAR NOT NULL,
            added_at      TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (kind, value)
        );
        """,
    ),
    Migration(
        5,
        "sentiment confidence and mention language",
        """
        -- The model's probability of its label (NULL for VADER); the detected language.
        ALTER TABLE sentiments ADD COLUMN confidence DOUBLE;
        ALTER TABLE mentions ADD COLUMN language VARCHAR;
        -- One row per `brandpulse sentiment train` run: what it compared and whether the
        -- project model was adopted.
        CREATE TABLE sentiment_trainings (
            trained_at     TIMESTAMPTZ PRIMARY KEY,
            corrections    BIGINT NOT NULL,
            adopted        BOOLEAN NOT NULL,
            model_sha256   VARCHAR,
            figures        JSON
        );
        """,
    ),
    Migration(
        6,
        "triage",
        """
        -- The team's work on a mention. A mention without a row here is "new", unassigned.
        CREATE TABLE triage (
            mention_id    VARCHAR PRIMARY KEY,
            status        VARCHAR NOT NULL DEFAULT 'new',
            assignee      VARCHAR,
            updated_at    TIMESTAMPTZ NOT NULL,
            updated_by    VARCHAR NOT NULL
        );
        CREATE TABLE mention_tags (
            mention_id    VARCHAR NOT NULL,
            tag           VARCHAR NOT NULL,
            PRIMARY KEY (mention_id, tag)
        );
        -- Read state is per person: one row per mention a person has read.
        CREATE TABLE mention_reads (
            mention_id    VARCHAR NOT NULL,
            person        VARCHAR NOT NULL,
            read_at       TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (mention_id, person)
        );
        CREATE SEQUENCE mention_note_ids START 1;
        CREATE TABLE mention_notes (
            note_id       BIGINT PRIMARY KEY DEFAULT nextval('mention_note_ids'),
            mention_id    VARCHAR NOT NULL,
            author        VARCHAR NOT NULL,
            created_at    TIMESTAMPTZ NOT NULL,
            body          VARCHAR NOT NULL
        );
        -- Who changed what and when: every triage change, correction and note.
        CREATE SEQUENCE triage_audit_ids START 1;
        CREATE TABLE triage_audit (
            audit_id      BIGINT PRIMARY KEY DEFAULT nextval('triage_audit_ids'),
            mention_id    VARCHAR NOT NULL,
            actor         VARCHAR NOT NULL,
            changed_at    TIMESTAMPTZ NOT NULL,
            action        VARCHAR NOT NULL,
            detail        VARCHAR
        );
        CREATE TABLE saved_views (
            name          VARCHAR PRIMARY KEY,
            query         VARCHAR NOT NULL,
            created_by    VARCHAR NOT NULL,
            created_at    TIMESTAMPTZ NOT NULL,
            is_default    BOOLEAN NOT NULL DEFAULT false
        );
        """,
    ),
    Migration(
        7,
        "author and channel beside each brand match, hourly rollups",
        f"""
        -- Copied from the mention, like its time, source and engagement, so that top voices
        -- are one scan of mention_brands without a join or a JSON read per row.
        ALTER TABLE mention_brands ADD COLUMN author VARCHAR;
        ALTER TABLE mention_brands ADD COLUMN channel_kind VARCHAR;
        ALTER TABLE mention_brands ADD COLUMN channel VARCHAR;
        UPDATE mention_brands SET author = m.author, channel_kind = {CHANNEL_KIND_SQL},
            channel = {CHANNEL_SQL}
        FROM mentions m WHERE m.id = mention_brands.mention_id;
        -- Brand matches per UTC hour, brand, source, label and counted flag: every write
        -- to mention_brands recomputes the hours it touched (store/rollups.py), so trend
        -- readers sum a few thousand rows instead of scanning millions.
        CREATE TABLE brand_hours (
            published_at  TIMESTAMPTZ NOT NULL,
            brand         VARCHAR NOT NULL,
            source        VARCHAR NOT NULL,
            label         VARCHAR,
            counted       BOOLEAN,
            mentions      BIGINT NOT NULL,
            engagement    BIGINT NOT NULL
        );
        INSERT INTO brand_hours
        SELECT to_timestamp((epoch_us(published_at) // 3600000000) * 3600), brand, source,
               label, counted, count(*), coalesce(sum(engagement), 0)
        FROM mention_brands GROUP BY ALL;
        """,
    ),
    Migration(
        8,
        "copies of one story",
        """
        -- Syndicated copies and reposts: each fingerprinted mention with the first stored
        -- mention of its story (itself when it is the first), its signature, and one row
        -- per band key for lookups.
        CREATE TABLE mention_copies (
            mention_id    VARCHAR PRIMARY KEY,
            original      VARCHAR NOT NULL,
            published_at  TIMESTAMPTZ NOT NULL,
            signature     BIGINT[] NOT NULL
        );
        CREATE TABLE mention_bands (
            band          BIGINT NOT NULL,
            mention_id    VARCHAR NOT NULL
        );
        CREATE INDEX mention_bands_band ON mention_bands (band);
        -- The original a match's mention copies (NULL: it is an original or has no copy),
        -- beside the other copied columns so "count copies once" stays one scan.
        ALTER TABLE mention_brands ADD COLUMN copy_of VARCHAR;
        """,
    ),
    Migration(
        9,
        "shared matches, the time of each read",
        """
        -- True when the match's mention names more than one brand (NULL counts as true).
        -- Readers counting distinct mentions count the other rows with count(*) and only
        -- the few shared ones with count(DISTINCT mention_id); every write of a mention's
        -- matches sets it (store/writes.py write_analysis).
        ALTER TABLE mention_brands ADD COLUMN shared BOOLEAN;
        UPDATE mention_brands SET shared = mention_id IN (
            SELECT mention_id FROM mention_brands GROUP BY mention_id HAVING count(*) > 1
        );
        -- The read mention's time, so "unread" looks only at the reads of the window (NULL:
        -- any time).
        ALTER TABLE mention_reads ADD COLUMN published_at TIMESTAMPTZ;
        UPDATE mention_reads SET published_at = m.published_at
        FROM mentions m WHERE m.id = mention_reads.mention_id;
        """,
    ),
    Migration(
        10,
        "sample keys, stored terms of sampled mentions",
        f"""
        -- A fixed pseudo-random key per mention (the first 8 bytes of its id's MD5), copied
        -- to each of its matches: the mentions with the lowest keys in scope are a uniform
        -- sample that is the same on every read (store/term_cache.py).
        ALTER TABLE mention_brands ADD COLUMN sample_key UBIGINT;
        UPDATE mention_brands SET sample_key = {SAMPLE_KEY_SQL.format(column="mention_id")};
        -- The distinct terms (analysis/terms.py, no brand words left out), one a line, of
        -- the mentions whose key is below the cache limit, written with the mention's text.
        CREATE TABLE mention_terms (
            mention_id    VARCHAR PRIMARY KEY,
            sample_key    UBIGINT NOT NULL,
            published_at  TIMESTAMPTZ NOT NULL,
            terms         VARCHAR NOT NULL
        );
        """,
    ),
    Migration(
        11,
        "trigram bits of each mention's title and text",
        """
        -- Which three-letter pieces a mention's title and text hold, as 512 bits
        -- (store/trigram_bits.py): a search reads only the texts whose bits hold all of its
        -- pieces. The mentions already stored get theirs from `then`; NULL (a fill cut
        -- short): always read.
        ALTER TABLE mentions ADD COLUMN trigram_bits_0 UBIGINT;
        ALTER TABLE mentions ADD COLUMN trigram_bits_1 UBIGINT;
        ALTER TABLE mentions ADD COLUMN trigram_bits_2 UBIGINT;
        ALTER TABLE mentions ADD COLUMN trigram_bits_3 UBIGINT;
        ALTER TABLE mentions ADD COLUMN trigram_bits_4 UBIGINT;
        ALTER TABLE mentions ADD COLUMN trigram_bits_5 UBIGINT;
        ALTER TABLE mentions ADD COLUMN trigram_bits_6 UBIGINT;
        ALTER TABLE mentions ADD COLUMN trigram_bits_7 UBIGINT;
        """,
        then=trigram_bits.fill_all,
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """Return the highest applied migration, 0 for a database brandpulse never touched."""
    exists = one(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    )
    if not exists or not exists[0]:
        return 0
    row = one(con, "SELECT coalesce(max(version), 0) FROM schema_migrations")
    return int(row[0])


def migrate(con: duckdb.DuckDBPyConnection) -> list[Migration]:
    """Apply every migration newer than the database, each in its own transaction."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    applied = []
    version = current_version(con)
    for migration in MIGRATIONS:
        if migration.version <= version:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, now())",
                [migration.version, migration.name],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(migration)
        if migration.then is not None:
            migration.then(con)
    return applied
