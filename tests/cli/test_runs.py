"""Every run leaves a trace: refused, interrupted and killed runs, exit codes, cron timestamps."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from brandpulse.store import browse
from brandpulse.store.connection import read_connection

from brandpulse.cli import main

REPO = Path(__file__).resolve().parents[2]
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ "


def feed(kind: str) -> str:
    items = "".join(
        f"<item><title>Acme {kind} {n}</title><link>https://example.com/{kind}/{n}</link></item>"
        for n in range(3)
    )
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "brands.toml"
    path.write_text(
        '[settings]\ndatabase = "bp.duckdb"\n\n[[brands]]\nname = "Acme"\nkeywords = ["Acme"]\n\n'
        '[[feeds]]\nurl = "feed.xml"\n\n[[feeds]]\nurl = "slow.xml"\n',
        encoding="utf-8",
    )
    (tmp_path / "feed.xml").write_text(feed("news"), encoding="utf-8")
    (tmp_path / "slow.xml").write_text(feed("blog"), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def statuses(db: Path) -> list[str]:
    with read_connection(db) as con:
        return list(browse.run_history(con)["status"])[::-1]


_children: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def reap() -> Iterator[None]:
    yield
    while _children:
        proc = _children.pop()
        proc.kill()
        proc.wait()
        if proc.stdout:
            proc.stdout.close()


def test_cron_lines_carry_a_timestamp_and_all_failed_exits_4(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "collect", "--config", str(config))
    assert code == 0
    lines = err.splitlines()
    assert lines and all(re.match(STAMP, line) for line in lines), err
    assert any(re.match(STAMP + "feeds: ok, fetched 6", line) for line in lines)
    (tmp_path / "slow.xml").unlink()
    code, _, err = run(capsys, "collect", "--config", str(config))
    assert code == 1, "one feed of two failed: some sources failed"
    (tmp_path / "feed.xml").unlink()
    code, _, err = run(capsys, "collect", "--config", str(config))
    assert code == 4, "every source failed"
    assert re.search(STAMP + "feeds: failed", err)


HOLD_LOCK = """
import sys
from brandpulse.store.connection import collection_lock
with collection_lock(sys.argv[1]):
    print("ready", flush=True)
    sys.stdin.readline()
"""


def test_a_refused_run_is_recorded(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bp.duckdb"
    assert run(capsys, "collect", "--config", str(config))[0] == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(HOLD_LOCK), str(db)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    _children.append(holder)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    code, _, err = run(capsys, "collect", "--config", str(config))
    assert code == 3
    assert re.match(STAMP + "error: another collection is already running", err), err
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait()
    assert run(capsys, "collect", "--config", str(config))[0] == 0
    assert statuses(db) == ["ok", "refused", "ok"]
    code, out, _ = run(capsys, "status", "--config", str(config))
    assert "feeds: refused" in out and "another collection is already running" in out
    with read_connection(db) as con:
        health = browse.source_health(con)
    assert list(health["last_status"]) == ["ok"], "a refused run is not the source's state"


def start_collect(config: Path, fifo: Path) -> subprocess.Popen[str]:
    """Start `brandpulse collect` and return once it is reading the slow feed (a FIFO)."""
    fifo.unlink()
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "brandpulse", "collect", "--config", str(config)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _children.append(proc)
    return proc


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_an_interrupted_run_is_recorded(
    how: str, tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bp.duckdb"
    assert run(capsys, "collect", "--config", str(config))[0] == 0
    fifo = tmp_path / "slow.xml"
    proc = start_collect(config, fifo)
    # Opening a FIFO for writing returns once the reader has it open: the run is mid-fetch.
    writer = open(fifo, "w")  # noqa: SIM115 - closed below, after the signal
    proc.send_signal(getattr(signal, how))
    writer.close()
    code = proc.wait(timeout=60)
    output = proc.stdout.read() if proc.stdout else ""
    if how == "SIGTERM":
        assert code == 130, output
        assert re.search(STAMP + "interrupted", output), output
        assert statuses(db) == ["ok", "interrupted"]
    else:
        assert code == -signal.SIGKILL
        assert statuses(db) == ["ok", "running"], "the start of the run is on record"
    fifo.unlink()
    fifo.write_text(feed("blog"), encoding="utf-8")
    code, _, err = run(capsys, "collect", "--config", str(config))
    assert code == 0, err
    assert statuses(db) == ["ok", "interrupted", "ok"]
    code, out, _ = run(capsys, "status", "--config", str(config))
    assert "feeds: interrupted" in out
