"""Place a brand's decision on its combined log-odds: two Gaussians, from marks and unmarked.

The gram model and the embedding head each learnt from the same few marks and each is sure
of itself, so their summed log-odds put the line between the meanings in the wrong place
for many brands. Each kind's scores are modelled as one Gaussian over the log-odds: the
marks' out-of-fold scores with their labels fix the start, and EM on the brand's unmarked
mentions' scores (which together weigh at most as much as the marks) moves the two
components to where the brand's mentions really fall. The mention's new log-odds are the
log ratio of the two weighted densities; the threshold applies to them as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brandpulse.analysis.relevance import sigmoid

# A component narrower than this (in log-odds², about ±0.7) would turn a few marks into
# a certainty.
VARIANCE_FLOOR = 0.5
_ITERATIONS = 50
# Each kind's component is fitted on out-of-fold scores from five folds: with fewer marks
# of a kind than folds, its mean and spread rest on a handful of guesses, and the plain
# summed log-odds decide instead.
MIN_EACH = 5


@dataclass(frozen=True)
class Mixture:
    """Two Gaussians over a brand's log-odds: related (share `related`) and not."""

    related: float
    mean_related: float
    var_related: float
    mean_other: float
    var_other: float

    def logits(self, scores: np.ndarray) -> np.ndarray:
        """Return the log-odds of "related" for each score under the two components."""
        z = np.asarray(scores, dtype=float)
        one = -((z - self.mean_related) ** 2) / (2 * self.var_related) - 0.5 * np.log(
            self.var_related
        )
        other = -((z - self.mean_other) ** 2) / (2 * self.var_other) - 0.5 * np.log(self.var_other)
        return one - other + np.log(self.related / (1 - self.related))


def _components(
    scores: np.ndarray, weight_related: np.ndarray, weight_other: np.ndarray
) -> Mixture:
    total = weight_related.sum() + weight_other.sum()
    mean_1 = float((weight_related * scores).sum() / weight_related.sum())
    mean_0 = float((weight_other * scores).sum() / weight_other.sum())
    var_1 = float((weight_related * (scores - mean_1) ** 2).sum() / weight_related.sum())
    var_0 = float((weight_other * (scores - mean_0) ** 2).sum() / weight_other.sum())
    share = float(np.clip(weight_related.sum() / total, 1e-3, 1 - 1e-3))
    return Mixture(share, mean_1, max(var_1, VARIANCE_FLOOR), mean_0, max(var_0, VARIANCE_FLOOR))


def fit_mixture(
    marked: np.ndarray, labels: np.ndarray | list[bool], unmarked: np.ndarray
) -> Mixture | None:
    """Fit the two components to the marks' out-of-fold log-odds and the unmarked ones.

    None until each kind has `MIN_EACH` marks. The unmarked mentions together weigh at most
    as much as the marks: thousands of them would otherwise fit any two bumps they hold,
    whatever the marks say they mean.
    """
    y = np.asarray(labels, dtype=float)
    if min(y.sum(), len(y) - y.sum()) < MIN_EACH:
        return None
    marked = np.asarray(marked, dtype=float)
    unmarked = np.asarray(unmarked, dtype=float)
    mixture = _components(marked, y, 1 - y)
    if not len(unmarked):
        return mixture
    weight = min(1.0, len(marked) / len(unmarked))
    scores = np.concatenate([unmarked, marked])
    for _ in range(_ITERATIONS):
        responsibility = sigmoid(mixture.logits(unmarked))
        related = np.concatenate([weight * responsibility, y])
        other = np.concatenate([weight * (1 - responsibility), 1 - y])
        mixture = _components(scores, related, other)
    return mixture
