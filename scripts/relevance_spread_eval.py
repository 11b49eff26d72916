"""Measure label spreading over a brand's embeddings as part of the accurate relevance path.

Analysis only (nothing here ships), on the MiniLM-only head (`minilm-head-3`; the product
has since added multilingual-e5 beside it). Over the same draws as `relevance_eval.evaluate` (the
same shuffles, the same marks, the same held-back texts), each brand's gram model and
embedding head are fitted once per seed, with their 5-fold out-of-fold log-odds on the
marks, as `relevance_vectors.fit_combined` fits them; the decision variants below then
reuse those pieces. The `baseline` row is `fit_combined` itself (`--check` asserts that it
equals `evaluate`'s figures).

Spreading (Zhou et al. 2004): the marks and the brand's unmarked texts are the nodes of a
k-nearest-neighbour graph over the embeddings (cosine; binary edges, symmetrised);
F = (I - alpha S)^-1 Y with S = D^-1/2 W D^-1/2 and Y one column per kind, each kind's
marks weighted 1 / their count (so the larger kind does not flood the graph). A node's
spread log-odds is log(F_related / F_other). Figures: docs/analysis.md, "fourth round".

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/relevance_spread_eval.py \
        ../shared/corpora/relevance/weps3_trial.tsv --cache /tmp/rel5 --check
    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/relevance_spread_eval.py \
        ../shared/corpora/relevance/weps3_trial.tsv --cache /tmp/rel5 --check \
        --seeds 0 --marks 10 25

The folder keeps the embeddings and each seed's fitted pieces (about a minute for five
seeds from scratch); empty it after changing the gram model or the head.
"""

from __future__ import annotations

import argparse
import importlib.util
import pickle
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from brandpulse.analysis import embedding
from brandpulse.analysis.relevance import Signals, focus, sigmoid, train
from brandpulse.analysis.relevance_eval import Counts, _at, _rounds, evaluate, shuffled_by_brand
from brandpulse.analysis.relevance_mixture import MIN_EACH as MIXTURE_MIN_EACH
from brandpulse.analysis.relevance_mixture import _components, fit_mixture
from brandpulse.analysis.relevance_vectors import FOLDS, VectorHead, fit_head, train_vectors

from brandpulse.commands.relevance import read_labelled


@dataclass
class Round:
    """One brand's marks and held-back texts, with the fitted pieces of the accurate path."""

    labels: np.ndarray  # the marks' kinds (1 related)
    marked: np.ndarray  # the marks' embeddings
    rest: np.ndarray  # the held-back (unmarked, scored) texts' embeddings
    truth: np.ndarray  # the held-back texts' kinds
    grams_rest: np.ndarray  # the gram model's log-odds on the held-back texts
    head_rest: np.ndarray | None  # the head's (None: too few marks of a kind)
    oof_grams: np.ndarray  # the marks' out-of-fold log-odds of the gram model
    oof_head: np.ndarray  # ... of the head (0 where a fold had no head)
    folds: list[list[int]]  # the marks held out by each fold


def pieces(rows, vectors, n: int, seed: int) -> list[Round]:
    """Fit every brand's gram model and head as `fit_combined` does, over `evaluate`'s draws."""
    out = []
    for brand, shuffled in shuffled_by_brand(rows, seed):
        signals = Signals(name=brand)
        for marked, rest in _rounds(shuffled, n):
            labels = [r for r, _, _ in marked]
            texts, scored = [t for _, t, _ in marked], [t for _, t, _ in rest]
            mv, rv = vectors[_at(marked)], vectors[_at(rest)]
            model, head = train(signals, texts, labels), train_vectors(mv, labels)
            oof_g, oof_h, folds = np.zeros(len(texts)), np.zeros(len(texts)), []
            if head is not None:
                for k in range(FOLDS):
                    held = list(range(k, len(texts), FOLDS))
                    kept = [i for i in range(len(texts)) if i % FOLDS != k]
                    if not held or not kept:
                        continue
                    folds.append(held)
                    fm = train(signals, [texts[i] for i in kept], [labels[i] for i in kept])
                    fh = train_vectors(mv[kept], [labels[i] for i in kept])
                    oof_g[held] = fm.logits([texts[i] for i in held])
                    if fh is not None:
                        oof_h[held] = fh.logits(mv[held])
            out.append(
                Round(
                    labels=np.asarray(labels, dtype=float),
                    marked=np.asarray(mv, dtype=float),
                    rest=np.asarray(rv, dtype=float),
                    truth=np.asarray([r for r, _, _ in rest], dtype=bool),
                    grams_rest=model.logits(scored),
                    head_rest=None if head is None else head.logits(rv),
                    oof_grams=oof_g,
                    oof_head=oof_h,
                    folds=folds,
                )
            )
    return out


# --- spreading ------------------------------------------------------------------------


def graph(nodes: np.ndarray, k: int) -> np.ndarray:
    """Return S = D^-1/2 W D^-1/2 of the symmetrised binary kNN graph (cosine) of `nodes`."""
    sim = nodes @ nodes.T
    np.fill_diagonal(sim, -np.inf)
    k = min(k, len(nodes) - 1)
    nearest = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    w = np.zeros_like(sim)
    np.put_along_axis(w, nearest, 1.0, axis=1)
    w = np.maximum(w, w.T)
    d = 1.0 / np.sqrt(np.maximum(w.sum(axis=1), 1e-12))
    return w * d[:, None] * d[None, :]


def _labelled(nodes: int, marks: int, held: Sequence[int] = ()) -> np.ndarray:
    """Return which graph nodes carry their label: the marks (the first `marks` nodes) but
    the `held` fold."""
    labelled = np.zeros(nodes, dtype=bool)
    labelled[:marks] = True
    labelled[list(held)] = False
    return labelled


def spread(s: np.ndarray, labelled: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """Return each node's spread log-odds of "related" from the labelled nodes' kinds."""
    seeds = np.zeros((len(s), 2))
    idx = np.flatnonzero(labelled)
    one, zero = idx[y == 1], idx[y == 0]
    seeds[one, 0] = 1.0 / max(len(one), 1)
    seeds[zero, 1] = 1.0 / max(len(zero), 1)
    f = np.linalg.solve(np.eye(len(s)) - alpha * s, seeds)
    eps = 1e-12 + 1e-6 * f.max()
    return np.log(np.maximum(f[:, 0], 0) + eps) - np.log(np.maximum(f[:, 1], 0) + eps)


def spread_terms(r: Round, k: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the spread log-odds: the marks' out-of-fold ones and the held-back texts'.

    The graph holds marks and held-back texts; a fold's marks are unlabelled nodes when
    scored, as the held-back texts are for the full fit."""
    nodes = np.vstack([r.marked, r.rest])
    s = graph(nodes, k)
    m = len(r.marked)
    oof = np.zeros(m)
    for held in r.folds:
        labelled = _labelled(len(nodes), m, held)
        keep = labelled[:m]
        oof[held] = spread(s, labelled, r.labels[keep], alpha)[held]
    labelled = _labelled(len(nodes), m)
    rest = spread(s, labelled, r.labels, alpha)[m:]
    return oof, rest


def slope(scores: np.ndarray, y: np.ndarray, prior: float = 1.0) -> float:
    """Return the slope b of P(related) = sigmoid(b * score + c) fitted on (scores, y).

    b is pulled toward 0 by a Gaussian prior of unit strength; c is free (and dropped)."""
    b, c = 0.0, 0.0
    for _ in range(50):
        p = sigmoid(b * scores + c)
        g = np.array([((p - y) * scores).sum() + prior * b, (p - y).sum()])
        w = p * (1 - p)
        h = np.array(
            [[(w * scores**2).sum() + prior, (w * scores).sum()], [(w * scores).sum(), w.sum()]]
        ) + 1e-9 * np.eye(2)
        step = np.linalg.solve(h, g)
        b, c = b - step[0], c - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return max(b, 0.0)


# --- decisions ------------------------------------------------------------------------

Decide = Callable[[Round], np.ndarray]
# Spread log-odds of a round's marks (out-of-fold) and of its rest, for a k and an alpha.
Terms = Callable[[Round, int, float], tuple[np.ndarray, np.ndarray]]


def baseline(r: Round) -> np.ndarray:
    """`fit_combined`: summed log-odds, mixture from out-of-fold marks + held-back texts."""
    if r.head_rest is None:
        return r.grams_rest
    summed = r.grams_rest + r.head_rest
    mixture = fit_mixture(r.oof_grams + r.oof_head, r.labels, summed)
    return summed if mixture is None else mixture.logits(summed)


def mixed(oof: np.ndarray, rest: np.ndarray, r: Round) -> np.ndarray:
    mixture = fit_mixture(oof, r.labels, rest)
    return rest if mixture is None else mixture.logits(rest)


def third_term(k: int, alpha: float, scaled: bool, terms: Terms | None = None) -> Decide:
    """(a) The spread log-odds as a third term in the sum before the mixture.

    `scaled`: multiplied by a slope fitted on the marks' out-of-fold spread log-odds;
    `terms`: how the spread log-odds are found (`spread_terms` unless given)."""

    def decide(r: Round) -> np.ndarray:
        if r.head_rest is None:
            return r.grams_rest
        oof_s, rest_s = (terms or spread_terms)(r, k, alpha)
        b = slope(oof_s, r.labels) if scaled else 1.0
        return mixed(
            r.oof_grams + r.oof_head + b * oof_s, r.grams_rest + r.head_rest + b * rest_s, r
        )

    return decide


def sklearn_terms(r: Round, k: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """`spread_terms` by scikit-learn's LabelSpreading (needs the `train` extra)."""
    from sklearn.semi_supervised import LabelSpreading

    nodes = np.vstack([r.marked, r.rest])
    m = len(r.marked)

    def run(labelled: np.ndarray) -> np.ndarray:
        y = np.full(len(nodes), -1)
        y[np.flatnonzero(labelled)] = r.labels[labelled[:m]].astype(int)
        model = LabelSpreading(kernel="knn", n_neighbors=k, alpha=alpha, max_iter=1000)
        dist = np.clip(model.fit(nodes, y).label_distributions_, 1e-6, 1)
        return np.log(dist[:, 1] / dist[:, 0])

    oof = np.zeros(m)
    for held in r.folds:
        labelled = _labelled(len(nodes), m, held)
        oof[held] = run(labelled)[held]
    labelled = _labelled(len(nodes), m)
    return oof, run(labelled)[m:]


def chosen_third_term(grid: list[tuple[int, float]]) -> Decide:
    """(a) with k and alpha chosen per brand by the marks' out-of-fold log-loss of the
    scaled spread term alone."""

    def decide(r: Round) -> np.ndarray:
        if r.head_rest is None:
            return r.grams_rest
        best = None
        for k, alpha in grid:
            oof_s, rest_s = spread_terms(r, k, alpha)
            b = slope(oof_s, r.labels)
            z = b * oof_s
            c = np.log(r.labels.mean() / (1 - r.labels.mean()))
            p = sigmoid(z + c)
            loss = -np.mean(r.labels * np.log(p + 1e-12) + (1 - r.labels) * np.log(1 - p + 1e-12))
            if best is None or loss < best[0]:
                best = (loss, b * oof_s, b * rest_s)
        _, oof_s, rest_s = best
        return mixed(r.oof_grams + r.oof_head + oof_s, r.grams_rest + r.head_rest + rest_s, r)

    return decide


def soft_head(k: int, alpha: float) -> Decide:
    """(b) The head retrained on the marks plus the held-back texts with their spread
    probabilities as soft labels (together weighing at most as much as the marks)."""

    def fit(x_marked, y, x_other, p_other) -> VectorHead:
        weight = min(1.0, len(y) / max(len(p_other), 1))
        x = np.vstack([x_marked, x_other])
        t = np.concatenate([y, p_other])
        w = np.concatenate([np.ones(len(y)), np.full(len(p_other), weight)])
        return fit_head(x, t, w)

    def decide(r: Round) -> np.ndarray:
        if r.head_rest is None:
            return r.grams_rest
        nodes = np.vstack([r.marked, r.rest])
        s = graph(nodes, k)
        m = len(r.marked)
        oof_h = np.zeros(m)
        for held in r.folds:
            labelled = _labelled(len(nodes), m, held)
            keep = labelled[:m]
            z = spread(s, labelled, r.labels[keep], alpha)
            others = np.flatnonzero(~labelled)
            head = fit(nodes[labelled], r.labels[keep], nodes[others], sigmoid(z[others]))
            oof_h[held] = head.logits(r.marked[held])
        labelled = _labelled(len(nodes), m)
        z = spread(s, labelled, r.labels, alpha)
        head = fit(r.marked, r.labels, r.rest, sigmoid(z[m:]))
        return mixed(r.oof_grams + oof_h, r.grams_rest + head.logits(r.rest), r)

    return decide


def smoothed(k: int, alpha: float) -> Decide:
    """(c) The summed log-odds (marks: out-of-fold) smoothed over the graph, then the
    mixture on the smoothed scores."""

    def decide(r: Round) -> np.ndarray:
        if r.head_rest is None:
            return r.grams_rest
        nodes = np.vstack([r.marked, r.rest])
        s = graph(nodes, k)
        z = np.concatenate([r.oof_grams + r.oof_head, r.grams_rest + r.head_rest])
        f = (1 - alpha) * np.linalg.solve(np.eye(len(z)) - alpha * s, z)
        # S's eigenvalues are <= 1 but its row sums are not 1: rescale so a constant stays.
        ones = (1 - alpha) * np.linalg.solve(np.eye(len(z)) - alpha * s, np.ones(len(z)))
        f = f / ones
        m = len(r.marked)
        return mixed(f[:m], f[m:], r)

    return decide


def graph_em(k: int, beta: float) -> Decide:
    """(d) The mixture's EM with each held-back text's responsibility mixed, at weight
    `beta`, with the mean over its graph neighbours (marks count as their kind); the
    decision is the smoothed responsibility."""

    def decide(r: Round) -> np.ndarray:
        if r.head_rest is None:
            return r.grams_rest
        summed = r.grams_rest + r.head_rest
        oof = r.oof_grams + r.oof_head
        y = r.labels
        if min(y.sum(), len(y) - y.sum()) < MIXTURE_MIN_EACH:
            return summed
        nodes = np.vstack([r.marked, r.rest])
        w = graph(nodes, k) > 0
        walk = w / np.maximum(w.sum(axis=1, keepdims=True), 1)
        m = len(y)
        mixture = _components(oof, y, 1 - y)
        weight = min(1.0, len(oof) / len(summed))
        scores = np.concatenate([summed, oof])
        for _ in range(50):
            own = sigmoid(mixture.logits(summed))
            resp = (1 - beta) * own + beta * (walk @ np.concatenate([y, own]))[m:]
            mixture = _components(
                scores,
                np.concatenate([weight * resp, y]),
                np.concatenate([weight * (1 - resp), 1 - y]),
            )
        own = sigmoid(mixture.logits(summed))
        resp = (1 - beta) * own + beta * (walk @ np.concatenate([y, own]))[m:]
        resp = np.clip(resp, 1e-9, 1 - 1e-9)
        return np.log(resp / (1 - resp))

    return decide


def figures(rounds: list[Round], decide: Decide) -> tuple[float, float]:
    counts = Counts()
    for r in rounds:
        for truth, logit in zip(r.truth, decide(r), strict=True):
            counts.add(bool(truth), bool(sigmoid(logit) >= 0.5))
    f = counts.figures()
    return f["f1"], f["accuracy"]


def variants() -> dict[str, Decide]:
    grid = [(k, a) for k in (5, 10, 20) for a in (0.5, 0.9, 0.99)]
    chosen: dict[str, Decide] = {
        "baseline (fit_combined, minilm-head-3)": baseline,
        "(a) spread term, k=10 alpha=0.99, weight 1": third_term(10, 0.99, scaled=False),
        "(a) spread term, k=10 alpha=0.99, slope from OOF marks": third_term(10, 0.99, True),
        "(a) spread term, k=7 alpha=0.2 (sklearn defaults), slope from OOF": third_term(
            7, 0.2, True
        ),
        "(a) spread term, k/alpha per brand by OOF log-loss, slope from OOF": chosen_third_term(
            grid
        ),
        "(b) head retrained with spread soft labels, k=10 alpha=0.99": soft_head(10, 0.99),
        "(c) summed log-odds smoothed, k=10 alpha=0.5": smoothed(10, 0.5),
        "(c) summed log-odds smoothed, k=10 alpha=0.9": smoothed(10, 0.9),
        "(c) summed log-odds smoothed, k=10 alpha=0.25": smoothed(10, 0.25),
        "(c) summed log-odds smoothed, k=5 alpha=0.5": smoothed(5, 0.5),
        "(c) summed log-odds smoothed, k=20 alpha=0.5": smoothed(20, 0.5),
        "(d) mixture EM with graph-smoothed responsibilities, k=10 beta=0.5": graph_em(10, 0.5),
    }
    # The reference implementation, when scikit-learn (the `train` extra) is installed.
    if importlib.util.find_spec("sklearn") is not None:
        for scaled, how in ((False, "weight 1"), (True, "slope from OOF")):
            chosen[f"(a) sklearn LabelSpreading(knn, k=7, alpha=0.2), {how}"] = third_term(
                7, 0.2, scaled, sklearn_terms
            )
    return chosen


VARIANTS_BASELINE = ("baseline (fit_combined, minilm-head-3)",)


def mean_sd(values: list[float]) -> str:
    if len(values) < 2:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--cache", type=Path, required=True, help="folder for embeddings/pieces")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--marks", type=int, nargs="+", default=[50])
    parser.add_argument("--only", nargs="*", default=None, help="variant name prefixes")
    parser.add_argument("--check", action="store_true", help="assert baseline == evaluate")
    args = parser.parse_args(argv)
    rows = read_labelled(args.path)
    args.cache.mkdir(parents=True, exist_ok=True)
    vec_path = args.cache / "weps3_trial_vectors.npy"
    if vec_path.is_file():
        vectors = np.load(vec_path)
    else:
        # One call over all rows, as `relevance eval --accurate` embeds them.
        vectors = embedding.embed([focus(t, Signals(b).names) for b, _, t in rows])
        np.save(vec_path, vectors)
    chosen = variants()
    if args.only:
        chosen = {k: v for k, v in chosen.items() if any(k.startswith(o) for o in args.only)}
    for n in args.marks:
        table: dict[str, list[tuple[float, float]]] = {name: [] for name in chosen}
        for seed in args.seeds:
            path = args.cache / f"pieces_{n}_{seed}.pkl"
            if path.is_file():
                rounds = pickle.loads(path.read_bytes())
            else:
                rounds = pieces(rows, vectors, n, seed)
                path.write_bytes(pickle.dumps(rounds))
            if args.check:
                overall = evaluate(rows, n, seed, vectors=vectors).overall.figures()
                got = figures(rounds, baseline)
                assert got == (overall["f1"], overall["accuracy"]), (got, overall)
            for name, decide in chosen.items():
                table[name].append(figures(rounds, decide))
                f1, acc = table[name][-1]
                print(f"n={n} seed={seed} {name}: F1 {f1:.4f} acc {acc:.4f}", flush=True)
        print(f"\n{n} marks, seeds {args.seeds}:")
        print("| variant | F1 | accuracy | F1 − baseline, seeds better |\n|---|---|---|---|")
        base = table.get(next(iter(VARIANTS_BASELINE)), [])
        for name, got in table.items():
            f1s, accs = [g[0] for g in got], [g[1] for g in got]
            gain = ""
            if base and len(base) == len(got):
                deltas = [g[0] - b[0] for g, b in zip(got, base, strict=True)]
                better = sum(d > 0 for d in deltas)
                gain = f"{statistics.mean(deltas):+.3f}, {better} of {len(deltas)}"
            print(f"| {name} | {mean_sd(f1s)} | {mean_sd(accs)} | {gain} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
