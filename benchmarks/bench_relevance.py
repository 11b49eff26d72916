"""Relevance scoring speed, and what relevance adds to building the demo.

`relevance`: a brand model trained on 50 marked WePS-3 tweets of one name scores 50,000
mention texts (tweets and airline tweets from the sentiment corpora, a third of them joined
into comment-length texts); ours is the batch scorer the pipeline calls, the baseline a
plain per-text loop over the same features as Python string sets and a dict of weights.

`relevance_demo`: the demo built from data/demo (feeds and Reddit through the real
pipeline, relevance included), against the same build's time minus a full retrain and
re-score of every stored match, which is an upper bound of relevance's share.
"""

from __future__ import annotations

import csv
import math
import random
import statistics
import tempfile
import time
from pathlib import Path

from brandpulse.analysis.relevance import Model, Signals, focus, train

from benchmarks.common import corpora_root, report, timed
from brandpulse import demo, relevance
from brandpulse.config import load_config

TEXTS = 50_000
REPO = Path(__file__).resolve().parents[1]


def corpus() -> tuple[list[tuple[bool, str]], list[str]]:
    """Return (related, text) WePS-3 rows of 'delta' and a pool of mention texts."""
    root = corpora_root()
    with open(root / "relevance" / "weps3_trial.tsv", encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        marks = [(row[1] == "related", row[2]) for row in reader if row[0] == "delta"]
    pool = [
        line.split("\t")[2]
        for line in (root / "sentiment" / "tweets_GroundTruth.txt")
        .read_text(encoding="utf-8", errors="replace")
        .splitlines()
        if line.count("\t") >= 2
    ]
    with open(root / "sentiment" / "airline" / "Tweets.csv", newline="", encoding="utf-8") as fh:
        pool += [row["text"] for row in csv.DictReader(fh)]
    return marks, pool


def mention_texts(pool: list[str], total: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.sample(pool, 3)) if n % 3 == 0 else rng.choice(pool) for n in range(total)]


def plain_scorer(model: Model, texts: list[str]) -> list[float]:
    """Score like a straightforward implementation: a set of gram strings per text."""
    weights = {f"{n}:{i}": 0.01 * (i % 7) for n in range(2, 6) for i in range(len(model.keys))}
    out = []
    for text in texts:
        low = " " + focus(text, model.signals.names).lower() + " "
        grams = {f"{n}:{low[i : i + n]}" for n in (2, 3, 4, 5) for i in range(len(low) - n + 1)}
        words = low.split()
        grams.update("w " + w for w in words)
        grams.update(f"p {a} {b}" for a, b in zip(words, words[1:], strict=False))
        total = sum(weights.get(g, 0.0) for g in grams) / math.sqrt(len(grams) or 1)
        out.append(1 / (1 + math.exp(-(model.bias + total))))
    return out


def bench_scoring() -> None:
    marks, pool = corpus()
    rng = random.Random(3)
    rng.shuffle(marks)
    model, train_seconds = timed(
        lambda: train(Signals("delta"), [t for _, t in marks[:50]], [r for r, _ in marks[:50]])
    )
    texts = mention_texts(pool, TEXTS)
    ours = statistics.median(timed(lambda: model.score(texts))[1] for _ in range(3))
    cpu = time.process_time()
    model.score(texts)
    cpu = time.process_time() - cpu
    baseline = timed(lambda: plain_scorer(model, texts))[1]
    print(f"trained on 50 marks in {train_seconds:.2f}s")
    report(
        "relevance",
        TEXTS / ours,
        TEXTS / baseline,
        "mentions/s",
        lower_is_better=False,
        note=f"{TEXTS / cpu:,.0f} mentions per CPU-second",
    )

    many = [t for _, t in marks] * 30
    labels = [r for r, _ in marks] * 30
    _, seconds = timed(lambda: train(Signals("delta"), many, labels))
    print(f"trained on {len(many):,} marks in {seconds:.2f}s")


def bench_demo() -> None:
    config_path = REPO / "data" / "demo" / "brands.toml"
    config = load_config(config_path)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.duckdb"
        _, total = timed(lambda: demo.build(db, config_path))
        _, rescore = timed(lambda: relevance.rescore(db, config))
    without = max(total - rescore, 1e-9)
    print(f"demo build {total:.2f}s; full relevance retrain + re-score {rescore:.2f}s")
    report("relevance_demo", total, without, "s", lower_is_better=True)


def main() -> None:
    bench_scoring()
    bench_demo()


if __name__ == "__main__":
    main()
