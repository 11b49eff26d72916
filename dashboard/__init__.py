"""The Streamlit dashboard: `app.py` routes to the pages in `views/`, which read through store."""
