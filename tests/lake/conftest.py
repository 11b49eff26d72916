"""A real PostgreSQL (pgserver) for the lake tests, and a fresh initialised lake per test.

The lake needs the `lake` extra (DuckDB 1.5.5 and the extension wheels); `make test` runs
this folder in `.venv-lake`, which has it. In an environment without it, nothing here runs.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

LAKE_READY = duckdb.__version__ == "1.5.5"
if not LAKE_READY:
    # The plain install (another DuckDB) cannot load the lake's extensions.
    collect_ignore_glob = ["test_*.py"]

_numbers = itertools.count()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Let DuckDB 1.5's own use of a pandas keyword deprecated in pandas 3.1 pass."""
    for item in items:
        if "tests/lake/" in str(item.fspath):
            item.add_marker(pytest.mark.filterwarnings("ignore:The inplace keyword"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A PostgreSQL server of this test session, reached over a unix socket: its DSN."""
    # A short path: a unix socket's path must stay under 108 bytes.
    folder = Path(tempfile.mkdtemp(prefix="bp-pg-"))
    with warnings.catch_warnings():
        # pgserver asks platformdirs for a runtime folder, which warns when XDG_RUNTIME_DIR
        # is unset (CI containers); the folder is not used.
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(folder / "data", cleanup_mode="stop")
    dsn = f"host={folder / 'data'} dbname=postgres user=postgres"
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as pg:
        # A throw-away server: no waiting for the disk at each commit or checkpoint.
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            pg.execute(f"ALTER SYSTEM SET {setting} = off")
        pg.execute("SELECT pg_reload_conf()")
    try:
        yield dsn
    finally:
        from brandpulse.store import lake

        lake.close_all()  # a smart shutdown waits for every session to end
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def _new_database(postgres: str, template: str | None = None) -> str:
    import psycopg

    name = f"lake_{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(postgres, autocommit=True) as pg:
        pg.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    return name


@pytest.fixture
def lake_url(postgres: str) -> str:
    """A new, uninitialised lake: its own PostgreSQL database."""
    name = _new_database(postgres)
    return "ducklake:postgres:" + postgres.replace("dbname=postgres", f"dbname={name}")


@pytest.fixture(scope="session")
def lake_template(postgres: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A catalog `lake init` built once; each test's lake is a PostgreSQL copy of it."""
    from brandpulse.store import lake

    name = _new_database(postgres)
    url = "ducklake:postgres:" + postgres.replace("dbname=postgres", f"dbname={name}")
    lake.initialise(url, str(tmp_path_factory.mktemp("template-data")) + "/")
    lake.close_all()  # PostgreSQL copies a database only while nobody is connected to it
    return name


@pytest.fixture
def lake_db(postgres: str, lake_template: str, tmp_path: Path) -> Iterator[Path]:
    """A new, initialised lake with its data under tmp_path, as commands receive --db."""
    import psycopg
    from brandpulse.store import lake

    name = _new_database(postgres, lake_template)
    dsn = postgres.replace("dbname=postgres", f"dbname={name}")
    data = tmp_path / "lake-data"
    data.mkdir()
    with psycopg.connect(dsn, autocommit=True) as pg:
        pg.execute("UPDATE ducklake_metadata SET value = %s WHERE key = 'data_path'", [f"{data}/"])
    yield Path(f"ducklake:postgres:{dsn}")
    lake.close_all()
    with psycopg.connect(postgres, autocommit=True) as pg:
        pg.execute(f"DROP DATABASE {name} WITH (FORCE)")
