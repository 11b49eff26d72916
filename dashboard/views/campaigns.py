"""Campaigns: placeholder."""

from __future__ import annotations

import streamlit as st

from dashboard import frame, ui

here = frame.current()
st.title("Campaigns")
ui.stop_if_empty(here.empty)
