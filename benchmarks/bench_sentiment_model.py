"""The shipped sentiment model end to end in `score_mentions`, against a plain vaderSentiment loop.

20,000 mentions (the mix of bench_sentiment: a third tweet-length, a third comment-length,
a third article-length, a tenth exact repeats) naming one brand go through
`score_mentions` with the default scorer (the model, brand-targeted on long texts), in a
fresh process that loads the model first. The baseline is `polarity_scores` over the same
texts in the same run. Also reported: model load time and the memory the model adds.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from benchmarks.bench_sentiment import corpus_texts, mention_texts
from benchmarks.common import current_rss_mb, report, timed

TOTAL = 20_000


def main() -> int:
    from brandpulse.analysis.rules import Rules
    from brandpulse.analysis.sentiment import get_scorer, score_mentions
    from brandpulse.analysis.vader import cpu_count
    from brandpulse.store.records import BrandMatch, Mention

    from brandpulse.config import Brand
    from brandpulse.rules import brand_rule

    pool = corpus_texts()
    texts = [f"Acme {t}" for t in mention_texts(pool, TOTAL)]
    when = datetime(2026, 3, 1, tzinfo=UTC)
    mentions = [
        Mention(f"m{n}", "bench", str(n), None, None, "", t, when, when)
        for n, t in enumerate(texts)
    ]
    brands = [BrandMatch(m.id, "Acme", "acme") for m in mentions]
    rules = Rules(brands=(brand_rule(Brand(name="Acme", query="acme")),))

    before = current_rss_mb()
    start = time.perf_counter()
    scorer = get_scorer("model")
    load_s = time.perf_counter() - start
    added = current_rss_mb() - before

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    _, base_s = timed(lambda: [sia.polarity_scores(t)["compound"] for t in texts])
    labels, ours_s = timed(lambda: score_mentions(mentions, brands, rules, scorer))
    if len(labels) != len(mentions):
        print("MISMATCH: not one label per mention", file=sys.stderr)
        return 1
    after = current_rss_mb() - before
    rate = len(texts)
    report(
        "sentiment_model",
        rate / ours_s,
        rate / base_s,
        "texts/s",
        lower_is_better=False,
        note=f"{rate} mentions through score_mentions, {cpu_count()} cores;"
        f" model load {load_s:.2f} s, +{added:.0f} MB loaded, +{after:.0f} MB after scoring",
    )
    report("sentiment_model_load", load_s, 1.0, "s", note="budget 1 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
