"""The replay server itself: cassettes are current, requests match in any parameter order,
recorded framing headers are dropped, and anything unrecorded is reported, not guessed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from tests.collectors.reddit import make_cassettes
from tests.collectors.reddit.conftest import CASSETTES
from tests.collectors.reddit.replay import UNMATCHED_STATUS, ReplayServer, load


def test_cassettes_are_current() -> None:
    """The JSON files are what make_cassettes.py writes; rerun it after changing it."""
    written = {p.name for p in CASSETTES.glob("*.json")}
    built = make_cassettes.cassettes()
    assert written == set(built)
    for name, data in built.items():
        assert (CASSETTES / name).read_text(encoding="utf-8") == make_cassettes.render(data), name


def test_cassettes_hold_placeholders_not_credentials() -> None:
    for path in CASSETTES.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert "test-client-secret" not in text
        for item in json.loads(text)["interactions"]:
            auth = item["request"]["headers"]["Authorization"][0]
            assert auth in ("bearer <ACCESS_TOKEN>", "Basic <BASIC_AUTH>")


def _chunked_recording(corpus: Path) -> tuple[Path, int]:
    for path in sorted(corpus.glob("*.json")):
        for index, item in enumerate(json.loads(path.read_text())["interactions"]):
            names = {h.lower() for h in item["response"]["headers"]}
            if "transfer-encoding" in names and item["request"]["method"] == "GET":
                return path, index
    raise AssertionError("no chunked recording in the corpus")


def test_params_in_any_order_and_recorded_framing_dropped(corpus_reddit: Path, replay: Any) -> None:
    path, index = _chunked_recording(corpus_reddit)
    server = replay(path)
    recorded = load(path)[index]
    params = list(reversed(recorded.query))
    response = requests.get(
        server.url + recorded.path,
        params=params,
        headers={"Authorization": "bearer <ACCESS_TOKEN>"},
        timeout=5,
    )
    assert response.status_code == recorded.status
    assert "transfer-encoding" not in {h.lower() for h in response.headers}
    assert int(response.headers["Content-Length"]) == len(recorded.body) == len(response.content)
    assert response.content == recorded.body


def test_unrecorded_requests_are_reported(corpus_reddit: Path) -> None:
    path, _ = _chunked_recording(corpus_reddit)
    server = ReplayServer(load(path)).start()
    try:
        response = requests.get(server.url + "/r/nowhere/new", timeout=5)
    finally:
        server.stop()
    assert response.status_code == UNMATCHED_STATUS
    assert [s.path for s in server.unmatched] == ["/r/nowhere/new"]
    assert server.played == 0
