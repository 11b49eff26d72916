"""Measure the name's own contextual vector, and the head's penalty, in the accurate relevance path.

Analysis only (nothing here ships). Measured on the MiniLM-only head (`minilm-head-3`;
the product has since added multilingual-e5 beside it, see
scripts/relevance_encoders_eval.py). That path embeds a mention as the mean of
MiniLM-L6's last-layer token states over the whole text around the name. In word-sense
disambiguation the state of the ambiguous word itself is the usual signal ("Jaguar" next
to "purring" and next to "dealer" gets different states), so each WePS-3 text is also
embedded as the mean state of the name's own tokens (the name found case-insensitively,
its spaces optional, so "Best Buy" and "bestbuy" both count; texts without it keep their
mean over all tokens). Every variant goes through `relevance_eval.evaluate` with its
vectors, as `relevance eval --accurate` does, over the same draws:

- `sentence`: the mean over every token (as shipped; `--check` asserts it equals the
  command's own embeddings);
- `name, last layer`: the mean of the name's tokens in the last layer;
- `name, layers 3-6`: the same averaged over the last four layers;
- `sentence + name`: both, concatenated and normalised;
- `sentence, head C=X`: as shipped with the head's L2 strength `_C` set to X (shipped 100);
- `one regression`: instead of two experts whose log-odds are added, one logistic
  regression over the grams and the sentence vector together (the gram model's own fit,
  `relevance._fit`, with the 384 vector values as 384 more features), then the same
  mixture on its 5-fold out-of-fold log-odds (`--joint` only: about ten minutes more).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/relevance_name_vectors_eval.py \
        ../shared/corpora/relevance/weps3_trial.tsv --check --joint

About a quarter of an hour on one core of this machine, a third of it for `--joint`.
Figures: docs/analysis.md, "fifth round".
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from brandpulse.analysis import embedding, relevance, relevance_vectors
from brandpulse.analysis.embedding import DIM, _gelu, _layer_norm
from brandpulse.analysis.relevance import Signals, focus
from brandpulse.analysis.relevance_eval import Counts, _at, _rounds, evaluate, shuffled_by_brand
from brandpulse.analysis.relevance_mixture import fit_mixture

from brandpulse.commands.relevance import read_labelled

sys.path.insert(0, str(Path(__file__).resolve().parent))
from relevance_spread_eval import mean_sd  # noqa: E402


def layer_states(encoder: embedding.Encoder, ids: np.ndarray) -> list[np.ndarray]:
    """Return each layer's token states of one text (`Encoder._forward`, unpooled)."""
    length = ids.shape[1]
    heads, size = encoder.heads, DIM // encoder.heads
    x = encoder.word[ids] + encoder.position[:length]
    x = _layer_norm(x, *encoder.emb_norm, encoder.eps).reshape(length, DIM)
    scale = np.float32(1.0 / np.sqrt(size))
    states = []
    for layer in encoder.layers:
        qkv = (x @ layer["qkv"] + layer["qkv_b"]).reshape(length, 3, heads, size)
        q, k, v = (qkv[:, i].transpose(1, 0, 2) for i in range(3))
        scores = (q * scale) @ k.transpose(0, 2, 1)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        ctx = (scores @ v).transpose(1, 0, 2).reshape(length, DIM)
        x = _layer_norm(x + ctx @ layer["out"] + layer["out_b"], *layer["norm1"], encoder.eps)
        up = _gelu(x @ layer["up"] + layer["up_b"])
        x = _layer_norm(x + up @ layer["down"] + layer["down_b"], *layer["norm2"], encoder.eps)
        states.append(x.copy())
    return states


def name_positions(brand: str, text: str, offsets: list[tuple[int, int]]) -> list[int]:
    """Return the token positions that overlap the brand's name in the text."""
    pattern = re.compile(r"\s*".join(re.escape(c) for c in brand.replace(" ", "")), re.I)
    spans = [m.span() for m in pattern.finditer(text)]
    return [
        i
        for i, (a, b) in enumerate(offsets)
        if b > a and any(a < end and b > start for start, end in spans)
    ]


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def vectors_of(rows: list[tuple[str, bool, str]]) -> tuple[dict[str, np.ndarray], int]:
    """Return each variant's vectors of the rows, and how many texts held the name."""
    encoder = embedding.encoder()
    out = {k: np.zeros((len(rows), DIM), np.float32) for k in ("sentence", "last", "layers")}
    found = 0
    for i, (brand, _, text) in enumerate(rows):
        around = focus(text, Signals(brand).names)
        encoded = encoder.tokenizer.encode(around)
        states = layer_states(encoder, np.asarray([encoded.ids]))
        where = name_positions(brand, around, encoded.offsets)
        found += bool(where)
        where = where or list(range(len(encoded.ids)))
        out["sentence"][i] = states[-1].mean(axis=0)
        out["last"][i] = states[-1][where].mean(axis=0)
        out["layers"][i] = np.mean([s[where].mean(axis=0) for s in states[2:]], axis=0)
    vectors = {k: _unit(v) for k, v in out.items()}
    vectors["both"] = _unit(np.hstack([vectors["sentence"], vectors["last"]]))
    return vectors, found


def variants(vectors: dict[str, np.ndarray]) -> Iterator[tuple[str, np.ndarray, float]]:
    """Yield (name, vectors, head C) of every variant."""
    shipped = relevance_vectors._C
    yield "sentence (as shipped)", vectors["sentence"], shipped
    yield "name, last layer", vectors["last"], shipped
    yield "name, layers 3-6", vectors["layers"], shipped
    yield "sentence + name", vectors["both"], shipped
    for c in (3.0, 10.0, 30.0, 1000.0):
        yield f"sentence, head C={c:g}", vectors["sentence"], c


# -- one regression over grams and vector ------------------------------------------------


@dataclass(frozen=True)
class Joint:
    """A brand's logistic regression over its gram features and the sentence vector."""

    signals: Signals
    keys: np.ndarray
    weights: np.ndarray
    bias: float

    @classmethod
    def fit(cls, signals: Signals, texts: list[str], labels: list[bool], vectors: np.ndarray):
        """Fit as `relevance.train` does, the vector's values as dense extra features."""
        batch = relevance.featurise(texts, signals)
        keys, ind = np.unique(batch.keys, return_inverse=True)
        n = len(texts)
        weights, bias = relevance._fit(
            np.concatenate([ind, len(keys) + np.tile(np.arange(DIM), n)]),
            np.concatenate([batch.rows, np.repeat(np.arange(n), DIM)]),
            np.concatenate([batch.values, np.asarray(vectors, float).reshape(-1)]),
            np.array([relevance.prior_logit(t, signals) for t in texts]),
            np.asarray(labels, float),
            len(keys) + DIM,
        )
        return cls(signals, keys, weights, bias)

    def logits(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        """Return the log-odds of each text (with its vector)."""
        k = len(self.keys)
        batch = relevance.featurise(texts, self.signals)
        pos = np.searchsorted(self.keys, batch.keys)
        pos[pos >= k] = 0
        contrib = np.where(self.keys[pos] == batch.keys, self.weights[:k][pos], 0.0)
        grams = np.bincount(batch.rows, weights=contrib * batch.values, minlength=len(texts))
        prior = np.array([relevance.prior_logit(t, self.signals) for t in texts])
        return grams + np.asarray(vectors, float) @ self.weights[k:] + self.bias + prior


def _fitted(signals: Signals, texts: list[str], labels: list[bool], vectors: np.ndarray):
    """Return a scorer of (texts, vectors): the joint model, or the prior-only gram model
    until each kind has `MIN_EACH` marks (as the shipped path)."""
    if min(sum(labels), len(labels) - sum(labels)) < relevance.MIN_EACH:
        model = relevance.train(signals, texts, labels)
        return lambda t, v: model.logits(t)
    return Joint.fit(signals, texts, labels, vectors).logits


def joint_figures(rows, vectors: np.ndarray, n: int, seed: int) -> tuple[float, float]:
    """Return the pooled (F1, accuracy) of the joint model plus mixture over `evaluate`'s draws."""
    overall = Counts()
    for brand, shuffled in shuffled_by_brand(rows, seed):
        signals = Signals(name=brand)
        for marked, rest in _rounds(shuffled, n):
            labels = [r for r, _, _ in marked]
            texts, scored = [t for _, t, _ in marked], [t for _, t, _ in rest]
            mv, rv = vectors[_at(marked)], vectors[_at(rest)]
            logits = _fitted(signals, texts, labels, mv)(scored, rv)
            if min(sum(labels), len(labels) - sum(labels)) >= relevance.MIN_EACH:
                oof = np.zeros(len(texts))
                for k in range(relevance_vectors.FOLDS):
                    held = list(range(k, len(texts), relevance_vectors.FOLDS))
                    kept = [i for i in range(len(texts)) if i % relevance_vectors.FOLDS != k]
                    fold = _fitted(
                        signals, [texts[i] for i in kept], [labels[i] for i in kept], mv[kept]
                    )
                    oof[held] = fold([texts[i] for i in held], mv[held])
                mixture = fit_mixture(oof, labels, logits)
                if mixture is not None:
                    logits = mixture.logits(logits)
            for (truth, _, _), logit in zip(rest, logits, strict=True):
                overall.add(truth, bool(logit >= 0))
    figures = overall.figures()
    return figures["f1"], figures["accuracy"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--marks", type=int, default=50)
    parser.add_argument("--check", action="store_true", help="assert sentence == the command's")
    parser.add_argument("--joint", action="store_true", help="add the one-regression variant")
    args = parser.parse_args(argv)
    rows = read_labelled(args.path)
    vectors, found = vectors_of(rows)
    print(f"the name found in {found:,} of {len(rows):,} texts")
    if args.check:
        shipped = embedding.embed([focus(t, Signals(b).names) for b, _, t in rows])
        gap = float(np.abs(shipped - vectors["sentence"]).max())
        assert gap < 1e-4, gap  # batching moves only the last bits
    shipped_c = relevance_vectors._C
    print("| variant | F1 | accuracy | F1 per seed |\n|---|---|---|---|")
    for name, chosen, c in variants(vectors):
        relevance_vectors._C = c
        try:
            got = [evaluate(rows, args.marks, s, vectors=chosen).overall for s in args.seeds]
        finally:
            relevance_vectors._C = shipped_c
        f1s = [g.figures()["f1"] for g in got]
        accs = [g.figures()["accuracy"] for g in got]
        per_seed = " / ".join(f"{f:.3f}" for f in f1s)
        print(f"| {name} | {mean_sd(f1s)} | {mean_sd(accs)} | {per_seed} |", flush=True)
    if args.joint:
        got = [joint_figures(rows, vectors["sentence"], args.marks, s) for s in args.seeds]
        f1s, accs = [g[0] for g in got], [g[1] for g in got]
        per_seed = " / ".join(f"{f:.3f}" for f in f1s)
        print(f"| one regression | {mean_sd(f1s)} | {mean_sd(accs)} | {per_seed} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
