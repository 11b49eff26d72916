"""Measure per-brand class-prior adaptation of the sentiment scorers on the shared labelled sets.

Usage: .venv/bin/python scripts/sentiment_prior_eval.py [CORPORA_DIR] [--accurate --cache DIR]
       [--semeval] [--markdown]

The method (Saerens, Latinne & Decaestecker 2002, "Adjusting the outputs of a classifier to
new a priori probabilities"): a brand's mentions have their own mix of labels (complaints to
an airline are mostly negative). EM on the model's probabilities over one brand's unlabelled
texts estimates that brand's prior; each text's probabilities are then re-weighted by the
ratio of that prior to the training prior. The models are fitted with balanced class weights,
so their training prior is uniform.

Groups: per airline (airline set), per query (Sentiment140), per topic (SemEval BD sets), the
whole set elsewhere (TweetEval, VADER's tweets and Amazon snippets have no brand column).
Methods: `as trained` (no adaptation), `EM` (plain EM on every group of MIN_TEXTS or more) and
`EM guarded` (the prior estimate shrunk toward the training prior by STRENGTH pseudo-texts, a
maximum a posteriori estimate under a Dirichlet prior, and each class's prior held within
CAP times its training prior). Besides the agreement figures it prints `negErr`, the mean
absolute error of the negative share per group of MIN_TEXTS or more (weighted by size), the
figure a dashboard shows per brand.

`--accurate` adds the accurate tier (the model with the embedding heads averaged in below 0.6,
as `[analysis] accurate_tier = true`; needs the accurate extra, `--cache DIR` keeps the
embeddings). `--semeval` also measures the methods on the training pool itself, out of fold
(3-fold cross-validation with the build script's recipe, needs the train extra), grouped by the
topics of the SemEval BD training files: the in-domain check the guards are chosen on.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

from brandpulse.analysis.sentiment_metrics import Figures, figures  # noqa: E402
from brandpulse.analysis.sentiment_model import CLASSES, DEFAULT_MODEL, load_model  # noqa: E402

from brandpulse.sentiment_corpora import (  # noqa: E402
    HELD_OUT_BD,
    Corpus,
    corpora_root,
    evaluation_sets,
    topic_sets,
)

# The training prior of models fitted with balanced class weights.
TRAIN_PRIOR = np.full(len(CLASSES), 1.0 / len(CLASSES))
# Groups smaller than this keep the model's probabilities (and are left out of negErr).
MIN_TEXTS = 20
STRENGTH = 20.0
CAP = 2.0


@dataclass(frozen=True)
class Guard:
    """How a group's prior is estimated: pseudo-texts at the training prior, and the cap."""

    strength: float = 0.0
    cap: float | None = None


METHODS: tuple[tuple[str, Guard | None], ...] = (
    ("as trained", None),
    ("EM", Guard()),
    ("EM guarded", Guard(STRENGTH, CAP)),
)


def estimate_prior(probs: np.ndarray, guard: Guard, iterations: int = 500) -> np.ndarray:
    """Return the class prior of a group by EM on its texts' probabilities (Saerens 2002)."""
    prior = TRAIN_PRIOR.copy()
    for _ in range(iterations):
        adjusted = adjust(probs, prior)
        new = (adjusted.sum(axis=0) + guard.strength * TRAIN_PRIOR) / (len(probs) + guard.strength)
        if guard.cap is not None:
            new = np.clip(new, TRAIN_PRIOR / guard.cap, TRAIN_PRIOR * guard.cap)
            new /= new.sum()
        if np.abs(new - prior).max() < 1e-8:
            return new
        prior = new
    return prior


def adjust(probs: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Return probabilities re-weighted from the training prior to `prior`."""
    weighted = probs * (prior / TRAIN_PRIOR)
    return weighted / weighted.sum(axis=1, keepdims=True)


def adapt(probs: np.ndarray, groups: Sequence[str], guard: Guard) -> np.ndarray:
    """Return every group's probabilities adjusted to its own estimated prior."""
    keys = np.asarray(groups)
    out = probs.copy()
    for group in np.unique(keys):
        rows = keys == group
        if rows.sum() >= MIN_TEXTS:
            out[rows] = adjust(probs[rows], estimate_prior(probs[rows], guard))
    return out


def labels_of(probs: np.ndarray, classes: Sequence[str]) -> list[str]:
    """Return the likeliest class; on a positive/negative-only set, the sign of the score."""
    if "neutral" not in classes:
        return ["positive" if p[2] >= p[0] else "negative" for p in probs]
    return [CLASSES[int(i)] for i in probs.argmax(axis=1)]


def negative_share_error(
    gold: Sequence[str], predicted: Sequence[str], groups: Sequence[str]
) -> float | None:
    """Return the size-weighted mean absolute error of each group's negative share."""
    keys, gold_a, pred_a = np.asarray(groups), np.asarray(gold), np.asarray(predicted)
    errors, sizes = [], []
    for group in np.unique(keys):
        rows = keys == group
        if rows.sum() >= MIN_TEXTS:
            share = (pred_a[rows] == "negative").mean()
            errors.append(abs(share - (gold_a[rows] == "negative").mean()))
            sizes.append(rows.sum())
    return float(np.average(errors, weights=sizes)) if errors else None


def measure(
    gold: Sequence[str], probs: np.ndarray, groups: Sequence[str], classes: Sequence[str]
) -> list[tuple[str, Figures, float | None]]:
    """Return (method, figures, negErr) for every method on one set's probabilities."""
    rows = []
    for method, guard in METHODS:
        adapted = probs if guard is None else adapt(probs, groups, guard)
        predicted = labels_of(adapted, classes)
        rows.append(
            (
                method,
                figures(gold, predicted, classes=classes),
                negative_share_error(gold, predicted, groups),
            )
        )
    return rows


def tier_probabilities(corpus: Corpus, cache: Path | None) -> np.ndarray:
    """Return the accurate tier's probabilities (heads averaged in below its cut)."""
    from brandpulse.analysis.sentiment_accurate import (
        DEFAULT_BELOW,
        cached_embed_fns,
        combine,
        load_heads,
    )

    heads = load_heads()
    probs, _ = combine(
        load_model(DEFAULT_MODEL),
        heads,
        corpus.texts,
        DEFAULT_BELOW,
        embed_fns=cached_embed_fns(heads, corpus.texts, cache),
    )
    return probs.astype(np.float64)


def semeval_out_of_fold(root: Path) -> tuple[list[str], np.ndarray, list[str]]:
    """Return the training pool's labels, out-of-fold probabilities and BD training topics."""
    sys.path.insert(0, str(REPO / "scripts"))
    import build_sentiment_model as build
    from sklearn.model_selection import StratifiedKFold

    from brandpulse.sentiment_corpora import _tsv, training_files

    texts, labels, _ = build.training_pool(root)
    first_id: dict[str, str] = {}
    for path in training_files(root):
        for row in _tsv(path, 3):
            first_id.setdefault(row[2], row[0])
    topic: dict[str, str] = {}
    base = root / "sentiment" / "semeval2013-16" / "subtask-BD"
    for path in sorted(base.glob("*.tsv")):
        if path.name in HELD_OUT_BD:
            continue
        for row in _tsv(path, 4):
            topic.setdefault(row[0], row[1])
    vocab = {w: i for i, w in enumerate(build.vocabulary(texts))}
    x = build.matrix(texts, vocab)
    y = np.array([CLASSES.index(label) for label in labels])
    probs = np.zeros((len(texts), len(CLASSES)))
    folds = StratifiedKFold(build.FOLDS, shuffle=True, random_state=build.SEED).split(x, y)
    for n, (train, test) in enumerate(folds):
        print(f"  fold {n + 1} of {build.FOLDS}", file=sys.stderr, flush=True)
        probs[test] = build.fit(x[train], y[train], 1.0).predict_proba(x[test])
    # Tweets outside the BD training files form one group each, so EM leaves them alone.
    groups = [topic.get(first_id[t], f"-{n}") for n, t in enumerate(texts)]
    return labels, probs, groups


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    cache = None
    if "--cache" in argv:
        cache = Path(argv[argv.index("--cache") + 1])
        args.remove(str(cache)) if str(cache) in args else None
    root = corpora_root(args[0] if args else None)
    model = load_model(DEFAULT_MODEL)
    results: list[tuple[str, str, str, Figures, float | None]] = []
    for corpus in evaluation_sets(root) + topic_sets(root):
        groups = corpus.groups or ["all"] * len(corpus.texts)
        scorers = [("model", model.probabilities(corpus.texts).astype(np.float64))]
        if "--accurate" in argv:
            scorers.append(("accurate<0.6", tier_probabilities(corpus, cache)))
        for scorer, probs in scorers:
            for method, figs, err in measure(corpus.labels, probs, groups, corpus.classes):
                results.append((corpus.name, scorer, method, figs, err))
    if "--semeval" in argv:
        labels, probs, groups = semeval_out_of_fold(root)
        kept = [n for n, g in enumerate(groups) if not g.startswith("-")]
        for method, figs, err in measure(
            [labels[n] for n in kept], probs[kept], [groups[n] for n in kept], CLASSES
        ):
            results.append(("semeval-pool-BD-topics (out of fold)", "model", method, figs, err))
    print(f"corpora: {root / 'sentiment'}; groups of {MIN_TEXTS}+ texts adapted")
    header = ("set", "scorer", "method", "texts", "acc", "macroR", "macroF1", "wF1", "negErr")
    if "--markdown" in argv:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
    for name, scorer, method, f, err in results:
        cells = (
            name,
            scorer,
            method,
            f"{f.texts:,}",
            f"{f.accuracy:.3f}",
            f"{f.macro_recall:.3f}",
            f"{f.macro_f1:.3f}",
            f"{f.weighted_f1:.3f}",
            "-" if err is None else f"{err:.3f}",
        )
        if "--markdown" in argv:
            print("| " + " | ".join(cells) + " |")
        else:
            print(
                f"{cells[0]:<24}{cells[1]:<14}{cells[2]:<12}"
                + "".join(f"{c:>9}" for c in cells[3:])
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
