"""Helpers for the tests that run commands: a served dashboard, a free port, an export's CSV."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from brandpulse.cli import main

# Streamlit starts within seconds; a loaded machine running tests in parallel gets this long.
START_TIMEOUT = 90.0


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_dashboard(
    config: Path, db: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Run `brandpulse dashboard` on `config` (and `db`, when given); yield its URL once it
    says it is serving.

    The command announces the URL only after the server answered its health check, so the
    yielded URL is ready. On exit the command gets SIGTERM, as a service manager sends it.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "brandpulse", "dashboard", "--port", str(port)]
        + ["--config", str(config)]
        + ([] if db is None else ["--db", str(db)]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    drain: threading.Thread | None = None
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + START_TIMEOUT
        said = ""
        while f"dashboard: {url}" not in said:
            line = proc.stderr.readline()
            assert line, f"the command ended without announcing {url}: {said}"
            assert time.monotonic() < deadline, f"no announcement of {url} in time: {said}"
            said += line
        # Keep reading what the server logs, so a full pipe can never stall it.
        drain = threading.Thread(target=proc.stderr.read, daemon=True)
        drain.start()
        yield url, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        if drain is not None:
            drain.join(timeout=10)  # the pipe ends with the process
        if proc.stderr:
            proc.stderr.close()


def export_csv(config: Path, out: Path, *args: str) -> bytes:
    """Run `brandpulse export --what mentions --format csv` and return the file it wrote."""
    code = main(
        ["export", "--what", "mentions", "--format", "csv", "-o", str(out)]
        + ["--config", str(config), *args]
    )
    assert code == 0
    return out.read_bytes()
