"""The dashboard's router and shared frame: sidebar filters kept in the URL, then one page.

Run by `brandpulse dashboard`, which starts `streamlit run dashboard/app.py -- --db PATH
--config PATH`.
"""

from __future__ import annotations

import streamlit as st
from brandpulse.dashboard import frame, settings, ui
from brandpulse.dashboard.db import Reader
from brandpulse.store.errors import BrandpulseError
from brandpulse.store.sql import copies_once

# An emoji icon is drawn in the page itself; a :material/...: one is fetched from Google.
st.set_page_config(page_title="brandpulse", page_icon="📣", layout="wide")

PAGES = [
    # Streamlit serves the default page at the root only; the same script under its own
    # path makes /overview (the path the menu and shared links use) load it too.
    st.Page(
        "views/overview.py",
        title="Overview",
        url_path="home",
        default=True,
        icon=":material/dashboard:",
    ),
    st.Page(
        "views/overview.py",
        title="Overview",
        url_path="overview",
        visibility="hidden",
        icon=":material/dashboard:",
    ),
    st.Page("views/mentions.py", title="Mentions", url_path="mentions", icon=":material/forum:"),
    st.Page(
        "views/campaigns.py", title="Campaigns", url_path="campaigns", icon=":material/campaign:"
    ),
    st.Page(
        "views/competitors.py",
        title="Competitors",
        url_path="competitors",
        icon=":material/compare_arrows:",
    ),
    st.Page("views/spikes.py", title="Spikes", url_path="spikes", icon=":material/bolt:"),
    st.Page("views/review.py", title="Review", url_path="review", icon=":material/rule:"),
    st.Page(
        "views/health.py",
        title="Collection health",
        url_path="health",
        icon=":material/monitor_heart:",
    ),
]

# No table offers Streamlit's own "Download as CSV": it writes spreadsheet formulas raw and
# drops time offsets. `brandpulse dashboard` passes this on its command line (the first run's
# settings reach the browser before this line runs); here it covers a bare `streamlit run`.
st.set_option("client.disableDataExport", True)

page = st.navigation(PAGES)
try:
    chosen = settings.load()
    # The reader closes when the page is done, so no connection outlives this rerun.
    with Reader(chosen.db) as reader:
        built = frame.build(chosen, reader)
        with copies_once(built.filters.copies_once):
            page.run()
except BrandpulseError as exc:
    ui.explain_error(exc)
