"""Static token vectors: one vector per WordPiece token, averaged over a text's tokens.

Each token's vector is what the accurate tier's fine-tuned MiniLM encoder says of that token
alone, reduced to a few principal components (scripts/build_sentiment_model.py builds them,
in the manner of model2vec). The linear model reads mean token vectors as dense features
beside its n-grams (`sentiment_model.token_features`): they carry what the encoder learnt
about words the SemEval tweets rarely use ("tarmac", "rebooked", "refund"), at the cost of
a tokenizer pass and a table lookup, not a transformer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from tokenizers.implementations.bert_wordpiece import BertWordPieceTokenizer


class TokenVectors:
    """A WordPiece vocabulary (uncased, as MiniLM's) and a vector per token (float16 values,
    held as float32 for summing; `to_bytes` writes them back as float16, exactly)."""

    def __init__(self, tokens: list[str], vectors: np.ndarray) -> None:
        if vectors.ndim != 2 or vectors.shape[0] != len(tokens):
            raise ValueError(f"{len(tokens)} tokens but vectors of shape {vectors.shape}")
        self.tokens = tokens
        self.vectors = np.asarray(vectors, dtype=np.float16).astype(np.float32)
        self.dims = int(vectors.shape[1])
        # MiniLM's own tokenizer settings: BERT's normaliser (lowercase, accents stripped)
        # and pre-tokenizer, greedy longest-match word pieces.
        self._tokenizer = BertWordPieceTokenizer(
            {token: i for i, token in enumerate(tokens)}, lowercase=True
        )

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Return each text's token ids (no [CLS] or [SEP])."""
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [e.ids for e in encodings]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return the (n, dims) float32 mean token vectors of `texts`, each of unit length
        (a text without tokens gets zeros)."""
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        table = self.vectors
        empty = np.zeros(self.dims, dtype=np.float32)
        # One small sum per text: faster than one reduceat over every token of the batch
        # (measured), and a text's vector does not depend on the batch it is in.
        sums = np.stack([table[ids].sum(axis=0) if ids else empty for ids in self.token_ids(texts)])
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return np.asarray(sums / np.maximum(norms, 1e-12), dtype=np.float32)

    def to_bytes(self) -> tuple[bytes, bytes]:
        """Return the vocabulary (newline-joined UTF-8) and the vectors (little-endian f16)."""
        return (
            "\n".join(self.tokens).encode("utf-8"),
            np.ascontiguousarray(self.vectors, dtype="<f2").tobytes(),
        )
