"""Fit a project sentiment model: the shipped model's weights, moved by the team's corrections.

The shipped model is what the base data taught; its weights are the starting point and an
L2 pull keeps the project model near them, so a few corrections shift the words they are
about without forgetting the rest. N-grams of the corrections the vocabulary lacks get new
rows. The bias and the weights of the dense features (VADER's score, the token vectors)
stay as shipped: every text carries them,
so tens of thousands of training tweets set them, and corrections (a sample of the model's
mistakes, not of the brand's mentions) moved them enough to tilt every label (on the airline
tweets, 17 corrections per airline took TweetEval macro-recall from 0.70 to 0.50;
scripts/sentiment_corrections_curve.py). Plain numpy, full-batch gradient descent, no
randomness: the same corrections give the same model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from brandpulse.analysis.sentiment_metrics import Figures, figures
from brandpulse.analysis.sentiment_model import (
    CLASSES,
    DENSE,
    Featurizer,
    LinearModel,
    clean,
    design,
    ngrams,
    token_feature_count,
)
from brandpulse.analysis.token_vectors import TokenVectors

# How much one correction weighs against the pull towards the shipped weights.
CORRECTION_WEIGHT = 1.0
PRIOR = 0.02
STEPS = 300
LEARNING_RATE = 2.0
# Fewer corrections than this cannot be cross-validated into anything meaningful.
MIN_CORRECTIONS = 10
# Team labels that are nearly all changes teach the scorer's mistakes, not the brand's
# mentions (scripts/sentiment_corrections_curve.py with and without --confirm): below this
# share of confirmations the dashboard and `sentiment train` suggest confirming too.
MIN_CONFIRMED_SHARE = 0.2


def too_few_confirmations(labels: int, confirmed: int) -> bool:
    """Return True when a team has enough labels to train on and nearly all of them change
    the scorer's label."""
    return labels >= MIN_CORRECTIONS and confirmed < labels * MIN_CONFIRMED_SHARE


@dataclass
class ProjectModel:
    """A fitted project model, ready for `sentiment_model.write_model`."""

    header: dict[str, object]
    vocab: list[str]
    weights: np.ndarray
    tokens: TokenVectors | None = None

    def as_linear(self) -> LinearModel:
        """Return it as a loaded model (without writing a file)."""
        return LinearModel.from_parts(self.header, self.vocab, self.weights, self.tokens)


def fine_tune(
    base: LinearModel,
    texts: Sequence[str],
    labels: Sequence[str],
    hold_shared: bool = True,
    hold_tokens: bool = True,
) -> ProjectModel:
    """Return the base model moved towards the labelled texts (labels from CLASSES).

    `hold_shared` False lets the bias and the dense features move too: the rule before, kept so
    that scripts/sentiment_corrections_curve.py --free can measure it. `hold_tokens` False
    (with `hold_shared`) lets the token vectors' weights move, the bias and VADER's held
    (`--free-tokens`: on the airline teams the brand's tweets gained a little and general
    tweets lost more, so they are held).
    """
    words = list(base.vocab)
    known = set(words)
    for text in texts:
        for gram in sorted(ngrams(clean(text), base.char_range)):  # type: ignore[arg-type]
            if gram not in known:
                known.add(gram)
                words.append(gram)
    added = len(words) - len(base.vocab)
    start = np.concatenate(
        [
            base.weights[: len(base.vocab)],
            np.zeros((added, len(CLASSES)), dtype=np.float32),
            base.weights[len(base.vocab) :],
        ]
    ).astype(np.float64)
    bias0 = base.bias.astype(np.float64)
    vocab = {w: i for i, w in enumerate(words)}
    indptr, indices, values = design(
        texts,
        Featurizer(vocab, base.char_range),  # type: ignore[arg-type]
        tokens=base.tokens,
    )
    rows = np.repeat(np.arange(len(texts)), np.diff(indptr))
    target = np.zeros((len(texts), len(CLASSES)))
    target[np.arange(len(texts)), [CLASSES.index(label) for label in labels]] = 1.0
    weights, bias = start.copy(), bias0.copy()
    # The dense features after the n-grams: VADER's, then the token vectors'.
    held = slice(
        len(words), len(words) + DENSE + (token_feature_count(base.tokens) if hold_tokens else 0)
    )
    scale = CORRECTION_WEIGHT / max(len(texts), 1)
    for _ in range(STEPS):
        contributions = weights[indices] * values[:, None]
        logits = np.add.reduceat(contributions, indptr[:-1], axis=0) + bias
        if base.link == "ovr":
            # One logistic loss per class, as the base model was fitted.
            error = 1.0 / (1.0 + np.exp(-logits)) - target
        else:
            exp = np.exp(logits - logits.max(axis=1, keepdims=True))
            error = exp / exp.sum(axis=1, keepdims=True) - target
        grad = np.zeros_like(weights)
        np.add.at(grad, indices, error[rows] * values[:, None])
        grad = grad * scale + PRIOR * (weights - start)
        if hold_shared:
            grad[held] = 0.0  # held, as the bias is
        else:
            bias -= LEARNING_RATE * (error.sum(axis=0) * scale + PRIOR * (bias - bias0))
        weights -= LEARNING_RATE * grad
    header = {
        **base.header,
        "name": "brandpulse-project",
        "version": f"{base.version}+{len(texts)}c",
        "base_sha256": base.sha256,
        "bias": [float(np.float32(b)) for b in bias],
        "corrections": len(texts),
    }
    header.pop("vocab_bytes", None)
    return ProjectModel(header, words, weights.astype(np.float32), base.tokens)


@dataclass(frozen=True)
class Comparison:
    """Cross-validated figures of the base and project models on the corrections."""

    folds: int
    base: Figures
    project: Figures

    @property
    def better(self) -> bool:
        """Return True when the project model beats the base on macro-F1 and accuracy holds."""
        return (
            self.project.macro_f1 > self.base.macro_f1
            and self.project.accuracy >= self.base.accuracy
        )


def cross_validate(
    base: LinearModel,
    texts: Sequence[str],
    labels: Sequence[str],
    folds: int = 5,
    hold_shared: bool = True,
    hold_tokens: bool = True,
) -> Comparison:
    """Return both models' figures on each correction when it was held out of the fit.

    Fold k holds corrections k, k+folds, k+2*folds... (a fixed split, no randomness).
    """
    folds = max(2, min(folds, len(texts)))
    base_pred = [p.label for p in base.predict(list(texts))]
    project_pred = [""] * len(texts)
    for k in range(folds):
        held = [i for i in range(len(texts)) if i % folds == k]
        fit = [i for i in range(len(texts)) if i % folds != k]
        if not held or not fit:
            continue
        fitted = fine_tune(
            base, [texts[i] for i in fit], [labels[i] for i in fit], hold_shared, hold_tokens
        )
        model = fitted.as_linear()
        for i, p in zip(held, model.predict([texts[i] for i in held]), strict=True):
            project_pred[i] = p.label
    return Comparison(folds, figures(labels, base_pred), figures(labels, project_pred))
