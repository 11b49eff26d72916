"""Fixtures shared by the analysis tests."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable

import numpy as np
import pytest
from brandpulse.analysis import embedding


@pytest.fixture(scope="module")
def embed() -> Callable[..., np.ndarray]:
    """Return the embed function; without the accurate extra skip (fail in CI, which has it)."""
    missing = [n for n in ("tokenizers", embedding.PACKAGE) if importlib.util.find_spec(n) is None]
    if missing:
        message = f"accurate extra not installed ({', '.join(missing)}): {embedding.INSTALL_FIX}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return embedding.embed
