"""`brandpulse dashboard`: serve the Streamlit dashboard over the configured database."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from brandpulse import dashboard, progress
from brandpulse.options import ConfigOption, DbOption, resolve
from brandpulse.store import queries
from brandpulse.store.connection import absolute, database_exists, read_connection
from brandpulse.store.errors import BrandpulseError, ConfigError

DEFAULT_PORT = 8501
DEFAULT_HOST = "127.0.0.1"
# Streamlit answers its health check within a few seconds; a slow disk gets this long.
START_TIMEOUT = 60.0


def app_path() -> Path:
    """Return the dashboard's Streamlit script (a namespace package has no __file__)."""
    return Path(next(iter(dashboard.__path__))).resolve() / "app.py"


def check_database(db: Path) -> int:
    """Return how many mentions the database holds; explain a missing one as an error."""
    if not database_exists(db):
        raise BrandpulseError(
            f"no database at {db}: there is nothing to show yet",
            "run `brandpulse collect` (after `brandpulse init`) to collect mentions, or"
            " `brandpulse demo` to build and open the demo database; --db picks another file",
        )
    with read_connection(db) as con:
        return int(queries.totals(con)["mentions"])


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def streamlit_command(
    db: Path,
    config_path: Path | None,
    port: int,
    host: str,
    open_browser: bool,
    user: str | None = None,
) -> list[str]:
    """Return the `streamlit run` command line that serves the dashboard."""
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path()),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "false" if open_browser else "true",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
        # Streamlit's own table download writes formulas raw and drops time offsets; the
        # Mentions page's download is the safe one. app.py sets it too, for bare runs.
        "--client.disableDataExport",
        "true",
        "--",
        "--db",
        absolute(db),
    ]
    if config_path is not None:
        command += ["--config", str(config_path.resolve())]
    if user:
        command += ["--user", user]
    return command


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response,
        ):
            if response.status == 200:
                return True
        time.sleep(0.2)
    return False


def _stop_on_sigterm() -> None:
    # A service manager stops us with SIGTERM: end like Ctrl-C, so the server goes too.
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)


def serve(
    db: Path,
    config_path: Path | None,
    port: int = DEFAULT_PORT,
    host: str = DEFAULT_HOST,
    *,
    open_browser: bool = False,
    notify: Callable[[str], None] = progress.say,
    user: str | None = None,
) -> int:
    """Serve the dashboard until interrupted; return the server's exit code (0 on Ctrl-C).

    Refuses a missing database and a port already in use with an error naming the fix.
    """
    mentions = check_database(db)
    if not _port_free(host, port):
        raise ConfigError(
            f"port {port} on {host} is already in use",
            f"stop what is using it, or pass another port: --port {port + 1}",
        )
    if mentions == 0:
        notify(
            f"note: {db} holds no mentions yet; the dashboard will explain how to collect"
            " them (`brandpulse collect`) or load the demo (`brandpulse demo`)"
        )
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    command = streamlit_command(db, config_path, port, host, open_browser, user)
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _stop_on_sigterm()
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}"
    try:
        if _wait_healthy(proc, url, START_TIMEOUT):
            notify(f"dashboard: {url}  ({mentions:,} mentions; Ctrl-C stops it)")
            if host not in ("127.0.0.1", "localhost", "::1"):
                notify(
                    f"warning: listening on {host}: anyone who can reach this address sees"
                    " the dashboard; put it behind a login (see docs/dashboard.md)"
                )
        elif proc.poll() is None:
            notify(f"the dashboard is slow to start; it should appear at {url}")
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def command(
    port: Annotated[
        int, typer.Option("--port", "-p", help="Port to serve on.", min=1, max=65535)
    ] = DEFAULT_PORT,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. The default serves this machine only; use 0.0.0.0"
            " only behind a login.",
        ),
    ] = DEFAULT_HOST,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the dashboard in a web browser.")
    ] = False,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            help="The name triage changes are recorded under, without sign-in."
            " Default: [dashboard] user, else 'local'.",
        ),
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Serve the dashboard (Overview, Mentions, Campaigns, Competitors, Spikes, Health).

    Runs until Ctrl-C. A missing database is refused with what to run first.
    """
    ctx = resolve(config, db, allow_demo=True)
    code = serve(
        ctx.db,
        ctx.config.path,
        port,
        host,
        open_browser=open_browser,
        user=(user or "").strip() or None,
    )
    if code not in (0, -15):
        raise BrandpulseError(
            f"the dashboard server stopped with exit code {code}",
            "run again with --debug, or try `streamlit run dashboard/app.py` to see its output",
        )
    return 0
