"""The fast scorer gives exactly vaderSentiment's compound score, text for text."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from brandpulse.analysis import vader
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

SIA = SentimentIntensityAnalyzer()

# Words that switch VADER's rules on: boosters (also in capitals), negations, "but",
# "least", "no", idioms, emoticons, emojis, punctuation runs.
TRICKY = [
    "good",
    "GOOD",
    "bad",
    "BAD",
    "great",
    "terrible",
    "love",
    "hate",
    "not",
    "isn't",
    "never",
    "so",
    "this",
    "without",
    "doubt",
    "very",
    "VERY",
    "kind",
    "of",
    "sort",
    "just",
    "enough",
    "but",
    "BUT",
    "least",
    "at",
    "no",
    "or",
    "nor",
    "the",
    "shit",
    "bomb",
    "bad",
    "ass",
    "yeah",
    "right",
    "kiss",
    "death",
    "to",
    "die",
    "for",
    "beating",
    "heart",
    "bus",
    "stop",
    "slightly",
    "extremely",
    "kinda",
    ":)",
    ":(",
    ":D",
    "lol",
    "acme",
    "Acme's",
    "!",
    "!!",
    "??",
    "???",
    "😁",
    "💔",
    "🙂",
    "#fail",
    "@acme",
    "won't",
    "uh-uh",
    "despite",
    "funny.",
    "(great)",
    "'good'",
    "meh",
    "okay",
    "ok",
    "problem",
    "problems",
    "fix",
]


def test_matches_the_library_on_examples_that_exercise_each_rule() -> None:
    examples = [
        "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
        "The plot was good, but the characters are uncompelling and the dialog is not great.",
        "At least it isn't a horrible book.",
        "Roger Dodger is one of the least compelling variations on this theme.",
        "Without a doubt, an excellent idea.",
        "Sentiment analysis has never been this good!",
        "Make sure you :) or :D today!",
        "Catch utf-8 emoji such as 💘 and 💋 and 😁",
        "good good but good good bad bad",
        "no good no no bad",
        "",
        "   ",
        "!!!",
    ]
    for text in examples:
        assert vader.compound(text) == SIA.polarity_scores(text)["compound"], text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TRICKY), min_size=0, max_size=40), st.sampled_from([" ", "  "]))
def test_matches_the_library_on_generated_texts(words: list[str], sep: str) -> None:
    text = sep.join(words)
    assert vader.compound(text) == SIA.polarity_scores(text)["compound"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_matches_the_library_on_arbitrary_unicode(text: str) -> None:
    assert vader.compound(text) == SIA.polarity_scores(text)["compound"]


EMOJI_TEXT = st.lists(
    st.sampled_from(["😁", "💔", "🙂", "👍", " ", "  ", "\n", "a", "good", "x", "\x00", "!"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(EMOJI_TEXT)
def test_matches_the_library_around_emojis(text: str) -> None:
    assert vader.compound(text) == SIA.polarity_scores(text)["compound"]


def test_score_many_keeps_order_and_scores_repeats_alike() -> None:
    texts = ["I love it", "I hate it", "I love it", "meh"]
    assert vader.score_many(texts) == [SIA.polarity_scores(t)["compound"] for t in texts]


def test_two_processes_give_the_same_scores_as_one() -> None:
    texts = [f"{w} number {n}" for n, w in enumerate(TRICKY * 5)]
    assert vader.score_many(texts, processes=2) == vader.score_many(texts, processes=1)


def corpus_texts(root: Path) -> list[str]:
    """Return every text of the sentiment corpora."""
    base = root / "sentiment"
    texts = []
    for name in ("tweets_GroundTruth.txt", "amazonReviewSnippets_GroundTruth.txt"):
        for line in (base / name).read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3:
                texts.append(parts[2])
    texts += (base / "tweeteval" / "val_text.txt").read_text(encoding="utf-8").splitlines()
    with open(base / "airline" / "Tweets.csv", newline="", encoding="utf-8") as fh:
        texts += [row["text"] for row in csv.DictReader(fh)]
    with open(base / "sentiment140" / "testdata.manual.2009.06.14.csv", encoding="latin-1") as fh:
        texts += [row[5] for row in csv.reader(fh)]
    return texts


@pytest.mark.corpus
def test_matches_the_library_on_every_corpus_text(corpora: Path) -> None:
    texts = corpus_texts(corpora)
    # Also as longer posts: five texts joined, so "but" and caps rules span sentences.
    texts += [" ".join(texts[i : i + 5]) for i in range(0, len(texts) - 5, 5)]
    assert len(texts) > 20_000
    ours = vader.score_many(texts, processes=2)
    mismatches = [
        (text, score)
        for text, score in zip(texts, ours, strict=True)
        if score != SIA.polarity_scores(text)["compound"]
    ]
    assert mismatches == []


def test_scores_fall_back_to_one_process_when_workers_cannot_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_processes(method: str) -> None:
        raise OSError("no more processes")

    vader.shutdown_pools()
    monkeypatch.setattr(vader, "get_context", no_processes)
    texts = ["good", "bad", "fine", "good"]
    assert vader.score_many(texts, processes=2) == vader.score_many(texts, processes=1)
