"""The Mentions inbox's parts: its table, bulk actions, a mention's notes and history, saved views.

Every change is a button callback: it runs before the page opens its reader, writes in one
short transaction under the acting person's name, and leaves its outcome for the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from brandpulse.dashboard import data, ui
from brandpulse.dashboard.db import writing
from brandpulse.dashboard.filters import SENTIMENTS
from brandpulse.dashboard.frame import Frame
from brandpulse.dashboard.sidebar import PENDING_VIEW
from brandpulse.store import triage
from brandpulse.store.errors import BrandpulseError
from brandpulse.store.writes import transaction

_OUTCOME = "m_outcome"


# -- the table -------------------------------------------------------------------------------


def table_frame(
    rows: pd.DataFrame, states: pd.DataFrame, tz: str, copies: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """Return the inbox rows as shown: read mark, time, where, author, sentiment, title,
    status (with assignee), tags, engagement, link and id.

    A mention with copies (the same story on other feeds, reposts) has the size of its
    group before its title.
    """
    by_id = states.set_index("id") if not states.empty else pd.DataFrame()

    def of(column: str, default: Any) -> list[Any]:
        if by_id.empty or column not in by_id:
            return [default] * len(rows)
        return [by_id[column].get(i, default) for i in rows["id"]]

    sentiment = rows["sentiment"].fillna("unscored")
    if "corrected" in rows:
        sentiment = sentiment + rows["corrected"].map({True: " ✎", False: ""})
    place = rows["place"].fillna("") if "place" in rows else pd.Series([""] * len(rows))
    where = [
        f"{source} · {p}" if p else str(source)
        for source, p in zip(rows["source"], place, strict=True)
    ]
    status = [
        f"{s} · {a}" if isinstance(a, str) and a else str(s)
        for s, a in zip(of("status", "new"), of("assignee", None), strict=True)
    ]
    tags = [", ".join(t) if t is not None and len(t) else "" for t in of("tags", [])]
    return pd.DataFrame(
        {
            "read": ["" if r else "●" for r in of("read", False)],
            "published": ui.to_local(rows["published_at"], tz),
            "where": where,
            "author": rows["author"],
            "sentiment": sentiment.values,
            "title": [
                f"[{copies[i]} copies] {t}" if copies and i in copies else t
                for i, t in zip(rows["id"], rows["title"].fillna(rows["snippet"]), strict=True)
            ],
            "status": status,
            "tags": tags,
            "engagement": rows["engagement"],
            "link": rows["url"].map(ui.safe_url),
            "id": rows["id"],
        }
    )


def table_columns(tz: str) -> dict[str, Any]:
    """Return the inbox table's columns, whose widths fit a 1440 px screen beside the sidebar.

    Long values are clipped and shown whole on hover; the detail pane shows everything.
    """
    return {
        "read": st.column_config.TextColumn("New", help="● not yet read by you", width=40),
        "published": st.column_config.DatetimeColumn(
            "Published", help=f"In {tz}", format="YYYY-MM-DD HH:mm", width=110
        ),
        "where": st.column_config.TextColumn("Where", help="Source · subreddit or site", width=100),
        "author": st.column_config.TextColumn("Author", width=75),
        "sentiment": st.column_config.TextColumn("Sentiment", help="✎ corrected by hand", width=70),
        "title": st.column_config.TextColumn("Title", width=150),
        "status": st.column_config.TextColumn("Status", help="Status · assignee", width=95),
        "tags": st.column_config.TextColumn("Tags", width=75),
        "engagement": st.column_config.NumberColumn(
            "Engagement", help="Score plus comments", format="%d", width=85
        ),
        "link": st.column_config.LinkColumn("Link", display_text="open ↗", width=45),
        "id": st.column_config.TextColumn(
            "Id", help="For `brandpulse correct ID LABEL`; whole in the detail pane", width=95
        ),
    }


# -- changes ---------------------------------------------------------------------------------


def _run(
    db: Path,
    done: str,
    change: Callable[[Any], int],
    none: str = "Those mentions are no longer stored (pruned?).",
) -> None:
    """Run one change in a short transaction and leave its outcome for the next run:
    `done` (with {n} and {s}) when it changed some mentions, `none` when it changed none."""
    try:
        with writing(db) as con, transaction(con):
            count = change(con)
    except BrandpulseError as exc:
        st.session_state[_OUTCOME] = ("error", exc.message + (f". {exc.fix}" if exc.fix else ""))
        return
    if count:
        st.session_state[_OUTCOME] = ("success", done.format(n=count, s="" if count == 1 else "s"))
    else:
        st.session_state[_OUTCOME] = ("error", none)


def mark_read(db: Path, ids: list[str], person: str, read: bool) -> None:
    """Mark the mentions read or unread for `person` (a button callback)."""
    word = "read" if read else "unread"
    _run(db, f"Marked {{n}} mention{{s}} {word}.", lambda c: triage.mark_read(c, ids, person, read))


def set_status(db: Path, ids: list[str], person: str) -> None:
    """Set the status picked in the bulk bar (a button callback)."""
    status = st.session_state.get("m_bulk_status") or "done"
    _run(
        db,
        f"Set {{n}} mention{{s}} to {status}.",
        lambda c: triage.set_status(c, ids, status, person),
    )


def change_tag(db: Path, ids: list[str], person: str, add: bool) -> None:
    """Add or remove the tag typed or picked in the bulk bar (a button callback)."""
    label = st.session_state.get("m_bulk_tag") or ""
    word = "Tagged" if add else "Untagged"
    _run(
        db,
        f"{word} {{n}} mention{{s}} '{' '.join(label.split())}'.",
        lambda c: triage.tag(c, ids, label, person, add),
    )


def assign(db: Path, ids: list[str], person: str) -> None:
    """Assign to the person typed in the bulk bar; empty unassigns (a button callback)."""
    who = " ".join((st.session_state.get("m_bulk_assignee") or "").split())
    _run(
        db,
        f"Assigned {{n}} mention{{s}} to {who or 'nobody'}.",
        lambda c: triage.assign(c, ids, who or None, person),
    )


def relabel(db: Path, ids: list[str], person: str) -> None:
    """Correct the sentiment of the selection (a button callback)."""
    label = st.session_state.get("m_bulk_label") or "neutral"
    _run(
        db,
        f"Saved: {{n}} mention{{s}} now {label}.",
        lambda c: triage.relabel(c, ids, label, person),
    )


def confirm(db: Path, ids: list[str], person: str) -> None:
    """Save the scorer's labels of the selection as the team's (a button callback)."""
    _run(
        db,
        "Confirmed {n} label{s}: the project model learns from them as from corrections.",
        lambda c: triage.confirm_labels(c, ids, person),
        none="Nothing to confirm: those mentions already carry a team label, are unscored"
        " or are no longer stored.",
    )


def not_about_us(db: Path, ids: list[str], person: str) -> None:
    """Mark the selection as not about the brand (a button callback)."""
    _run(
        db,
        "Marked {n} mention{s} not about us (status ignored).",
        lambda c: triage.mark_not_about_us(c, ids, person),
    )


def add_note(db: Path, mention_id: str, person: str) -> None:
    """Add the typed note to the mention's thread (a button callback)."""
    key = f"m_note_{mention_id}"
    body = st.session_state.get(key) or ""
    _run(db, "Note added.", lambda c: int(triage.add_note(c, mention_id, body, person)))
    if st.session_state.get(_OUTCOME, ("",))[0] == "success":
        st.session_state[key] = ""


def bulk_actions(here: Frame, ids: list[str], tags: list[str]) -> None:
    """Draw the actions on the ticked mentions."""
    db, me = here.settings.db, here.person
    with st.container(border=True):
        st.markdown(f"**{len(ids)} selected** · acting as {ui.plain(me)}")
        a, b, c, d = st.columns(4, vertical_alignment="bottom")
        a.button("Mark read", on_click=mark_read, args=(db, ids, me, True), width="stretch")
        b.button("Mark unread", on_click=mark_read, args=(db, ids, me, False), width="stretch")
        c.button(
            "Not about us",
            on_click=not_about_us,
            args=(db, ids, me),
            width="stretch",
            help="Marks the mentions unrelated to their brands (they stop counting, and the"
            " relevance model learns from it) and sets their status to ignored.",
        )
        d.empty()
        a, b = st.columns(2, vertical_alignment="bottom")
        a.selectbox("Status", triage.STATUSES, key="m_bulk_status")
        b.button("Set status", on_click=set_status, args=(db, ids, me), width="stretch")
        a, b, c = st.columns([2, 1, 1], vertical_alignment="bottom")
        a.text_input(
            "Tag",
            key="m_bulk_tag",
            placeholder=", ".join(tags[:4]) or "e.g. press, complaint",
            max_chars=triage.MAX_TAG_CHARS,
        )
        b.button("Add tag", on_click=change_tag, args=(db, ids, me, True), width="stretch")
        c.button("Remove tag", on_click=change_tag, args=(db, ids, me, False), width="stretch")
        a, b = st.columns(2, vertical_alignment="bottom")
        a.text_input("Assign to", key="m_bulk_assignee", placeholder="a name; empty unassigns")
        b.button("Assign", on_click=assign, args=(db, ids, me), width="stretch")
        a, b, c = st.columns([2, 1, 1], vertical_alignment="bottom")
        a.selectbox("Sentiment", SENTIMENTS, key="m_bulk_label")
        b.button("Relabel sentiment", on_click=relabel, args=(db, ids, me), width="stretch")
        c.button(
            "Labels are right",
            on_click=confirm,
            args=(db, ids, me),
            width="stretch",
            help="Saves the scorer's label of each selected mention as the team's. The project"
            " model (`brandpulse sentiment train`) learns from confirmed labels as from"
            " corrections, so it sees the brand's mentions and not only its mistakes.",
        )


def history(here: Frame, mention_id: str) -> None:
    """Show a mention's notes with a box to add one, and who changed what and when."""
    notes, audit = data.mention_history(here.reader, here.key, mention_id)
    st.markdown("**Notes**")
    for note in notes.itertuples(index=False):
        when = ui.to_local(pd.Series([note.created_at]), here.tz).iloc[0]
        st.caption(f"{ui.plain(note.author)} · {when:%Y-%m-%d %H:%M} ({ui.plain(here.tz)})")
        # Notes are typed by people: plain text, never markup.
        st.text(note.body)
    st.text_area("Add a note", key=f"m_note_{mention_id}", max_chars=triage.MAX_NOTE_CHARS)
    st.button(
        "Save note",
        on_click=add_note,
        args=(here.settings.db, mention_id, here.person),
    )
    st.markdown(f"**History** · times in {ui.plain(here.tz)}")
    if audit.empty:
        st.caption("No change yet.")
        return
    lines = [
        f"{when:%Y-%m-%d %H:%M} · {row.actor} · {row.action}"
        + (f" · {row.detail}" if isinstance(row.detail, str) and row.detail else "")
        for when, row in zip(
            ui.to_local(audit["at"], here.tz), audit.itertuples(index=False), strict=True
        )
    ]
    # Names and tags are typed by people: plain text, never markup.
    st.text("\n".join(lines))


# -- saved views -------------------------------------------------------------------------------


def view_query(here: Frame) -> str:
    """Return the URL query string that reproduces the current filters and search."""
    return urlencode(here.filters.to_params(), doseq=True)


def _save_view(db: Path, query: str, person: str) -> None:
    name = st.session_state.get("m_view_name") or ""
    _run(
        db,
        f"Saved the view '{' '.join(name.split())}'.",
        lambda c: _one(triage.save_view, c, name, query, person),
    )


def _one(change: Callable[..., Any], *args: Any) -> int:
    change(*args)
    return 1


def _open_view(query: str) -> None:
    """Open a saved view on the next run (a button callback; the sidebar applies it first)."""
    st.session_state[PENDING_VIEW] = query


def saved_views(here: Frame) -> None:
    """Draw the saved views: open one, save the current one, share, set default, delete."""
    views = data.saved_views(here.reader, here.key)
    db, me = here.settings.db, here.person
    query = view_query(here)
    with st.expander("Saved views", expanded=False):
        a, b = st.columns([3, 1], vertical_alignment="bottom")
        a.text_input("Save this view as", key="m_view_name", placeholder="e.g. Negative on Reddit")
        b.button("Save view", on_click=_save_view, args=(db, query, me), width="stretch")
        base = (st.context.url or "").split("?")[0]
        st.caption("Link to this view (filters and search):")
        st.code(f"{base}?{query}" if query else base, language=None)
        if views.empty:
            st.caption("No saved view yet.")
            return
        for view in views.itertuples(index=False):
            name, stored = str(view.name), str(view.query)
            cols = st.columns([3, 1, 1, 1], vertical_alignment="center")
            default = " · team default" if view.is_default else ""
            cols[0].text(f"{name}{default} (by {view.created_by})")
            cols[1].button(
                "Open",
                key=f"m_view_open_{name}",
                on_click=_open_view,
                args=(stored,),
                width="stretch",
            )
            cols[2].button(
                "Unset default" if view.is_default else "Make default",
                key=f"m_view_default_{name}",
                on_click=_run,
                args=(
                    db,
                    "Default view changed.",
                    lambda c, n=name, d=bool(view.is_default): _one(
                        triage.set_default_view, c, None if d else n
                    ),
                ),
                width="stretch",
            )
            cols[3].button(
                "Delete",
                key=f"m_view_delete_{name}",
                on_click=_run,
                args=(
                    db,
                    f"Deleted the view '{name}'.",
                    lambda c, n=name: int(triage.delete_view(c, n)),
                ),
                width="stretch",
            )
