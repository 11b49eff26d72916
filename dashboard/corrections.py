"""Saving a user's sentiment correction from the Mentions page, as one short write."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from brandpulse.dashboard.db import writing
from brandpulse.dashboard.ui import plain
from brandpulse.store.errors import BrandpulseError
from brandpulse.store.triage import LOCAL_USER, relabel
from brandpulse.store.writes import transaction

_OUTCOME = "m_outcome"


def save(db: Path, mention_id: str, label: str | None, actor: str = LOCAL_USER) -> None:
    """Record the label under `actor`'s name (a button callback: it runs before the page
    opens its reader)."""
    if label is None:
        return
    try:
        with writing(db) as con, transaction(con):
            found = relabel(con, [mention_id], label, actor)
    except BrandpulseError as exc:
        st.session_state[_OUTCOME] = ("error", exc.message + (f". {exc.fix}" if exc.fix else ""))
        return
    if found:
        st.session_state[_OUTCOME] = ("success", f"Saved: that mention is now {label}.")
    else:
        st.session_state[_OUTCOME] = ("error", "That mention is no longer stored (pruned?).")


def show_outcome() -> None:
    """Show (once) what the last correction did."""
    outcome = st.session_state.pop(_OUTCOME, None)
    if outcome is None:
        return
    kind, message = outcome
    if kind == "success":
        st.success(plain(message), icon=":material/check:")
    else:
        st.error(plain(message))
