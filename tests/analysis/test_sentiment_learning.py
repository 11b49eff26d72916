"""Learning from corrections: a few consistent corrections move the project model."""

from __future__ import annotations

from brandpulse.analysis.sentiment_model import load_model
from brandpulse.analysis.sentiment_train import cross_validate, fine_tune

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
HELD_ASIDE = ["Acme glorped my Tuesday ride", "Acme glorped my ride to work today"]


def test_consistent_corrections_flip_held_aside_similar_texts() -> None:
    base = load_model()
    before = [p.label for p in base.predict(HELD_ASIDE)]
    assert "negative" not in before  # the shipped model cannot know the word
    project = fine_tune(base, [t for t, _ in CORRECTED], [label for _, label in CORRECTED])
    after = [p.label for p in project.as_linear().predict(HELD_ASIDE)]
    assert after == ["negative", "negative"]
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
