"""Learn a brand's relevance from sentence embeddings of its marks (the accurate tier's part).

Character grams see how a mention is written; a sentence embedding sees what it is about
("a donut and coffee run" is near "my morning latte" with no word in common). Each brand
gets a logistic regression on the embeddings of its marks; its log-odds are added to the
gram model's (two experts that each saw the same marks), so without enough marks of both
kinds it adds nothing. `Combined` is that pair as the product scores with it
(`[analysis] accurate_relevance = true`) and as `relevance eval --accurate` measures it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from brandpulse.analysis.relevance import MIN_EACH, Model, Signals, focus, train

# Named in the version stored beside every score the head took part in.
HEAD_VERSION = "minilm-head-1"

# The same L2 strength as the gram model (`relevance._C`): marks are few and precise.
_C = 100.0
_NEWTON_STEPS = 25


@dataclass(frozen=True)
class VectorHead:
    """A brand's logistic regression on sentence embeddings."""

    weights: np.ndarray
    bias: float

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        """Return the log-odds that each embedded text is about the brand."""
        return np.asarray(vectors, dtype=float) @ self.weights + self.bias


def train_vectors(vectors: np.ndarray, labels: list[bool] | np.ndarray) -> VectorHead | None:
    """Fit the head on the marks' embeddings; None until each kind has `MIN_EACH` marks."""
    y = np.asarray(labels, dtype=float)
    related = int(y.sum())
    if min(related, len(y) - related) < MIN_EACH:
        return None
    x = np.hstack([np.asarray(vectors, dtype=float), np.ones((len(y), 1))])
    # The intercept is barely penalised: the share of related marks sets it.
    penalty = np.full(x.shape[1], 1.0 / _C)
    penalty[-1] = 1e-3
    w = np.zeros(x.shape[1])
    # Newton's method: a few hundred marks by 385 inputs converge in a handful of steps.
    for _ in range(_NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return VectorHead(weights=w[:-1], bias=float(w[-1]))


def combine(gram_logits: np.ndarray, head_logits: np.ndarray | None) -> np.ndarray:
    """Return the log-odds of the gram model and the head together (the head's added)."""
    if head_logits is None:
        return gram_logits
    return gram_logits + head_logits


def embedded_texts(texts: Sequence[str], signals: Signals) -> list[str]:
    """Return what is embedded of each text: the passages around the brand's names."""
    return [focus(text, signals.names) for text in texts]


@dataclass(frozen=True)
class Combined:
    """A brand's gram model and its embedding head; scores like `relevance.Model`."""

    model: Model
    head: VectorHead | None
    embed: Callable[[Sequence[str]], np.ndarray]

    @property
    def signals(self) -> Signals:
        """Return the brand's config signals."""
        return self.model.signals

    @property
    def version(self) -> str:
        """Return the gram model's version, plus the head's name when the head scores too."""
        if self.head is None:
            return self.model.version
        return f"{self.model.version}+{HEAD_VERSION}"

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Return the log-odds that each text is about the brand."""
        grams = self.model.logits(texts)
        if self.head is None or not len(texts):
            return grams
        vectors = self.embed(embedded_texts(texts, self.signals))
        return combine(grams, self.head.logits(vectors))

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Return the probability that each text is about the brand."""
        return 1.0 / (1.0 + np.exp(-np.clip(self.logits(texts), -30, 30)))


def train_combined(
    signals: Signals,
    texts: Sequence[str],
    labels: Sequence[bool],
    embed: Callable[[Sequence[str]], np.ndarray],
) -> Combined:
    """Fit the gram model and, with `MIN_EACH` marks of each kind, the head on the marks."""
    model = train(signals, texts, labels)
    y = [bool(label) for label in labels]
    head = None
    if min(sum(y), len(y) - sum(y)) >= MIN_EACH:
        head = train_vectors(embed(embedded_texts(texts, signals)), y)
    return Combined(model, head, embed)
