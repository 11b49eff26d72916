"""Measure how much a mark teaches when marks are picked as the Review page lists them.

Analysis only. `brandpulse relevance eval` simulates a team that marks N random mentions;
the dashboard's Review page instead lists a brand's unmarked mentions least certain first
and retrains on every mark, so a team marking from its top picks the mentions a mark
teaches most. Picked that way, the unmarked rest is the easy part, so scoring "the rest"
would flatter the Review order; here each brand's texts are split once (per seed) into a
pool of 60% that marks may come from and a test share of 40% that is never marked, and
both orders are scored on the same test texts:

- `random`: the first N of the pool in a random order (as `relevance eval` draws them);
- `review, B at a time`: B at a time, the pool's unmarked texts whose score is nearest the
  threshold under the model retrained on the marks so far (`relevance.uncertainty_order`,
  the page's order; until the marks hold two of each kind every text scores alike, and the
  ties keep the pool's random order). B = 1 is a team marking one mention after another
  from the top of the page; B = 10 a team that ticks ten and marks them together. Each
  pick depends only on the marks before it, so the first N of 40 picks are the N picks.

Models are fitted as the product fits them: the gram model (`relevance.train`), and with
`--accurate` the gram model, embedding head and mixture (`relevance_vectors.fit_combined`,
the mixture on the pool's unmarked and the test texts, the brand's unmarked mentions), on
MiniLM's and multilingual-e5's embeddings (`minilm-e5-head-4`); `--minilm-only` keeps
MiniLM's head alone (`minilm-head-3`, the path before it).
Figures are pooled over every test text of every brand, F1 of "related" and accuracy, mean
± s.d. over seeds. Figures: docs/analysis.md, "Marking on the Review page".

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/relevance_review_order_eval.py \\
        ../shared/corpora/relevance/weps3_trial.tsv
    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/relevance_review_order_eval.py \\
        ../shared/corpora/relevance/weps3_trial.tsv --accurate --cache /tmp/rel-review
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from brandpulse.analysis.relevance import Signals, focus, sigmoid, train, uncertainty_order
from brandpulse.analysis.relevance_eval import Counts, Item, shuffled_by_brand
from brandpulse.analysis.relevance_vectors import fit_combined

from brandpulse.commands.relevance import read_labelled

sys.path.insert(0, str(Path(__file__).resolve().parent))
from relevance_spread_eval import mean_sd  # noqa: E402

TEST_SHARE = 0.4
Scorer = Callable[[Sequence[int]], np.ndarray]  # positions in the brand's items -> log-odds


def fitted(
    signals: Signals,
    items: list[Item],
    marked: Sequence[int],
    unmarked: Sequence[int],
    vectors: np.ndarray | None,
) -> Scorer:
    """Fit the brand's model on the marked items as the product does; return its scorer."""
    texts = [items[i][1] for i in marked]
    labels = [items[i][0] for i in marked]
    if vectors is None:
        model = train(signals, texts, labels)
        return lambda at: model.logits([items[i][1] for i in at])

    def rows(at: Sequence[int]) -> np.ndarray:
        return vectors[[items[i][2] for i in at]]

    others = ([items[i][1] for i in unmarked], rows(unmarked))
    combined = fit_combined(signals, texts, labels, rows(marked), others)
    return lambda at: combined.logits_of([items[i][1] for i in at], rows(at))


def chosen_marks(
    signals: Signals,
    items: list[Item],
    pool: list[int],
    test: list[int],
    n: int,
    batch: int | None,
    vectors: np.ndarray | None,
) -> list[int]:
    """Return N marks in the order they are made: the pool's own (batch None), or the
    Review page's picks, `batch` at a time."""
    if batch is None:
        return pool[:n]
    marked: list[int] = []
    while len(marked) < n:
        taken = set(marked)
        rest = [i for i in pool if i not in taken]
        if not rest:
            break
        scores = sigmoid(fitted(signals, items, marked, rest + test, vectors)(rest))
        order = uncertainty_order(list(scores), signals.threshold)
        marked += [rest[k] for k in order[: min(batch, n - len(marked))]]
    return marked


def figures(
    rows: list[tuple[str, bool, str]],
    marks: Sequence[int],
    seed: int,
    batch: int | None,
    vectors: np.ndarray | None,
) -> dict[int, tuple[float, float]]:
    """Return the pooled (F1, accuracy) on every brand's test texts for one seed, per
    number of marks."""
    counts = {n: Counts() for n in marks}
    for brand, items in shuffled_by_brand(rows, seed):
        order = list(range(len(items)))
        cut = round(len(order) * (1 - TEST_SHARE))
        pool, test = order[:cut], order[cut:]
        signals = Signals(name=brand)
        made = chosen_marks(signals, items, pool, test, max(marks), batch, vectors)
        for n in marks:
            taken = set(made[:n])
            unmarked = [i for i in pool if i not in taken] + test
            scores = sigmoid(fitted(signals, items, made[:n], unmarked, vectors)(test))
            for i, score in zip(test, scores, strict=True):
                counts[n].add(items[i][0], bool(score >= signals.threshold))
    out = {}
    for n, tally in counts.items():
        result = tally.figures()
        out[n] = (result["f1"], result["accuracy"])
    return out


def embedded(
    rows: list[tuple[str, bool, str]], cache: Path | None, minilm_only: bool
) -> np.ndarray:
    """Return each row's sentence embeddings around its brand's name (the accurate extra):
    MiniLM's (kept in `cache`) and multilingual-e5's side by side, as the product embeds."""
    from brandpulse.analysis import multilingual
    from brandpulse.analysis.embedding import EmbeddingCache

    texts = [focus(text, Signals(brand).names) for brand, _, text in rows]
    minilm = EmbeddingCache(cache).embed(texts)
    return minilm if minilm_only else np.hstack([minilm, multilingual.embed(texts)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--marks", type=int, nargs="+", default=[10, 25, 40])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--accurate", action="store_true", help="gram model + embedding head")
    parser.add_argument("--cache", type=Path, default=None, help="folder for the embeddings")
    parser.add_argument(
        "--minilm-only", action="store_true", help="with --accurate: MiniLM's head alone"
    )
    args = parser.parse_args(argv)
    rows = read_labelled(args.path)
    vectors = embedded(rows, args.cache, args.minilm_only) if args.accurate else None
    path = "gram model + embedding head + mixture" if args.accurate else "gram model"
    print(f"{path}; test: {TEST_SHARE:.0%} of each brand, never marked; seeds {args.seeds}")
    print("| marks per brand | order | F1 | accuracy | F1 per seed |\n|---|---|---|---|---|")
    orders: list[tuple[str, int | None]] = [("random", None)]
    orders += [(f"review, {b} at a time", b) for b in args.batches]
    table = {
        name: [figures(rows, args.marks, s, b, vectors) for s in args.seeds] for name, b in orders
    }
    for n in args.marks:
        for name, _ in orders:
            f1s = [seed[n][0] for seed in table[name]]
            accs = [seed[n][1] for seed in table[name]]
            per_seed = " / ".join(f"{f:.3f}" for f in f1s)
            print(f"| {n} | {name} | {mean_sd(f1s)} | {mean_sd(accs)} | {per_seed} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
