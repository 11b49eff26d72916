"""The Mentions inbox through streamlit.testing: who acts, URL state, bulk actions, history."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from brandpulse.dashboard import settings
from brandpulse.dashboard.filters import from_params
from brandpulse.store import triage
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.writes import transaction

from tests.dashboard.conftest import AppFactory, no_exceptions, tick

PAGE = "views/mentions.py"


def open_mentions(at):  # type: ignore[no-untyped-def]
    at.run()
    at.switch_page(PAGE).run()
    no_exceptions(at)
    return at


def test_the_acting_user_comes_from_user_then_config_then_local(
    fixture_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    config, db = fixture_copy
    plain = settings.load(["--config", str(config), "--db", str(db)])
    assert plain.user is None  # the page then says "local"
    named = config.read_text(encoding="utf-8") + '\n[dashboard]\nuser = "Ana Lima"\n'
    config.write_text(named, encoding="utf-8")
    assert settings.load(["--config", str(config), "--db", str(db)]).user == "Ana Lima"
    chosen = settings.load(["--config", str(config), "--db", str(db), "--user", "bo"])
    assert chosen.user == "bo"


def test_search_and_triage_filters_round_trip_through_the_url() -> None:
    params = {
        "q": ["battery  recall"],
        "status": ["new", "done", "bogus"],
        "tag": ["press"],
        "assignee": ["", "bo"],
        "unread": ["1"],
    }
    f = from_params(params, newest=date(2026, 6, 30), oldest=date(2026, 1, 1))
    assert (f.search, f.statuses, f.tags, f.assignees, f.unread) == (
        "battery recall",
        ("new", "done"),
        ("press",),
        ("", "bo"),
        True,
    )
    again = from_params(f.to_params(), newest=date(2026, 6, 30), oldest=date(2026, 1, 1))
    assert again == f


def test_search_typed_on_the_page_goes_into_the_url(app: AppFactory) -> None:
    at = open_mentions(app())
    at.text_input(key="m_search").set_value("recall").run()
    no_exceptions(at)
    assert at.query_params["q"] in ("recall", ["recall"])


def test_bulk_tag_and_assign_are_audited_under_the_acting_name(
    app: AppFactory, fixture_copy: tuple[Path, Path]
) -> None:
    config, db = fixture_copy
    at = open_mentions(app(config=config, db=db))
    at.text_input(key="f_me").set_value("ana").run()
    ids = list(at.dataframe[0].value["id"][:2])
    tick(at, [0, 1])
    at.text_input(key="m_bulk_tag").set_value("press").run()
    next(b for b in at.button if b.label == "Add tag").click().run()
    no_exceptions(at)
    assert any("Tagged 2 mentions" in s.value for s in at.success)
    table = at.dataframe[0].value
    assert list(table["tags"][:2]) == ["press", "press"]
    # The sidebar's counts and the unread filter are per person.
    at.toggle(key="m_unread").set_value(True).run()
    before = at.dataframe[0].value
    assert set(ids) <= set(before["id"])
    with read_connection(db) as con:
        audit = con.execute(
            "SELECT mention_id, actor, action, detail FROM triage_audit ORDER BY audit_id"
        ).fetchall()
    assert audit == [(i, "ana", "tag", "press") for i in ids]


def test_confirming_the_selections_labels_counts_them_for_training(
    app: AppFactory, fixture_copy: tuple[Path, Path]
) -> None:
    config, db = fixture_copy
    at = open_mentions(app(config=config, db=db))
    ids = list(at.dataframe[0].value["id"][:3])
    tick(at, [0, 1, 2])
    confirm = next(b for b in at.button if b.label == "Labels are right")
    confirm.click().run()
    no_exceptions(at)
    with read_connection(db) as con:
        scorer = dict(
            con.execute(
                "SELECT mention_id, label FROM sentiments WHERE label IN"
                " ('positive', 'neutral', 'negative') AND mention_id IN (?, ?, ?)",
                ids,
            ).fetchall()
        )
        saved = dict(con.execute("SELECT mention_id, label FROM sentiment_corrections").fetchall())
    assert scorer and saved == scorer
    n = len(scorer)
    assert any(f"Confirmed {n} label" in s.value for s in at.success)
    assert any(f"({n} confirm the scorer's label)" in c.value for c in at.caption)
    # A second press finds nothing left to confirm and says so.
    next(b for b in at.button if b.label == "Labels are right").click().run()
    assert any("Nothing to confirm" in e.value for e in at.error)


def test_a_team_that_only_corrects_is_told_to_confirm_too(
    app: AppFactory, fixture_copy: tuple[Path, Path]
) -> None:
    config, db = fixture_copy
    with write_connection(db) as con, transaction(con):
        rows = con.execute("SELECT mention_id, label FROM sentiments LIMIT 13").fetchall()
        for mention_id, label in rows[:10]:
            triage.relabel(con, [mention_id], "neutral" if label != "neutral" else "positive", "a")
    hint = "confirm right labels too"
    at = open_mentions(app(config=config, db=db))
    assert any("Corrections so far: 10 (0 confirm" in c.value for c in at.caption)
    assert any(hint in c.value for c in at.caption)
    with write_connection(db) as con, transaction(con):
        assert triage.confirm_labels(con, [r[0] for r in rows[10:]], "a") == 3
    at = open_mentions(app(config=config, db=db))
    assert any("Corrections so far: 13 (3 confirm" in c.value for c in at.caption)
    assert not any(hint in c.value for c in at.caption)
