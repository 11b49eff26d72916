"""VADER compound scores for many texts at once, identical to vaderSentiment's and faster.

`compound(text)` re-implements `SentimentIntensityAnalyzer.polarity_scores(text)["compound"]`
of vaderSentiment 3.3.2 rule for rule, in the same order of float operations, so the
scores are equal to the last bit (tests compare them over every corpus text and over
generated texts). What makes it faster, measured with cProfile:

- the original lower-cases the whole word list again for every negation and idiom check
  (about 40% of its time); here each text is lower-cased once;
- a token's punctuation-stripped form is computed once per distinct token;
- words outside the lexicon (most of them) cost one set lookup, and the boost, negation
  and idiom rules are skipped for a word when none of the words before it can trigger them;
- emojis are replaced with one `str.translate`, and only in non-ASCII texts holding one.

`score_many` scores each distinct text once and spreads big batches over processes.
"""

from __future__ import annotations

import atexit
import math
import os
import string
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from itertools import compress
from multiprocessing import get_context
from multiprocessing.context import BaseContext

from vaderSentiment import vaderSentiment as _vs

# Batches with at least this many distinct texts are split over processes; below it a
# process pool's start-up (about 0.3 s) costs more than it saves.
PARALLEL_MIN_TEXTS = 20_000

_B_INCR = _vs.B_INCR
_C_INCR = _vs.C_INCR
_N_SCALAR = _vs.N_SCALAR
_BOOSTERS = _vs.BOOSTER_DICT
_SPECIAL = _vs.SPECIAL_CASES
_NEGATE = frozenset(_vs.NEGATE)
_PUNCT = string.punctuation
# Marks where an emoji's description starts; texts holding it take the character loop.
_MARK = "\x00"
# Words that can change a lexicon word's valence from up to three places before it
# (boosters, negations and the never-so / without-doubt / at-least patterns). A word with
# none of these (nor an "n't") before it skips those rules: each would add exactly 0.
_CONTEXT = frozenset(_BOOSTERS) | _NEGATE | {"never", "without", "doubt", "so", "this", "least"}
# Words of the multi-word special cases and boosters ("the bomb", "kind of"): the idiom
# rule can only fire when one of them is near.
_IDIOM_WORDS = frozenset(
    word for phrase in (*_SPECIAL, *_BOOSTERS) if " " in phrase for word in phrase.split()
) | frozenset(_SPECIAL)


class _Stripped(dict[str, str]):
    """Token -> the token as SentiText keeps it, computed on first sight of each token.

    SentiText strips leading and trailing punctuation unless that leaves two characters or
    fewer (so ":)" and ":D" survive).
    """

    def __missing__(self, token: str) -> str:
        stripped = token.strip(_PUNCT)
        kept = token if len(stripped) <= 2 else stripped
        if len(self) < 500_000:  # bounded: a long backfill must not grow it forever
            self[token] = kept
        return kept


class _Lexicon:
    """The analyzer's word and emoji lexicons, loaded once per process."""

    def __init__(self) -> None:
        sia = _vs.SentimentIntensityAnalyzer()
        self.lexicon: dict[str, float] = sia.lexicon
        self.emojis: dict[str, str] = sia.emojis
        # Only single characters can match: the original tests each character of the text.
        # None of them is ASCII, so an ASCII text needs no emoji pass at all.
        self.emoji_chars = frozenset(k for k in self.emojis if len(k) == 1)
        self.emoji_table = {ord(k): _MARK + self.emojis[k] for k in self.emoji_chars}
        self.stripped = _Stripped()


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    return _Lexicon()


def _negated(word_lower: str) -> bool:
    # vaderSentiment's negated([word]): a negation word, or any word containing "n't".
    return word_lower in _NEGATE or "n't" in word_lower


def _scalar_inc_dec(word: str, word_lower: str, valence: float, is_cap_diff: bool) -> float:
    scalar = 0.0
    if word_lower in _BOOSTERS:
        scalar = _BOOSTERS[word_lower]
        if valence < 0:
            scalar *= -1
        if word.isupper() and is_cap_diff:
            if valence > 0:
                scalar += _C_INCR
            else:
                scalar -= _C_INCR
    return scalar


def _negation_check(valence: float, low: list[str], start_i: int, i: int) -> float:
    if start_i == 0 and _negated(low[i - 1]):
        valence = valence * _N_SCALAR
    if start_i == 1:
        if low[i - 2] == "never" and (low[i - 1] == "so" or low[i - 1] == "this"):
            valence = valence * 1.25
        elif low[i - 2] == "without" and low[i - 1] == "doubt":
            valence = valence
        elif _negated(low[i - 2]):
            valence = valence * _N_SCALAR
    if start_i == 2:
        if (
            low[i - 3] == "never"
            and (low[i - 2] == "so" or low[i - 2] == "this")
            or (low[i - 1] == "so" or low[i - 1] == "this")
        ):
            valence = valence * 1.25
        elif low[i - 3] == "without" and (low[i - 2] == "doubt" or low[i - 1] == "doubt"):
            valence = valence
        elif _negated(low[i - 3]):
            valence = valence * _N_SCALAR
    return valence


def _special_idioms_check(valence: float, low: list[str], i: int) -> float:
    onezero = f"{low[i - 1]} {low[i]}"
    twoonezero = f"{low[i - 2]} {low[i - 1]} {low[i]}"
    twoone = f"{low[i - 2]} {low[i - 1]}"
    threetwoone = f"{low[i - 3]} {low[i - 2]} {low[i - 1]}"
    threetwo = f"{low[i - 3]} {low[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in _SPECIAL:
            valence = _SPECIAL[seq]
            break
    n = len(low)
    if n - 1 > i:
        zeroone = f"{low[i]} {low[i + 1]}"
        if zeroone in _SPECIAL:
            valence = _SPECIAL[zeroone]
    if n - 1 > i + 1:
        zeroonetwo = f"{low[i]} {low[i + 1]} {low[i + 2]}"
        if zeroonetwo in _SPECIAL:
            valence = _SPECIAL[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in _BOOSTERS:
            valence = valence + _BOOSTERS[n_gram]
    return valence


def _but_check(low: list[str], sentiments: list[float]) -> list[float]:
    """Halve what comes before the first "but" and add half to what comes after, as
    vaderSentiment does, including its quirk of finding each value with list.index (the
    first equal value), which matters when two words carry the same valence.

    Zeros are skipped: scaling a zero leaves a zero, and no nonzero value equals a zero,
    so they can neither change nor be found in place of another value. That leaves the
    same result while the search runs over the few scored words only.
    """
    if "but" not in low:
        return sentiments
    bi = low.index("but")
    scored = [j for j, value in enumerate(sentiments) if value != 0]
    for k in scored:
        sentiment = sentiments[k]
        si = next(j for j in scored if sentiments[j] == sentiment)
        if si < bi:
            sentiments[si] = sentiment * 0.5
        elif si > bi:
            sentiments[si] = sentiment * 1.5
    return sentiments


def _replace_emojis(text: str, lex: _Lexicon) -> str:
    """Replace each emoji character by its description, as vaderSentiment does: a space
    goes before the description unless the text starts there or a space precedes it, and
    none goes after it ("a😁b" becomes "a beaming face with smiling eyesb")."""
    if _MARK in text:
        return _replace_emojis_loop(text, lex.emojis)
    marked = text.translate(lex.emoji_table)
    # A mark at the start or after a space needs no space; every other mark becomes one.
    marked = marked.replace(" " + _MARK, " ")
    if marked.startswith(_MARK):
        marked = marked[1:]
    return marked.replace(_MARK, " ")


def _replace_emojis_loop(text: str, emojis: dict[str, str]) -> str:
    out = []
    prev_space = True
    for char in text:
        if char in emojis:
            if not prev_space:
                out.append(" ")
            out.append(emojis[char])
            prev_space = False
        else:
            out.append(char)
            prev_space = char == " "
    return "".join(out)


def compound(text: str) -> float:
    """Return VADER's compound score of `text`, equal to vaderSentiment's to the last bit."""
    lex = _lexicon()
    lexicon = lex.lexicon
    if not text.isascii() and not lex.emoji_chars.isdisjoint(text):
        text = _replace_emojis(text, lex)
    text = text.strip()

    words = list(map(lex.stripped.__getitem__, text.split()))
    low = list(map(str.lower, words))
    n = len(words)
    if not n:
        return 0.0
    allcaps = sum(map(str.isupper, words))
    is_cap_diff = 0 < n - allcaps < n

    # Negation by contraction ("isn't") needs an "n't" somewhere in the text.
    lowered_nt = "n't" in text or "N'T" in text or "N't" in text or "n'T" in text
    # Words outside the lexicon, boosters and "kind" before "of" score 0 (an int, as in
    # the original, so that sum() adds the same values in the same order).
    sentiments: list[float] = [0] * n
    for i in compress(range(n), map(lexicon.__contains__, low)):
        item_lowercase = low[i]
        if item_lowercase in _BOOSTERS:
            continue
        if item_lowercase == "kind" and i < n - 1 and low[i + 1] == "of":
            continue
        item = words[i]
        valence = lexicon[item_lowercase]
        if item_lowercase == "no" and i != n - 1 and low[i + 1] in lexicon:
            valence = 0.0
        if (
            (i > 0 and low[i - 1] == "no")
            or (i > 1 and low[i - 2] == "no")
            or (i > 2 and low[i - 3] == "no" and low[i - 1] in ("or", "nor"))
        ):
            valence = lexicon[item_lowercase] * _N_SCALAR
        if item.isupper() and is_cap_diff:
            if valence > 0:
                valence += _C_INCR
            else:
                valence -= _C_INCR
        before = low[i - 3 : i] if i >= 3 else low[:i]
        if (
            _CONTEXT.isdisjoint(before)
            and not (lowered_nt and any("n't" in w for w in before))
            and (i < 3 or _IDIOM_WORDS.isdisjoint(low[i - 3 : i + 3]))
        ):
            # Nothing before this word can boost, negate or form an idiom with it.
            sentiments[i] = valence
            continue
        for start_i in range(0, 3):
            if i > start_i and low[i - (start_i + 1)] not in lexicon:
                s = _scalar_inc_dec(
                    words[i - (start_i + 1)], low[i - (start_i + 1)], valence, is_cap_diff
                )
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s
                valence = _negation_check(valence, low, start_i, i)
                if start_i == 2:
                    valence = _special_idioms_check(valence, low, i)
        # _least_check
        if i > 1 and low[i - 1] not in lexicon and low[i - 1] == "least":
            if low[i - 2] != "at" and low[i - 2] != "very":
                valence = valence * _N_SCALAR
        elif i > 0 and low[i - 1] not in lexicon and low[i - 1] == "least":
            valence = valence * _N_SCALAR
        sentiments[i] = valence

    sentiments = _but_check(low, sentiments)
    sum_s = float(sum(sentiments))
    ep_count = min(text.count("!"), 4)
    ep_amplifier = ep_count * 0.292
    qm_count = text.count("?")
    qm_amplifier: float = 0
    if qm_count > 1:
        qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
    punct_emph_amplifier = ep_amplifier + qm_amplifier
    if sum_s > 0:
        sum_s += punct_emph_amplifier
    elif sum_s < 0:
        sum_s -= punct_emph_amplifier
    return round(_normalize(sum_s), 4)


def _normalize(score: float, alpha: float = 15) -> float:
    norm_score = score / math.sqrt((score * score) + alpha)
    if norm_score < -1.0:
        return -1.0
    if norm_score > 1.0:
        return 1.0
    return norm_score


def _score_chunk(texts: Sequence[str]) -> list[float]:
    return [compound(text) for text in texts]


def cpu_count() -> int:
    """Return how many cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def score_many(texts: Sequence[str], processes: int | None = None) -> list[float]:
    """Return the compound score of each text, in order; each distinct text is scored once.

    With `processes` None, batches of PARALLEL_MIN_TEXTS distinct texts or more use every
    available core; 1 forces one process.
    """
    unique = list(dict.fromkeys(texts))
    workers = cpu_count() if processes is None else processes
    if workers > 1 and (processes is not None or len(unique) >= PARALLEL_MIN_TEXTS):
        values = _score_parallel(unique, workers)
    else:
        values = _score_chunk(unique)
    scores = dict(zip(unique, values, strict=True))
    return [scores[text] for text in texts]


_POOLS: dict[int, ProcessPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Return this process's pool of `workers` scoring processes, started on first use.

    Kept for the life of the process: starting workers costs more than scoring a batch of
    20,000 texts, so a long backfill should pay it once, not once per batch.
    """
    with _POOLS_LOCK:
        pool = _POOLS.get(workers)
        if pool is None:
            # Not fork: the caller may hold DuckDB's threads, and forking a threaded
            # process can deadlock the child. The fork server imports only this module
            # (not the caller's __main__), so each worker starts in milliseconds.
            context: BaseContext
            if hasattr(os, "fork"):
                context = get_context("forkserver")
                context.set_forkserver_preload([__name__])
            else:
                context = get_context("spawn")
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
            _POOLS[workers] = pool
        return pool


def shutdown_pools() -> None:
    """Stop the scoring processes (also done when the interpreter exits)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_pools)


def _score_parallel(texts: list[str], workers: int) -> list[float]:
    # Several chunks per worker so a chunk of long texts does not leave a core idle.
    size = max(1, math.ceil(len(texts) / (workers * 4)))
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    try:
        results = worker_pool(workers).map(_score_chunk, chunks)
        return [score for chunk in results for score in chunk]
    except (BrokenProcessPool, OSError, RuntimeError):
        # Workers could not start or died (a script without a `__main__` guard, no
        # /dev/shm, a process limit): drop the pool and give the same scores on one core.
        with _POOLS_LOCK:
            broken = _POOLS.pop(workers, None)
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)
        return _score_chunk(texts)
