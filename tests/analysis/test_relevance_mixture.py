"""The mixture over a brand's combined log-odds puts the decision where the marks say."""

from __future__ import annotations

import numpy as np
from brandpulse.analysis.relevance_mixture import fit_mixture


def _scores(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two sure experts summed: every mention above 0, related near 3, the rest near 1."""
    rng = np.random.default_rng(seed)
    labels = np.array([True] * 20 + [False] * 30)
    marked = np.where(labels, rng.normal(3.0, 0.5, 50), rng.normal(1.0, 0.5, 50))
    unmarked = np.concatenate([rng.normal(3.0, 0.5, 200), rng.normal(1.0, 0.5, 300)])
    return marked, labels, unmarked


def test_the_decision_moves_between_the_two_kinds_of_scores() -> None:
    for seed in range(3):
        marked, labels, unmarked = _scores(seed)
        mixture = fit_mixture(marked, labels, unmarked)
        assert mixture is not None
        # The summed log-odds call all of them related; the mixture splits them.
        assert (marked > 0).mean() > 0.9
        assert mixture.logits(np.array([1.0]))[0] < -2 < 2 < mixture.logits(np.array([3.0]))[0]
        assert abs(mixture.mean_other - 1) < 0.3 and abs(mixture.mean_related - 3) < 0.3
        assert abs(mixture.related - 0.4) < 0.05
        decided = mixture.logits(marked) >= 0
        assert (decided == labels).mean() > 0.9


def test_many_unmarked_mentions_do_not_outvote_the_marks() -> None:
    """A thousand unmarked scores in one bump weigh as much as the fifty marks, no more."""
    marked, labels, _ = _scores(0)
    bump = np.random.default_rng(1).normal(2.0, 0.3, 5000)
    mixture = fit_mixture(marked, labels, bump)
    assert mixture is not None
    assert mixture.logits(np.array([1.0]))[0] < 0 < mixture.logits(np.array([3.0]))[0]


def test_without_five_marks_of_each_kind_there_is_no_mixture() -> None:
    assert fit_mixture(np.array([1.0, 2.0, 3.0]), [True, True, False], np.zeros(5)) is None
    four_related = np.array([3.0, 3.1, 2.9, 3.2, 1.0, 1.1, 0.9, 1.2, 1.05])
    labels = [True] * 4 + [False] * 5
    assert fit_mixture(four_related, labels, np.zeros(5)) is None
    assert fit_mixture(np.append(four_related, 3.05), [*labels, True], np.zeros(5)) is not None
    assert fit_mixture(np.zeros(0), [], np.zeros(5)) is None
