"""`brandpulse dashboard`: refuses what it cannot serve, serves on 127.0.0.1, stops cleanly."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import pytest

from brandpulse.cli import main
from brandpulse.commands.dashboard import streamlit_command
from tests.dashboard.running import free_port, served_dashboard


def test_missing_database_is_refused_with_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["dashboard", "--db", str(tmp_path / "none.duckdb"), "--port", str(free_port())])
    err = capsys.readouterr().err
    assert code == 1
    assert "no database at" in err and "brandpulse collect" in err and "brandpulse demo" in err
    assert not (tmp_path / "none.duckdb").exists()


def test_busy_port_is_refused(fixture_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(
            ["dashboard", "--config", str(fixture_folder / "brands.toml"), "--port", str(port)]
        )
    assert code == 2
    assert f"port {port}" in capsys.readouterr().err


def test_binds_to_this_machine_by_default(fixture_folder: Path) -> None:
    command = streamlit_command(fixture_folder / "fixture.duckdb", None, 8501, "127.0.0.1", False)
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert command[command.index("--server.headless") + 1] == "true"
    assert "--config" not in command[command.index("--") :]


def test_serves_the_app_and_stops_with_its_server(fixture_folder: Path) -> None:
    # The command prints the URL once the server answers its health check.
    with served_dashboard(fixture_folder / "brands.toml") as (url, proc):
        with urllib.request.urlopen(f"{url}/", timeout=10) as reply:
            body = reply.read().decode()
        assert "<title>" in body.lower() or "streamlit" in body.lower()
    assert proc.returncode == 0
    # The server went with it: nothing listens on the port any more.
    port = int(url.rsplit(":", 1)[1])
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(("127.0.0.1", port))
