"""The sidebar: filter widgets whose values live in session state and in the URL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from urllib.parse import parse_qs

import streamlit as st
from brandpulse.dashboard.filters import (
    LABEL_FILTERS,
    PRESETS,
    Filters,
    from_params,
    preset_window,
)
from brandpulse.dashboard.ui import plain

_INIT = "f_init"
# A saved view's query string to open on the next run, before any widget is drawn.
PENDING_VIEW = "f_pending_view"
# The Mentions page's widgets and the keys that keep their values across pages (Streamlit
# forgets a widget's value on a page that does not draw it).
PAGE_KEYS = {
    "m_search": "f_search",
    "m_status": "f_status",
    "m_tags": "f_tags",
    "m_assignees": "f_assignees",
    "m_unread": "f_unread",
}


def _url_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _on_period_change(newest: date, oldest: date) -> None:
    # Switching to "Custom range" starts from the window the user was looking at.
    period = st.session_state["f_period"]
    if period != "custom":
        st.session_state["f_range"] = preset_window(period, newest, oldest)


def render(
    *,
    brands: Sequence[str],
    sources: Sequence[str],
    newest: date,
    languages: Sequence[str] = (),
    oldest: date,
    tz: str,
    default_query: str = "",
) -> Filters:
    """Draw the filters, keep the URL in step with them and return them.

    The URL is read once per browser session; afterwards the widgets are the truth and the
    URL follows them (page switches clear query parameters, so they are written back on
    every run). A URL without any parameter opens the team's default view, if one is set.
    """
    state = st.session_state
    pending = state.pop(PENDING_VIEW, None)
    if not state.get(_INIT) or pending is not None:
        if pending is not None:
            params = parse_qs(pending)
        else:
            params = _url_params() or (parse_qs(default_query) if default_query else {})
        initial = from_params(
            params,
            newest=newest,
            oldest=oldest,
            brands=brands,
            sources=sources,
            languages=languages,
        )
        state["f_brands"] = list(initial.brands)
        state["f_period"] = initial.period
        state["f_range"] = (initial.first, initial.last)
        state["f_sources"] = list(initial.sources)
        state["f_sentiments"] = list(initial.sentiments)
        state["f_everything"] = initial.everything
        state["f_copies"] = initial.copies_once
        state["f_languages"] = list(initial.languages)
        for widget, kept, value in (
            ("m_search", "f_search", initial.search),
            ("m_status", "f_status", list(initial.statuses)),
            ("m_tags", "f_tags", list(initial.tags)),
            ("m_assignees", "f_assignees", list(initial.assignees)),
            ("m_unread", "f_unread", initial.unread),
        ):
            state[kept] = value
            # The Mentions page starts its widget from the kept value.
            state.pop(widget, None)
        state[_INIT] = True
    for widget, kept in PAGE_KEYS.items():
        if widget in state:
            state[kept] = state[widget]
    # Options can shrink between runs (a brand removed from the config): drop stale picks.
    state["f_brands"] = [b for b in state.get("f_brands", []) if b in brands]
    state["f_sources"] = [s for s in state.get("f_sources", []) if s in sources]
    state["f_languages"] = [x for x in state.get("f_languages", []) if x in languages]

    with st.sidebar:
        st.multiselect("Brands", list(brands), key="f_brands", placeholder="All brands")
        st.selectbox(
            "Period",
            list(PRESETS),
            format_func=lambda key: PRESETS[key][0],
            key="f_period",
            on_change=_on_period_change,
            args=(newest, oldest),
        )
        period = state["f_period"]
        if period == "custom":
            picked = st.date_input("Days", key="f_range", format="YYYY-MM-DD")
            days = tuple(picked) if isinstance(picked, (tuple, list)) else (picked,)
            # While a user is picking, the range has only its first day.
            first = days[0] if days else newest
            last = days[1] if len(days) > 1 else first
        else:
            first, last = preset_window(period, newest, oldest)
        st.multiselect("Sources", list(sources), key="f_sources", placeholder="All sources")
        st.multiselect(
            "Sentiment", list(LABEL_FILTERS), key="f_sentiments", placeholder="All sentiments"
        )
        st.toggle(
            "Include off-topic mentions",
            key="f_everything",
            help="Also count mentions below their brand's relevance threshold or marked"
            " 'not about us' (the Review page lists them).",
        )
        st.toggle(
            "Count copies once",
            key="f_copies",
            help="Count a story carried by many feeds, or reposted word for word, once in"
            " every count and chart; the Mentions list shows its first copy with the group size.",
        )
        if len(languages) > 1:
            st.multiselect(
                "Languages",
                list(languages),
                key="f_languages",
                format_func=lambda code: code or "unknown",
                placeholder="All languages",
            )
        st.caption(
            f"Times and days in **{plain(tz)}**."
            f" Presets end at the newest mention ({newest:%Y-%m-%d})."
        )

    filters = Filters(
        brands=tuple(state["f_brands"]),
        period=period,
        first=min(first, last),
        last=max(first, last),
        sources=tuple(state["f_sources"]),
        sentiments=tuple(state["f_sentiments"]),
        everything=bool(state.get("f_everything", False)),
        copies_once=bool(state.get("f_copies", False)),
        languages=tuple(state["f_languages"]),
        search=" ".join(str(state.get("f_search") or "").split()),
        statuses=tuple(state.get("f_status") or ()),
        tags=tuple(state.get("f_tags") or ()),
        assignees=tuple(state.get("f_assignees") or ()),
        unread=bool(state.get("f_unread")),
    )
    wanted = filters.to_params()
    if wanted != _url_params():
        st.query_params.from_dict(wanted)
    return filters
