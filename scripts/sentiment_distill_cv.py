"""Measure the linear model taught by the accurate tier (the shipped fine-tuned head).

Usage: .venv/bin/python scripts/sentiment_distill_cv.py [--corpora DIR] [--cache DIR]
       [--out DIR]

The teacher is the committed tier (analysis/models/sentiment-head.json and its adapter);
the student, the linear model of scripts/build_sentiment_model.py (same pool, vocabulary,
features, C = 1), learns from a mix of each text's gold label (share GOLD_SHARES) and the
teacher's probabilities: each text is repeated once per class, weighted by that mix and by
its gold class's balanced weight. Printed: the macro-recall of the model as built and of
each student on the test folds of the build's 3-fold split, then each student, fitted on
the whole pool, on every shared evaluation set (its model files in --out, default a
temporary folder). The teacher was fine-tuned on the whole pool, test folds included, so
its probabilities carry a little of them into the students' training folds: the folds rank
the shares, the evaluation sets (seen by neither) measure them. Needs the train and
accurate extras; embedding the pool takes 20-30 minutes on two cores, `--cache DIR` keeps it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

# How much of a text's target is its gold label (the rest is the teacher's probabilities).
GOLD_SHARES = (0.25, 0.5, 0.75)


def fit_student(x, y: np.ndarray, teacher: np.ndarray, gold_share: float):  # type: ignore[no-untyped-def]
    """Fit the linear model on soft targets: gold_share of the gold label, the rest teacher."""
    import build_sentiment_model as build
    from brandpulse.analysis.sentiment_model import CLASSES
    from scipy.sparse import vstack
    from sklearn.linear_model import LogisticRegression

    classes = len(CLASSES)
    target = gold_share * np.eye(classes)[y] + (1 - gold_share) * teacher
    balanced = len(y) / (classes * np.bincount(y, minlength=classes))
    weights = target * balanced[y][:, None] * classes
    student = LogisticRegression(C=1.0, max_iter=build.MAX_ITER, tol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return student.fit(
            vstack([x] * classes).tocsr(),
            np.repeat(np.arange(classes), len(y)),
            sample_weight=np.concatenate([weights[:, c] for c in range(classes)]),
        )


def main(argv: list[str]) -> int:
    import build_sentiment_model as build
    from brandpulse.analysis.embedding import EmbeddingCache
    from brandpulse.analysis.sentiment_accurate import load_head
    from brandpulse.analysis.sentiment_model import CLASSES, LinearModel, write_model
    from sklearn.metrics import recall_score
    from sklearn.model_selection import StratifiedKFold

    from brandpulse.sentiment_corpora import corpora_root

    def option(name: str) -> str | None:
        return argv[argv.index(name) + 1] if name in argv else None

    root = corpora_root(option("--corpora"))
    cached = option("--cache")
    cache = Path(cached) if cached else None
    out = Path(option("--out") or tempfile.mkdtemp(prefix="distill-"))
    texts, labels, _ = build.training_pool(root)
    head = load_head()
    teacher = head.probabilities(EmbeddingCache(cache, adapter=head.adapter).embed(texts))
    words = build.vocabulary(texts)
    x = build.matrix(texts, {w: i for i, w in enumerate(words)})
    y = np.array([CLASSES.index(label) for label in labels])
    folds = StratifiedKFold(build.FOLDS, shuffle=True, random_state=build.SEED).split(x, y)
    for n, (train, test) in enumerate(folds):

        def recall(model, test: np.ndarray = test) -> str:  # type: ignore[no-untyped-def]
            return f"{recall_score(y[test], model.predict(x[test]), average='macro'):.4f}"

        line = f"fold {n + 1}: macroR as built {recall(build.fit(x[train], y[train], 1.0))}"
        for share in GOLD_SHARES:
            student = fit_student(x[train], y[train], teacher[train], share)
            line += f" | gold {share} {recall(student)}"
        print(line, flush=True)
    for share in GOLD_SHARES:
        student = fit_student(x, y, teacher, share)
        header = {
            "name": build.NAME,
            "version": build.VERSION,
            "classes": list(CLASSES),
            "char_range": list(build.CHAR_RANGE),
            "bias": [float(np.float32(b)) for b in student.intercept_],
            "link": "softmax",
        }
        folder = out / f"gold-{share}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / build.MODEL_FILE
        write_model(path, header, words, student.coef_.T.astype(np.float32))
        for name, figs in build.evaluate(LinearModel.from_file(path), root).items():
            print(
                f"gold {share} {name}: macroR {figs['macro_recall']:.4f} "
                f"wF1 {figs['weighted_f1']:.4f} acc {figs['accuracy']:.4f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
