"""Measure the relevance filter on a labelled set as a team would meet it: N marks per brand."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from brandpulse.analysis.relevance import DEFAULT_THRESHOLD, Signals, sigmoid, train
from brandpulse.analysis.relevance_vectors import fit_combined


@dataclass
class Counts:
    """Confusion counts of the "related" class."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, kept: bool) -> None:
        """Count one scored text."""
        if truth and kept:
            self.tp += 1
        elif kept:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    def figures(self) -> dict[str, Any]:
        """Return precision, recall, F1 of the related class, accuracy and the counts."""
        total = self.tp + self.fp + self.fn + self.tn
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        a = (self.tp + self.tn) / total if total else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "accuracy": round(a, 4),
            "scored": total,
            "related": self.tp + self.fn,
        }


@dataclass
class Evaluation:
    """Per-brand and pooled figures of the model and of keyword-only matching."""

    labels_per_brand: int
    seed: int
    brands: dict[str, dict[str, Any]] = field(default_factory=dict)
    overall: Counts = field(default_factory=Counts)
    keyword_only: Counts = field(default_factory=Counts)

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape `brandpulse relevance eval --format json` prints."""
        return {
            "labels_per_brand": self.labels_per_brand,
            "seed": self.seed,
            "brands": self.brands,
            "overall": self.overall.figures(),
            "keyword_only": self.keyword_only.figures(),
        }


# (related, text, row index)
Item = tuple[bool, str, int]


def evaluate(
    rows: Sequence[tuple[str, bool, str]],
    labels_per_brand: int = 50,
    seed: int = 0,
    threshold: float = DEFAULT_THRESHOLD,
    vectors: np.ndarray | None = None,
) -> Evaluation:
    """Simulate, per brand, a team that marked N random texts, train on them, score the rest.

    `rows` are (brand, related, text); the brand's name is its only keyword. Figures are
    pooled over every scored text of every brand; marked texts are never scored by a model
    that learnt from them. A brand with too few texts to leave some unmarked after N marks
    is cross-validated (see `_rounds`); its `marks` figure is then the mean per fold.
    `vectors` (one sentence embedding per row) adds the accurate tier's embedding head and
    its mixture, fitted as the product does (`relevance_vectors.fit_combined`).
    """
    result = Evaluation(labels_per_brand, seed)
    for brand, shuffled in shuffled_by_brand(rows, seed):
        signals = Signals(name=brand, threshold=threshold)
        counts, keyword = Counts(), Counts()
        marks = []
        for marked, rest in _rounds(shuffled, labels_per_brand):
            labels = [r for r, _, _ in marked]
            texts, scored = [t for _, t, _ in marked], [t for _, t, _ in rest]
            if vectors is None:
                logits = train(signals, texts, labels).logits(scored)
            else:
                # The product fits the mixture on the brand's unmarked mentions: here, the rest.
                unmarked = (scored, vectors[_at(rest)])
                model = fit_combined(signals, texts, labels, vectors[_at(marked)], unmarked)
                logits = model.logits_of(scored, vectors[_at(rest)])
            marks.append(len(marked))
            for (truth, _, _), logit in zip(rest, logits, strict=True):
                kept = bool(_probability(logit) >= threshold)
                counts.add(truth, kept)
                result.overall.add(truth, kept)
                keyword.add(truth, True)
                result.keyword_only.add(truth, True)
        figures = counts.figures()
        figures["marks"] = round(sum(marks) / len(marks)) if marks else 0
        figures["keyword_only_f1"] = keyword.figures()["f1"]
        result.brands[brand] = figures
    return result


def shuffled_by_brand(
    rows: Sequence[tuple[str, bool, str]], seed: int
) -> Iterator[tuple[str, list[Item]]]:
    """Yield each brand (in name order) with its rows as (related, text, row index), in the
    seeded random order its marks are drawn from."""
    by_brand: dict[str, list[Item]] = {}
    for index, (brand, related, text) in enumerate(rows):
        by_brand.setdefault(brand, []).append((related, text, index))
    for brand in sorted(by_brand):
        items = by_brand[brand]
        order = list(range(len(items)))
        random.Random(f"{seed}:{brand}").shuffle(order)
        yield brand, [items[i] for i in order]


# A brand with fewer than N marks plus this share of its texts left over is scored by
# cross-validation instead: folds of this share, each scored by a model of (up to) N marks
# drawn from the other texts; so 100 marks per brand can be measured on ~100 texts a brand.
FOLD_SHARE = 0.1


def _at(items: list[Item]) -> list[int]:
    return [index for _, _, index in items]


def _probability(logit: float) -> float:
    return float(sigmoid(np.float64(logit)))


def _rounds(shuffled: list[Item], n: int) -> list[tuple[list[Item], list[Item]]]:
    """Return (marked, scored) rounds: one split when enough texts remain, else folds."""
    size = max(1, round(len(shuffled) * FOLD_SHARE))
    if len(shuffled) - n >= size:
        return [(shuffled[:n], shuffled[n:])]
    rounds = []
    for start in range(0, len(shuffled), size):
        held = shuffled[start : start + size]
        others = shuffled[:start] + shuffled[start + size :]
        rounds.append((others[:n], held))
    return rounds
