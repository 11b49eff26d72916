"""Emerging terms: words and hashtags used in a larger share of mentions than in a baseline.

Shares are of mentions (a term counts once per mention), smoothed by one mention so a
term absent from the baseline gets a finite lift: lift = ((c + 1) / (n + 1)) /
((b + 1) / (m + 1)) for a term in c of n mentions now and b of m in the baseline. For
example 12 of 99 now against 2 of 199 before is (13/100) / (3/200) = 8.67.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

# English function words plus what social text adds (rt, amp, via, url fragments).
_STOP_TEXT = """
a about above after again against all also am an and any are aren't as at be because been
before being below between both but by can can't cannot could couldn't did didn't do does
doesn't doing don't down during each else even ever every few for from further get gets got
had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself
him himself his how how's however i i'd i'll i'm i've if in into is isn't it it's its itself
just let's like made make many may me might more most much must mustn't my myself need no
nor not now of off on once one only or other ought our ours ourselves out over own really
same say said says see seems shan't she she'd she'll she's should shouldn't since so some
still such than that that's the their theirs them themselves then there there's these they
they'd they'll they're they've thing things this those though through to too two under until
up upon us use used using very via was wasn't way we we'd we'll we're we've well were
weren't what what's when when's where where's whether which while who who's whom why why's
will with won't would wouldn't yet you you'd you'll you're you've your yours yourself
yourselves rt amp http https www com org net html htm php gt lt nbsp quot im ive dont cant
wont didnt doesnt isnt thats youre theyre
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def emerging_terms(
    current: pd.DataFrame,
    current_mentions: int,
    baseline: pd.DataFrame,
    baseline_mentions: int,
    *,
    min_mentions: int = 3,
    exclude: Iterable[str] = (),
    limit: int = 20,
) -> pd.DataFrame:
    """Return the terms rising most against the baseline, highest lift first.

    `current` and `baseline` have columns term and mentions (mentions using the term).
    Terms in fewer than `min_mentions` current mentions, stop words and `exclude` (the
    brand's own query terms, which are in every mention) are left out. Columns: term,
    mentions, baseline_mentions, share, baseline_share, lift, z (two-proportion z-score:
    above 2 is unlikely to be noise).
    """
    dropped = STOP_WORDS | {t.lower().lstrip("#@") for t in exclude} | {t.lower() for t in exclude}
    merged = current.merge(
        baseline.rename(columns={"mentions": "baseline_mentions"}), on="term", how="left"
    )
    merged["baseline_mentions"] = merged["baseline_mentions"].fillna(0).astype("int64")
    merged = merged[
        (merged["mentions"] >= min_mentions)
        & ~merged["term"].isin(dropped)
        & ~merged["term"].str.lstrip("#@").isin(dropped)
    ].copy()
    n, m = max(current_mentions, 0), max(baseline_mentions, 0)
    merged["share"] = merged["mentions"] / n if n else math.nan
    merged["baseline_share"] = merged["baseline_mentions"] / m if m else math.nan
    merged["lift"] = ((merged["mentions"] + 1) / (n + 1)) / (
        (merged["baseline_mentions"] + 1) / (m + 1)
    )
    merged["z"] = [
        _two_proportion_z(c, n, b, m)
        for c, b in zip(merged["mentions"], merged["baseline_mentions"], strict=True)
    ]
    merged = merged.sort_values(["lift", "mentions", "term"], ascending=[False, False, True])
    columns = ["term", "mentions", "baseline_mentions", "share", "baseline_share", "lift", "z"]
    return merged[columns].head(limit).reset_index(drop=True)


def _two_proportion_z(c: int, n: int, b: int, m: int) -> float:
    if not n or not m:
        return math.nan
    pooled = (c + b) / (n + m)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / m))
    return (c / n - b / m) / spread if spread else math.nan
