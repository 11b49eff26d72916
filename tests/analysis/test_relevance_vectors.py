"""The accurate tier's embedding head: learns from embedded marks and joins the eval."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from brandpulse.analysis.relevance import Signals
from brandpulse.analysis.relevance_eval import evaluate
from brandpulse.analysis.relevance_vectors import BLOCK, Memo, train_vectors

from brandpulse.relevance import estimate

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


# El País the newspaper, and país the country, in Spanish.
NEWSPAPER = [
    "Entrevista en El País al presidente del gobierno sobre la crisis",
    "El País publica hoy un reportaje sobre la corrupción en los ayuntamientos",
    "Según informa El País, el ministro dimitirá mañana",
    "La portada de El País de hoy habla de las elecciones",
    "Artículo de opinión en El País sobre la reforma laboral",
    "El diario El País revela nuevos datos del caso",
]
COUNTRY = [
    "Este país necesita más inversión en educación pública",
    "Mi país tiene las mejores playas del mundo",
    "El país entero celebra la victoria de la selección",
    "Viajar por todo el país en tren es muy bonito",
    "La economía del país crece por tercer año seguido",
    "Vuelvo a mi país después de diez años fuera",
]


def test_the_head_tells_spanish_meanings_apart(relevance_embed) -> None:  # type: ignore[no-untyped-def]
    """The product's embeddings (MiniLM and multilingual-e5 side by side) on Spanish marks."""
    vectors = relevance_embed(NEWSPAPER + COUNTRY)
    assert vectors.shape == (12, 2 * BLOCK)
    marked = [0, 1, 2, 3, 6, 7, 8, 9]
    head = train_vectors(vectors[marked], [i < 6 for i in marked])
    assert head is not None
    newspaper, country = head.logits(vectors[[4, 5]]), head.logits(vectors[[10, 11]])
    assert (newspaper > 0).all() and (country < 0).all()


def test_each_encoders_block_gets_a_head_of_its_own() -> None:
    """A meaning only the second encoder sees is learnt, and the first block's head adds
    its own log-odds: the head is the sum of one head per block."""
    rng = np.random.default_rng(1)
    labels = np.array([i % 2 == 0 for i in range(40)])
    first = rng.normal(0, 0.1, (40, BLOCK))
    second = rng.normal(0, 0.1, (40, BLOCK))
    second[:, 0] += np.where(labels, 1.0, -1.0)
    vectors = np.hstack([first, second])
    head = train_vectors(vectors[:30], labels[:30])
    alone = [train_vectors(block[:30], labels[:30]) for block in (first, second)]
    assert head is not None and all(h is not None for h in alone)
    held = head.logits(vectors[30:])
    assert ((held > 0) == labels[30:]).all()
    parts = alone[0].logits(first[30:]) + alone[1].logits(second[30:])  # type: ignore[union-attr]
    np.testing.assert_allclose(held, parts, rtol=1e-9, atol=1e-9)


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


def test_the_memo_embeds_each_text_once_and_forgets_the_least_recently_used() -> None:
    calls: list[list[str]] = []

    def lengths(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.array([[len(t), t.count("a")] for t in texts], dtype=np.float32).reshape(-1, 2)

    memo = Memo(lengths, size=3)
    first = memo(["aa", "b", "aa"])
    np.testing.assert_array_equal(first, [[2, 2], [1, 0], [2, 2]])
    assert calls == [["aa", "b"]] and memo.embedded == 2
    np.testing.assert_array_equal(memo(["b", "aa"]), [[1, 0], [2, 2]])
    assert memo.embedded == 2  # both were kept
    memo(["ccc", "dddd"])  # four texts seen, room for three: "b" (least recent) goes
    assert memo.embedded == 4
    memo(["aa", "ccc", "dddd"])
    assert memo.embedded == 4
    memo(["b"])
    assert calls[-1] == ["b"] and memo.embedded == 5
    assert memo([]).shape == (0, 2)


def test_the_products_embed_returns_the_kept_vectors(relevance_embed) -> None:  # type: ignore[no-untyped-def]
    texts = ["Jaguar XF at the dealer", "a jaguar in the rainforest"]
    first = relevance_embed(texts)
    before = relevance_embed.embedded
    again = relevance_embed(texts[::-1])
    assert relevance_embed.embedded == before
    np.testing.assert_array_equal(again, first[::-1])


# Each sentence shares no word but the name with the others of its kind, so a gram model
# learns little from the other folds, while a sentence embedding still sees the meaning.
CARS_APART = [
    "Jaguar recalls sedans over faulty brakes",
    "Test drove the new Jaguar yesterday, smooth gearbox",
    "Jaguar dealership quoted me a steep lease",
    "Jaguar unveils electric SUV at motor show",
    "My Jaguar needs an oil change and tyres",
    "Jaguar Land Rover quarterly profits fell",
    "Insurance premium for a Jaguar coupe doubled",
    "Jaguar engine warranty extended to five years",
    "Bought a used Jaguar convertible, mileage low",
    "Jaguar plant in Coventry adds a night shift",
]
CATS_APART = [
    "Jaguar spotted hunting caiman along riverbank",
    "Rare jaguar cubs filmed by wildlife researchers",
    "Ranchers protect cattle from a roaming jaguar",
    "The jaguar is the Americas' biggest feline",
    "Camera trap catches a jaguar drinking at dusk",
    "Jaguar populations shrink as rainforest is logged",
    "Zoo welcomes a female jaguar from Brazil",
    "Spotted coat helps the jaguar stalk prey",
    "Conservationists collar a jaguar in Pantanal wetlands",
    "Ancient Maya revered the jaguar as a god",
]


def test_the_review_estimate_of_the_accurate_path_uses_its_heads(relevance_embed) -> None:  # type: ignore[no-untyped-def]
    """With `accurate_relevance` on, the Review page's estimate is the combined model's."""
    signals = Signals("Jaguar")
    texts, labels = CARS_APART + CATS_APART, [True] * 10 + [False] * 10
    grams = estimate(signals, texts, labels, accurate=False)
    accurate = estimate(signals, texts, labels, accurate=True)
    assert grams.marks == accurate.marks == 20
    assert accurate.precision is not None and accurate.precision >= 0.8
    assert grams.precision is None or accurate.precision > grams.precision + 0.1
