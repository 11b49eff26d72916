"""The accurate sentiment tier: MiniLM fine-tuned for sentiment, averaged with the model.

The head (analysis/models/sentiment-head.json) is a softmax layer over the embedding of a
MiniLM encoder (embedding.py) with the adapter named in the head merged into its weights
(analysis/models/sentiment-adapter.safetensors); both are trained together on the same
SemEval pool as the linear model by scripts/build_sentiment_model.py --head. The tier's
probabilities are the mean of the head's and the linear model's. It costs an encoder pass
per text (tens of texts a second on one core), so by default only texts the linear model is
unsure of (its top probability below `below`) take it; the rest keep the linear model's
verdict.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from brandpulse.analysis.sentiment_model import CLASSES, MODELS_DIR, LinearModel

DEFAULT_HEAD = MODELS_DIR / "sentiment-head.json"
# Texts whose linear-model top probability is below this take the accurate tier.
DEFAULT_BELOW = 0.6
_LINK = re.compile(r"https?://\S+|www\.\S+")


class Head:
    """A softmax layer over embeddings: weights (384 x classes), bias, its file's SHA-256,
    and the adapter (if any) of the encoder whose embeddings it reads."""

    def __init__(self, header: dict[str, Any], sha256: str, folder: Path | None = None) -> None:
        self.header = header
        self.name: str = header["name"]
        self.version: str = header["version"]
        self.sha256 = sha256
        self.weights = np.asarray(header["weights"], dtype=np.float32)
        self.bias = np.asarray(header["bias"], dtype=np.float32)
        adapter = header.get("embedding", {}).get("adapter")
        self.adapter: Path | None = None
        if adapter is not None:
            if folder is None:
                raise ValueError("a head with an adapter needs the folder the adapter is in")
            self.adapter = folder / adapter
            digest = hashlib.sha256(self.adapter.read_bytes()).hexdigest()
            if digest != header["embedding"]["adapter_sha256"]:
                raise ValueError(f"{self.adapter} is not the adapter its head was trained with")

    @classmethod
    def from_file(cls, path: Path = DEFAULT_HEAD) -> Head:
        """Read a head file written by `head_bytes` (its adapter beside it)."""
        data = path.read_bytes()
        return cls(json.loads(data), hashlib.sha256(data).hexdigest(), path.parent)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return the embeddings this head reads: the encoder's, with its adapter merged."""
        from brandpulse.analysis.embedding import embed

        return embed(texts, adapter=self.adapter)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Return the (n, 3) class probabilities of embeddings in CLASSES order."""
        logits = vectors.astype(np.float32) @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


def head_bytes(header: dict[str, Any]) -> bytes:
    """Return the bytes of a head file: sorted JSON, one line per weight row."""
    rows = ",\n".join(json.dumps([float(v) for v in row]) for row in header["weights"])
    rest = {k: v for k, v in header.items() if k != "weights"}
    body = json.dumps(rest, sort_keys=True)[:-1]
    return f'{body}, "weights": [\n{rows}\n]}}\n'.encode()


@lru_cache(maxsize=4)
def load_head(path: Path = DEFAULT_HEAD) -> Head:
    """Return the head in `path`, read once per process."""
    return Head.from_file(path)


def combine(
    model: LinearModel,
    head: Head,
    texts: Sequence[str],
    below: float = DEFAULT_BELOW,
    embed_fn: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (probabilities, taken): the model's, averaged with the head's where taken.

    A text is taken when the model's top probability is below `below` (above 1: every text).
    """
    if embed_fn is None:
        embed_fn = head.embed
    probs = model.probabilities(texts)
    taken = probs.max(axis=1) < below
    if taken.any():
        chosen = [t for t, pick in zip(texts, taken, strict=True) if pick]
        probs[taken] = (probs[taken] + head.probabilities(embed_fn(chosen))) / 2
    return probs, taken


class AccurateScorer:
    """The linear model, with the head averaged in on the texts it is least sure of."""

    languages: frozenset[str] = frozenset({"en"})

    def __init__(
        self, model: LinearModel, head: Head, below: float = DEFAULT_BELOW, embed_fn: Any = None
    ) -> None:
        self.model = model
        self.head = head
        self.below = below
        # What turns texts into embeddings (default: head.embed); the evaluation
        # script passes a cached one.
        self.embed_fn = embed_fn
        self.name = "brandpulse-accurate"
        cut = "all" if below > 1 else f"below{below:g}"
        self.version = (
            f"{model.version}+{model.sha256[:12]}/{head.version}+{head.sha256[:12]}/{cut}"
        )

    def verdicts(self, texts: Sequence[str]) -> list[Any]:
        """Return one Verdict per text (each distinct text, links aside, scored once)."""
        from brandpulse.analysis.sentiment import MODEL_MAX_CHARS, Verdict

        keys = [_LINK.sub("http", t[:MODEL_MAX_CHARS]) for t in texts]
        first = dict(zip(keys, texts, strict=True))
        unique = list(first)
        probs, _ = combine(
            self.model,
            self.head,
            [first[k][:MODEL_MAX_CHARS] for k in unique],
            self.below,
            self.embed_fn,
        )
        best = probs.argmax(axis=1)
        found = {
            k: Verdict(CLASSES[int(b)], float(p[2] - p[0]), float(p[b]))
            for k, b, p in zip(unique, best, probs, strict=True)
        }
        return [found[k] for k in keys]
