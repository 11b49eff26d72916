"""The shipped sentiment model end to end in `score_mentions`, against a plain vaderSentiment loop.

Two workloads of mentions naming one brand, each through `score_mentions` with the default
scorer (the model, brand-targeted on long texts), and through `polarity_scores` in the same
run as the baseline:
- `sentiment_model`: 20,000 tweet-length mentions (the corpus tweets and review snippets
  as they are), what brand listening mostly holds;
- `sentiment_model_mixed`: 20,000 mentions of bench_sentiment's mix (a third tweet-length,
  a third comment-length, a third article-length, a tenth exact repeats).
Rates are wall-clock; CPU-time rates are noted too, since the machine is shared. Also
reported: model load time and the memory the model adds.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from benchmarks.bench_sentiment import corpus_texts, mention_texts
from benchmarks.common import current_rss_mb, report

TOTAL = 20_000
T = TypeVar("T")


def clocked(fn: Callable[[], T]) -> tuple[T, float, float]:
    """Return fn's result, wall seconds and CPU seconds of this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    from brandpulse.analysis.rules import Rules
    from brandpulse.analysis.sentiment import get_scorer, score_mentions
    from brandpulse.analysis.vader import cpu_count
    from brandpulse.store.records import BrandMatch, Mention

    from brandpulse.config import Brand
    from brandpulse.rules import brand_rule

    before = current_rss_mb()
    start = time.perf_counter()
    scorer = get_scorer("model")
    load_s = time.perf_counter() - start
    added = current_rss_mb() - before

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    rules = Rules(brands=(brand_rule(Brand(name="Acme", query="acme")),))
    when = datetime(2026, 3, 1, tzinfo=UTC)
    pool = corpus_texts()
    workloads = {
        "sentiment_model": [f"Acme {t}" for t in (pool * 2)[:TOTAL]],
        "sentiment_model_mixed": [f"Acme {t}" for t in mention_texts(pool, TOTAL)],
    }
    for name, texts in workloads.items():
        mentions = [
            Mention(f"m{n}", "bench", str(n), None, None, "", t, when, when)
            for n, t in enumerate(texts)
        ]
        brands = [BrandMatch(m.id, "Acme", "acme") for m in mentions]
        _, base_s, base_cpu = clocked(lambda t=texts: [sia.polarity_scores(x) for x in t])
        labels, ours_s, ours_cpu = clocked(
            lambda m=mentions, b=brands: score_mentions(m, b, rules, scorer)
        )
        if len(labels) != len(mentions):
            print("MISMATCH: not one label per mention", file=sys.stderr)
            return 1
        n = len(texts)
        report(
            name,
            n / ours_s,
            n / base_s,
            "texts/s",
            lower_is_better=False,
            note=f"{n} mentions, {cpu_count()} cores; per CPU-second ours {n / ours_cpu:.0f},"
            f" baseline {n / base_cpu:.0f}",
        )
    after = current_rss_mb() - before
    report(
        "sentiment_model_load",
        load_s,
        1.0,
        "s",
        note=f"budget 1 s; +{added:.0f} MB loaded, +{after:.0f} MB after scoring (budget 200 MB)",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
