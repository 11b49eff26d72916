"""The accurate sentiment tier: two embedding heads averaged with the linear model.

The first head (analysis/models/sentiment-head.json) is a softmax layer over the embedding
of a MiniLM encoder (embedding.py) with the adapter named in the head merged into its
weights (analysis/models/sentiment-adapter.safetensors); both are trained together on the
same SemEval pool as the linear model by scripts/build_sentiment_model.py --head. The second
(analysis/models/sentiment-e5-head.json) is a softmax layer over multilingual-e5-small's
embeddings as shipped (multilingual.py), fitted on the same pool by
scripts/build_sentiment_e5_head.py. The tier's probabilities are the mean of the heads' and
the linear model's. It costs two encoder passes per text (tens of texts a second), so by
default only texts the linear model is unsure of (its top probability below `below`) take
it; the rest keep the linear model's verdict.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from brandpulse.analysis.sentiment_model import CLASSES, MODELS_DIR, LinearModel

DEFAULT_HEAD = MODELS_DIR / "sentiment-head.json"
E5_HEAD = MODELS_DIR / "sentiment-e5-head.json"
# The tier's heads, in the order their probabilities are summed.
DEFAULT_HEADS = (DEFAULT_HEAD, E5_HEAD)
# The encoder a head reads unless its file names another.
MINILM = "all-MiniLM-L6-v2"
MULTILINGUAL = "multilingual-e5-small"
# Texts whose linear-model top probability is below this take the accurate tier.
DEFAULT_BELOW = 0.6
_LINK = re.compile(r"https?://\S+|www\.\S+")


class Head:
    """A softmax layer over embeddings: weights (384 x classes), bias, its file's SHA-256,
    the encoder whose embeddings it reads (MiniLM or multilingual-e5) and the adapter, if
    any, merged into that encoder."""

    def __init__(self, header: dict[str, Any], sha256: str, folder: Path | None = None) -> None:
        self.header = header
        self.name: str = header["name"]
        self.version: str = header["version"]
        self.sha256 = sha256
        self.weights = np.asarray(header["weights"], dtype=np.float32)
        self.bias = np.asarray(header["bias"], dtype=np.float32)
        self.encoder: str = header.get("embedding", {}).get("encoder", MINILM)
        if self.encoder not in (MINILM, MULTILINGUAL):
            raise ValueError(f"a head over an unknown encoder: {self.encoder!r}")
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

    @property
    def multilingual(self) -> bool:
        return self.encoder == MULTILINGUAL

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return the embeddings this head reads: its encoder's, with its adapter merged."""
        return self.cache(None).embed(texts)

    def cache(self, folder: Path | None) -> Any:
        """Return an EmbeddingCache in `folder` of the embeddings this head reads."""
        from brandpulse.analysis.embedding import EmbeddingCache

        return EmbeddingCache(folder, adapter=self.adapter, multilingual=self.multilingual)

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


def load_heads() -> tuple[Head, ...]:
    """Return the tier's heads (DEFAULT_HEADS), each read once per process."""
    return tuple(load_head(path) for path in DEFAULT_HEADS)


def cached_embed_fns(
    heads: Sequence[Head], texts: Sequence[str], folder: Path | None
) -> list[Callable[[Sequence[str]], np.ndarray]]:
    """Return one embed function per head, `texts` embedded once up front (kept in
    `folder` when given, by EmbeddingCache) and any other text embedded when asked for.

    The evaluation scripts score a set several ways; each way then reads its embeddings.
    """
    fns = []
    for head in heads:
        vectors = dict(zip(texts, head.cache(folder).embed(texts), strict=True))

        def lookup(asked: Sequence[str], head: Head = head, vectors=vectors) -> np.ndarray:  # type: ignore[no-untyped-def]
            missing = list(dict.fromkeys(t for t in asked if t not in vectors))
            if missing:
                vectors.update(zip(missing, head.embed(missing), strict=True))
            return np.stack([vectors[t] for t in asked])

        fns.append(lookup)
    return fns


def combine(
    model: LinearModel,
    heads: Sequence[Head],
    texts: Sequence[str],
    below: float = DEFAULT_BELOW,
    embed_fns: Sequence[Any] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (probabilities, taken): the model's, averaged with the heads' where taken.

    A text is taken when the model's top probability is below `below` (above 1: every
    text). `embed_fns` (one per head; default each head's `embed`) turn texts into the
    embeddings each head reads.
    """
    if embed_fns is None:
        embed_fns = [head.embed for head in heads]
    probs = model.probabilities(texts)
    taken = probs.max(axis=1) < below
    if taken.any():
        chosen = [t for t, pick in zip(texts, taken, strict=True) if pick]
        total = probs[taken]
        for head, embed_fn in zip(heads, embed_fns, strict=True):
            total = total + head.probabilities(embed_fn(chosen))
        probs[taken] = total / (1 + len(heads))
    return probs, taken


class AccurateScorer:
    """The linear model, with the heads averaged in on the texts it is least sure of."""

    languages: frozenset[str] = frozenset({"en"})

    def __init__(
        self,
        model: LinearModel,
        heads: Sequence[Head],
        below: float = DEFAULT_BELOW,
        embed_fns: Sequence[Any] | None = None,
    ) -> None:
        self.model = model
        self.heads = tuple(heads)
        self.below = below
        # What turns texts into each head's embeddings (default: its embed); the evaluation
        # script passes cached ones.
        self.embed_fns = embed_fns
        self.name = "brandpulse-accurate"
        cut = "all" if below > 1 else f"below{below:g}"
        parts = [f"{model.version}+{model.sha256[:12]}"]
        parts += [f"{head.version}+{head.sha256[:12]}" for head in self.heads]
        self.version = "/".join([*parts, cut])

    def verdicts(self, texts: Sequence[str]) -> list[Any]:
        """Return one Verdict per text (each distinct text, links aside, scored once)."""
        from brandpulse.analysis.sentiment import MODEL_MAX_CHARS, Verdict

        keys = [_LINK.sub("http", t[:MODEL_MAX_CHARS]) for t in texts]
        first = dict(zip(keys, texts, strict=True))
        unique = list(first)
        probs, _ = combine(
            self.model,
            self.heads,
            [first[k][:MODEL_MAX_CHARS] for k in unique],
            self.below,
            self.embed_fns,
        )
        best = probs.argmax(axis=1)
        found = {
            k: Verdict(CLASSES[int(b)], float(p[2] - p[0]), float(p[b]))
            for k, b, p in zip(unique, best, probs, strict=True)
        }
        return [found[k] for k in keys]
