"""The relevance model: config-only prior, learning from marks, and its figures on WePS-3."""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import pytest
from brandpulse.analysis.relevance import (
    DEFAULT_THRESHOLD,
    Signals,
    cross_validate,
    train,
    uncertainty_order,
)
from brandpulse.analysis.relevance_eval import evaluate
from brandpulse.analysis.relevance_vectors import train_combined

from brandpulse.commands.relevance import read_labelled

JAGUAR_CAR = [
    "Test drive of the new Jaguar XF at the dealer today",
    "Jaguar F-Pace lease offers from the dealer",
    "My Jaguar XE needs a service at the dealer",
    "Jaguar Land Rover sales are up this quarter",
    "The Jaguar I-Pace electric car review",
    "Jaguar recalls XF sedans over a brake fault",
]
JAGUAR_CAT = [
    "A jaguar was spotted in the rainforest near the river",
    "The jaguar is the largest cat of the Americas",
    "Jaguar cubs born at the zoo this spring",
    "Rainforest jaguar hunts caiman at night",
    "Conservation of the jaguar in the Pantanal wetlands",
    "Wild jaguar filmed by a camera trap in the forest",
]


def test_without_marks_or_context_every_mention_counts() -> None:
    model = train(Signals("jaguar"), [], [])
    scores = model.score(JAGUAR_CAR + JAGUAR_CAT)
    assert (scores >= DEFAULT_THRESHOLD).all()


def test_context_words_raise_and_other_meanings_lower_the_prior() -> None:
    signals = Signals("jaguar", context=("dealer", "XF"), not_context=("rainforest", "zoo"))
    model = train(signals, [], [])
    car, cat = model.score(["Jaguar XF at the dealer", "A jaguar in the rainforest"])
    assert car >= DEFAULT_THRESHOLD > cat


def test_marks_teach_the_other_meaning() -> None:
    texts = JAGUAR_CAR[:4] + JAGUAR_CAT[:4]
    labels = [True] * 4 + [False] * 4
    model = train(Signals("jaguar"), texts, labels)
    unseen_car, unseen_cat = JAGUAR_CAR[4:], JAGUAR_CAT[4:]
    assert (model.score(unseen_car) >= DEFAULT_THRESHOLD).all()
    assert (model.score(unseen_cat) < DEFAULT_THRESHOLD).all()
    assert model.marks == 8
    assert model.version != train(Signals("jaguar"), texts[:-1], labels[:-1]).version


def test_one_unrelated_mark_does_not_drop_the_brand_but_many_do() -> None:
    one = train(Signals("jaguar"), JAGUAR_CAT[:1], [False])
    assert (one.score(JAGUAR_CAR + JAGUAR_CAT[1:]) >= DEFAULT_THRESHOLD).all()
    many = train(Signals("jaguar"), JAGUAR_CAT * 2, [False] * 12)
    assert (many.score(JAGUAR_CAR) < DEFAULT_THRESHOLD).all()


def test_long_text_is_scored_around_the_name() -> None:
    filler = "Nothing here is about any brand at all. " * 60
    model = train(Signals("jaguar"), JAGUAR_CAR[:4] + JAGUAR_CAT[:4], [True] * 4 + [False] * 4)
    long_car = filler + JAGUAR_CAR[5] + " " + filler
    long_cat = filler + JAGUAR_CAT[5] + " " + filler
    car, cat = model.score([long_car, long_cat])
    assert car > cat


def test_a_name_written_with_or_without_its_accent_reads_the_same() -> None:
    # "El País" the newspaper against "país" the country: marks written without the
    # accent teach the model about mentions written with it, and the other way round.
    paper = ["Reportaje de El Pais sobre la crisis", "Lo publica El Pais hoy", "Columna en El Pais"]
    country = ["Mi pais esta mal", "Todo el pais sin luz", "Que pais tan bonito"]
    model = train(Signals("País"), paper + country, [True] * 3 + [False] * 3)
    assert Signals("País").names == ("pais",)
    plain, accented = model.score(["Entrevista en El Pais", "Entrevista en El País"])
    assert plain == accented >= DEFAULT_THRESHOLD
    assert model.score(["Mi país sin luz"])[0] < DEFAULT_THRESHOLD


def test_uncertainty_order_puts_scores_near_the_threshold_first() -> None:
    assert uncertainty_order([0.95, 0.48, 0.1, 0.6], 0.5) == [1, 3, 2, 0]


def test_cross_validation_estimates_precision_from_marks() -> None:
    cars = [f"Jaguar {m} at the dealer, car review {i}" for i, m in enumerate(["XF", "XE"] * 5)]
    cats = [f"A wild jaguar at the zoo, rainforest cat {i}" for i in range(10)]
    estimate = cross_validate(Signals("jaguar"), cars + cats, [True] * 10 + [False] * 10)
    assert estimate.marks == 20
    assert estimate.related_share == 0.5
    assert estimate.precision is not None and estimate.precision > 0.5


def _weps(corpora: Path) -> list[tuple[str, bool, str]]:
    path = corpora / "relevance" / "weps3_trial.tsv"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    return read_labelled(path)


@pytest.mark.corpus
def test_a_name_almost_always_about_the_company_keeps_its_mentions(corpora: Path) -> None:
    rows = _weps(corpora)
    for brand in sorted({b for b, _, _ in rows}):
        items = [(related, text) for b, related, text in rows if b == brand]
        if sum(r for r, _ in items) / len(items) < 0.9:
            continue
        for seed in range(3):
            order = list(range(len(items)))
            random.Random(seed).shuffle(order)
            marked = [items[i] for i in order[:50]]
            rest = [items[i] for i in order[50:] if items[i][0]]
            model = train(Signals(brand), [t for _, t in marked], [r for r, _ in marked])
            dropped = int((model.score([t for _, t in rest]) < DEFAULT_THRESHOLD).sum())
            assert dropped <= 0.03 * len(rest), (brand, seed, dropped, len(rest))


@pytest.mark.corpus
def test_weps_marks_beat_keyword_matching_by_far(corpora: Path) -> None:
    result = evaluate(_weps(corpora), labels_per_brand=50, seed=0).as_dict()
    assert result["keyword_only"]["f1"] == pytest.approx(0.56, abs=0.02)
    # 0.850 / 0.885 measured (docs/analysis.md); the floor sits 0.01 below, so a change
    # that costs more than a dozen of the 1,102 scored tweets fails here.
    assert result["overall"]["f1"] >= 0.84
    assert result["overall"]["accuracy"] >= 0.875


def _united(corpora: Path) -> tuple[list[str], list[str]]:
    """Return tweets to @united the airline, and tweets where "united" means something else."""
    airline = corpora / "sentiment" / "airline" / "Tweets.csv"
    semeval = corpora / "sentiment" / "semeval2013-16" / "subtask-A"
    if not airline.exists() or not semeval.is_dir():
        pytest.skip("the airline or SemEval tweets are missing")
    with airline.open(encoding="utf-8", newline="") as handle:
        about = [r["text"] for r in csv.DictReader(handle) if r["airline"] == "United"]
    other = []
    for path in sorted(semeval.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.split("\t", 2)[-1]
            if re.search(r"\bunited\b", text, re.I) and not re.search(
                r"flight|airline|plane|@united", text, re.I
            ):
                other.append(text)
    return about, other


@pytest.mark.corpus
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_marks_nine_in_ten_related_drop_at_most_3_percent_of_the_brands_mentions(
    corpora: Path, seed: int
) -> None:
    """@united tweets (real, about the airline) beside a few about Leeds United or the UN."""
    about, other = _united(corpora)
    rng = random.Random(seed)
    rng.shuffle(about)
    rng.shuffle(other)
    marked = about[:46] + other[:4]  # 92% of the team's marks say "about us"
    model = train(Signals("United"), marked, [True] * 46 + [False] * 4)
    rest = about[46:646]
    dropped = int((model.score(rest) < DEFAULT_THRESHOLD).sum())
    assert dropped <= 0.03 * len(rest), (seed, dropped, len(rest))
    # The marks still teach: a mention like the unrelated ones scores lower than the brand's.
    assert model.score(other[4:104]).mean() < model.score(rest).mean()


@pytest.mark.corpus
def test_the_accurate_path_also_keeps_a_name_nine_in_ten_related(  # type: ignore[no-untyped-def]
    corpora: Path, relevance_embed
) -> None:
    """The head and its mixture, fitted as the product does, on @united marks 90% related
    (five of each kind at least: below that there is no mixture)."""
    about, other = _united(corpora)
    rng = random.Random(0)
    rng.shuffle(about)
    rng.shuffle(other)
    signals = Signals("United")
    marked = about[:45] + other[:5]
    rest = about[45:245]
    model = train_combined(
        signals, marked, [True] * 45 + [False] * 5, relevance_embed, unmarked=rest
    )
    assert model.head is not None and model.mixture is not None
    dropped = int((model.score(rest) < DEFAULT_THRESHOLD).sum())
    assert dropped <= 0.03 * len(rest), (dropped, len(rest))
