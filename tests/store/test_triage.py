"""The team's triage in the store: per-person read state, status, tags, assignee, notes, audit."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from brandpulse.store import browse, learning, rollups, triage
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.errors import ConfigError
from brandpulse.store.scope import Scope
from brandpulse.store.writes import transaction

from tests.reports.seed import Row, at, seed


@pytest.fixture
def ids(db_path: Path) -> list[str]:
    rows = [Row(at("2026-03-02", h), ["Acme"], "neutral") for h in range(6)]
    rows += [Row(at("2026-03-03", h), ["Globex"], "positive") for h in range(4)]
    return seed(db_path, rows)


def page_ids(db: Path, f: Scope) -> set[str]:
    with read_connection(db) as con:
        # everything: also matches a "not about us" mark stopped counting.
        scope = replace(f, everything=True)
        return set(browse.mention_page(con, scope, limit=100)["id"])


def test_read_state_is_per_person(db_path: Path, ids: list[str]) -> None:
    with write_connection(db_path) as con, transaction(con):
        assert triage.mark_read(con, ids[:3], "ana") == 3
    assert page_ids(db_path, Scope(unread_by="ana")) == set(ids[3:])
    assert page_ids(db_path, Scope(unread_by="bo")) == set(ids)
    with read_connection(db_path) as con:
        seen = triage.triage_of(con, ids[:4], "ana").set_index("id")["read"].to_dict()
        counts = triage.inbox_counts(con, "ana", "TRUE", []).set_index("brand")
    assert seen == {ids[0]: True, ids[1]: True, ids[2]: True, ids[3]: False}
    assert counts.loc["Acme", "unread"] == 3 and counts.loc["Globex", "unread"] == 4
    assert counts.loc["Acme", "new"] == 6
    with write_connection(db_path) as con, transaction(con):
        triage.mark_read(con, ids[:1], "ana", read=False)
    assert page_ids(db_path, Scope(unread_by="ana")) == {ids[0], *ids[3:]}


def test_status_tags_assignee_filter_and_are_audited(db_path: Path, ids: list[str]) -> None:
    with write_connection(db_path) as con, transaction(con):
        triage.set_status(con, ids[:2], "in progress", "ana")
        triage.tag(con, ids[1:4], "press", "ana")
        triage.tag(con, ids[1:2], "urgent", "bo")
        triage.tag(con, ids[3:4], "press", "bo", add=False)
        triage.assign(con, ids[2:5], "bo", "ana")
        assert triage.add_note(con, ids[1], "Called their PR team.", "bo")
        triage.relabel(con, ids[1:2], "negative", "bo")
    assert page_ids(db_path, Scope(statuses=("in progress",))) == set(ids[:2])
    assert page_ids(db_path, Scope(statuses=("new",))) == set(ids[2:])
    assert page_ids(db_path, Scope(tags=("press",))) == set(ids[1:3])
    assert page_ids(db_path, Scope(assignees=("bo",))) == set(ids[2:5])
    assert page_ids(db_path, Scope(assignees=("",))) == set(ids[:2] + ids[5:])
    assert page_ids(db_path, Scope(statuses=("in progress",), tags=("urgent",))) == {ids[1]}
    with read_connection(db_path) as con:
        row = triage.triage_of(con, [ids[1]], "bo").iloc[0]
        notes = triage.notes_of(con, ids[1])
        audit = triage.audit_of(con, ids[1])
        label = browse.mention_detail(con, ids[1])["corrected_label"]
    assert row["status"] == "in progress" and list(row["tags"]) == ["press", "urgent"]
    assert row["assignee"] is None or row["assignee"] != row["assignee"]
    assert list(notes["author"]) == ["bo"] and notes["body"][0] == "Called their PR team."
    assert label == "negative"
    # Newest first, each with who did it.
    assert list(zip(audit["actor"], audit["action"], strict=True)) == [
        ("bo", "sentiment"),
        ("bo", "note"),
        ("bo", "tag"),
        ("ana", "tag"),
        ("ana", "status"),
    ]
    assert audit["at"].notna().all()


def test_not_about_us_ignores_and_audits(db_path: Path, ids: list[str]) -> None:
    with write_connection(db_path) as con, transaction(con):
        assert triage.mark_not_about_us(con, ids[:2], "ana") == 2
    assert page_ids(db_path, Scope(statuses=("ignored",))) == set(ids[:2])
    with read_connection(db_path) as con:
        assert "not about us" in set(triage.audit_of(con, ids[0])["action"])
        marks = con.execute(
            "SELECT mention_id, label, marked_by FROM relevance_marks ORDER BY mention_id"
        ).fetchall()
        counted = con.execute(
            "SELECT count(*) FROM mention_brands WHERE counted = false"
        ).fetchone()[0]
    assert sorted(marks) == sorted((i, "unrelated", "ana") for i in ids[:2])
    assert counted == 2


def test_bad_input_is_refused_with_a_fix(db_path: Path, ids: list[str]) -> None:
    with write_connection(db_path) as con:
        with pytest.raises(ConfigError, match="unknown status"):
            triage.set_status(con, ids, "archived", "ana")
        with pytest.raises(ConfigError, match="tag is empty"):
            triage.tag(con, ids, "   ", "ana")
        assert triage.set_status(con, ["nope"], "done", "ana") == 0


def test_saved_views_keep_a_name_a_query_and_one_default(db_path: Path, ids: list[str]) -> None:
    with write_connection(db_path) as con, transaction(con):
        triage.save_view(con, "Negative", "sentiment=negative&q=battery", "ana")
        triage.save_view(con, "Press", "tag=press", "bo")
        triage.set_default_view(con, "Press")
        triage.set_default_view(con, "Negative")
    with read_connection(db_path) as con:
        views = triage.saved_views(con).set_index("name")
    assert views.loc["Negative", "query"] == "sentiment=negative&q=battery"
    assert list(views["is_default"]) == [True, False]
    with write_connection(db_path) as con, transaction(con):
        assert triage.delete_view(con, "Negative")
        assert not triage.delete_view(con, "Negative")
    with read_connection(db_path) as con:
        assert list(triage.saved_views(con)["name"]) == ["Press"]


def test_forget_erases_the_triage_of_the_mentions_it_erases(db_path: Path, ids: list[str]) -> None:
    from brandpulse.store.erasure import forget_author

    with write_connection(db_path) as con, transaction(con):
        triage.add_note(con, ids[0], "note", "ana")
        triage.tag(con, ids, "x", "ana")
        author = con.execute("SELECT author FROM mentions WHERE id = ?", [ids[0]]).fetchone()[0]
        assert forget_author(con, author, None, []) >= 1
    with read_connection(db_path) as con:
        left = con.execute(
            "SELECT count(*) FROM mention_notes WHERE mention_id NOT IN (SELECT id FROM mentions)"
        ).fetchone()[0]
        orphans = con.execute(
            "SELECT count(*) FROM mention_tags WHERE mention_id NOT IN (SELECT id FROM mentions)"
        ).fetchone()[0]
    assert left == 0 and orphans == 0


def test_confirming_labels_saves_the_scorers_label_and_keeps_the_teams(db_path: Path) -> None:
    labels = ["negative", "positive", "neutral", "unscored", None]
    ids = seed(db_path, [Row(at("2026-03-02", h), ["Acme"], x) for h, x in enumerate(labels)])
    with write_connection(db_path) as con, transaction(con):
        triage.relabel(con, ids[1:2], "negative", "bo")
        # The team's correction stays; "unscored" and no label have nothing to confirm.
        assert triage.confirm_labels(con, [*ids, "gone"], "ana") == 2
        assert triage.confirm_labels(con, ids, "ana") == 0
    with read_connection(db_path) as con:
        saved = dict(con.execute("SELECT mention_id, label FROM sentiment_corrections").fetchall())
        brand_labels = dict(con.execute("SELECT mention_id, label FROM mention_brands").fetchall())
        counts = learning.correction_counts(con)
        audit = triage.audit_of(con, ids[0])
    assert saved == {ids[0]: "negative", ids[1]: "negative", ids[2]: "neutral"}
    assert brand_labels[ids[0]] == "negative" and brand_labels[ids[2]] == "neutral"
    assert counts == (3, 2)  # the correction of ids[1] changed its label
    assert list(zip(audit["actor"], audit["action"], strict=True)) == [
        ("ana", "sentiment confirmed")
    ]


def test_labels_saved_together_keep_the_last_per_mention_and_the_first_scorer_label(
    db_path: Path,
) -> None:
    from brandpulse.store.writes import correct_sentiments

    ids = seed(db_path, [Row(at("2026-03-02", h), ["Acme"], "neutral") for h in range(3)])
    with write_connection(db_path) as con, transaction(con):
        assert correct_sentiments(con, [(ids[0], "negative")]) == [ids[0]]
        # A rescore changes the scorer's label; the correction keeps the one it corrected.
        con.execute("UPDATE sentiments SET label = 'negative' WHERE mention_id = ?", [ids[0]])
        saved = correct_sentiments(
            con,
            [
                (ids[1], "positive"),
                ("gone", "positive"),
                (ids[1], "negative"),
                (ids[0], "positive"),
            ],
        )
    assert saved == [ids[1], ids[0]]
    with read_connection(db_path) as con:
        rows = con.execute(
            "SELECT mention_id, label, scorer_label FROM sentiment_corrections"
        ).fetchall()
        shown = dict(con.execute("SELECT mention_id, label FROM mention_brands").fetchall())
        assert rollups.stale_hours(con) == 0
    assert sorted(rows) == sorted(
        [(ids[0], "positive", "neutral"), (ids[1], "negative", "neutral")]
    )
    assert shown == {ids[0]: "positive", ids[1]: "negative", ids[2]: "neutral"}
