"""Learn a brand's relevance from sentence embeddings of its marks (the accurate tier's part).

Character grams see how a mention is written; a sentence embedding sees what it is about
("a donut and coffee run" is near "my morning latte" with no word in common). Each brand
gets a logistic regression on the embeddings of its marks; its log-odds are added to the
gram model's (two experts that each saw the same marks), so without enough marks of both
kinds it adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brandpulse.analysis.relevance import MIN_EACH

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
