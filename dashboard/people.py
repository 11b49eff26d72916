"""Who is acting in this browser session: the signed-in user, else the name given here."""

from __future__ import annotations

import streamlit as st
from brandpulse.dashboard import ui
from brandpulse.store.triage import LOCAL_USER

_NAME = "f_me"


def signed_in() -> str | None:
    """Return the signed-in user's name (or e-mail) when the app runs behind sign-in."""
    info = st.user.to_dict()
    if not info.get("is_logged_in"):
        return None
    return str(info.get("name") or info.get("email") or info.get("sub") or "") or None


def render(default: str | None) -> str:
    """Return who is acting; without sign-in, draw a name field in the sidebar to say it.

    The field starts from `--user` / [dashboard] user, else "local". Read state is per
    name, so two people sharing a dashboard without sign-in each type their own.
    """
    name = signed_in()
    if name:
        st.sidebar.caption(f"Signed in as **{ui.plain(name)}**")
        return name
    state = st.session_state
    if _NAME not in state:
        state[_NAME] = default or LOCAL_USER
    typed = st.sidebar.text_input(
        "You are",
        key=_NAME,
        help="Your name on triage changes and notes, and whose read marks you see.",
    )
    return " ".join(typed.split()) or default or LOCAL_USER
