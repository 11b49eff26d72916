"""Dashboard pages, one module each, run by the router in dashboard/app.py."""
