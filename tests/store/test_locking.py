"""Cron safety: readers wait out writers, collections exclude each other, SIGKILL loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from brandpulse.store.connection import collection_lock, read_connection, write_connection
from brandpulse.store.errors import StoreBusy
from brandpulse.store.writes import upsert_mentions

from tests.store.factories import make_mention

REPO = Path(__file__).resolve().parents[2]


_children: list[subprocess.Popen[str]] = []


def spawn(code: str, *args: str) -> subprocess.Popen[str]:
    """Start a Python child in the repo that prints 'ready' once it holds what it should."""
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    _children.append(proc)
    return proc


@pytest.fixture(autouse=True)
def reap_children() -> Iterator[None]:
    """Kill and reap every child a test started, closing its pipe."""
    yield
    while _children:
        proc = _children.pop()
        proc.kill()
        proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            if pipe:
                pipe.close()


def wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "ready", f"child did not start: {line!r}"


HOLD_WRITER = """
import sys, time
from brandpulse.store.connection import write_connection
with write_connection(sys.argv[1]) as con:
    print("ready", flush=True)
    time.sleep(float(sys.argv[2]))
    print(time.time(), flush=True)  # still holding the file: it is released after this
"""


def test_reader_waits_while_a_writer_holds_the_file(db_path: Path) -> None:
    with write_connection(db_path) as con:
        upsert_mentions(con, [make_mention(n) for n in range(3)])
    child = spawn(HOLD_WRITER, str(db_path), "1.5")
    try:
        wait_ready(child)
        # The conflict is real: a plain read-only connect fails at once...
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(db_path), read_only=True)
        # ...while ours retries until the writer lets go.
        with read_connection(db_path, timeout=30) as con:
            opened = time.time()
            assert con.execute("SELECT count(*) FROM mentions").fetchall() == [(3,)]
        assert child.stdout is not None
        released = float(child.stdout.readline())
        assert opened > released, "the read got in while the writer still held the file"
    finally:
        child.kill()
        child.wait()


def test_reader_gives_up_with_store_busy_after_its_timeout(db_path: Path) -> None:
    with write_connection(db_path):
        pass
    child = spawn(HOLD_WRITER, str(db_path), "5")
    try:
        wait_ready(child)
        with (
            pytest.raises(StoreBusy, match="locked by another process"),
            read_connection(db_path, timeout=0.3),
        ):
            pass
    finally:
        child.kill()
        child.wait()


HOLD_LOCK = """
import sys, time
from brandpulse.store.connection import collection_lock
with collection_lock(sys.argv[1]):
    print("ready", flush=True)
    time.sleep(30)
"""


def test_second_collection_is_refused_while_one_runs(db_path: Path) -> None:
    child = spawn(HOLD_LOCK, str(db_path))
    try:
        wait_ready(child)
        with pytest.raises(StoreBusy, match=f"pid {child.pid}") as info, collection_lock(db_path):
            pass
        assert info.value.exit_code == 3
    finally:
        child.kill()
        child.wait()
    # The kernel dropped the dead child's lock: the next collection gets it.
    with collection_lock(db_path):
        pass


# Writes a first batch inside a transaction, says "mid-batch", then keeps writing the rest in
# the same transaction: a SIGKILL on that word always lands inside the uncommitted write.
BIG_WRITE = """
import sys
from datetime import UTC, datetime, timedelta
from brandpulse.store.connection import write_connection
from brandpulse.store.records import Mention, mention_id
from brandpulse.store.writes import transaction, upsert_mentions
base = datetime(2026, 1, 1, tzinfo=UTC)
rows = [Mention(id=mention_id("kill", str(n)), source="news", native_id=str(n), url=None,
                author="a", title=f"t{n}", text="x" * 200, published_at=base + timedelta(seconds=n),
                collected_at=base) for n in range(int(sys.argv[2]))]
half = len(rows) // 2
with write_connection(sys.argv[1]) as con, transaction(con):
    upsert_mentions(con, rows[:half])
    print("mid-batch", flush=True)
    if sys.argv[3] == "pause":
        sys.stdin.readline()  # the parent kills us here, never writes
    upsert_mentions(con, rows[half:])
print("done", flush=True)
"""


def test_sigkill_mid_write_leaves_a_consistent_database(db_path: Path) -> None:
    with write_connection(db_path) as con:
        upsert_mentions(con, [make_mention(n) for n in range(10)])
    total = 50_000
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(BIG_WRITE), str(db_path), str(total), "pause"],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    _children.append(child)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "mid-batch"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    with read_connection(db_path) as con:
        after_kill = con.execute("SELECT count(*) FROM mentions").fetchall()[0][0]
    # The killed transaction had written half its rows: none of them may survive.
    assert after_kill == 10
    rerun = spawn(BIG_WRITE, str(db_path), str(total), "run")
    assert rerun.stdout is not None
    assert [rerun.stdout.readline().strip() for _ in range(2)] == ["mid-batch", "done"]
    rerun.wait()
    with read_connection(db_path) as con:
        rows, distinct = con.execute(
            "SELECT count(*), count(DISTINCT id) FROM mentions"
        ).fetchall()[0]
    assert rows == distinct == 10 + total


def test_connections_draw_no_progress_bar(db_path: Path) -> None:
    with write_connection(db_path) as con:
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)
    with read_connection(db_path) as con:
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)
