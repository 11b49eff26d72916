"""Emerging terms: words and phrases used more than usual, by log-odds with an informative prior.

Terms are words, #hashtags and two- and three-word phrases, counted once per mention (a
long post repeating a word cannot make it trend). Stop words of the mention's language
(English always), numbers, URLs and the brand's own words are left out; a phrase may not
start or end with a stop word nor contain a brand word, and never spans punctuation.

"More than usual" is Monroe, Colaresi and Quinn's (2008) log-odds ratio with an informative
Dirichlet prior. With y the term's count now, x before, n and m the two totals, the prior is
the pooled counts of both periods (a = y + x pseudo-counts of the term, A0 = n + m in all),
so a term needs evidence beyond its usual frequency, and rare terms are shrunk hardest:

    delta = log((y + a) / (n + A0 - y - a)) - log((x + a) / (m + A0 - x - a))
    z = delta / sqrt(1 / (y + a) + 1 / (x + a))

A term is shown only when z >= 1.96 (more than usual at the 5% level) and it is in at least
`min_mentions` mentions now. Worked example: "recall" in y = 30 of n = 300 counts now and
x = 2 of m = 600 before: a = 32, A0 = 900, delta = log(62 / 1138) - log(34 / 1466) = 0.854,
z = 0.854 / sqrt(1/62 + 1/34) = 4.0: emerging.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd

Z_MIN = 1.96
MAX_WORDS = 3  # mention_terms builds phrases of two and three words
MIN_LENGTH = 3
MIN_MENTIONS = 3  # a term is shown only when this many mentions use it now

_STOP = {
    "en": """
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
wont didnt doesnt isnt thats youre theyre anyone anything someone something got getting
going know think right back still want new first last day days time week today yesterday
three four five six seven eight nine ten minutes hours
""",
    "nl": """
de het een en van ik te dat die in is niet op aan met als voor er maar om ook zijn je
mijn wat dan nog bij uit zo hij zij we wij ze was al kan tot door over naar heb hebben
heeft wordt worden werd dit deze of geen meer veel nu wel toch hier daar omdat want
""",
    "de": """
der die das und ist nicht ein eine einen einem einer zu den dem des mit auf für von im
in an als auch es sich ich du er sie wir ihr war sind wird werden hat haben bei aus
oder aber wie noch nur schon so dass mein dein sehr mehr nach vor über um
""",
    "fr": """
le la les un une des et est pas de du au aux en dans que qui pour sur avec par ce cette
ces il elle ils elles nous vous je tu on ne se sa son ses mon ma mes plus mais ou été
très tout tous aussi comme sont être avoir fait
""",
    "es": """
el la los las un una unos unas y es no de del al en que por para con se su sus lo le
mi tu yo él ella nosotros pero como más muy ya este esta estos estas ser estar hay fue
""",
}
STOP_WORDS_BY_LANGUAGE = {lang: frozenset(words.split()) for lang, words in _STOP.items()}
STOP_WORDS = STOP_WORDS_BY_LANGUAGE["en"]

_URL = re.compile(r"https?://\S+|www\.\S+")
# Phrases never span these: sentence and clause punctuation.
_BREAK = re.compile(r"[.!?;:,()\[\]{}\"“”…|/\\\n]+")
_WORD = re.compile(r"[#@]?[a-z0-9\u00c0-\u024f][a-z0-9\u00c0-\u024f'_-]*")


@functools.lru_cache(maxsize=64)
def stop_words(language: str | None) -> frozenset[str]:
    """Return English stop words plus those of `language` (a tag like "nl" or "de-AT")."""
    extra = STOP_WORDS_BY_LANGUAGE.get((language or "en").split("-")[0].lower(), frozenset())
    return STOP_WORDS | extra


def _strip_possessive(word: str) -> str:
    if word.endswith("'s"):
        return word[:-2]
    return word[:-1] if word.endswith("'") else word


def _tokens(chunk: str) -> list[str]:
    return [_strip_possessive(w) for w in _WORD.findall(chunk)]


def mention_terms(text: str, language: str | None, exclude: frozenset[str]) -> set[str]:
    """Return the distinct terms (words and 2-3 word phrases) one mention uses."""
    stop = stop_words(language)
    found: set[str] = set()
    add = found.add
    lowered = text.lower()
    if "http" in lowered or "www." in lowered:  # else _URL cannot match
        lowered = _URL.sub(" ", lowered)
    for chunk in _BREAK.split(lowered):
        words = _tokens(chunk) if "'" in chunk else _WORD.findall(chunk)
        # Per word, once: is it a brand word, may it start or end a term (neither a stop
        # word, a number nor a brand word). A term is such a word, or a phrase of up to
        # MAX_WORDS (3) words from such a word to such a word without a brand word inside.
        brand = [w in exclude or w.lstrip("#@") in exclude for w in words]
        edge = [not (b or w in stop or w.isdigit()) for w, b in zip(words, brand, strict=True)]
        count = len(words)
        for k in range(count):
            if not edge[k]:
                continue
            first = words[k]
            if len(first) >= MIN_LENGTH:
                add(first)
            second = k + 1
            if second < count and not brand[second]:
                pair = f"{first} {words[second]}"
                if edge[second]:
                    add(pair)
                third = second + 1
                if third < count and edge[third]:
                    add(f"{pair} {words[third]}")
    return found


def stored_terms(text: str, language: str | None) -> list[str]:
    """Return a mention's distinct terms with no brand words left out, sorted, as the store
    keeps them (leaving out the terms with a brand word later gives `mention_terms`)."""
    return sorted(mention_terms(text, language, frozenset()))


def brand_words(exclude: Iterable[str]) -> frozenset[str]:
    """Return the lower-case words, without # or @, of the brands' names and query terms."""
    return frozenset(w.lower().lstrip("#@") for phrase in exclude for w in phrase.split())


def count_terms(
    docs: Iterable[tuple[str, str | None]], exclude: Iterable[str] = ()
) -> tuple[pd.DataFrame, int]:
    """Return (term, mentions) for (text, language) documents and how many there were.

    `exclude` holds the brands' own words (names, query terms): every mention of a brand
    uses them, so they say nothing about what changed.
    """
    dropped = brand_words(exclude)
    counts: Counter[str] = Counter()
    n = 0
    for text, language in docs:
        n += 1
        counts.update(mention_terms(text, language, dropped))
    frame = pd.DataFrame(
        {"term": list(counts), "mentions": [int(c) for c in counts.values()]},
        columns=["term", "mentions"],
    )
    return frame.astype({"mentions": "int64"}), n


def log_odds_z(y: float, n: float, x: float, m: float) -> tuple[float, float]:
    """Return (delta, z): the log-odds ratio of a term now against before and its z-score,
    under the pooled-counts prior (a = y + x, A0 = n + m)."""
    a, a0 = y + x, n + m
    delta = math.log((y + a) / (n + a0 - y - a)) - math.log((x + a) / (m + a0 - x - a))
    return delta, delta / math.sqrt(1 / (y + a) + 1 / (x + a))


def emerging_terms(
    current: pd.DataFrame,
    current_mentions: int,
    baseline: pd.DataFrame,
    baseline_mentions: int,
    *,
    min_mentions: int = MIN_MENTIONS,
    exclude: Iterable[str] = (),
    limit: int = 20,
    z_min: float = Z_MIN,
    totals: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Return the terms significantly more used than in the baseline, highest z first.

    `current` and `baseline` have columns term and mentions (mentions using the term), as
    count_terms returns them. With `totals` (the sums of mentions over every term now and
    before), `current` may hold only the terms in at least `min_mentions` mentions and
    `baseline` only those terms: the result is the same. A phrase used exactly as often as
    a shorter term inside it replaces that term ("batteries overheating" rather than
    "batteries"). Columns: term, mentions, baseline_mentions, share, baseline_share, lift,
    log_odds, z.
    """
    columns = ["term", "mentions", "baseline_mentions", "share", "baseline_share", "lift"]
    columns += ["log_odds", "z"]
    dropped = {t.lower().lstrip("#@") for t in exclude}
    if totals is None:
        totals = (int(current["mentions"].sum()), int(baseline["mentions"].sum()))
    n, m = float(totals[0]), float(totals[1])
    # Most terms (nearly every phrase) are in fewer than `min_mentions` mentions and can
    # never be shown: the totals above count them, the statistics skip them.
    frequent = current[current["mentions"] >= min_mentions]
    if frequent.empty or not n or not m or not baseline_mentions:
        return pd.DataFrame(columns=columns)
    merged = frequent.merge(
        baseline.rename(columns={"mentions": "baseline_mentions"}), on="term", how="left"
    )
    merged["baseline_mentions"] = merged["baseline_mentions"].fillna(0).astype("int64")
    stats = [
        log_odds_z(y, n, x, m)
        for y, x in zip(merged["mentions"], merged["baseline_mentions"], strict=True)
    ]
    merged["log_odds"] = np.array([d for d, _ in stats], dtype="float64")
    merged["z"] = np.array([z for _, z in stats], dtype="float64")
    merged = merged[
        (merged["mentions"] >= min_mentions)
        & (merged["z"] >= z_min)
        & ~merged["term"].str.lstrip("#@").isin(dropped)
    ].copy()
    merged = _prefer_phrases(merged)
    merged["share"] = merged["mentions"] / current_mentions if current_mentions else math.nan
    merged["baseline_share"] = merged["baseline_mentions"] / baseline_mentions
    merged["lift"] = merged["share"] / merged["baseline_share"].where(
        merged["baseline_mentions"] > 0
    )
    merged = merged.sort_values(["z", "mentions", "term"], ascending=[False, False, True])
    return merged[columns].head(limit).reset_index(drop=True)


def _prefer_phrases(terms: pd.DataFrame) -> pd.DataFrame:
    """Drop a term when a longer kept phrase containing it has (almost) its count."""
    counts = dict(zip(terms["term"], terms["mentions"], strict=True))
    phrases = [t for t in counts if " " in t]
    covered = {
        short
        for short, c in counts.items()
        for long in phrases
        if long != short and f" {short} " in f" {long} " and counts[long] >= 0.9 * c
    }
    return terms[~terms["term"].isin(covered)]
