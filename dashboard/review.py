"""Saving "about us" / "not about us" marks from the Review page, then retraining the brand."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import streamlit as st
from brandpulse.analysis.relevance import RELATED
from brandpulse.dashboard.db import writing
from brandpulse.store.errors import BrandpulseError
from brandpulse.store.writes import transaction

from brandpulse import relevance
from brandpulse.config import Config

_OUTCOME = "r_outcome"
PICK = "r_pick_"


def save(db: Path, config: Config, brand: str, ids: Sequence[str], label: str) -> None:
    """Store marks and retrain the brand (a button callback: it runs before the page reads)."""
    if not ids:
        st.session_state[_OUTCOME] = ("error", "Tick the mentions to mark first.")
        return
    try:
        with writing(db) as con, transaction(con):
            stored, _ = relevance.mark_on(con, config, [(i, brand, label) for i in ids])
    except BrandpulseError as exc:
        st.session_state[_OUTCOME] = ("error", exc.message + (f". {exc.fix}" if exc.fix else ""))
        return
    for mention_id in ids:
        st.session_state.pop(PICK + mention_id, None)
    what = "about" if label == RELATED else "not about"
    st.session_state[_OUTCOME] = (
        "success",
        f"Marked {stored} mention{'s' if stored != 1 else ''} as {what} {brand};"
        " the filter has learnt from it.",
    )


def save_picked(db: Path, config: Config, brand: str, shown: Sequence[str], label: str) -> None:
    """Store the same mark for every ticked mention of the list."""
    picked = [i for i in shown if st.session_state.get(PICK + i)]
    save(db, config, brand, picked, label)


def show_outcome() -> None:
    """Show (once) what the last mark did."""
    outcome = st.session_state.pop(_OUTCOME, None)
    if outcome is None:
        return
    kind, message = outcome
    if kind == "success":
        st.success(message, icon=":material/check:")
    else:
        st.error(message)
