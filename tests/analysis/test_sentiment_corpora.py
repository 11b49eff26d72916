"""The shared sentiment corpora reader: each set's brand or topic column, one per text."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from brandpulse.sentiment_corpora import evaluation_sets, topic_sets


def test_sets_with_a_brand_or_topic_column_keep_it_beside_each_text(corpora: Path) -> None:
    sets = {c.name: c for c in evaluation_sets(corpora) + topic_sets(corpora)}
    for name in ("airline", "sentiment140", "semeval-2015test-BD", "semeval-2016devtest-BD"):
        groups = sets[name].groups
        assert groups is not None and len(groups) == len(sets[name].texts)
    for name in ("tweeteval", "vader-tweets", "vader-amazon"):
        assert sets[name].groups is None
    airline = sets["airline"]
    with (corpora / "sentiment" / "airline" / "Tweets.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # Row by row: the airline of each tweet, not a shuffled or shifted column.
    assert airline.groups == [r["airline"] for r in rows]
    assert len(Counter(airline.groups)) == 6
    assert "kindle2" in set(sets["sentiment140"].groups or [])
