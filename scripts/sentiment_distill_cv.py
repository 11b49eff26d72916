"""Cross-validate the linear model trained on gold labels mixed with the embedding head's.

Usage: .venv/bin/python scripts/sentiment_distill_cv.py [--corpora DIR] [--cache DIR]

A head on the plain MiniLM embeddings (the accurate tier before its encoder was fine-tuned)
as a teacher for the fast model: on each training fold the head is fitted, and the linear model
learns from half its gold label and half the head's probabilities (each text repeated once
per class, weighted by that mix and by its gold class's balanced weight). Printed per fold of
the build script's 3-fold split of the SemEval pool: macro-recall and accuracy on the test
fold of the model as shipped (`base`), the head, their mean (the tier on every text), the
taught model (`student`) and its mean with the head. Needs the train and accurate extras;
embedding the pool takes about 30 minutes on two cores, `--cache DIR` keeps it.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

# How much of a text's target is its gold label (the rest is the head's probabilities).
GOLD_SHARE = 0.5


def fit_head(vectors: np.ndarray, y: np.ndarray):  # type: ignore[no-untyped-def]
    """Fit a head on the encoder's own embeddings (no fine-tuning): multinomial logistic
    regression, balanced class weights, C = 1, on float16-rounded vectors."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    x = vectors.astype(np.float16).astype(np.float64)
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, y)


def main(argv: list[str]) -> int:
    import build_sentiment_model as build
    from brandpulse.analysis.embedding import EmbeddingCache
    from scipy.sparse import vstack
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, recall_score
    from sklearn.model_selection import StratifiedKFold

    from brandpulse.sentiment_corpora import corpora_root

    corpora = argv[argv.index("--corpora") + 1] if "--corpora" in argv else None
    cache = Path(argv[argv.index("--cache") + 1]) if "--cache" in argv else None
    root = corpora_root(corpora)
    texts, labels, _ = build.training_pool(root)
    vectors = EmbeddingCache(cache).embed(texts)
    vocab = {w: i for i, w in enumerate(build.vocabulary(texts))}
    x = build.matrix(texts, vocab)
    y = np.array([build.CLASSES.index(label) for label in labels])
    classes = len(build.CLASSES)
    folds = StratifiedKFold(build.FOLDS, shuffle=True, random_state=build.SEED).split(x, y)
    for n, (train, test) in enumerate(folds):
        base = build.fit(x[train], y[train], 1.0).predict_proba(x[test])
        head = fit_head(vectors[train], y[train])
        rounded = vectors.astype(np.float16).astype(np.float64)
        teacher = head.predict_proba(rounded[train])
        head_test = head.predict_proba(rounded[test])
        target = GOLD_SHARE * np.eye(classes)[y[train]] + (1 - GOLD_SHARE) * teacher
        balanced = len(train) / (classes * np.bincount(y[train], minlength=classes))
        weights = target * balanced[y[train]][:, None] * classes
        student = LogisticRegression(C=1.0, max_iter=build.MAX_ITER, tol=1e-4)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            student.fit(
                vstack([x[train]] * classes).tocsr(),
                np.repeat(np.arange(classes), len(train)),
                sample_weight=np.concatenate([weights[:, c] for c in range(classes)]),
            )
        taught = student.predict_proba(x[test])

        def show(probs: np.ndarray, test: np.ndarray = test) -> str:
            guess = probs.argmax(axis=1)
            recall = recall_score(y[test], guess, average="macro")
            return f"macroR {recall:.4f} acc {accuracy_score(y[test], guess):.4f}"

        print(
            f"fold {n + 1}: base {show(base)} | head {show(head_test)} | "
            f"base+head {show(base + head_test)} | student {show(taught)} | "
            f"student+head {show(taught + head_test)}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
