"""The DuckLake backend: a catalog in PostgreSQL, Parquet data on disk or S3, same SQL.

A database named `ducklake:postgres:<libpq DSN>` is a lake. DuckLake has no primary keys,
no `ON CONFLICT` and no sequences, and it refuses a commit that deletes from a table another
transaction inserted into meanwhile. The store therefore: derives the lake's tables from
the same migrations with those parts translated (keys are kept in `KEYS` for the upserts),
takes ids from PostgreSQL sequences, serialises the writers of one source with a PostgreSQL
advisory lock (mention ids are namespaced by source, so within that lock a check-then-write
cannot race), and retries a whole write transaction that lost a commit race.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import random
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import duckdb
from brandpulse.store.errors import BrandpulseError, ConfigError, StoreBusy
from brandpulse.store.schema import LATEST_VERSION, MIGRATIONS
from brandpulse.store.sql import one

PREFIX = "ducklake:"
CATALOG_PREFIX = "ducklake:postgres:"
# The name the lake is attached under; a connection on it answers current_database() so.
ALIAS = "bp_lake"
# DuckDB version the extension wheels are built for; they load into that DuckDB only.
EXTENSION_VERSION = "1.5.5"
# (wheel package, extension name DuckDB loads it by)
EXTENSIONS = (
    ("duckdb_extension_ducklake", "ducklake"),
    ("duckdb_extension_postgres", "postgres_scanner"),
    ("duckdb_extension_httpfs", "httpfs"),
)
EXTENSIONS_ENV = "BRANDPULSE_EXTENSIONS"
# S3-compatible storage: the AWS tools' own variables, plus the address style.
S3_ENV = ("AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL")
URL_STYLE_ENV = "BRANDPULSE_S3_URL_STYLE"
# Tries of one write transaction that keeps losing commit races to other writers.
CONFLICT_TRIES = 60
T = TypeVar("T")


def is_lake(db: str | os.PathLike[str]) -> bool:
    """Return True when a database setting names a lake rather than a DuckDB file."""
    return os.fspath(db).startswith(PREFIX)


def catalog_dsn(db: str | os.PathLike[str]) -> str:
    """Return the PostgreSQL DSN of a lake's catalog, or raise ConfigError for another kind."""
    text = os.fspath(db)
    if not text.startswith(CATALOG_PREFIX) or not text[len(CATALOG_PREFIX) :].strip():
        raise ConfigError(
            f"cannot use the lake {text!r}: only a PostgreSQL catalog is supported",
            "give ducklake:postgres:<libpq DSN>, e.g. ducklake:postgres:host=db dbname=brandpulse",
        )
    dsn = text[len(CATALOG_PREFIX) :].strip()
    if "://" in dsn or ":/" in dsn.split()[0]:
        # A URI's `//` does not survive as a path option: only the key=value form is taken.
        raise ConfigError(
            f"cannot use the lake {text!r}: give the catalog as a key=value DSN",
            "e.g. ducklake:postgres:host=db.internal port=5432 dbname=brandpulse user=bp",
        )
    return dsn


def is_lake_connection(con: duckdb.DuckDBPyConnection) -> bool:
    """Return True when the connection's default database is the lake."""
    return str(one(con, "SELECT current_database()")[0]) == ALIAS


# -- extensions ------------------------------------------------------------------------------


def extension_directory() -> Path:
    """Return the local extension folder, filled from the extension wheels (no network)."""
    if duckdb.__version__ != EXTENSION_VERSION:
        raise ConfigError(
            f"a lake needs DuckDB {EXTENSION_VERSION} and this install has {duckdb.__version__}",
            "install the lake extra: pip install 'brandpulse[lake]'",
        )
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    base = Path(os.environ.get(EXTENSIONS_ENV) or cache / "brandpulse" / "duckdb-extensions")
    target = base / f"v{EXTENSION_VERSION}" / "linux_amd64"
    for package, name in EXTENSIONS:
        try:
            module = importlib.import_module(package)
        except ImportError:
            raise ConfigError(
                f"the DuckDB extension {name} is not installed",
                "install the lake extra: pip install 'brandpulse[lake]'",
            ) from None
        source = Path(str(module.__file__)).parent / "extensions" / f"v{EXTENSION_VERSION}"
        found = sorted(source.glob("*.duckdb_extension"))
        if not found:
            raise ConfigError(
                f"the {package} wheel holds no extension for DuckDB {EXTENSION_VERSION}",
                f"reinstall it: pip install --force-reinstall {package}=={EXTENSION_VERSION}",
            )
        wanted = target / f"{name}.duckdb_extension"
        if not wanted.exists() or wanted.stat().st_size != found[0].stat().st_size:
            target.mkdir(parents=True, exist_ok=True)
            # Copy then rename: another process loading it never sees half a file.
            partial = wanted.with_name(f"{wanted.name}.{os.getpid()}.part")
            shutil.copyfile(found[0], partial)
            os.replace(partial, wanted)
    return base


def s3_secret(env: dict[str, str] | os._Environ[str]) -> str | None:
    """Return the CREATE SECRET statement for S3 from the environment, or None when it
    names no S3 credentials or endpoint.

    Reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION (or
    AWS_DEFAULT_REGION) and AWS_ENDPOINT_URL (`http://host:port` for S3-compatible storage
    other than AWS; its scheme decides TLS). Addresses are path-style with an endpoint and
    virtual-host style without, unless BRANDPULSE_S3_URL_STYLE says `path` or `vhost`.
    """
    if not any(env.get(name) for name in S3_ENV):
        return None
    options = {
        "KEY_ID": env.get("AWS_ACCESS_KEY_ID"),
        "SECRET": env.get("AWS_SECRET_ACCESS_KEY"),
        "SESSION_TOKEN": env.get("AWS_SESSION_TOKEN"),
        "REGION": env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
    }
    endpoint = env.get("AWS_ENDPOINT_URL", "").strip().rstrip("/")
    style = env.get(URL_STYLE_ENV, "").strip().lower() or ("path" if endpoint else "vhost")
    if style not in ("path", "vhost"):
        raise ConfigError(
            f"{URL_STYLE_ENV}={style!r} is not an S3 address style",
            f"set {URL_STYLE_ENV} to path or vhost (or leave it unset)",
        )
    options["URL_STYLE"] = style
    parts = [f"{key} {_quote(value)}" for key, value in options.items() if value]
    if endpoint:
        scheme, _, host = endpoint.rpartition("://")
        if not host or scheme not in ("", "http", "https"):
            raise ConfigError(
                f"AWS_ENDPOINT_URL={endpoint!r} is not an http(s) address",
                "give the storage's address, e.g. AWS_ENDPOINT_URL=https://s3.example.com:9000",
            )
        parts += [f"ENDPOINT {_quote(host)}", f"USE_SSL {str(scheme != 'http').lower()}"]
    return f"CREATE OR REPLACE SECRET bp_s3 (TYPE s3, {', '.join(parts)})"


def _duckdb(data_path: str | None, dsn: str) -> duckdb.DuckDBPyConnection:
    secret = s3_secret(os.environ)
    con = duckdb.connect(
        ":memory:",
        config={
            "extension_directory": str(extension_directory()),
            "autoinstall_known_extensions": False,
            # Only from the local folder: httpfs loads itself when data lives on S3.
            "autoload_known_extensions": True,
        },
    )
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("LOAD ducklake")
        con.execute("LOAD postgres_scanner")
        if secret is not None:
            con.execute("LOAD httpfs")
            con.execute(secret)
        target = f"{CATALOG_PREFIX}{dsn}"
        # ATTACH takes no parameters: the literals are quoted here.
        options = "" if data_path is None else f" (DATA_PATH {_quote(data_path)})"
        con.execute(f"ATTACH {_quote(target)} AS {ALIAS}{options}")
        con.execute(f"USE {ALIAS}")
    except duckdb.Error as exc:
        con.close()
        first = str(exc).splitlines()[0]
        if "data_path is not set" in first:
            raise BrandpulseError(
                f"the lake {CATALOG_PREFIX}{dsn} is not initialised",
                "set [lake] data_path and run `brandpulse lake init` once, before other commands",
            ) from None
        raise StoreBusy(
            f"cannot open the lake's catalog ({dsn}): {first}",
            "check that PostgreSQL runs and the DSN in --db/[settings] database is right",
        ) from None
    return con


# One DuckDB instance per process and catalog, with the lake attached: loading the
# extensions (their signatures are checked) takes about a second, so connections are
# cursors on it. Each transaction still reads the lake's latest snapshot.
_instances: dict[tuple[int, str], duckdb.DuckDBPyConnection] = {}
_instances_lock = threading.Lock()
_dsn_of: dict[int, str] = {}


def _cursor(dsn: str) -> duckdb.DuckDBPyConnection:
    key = (os.getpid(), dsn)
    with _instances_lock:
        base = _instances.get(key)
        if base is None:
            base = _instances[key] = _duckdb(None, dsn)
    con = base.cursor()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"USE {ALIAS}")
    _dsn_of[id(con)] = dsn
    return con


def close_all() -> None:
    """Close this process's lake instances and catalog sessions (opened again on demand)."""
    with _instances_lock:
        for key in [k for k in _instances if k[0] == os.getpid()]:
            _instances.pop(key).close()
    with _pg_lock:
        for key in [k for k in _pg if k[0] == os.getpid()]:
            _pg.pop(key).close()


# -- PostgreSQL: advisory locks and sequences ------------------------------------------------

_pg_lock = threading.Lock()
_pg: dict[tuple[int, str], Any] = {}
_held: dict[tuple[int, str, str], int] = {}


def _pg_connection(dsn: str) -> Any:
    """Return this process's own PostgreSQL session for a catalog (locks live in it)."""
    import psycopg

    key = (os.getpid(), dsn)
    with _pg_lock:
        con = _pg.get(key)
        if con is None or con.closed:
            try:
                con = psycopg.connect(dsn, autocommit=True)
            except psycopg.Error as exc:
                raise StoreBusy(
                    f"cannot reach the lake's catalog ({dsn}): {exc}",
                    "check that PostgreSQL runs and the DSN is right",
                ) from None
            _pg[key] = con
        return con


@contextlib.contextmanager
def advisory_lock(dsn: str, name: str, *, wait: bool = True) -> Iterator[bool]:
    """Hold a PostgreSQL advisory lock named `name`; yield False when `wait` is off and
    another session holds it. Re-entrant within a process; the server drops it when the
    process dies, even by SIGKILL."""
    key = (os.getpid(), dsn, name)
    if _held.get(key):
        _held[key] += 1
        try:
            yield True
        finally:
            _held[key] -= 1
        return
    pg = _pg_connection(dsn)
    call = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
    row = pg.execute(f"SELECT {call}(hashtext('brandpulse'), hashtext(%s))", [name]).fetchone()
    if not wait and not (row and row[0] is not False):
        yield False
        return
    _held[key] = 1
    try:
        yield True
    finally:
        _held[key] -= 1
        if not _held[key]:
            del _held[key]
            pg.execute("SELECT pg_advisory_unlock(hashtext('brandpulse'), hashtext(%s))", [name])


def source_lock(db: str | os.PathLike[str], source: str) -> contextlib.AbstractContextManager[Any]:
    """Return the lock that serialises the writers of one source (none for a DuckDB file)."""
    return sources_lock(db, [source])


@contextlib.contextmanager
def sources_lock(db: str | os.PathLike[str], sources: Iterable[str]) -> Iterator[None]:
    """Hold the locks of several sources (sorted, so two writers cannot deadlock).

    Take it before the write transaction begins: a transaction reads the snapshot of its
    start, so one that began before the lock was granted could miss the previous writer's
    rows and store them again.
    """
    if not is_lake(db):
        yield
        return
    dsn = catalog_dsn(db)
    with contextlib.ExitStack() as stack:
        for source in sorted(set(sources)):
            stack.enter_context(advisory_lock(dsn, f"source:{source}"))
        yield


def sequence_name(sequence: str) -> str:
    """Return the PostgreSQL name of one of the schema's sequences."""
    return f"brandpulse_{sequence}"


def next_id(con: duckdb.DuckDBPyConnection, sequence: str) -> int:
    """Return the next value of a schema sequence, kept in the catalog's PostgreSQL."""
    pg = _pg_connection(_dsn_of[id(con)])
    got = pg.execute("SELECT nextval(%s)", [sequence_name(sequence)]).fetchone()
    return int(got[0])


# -- schema ----------------------------------------------------------------------------------

_SEQUENCE = re.compile(r"CREATE SEQUENCE (\w+)[^;]*;", re.IGNORECASE)
_INDEX = re.compile(r"CREATE (?:UNIQUE )?INDEX \w+ ON [^;]*;", re.IGNORECASE)
_TABLE = re.compile(r"CREATE TABLE (\w+) \((.*?)\n\s*\);", re.IGNORECASE | re.DOTALL)


def _keys(migrations: Any) -> dict[str, tuple[str, ...]]:
    keys: dict[str, tuple[str, ...]] = {}
    for migration in migrations:
        for table, body in _TABLE.findall(migration.sql):
            for line in body.splitlines():
                words = line.strip().rstrip(",").split()
                if line.strip().upper().startswith("PRIMARY KEY"):
                    inside = line[line.index("(") + 1 : line.rindex(")")]
                    keys[table] = tuple(c.strip() for c in inside.split(","))
                elif "PRIMARY KEY" in line.upper() and words:
                    keys[table] = (words[0],)
    return keys


# Each table's primary key in the file schema: what the lake's upserts replace rows by.
KEYS = _keys(MIGRATIONS)


def lake_sql(sql: str) -> str:
    """Translate a migration for DuckLake: no keys, indexes, sequences or list defaults."""
    sql = _SEQUENCE.sub("", sql)
    sql = _INDEX.sub("", sql)
    sql = re.sub(r",\s*\n\s*PRIMARY KEY \([^)]*\)", "", sql, flags=re.IGNORECASE)
    sql = re.sub(r" PRIMARY KEY", "", sql, flags=re.IGNORECASE)
    sql = re.sub(r" DEFAULT nextval\('\w+'\)", "", sql, flags=re.IGNORECASE)
    return re.sub(r" DEFAULT \[\]", "", sql, flags=re.IGNORECASE)


def sequences() -> list[str]:
    """Return the names of the sequences the migrations create."""
    return [name for m in MIGRATIONS for name in _SEQUENCE.findall(m.sql)]


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """Return the lake's highest applied migration, 0 for an uninitialised catalog."""
    found = one(
        con,
        "SELECT count(*) FROM information_schema.tables"
        " WHERE table_catalog = ? AND table_name = 'schema_migrations'",
        [ALIAS],
    )
    if not found[0]:
        return 0
    return int(one(con, f"SELECT coalesce(max(version), 0) FROM {ALIAS}.schema_migrations")[0])


def initialise(db: str | os.PathLike[str], data_path: str | None) -> list[int]:
    """Create or migrate the lake's catalog and tables; return the versions applied.

    One process at a time (an advisory lock): DuckLake cannot create a catalog or the same
    table from two processes at once.
    """
    dsn = catalog_dsn(db)
    with advisory_lock(dsn, "init"):
        con = _duckdb(data_path, dsn)
        try:
            pg = _pg_connection(dsn)
            for name in sequences():
                pg.execute(f"CREATE SEQUENCE IF NOT EXISTS {sequence_name(name)}")
            # Beside DuckLake's own tables: when `lake maintain` last ran and what it did.
            pg.execute(
                "CREATE TABLE IF NOT EXISTS brandpulse_maintenance (at TIMESTAMPTZ NOT NULL,"
                " files_before BIGINT, files_after BIGINT, bytes_before BIGINT, bytes_after BIGINT)"
            )
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL,"
                " name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
            )
            applied = []
            for migration in MIGRATIONS:
                if migration.version <= current_version(con):
                    continue
                con.execute("BEGIN TRANSACTION")
                try:
                    con.execute(lake_sql(migration.sql))
                    con.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, now())",
                        [migration.version, migration.name],
                    )
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                applied.append(migration.version)
            return applied
        finally:
            con.close()


def _require_current(con: duckdb.DuckDBPyConnection, db: str | os.PathLike[str]) -> None:
    version = current_version(con)
    if version < LATEST_VERSION:
        what = "not initialised" if version == 0 else "on an older schema than this brandpulse"
        raise BrandpulseError(
            f"the lake {os.fspath(db)} is {what}",
            "run `brandpulse lake init` once (with [lake] data_path set) before other commands",
        )


def open_lake(db: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """Open an initialised lake for reading and writing (refuse an uninitialised one)."""
    con = _cursor(catalog_dsn(db))
    try:
        _require_current(con, db)
    except BaseException:
        close(con)
        raise
    return con


def close(con: duckdb.DuckDBPyConnection) -> None:
    """Close a lake connection and release the source locks its writes took."""
    con.close()
    _dsn_of.pop(id(con), None)
    release(con)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def catalog_version(con: duckdb.DuckDBPyConnection) -> int:
    """Return the lake's latest snapshot id: it changes with every commit."""
    return int(one(con, f"SELECT max(snapshot_id) FROM ducklake_snapshots('{ALIAS}')")[0])


def is_conflict(exc: BaseException) -> bool:
    """Return True for DuckLake's 'another transaction changed this table' commit failure."""
    return isinstance(exc, duckdb.Error) and "Transaction conflict" in str(exc)


def retry_conflicts(db: str | os.PathLike[str], attempt: Callable[[], T]) -> T:
    """Run one write transaction, again from the start while it loses commit races.

    The whole attempt repeats (it re-reads what it decides on); on a DuckDB file it runs once.
    """
    if not is_lake(db):
        return attempt()
    delay = 0.02
    for tries in range(1, CONFLICT_TRIES + 1):
        try:
            return attempt()
        except duckdb.Error as exc:
            if not is_conflict(exc) or tries == CONFLICT_TRIES:
                raise
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")


_holds: dict[int, contextlib.ExitStack] = {}


def lock_sources(con: duckdb.DuckDBPyConnection, sources: list[str]) -> None:
    """Take the source locks of a write and keep them until its connection closes.

    Taken in sorted order, so two writers of several sources cannot deadlock. Inside a
    transaction this is only a guard: the caller must already hold them (`sources_lock`,
    as the pipeline does), since the transaction's snapshot predates a lock taken here.
    A write in autocommit mode (each statement its own snapshot) is safe either way.
    """
    dsn = _dsn_of[id(con)]
    stack = _holds.setdefault(id(con), contextlib.ExitStack())
    for source in sorted(set(sources)):
        stack.enter_context(advisory_lock(dsn, f"source:{source}"))


def release(con: duckdb.DuckDBPyConnection) -> None:
    """Release what `lock_sources` took for this connection (call after it closed)."""
    stack = _holds.pop(id(con), None)
    if stack is not None:
        stack.close()


@contextlib.contextmanager
def connection(db: str | os.PathLike[str]) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open an initialised lake for one short piece of work, and close it on exit."""
    con = open_lake(db)
    try:
        yield con
    finally:
        close(con)


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, relation: str) -> None:
    """Write the rows of `relation` into `table`, replacing those with the same key.

    What `INSERT ... ON CONFLICT (key) DO UPDATE` does on a file; the key comes from the
    table's primary key in the migrations. The delete is skipped when no key exists yet:
    a DuckLake delete conflicts with every concurrent insert into the table.
    """
    keys = ", ".join(KEYS[table])
    match = f"({keys}) IN (SELECT ({keys}) FROM {relation})"
    if len(KEYS[table]) == 1:
        match = f"{keys} IN (SELECT {keys} FROM {relation})"
    if one(con, f"SELECT count(*) FROM {table} WHERE {match}")[0]:
        con.execute(f"DELETE FROM {table} WHERE {match}")
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {relation}")


def lock_free_sources(con: duckdb.DuckDBPyConnection, sources: list[str]) -> list[str]:
    """Return the sources whose lock nobody holds, keeping their locks until the connection
    closes (so their writers wait until this transaction is over)."""
    dsn = _dsn_of[id(con)]
    stack = _holds.setdefault(id(con), contextlib.ExitStack())
    free = []
    for source in sorted(set(sources)):
        if stack.enter_context(advisory_lock(dsn, f"source:{source}", wait=False)):
            free.append(source)
    return free


# -- maintenance and status ------------------------------------------------------------------


def _files(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    row = one(
        con,
        "SELECT coalesce(sum(file_count), 0), coalesce(sum(file_size_bytes), 0)"
        f" FROM ducklake_table_info('{ALIAS}')",
    )
    return int(row[0]), int(row[1])


def maintain(db: str | os.PathLike[str], keep_minutes: float = 60.0) -> dict[str, int]:
    """Write inlined rows out, merge small files, expire old snapshots and delete the files
    nothing references any more; return the files and bytes before and after.

    Safe while collectors run (DuckLake commits each step like any writer); snapshots and
    files younger than `keep_minutes` stay, so readers that started on them finish.
    One maintenance at a time (an advisory lock).
    """
    dsn = catalog_dsn(db)
    with advisory_lock(dsn, "maintain"), connection(db) as con:
        before = _files(con)
        older = f"now() - INTERVAL '{float(keep_minutes) * 60} seconds'"
        steps = (
            f"CALL ducklake_flush_inlined_data('{ALIAS}')",
            f"CALL ducklake_merge_adjacent_files('{ALIAS}')",
            f"CALL ducklake_expire_snapshots('{ALIAS}', older_than => {older})",
            f"CALL ducklake_cleanup_old_files('{ALIAS}', older_than => {older})",
        )
        _run_steps(db, con, steps)
        after = _files(con)
        pg = _pg_connection(dsn)
        pg.execute(
            "INSERT INTO brandpulse_maintenance VALUES (now(), %s, %s, %s, %s)",
            [before[0], after[0], before[1], after[1]],
        )
    return {
        "files_before": before[0],
        "files_after": after[0],
        "bytes_before": before[1],
        "bytes_after": after[1],
    }


def _run_steps(db: str | os.PathLike[str], con: Any, steps: Sequence[str]) -> None:
    """Run DuckLake maintenance calls in order, each retried if it loses a commit race."""
    for step in steps:

        def run(sql: str = step) -> list[Any]:
            return con.execute(sql).fetchall()

        retry_conflicts(db, run)


def purge(db: str | os.PathLike[str], pending_key: str) -> None:
    """Remove erased rows from storage: write inlined rows out, rewrite every data file that
    has deletions, expire every snapshot but the latest and delete the files nothing
    references any more; then clear the `pending_key` mark in store_meta.

    A reader still on an older snapshot fails and reads again on the latest. One purge or
    maintenance at a time (an advisory lock).
    """
    dsn = catalog_dsn(db)
    with advisory_lock(dsn, "maintain"), connection(db) as con:
        steps = (
            f"CALL ducklake_flush_inlined_data('{ALIAS}')",
            # Threshold 0: a file with a single deleted row is rewritten without it.
            f"CALL ducklake_rewrite_data_files('{ALIAS}', delete_threshold => 0)",
            f"CALL ducklake_expire_snapshots('{ALIAS}', older_than => now())",
            f"CALL ducklake_cleanup_old_files('{ALIAS}', cleanup_all => true)",
        )
        _run_steps(db, con, steps)

        def clear_mark() -> None:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute("UPDATE store_meta SET value = 0 WHERE key = ?", [pending_key])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

        retry_conflicts(db, clear_mark)


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: int, *, keep_max: bool) -> None:
    """Set a store_meta value (or raise it to `value` when `keep_max`), the lake's upsert."""
    if keep_max:
        row = one(con, "SELECT max(value) FROM store_meta WHERE key = ?", [key])
        value = max(value, int(row[0])) if row[0] is not None else value
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _meta AS SELECT ?::VARCHAR AS key, ?::BIGINT AS value",
        [key, value],
    )
    replace_rows(con, "store_meta", "temp.main._meta")
    con.execute("DROP TABLE temp.main._meta")


def status(db: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the lake's snapshots, data files and sizes, and its last maintenance."""
    dsn = catalog_dsn(db)
    with connection(db) as con:
        snapshots = one(
            con,
            "SELECT count(*), max(snapshot_id), max(snapshot_time)"
            f" FROM ducklake_snapshots('{ALIAS}')",
        )
        files, size = _files(con)
        data_path = one(
            con,
            f"SELECT value FROM ducklake_options('{ALIAS}') WHERE option_name = 'data_path'",
        )[0]
    last = (
        _pg_connection(dsn)
        .execute(
            "SELECT at, files_before, files_after FROM brandpulse_maintenance"
            " ORDER BY at DESC LIMIT 1"
        )
        .fetchone()
    )
    return {
        "catalog": dsn,
        "data_path": data_path,
        "snapshots": int(snapshots[0]),
        "latest_snapshot": snapshots[1],
        "latest_change": snapshots[2],
        "files": files,
        "bytes": size,
        "last_maintenance": last,
    }


def import_file(db: str | os.PathLike[str], source: str | os.PathLike[str]) -> dict[str, int]:
    """Copy every table of a brandpulse database into an initialised, empty lake, in one
    transaction; return the rows copied per table.

    `source` is a `.duckdb` file this DuckDB can read, or the folder of an
    `EXPORT DATABASE ... (FORMAT parquet)` of one (how a file written by a newer DuckDB
    comes in: the lake extra pins DuckDB 1.5.5, which cannot open those files).
    """
    dsn = catalog_dsn(db)
    folder = Path(source).is_dir()
    copied: dict[str, int] = {}
    with advisory_lock(dsn, "import"), connection(db) as con:
        if one(con, "SELECT count(*) FROM mentions")[0]:
            raise BrandpulseError(
                f"the lake {os.fspath(db)} already holds mentions",
                "import into a new lake (`brandpulse lake init` on an empty catalog)",
            )
        if not folder:
            try:
                con.execute(f"ATTACH {_quote(os.fspath(source))} AS bp_import (READ_ONLY)")
            except duckdb.Error as exc:
                raise BrandpulseError(
                    f"cannot read {os.fspath(source)}: {str(exc).splitlines()[0]}",
                    "a file from a newer DuckDB: export it with that DuckDB, e.g. `duckdb"
                    f" {os.fspath(source)} -c \"EXPORT DATABASE 'export' (FORMAT parquet)\"`,"
                    " then `brandpulse lake import export`",
                ) from None

        def relation(table: str) -> str:
            if folder:
                return f"read_parquet({_quote(str(Path(source) / f'{table}.parquet'))})"
            return f"bp_import.{table}"

        try:
            migrations = relation("schema_migrations")
            version = int(one(con, f"SELECT max(version) FROM {migrations}")[0])
            if version != LATEST_VERSION:
                raise BrandpulseError(
                    f"{os.fspath(source)} is at schema {version}, this brandpulse at"
                    f" {LATEST_VERSION}",
                    f"run `brandpulse status --db {os.fspath(source)}` once to upgrade it",
                )
            tables = _tables(con, except_=("schema_migrations",))
            con.execute("BEGIN TRANSACTION")
            for table in tables:
                if table == "store_meta":
                    con.execute("DELETE FROM store_meta")
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {relation(table)}")
                copied[table] = int(one(con, f"SELECT count(*) FROM {relation(table)}")[0])
            con.execute("COMMIT")
            pg = _pg_connection(dsn)
            for sequence, (table, column) in _SEQUENCE_COLUMNS.items():
                top = one(con, f"SELECT coalesce(max({column}), 0) FROM {table}")[0]
                pg.execute("SELECT setval(%s, %s)", [sequence_name(sequence), int(top) + 1])
        finally:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            if not folder:
                con.execute("DETACH bp_import")
    return copied


def _tables(con: duckdb.DuckDBPyConnection, except_: tuple[str, ...]) -> list[str]:
    """Return the lake's table names, sorted, leaving out `except_`."""
    marks = ", ".join("?" * len(except_))
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ?"
        f" AND table_name NOT IN ({marks}) ORDER BY 1",
        [ALIAS, *except_],
    ).fetchall()
    return [str(r[0]) for r in rows]


def _sequence_columns() -> dict[str, tuple[str, str]]:
    found = {}
    pattern = re.compile(r"CREATE TABLE (\w+) \(\s*(\w+)[^,]*nextval\('(\w+)'\)", re.IGNORECASE)
    for migration in MIGRATIONS:
        for table, column, sequence in pattern.findall(migration.sql):
            found[sequence] = (table, column)
    return found


# Which table column each sequence numbers, from the migrations.
_SEQUENCE_COLUMNS = _sequence_columns()


def clear(db: str | os.PathLike[str]) -> None:
    """Delete every row of every table (the catalog and schema stay): a lake made empty."""
    with connection(db) as con:
        tables = _tables(con, except_=("schema_migrations", "store_meta"))
        con.execute("BEGIN TRANSACTION")
        for table in tables:
            con.execute(f"DELETE FROM {table}")
        con.execute("COMMIT")


def next_ids(con: duckdb.DuckDBPyConnection, sequence: str, count: int) -> list[int]:
    """Return `count` new values of a schema sequence (PostgreSQL's, as `next_id`)."""
    pg = _pg_connection(_dsn_of[id(con)])
    rows = pg.execute(
        "SELECT nextval(%s) FROM generate_series(1, %s)", [sequence_name(sequence), count]
    ).fetchall()
    return [int(r[0]) for r in rows]


def insert_missing(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Insert the rows whose key is not stored yet: `ON CONFLICT DO NOTHING` on a file."""
    keys = KEYS[table]
    at = [list(columns).index(k) for k in keys]
    match = " AND ".join(f"{k} = ?" for k in keys)
    marks = ", ".join("?" for _ in columns)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {marks}"
        f" WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {match})"
    )
    for row in rows:
        con.execute(sql, [*row, *(row[i] for i in at)])
