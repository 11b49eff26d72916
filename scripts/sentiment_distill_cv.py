"""Measure the share of gold label in the targets the shipped model learns from.

Usage: .venv/bin/python scripts/sentiment_distill_cv.py [--corpora DIR] [--cache DIR]
       [--out DIR]

The shipped linear model (scripts/build_sentiment_model.py) learns from a mix of each text's
gold label (share GOLD_SHARE) and the committed accurate tier's probabilities (the teacher).
This prints the macro-recall on the test folds of the build's 3-fold split of the model
fitted on the gold labels alone and of a model taught at each share of GOLD_SHARES, then
each taught model, fitted on the whole pool, on every shared evaluation set (its model files
in --out, default a temporary folder). The teacher was fine-tuned on the whole pool, test
folds included, so its probabilities carry a little of them into the training folds: the
folds rank the shares, the evaluation sets (seen by neither) measure them. Needs the train
and accurate extras; embedding the pool takes about 8 minutes on two cores, `--cache DIR`
keeps it. The features are the shipped recipe's (token vectors included since model 4.0;
the shares were measured with model 3.0's, docs/analysis.md).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

# The shares of gold label measured (the rest of each target is the teacher's).
GOLD_SHARES = (0.25, 0.5, 0.75)


def main(argv: list[str]) -> int:
    import build_sentiment_model as build
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
    teacher = build.teacher_probabilities(texts, head, cache)
    tokens, _ = build.token_vectors(head)
    words = build.vocabulary(texts)
    x = build.matrix(texts, {w: i for i, w in enumerate(words)}, tokens)
    y = np.array([CLASSES.index(label) for label in labels])
    folds = StratifiedKFold(build.FOLDS, shuffle=True, random_state=build.SEED).split(x, y)
    for n, (train, test) in enumerate(folds):

        def recall(model, test: np.ndarray = test) -> str:  # type: ignore[no-untyped-def]
            return f"{recall_score(y[test], model.predict(x[test]), average='macro'):.4f}"

        line = f"fold {n + 1}: macroR gold only {recall(build.fit(x[train], y[train], 1.0))}"
        for share in GOLD_SHARES:
            student = build.fit(x[train], y[train], 1.0, teacher[train], share)
            line += f" | gold {share} {recall(student)}"
        print(line, flush=True)
    for share in GOLD_SHARES:
        student = build.fit(x, y, 1.0, teacher, share)
        folder = out / f"gold-{share}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / build.MODEL_FILE
        write_model(
            path,
            build.model_header(student.intercept_),
            words,
            student.coef_.T.astype(np.float32),
            tokens,
        )
        for name, figs in build.evaluate(LinearModel.from_file(path), root).items():
            print(
                f"gold {share} {name}: macroR {figs['macro_recall']:.4f} "
                f"wF1 {figs['weighted_f1']:.4f} acc {figs['accuracy']:.4f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
