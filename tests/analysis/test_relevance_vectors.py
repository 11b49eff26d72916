"""The accurate tier's embedding head: learns from embedded marks and joins the eval."""

from __future__ import annotations

import numpy as np
from brandpulse.analysis.relevance_eval import evaluate
from brandpulse.analysis.relevance_vectors import train_vectors

CAR = [
    "Test drive of the new Jaguar XF at the dealer today",
    "Jaguar F-Pace lease offers from the dealer",
    "My Jaguar XE needs a service at the garage",
    "Jaguar Land Rover sales are up this quarter",
    "The Jaguar I-Pace electric car review",
    "Jaguar recalls XF sedans over a brake fault",
]
CAT = [
    "A jaguar was spotted in the rainforest near the river",
    "The jaguar is the largest cat of the Americas",
    "Jaguar cubs born at the zoo this spring",
    "Rainforest jaguar hunts caiman at night",
    "Conservation of the jaguar in the Pantanal wetlands",
    "Wild jaguar filmed by a camera trap in the forest",
]


def test_the_head_tells_the_car_from_the_cat_by_meaning(embed) -> None:  # type: ignore[no-untyped-def]
    vectors = embed(CAR + CAT)
    marked = [0, 1, 2, 3, 6, 7, 8, 9]
    head = train_vectors(vectors[marked], [i < 6 for i in marked])
    assert head is not None
    car, cat = head.logits(vectors[[4, 5]]), head.logits(vectors[[10, 11]])
    assert (car > 0).all() and (cat < 0).all()


def test_one_kind_of_marks_gives_no_head() -> None:
    vectors = np.eye(4)
    assert train_vectors(vectors, [True, True, True, False]) is None
    assert train_vectors(vectors[:2], [True, False]) is None


def test_eval_uses_each_rows_vector() -> None:
    """Every text is the bare name, so only the vectors can tell the meanings apart."""
    rng = np.random.default_rng(0)
    labels = [i % 3 == 0 for i in range(90)]
    rows = [("jaguar", related, "Jaguar") for related in labels]
    vectors = rng.normal(0, 0.1, (90, 8))
    vectors[:, 0] += np.where(labels, 1.0, -1.0)
    plain = evaluate(rows, labels_per_brand=30, seed=0).as_dict()["overall"]
    helped = evaluate(rows, labels_per_brand=30, seed=0, vectors=vectors).as_dict()["overall"]
    assert plain["accuracy"] < 0.8
    assert helped["accuracy"] == 1.0
