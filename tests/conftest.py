"""Fixtures shared by every test folder: the outside corpora and a fresh database path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# In CI, property tests replay the same examples every run, so a landing never depends on
# the draw; locally they explore new examples each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
CORPORA_ENV = "BRANDPULSE_CORPORA"


def corpora_root() -> Path:
    """Return the corpora folder: $BRANDPULSE_CORPORA, else ../shared/corpora beside the repo."""
    return Path(os.environ.get(CORPORA_ENV) or REPO.parent / "shared" / "corpora")


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The outside corpora; missing ones skip the test, except in CI where they must exist."""
    root = corpora_root()
    if not root.is_dir():
        message = f"corpora not found at {root}; set {CORPORA_ENV}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return root


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database file path in a fresh temporary folder (the file does not exist yet)."""
    return tmp_path / "brandpulse.duckdb"
