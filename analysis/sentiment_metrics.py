"""Agreement figures between gold and predicted sentiment labels: accuracy, recall, F1, r."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Figures:
    """One scorer on one labelled set; `r` is None when the set has no human score."""

    texts: int
    accuracy: float
    macro_recall: float
    macro_f1: float
    weighted_f1: float
    r: float | None = None

    def as_dict(self) -> dict[str, float | int | None]:
        """Return the figures rounded to 4 places, for a JSON card."""
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Return Pearson's correlation coefficient (0.0 when either side is constant)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else 0.0


def figures(
    gold: Sequence[str],
    predicted: Sequence[str],
    classes: Sequence[str] = ("negative", "neutral", "positive"),
    scores: Sequence[float] | None = None,
    gold_scores: Sequence[float] | None = None,
) -> Figures:
    """Return accuracy, macro-recall, macro-F1 and weighted-F1 over `classes` (and r if scored).

    Averages run over the gold classes; a prediction outside them (neutral on a
    positive/negative set) counts as a miss.
    """
    pairs = list(zip(gold, predicted, strict=True))
    accuracy = sum(g == p for g, p in pairs) / len(pairs)
    recalls, f1s, weights = [], [], []
    for label in classes:
        tp = sum(g == label and p == label for g, p in pairs)
        fp = sum(g != label and p == label for g, p in pairs)
        fn = sum(g == label and p != label for g, p in pairs)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        recalls.append(recall)
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
        weights.append(tp + fn)
    r = pearson(scores, gold_scores) if scores is not None and gold_scores is not None else None
    return Figures(
        texts=len(pairs),
        accuracy=accuracy,
        macro_recall=sum(recalls) / len(recalls),
        macro_f1=sum(f1s) / len(f1s),
        weighted_f1=sum(f * w for f, w in zip(f1s, weights, strict=True)) / sum(weights),
        r=r,
    )
