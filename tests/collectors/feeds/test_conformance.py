"""Every file of the feed corpus goes through `brandpulse preview`, in one process.

Files with `http` in their path are served by the local server with the `Header:` lines
they carry; the rest are read from disk. Checked: nothing escapes as an exception, every
input either gives mentions or one clear line on stderr, well-formed files give one mention
per entry with a link, title or content (feedparser's summary counts as content: it is an
RSS item's description), and no markup, script URL or CSS expression survives anywhere.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest

from tests.collectors.feeds.feedserver import FeedServer, Reply

pytestmark = pytest.mark.corpus

HEADER = re.compile(rb"^Header:\s*([^:\r\n]+):[ \t]*(.*?)\s*$", re.M)
# What must never survive into a mention: markup of any kind, event-handler attributes,
# script or data URLs, CSS expressions.
ACTIVE = {
    "markup": re.compile(
        r"<(?:/?[A-Za-z]|[!?])|<\s*/?\s*(?:script|style|iframe|object|embed)\b", re.I
    ),
    "event handler": re.compile(r"\bon[a-z]{3,}\s*=", re.I),
    "script URL": re.compile(r"(?:java|vb|live)\s*script\s*:", re.I),
    "data URL": re.compile(r"\bdata\s*:\s*[a-z]+/[a-z0-9.+-]+[;,]", re.I),
    "CSS expression": re.compile(r"expression\s*\(", re.I),
}


def feed_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != "SOURCES.md")


def headers_of(content: bytes) -> dict[str, str]:
    """Return the HTTP headers a corpus file asks to be served with."""
    head = content[:4096]
    return {
        m.group(1).decode().strip().lower(): m.group(2).decode("latin-1")
        for m in HEADER.finditer(head)
    }


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def expected_mentions(content: bytes, headers: dict[str, str]) -> int:
    result = feedparser.parse(io.BytesIO(content), response_headers=headers)
    return sum(
        1
        for e in result.entries
        if e.get("link") or e.get("title") or e.get("content") or e.get("summary")
    )


@pytest.fixture(scope="module")
def preview_run(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run `brandpulse preview` once over the whole corpus and keep what it printed.

    It runs as its own process, as a user runs it: nothing another test left in this one
    (a swapped sys.stdout, an environment variable, a thread) can change what it prints.
    """
    root = (corpora / "feeds").resolve()
    if not root.is_dir():
        pytest.skip(f"no feed corpus at {root}")
    server = FeedServer()
    try:
        inputs: dict[str, Path] = {}
        served: dict[str, dict[str, str]] = {}
        for path in feed_files(root):
            relative = path.relative_to(root).as_posix()
            if "http" in relative:
                content = path.read_bytes()
                headers = headers_of(content)
                content_type = headers.pop("content-type", "text/xml")
                url = server.route(
                    f"/tests/{relative}", Reply(content, content_type=content_type, headers=headers)
                )
                served[url] = {**headers, "content-type": content_type}
                inputs[url] = path
            else:
                inputs[str(path)] = path
        env = {k: v for k, v in os.environ.items() if not k.startswith("BRANDPULSE_")}
        run = subprocess.run(
            [sys.executable, "-m", "brandpulse", "preview", *inputs],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**env, "PYTHONIOENCODING": "utf-8"},
            cwd=tmp_path_factory.mktemp("preview"),
            timeout=600,
            check=False,
        )
    finally:
        server.close()
    records = [json.loads(line) for line in run.stdout.splitlines()]
    # An empty run says nothing about the corpus: fail here with what the process said.
    assert records, f"preview printed no mentions (exit {run.returncode}):\n{run.stderr[-4000:]}"
    return {
        "root": root,
        "inputs": inputs,
        "served": served,
        "code": run.returncode,
        "records": records,
        "stderr": run.stderr.splitlines(),
    }


def test_no_input_crashes_and_every_failure_is_one_clear_line(preview_run: dict) -> None:
    errors = [line for line in preview_run["stderr"] if line.startswith("error: ")]
    assert all(line.startswith(("error: ", "warning: ")) for line in preview_run["stderr"])
    assert not [line for line in errors if "unexpected" in line]
    failed = {line.split(": ", 2)[1] for line in errors}
    produced = Counter(r["input"] for r in preview_run["records"])
    assert set(produced) | failed <= set(preview_run["inputs"])
    assert not set(produced) & failed
    # Some corpus files are ill-formed on purpose, so the run as a whole reports failure.
    assert preview_run["code"] == (1 if errors else 0)


def test_well_formed_files_give_one_mention_per_entry(preview_run: dict) -> None:
    produced = Counter(r["input"] for r in preview_run["records"])
    mismatches = []
    checked = 0
    for name, path in preview_run["inputs"].items():
        relative = path.relative_to(preview_run["root"]).as_posix()
        if not relative.startswith("wellformed/"):
            continue
        headers = preview_run["served"].get(name, {})
        expected = expected_mentions(path.read_bytes(), headers)
        checked += expected
        if produced[name] != expected:
            mismatches.append((relative, expected, produced[name]))
    assert not mismatches
    assert checked > 0


def test_no_active_content_survives_in_any_field(preview_run: dict) -> None:
    survivors = []
    for record in preview_run["records"]:
        for text in strings({k: v for k, v in record.items() if k != "input"}):
            for what, pattern in ACTIVE.items():
                if pattern.search(text):
                    survivors.append((record["input"], what, text[:120]))
    assert not survivors
    sanitize = [r for r in preview_run["records"] if "/sanitize/" in r["input"]]
    assert sanitize, "the sanitize corpus produced no mentions to check"


def test_urls_are_absolute_web_links(preview_run: dict) -> None:
    for record in preview_run["records"]:
        assert record["url"] is None or re.match(r"^https?://[^\s/]+", record["url"]), record
