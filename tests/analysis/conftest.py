"""Fixtures shared by the analysis tests."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable

import numpy as np
import pytest
from brandpulse.analysis import embedding, multilingual, relevance_vectors


def _need(*packages: str) -> None:
    """Skip without these packages of the accurate extra (fail in CI, which has them)."""
    missing = [n for n in packages if importlib.util.find_spec(n) is None]
    if missing:
        message = f"accurate extra not installed ({', '.join(missing)}): {embedding.INSTALL_FIX}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def embed() -> Callable[..., np.ndarray]:
    """Return MiniLM's embed function (the sentiment tier's encoder)."""
    _need("tokenizers", embedding.PACKAGE)
    return embedding.embed


@pytest.fixture(scope="module")
def relevance_embed() -> Callable[..., np.ndarray]:
    """Return the relevance head's embed function (MiniLM and multilingual-e5 side by side)."""
    _need("tokenizers", embedding.PACKAGE, multilingual.PACKAGE)
    return relevance_vectors.embed


@pytest.fixture(scope="module")
def tier_heads() -> tuple[object, ...]:
    """Return the accurate sentiment tier's heads (MiniLM and multilingual-e5)."""
    from brandpulse.analysis.sentiment_accurate import load_heads

    _need("tokenizers", embedding.PACKAGE, multilingual.PACKAGE)
    return load_heads()
