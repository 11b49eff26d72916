"""Spikes: placeholder."""

from __future__ import annotations

import streamlit as st

from dashboard import frame, ui

here = frame.current()
st.title("Spikes")
ui.stop_if_empty(here.empty)
