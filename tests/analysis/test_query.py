"""The brand query language: precedence, whole-word matching, exclusions and refused queries."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from brandpulse.analysis.matcher import MentionView, match_brand, match_mentions
from brandpulse.analysis.query import And, Field, Not, Or, QuerySyntaxError, Term, parse_query
from brandpulse.analysis.rules import BrandRule
from brandpulse.store.errors import ConfigError
from brandpulse.store.records import Mention

from brandpulse.config import Brand, Config, parse_config
from brandpulse.rules import brand_rule, rules_from_config

WHEN = datetime(2026, 3, 1, tzinfo=UTC)


_COUNTER = iter(range(1_000_000))


def mention(text: str, **fields: object) -> Mention:
    values: dict[str, object] = {
        "id": f"m-{next(_COUNTER)}",
        "source": "reddit",
        "native_id": "x",
        "url": None,
        "author": "someone",
        "title": "",
        "text": text,
        "published_at": WHEN,
        "collected_at": WHEN,
    }
    values.update(fields)
    return Mention(**values)  # type: ignore[arg-type]


def rule(query: str, **fields: object) -> BrandRule:
    return brand_rule(Brand(name="Acme", query=query, **fields))  # type: ignore[arg-type]


def caught(query: str, text: str, **fields: object) -> str | None:
    return match_brand(rule(query), MentionView.of(mention(text, **fields)))


def test_not_binds_tighter_than_and_which_binds_tighter_than_or() -> None:
    assert parse_query("a OR b c") == Or((Term("a"), And((Term("b"), Term("c")))))
    assert parse_query("a AND NOT b OR c") == Or((And((Term("a"), Not(Term("b")))), Term("c")))
    assert parse_query("(a OR b) -c") == And((Or((Term("a"), Term("b"))), Not(Term("c"))))
    assert parse_query('"acme corp" site:Acme.com r/AcmeFans') == And(
        (Term("acme corp"), Field("site", "acme.com"), Field("subreddit", "acmefans"))
    )


def test_lower_case_operators_are_ordinary_words() -> None:
    assert parse_query("salt and pepper") == And((Term("salt"), Term("and"), Term("pepper")))


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("acme AND", 9, "query ends where a term was expected"),
        ("(acme OR globex", 1, "never closed"),
        ("acme)", 5, "unmatched ')'"),
        ('acme OR "acme corp', 9, "unclosed quote"),
        ("OR acme", 1, "expected a term"),
        ("acme () ", 6, "empty parentheses"),
        ("", 1, "empty query"),
        ("NOT acme", 1, "only NOT terms"),
        ("acme OR site:", 14, "site: needs a value"),
        ('acme ""', 6, "empty phrase"),
    ],
)
def test_malformed_queries_are_refused_with_the_position(
    query: str, position: int, message: str
) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(query)
    assert info.value.position == position
    assert message in info.value.message


def test_a_bad_brand_query_in_the_config_names_the_brand_and_position(tmp_path: Path) -> None:
    path = tmp_path / "brands.toml"
    text = "[[brands]]\nname = \"Acme\"\nquery = 'acme AND (globex'\n"
    # Stopped when the config is loaded, before any command runs.
    with pytest.raises(ConfigError) as info:
        parse_config(text, path)
    message = info.value.message
    assert "'Acme'" in message and "position 10" in message and f"{path}:3:" in message
    # A config built in code, not loaded, is checked when its rules are built.
    with pytest.raises(ConfigError, match="position 10"):
        rules_from_config(Config(brands=(Brand(name="Acme", query="acme AND (globex"),)))
    # The query is shown with a caret under the '(' that is never closed (position 10).
    assert message.endswith("\n    acme AND (globex\n             ^")


@pytest.mark.parametrize("nested", ["(" * 5000 + "acme" + ")" * 5000, "NOT " * 5000 + "acme"])
def test_a_deeply_nested_query_is_a_query_error(nested: str) -> None:
    with pytest.raises(QuerySyntaxError, match="nested more than 50 levels deep"):
        parse_query(nested)
    assert parse_query("(" * 50 + "acme" + ")" * 50) == parse_query("acme")


def test_terms_match_whole_words_in_any_case_with_hashtags_handles_and_possessives() -> None:
    assert caught("acme", "I bought an ACME anvil") == "acme"
    assert caught("acme", "Acme's anvils are heavy") == "acme"
    assert caught("acme", "Acme’s anvils are heavy") == "acme"
    assert caught("acme", "loving #acme today") == "acme"
    assert caught("acme", "thanks @acme!") == "acme"
    assert caught("acme", "welcome to acmeville") is None
    assert caught("acme", "#AcmeSpring is here") is None
    assert caught("acme", "megaacme") is None


def test_hashtag_and_handle_terms_need_their_marker() -> None:
    assert caught("#acme", "loving #ACME today") == "#acme"
    assert caught("#acme", "loving acme today") is None
    assert caught("#acme", "loving ##acme today") is None
    assert caught("@acmehq", "ask @AcmeHQ") == "@acmehq"
    assert caught("@acmehq", "ask acmehq") is None


def test_accents_are_folded_in_terms_texts_and_exclusions() -> None:
    assert caught("nestle", "Nestlé recalls a batch") == "nestle"
    assert caught("nestlé", "nestle recalls a batch") == "nestlé"
    assert caught('"el país"', "Reportaje de El Pais hoy") == "el país"
    assert caught("cafe", "a decafé latte") is None  # still whole words only
    assert caught("acme -café", "Acme at the cafe") is None
    assert caught("acme -café", "Acme at the bar") == "acme"


def test_phrases_span_punctuation_and_apostrophes_are_optional() -> None:
    assert caught('"acme corp"', "News from Acme-Corp today") == "acme corp"
    assert caught('"acme corp"', "Acme  Corp's results") == "acme corp"
    assert caught('"acme corp"', "acme corporation") is None
    assert caught("mcdonald's", "lunch at McDonalds") == "mcdonald's"
    assert caught("mcdonald's", "lunch at McDonald’s") == "mcdonald's"
    assert caught("coca-cola", "a cold Coca Cola") == "coca-cola"
    assert caught("at&t", "my AT&T bill") == "at&t"
    assert caught("nestlé", "NESTLÉ recalls") == "nestlé"


def test_an_ambiguous_brand_is_narrowed_by_its_query() -> None:
    query = 'apple AND (iphone OR ipad OR mac OR macbook OR "tim cook") NOT (pie OR cider)'
    assert caught(query, "Apple's new iPhone is out") == "apple"
    assert caught(query, "My grandma's apple pie recipe") is None
    assert caught(query, "apple cider and a macbook") is None  # NOT wins
    assert caught(query, "an apple a day") is None
    # The term reported is the first positive term that caught the mention.
    assert caught('"tim cook" OR apple', "Tim Cook at Apple") == "tim cook"


def test_fields_match_where_the_mention_comes_from() -> None:
    assert caught("site:acme.com", "anything", url="https://blog.acme.com/x") == "site:acme.com"
    assert caught("site:acme.com", "anything", url="https://notacme.com/x") is None
    assert caught("r/acme OR acme", "hello", extra={"subreddit": "Acme"}) == "subreddit:acme"
    assert caught("acme source:news", "acme", source="news") == "acme"
    assert caught("acme source:news", "acme", source="reddit") is None
    assert caught("acme -author:spambot", "acme", author="SpamBot") is None


def test_exclusions_drop_a_mention_the_query_caught() -> None:
    brand = Brand(
        name="Acme",
        query="acme",
        exclude=("wile e coyote",),
        exclude_sites=("spam.example",),
        exclude_subreddits=("r/looneytunes",),
        exclude_authors=("AutoModerator",),
    )
    rules = [brand_rule(brand)]
    kept = mention("acme anvils")
    dropped = [
        mention("Wile E. Coyote ordered from acme"),
        mention("acme deals", url="https://www.spam.example/a"),
        mention("acme again", extra={"subreddit": "LooneyTunes"}),
        mention("acme rules", author="automoderator"),
    ]
    matches = match_mentions([kept, *dropped], rules)
    assert [m.mention_id for m in matches] == [kept.id]


def test_a_mention_may_match_several_brands_each_with_its_term() -> None:
    rules = [
        brand_rule(Brand(name="Acme", keywords=("Acme", "Acme Corp"))),
        brand_rule(Brand(name="Globex", query="globex OR #globex", competitor=True)),
    ]
    item = mention("Acme Corp vs #Globex: who wins?")
    assert {(m.brand, m.term) for m in match_mentions([item], rules)} == {
        ("Acme", "Acme"),
        ("Globex", "globex"),
    }


def test_aliases_widen_a_query_and_hashed_authors_are_still_excluded() -> None:
    brand = Brand(name="Acme", query="acme", aliases=("AcmeHQ",), exclude_authors=("bot1",))
    plain = brand_rule(brand)
    assert match_brand(plain, MentionView.of(mention("thanks AcmeHQ"))) == "AcmeHQ"
    hashed = brand_rule(brand, author_key="k" * 32)
    from brandpulse.privacy import pseudonym

    stored = mention("acme", author=pseudonym("bot1", "k" * 32))
    assert match_brand(plain, MentionView.of(stored)) == "acme"
    assert match_brand(hashed, MentionView.of(stored)) is None
