"""Learning from corrections: a few consistent corrections move the project model."""

from __future__ import annotations

from pathlib import Path

from brandpulse.analysis.sentiment_metrics import figures
from brandpulse.analysis.sentiment_model import DENSE, load_model, token_feature_count
from brandpulse.analysis.sentiment_train import cross_validate, fine_tune

from brandpulse.sentiment_corpora import evaluation_sets

# A team's own word the base data never saw: "glorp" is what their app does to rides.
CORRECTED = [
    ("The Acme app glorped my ride again", "negative"),
    ("acme glorps every long ride I record", "negative"),
    ("Third time this week Acme glorped my commute", "negative"),
    ("Acme update glorps the route data", "negative"),
    ("my rides keep getting glorped by Acme", "negative"),
    ("Acme glorped the whole weekend trip", "negative"),
    ("Acme delivered my bike on Tuesday", "neutral"),
    ("Acme opens a shop in Leeds", "neutral"),
    ("Acme ride stats are great", "positive"),
    ("love the Acme saddle", "positive"),
    ("Acme glorped my morning ride, again", "negative"),
    ("Acme has a new colour for the frame", "neutral"),
    ("Acme posts its spring catalogue", "neutral"),
    ("Acme moves its office to Bristol", "neutral"),
]
# Texts the corrections do not hold, whose other words the corrections do not tie to another
# label ("Acme glorped my Tuesday ride", tied to the neutral "... my bike on Tuesday", stays
# neutral since the model's token vectors are held as shipped).
HELD_ASIDE = [
    "Acme glorped my ride to work today",
    "Acme glorped my evening ride",
    "Acme glorped my ride home",
    "the Acme app glorped my run",
]


def test_consistent_corrections_flip_held_aside_similar_texts() -> None:
    base = load_model()
    before = [p.label for p in base.predict(HELD_ASIDE)]
    assert "negative" not in before  # the shipped model cannot know the word
    project = fine_tune(base, [t for t, _ in CORRECTED], [label for _, label in CORRECTED])
    after = [p.label for p in project.as_linear().predict(HELD_ASIDE)]
    assert after == ["negative"] * len(HELD_ASIDE)
    # Texts without the word keep their label.
    plain = ["Acme support was wonderful, thank you", "Acme bikes are awful, never again"]
    assert [p.label for p in project.as_linear().predict(plain)] == [
        p.label for p in base.predict(plain)
    ]


def test_cross_validation_holds_each_correction_out_of_its_own_fit() -> None:
    base = load_model()
    texts = [t for t, _ in CORRECTED]
    labels = [label for _, label in CORRECTED]
    comparison = cross_validate(base, texts, labels, folds=4)
    assert comparison.folds == 4 and comparison.base.texts == len(texts)
    assert comparison.project.accuracy > comparison.base.accuracy
    assert comparison.better


def test_a_teams_corrections_of_its_own_mistakes_do_not_tilt_every_label(corpora: Path) -> None:
    """One airline's team reads 200 of its mentions and corrects the model's mistakes (mostly
    complaints it called neutral): a sample of errors, not of mentions. The project model
    gets its other mentions more often right, and general tweets stay as they were."""
    sets = {c.name: c for c in evaluation_sets(corpora)}
    airline, general = sets["airline"], sets["tweeteval"]
    ids = [i for i, name in enumerate(airline.groups or []) if name == "United"]
    read, held = ids[:200], ids[200:1200]
    base = load_model()
    mistakes = [
        i
        for i, p in zip(read, base.predict([airline.texts[i] for i in read]), strict=True)
        if p.label != airline.labels[i]
    ]
    assert len(mistakes) >= 30
    project = fine_tune(
        base, [airline.texts[i] for i in mistakes], [airline.labels[i] for i in mistakes]
    ).as_linear()

    def accuracy(model, texts, labels) -> float:  # type: ignore[no-untyped-def]
        return figures(labels, [p.label for p in model.predict(texts)]).accuracy

    held_texts, held_labels = [airline.texts[i] for i in held], [airline.labels[i] for i in held]
    assert (
        accuracy(project, held_texts, held_labels) > accuracy(base, held_texts, held_labels) + 0.03
    )
    recall = [
        figures(general.labels, [p.label for p in m.predict(general.texts)]).macro_recall
        for m in (base, project)
    ]
    assert recall[1] > recall[0] - 0.08, recall
    # The bias and the dense features' weights (VADER's score, the mean token vector), which
    # every text carries, are the shipped ones.
    assert (project.bias == base.bias).all()
    dense = DENSE + token_feature_count(base.tokens)
    assert (project.weights[-dense:] == base.weights[-dense:]).all()
    assert project.tokens is base.tokens
