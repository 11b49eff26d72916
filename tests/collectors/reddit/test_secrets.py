"""Secrets never reach a stored or printed message: a token endpoint that echoes the request
(`Authorization: Basic <base64 of id:secret>`) is scrubbed in every form before `collect`
prints the run and `status` and the dashboard read it."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest
from brandpulse.store.connection import read_connection

from brandpulse.cli import main

# Characters that base64 and URL encoding change, and a secret that is not a plain word.
CLIENT_ID = "brandpulse-app-id7"
CLIENT_SECRET = "s3cr/et+Value=with&odd?chars"


def forms() -> list[str]:
    """Return every way the credentials could show up in an echoed request."""
    pair = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    return [
        CLIENT_SECRET,
        quote_plus(CLIENT_SECRET),
        base64.b64encode(CLIENT_SECRET.encode()).decode().rstrip("="),
        pair,
        pair[4:-4],  # any long enough piece of the Basic credentials
        CLIENT_ID,
    ]


# 0: the whole echo fits in the message; 80: the message's 160-character excerpt of the
# body ends inside the base64 credentials.
@pytest.mark.parametrize("padding", [0, 80])
def test_an_echoing_token_endpoint_leaks_no_secret_into_status_or_output(
    padding: int,
    replay: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = replay()
    server.token_status = 400
    server.token_echo = (
        "x" * padding
        + "bad request: Authorization: {authorization} secret="
        + quote_plus(CLIENT_SECRET)
        + " raw="
        + CLIENT_SECRET
        + " body={form}"
    )
    config = tmp_path / "brands.toml"
    config.write_text(
        f"""
[settings]
database = "listening.duckdb"

[[brands]]
name = "Acme"
query = "acme"

[reddit]
oauth_url = "{server.url}"
reddit_url = "{server.url}"
timeout = 5
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("REDDIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.delenv("BRANDPULSE_DB", raising=False)

    main(["collect", "--source", "reddit", "--config", str(config)])
    printed = capsys.readouterr()
    assert main(["status", "--config", str(config)]) == 0
    status = capsys.readouterr().out
    with read_connection(tmp_path / "listening.duckdb") as con:
        stored = str(
            con.execute("SELECT errors, warnings, details FROM collection_runs").fetchall()
        )

    # The echo did reach the message (so the test can fail), in its scrubbed form.
    assert "Basic [redacted]" in status and "refused the app's credentials" in status
    assert "x" * padding in status
    for text in (printed.out + printed.err, status, stored):
        for form in forms():
            assert form not in text, (form, text)
            assert form[:10] not in text, (form, text)
