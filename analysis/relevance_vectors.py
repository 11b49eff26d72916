"""Learn a brand's relevance from sentence embeddings of its marks (the accurate tier's part).

Character grams see how a mention is written; a sentence embedding sees what it is about
("a donut and coffee run" is near "my morning latte" with no word in common). Each text is
embedded twice, by all-MiniLM-L6-v2 (English) and by multilingual-e5-small (about 100
languages), side by side (`embed`). Each brand gets a logistic regression on each
encoder's embeddings of its marks; their log-odds are added to the gram model's (experts
that each saw the same marks), so without enough marks of both kinds they add nothing; a
two-Gaussian mixture over the summed log-odds (`relevance_mixture`) then places the
decision. `Combined` is all of it as the product scores with it (`[analysis]
accurate_relevance = true`) and as `relevance eval --accurate` measures it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from brandpulse.analysis.relevance import MIN_EACH, Model, Signals, focus, sigmoid, train
from brandpulse.analysis.relevance_mixture import Mixture, fit_mixture

# Named in the version stored beside every score the head took part in.
HEAD_VERSION = "minilm-e5-head-4"

# Each encoder's share of an embedding: `embed` puts them side by side, and each block of
# this many columns gets a head of its own.
BLOCK = 384

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


class Memo:
    """An embed function whose vectors are kept by text, the least recently used dropped
    past `size` texts.

    Every mark re-scores every stored match of its brand, so a long-lived process (the
    dashboard) would embed the same mentions again on every mark. A text's vector does not
    depend on the batch it came in (e5's not at all, MiniLM's by at most 1e-5), so it can
    be kept."""

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray], size: int) -> None:
        self._embed = embed
        self._size = size
        self._kept: OrderedDict[str, np.ndarray] = OrderedDict()
        self.embedded = 0  # texts sent to `embed`

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Return `embed(texts)`, embedding only the texts not kept."""
        if not len(texts):
            return self._embed([])
        found = {t: self._kept[t] for t in texts if t in self._kept}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            # Rows are copied so that a kept row does not hold its whole batch in memory.
            fresh = self._embed(missing)
            found.update((t, row.copy()) for t, row in zip(missing, fresh, strict=True))
            self.embedded += len(missing)
        out = np.vstack([found[t] for t in texts])
        for text, vector in found.items():
            self._kept[text] = vector
            self._kept.move_to_end(text)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return out


def _embed_both(texts: Sequence[str]) -> np.ndarray:
    from brandpulse.analysis import embedding, multilingual  # imported only when asked

    return np.hstack([embedding.embed(texts), multilingual.embed(texts)])


# Each MiniLM + e5 vector takes 3 KB, so this keeps at most about 60 MB.
MEMO_TEXTS = 20_000

# Each text's MiniLM and multilingual-e5 embeddings side by side, (n, 768) (the accurate
# extra: raises MissingExtra without it).
embed = Memo(_embed_both, MEMO_TEXTS)


def check_extra() -> None:
    """Load both encoders: raise MissingExtra (error and fix) when either is missing."""
    from brandpulse.analysis import embedding, multilingual

    embedding.encoder()
    multilingual.encoder()


def train_vectors(vectors: np.ndarray, labels: list[bool] | np.ndarray) -> VectorHead | None:
    """Fit a head on each `BLOCK` of the marks' embeddings (one per encoder) and return
    them as one head whose log-odds are their sum; None until each kind has `MIN_EACH`
    marks."""
    y = np.asarray(labels, dtype=float)
    related = int(y.sum())
    if min(related, len(y) - related) < MIN_EACH:
        return None
    vectors = np.asarray(vectors, dtype=float)
    # Fitted apart, each encoder's head is an expert like the gram model; one regression
    # over both would share one penalty between them and measured worse.
    heads = [fit_head(vectors[:, a : a + BLOCK], y) for a in range(0, vectors.shape[1], BLOCK)]
    return VectorHead(
        weights=np.concatenate([h.weights for h in heads]), bias=float(sum(h.bias for h in heads))
    )


def fit_head(
    vectors: np.ndarray, targets: np.ndarray, weights: np.ndarray | None = None
) -> VectorHead:
    """Fit a logistic regression of `targets` (0 to 1) on `vectors`, each row weighted by
    `weights` (1 when not given)."""
    y = np.asarray(targets, dtype=float)
    weight = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    x = np.hstack([np.asarray(vectors, dtype=float), np.ones((len(y), 1))])
    # The intercept is barely penalised: the share of related marks sets it.
    penalty = np.full(x.shape[1], 1.0 / _C)
    penalty[-1] = 1e-3
    w = np.zeros(x.shape[1])
    # Newton's method: a few hundred marks by 385 inputs converge in a handful of steps.
    for _ in range(_NEWTON_STEPS):
        p = sigmoid(x @ w)
        grad = x.T @ (weight * (p - y)) + penalty * w
        hess = (x * (weight * p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return VectorHead(weights=w[:-1], bias=float(w[-1]))


def embedded_texts(texts: Sequence[str], signals: Signals) -> list[str]:
    """Return what is embedded of each text: the passages around the brand's names."""
    return [focus(text, signals.names) for text in texts]


@dataclass(frozen=True)
class Combined:
    """A brand's gram model, its embedding head and the mixture that places the decision.

    Scores like `relevance.Model`; `embed` embeds texts (see `embedded_texts`)."""

    model: Model
    head: VectorHead | None
    embed: Callable[[Sequence[str]], np.ndarray]
    mixture: Mixture | None = None

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

    def logits_of(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Return the log-odds of texts whose embeddings are already at hand."""
        grams = self.model.logits(texts)
        if self.head is None or not len(texts):
            return grams
        summed = grams + self.head.logits(vectors)  # two experts on the same marks: added
        return summed if self.mixture is None else self.mixture.logits(summed)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Return the log-odds that each text is about the brand."""
        if self.head is None or not len(texts):
            return self.model.logits(texts)
        return self.logits_of(texts, self.embed(embedded_texts(texts, self.signals)))

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Return the probability that each text is about the brand."""
        return sigmoid(self.logits(texts))


# Out-of-fold scores of the marks: each fold's marks scored by models of the other folds.
FOLDS = 5


def _fit_both(
    signals: Signals, texts: Sequence[str], labels: Sequence[bool], vectors: np.ndarray
) -> tuple[Model, VectorHead | None]:
    """Return the gram model and the head (None with too few marks) fitted on the marks."""
    return train(signals, texts, labels), train_vectors(vectors, list(labels))


def fit_combined(
    signals: Signals,
    texts: Sequence[str],
    labels: Sequence[bool],
    vectors: np.ndarray,
    unmarked: tuple[Sequence[str], np.ndarray] = ((), np.zeros((0, 0))),
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
) -> Combined:
    """Fit the gram model and head on the marks (`vectors`: their embeddings), then the
    mixture on the marks' out-of-fold log-odds and the unmarked (texts, embeddings) ones.

    Without `MIN_EACH` marks of each kind there is no head: the gram model alone.
    """
    labels = [bool(label) for label in labels]
    model, head = _fit_both(signals, texts, labels, vectors)
    combined = Combined(model, head, embed or _no_embed)
    if head is None:
        return combined
    oof = np.zeros(len(texts))
    for k in range(FOLDS):
        held = list(range(k, len(texts), FOLDS))
        kept = [i for i in range(len(texts)) if i % FOLDS != k]
        if not held or not kept:
            continue
        fold_model, fold_head = _fit_both(
            signals, [texts[i] for i in kept], [labels[i] for i in kept], vectors[kept]
        )
        oof[held] = fold_model.logits([texts[i] for i in held])
        if fold_head is not None:
            oof[held] += fold_head.logits(vectors[held])
    unmarked_texts, unmarked_vectors = unmarked
    scores = np.zeros(0)
    if len(unmarked_texts):
        scores = combined.logits_of(unmarked_texts, unmarked_vectors)
    return replace(combined, mixture=fit_mixture(oof, labels, scores))


def _no_embed(texts: Sequence[str]) -> np.ndarray:
    raise ValueError("this model was fitted on given embeddings and cannot embed texts")


def train_combined(
    signals: Signals,
    texts: Sequence[str],
    labels: Sequence[bool],
    embed: Callable[[Sequence[str]], np.ndarray],
    unmarked: Sequence[str] = (),
) -> Combined:
    """Embed the marks (and the sample of unmarked texts) and fit as `fit_combined` does."""
    y = [bool(label) for label in labels]
    if min(sum(y), len(y) - sum(y)) < MIN_EACH:
        return Combined(train(signals, texts, y), None, embed)
    vectors = embed(embedded_texts(texts, signals))
    others = embed(embedded_texts(unmarked, signals)) if unmarked else np.zeros((0, 0))
    return fit_combined(signals, texts, y, vectors, (unmarked, others), embed)
