"""Compare language detectors on short texts: py3langid (shipped) and lingua (if installed).

Usage: .venv/bin/python scripts/language_eval.py [CORPORA_DIR]

English: the shared English tweet sets (TweetEval validation, 2,000 airline tweets,
Sentiment140); the share called English, left undetected, or called something else (the
costly error: such a mention would go unscored). Spanish: the WePS-3 tweets of the Spanish
names (cercanias, hormiguero, pozo), which are mostly but not all Spanish (no per-tweet
language label exists), so their share is a rough recall. Speed in texts per second, one
process; load time and resident memory after loading.
"""

from __future__ import annotations

import csv
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from brandpulse.analysis import language

from brandpulse.sentiment_corpora import corpora_root


def texts(root: Path) -> tuple[list[str], list[str]]:
    """Return (English tweets, tweets of the Spanish names)."""
    base = root / "sentiment"
    english = (base / "tweeteval" / "val_text.txt").read_text(encoding="utf-8").splitlines()
    with (base / "airline" / "Tweets.csv").open(encoding="utf-8", newline="") as fh:
        # The first 2,000 airline tweets: lingua is slow enough to make more a long wait.
        english += [row["text"] for row in csv.DictReader(fh)][:2000]
    s140 = base / "sentiment140" / "testdata.manual.2009.06.14.csv"
    with s140.open(encoding="latin-1", newline="") as fh:
        english += [row[5] for row in csv.reader(fh)]
    rows = (root / "relevance" / "weps3_trial.tsv").read_text(encoding="utf-8").splitlines()[1:]
    spanish = [
        r.split("\t")[2] for r in rows if r.split("\t")[0] in ("cercanias", "hormiguero", "pozo")
    ]
    return english, spanish


def measure(
    name: str, detect: Callable[[str], str | None], english: list[str], spanish: list[str]
) -> None:
    start = time.perf_counter()
    found = Counter(detect(t) for t in english)
    rate = len(english) / (time.perf_counter() - start)
    es = Counter(detect(t) for t in spanish)
    other = 1 - (found["en"] + found[None]) / len(english)
    print(
        f"{name:<26} English: en {found['en'] / len(english):.3f}, undetected"
        f" {found[None] / len(english):.3f}, other {other:.3f} | Spanish names: es"
        f" {es['es'] / len(spanish):.3f} | {rate:,.0f} texts/s | rss"
        f" {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


def main(argv: list[str]) -> int:
    english, spanish = texts(corpora_root(argv[0] if argv else None))
    print(f"{len(english)} English tweets, {len(spanish)} tweets of Spanish names")
    start = time.perf_counter()
    language.detect("warm the model up")
    print(f"py3langid load {time.perf_counter() - start:.2f} s")
    measure("py3langid (as shipped)", language.detect, english, spanish)
    try:
        from lingua import LanguageDetectorBuilder
    except ImportError:
        print("lingua not installed: pip install lingua-language-detector to compare")
        return 0
    start = time.perf_counter()
    detector = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()
    detector.detect_language_of("warm the model up")
    print(f"lingua load {time.perf_counter() - start:.2f} s")

    def lingua(text: str) -> str | None:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else None

    measure("lingua (low accuracy)", lingua, english, spanish)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
