"""Busy readers cannot starve a collection, and what a collection cannot write is never lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from brandpulse.store import connection
from brandpulse.store.connection import read_connection

from brandpulse.cli import main

REPO = Path(__file__).resolve().parents[2]

# A dashboard-like reader: opens a short read-only connection, asks an aggregate, closes,
# and does it again at once, for as long as it lives.
HAMMER = """
import sys
from brandpulse.store.connection import read_connection
first = True
while True:
    with read_connection(sys.argv[1], timeout=120) as con:
        con.execute(
            "SELECT source, count(*), max(published_at) FROM mentions m"
            " CROSS JOIN range(200) GROUP BY source"
        ).fetchall()
    if first:
        print("ready", flush=True)
        first = False
"""

HOLD_WRITER = """
import sys, time
from brandpulse.store.connection import write_connection
with write_connection(sys.argv[1]) as con:
    print("ready", flush=True)
    sys.stdin.readline()
"""


def item(n: int) -> str:
    return (
        f"<item><title>Acme news {n}</title><link>https://example.com/{n}</link>"
        f"<guid>https://example.com/{n}</guid><dc:creator>writer{n % 7}</dc:creator>"
        f"<pubDate>Mon, 30 Nov 2026 0{n % 10}:00:00 GMT</pubDate></item>"
    )


def write_feed(path: Path, numbers: range) -> None:
    items = "".join(item(n) for n in numbers)
    path.write_text(
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>'
        f"{items}</channel></rss>",
        encoding="utf-8",
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "brands.toml"
    path.write_text(
        '[settings]\ndatabase = "bp.duckdb"\n\n[[brands]]\nname = "Acme"\nkeywords = ["Acme"]\n\n'
        '[[feeds]]\nurl = "feed.xml"\n',
        encoding="utf-8",
    )
    return path


_children: list[subprocess.Popen[str]] = []


def spawn(code: str, *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    _children.append(proc)
    return proc


def wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"


@pytest.fixture(autouse=True)
def reap() -> Iterator[None]:
    yield
    while _children:
        proc = _children.pop()
        proc.kill()
        proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            if pipe:
                pipe.close()


def stored(db: Path) -> int:
    with read_connection(db) as con:
        return int(con.execute("SELECT count(*) FROM mentions").fetchall()[0][0])


def test_collect_gets_its_turn_among_hammering_readers(
    tmp_path: Path,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "bp.duckdb"
    write_feed(tmp_path / "feed.xml", range(50))
    assert main(["collect", "--config", str(config)]) == 0
    readers = [spawn(HAMMER, str(db)) for _ in range(8)]
    for reader in readers:
        wait_ready(reader)
    # A short write timeout: without priority the readers keep the file share-locked and
    # the writer's attempts keep missing the gaps between them.
    monkeypatch.setattr(connection, "WRITE_TIMEOUT", 4.0)
    write_feed(tmp_path / "feed.xml", range(50, 250))
    capsys.readouterr()
    code = main(["collect", "--config", str(config)])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert "new 200" in err
    assert all(r.poll() is None for r in readers), "the readers kept running throughout"
    assert not Path(f"{db}.writer-waiting").exists()
    for reader in readers:
        reader.kill()
        reader.wait()
    assert stored(db) == 250


def test_mentions_that_cannot_be_written_wait_in_the_outbox(
    tmp_path: Path,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "bp.duckdb"
    write_feed(tmp_path / "feed.xml", range(10))
    assert main(["collect", "--config", str(config)]) == 0
    capsys.readouterr()
    holder = spawn(HOLD_WRITER, str(db))
    wait_ready(holder)
    monkeypatch.setattr(connection, "WRITE_TIMEOUT", 1.0)
    monkeypatch.setattr(connection, "READ_TIMEOUT", 1.0)
    write_feed(tmp_path / "feed.xml", range(10, 40))
    code = main(["collect", "--config", str(config)])
    _, err = capsys.readouterr()
    assert code == 3, err
    assert "30 collected mentions kept in" in err and "writes them first" in err
    outbox = Path(f"{db}.outbox")
    assert any(p.suffix == ".parquet" for p in outbox.iterdir())
    # The holder lets go; meanwhile the feed moved on and no longer lists those 30.
    assert holder.stdin is not None
    holder.stdin.write("go\n")
    holder.stdin.flush()
    holder.wait()
    assert main(["status", "--config", str(config)]) == 0
    assert "warning: 30 collected mentions wait in" in capsys.readouterr().err
    write_feed(tmp_path / "feed.xml", range(40, 45))
    code = main(["collect", "--config", str(config)])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert "outbox: wrote 30 mentions" in err
    assert stored(db) == 45, "0 lost"
    assert not outbox.exists()
    code = main(["status", "--config", str(config)])
    out, _ = capsys.readouterr()
    assert "feeds: ok, fetched 30, new 0" in out, "the held-back run is recorded too"
