"""The Mentions inbox through streamlit.testing: who acts, URL state, bulk actions, history."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from brandpulse.dashboard import settings
from brandpulse.dashboard.filters import from_params
from brandpulse.store.connection import read_connection

from tests.dashboard.conftest import AppFactory, no_exceptions

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
    at.session_state["m_table"] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    at.run()
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
